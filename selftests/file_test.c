// SPDX-License-Identifier: GPL-2.0
/*
 * file_test.c - file rules: which opens are checked for which access, in
 * each mode, and what the events say; symlinks, hard links, /proc/self/fd
 * re-opens, openat2, io_uring; program matching by executable path.
 */
#include <linux/io_uring.h>
#include <linux/openat2.h>

#include "crs_selftest.h"

/* ------------------------------------------------- access x flags x mode */

FIXTURE(file_access) {
	struct crs_sb sb;
	char secret[PATH_MAX];
};

FIXTURE_VARIANT(file_access) {
	enum crs_mode mode;
	uint32_t rule_access;	/* what the deny rule covers */
	int flags;		/* open flags */
	uint32_t want;		/* the access those flags ask for */
};

#define R CRS_ACCESS_READ
#define W CRS_ACCESS_WRITE
#define RW (CRS_ACCESS_READ | CRS_ACCESS_WRITE)

#define FA(name, m, ra, fl, w)						\
	FIXTURE_VARIANT_ADD(file_access, name) {			\
		.mode = m, .rule_access = ra, .flags = fl, .want = w,	\
	}

FA(enforce_r_rdonly, CRS_MODE_ENFORCE, R, O_RDONLY, R);
FA(enforce_r_wronly, CRS_MODE_ENFORCE, R, O_WRONLY, W);
FA(enforce_r_rdwr, CRS_MODE_ENFORCE, R, O_RDWR, RW);
FA(enforce_r_wrtrunc, CRS_MODE_ENFORCE, R, O_WRONLY | O_TRUNC, W);
FA(enforce_r_rdtrunc, CRS_MODE_ENFORCE, R, O_RDONLY | O_TRUNC, RW);
FA(enforce_w_rdonly, CRS_MODE_ENFORCE, W, O_RDONLY, R);
FA(enforce_w_wronly, CRS_MODE_ENFORCE, W, O_WRONLY, W);
FA(enforce_w_rdwr, CRS_MODE_ENFORCE, W, O_RDWR, RW);
FA(enforce_w_wrtrunc, CRS_MODE_ENFORCE, W, O_WRONLY | O_TRUNC, W);
FA(enforce_w_rdtrunc, CRS_MODE_ENFORCE, W, O_RDONLY | O_TRUNC, RW);
FA(enforce_w_append, CRS_MODE_ENFORCE, W, O_WRONLY | O_APPEND, W);
FA(enforce_rw_rdonly, CRS_MODE_ENFORCE, RW, O_RDONLY, R);
FA(enforce_rw_wronly, CRS_MODE_ENFORCE, RW, O_WRONLY, W);
FA(enforce_rw_rdwr, CRS_MODE_ENFORCE, RW, O_RDWR, RW);
FA(enforce_rw_wrtrunc, CRS_MODE_ENFORCE, RW, O_WRONLY | O_TRUNC, W);
FA(monitor_r_rdonly, CRS_MODE_MONITOR, R, O_RDONLY, R);
FA(monitor_r_wronly, CRS_MODE_MONITOR, R, O_WRONLY, W);
FA(monitor_w_wrtrunc, CRS_MODE_MONITOR, W, O_WRONLY | O_TRUNC, W);
FA(monitor_w_rdonly, CRS_MODE_MONITOR, W, O_RDONLY, R);
FA(monitor_rw_rdwr, CRS_MODE_MONITOR, RW, O_RDWR, RW);
FA(disabled_r_rdonly, CRS_MODE_DISABLED, R, O_RDONLY, R);
FA(disabled_w_wronly, CRS_MODE_DISABLED, W, O_WRONLY, W);
FA(disabled_rw_rdwr, CRS_MODE_DISABLED, RW, O_RDWR, RW);

FIXTURE_SETUP(file_access)
{
	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "secret", self->secret);
	ASSERT_EQ(0, write_file(self->secret, "secret\n", 0644));
}

FIXTURE_TEARDOWN(file_access)
{
	sb_teardown(&self->sb);
}

/*
 * A child opens the file with variant->flags under a table whose rule 2
 * denies variant->rule_access. Denied (EACCES) in enforce mode exactly when
 * the access asked for meets the rule's; monitor lets it through with an
 * event; disabled neither checks nor reports.
 */
