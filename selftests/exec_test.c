// SPDX-License-Identifier: GPL-2.0
/*
 * exec_test.c - execute rules: execve, symlinks, execveat(AT_EMPTY_PATH),
 * copies under other names, scripts and their interpreters, monitor mode,
 * the default action, and program matching by executable path.
 *
 * The executables are copies of the guest's busybox: run as "sh -c 'exit
 * 42'" (busybox picks the applet from argv[0]), a successful exec shows as
 * exit status 42, a refused one as the errno of execve.
 */
#include "crs_selftest.h"

FIXTURE(exec_rules) {
	struct crs_sb sb;
	char denied[PATH_MAX], allowed[PATH_MAX], alias[PATH_MAX], link[PATH_MAX];
	char sub_x[PATH_MAX], copy_out[PATH_MAX], copy_in[PATH_MAX];
	char ok_sh[PATH_MAX], badinterp_sh[PATH_MAX], denied_sh[PATH_MAX];
	bool skip;
};

FIXTURE_SETUP(exec_rules)
{
	char d[PATH_MAX], interp[PATH_MAX], dinterp[PATH_MAX], script[PATH_MAX + 64];
	const char *dirs[] = { "bin", "sub", "ibin", "dbin", "s", NULL };
	struct crs_policy p;
	int i;

	if (!have_busybox()) {
		self->skip = true;
		return;
	}
	sb_setup(_metadata, &self->sb);
	for (i = 0; dirs[i]; i++) {
		ASSERT_EQ(0, mkdir(sb_path(&self->sb, dirs[i], d), 0755));
	}
	sb_path(&self->sb, "bin/denied", self->denied);
	sb_path(&self->sb, "bin/allowed", self->allowed);
	sb_path(&self->sb, "bin/alias", self->alias);
	sb_path(&self->sb, "bin/link", self->link);
	sb_path(&self->sb, "sub/x", self->sub_x);
	sb_path(&self->sb, "bin/denied-copy", self->copy_out);
	sb_path(&self->sb, "sub/denied-copy", self->copy_in);
	ASSERT_EQ(0, copy_file(BUSYBOX, self->denied, 0755));
	ASSERT_EQ(0, copy_file(BUSYBOX, self->allowed, 0755));
	ASSERT_EQ(0, copy_file(BUSYBOX, self->sub_x, 0755));
	ASSERT_EQ(0, copy_file(self->denied, self->copy_out, 0755));
	ASSERT_EQ(0, copy_file(self->denied, self->copy_in, 0755));
	ASSERT_EQ(0, symlink(self->allowed, self->alias));	/* rule names the link */
	ASSERT_EQ(0, symlink("denied", self->link));		/* relative */

	/* interpreters: copies named sh, so busybox runs its shell */
	ASSERT_EQ(0, copy_file(BUSYBOX, sb_path(&self->sb, "ibin/sh", interp), 0755));
	ASSERT_EQ(0, copy_file(BUSYBOX, sb_path(&self->sb, "dbin/sh", dinterp), 0755));
	snprintf(script, sizeof(script), "#!%s\nexit 42\n", interp);
	ASSERT_EQ(0, write_file(sb_path(&self->sb, "s/ok.sh", self->ok_sh), script, 0755));
	ASSERT_EQ(0, write_file(sb_path(&self->sb, "s/denied.sh", self->denied_sh), script, 0755));
	snprintf(script, sizeof(script), "#!%s\nexit 42\n", dinterp);
	ASSERT_EQ(0, write_file(sb_path(&self->sb, "s/badinterp.sh", self->badinterp_sh), script, 0755));

	pol_init(&p, "exec-rules", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_exec(&p, "deny-denied", CRS_ACTION_DENY, self->denied);		/* 0 */
	pol_exec(&p, "deny-alias", CRS_ACTION_DENY, self->alias);		/* 1 */
	snprintf(d, sizeof(d), "%s/sub/**", self->sb.dir);
	pol_exec(&p, "deny-sub", CRS_ACTION_DENY, d);				/* 2 */
	pol_exec(&p, "deny-interp", CRS_ACTION_DENY, dinterp);			/* 3 */
	pol_exec(&p, "deny-script", CRS_ACTION_DENY, self->denied_sh);		/* 4 */
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
}

FIXTURE_TEARDOWN(exec_rules)
{
	if (!self->skip)
		sb_teardown(&self->sb);
}

#define EXEC_SKIP_CHECK()						\
	do {								\
		if (self->skip)						\
			SKIP(return, "no " BUSYBOX " in this system");	\
	} while (0)

TEST_F(exec_rules, execve_denied)
{
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	struct ev_expect x;
	pid_t pid;

	EXEC_SKIP_CHECK();
	sb_events(&ev);
	EXPECT_EQ(EACCES, child_exec(self->sb.cg, self->denied, NULL, &pid));
	ASSERT_EQ(0, ev_wait(ev, b, pid, EVENT_TIMEOUT_MS));
	x = (struct ev_expect){
		.type = CRS_RULE_EXECUTE,
		.cgroup_id = self->sb.cgid,
		.table_cgroup_id = self->sb.cgid,
		.pid = pid,
		.program = self_exe(),	/* the program calling execve */
		.rule_index = 0,
		.rule_name = "deny-denied",
		.path = self->denied,
		.access = CRS_ACCESS_EXEC,
		.action = CRS_ACTION_DENY,
		.verdict = CRS_ACTION_DENY,
		.mode = CRS_MODE_ENFORCE,
	};
	ev_check(ev_find(b, pid, CRS_RULE_EXECUTE), &x);
	crs_events_close(ev);
	free(b);
}

TEST_F(exec_rules, execve_allowed)
{
	EXEC_SKIP_CHECK();
	EXPECT_EQ(EXEC_OK, child_exec(self->sb.cg, self->allowed, NULL, NULL));
	/* not policed outside the cgroup */
	EXPECT_EQ(EXEC_OK, child_exec(NULL, self->denied, NULL, NULL));
}

/* Decided on the file executed: the symlink's own path does not count. */
TEST_F(exec_rules, via_symlink)
{
	EXEC_SKIP_CHECK();
	EXPECT_EQ(EACCES, child_exec(self->sb.cg, self->link, NULL, NULL));
	EXPECT_EQ(EXEC_OK, child_exec(self->sb.cg, self->alias, NULL, NULL));
}

struct execveat_arg {
	const char *path;
	int oflags;
};

/* 100: open failed; else the errno of execveat(fd, "", AT_EMPTY_PATH). */
static int execveat_fn(void *a)
{
	const struct execveat_arg *x = a;
	static char *const envp[] = { NULL };
	int fd = open(x->path, x->oflags);

	if (fd < 0)
		return 100;
	syscall(SYS_execveat, fd, "", exit42_argv, envp, AT_EMPTY_PATH);
	return errno;
}

FIXTURE_VARIANT(exec_fd) {
	int oflags;
};

FIXTURE(exec_fd) {
	struct crs_sb sb;
	char denied[PATH_MAX], allowed[PATH_MAX];
	bool skip;
};

FIXTURE_VARIANT_ADD(exec_fd, opath) { .oflags = O_PATH };
FIXTURE_VARIANT_ADD(exec_fd, rdonly) { .oflags = O_RDONLY };

FIXTURE_SETUP(exec_fd)
{
	struct crs_policy p;

	if (!have_busybox()) {
		self->skip = true;
		return;
	}
	sb_setup(_metadata, &self->sb);
	ASSERT_EQ(0, copy_file(BUSYBOX, sb_path(&self->sb, "denied", self->denied), 0755));
	ASSERT_EQ(0, copy_file(BUSYBOX, sb_path(&self->sb, "allowed", self->allowed), 0755));
	pol_init(&p, "exec-fd", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_exec(&p, "deny-denied", CRS_ACTION_DENY, self->denied);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
}

FIXTURE_TEARDOWN(exec_fd)
{
	if (!self->skip)
		sb_teardown(&self->sb);
}

/* execveat(AT_EMPTY_PATH) (fexecve) of a descriptor of the denied file. */
TEST_F(exec_fd, execveat_empty_path)
{
	struct execveat_arg x = { .path = self->denied, .oflags = variant->oflags };

	EXEC_SKIP_CHECK();
	EXPECT_EQ(EACCES, run_in(self->sb.cg, execveat_fn, &x, NULL));
	x.path = self->allowed;
	EXPECT_EQ(EXEC_OK, run_in(self->sb.cg, execveat_fn, &x, NULL));
}

/*
 * A copy of a denied binary is decided by its own path: allowed when no
 * rule covers the new path, denied when a subtree rule does.
 */
TEST_F(exec_rules, copy_decided_by_own_path)
{
	EXEC_SKIP_CHECK();
	EXPECT_EQ(EXEC_OK, child_exec(self->sb.cg, self->copy_out, NULL, NULL));
	EXPECT_EQ(EACCES, child_exec(self->sb.cg, self->copy_in, NULL, NULL));
	EXPECT_EQ(EACCES, child_exec(self->sb.cg, self->sub_x, NULL, NULL));
}

/* For a script, both the script and its interpreter are checked. */
TEST_F(exec_rules, script_and_interpreter)
{
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	const struct crs_event *e;
	char interp[PATH_MAX];
	pid_t pid;

	EXEC_SKIP_CHECK();
	EXPECT_EQ(EXEC_OK, child_exec(self->sb.cg, self->ok_sh, NULL, NULL));
	EXPECT_EQ(EACCES, child_exec(self->sb.cg, self->denied_sh, NULL, NULL));
	sb_events(&ev);
	EXPECT_EQ(EACCES, child_exec(self->sb.cg, self->badinterp_sh, NULL, &pid));
	ASSERT_EQ(0, ev_wait(ev, b, pid, EVENT_TIMEOUT_MS));
	e = ev_find(b, pid, CRS_RULE_EXECUTE);
	ASSERT_NE(NULL, e);
	EXPECT_STREQ(sb_path(&self->sb, "dbin/sh", interp), e->path);
	EXPECT_EQ(3, e->rule_index);
	crs_events_close(ev);
	free(b);
}

/* Monitor mode (per-container override): the exec runs, the event says deny. */
TEST_F(exec_rules, monitor)
{
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	const struct crs_event *e;
	struct crs_err err = {0};
	pid_t pid;

	EXEC_SKIP_CHECK();
	ASSERT_EQ(0, crs_nl_set_container(self->sb.nl, self->sb.cgid, CRS_MODE_MONITOR, -1, &err));
	sb_events(&ev);
	EXPECT_EQ(EXEC_OK, child_exec(self->sb.cg, self->denied, NULL, &pid));
	ASSERT_EQ(0, ev_wait(ev, b, pid, EVENT_TIMEOUT_MS));
	e = ev_find(b, pid, CRS_RULE_EXECUTE);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(CRS_ACTION_ALLOW, e->action);
	EXPECT_EQ(CRS_ACTION_DENY, e->verdict);
	EXPECT_EQ(CRS_MODE_MONITOR, e->mode);
	EXPECT_STREQ(self->denied, e->path);
	crs_events_close(ev);
	free(b);
}

/* ------------------------------------------------------ default action */

FIXTURE(exec_default) {
	struct crs_sb sb;
	char listed[PATH_MAX], unlisted[PATH_MAX];
	bool skip;
};

FIXTURE_SETUP(exec_default)
{
	if (!have_busybox()) {
		self->skip = true;
		return;
	}
	sb_setup(_metadata, &self->sb);
	ASSERT_EQ(0, copy_file(BUSYBOX, sb_path(&self->sb, "listed", self->listed), 0755));
	ASSERT_EQ(0, copy_file(BUSYBOX, sb_path(&self->sb, "unlisted", self->unlisted), 0755));
}

FIXTURE_TEARDOWN(exec_default)
{
	if (!self->skip)
		sb_teardown(&self->sb);
}

TEST_F(exec_default, deny)
{
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	struct crs_policy p;
	struct ev_expect x;
	pid_t pid;

	EXEC_SKIP_CHECK();
	pol_init(&p, "exec-default-deny", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_DENY);
	pol_exec(&p, "allow-listed", CRS_ACTION_ALLOW, self->listed);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	sb_events(&ev);
	EXPECT_EQ(EXEC_OK, child_exec(self->sb.cg, self->listed, NULL, NULL));
	EXPECT_EQ(EACCES, child_exec(self->sb.cg, self->unlisted, NULL, &pid));
	ASSERT_EQ(0, ev_wait(ev, b, pid, EVENT_TIMEOUT_MS));
	x = (struct ev_expect){
		.type = CRS_RULE_EXECUTE,
		.cgroup_id = self->sb.cgid,
		.table_cgroup_id = self->sb.cgid,
		.pid = pid,
		.program = self_exe(),
		.rule_index = CRS_RULE_INDEX_NONE,
		.rule_name = "",
		.path = self->unlisted,
		.access = CRS_ACCESS_EXEC,
		.action = CRS_ACTION_DENY,
		.verdict = CRS_ACTION_DENY,
		.mode = CRS_MODE_ENFORCE,
	};
	ev_check(ev_find(b, pid, CRS_RULE_EXECUTE), &x);
	crs_events_close(ev);
	free(b);
}

TEST_F(exec_default, allow)
{
	struct crs_policy p;

	EXEC_SKIP_CHECK();
	/* file default deny must not touch execute decisions, nor the reverse */
	pol_init(&p, "exec-default-allow", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_exec(&p, "deny-listed", CRS_ACTION_DENY, self->listed);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	EXPECT_EQ(EACCES, child_exec(self->sb.cg, self->listed, NULL, NULL));
	EXPECT_EQ(EXEC_OK, child_exec(self->sb.cg, self->unlisted, NULL, NULL));
}

/* An execute default deny does not deny opening the file for read. */
TEST_F(exec_default, types_independent)
{
	struct crs_policy p;

	EXEC_SKIP_CHECK();
	pol_init(&p, "exec-deny-file-allow", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_DENY);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	EXPECT_EQ(EACCES, child_exec(self->sb.cg, self->unlisted, NULL, NULL));
	EXPECT_EQ(0, child_open(self->sb.cg, self->unlisted, O_RDONLY, NULL));
}

/* ---------------------------------------------------- program matching */

FIXTURE(exec_program) {
	struct crs_sb sb;
	char target[PATH_MAX], helper[PATH_MAX], other[PATH_MAX], hlink[PATH_MAX];
	bool skip;
};

FIXTURE_SETUP(exec_program)
{
	char d[PATH_MAX];
	struct crs_policy p;

	if (!have_busybox()) {
		self->skip = true;
		return;
	}
	sb_setup(_metadata, &self->sb);
	ASSERT_EQ(0, mkdir(sb_path(&self->sb, "prog", d), 0755));
	ASSERT_EQ(0, copy_file(BUSYBOX, sb_path(&self->sb, "target", self->target), 0755));
	sb_path(&self->sb, "prog/helper", self->helper);
	sb_path(&self->sb, "prog/other", self->other);
	sb_path(&self->sb, "prog/helper-link", self->hlink);
	ASSERT_EQ(0, make_helper(self->helper));
	ASSERT_EQ(0, make_helper(self->other));
	ASSERT_EQ(0, symlink(self->helper, self->hlink));

	pol_init(&p, "exec-program", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_rule(&p, "helper-no-target", CRS_RULE_EXECUTE, CRS_ACTION_DENY, self->helper,
		 self->target, CRS_ACCESS_EXEC);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
}

FIXTURE_TEARDOWN(exec_program)
{
	if (!self->skip)
		sb_teardown(&self->sb);
}

TEST_F(exec_program, named_program_denied)
{
	const char *args[] = { "exec", self->target, "sh", "-c", "exit 42", NULL };
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	const struct crs_event *e;
	pid_t pid;

	EXEC_SKIP_CHECK();
	sb_events(&ev);
	EXPECT_EQ(EACCES, child_helper(self->sb.cg, self->helper, "helper", args, &pid));
	ASSERT_EQ(0, ev_wait(ev, b, pid, EVENT_TIMEOUT_MS));
	e = ev_find(b, pid, CRS_RULE_EXECUTE);
	ASSERT_NE(NULL, e);
	EXPECT_STREQ(self->helper, e->program);
	EXPECT_STREQ(self->target, e->path);
	EXPECT_STREQ("helper-no-target", e->rule_name);
	crs_events_close(ev);
	free(b);
}

TEST_F(exec_program, other_programs_allowed)
{
	const char *args[] = { "exec", self->target, "sh", "-c", "exit 42", NULL };

	EXEC_SKIP_CHECK();
	EXPECT_EQ(EXEC_OK, child_exec(self->sb.cg, self->target, NULL, NULL));
	EXPECT_EQ(EXEC_OK, child_helper(self->sb.cg, self->other, "other", args, NULL));
}

TEST_F(exec_program, argv0_and_comm_ignored)
{
	const char *as_helper[] = { "comm", "helper", "exec", self->target, "sh", "-c",
				    "exit 42", NULL };
	const char *as_other[] = { "comm", "other", "exec", self->target, "sh", "-c",
				   "exit 42", NULL };

	EXEC_SKIP_CHECK();
	EXPECT_EQ(EXEC_OK, child_helper(self->sb.cg, self->other, self->helper, as_helper, NULL));
	EXPECT_EQ(EACCES, child_helper(self->sb.cg, self->helper, self->other, as_other, NULL));
}

TEST_F(exec_program, started_via_symlink)
{
	const char *args[] = { "exec", self->target, "sh", "-c", "exit 42", NULL };

	EXEC_SKIP_CHECK();
	EXPECT_EQ(EACCES, child_helper(self->sb.cg, self->hlink, "helper-link", args, NULL));
}

CRS_SELFTEST_MAIN

/* ------------------------------------------- objects without a real name */

/* 100: setup failed; else the errno of fexecve() of a memfd copy of @a. */
static int memfd_exec_fn(void *a)
{
	static char *const envp[] = { NULL };
	char buf[65536];
	ssize_t n;
	int in = open(a, O_RDONLY), fd = memfd_create("usr/bin/listed", MFD_CLOEXEC);

	if (in < 0 || fd < 0)
		return 100;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, n) != n)
			return 100;
	syscall(SYS_execveat, fd, "", exit42_argv, envp, AT_EMPTY_PATH);
	return errno;
}

/*
 * A memfd has no name the container can see (it lives on an internal
 * mount, and its name is the caller's choice), so a default-deny execute
 * policy must refuse to exec one: only "*" rules and the default apply.
 */
TEST_F(exec_default, memfd_not_a_way_around)
{
	struct crs_policy p;

	EXEC_SKIP_CHECK();
	pol_init(&p, "exec-memfd", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_DENY);
	pol_exec(&p, "allow-listed", CRS_ACTION_ALLOW, self->listed);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	EXPECT_EQ(EXEC_OK, child_exec(self->sb.cg, self->listed, NULL, NULL));
	EXPECT_EQ(EACCES, run_in(self->sb.cg, memfd_exec_fn, self->listed, NULL));
	/* control: the same exec outside the policed cgroup works */
	EXPECT_EQ(EXEC_OK, run_in(NULL, memfd_exec_fn, self->listed, NULL));
}

/* 100: setup failed; else errno of fexecve(@a) after unlinking it. */
static int unlinked_exec_fn(void *a)
{
	static char *const envp[] = { NULL };
	int fd = open(a, O_RDONLY);

	if (fd < 0 || unlink(a))
		return 100;
	syscall(SYS_execveat, fd, "", exit42_argv, envp, AT_EMPTY_PATH);
	return errno;
}

/*
 * Unlinking a file while holding it open must not shed its name: d_path()
 * would say "<path> (deleted)", which no exact rule matches.
 */
TEST_F(exec_default, unlinked_keeps_its_name)
{
	struct crs_policy p;

	EXEC_SKIP_CHECK();
	pol_init(&p, "exec-unlinked", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_exec(&p, "deny-listed", CRS_ACTION_DENY, self->listed);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	/* the child may unlink it: the policy only restricts exec */
	EXPECT_EQ(EACCES, run_in(self->sb.cg, unlinked_exec_fn, self->listed, NULL));
	/* control: an unlinked file the policy doesn't name still runs */
	EXPECT_EQ(EXEC_OK, run_in(self->sb.cg, unlinked_exec_fn, self->unlisted, NULL));
}
