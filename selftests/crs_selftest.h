/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crs_selftest.h - helpers shared by the crs guest selftests.
 *
 * The tests run as root in the QEMU guest with crs.ko inserted. Each test
 * gets a sandbox: a fresh cgroup v2 directory under /sys/fs/cgroup, a scratch
 * directory under /tmp and a libcrsnl handle. A table is put on the cgroup;
 * a forked child joins the cgroup, does one operation and reports its errno
 * as exit status (0 = success). The parent loads tables and reads events.
 *
 * Every test binary can also act as a helper program: re-executed (often
 * from a copy under another path) as "<exe> --crs-helper OP ...", it does OP
 * and exits with the errno (0 on success). That gives the tests programs
 * with an executable path of their choosing (program matching uses
 * mm->exe_file, never argv[0] or comm).
 */
#ifndef CRS_SELFTEST_H
#define CRS_SELFTEST_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/io_uring.h>

#include "crsnl.h"
#include "kselftest_harness.h"

/*
 * The harness compares with the types of its arguments: literal 0 against a
 * __u32 field is fine here, and -Wsign-compare would drown real warnings.
 */
#pragma GCC diagnostic ignored "-Wsign-compare"
/* Paths here are short; PATH_MAX buffers joined with snprintf cannot overflow. */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define CRS_UNUSED __attribute__((unused))

#define CG_ROOT		"/sys/fs/cgroup"
#define CRS_HELPER_ARG	"--crs-helper"

/* Child exit codes that are not an errno. */
#define CHILD_SETUP_FAILED	250	/* could not join the cgroup etc. */
#define CHILD_SIGNALED		1000	/* + signal number */
#define EXEC_OK			42	/* "sh -c 'exit 42'" ran: the exec worked */

/* How long to wait for an event that must come, and for a fence. */
#define EVENT_TIMEOUT_MS	5000

/* ------------------------------------------------------------ utilities */

static char crs_self_exe_buf[PATH_MAX];

/* The running test binary, as the kernel reports the program. */
static CRS_UNUSED const char *self_exe(void)
{
	if (!crs_self_exe_buf[0]) {
		ssize_t n = readlink("/proc/self/exe", crs_self_exe_buf,
				     sizeof(crs_self_exe_buf) - 1);
		if (n < 0)
			n = 0;
		crs_self_exe_buf[n] = '\0';
	}
	return crs_self_exe_buf;
}

static CRS_UNUSED uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static CRS_UNUSED int write_file(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	size_t len = strlen(data);

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len) {
		int e = errno ? errno : EIO;

		close(fd);
		return -e;
	}
	if (fchmod(fd, mode)) {
		close(fd);
		return -errno;
	}
	return close(fd) ? -errno : 0;
}

static CRS_UNUSED int copy_file(const char *src, const char *dst, mode_t mode)
{
	char buf[65536];
	int in, out, ret = 0;
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		ret = -errno;
		close(in);
		return ret;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write(out, buf, n) != n) {
			ret = -EIO;
			break;
		}
	}
	if (n < 0)
		ret = -errno;
	if (!ret && fchmod(out, mode))
		ret = -errno;
	close(in);
	if (close(out) && !ret)
		ret = -errno;
	return ret;
}