TEST_F(file_access, open)
{
	bool hit = (variant->rule_access & variant->want) != 0;
	bool denied = hit && variant->mode == CRS_MODE_ENFORCE;
	bool event = hit && variant->mode != CRS_MODE_DISABLED;
	char other[PATH_MAX], public[PATH_MAX], content[64] = "";
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	struct crs_policy p;
	uint32_t seen = 0;
	pid_t pid;
	int i, fd;

	pol_init(&p, "file-access", variant->mode, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	/* rules 0 and 1 do not match the file: rule_index must say 2 */
	pol_file(&p, "deny-other", CRS_ACTION_DENY, sb_path(&self->sb, "other", other), RW);
	pol_file(&p, "allow-public", CRS_ACTION_ALLOW, sb_path(&self->sb, "public", public), RW);
	pol_file(&p, "deny-secret", CRS_ACTION_DENY, self->secret, variant->rule_access);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	sb_events(&ev);

	EXPECT_EQ(denied ? EACCES : 0, child_open(self->sb.cg, self->secret, variant->flags, &pid));

	/* a denied O_TRUNC open must not have truncated the file */
	fd = open(self->secret, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, read(fd, content, sizeof(content) - 1));
	close(fd);
	if (variant->flags & O_TRUNC && !denied) {
		EXPECT_STREQ("", content);
	} else {
		EXPECT_STREQ("secret\n", content);
	}

	/* all events raised by the open have arrived once the fence has */
	sb_fence(&self->sb, ev, b);
	if (!event) {
		EXPECT_EQ(0, ev_count(b, pid));
	} else {
		struct ev_expect x = {
			.type = CRS_RULE_FILE,
			.cgroup_id = self->sb.cgid,
			.table_cgroup_id = self->sb.cgid,
			.pid = pid,
			.program = self_exe(),
			.rule_index = 2,
			.rule_name = "deny-secret",
			.path = self->secret,
			.action = denied ? CRS_ACTION_DENY : CRS_ACTION_ALLOW,
			.verdict = CRS_ACTION_DENY,
			.mode = variant->mode,
		};
		const struct crs_event *e = ev_find(b, pid, CRS_RULE_FILE);

		ASSERT_NE(NULL, e);
		/*
		 * An open for read and write is decided access by access and
		 * the first denied one is reported (crs.ko stops there, also
		 * in monitor mode): every event names accesses the rule
		 * denies and the open asked for, and nothing else.
		 */
		for (i = 0; i < b->n; i++)
			if (b->ev[i].pid == (uint32_t)pid)
				seen |= b->ev[i].access;
		EXPECT_NE(0, seen);
		EXPECT_EQ(0, seen & ~(variant->rule_access & variant->want));
		x.access = e->access;
		ev_check(e, &x);
	}
	crs_events_close(ev);
	free(b);
}

/* --------------------------------------------------- how a file is named */

FIXTURE(file_paths) {
	struct crs_sb sb;
	char secret[PATH_MAX], public[PATH_MAX], alias[PATH_MAX], newfile[PATH_MAX];
};

FIXTURE_SETUP(file_paths)
{
	struct crs_policy p;

	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "secret", self->secret);
	sb_path(&self->sb, "public", self->public);
	sb_path(&self->sb, "alias", self->alias);
	sb_path(&self->sb, "new", self->newfile);
	ASSERT_EQ(0, write_file(self->secret, "secret\n", 0644));
	ASSERT_EQ(0, write_file(self->public, "public\n", 0644));
	/* alias -> public: a rule names the symlink, not the file */
	ASSERT_EQ(0, symlink(self->public, self->alias));

	pol_init(&p, "file-paths", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_file(&p, "deny-secret", CRS_ACTION_DENY, self->secret, RW);
	pol_file(&p, "deny-alias", CRS_ACTION_DENY, self->alias, RW);
	pol_file(&p, "deny-new", CRS_ACTION_DENY, self->newfile, W);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
}

FIXTURE_TEARDOWN(file_paths)
{
	sb_teardown(&self->sb);
}

/* The baseline the other tests vary: the file itself denied, public allowed. */
TEST_F(file_paths, direct)
{
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(0, child_open(self->sb.cg, self->public, O_RDONLY, NULL));
	/* the same open outside the cgroup is not policed */
	EXPECT_EQ(0, child_open(NULL, self->secret, O_RDONLY, NULL));
}

/* A symlink to a denied file is denied, and the event names the file. */
TEST_F(file_paths, symlink_to_denied)
{
	char link1[PATH_MAX], link2[PATH_MAX];
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	const struct crs_event *e;
	pid_t pid;

	ASSERT_EQ(0, symlink(self->secret, sb_path(&self->sb, "link1", link1)));
	ASSERT_EQ(0, symlink("link1", sb_path(&self->sb, "link2", link2)));	/* relative, chained */
	sb_events(&ev);
	EXPECT_EQ(EACCES, child_open(self->sb.cg, link1, O_RDONLY, &pid));
	ASSERT_EQ(0, ev_wait(ev, b, pid, EVENT_TIMEOUT_MS));
	e = ev_find(b, pid, CRS_RULE_FILE);
	ASSERT_NE(NULL, e);
	EXPECT_STREQ(self->secret, e->path);
	EXPECT_EQ(0, e->rule_index);
	EXPECT_EQ(EACCES, child_open(self->sb.cg, link2, O_WRONLY, NULL));
	crs_events_close(ev);
	free(b);
}

/* A rule on the symlink's own path does not apply: the file opened is public. */
TEST_F(file_paths, symlink_named_in_rule)
{
	EXPECT_EQ(0, child_open(self->sb.cg, self->alias, O_RDONLY, NULL));
	EXPECT_EQ(0, child_open(self->sb.cg, self->alias, O_RDWR, NULL));
}

/*
 * Observed semantics, by design: rules are on paths, and a hard link is
 * another path to the same inode, so a link made outside the container (here
 * by the unpoliced test process) is not covered by a rule on the original
 * name. Inside the container such a link cannot be made: see
 * names_and_truncate_denied.
 */
TEST_F(file_paths, hardlink_is_another_path)
{
	char hard[PATH_MAX];

	ASSERT_EQ(0, link(self->secret, sb_path(&self->sb, "hard", hard)));
	EXPECT_EQ(0, child_open(self->sb.cg, hard, O_RDONLY, NULL));
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
}

struct names_arg {
	const char *from, *to;
	int op;
};

enum { OP_LINK, OP_RENAME, OP_UNLINK, OP_TRUNCATE };

static int names_fn(void *a)
{
	const struct names_arg *n = a;
	int r;

	switch (n->op) {
	case OP_LINK:
		r = link(n->from, n->to);
		break;
	case OP_RENAME:
		r = rename(n->from, n->to);
		break;
	case OP_UNLINK:
		r = unlink(n->from);
		break;
	default:
		r = truncate(n->from, 0);
	}
	return r ? errno : 0;
}

/*
 * Inside the cgroup a denied file cannot be given another (allowed) name,
 * renamed away, removed or truncated (crs.ko mediates link, rename, unlink
 * and truncate as writes of the file).
 */
TEST_F(file_paths, names_and_truncate_denied)
{
	struct names_arg n = { .from = self->secret };
	char to[PATH_MAX], content[32] = "";
	int fd;

	n.to = sb_path(&self->sb, "secret-link", to);
	n.op = OP_LINK;
	EXPECT_EQ(EACCES, run_in(self->sb.cg, names_fn, &n, NULL));
	EXPECT_EQ(-1, access(to, F_OK));
	n.op = OP_RENAME;
	EXPECT_EQ(EACCES, run_in(self->sb.cg, names_fn, &n, NULL));
	n.op = OP_UNLINK;
	EXPECT_EQ(EACCES, run_in(self->sb.cg, names_fn, &n, NULL));
	n.op = OP_TRUNCATE;
	EXPECT_EQ(EACCES, run_in(self->sb.cg, names_fn, &n, NULL));
	fd = open(self->secret, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, content, sizeof(content) - 1));
	close(fd);
	EXPECT_STREQ("secret\n", content);

	/* the same operations on an allowed file work */
	n.from = self->public;
	n.op = OP_TRUNCATE;
	EXPECT_EQ(0, run_in(self->sb.cg, names_fn, &n, NULL));
	n.op = OP_LINK;
	n.to = sb_path(&self->sb, "public-link", to);
	EXPECT_EQ(0, run_in(self->sb.cg, names_fn, &n, NULL));
	n.op = OP_UNLINK;
	n.from = to;
	EXPECT_EQ(0, run_in(self->sb.cg, names_fn, &n, NULL));
	n.op = OP_RENAME;
	n.from = self->public;
	n.to = sb_path(&self->sb, "public-renamed", to);
	EXPECT_EQ(0, run_in(self->sb.cg, names_fn, &n, NULL));
}

struct reopen_arg {
	const char *path;
	int preopened;		/* fd opened before joining the cgroup, or -1 */
	int flags;
};

/* 100: the O_PATH open failed; else the errno of the /proc/self/fd re-open. */
static int reopen_fn(void *a)
{
	struct reopen_arg *r = a;
	char proc[64];
	int fd = r->preopened, nfd;

	if (fd < 0) {
		fd = open(r->path, O_PATH | O_CLOEXEC);	/* O_PATH: no open check */
		if (fd < 0)
			return 100;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	nfd = open(proc, r->flags | O_CLOEXEC);
	if (nfd < 0)
		return errno;
	close(nfd);
	return 0;
}

/* Re-opening an O_PATH fd through /proc/self/fd is an open, and checked. */
TEST_F(file_paths, proc_fd_reopen_opath)
{
	struct reopen_arg r = { .path = self->secret, .preopened = -1, .flags = O_RDONLY };

	EXPECT_EQ(EACCES, run_in(self->sb.cg, reopen_fn, &r, NULL));
	r.flags = O_WRONLY;
	EXPECT_EQ(EACCES, run_in(self->sb.cg, reopen_fn, &r, NULL));
	r.path = self->public;
	EXPECT_EQ(0, run_in(self->sb.cg, reopen_fn, &r, NULL));
}

/* A descriptor opened before entering the cgroup cannot be re-opened inside. */
TEST_F(file_paths, proc_fd_reopen_inherited)
{
	struct reopen_arg r = { .path = self->secret, .flags = O_RDONLY };

	r.preopened = open(self->secret, O_RDONLY);	/* not policed: the test's cgroup */
	ASSERT_LE(0, r.preopened);
	EXPECT_EQ(EACCES, run_in(self->sb.cg, reopen_fn, &r, NULL));
	close(r.preopened);
}

static int openat_dirfd_fn(void *a)
{
	const char *dir = a;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd;

	if (dfd < 0)
		return 100;
	fd = openat(dfd, "secret", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* openat relative to a directory fd: decided on the full path. */
TEST_F(file_paths, openat_dirfd)
{
	EXPECT_EQ(EACCES, run_in(self->sb.cg, openat_dirfd_fn, self->sb.dir, NULL));
}

static int openat2_fn(void *a)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_NO_MAGICLINKS };
	int fd = syscall(SYS_openat2, AT_FDCWD, (const char *)a, &how, sizeof(how));

	if (fd < 0)
		return errno == ENOSYS ? 200 : errno;
	close(fd);
	return 0;
}

TEST_F(file_paths, openat2)
{
	int ret = run_in(self->sb.cg, openat2_fn, self->secret, NULL);

	if (ret == 200)
		SKIP(return, "openat2 is not available");
	EXPECT_EQ(EACCES, ret);
	EXPECT_EQ(0, run_in(self->sb.cg, openat2_fn, self->public, NULL));
}

/* Creating a file whose path is denied for write fails. */
TEST_F(file_paths, ocreat_denied)
{
	char other[PATH_MAX];

	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->newfile, O_WRONLY | O_CREAT, NULL));
	EXPECT_EQ(0, child_open(self->sb.cg, sb_path(&self->sb, "new2", other), O_WRONLY | O_CREAT, NULL));
}