/* mkdir -p */
static CRS_UNUSED int mkdirs(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];
	char *p;

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static CRS_UNUSED void rm_rf(const char *path)
{
	if (path && path[0])
		nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* --------------------------------------------------------------- cgroups */

static CRS_UNUSED bool cgroup2_mounted(void)
{
	return access(CG_ROOT "/cgroup.controllers", F_OK) == 0;
}

/* Move the calling process into cgroup directory @cg. */
static CRS_UNUSED int cg_join(const char *cg)
{
	char path[PATH_MAX], buf[32];
	int fd, len, ret = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* Move process @pid into cgroup @cg. */
static CRS_UNUSED int cg_move(const char *cg, pid_t pid)
{
	char path[PATH_MAX], buf[32];
	int fd, len, ret = 0;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	if (write(fd, buf, len) != len)
		ret = -errno;
	close(fd);
	return ret;
}

/* rmdir a cgroup, retrying while the last exited tasks drain. */
static CRS_UNUSED int cg_remove(const char *cg)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (!rmdir(cg) || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return -errno;
		usleep(10000);
	}
	return -EBUSY;
}

/* -------------------------------------------------------------- policies */

/* Start an empty policy: every default action allow except those given. */
static CRS_UNUSED void pol_init(struct crs_policy *p, const char *name, enum crs_mode mode,
				enum crs_action file_def, enum crs_action exec_def)
{
	int t;

	memset(p, 0, sizeof(*p));
	p->name = strdup(name);
	p->mode = mode;
	for (t = 0; t <= CRS_RULE_TYPE_MAX; t++)
		p->defaults[t] = CRS_ACTION_ALLOW;
	p->defaults[CRS_RULE_FILE] = file_def;
	p->defaults[CRS_RULE_EXECUTE] = exec_def;
}

/*
 * Append an enabled rule of @type for @program ("*" if NULL) to @p, the
 * rest zero; the caller fills in what the type needs. The returned rule is
 * valid until the next rule is added.
 */
static CRS_UNUSED struct crs_policy_rule *
pol_new_rule(struct crs_policy *p, const char *name, enum crs_rule_type type,
	     enum crs_action action, const char *program)
{
	struct crs_policy_rule *r;

	p->rules = realloc(p->rules, (p->n_rules + 1) * sizeof(*p->rules));
	if (!p->rules)
		abort();
	r = &p->rules[p->n_rules++];
	memset(r, 0, sizeof(*r));
	r->name = name ? strdup(name) : NULL;
	r->enabled = true;
	r->type = type;
	r->action = action;
	r->program = strdup(program ? program : "*");
	return r;
}

static CRS_UNUSED struct crs_policy_rule *
pol_rule(struct crs_policy *p, const char *name, enum crs_rule_type type,
	 enum crs_action action, const char *program, const char *path,
	 uint32_t access)
{
	struct crs_policy_rule *r = pol_new_rule(p, name, type, action, program);

	r->path = strdup(path);
	r->access = type == CRS_RULE_EXECUTE ? CRS_ACCESS_EXEC : access;
	return r;
}

/* A file rule for any program. */
static CRS_UNUSED struct crs_policy_rule *
pol_file(struct crs_policy *p, const char *name, enum crs_action action,
	 const char *path, uint32_t access)
{
	return pol_rule(p, name, CRS_RULE_FILE, action, "*", path, access);
}

/* An execute rule for any program. */
static CRS_UNUSED struct crs_policy_rule *
pol_exec(struct crs_policy *p, const char *name, enum crs_action action, const char *path)
{
	return pol_rule(p, name, CRS_RULE_EXECUTE, action, "*", path, CRS_ACCESS_EXEC);
}

static CRS_UNUSED void pol_release(struct crs_policy *p)
{
	size_t i;

	for (i = 0; i < p->n_rules; i++) {
		free(p->rules[i].name);
		free(p->rules[i].program);
		free(p->rules[i].path);
	}
	free(p->rules);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

/* --------------------------------------------------------------- sandbox */

#define SB_MAX_CGS	16

struct crs_sb {
	struct crs_nl *nl;
	char cg[PATH_MAX];		/* the test's cgroup */
	uint64_t cgid;
	char dir[PATH_MAX];		/* scratch directory */
	/* every cgroup made (cgs[0] = cg), removed deepest first */
	char cgs[SB_MAX_CGS][PATH_MAX];
	uint64_t cgids[SB_MAX_CGS];
	int ncgs;
	/* the fence: a cgroup whose table denies reading dir/fence */
	char fence_cg[PATH_MAX];
	uint64_t fence_id;
	char fence_file[PATH_MAX];
};

static int sb_counter;

/* Make a cgroup directory and note it for teardown. */
static CRS_UNUSED void __sb_mkcg(struct __test_metadata *_metadata, struct crs_sb *sb,
				 const char *path, uint64_t *id)
{
	int ret;

	ASSERT_GT(SB_MAX_CGS, sb->ncgs);
	ASSERT_EQ(0, mkdir(path, 0755)) {
		TH_LOG("mkdir %s: %s", path, strerror(errno));
	}
	snprintf(sb->cgs[sb->ncgs], PATH_MAX, "%s", path);
	ret = crs_cgroup_id(path, id);
	ASSERT_EQ(0, ret) {
		TH_LOG("crs_cgroup_id(%s): %s", path, strerror(-ret));
	}
	sb->cgids[sb->ncgs++] = *id;
}

/* Make cgroup sb->cg/@name; its path goes to @out (PATH_MAX), its id to @id. */
static CRS_UNUSED void sb_subcg(struct __test_metadata *_metadata, struct crs_sb *sb,
				const char *parent, const char *name, char *out, uint64_t *id)
{
	snprintf(out, PATH_MAX, "%s/%s", parent, name);
	__sb_mkcg(_metadata, sb, out, id);
}

static CRS_UNUSED void sb_setup(struct __test_metadata *_metadata, struct crs_sb *sb)
{
	struct crs_err err = {0};
	char path[PATH_MAX];
	int ret;

	memset(sb, 0, sizeof(*sb));
	ASSERT_TRUE(cgroup2_mounted()) {
		TH_LOG("cgroup v2 is not mounted at " CG_ROOT);
	}
	ret = crs_nl_open(&sb->nl, &err);
	ASSERT_EQ(0, ret) {
		TH_LOG("crs_nl_open: %s (%s): is crs.ko loaded?", strerror(-ret), err.msg);
	}
	mkdir("/tmp", 01777);
	snprintf(sb->dir, sizeof(sb->dir), "/tmp/crs-%d-%d-XXXXXX", (int)getpid(), sb_counter);
	ASSERT_NE(NULL, mkdtemp(sb->dir));
	chmod(sb->dir, 0755);
	snprintf(path, sizeof(path), CG_ROOT "/crs-test-%d-%d", (int)getpid(), sb_counter++);
	__sb_mkcg(_metadata, sb, path, &sb->cgid);
	snprintf(sb->cg, sizeof(sb->cg), "%s", path);
}

static CRS_UNUSED void sb_teardown(struct crs_sb *sb)
{
	int i;

	if (sb->nl) {
		if (sb->fence_id)
			crs_nl_del_table(sb->nl, sb->fence_id, NULL);
		for (i = sb->ncgs - 1; i >= 0; i--)
			crs_nl_del_table(sb->nl, sb->cgids[i], NULL);
	}
	for (i = sb->ncgs - 1; i >= 0; i--)
		cg_remove(sb->cgs[i]);
	if (sb->fence_cg[0])
		cg_remove(sb->fence_cg);
	if (sb->nl)
		crs_nl_close(sb->nl);
	rm_rf(sb->dir);
	memset(sb, 0, sizeof(*sb));
}

/* Load @p on cgroup @id; ASSERTs success. */
static CRS_UNUSED void __sb_load(struct __test_metadata *_metadata, struct crs_sb *sb,
				 uint64_t id, const struct crs_policy *p)
{
	struct crs_err err = {0};
	int ret = crs_nl_set_table(sb->nl, id, p, &err);

	ASSERT_EQ(0, ret) {
		TH_LOG("crs_nl_set_table: %s (%s)", strerror(-ret), err.msg);
	}
}
#define sb_load(sb, id, p) __sb_load(_metadata, sb, id, p)

/* The learned set of the sandbox's cgroup (EXPECTs the dump works), or NULL. */
static CRS_UNUSED struct crs_learned *__sb_learned(struct __test_metadata *_metadata,
						   struct crs_sb *sb)
{
	struct crs_learned *l = NULL;
	struct crs_err err = {0};
	int ret = crs_nl_get_learned(sb->nl, sb->cgid, &l, &err);

	EXPECT_EQ(0, ret) {
		TH_LOG("crs_nl_get_learned: %s (%s)", strerror(-ret), err.msg);
	}
	return l;
}
#define sb_learned(sb) __sb_learned(_metadata, sb)

/* sb->dir/@name into @out (PATH_MAX). */
static CRS_UNUSED char *sb_path(const struct crs_sb *sb, const char *name, char *out)
{
	snprintf(out, PATH_MAX, "%s/%s", sb->dir, name);
	return out;
}

/* ------------------------------------------------------------- children */

typedef int (*crs_child_fn)(void *arg);

/*
 * Fork a child that joins @cg (unless NULL), runs @fn and exits with its
 * return value. Returns the child's exit status, CHILD_SIGNALED + signal, or
 * a negative errno if fork failed. The child's pid goes to *@pid.
 */
static CRS_UNUSED int run_in(const char *cg, crs_child_fn fn, void *arg, pid_t *pid)
{
	int status;
	pid_t p;

	fflush(stdout);
	fflush(stderr);
	p = fork();
	if (p < 0)
		return -errno;
	if (p == 0) {
		if (cg && cg_join(cg))
			_exit(CHILD_SETUP_FAILED);
		_exit(fn(arg));
	}
	if (pid)
		*pid = p;
	while (waitpid(p, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return CHILD_SIGNALED + WTERMSIG(status);
}

/* --------------------------------------------------------- syscall rules */

/*
 * A syscall rule for @program ("*" if NULL): @sc is the syscall's name, @nr
 * its x86_64 number, @nr32 its i386 number (CRS_SYSCALL_NONE if none). The
 * returned rule is valid until the next rule is added.
 */
static CRS_UNUSED struct crs_policy_rule *
pol_syscall(struct crs_policy *p, const char *name, enum crs_action action,
	    const char *program, const char *sc, uint32_t nr, uint32_t nr32)
{
	struct crs_policy_rule *r = pol_new_rule(p, name, CRS_RULE_SYSCALL, action, program);

	r->syscall = strdup(sc);
	r->syscall_nr = nr;
	r->syscall_nr32 = nr32;
	return r;
}

/* Add the matcher args[@index] @op @value to syscall rule @r. */
static CRS_UNUSED void pol_arg(struct crs_policy_rule *r, uint32_t index,
			       enum crs_arg_op op, uint64_t value)
{
	if (r->n_args >= CRS_MAX_ARGS)
		abort();
	r->args[r->n_args].index = index;
	r->args[r->n_args].op = op;
	r->args[r->n_args].value = value;
	r->n_args++;
}

/* Add @sc to the policy's ignored_syscalls. */
static CRS_UNUSED void pol_ignore(struct crs_policy *p, const char *sc)
{
	p->ignored_syscalls = realloc(p->ignored_syscalls,
				      (p->n_ignored_syscalls + 1) * sizeof(char *));
	if (!p->ignored_syscalls)
		abort();
	p->ignored_syscalls[p->n_ignored_syscalls++] = strdup(sc);
}

/* pol_release() for policies that may hold syscall rules and ignored_syscalls. */
static CRS_UNUSED void pol_release_all(struct crs_policy *p)
{
	size_t i;

	for (i = 0; i < p->n_rules; i++) {
		free(p->rules[i].syscall);
		p->rules[i].syscall = NULL;
	}
	for (i = 0; i < p->n_ignored_syscalls; i++)
		free(p->ignored_syscalls[i]);
	free(p->ignored_syscalls);
	p->ignored_syscalls = NULL;
	p->n_ignored_syscalls = 0;
	pol_release(p);
}

/*
 * run_in() with a deadline: a child still running after @timeout_ms is
 * killed (result CHILD_SIGNALED + SIGKILL). For children under policies that
 * may refuse even their exit.
 */
static CRS_UNUSED int run_in_for(const char *cg, crs_child_fn fn, void *arg, pid_t *pid,
				 int timeout_ms)
{
	uint64_t deadline;
	int status;
	pid_t p, w;

	fflush(stdout);
	fflush(stderr);
	p = fork();
	if (p < 0)
		return -errno;
	if (p == 0) {
		if (cg && cg_join(cg))
			_exit(CHILD_SETUP_FAILED);
		_exit(fn(arg));
	}
	if (pid)
		*pid = p;
	deadline = now_ms() + timeout_ms;
	for (;;) {
		w = waitpid(p, &status, WNOHANG);
		if (w < 0 && errno != EINTR)
			return -errno;
		if (w == p)
			break;
		if (now_ms() > deadline) {
			kill(p, SIGKILL);
			deadline = UINT64_MAX;
		}
		usleep(1000);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return CHILD_SIGNALED + WTERMSIG(status);
}

struct op_open {
	const char *path;
	int flags;
};

static CRS_UNUSED int op_open_fn(void *arg)
{
	const struct op_open *o = arg;
	int fd = open(o->path, o->flags | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* open(@path, @flags) in a child in @cg: 0 or the errno. */
static CRS_UNUSED int child_open(const char *cg, const char *path, int flags, pid_t *pid)
{
	struct op_open o = { .path = path, .flags = flags };

	return run_in(cg, op_open_fn, &o, pid);
}

struct op_exec {
	const char *path;
	char *const *argv;
};

static CRS_UNUSED int op_exec_fn(void *arg)
{
	const struct op_exec *o = arg;
	static char *const envp[] = { "PATH=/bin:/sbin:/usr/bin:/usr/sbin", NULL };

	execve(o->path, o->argv, envp);
	return errno;
}

/* argv that makes a busybox copy run "exit 42" (the applet comes from argv[0]). */
static char *const exit42_argv[] = { "sh", "-c", "exit 42", NULL };

/* execve(@path) in a child in @cg: EXEC_OK when @path is a busybox copy that ran. */
static CRS_UNUSED int child_exec(const char *cg, const char *path, char *const *argv, pid_t *pid)
{
	struct op_exec o = { .path = path, .argv = argv ? argv : exit42_argv };

	return run_in(cg, op_exec_fn, &o, pid);
}

/* The busybox of the guest; tests that exec SKIP without it. */
/*
 * io_uring through its raw syscalls (no liburing in the guest): submit one
 * SQE copied from @tmpl, wait for its CQE and return its res. Returns
 * URING_UNAVAILABLE when io_uring_setup is refused (ENOSYS, EPERM) and
 * URING_FAILED when the ring cannot be set up or the CQE does not come.
 */
#define URING_UNAVAILABLE	(-100000)
#define URING_FAILED		(-100001)
static CRS_UNUSED int uring_one(const struct io_uring_sqe *tmpl)
{
	struct io_uring_params p;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqe;
	unsigned int *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	unsigned int tail, head, idx;
	size_t sq_len, cq_len;
	void *sq, *cq;
	int fd, ret = URING_FAILED;

	memset(&p, 0, sizeof(p));
	fd = syscall(__NR_io_uring_setup, 4, &p);
	if (fd < 0)
		return (errno == ENOSYS || errno == EPERM) ? URING_UNAVAILABLE : URING_FAILED;
	sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned int);
	cq_len = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	if ((p.features & IORING_FEAT_SINGLE_MMAP) && cq_len > sq_len)
		sq_len = cq_len;
	sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		  IORING_OFF_SQ_RING);
	if (sq == MAP_FAILED)
		goto out;
	cq = sq;
	if (!(p.features & IORING_FEAT_SINGLE_MMAP)) {
		cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
			  IORING_OFF_CQ_RING);
		if (cq == MAP_FAILED)
			goto out;
	}
	sqes = mmap(NULL, p.sq_entries * sizeof(*sqes), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
	if (sqes == MAP_FAILED)
		goto out;
	sq_tail = (unsigned int *)((char *)sq + p.sq_off.tail);
	sq_mask = (unsigned int *)((char *)sq + p.sq_off.ring_mask);
	sq_array = (unsigned int *)((char *)sq + p.sq_off.array);
	cq_head = (unsigned int *)((char *)cq + p.cq_off.head);
	cq_tail = (unsigned int *)((char *)cq + p.cq_off.tail);
	cq_mask = (unsigned int *)((char *)cq + p.cq_off.ring_mask);
	tail = *sq_tail;
	idx = tail & *sq_mask;
	sqes[idx] = *tmpl;
	sqes[idx].user_data = 0xc75;
	sq_array[idx] = idx;
	__atomic_store_n(sq_tail, tail + 1, __ATOMIC_RELEASE);
	if (syscall(__NR_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) != 1)
		goto out;
	head = *cq_head;
	if (head == __atomic_load_n(cq_tail, __ATOMIC_ACQUIRE))
		goto out;
	cqe = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes) + (head & *cq_mask);
	if (cqe->user_data == 0xc75)
		ret = cqe->res;
	__atomic_store_n(cq_head, head + 1, __ATOMIC_RELEASE);
out:
	close(fd);	/* the mappings go with the process (tests run it in a child) */
	return ret;
}

#define BUSYBOX "/bin/busybox"

static CRS_UNUSED bool have_busybox(void)
{
	return access(BUSYBOX, X_OK) == 0;
}

/* ----------------------------------------------------------- the helper */

/*
 * <exe> --crs-helper [comm NAME] open PATH FLAGS
 * <exe> --crs-helper [comm NAME] exec PATH ARGV0 [ARGS...]
 * <exe> --crs-helper exit N
 * Exit status: 0 or the errno of the operation; 249 on bad usage.
 */
static CRS_UNUSED int crs_helper_main(int argc, char **argv)
{
	int fd;

	if (argc >= 2 && !strcmp(argv[0], "comm")) {
		prctl(PR_SET_NAME, argv[1], 0, 0, 0);
		argc -= 2;
		argv += 2;
	}
	if (argc == 3 && !strcmp(argv[0], "open")) {
		fd = open(argv[1], atoi(argv[2]) | O_CLOEXEC, 0644);
		if (fd < 0)
			return errno;
		close(fd);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[0], "exec")) {
		static char *const envp[] = { "PATH=/bin:/sbin", NULL };

		execve(argv[1], argv + 2, envp);
		return errno;
	}
	if (argc == 2 && !strcmp(argv[0], "exit"))
		return atoi(argv[1]);
	return 249;
}

/* Put a copy of the test binary at @path (a helper program of its own path). */
static CRS_UNUSED int make_helper(const char *path)
{
	return copy_file(self_exe(), path, 0755);
}

/* Run in @cg: execve(@exe, {@argv0, "--crs-helper", args...}). */
static CRS_UNUSED int child_helper(const char *cg, const char *exe, const char *argv0,
				   const char *const *args, pid_t *pid)
{
	char *argv[16];
	struct op_exec o = { .path = exe, .argv = argv };
	int i, n = 0;

	argv[n++] = (char *)argv0;
	argv[n++] = CRS_HELPER_ARG;
	for (i = 0; args[i] && n < 15; i++)
		argv[n++] = (char *)args[i];
	argv[n] = NULL;
	return run_in(cg, op_exec_fn, &o, pid);
}

/* main() for every test binary: the harness, or the helper. */
#define CRS_SELFTEST_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		if (argc > 1 && !strcmp(argv[1], CRS_HELPER_ARG))	\
			return crs_helper_main(argc - 2, argv + 2);	\
		self_exe();						\
		return test_harness_run(argc, argv);			\
	}

/* ---------------------------------------------------------------- events */

#define EVBUF_MAX 64

struct evbuf {
	struct crs_event ev[EVBUF_MAX];
	int n;
	int overflow;
};

static void evbuf_cb(const struct crs_event *e, void *arg)
{
	struct evbuf *b = arg;

	if (b->n < EVBUF_MAX)
		b->ev[b->n++] = *e;
	else
		b->overflow++;
}

static CRS_UNUSED struct evbuf *evbuf_new(void)
{
	struct evbuf *b = calloc(1, sizeof(*b));

	if (!b)
		abort();
	return b;
}

/* First event from @pid (of @type, or any type if < 0) in @b, or NULL. */
static CRS_UNUSED const struct crs_event *ev_find(const struct evbuf *b, pid_t pid, int type)
{
	int i;

	for (i = 0; i < b->n; i++)
		if (b->ev[i].pid == (uint32_t)pid && (type < 0 || b->ev[i].type == (uint32_t)type))
			return &b->ev[i];
	return NULL;
}

static CRS_UNUSED int ev_count(const struct evbuf *b, pid_t pid)
{
	int i, n = 0;

	for (i = 0; i < b->n; i++)
		n += b->ev[i].pid == (uint32_t)pid;
	return n;
}

/*
 * Receive events into @b until one from @pid arrives or @timeout_ms pass.
 * Returns 0 (found), -ETIMEDOUT, or a negative errno from libcrsnl.
 */
static CRS_UNUSED int ev_wait(struct crs_events *ev, struct evbuf *b, pid_t pid, int timeout_ms)
{
	uint64_t deadline = now_ms() + timeout_ms;
	int ret;

	while (!ev_find(b, pid, -1)) {
		int64_t left = (int64_t)(deadline - now_ms());

		if (left <= 0)
			return -ETIMEDOUT;
		ret = crs_events_recv(ev, (int)left, evbuf_cb, b);
		if (ret < 0 && ret != -EAGAIN && ret != -EINTR && ret != -ETIMEDOUT)
			return ret;
	}
	return 0;
}

static CRS_UNUSED void __sb_events(struct __test_metadata *_metadata, struct crs_events **ev)
{
	struct crs_err err = {0};
	int ret = crs_events_open(ev, &err);

	ASSERT_EQ(0, ret) {
		TH_LOG("crs_events_open: %s (%s)", strerror(-ret), err.msg);
	}
}
#define sb_events(ev) __sb_events(_metadata, ev)

/*
 * The fence: events are delivered in order, so once an event that is sure
 * to come (a denial in a cgroup of its own) has arrived, every event raised
 * before it has arrived too. Lets a test assert that an operation raised
 * no event without sleeping on a guess.
 */
static CRS_UNUSED void __sb_fence(struct __test_metadata *_metadata, struct crs_sb *sb,
				  struct crs_events *ev, struct evbuf *b)
{
	struct crs_policy p;
	pid_t pid;
	int ret;

	if (!sb->fence_cg[0]) {
		snprintf(sb->fence_file, PATH_MAX, "%s/fence", sb->dir);
		ASSERT_EQ(0, write_file(sb->fence_file, "fence\n", 0644));
		snprintf(sb->fence_cg, PATH_MAX, "%s-fence", sb->cg);
		ASSERT_EQ(0, mkdir(sb->fence_cg, 0755));
		ASSERT_EQ(0, crs_cgroup_id(sb->fence_cg, &sb->fence_id));
		pol_init(&p, "fence", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
		pol_file(&p, "fence", CRS_ACTION_DENY, sb->fence_file, CRS_ACCESS_READ);
		sb_load(sb, sb->fence_id, &p);
		pol_release(&p);
	}
	ASSERT_EQ(EACCES, child_open(sb->fence_cg, sb->fence_file, O_RDONLY, &pid));
	ret = ev_wait(ev, b, pid, EVENT_TIMEOUT_MS);
	ASSERT_EQ(0, ret) {
		TH_LOG("the fence event did not arrive: %s", strerror(-ret));
	}
}
#define sb_fence(sb, ev, b) __sb_fence(_metadata, sb, ev, b)

/* Expected fields of one event. */
struct ev_expect {
	enum crs_rule_type type;
	uint64_t cgroup_id, table_cgroup_id;
	pid_t pid;
	const char *program;
	uint32_t rule_index;		/* CRS_RULE_INDEX_NONE: default action */
	const char *rule_name;		/* "" when none */
	const char *path;
	uint32_t access;
	enum crs_action action, verdict;
	enum crs_mode mode;
};

/*
 * The decision in @e: by @program, rule @rule_index (CRS_RULE_INDEX_NONE:
 * the default action, flagged so) named @rule_name, @action/@verdict in @mode.
 */
static CRS_UNUSED void __ev_check_decision(struct __test_metadata *_metadata,
					   const struct crs_event *e, const char *program,
					   uint32_t rule_index, const char *rule_name,
					   enum crs_action action, enum crs_action verdict,
					   enum crs_mode mode)
{
	EXPECT_STREQ(program, e->program);
	EXPECT_EQ(rule_index, e->rule_index);
	EXPECT_STREQ(rule_name, e->rule_name);
	EXPECT_EQ(action, e->action);
	EXPECT_EQ(verdict, e->verdict);
	EXPECT_EQ(mode, e->mode);
	if (rule_index == CRS_RULE_INDEX_NONE) {
		EXPECT_EQ(CRS_EVENT_F_DEFAULT, e->flags & CRS_EVENT_F_DEFAULT);
	} else {
		EXPECT_EQ(0U, e->flags & CRS_EVENT_F_DEFAULT);
	}
}

static CRS_UNUSED void __ev_check(struct __test_metadata *_metadata,
				  const struct crs_event *e, const struct ev_expect *x)
{
	ASSERT_NE(NULL, e);
	EXPECT_EQ(x->type, e->type);
	EXPECT_EQ(x->cgroup_id, e->cgroup_id);
	EXPECT_EQ(x->table_cgroup_id, e->table_cgroup_id);
	EXPECT_EQ((uint32_t)x->pid, e->pid);
	EXPECT_EQ((uint32_t)x->pid, e->tid);
	EXPECT_EQ(0U, e->uid);
	__ev_check_decision(_metadata, e, x->program, x->rule_index, x->rule_name,
			    x->action, x->verdict, x->mode);
	EXPECT_STREQ(x->path, e->path);
	EXPECT_EQ(x->access, e->access);
	EXPECT_EQ(0U, e->flags & CRS_EVENT_F_TRUNCATED);
	EXPECT_NE(0ULL, e->time_ns);
}
#define ev_check(e, x) __ev_check(_metadata, e, x)

#endif /* CRS_SELFTEST_H */