/* ----------------------------------------------------------- io_uring */

struct uring_arg {
	const char *path;
	int flags;
	unsigned int sqe_flags;
};

/*
 * IORING_OP_OPENAT through raw io_uring syscalls. Returns 0 when the CQE
 * holds a file descriptor, -res (an errno) when it holds an error, 201 when
 * io_uring is not available, 202 on any other failure.
 */
static int uring_openat_fn(void *a)
{
	const struct uring_arg *u = a;
	struct io_uring_sqe sqe;
	int ret;

	memset(&sqe, 0, sizeof(sqe));
	sqe.opcode = IORING_OP_OPENAT;
	sqe.fd = AT_FDCWD;
	sqe.addr = (unsigned long)u->path;
	sqe.open_flags = u->flags | O_CLOEXEC;
	sqe.flags = u->sqe_flags;
	ret = uring_one(&sqe);
	if (ret == URING_UNAVAILABLE)
		return 201;
	if (ret == URING_FAILED)
		return 202;
	if (ret >= 0) {
		close(ret);
		return 0;
	}
	return -ret;
}

FIXTURE_VARIANT(file_paths_uring) {
	unsigned int sqe_flags;
};

FIXTURE(file_paths_uring) {
	struct crs_sb sb;
	char secret[PATH_MAX], public[PATH_MAX];
};

/* inline: submitted from the task; async: run by an io-wq worker thread */
FIXTURE_VARIANT_ADD(file_paths_uring, inline) { .sqe_flags = 0 };
FIXTURE_VARIANT_ADD(file_paths_uring, async) { .sqe_flags = IOSQE_ASYNC };

FIXTURE_SETUP(file_paths_uring)
{
	struct crs_policy p;

	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "secret", self->secret);
	sb_path(&self->sb, "public", self->public);
	ASSERT_EQ(0, write_file(self->secret, "secret\n", 0644));
	ASSERT_EQ(0, write_file(self->public, "public\n", 0644));
	pol_init(&p, "uring", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_file(&p, "deny-secret", CRS_ACTION_DENY, self->secret, RW);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
}

FIXTURE_TEARDOWN(file_paths_uring)
{
	sb_teardown(&self->sb);
}

/* IORING_OP_OPENAT of a denied file completes with -EACCES in the CQE. */
TEST_F(file_paths_uring, openat)
{
	struct uring_arg u = { .path = self->public, .flags = O_RDONLY,
			       .sqe_flags = variant->sqe_flags };
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	const struct crs_event *e;
	pid_t pid;
	int ret;

	ret = run_in(self->sb.cg, uring_openat_fn, &u, NULL);
	if (ret == 201)
		SKIP(return, "io_uring is not available in this kernel");
	ASSERT_EQ(0, ret);

	sb_events(&ev);
	u.path = self->secret;
	EXPECT_EQ(EACCES, run_in(self->sb.cg, uring_openat_fn, &u, &pid));
	u.flags = O_WRONLY;
	EXPECT_EQ(EACCES, run_in(self->sb.cg, uring_openat_fn, &u, NULL));

	/* reported like any open, for the task (thread group) that asked */
	ASSERT_EQ(0, ev_wait(ev, b, pid, EVENT_TIMEOUT_MS));
	e = ev_find(b, pid, CRS_RULE_FILE);
	ASSERT_NE(NULL, e);
	EXPECT_STREQ(self->secret, e->path);
	EXPECT_STREQ(self_exe(), e->program);
	EXPECT_EQ(self->sb.cgid, e->cgroup_id);
	EXPECT_EQ(CRS_ACCESS_READ, e->access);
	EXPECT_EQ(CRS_ACTION_DENY, e->action);
	crs_events_close(ev);
	free(b);
}

/* ------------------------------------------------------ default action */

FIXTURE(file_default) {
	struct crs_sb sb;
	char file[PATH_MAX];
};

FIXTURE_SETUP(file_default)
{
	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "file", self->file);
	ASSERT_EQ(0, write_file(self->file, "x\n", 0644));
}

FIXTURE_TEARDOWN(file_default)
{
	sb_teardown(&self->sb);
}

/* No rule matches: the file default decides, and the event says so. */
TEST_F(file_default, deny)
{
	struct ev_expect x;
	char other[PATH_MAX];
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	struct crs_policy p;
	pid_t pid;

	pol_init(&p, "default-deny", CRS_MODE_ENFORCE, CRS_ACTION_DENY, CRS_ACTION_ALLOW);
	pol_file(&p, "allow-other", CRS_ACTION_ALLOW, sb_path(&self->sb, "other", other), RW);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	sb_events(&ev);

	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->file, O_WRONLY, &pid));
	ASSERT_EQ(0, ev_wait(ev, b, pid, EVENT_TIMEOUT_MS));
	x = (struct ev_expect){
		.type = CRS_RULE_FILE,
		.cgroup_id = self->sb.cgid,
		.table_cgroup_id = self->sb.cgid,
		.pid = pid,
		.program = self_exe(),
		.rule_index = CRS_RULE_INDEX_NONE,
		.rule_name = "",
		.path = self->file,
		.access = CRS_ACCESS_WRITE,
		.action = CRS_ACTION_DENY,
		.verdict = CRS_ACTION_DENY,
		.mode = CRS_MODE_ENFORCE,
	};
	ev_check(ev_find(b, pid, CRS_RULE_FILE), &x);
	/* the allow rule still allows */
	ASSERT_EQ(0, write_file(other, "o\n", 0644));
	EXPECT_EQ(0, child_open(self->sb.cg, other, O_RDWR, NULL));
	crs_events_close(ev);
	free(b);
}

/* Default allow with a deny rule elsewhere: allowed, and no event. */
TEST_F(file_default, allow)
{
	char other[PATH_MAX];
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	struct crs_policy p;
	pid_t pid;

	pol_init(&p, "default-allow", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_DENY);
	pol_file(&p, "deny-other", CRS_ACTION_DENY, sb_path(&self->sb, "other", other), RW);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	sb_events(&ev);
	EXPECT_EQ(0, child_open(self->sb.cg, self->file, O_RDWR, &pid));
	sb_fence(&self->sb, ev, b);
	EXPECT_EQ(0, ev_count(b, pid));
	crs_events_close(ev);
	free(b);
}

/* ---------------------------------------------------- program matching */

FIXTURE(file_program) {
	struct crs_sb sb;
	char secret[PATH_MAX], helper[PATH_MAX], other[PATH_MAX], hlink[PATH_MAX];
	char flags[16];
};

FIXTURE_SETUP(file_program)
{
	char dir[PATH_MAX];
	struct crs_policy p;

	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "secret", self->secret);
	ASSERT_EQ(0, write_file(self->secret, "secret\n", 0644));
	ASSERT_EQ(0, mkdir(sb_path(&self->sb, "prog", dir), 0755));
	sb_path(&self->sb, "prog/helper", self->helper);
	sb_path(&self->sb, "prog/other", self->other);
	sb_path(&self->sb, "prog/helper-link", self->hlink);
	ASSERT_EQ(0, make_helper(self->helper));
	ASSERT_EQ(0, make_helper(self->other));
	ASSERT_EQ(0, symlink(self->helper, self->hlink));
	snprintf(self->flags, sizeof(self->flags), "%d", O_RDONLY);

	/* only the program at prog/helper may not read the secret */
	pol_init(&p, "file-program", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_rule(&p, "helper-no-secret", CRS_RULE_FILE, CRS_ACTION_DENY, self->helper,
		 self->secret, RW);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
}

FIXTURE_TEARDOWN(file_program)
{
	sb_teardown(&self->sb);
}

TEST_F(file_program, named_program_denied)
{
	const char *args[] = { "open", self->secret, self->flags, NULL };
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	const struct crs_event *e;
	pid_t pid;

	sb_events(&ev);
	EXPECT_EQ(EACCES, child_helper(self->sb.cg, self->helper, "helper", args, &pid));
	ASSERT_EQ(0, ev_wait(ev, b, pid, EVENT_TIMEOUT_MS));
	e = ev_find(b, pid, CRS_RULE_FILE);
	ASSERT_NE(NULL, e);
	EXPECT_STREQ(self->helper, e->program);
	EXPECT_STREQ("helper-no-secret", e->rule_name);
	EXPECT_EQ(0, e->rule_index);
	crs_events_close(ev);
	free(b);
}

/* The test binary itself and another copy of the helper are not that program. */
TEST_F(file_program, other_programs_allowed)
{
	const char *args[] = { "open", self->secret, self->flags, NULL };

	EXPECT_EQ(0, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(0, child_helper(self->sb.cg, self->other, "other", args, NULL));
}

/* argv[0] and comm are not the program: only the executable's path is. */
TEST_F(file_program, argv0_and_comm_ignored)
{
	const char *as_helper[] = { "comm", "helper", "open", self->secret, self->flags, NULL };
	const char *as_other[] = { "comm", "other", "open", self->secret, self->flags, NULL };

	EXPECT_EQ(0, child_helper(self->sb.cg, self->other, self->helper, as_helper, NULL));
	EXPECT_EQ(EACCES, child_helper(self->sb.cg, self->helper, self->other, as_other, NULL));
}

/* Started through a symlink, the program is still the file it points to. */
TEST_F(file_program, started_via_symlink)
{
	const char *args[] = { "open", self->secret, self->flags, NULL };

	EXPECT_EQ(EACCES, child_helper(self->sb.cg, self->hlink, "helper-link", args, NULL));
}

CRS_SELFTEST_MAIN
