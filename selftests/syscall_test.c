// SPDX-License-Identifier: GPL-2.0
/*
 * syscall_test.c - syscall rules (the syscall firewall): a rule names a
 * system call, optional argument matchers and a program; crs.ko probes the
 * call's entry points and a denied call returns EPERM without running.
 *
 *   sc_call        ptrace(ATTACH) vs ptrace(TRACEME), unshare(NEWNET) vs
 *                  unshare(NEWUTS) (mask_any, mask_all, eq), mount, personality,
 *                  keyctl, bpf, perf_event_open; each in enforce, monitor and
 *                  disabled mode, against the same call made outside the cgroup
 *   sc_args        every op x argument index 0..5 x (deny rule over default
 *                  allow | allow rule over default deny), values around a boundary
 *   sc_prec        which rule decides: program, then number of matchers, then deny
 *   sc_ia32        int $0x80 from the 64-bit test process (and x32 if enabled)
 *   sc_allowlist   default deny: a busybox shell runs its script and nothing else
 *   sc_probes      syscall and dispatcher probes follow the tables (status)
 *   sc_stress      thousands of concurrent denied calls, every one counted
 *   sc_ignored     ignored_syscalls: denied, but no event
 *
 * Calls are made with syscall(2) (or int $0x80) so the registers hold exactly
 * the values the test chooses. A child reports the call's errno (0 for
 * success); what a call does when crs lets it through is learnt from the same
 * call made by a child outside the test cgroup (the "control"), which must
 * not be EPERM, so an EPERM inside the cgroup can only be crs's.
 */
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>

#include "crs_selftest.h"

/*
 * i386 system call numbers (asm/unistd_32.h cannot be included next to
 * asm/unistd_64.h, which <sys/syscall.h> gives us).
 */
#define NR32_exit		1
#define NR32_write		4
#define NR32_close		6
#define NR32_lseek		19
#define NR32_getpid		20
#define NR32_mount		21
#define NR32_ptrace		26
#define NR32_umask		60
#define NR32_getppid		64
#define NR32_getpriority	96
#define NR32_sysinfo		116
#define NR32_uname		122
#define NR32_getpgid		132
#define NR32_personality	136
#define NR32_exit_group		252
#define NR32_keyctl		288
#define NR32_unshare		310
#define NR32_splice		313
#define NR32_perf_event_open	336
#define NR32_writev		146
#define NR32_bpf		357
#define NR32_socket		359
#define NR32_socketcall		102	/* i386 only */

#define X32_BIT			0x40000000U
#define SYS_SOCKET_CALL		1	/* socketcall's call number for socket() */

#define A CRS_ACTION_ALLOW
#define D CRS_ACTION_DENY

/* name, x86_64 number, i386 number of one syscall */
#define SC(n)	.sc = #n, .nr = __NR_##n, .nr32 = NR32_##n

/* A program pattern that matches no program of the guest. */
#define OTHER_PROGRAM "/nonexistent/crs/program"

/* -------------------------------------------------------------- helpers */

/* The x86_64 syscall @nr's name (libcrsnl's table), or NULL. */
static const char *sc_name64(uint32_t nr)
{
	return crs_syscall_name(nr, CRS_ARCH_X86_64);
}

/* int $0x80 from this 64-bit process: i386 syscall @nr; -errno or the result. */
static long int80(unsigned long nr, unsigned long a0, unsigned long a1, unsigned long a2,
		  unsigned long a3, unsigned long a4, unsigned long a5)
{
	unsigned long ret;

	/* ebp carries the sixth argument: save rbp in r12 around the call */
	asm volatile("mov %%rbp, %%r12\n\t"
		     "mov %[a5], %%rbp\n\t"
		     "int $0x80\n\t"
		     "mov %%r12, %%rbp"
		     : "=a"(ret)
		     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3), "D"(a4), [a5] "r"(a5)
		     : "r8", "r9", "r10", "r11", "r12", "memory", "cc");
	return (long)(int)ret;
}

static void __sc_status(struct __test_metadata *_metadata, struct crs_nl *nl,
			struct crs_status *st)
{
	struct crs_err err = {0};
	int ret;

	memset(st, 0, sizeof(*st));
	ret = crs_nl_get_status(nl, st, &err);
	ASSERT_EQ(0, ret) {
		TH_LOG("crs_nl_get_status: %s (%s)", strerror(-ret), err.msg);
	}
}
#define sc_status(nl, st) __sc_status(_metadata, nl, st)

/*
 * Status once the probe counts are @sys and @disp, or after 5 s. crs.ko
 * unregisters the probes of a deleted or replaced table when the table is
 * freed, after an RCU grace period (queue_rcu_work), so a release shows
 * shortly after the request that caused it. Logs how long that took.
 */
static void __sc_status_settle(struct __test_metadata *_metadata, struct crs_nl *nl,
			       struct crs_status *st, uint32_t sys, uint32_t disp)
{
	uint64_t start = now_ms();

	for (;;) {
		__sc_status(_metadata, nl, st);
		if (st->syscall_probes == sys && st->dispatch_probes == disp)
			break;
		if (now_ms() - start > 5000)
			break;
		usleep(10000);
	}
	if (now_ms() - start >= 10)
		TH_LOG("probe counts %u/%u (want %u/%u) after %llu ms", st->syscall_probes,
		       st->dispatch_probes, sys, disp, (unsigned long long)(now_ms() - start));
	EXPECT_EQ(sys, st->syscall_probes);
	EXPECT_EQ(disp, st->dispatch_probes);
}
#define sc_status_settle(nl, st, sys, disp) __sc_status_settle(_metadata, nl, st, sys, disp)

/* First syscall event of @pid for x86_64/ia32 number @nr in @b (any nr if < 0). */
static const struct crs_event *sc_ev_find(const struct evbuf *b, pid_t pid, long nr)
{
	int i;

	for (i = 0; i < b->n; i++)
		if (b->ev[i].pid == (uint32_t)pid && b->ev[i].type == CRS_RULE_SYSCALL &&
		    (nr < 0 || b->ev[i].syscall_nr == (uint32_t)nr))
			return &b->ev[i];
	return NULL;
}

static int sc_ev_count(const struct evbuf *b, pid_t pid)
{
	int i, n = 0;

	for (i = 0; i < b->n; i++)
		n += b->ev[i].pid == (uint32_t)pid && b->ev[i].type == CRS_RULE_SYSCALL;
	return n;
}

/* Expected fields of one syscall event. */
struct sc_expect {
	uint64_t cgid;
	pid_t pid;
	const char *program;		/* NULL: the test binary */
	uint32_t rule_index;		/* CRS_RULE_INDEX_NONE: default action */
	const char *rule_name;		/* "" when none */
	const char *sc;			/* name */
	uint32_t nr;			/* in the caller's ABI */
	enum crs_arch arch;
	enum crs_action action, verdict;
	enum crs_mode mode;
	unsigned int argmask;		/* which of args[] to compare */
	uint64_t args[6];
};

static void __sc_ev_check(struct __test_metadata *_metadata, const struct crs_event *e,
			  const struct sc_expect *x)
{
	int i;

	ASSERT_NE(NULL, e);
	EXPECT_EQ(CRS_RULE_SYSCALL, e->type);
	EXPECT_EQ(x->cgid, e->cgroup_id);
	EXPECT_EQ(x->cgid, e->table_cgroup_id);
	EXPECT_EQ((uint32_t)x->pid, e->pid);
	EXPECT_EQ((uint32_t)x->pid, e->tid);
	EXPECT_EQ(0U, e->uid);
	EXPECT_STREQ(x->program ? x->program : self_exe(), e->program);
	EXPECT_EQ(x->rule_index, e->rule_index);
	EXPECT_STREQ(x->rule_name, e->rule_name);
	EXPECT_STREQ("", e->path);
	EXPECT_EQ(x->action, e->action);
	EXPECT_EQ(x->verdict, e->verdict);
	EXPECT_EQ(x->mode, e->mode);
	EXPECT_STREQ(x->sc, e->syscall);
	EXPECT_EQ(x->nr, e->syscall_nr);
	EXPECT_EQ(x->arch, e->arch);
	for (i = 0; i < 6; i++) {
		if (!(x->argmask & (1U << i)))
			continue;
		if (x->arch == CRS_ARCH_IA32) {
			EXPECT_EQ((uint32_t)x->args[i], (uint32_t)e->args[i]) {
				TH_LOG("args[%d]", i);
			}
		} else {
			EXPECT_EQ(x->args[i], e->args[i]) {
				TH_LOG("args[%d]", i);
			}
		}
	}
	if (x->rule_index == CRS_RULE_INDEX_NONE) {
		EXPECT_EQ(CRS_EVENT_F_DEFAULT, e->flags & CRS_EVENT_F_DEFAULT);
	} else {
		EXPECT_EQ(0U, e->flags & CRS_EVENT_F_DEFAULT);
	}
	EXPECT_NE(0ULL, e->time_ns);
}
#define sc_ev_check(e, x) __sc_ev_check(_metadata, e, x)

/* A rule on getpgid that matches nothing the tests do (rule_index padding). */
static void pol_decoy(struct crs_policy *p)
{
	struct crs_policy_rule *r;

	r = pol_syscall(p, "decoy-getpgid", D, "*", "getpgid", __NR_getpgid, NR32_getpgid);
	pol_arg(r, 0, CRS_ARG_EQ, 0x7ffffff0);
}

/* The allow rules a test child needs under an allowlist: close (cg_join), exit. */
static void pol_child_basics(struct crs_policy *p)
{
	pol_syscall(p, "allow-close", A, "*", "close", __NR_close, NR32_close);
	pol_syscall(p, "allow-exit_group", A, "*", "exit_group", __NR_exit_group,
		    NR32_exit_group);
	pol_syscall(p, "allow-exit", A, "*", "exit", __NR_exit, NR32_exit);
}

/* Set the log mask of cgroup @id (CRS_MODE_POLICY keeps the table's mode). */
static void __sc_log(struct __test_metadata *_metadata, struct crs_sb *sb, uint64_t id,
		     uint32_t log)
{
	struct crs_err err = {0};
	int ret = crs_nl_set_container(sb->nl, id, CRS_MODE_POLICY, log, &err);

	ASSERT_EQ(0, ret) {
		TH_LOG("crs_nl_set_container: %s (%s)", strerror(-ret), err.msg);
	}
}
#define sc_log(sb, id, log) __sc_log(_metadata, sb, id, log)

/* ------------------------------------------------------------ the calls */

static int ret_errno(long r)
{
	return r < 0 ? errno : 0;
}

/* PTRACE_ATTACH to a grandchild (root may: the control shows 0). */
static int ptrace_attach_fn(void *arg)
{
	int e = 0, st;
	pid_t gc;

	gc = fork();
	if (gc < 0)
		return CHILD_SETUP_FAILED;
	if (gc == 0) {
		for (;;)
			pause();
	}
	if (syscall(SYS_ptrace, PTRACE_ATTACH, gc, 0, 0) < 0) {
		e = errno;
	} else {
		waitpid(gc, &st, __WALL);
		syscall(SYS_ptrace, PTRACE_DETACH, gc, 0, 0);
	}
	kill(gc, SIGKILL);
	waitpid(gc, &st, __WALL);
	return e;
}

static int ptrace_traceme_fn(void *arg)
{
	return ret_errno(syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0));
}

static int unshare_net_fn(void *arg)
{
	return ret_errno(syscall(SYS_unshare, CLONE_NEWNET));
}

static int unshare_uts_fn(void *arg)
{
	return ret_errno(syscall(SYS_unshare, CLONE_NEWUTS));
}

static int unshare_net_uts_fn(void *arg)
{
	return ret_errno(syscall(SYS_unshare, CLONE_NEWNET | CLONE_NEWUTS));
}

/*
 * In a mount namespace of its own: make every mount private (the first
 * mount call: source NULL), then mount a tmpfs on the scratch directory.
 */
static int mount_fn(void *arg)
{
	const char *dir = arg;

	if (syscall(SYS_unshare, CLONE_NEWNS))
		return CHILD_SETUP_FAILED;
	if (syscall(SYS_mount, NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return errno;
	return ret_errno(syscall(SYS_mount, "crs", dir, "tmpfs", 0, "size=64k"));
}

/* personality(0xffffffff) only queries the persona. */
static int personality_fn(void *arg)
{
	return ret_errno(syscall(SYS_personality, 0xffffffffUL));
}

static int keyctl_fn(void *arg)
{
	return ret_errno(syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
				 KEY_SPEC_SESSION_KEYRING, 0));
}

static int bpf_fn(void *arg)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.start_id = 0;
	return ret_errno(syscall(SYS_bpf, BPF_PROG_GET_NEXT_ID, &attr, sizeof(attr)));
}

static int perf_fn(void *arg)
{
	struct perf_event_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_SOFTWARE;
	a.size = sizeof(a);
	a.config = PERF_COUNT_SW_DUMMY;
	a.disabled = 1;
	fd = syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int getppid_fn(void *arg)
{
	long r = syscall(SYS_getppid);

	if (r < 0)
		return errno;
	return r == getppid() ? 0 : 255;	/* glibc's getppid() is a syscall too */
}

/* --------------------------------------------------- the test's numbers */

/* The i386 numbers defined above by hand are libcrsnl's (no kernel needed). */
TEST(numbers)
{
	static const struct { const char *name; uint32_t nr, nr32; } t[] = {
#define NUM(n) { #n, __NR_##n, NR32_##n }
		NUM(exit), NUM(close), NUM(lseek), NUM(getpid), NUM(mount), NUM(ptrace),
		NUM(getppid), NUM(getpriority), NUM(sysinfo), NUM(uname), NUM(getpgid),
		NUM(personality), NUM(exit_group), NUM(keyctl), NUM(unshare), NUM(splice),
		NUM(perf_event_open), NUM(bpf), NUM(write), NUM(umask), NUM(writev), NUM(socket),
#undef NUM
	};
	uint32_t nr64, nr32;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		ASSERT_EQ(0, crs_syscall_lookup(t[i].name, &nr64, &nr32)) {
			TH_LOG("%s", t[i].name);
		}
		EXPECT_EQ(t[i].nr, nr64) {
			TH_LOG("%s", t[i].name);
		}
		EXPECT_EQ(t[i].nr32, nr32) {
			TH_LOG("%s", t[i].name);
		}
		EXPECT_STREQ(t[i].name, crs_syscall_name(t[i].nr, CRS_ARCH_X86_64));
		EXPECT_STREQ(t[i].name, crs_syscall_name(t[i].nr32, CRS_ARCH_IA32));
	}
}

/* ------------------------------------- named calls x enforce/monitor/disabled */

FIXTURE(sc_call) {
	struct crs_sb sb;
};

FIXTURE_VARIANT(sc_call) {
	const char *sc;
	uint32_t nr, nr32;
	int nargs;
	struct crs_syscall_arg args[2];
	crs_child_fn deny_fn;		/* the rule must catch this call */
	crs_child_fn allow_fn;		/* and let this one (same syscall) through */
	bool check_arg0;
	uint64_t arg0;			/* deny_fn's first argument */
	enum crs_mode mode;
};

#define SC_CALL(vname, ...)							\
	FIXTURE_VARIANT_ADD(sc_call, vname##_enforce) {				\
		.mode = CRS_MODE_ENFORCE, __VA_ARGS__ };			\
	FIXTURE_VARIANT_ADD(sc_call, vname##_monitor) {				\
		.mode = CRS_MODE_MONITOR, __VA_ARGS__ };			\
	FIXTURE_VARIANT_ADD(sc_call, vname##_disabled) {			\
		.mode = CRS_MODE_DISABLED, __VA_ARGS__ }

/* ptrace(PTRACE_ATTACH) denied, ptrace(PTRACE_TRACEME) allowed */
SC_CALL(ptrace_attach, SC(ptrace), .nargs = 1,
	.args = { { 0, CRS_ARG_EQ, PTRACE_ATTACH } },
	.deny_fn = ptrace_attach_fn, .allow_fn = ptrace_traceme_fn,
	.check_arg0 = true, .arg0 = PTRACE_ATTACH);
/* unshare: any of CLONE_NEWNET denied; CLONE_NEWUTS alone allowed */
SC_CALL(unshare_mask_any, SC(unshare), .nargs = 1,
	.args = { { 0, CRS_ARG_MASK_ANY, CLONE_NEWNET } },
	.deny_fn = unshare_net_fn, .allow_fn = unshare_uts_fn,
	.check_arg0 = true, .arg0 = CLONE_NEWNET);
SC_CALL(unshare_mask_any_both, SC(unshare), .nargs = 1,
	.args = { { 0, CRS_ARG_MASK_ANY, CLONE_NEWNET } },
	.deny_fn = unshare_net_uts_fn, .allow_fn = unshare_uts_fn,
	.check_arg0 = true, .arg0 = CLONE_NEWNET | CLONE_NEWUTS);
/* unshare: both of NEWNET|NEWUTS denied; NEWNET alone allowed */
SC_CALL(unshare_mask_all, SC(unshare), .nargs = 1,
	.args = { { 0, CRS_ARG_MASK_ALL, CLONE_NEWNET | CLONE_NEWUTS } },
	.deny_fn = unshare_net_uts_fn, .allow_fn = unshare_net_fn,
	.check_arg0 = true, .arg0 = CLONE_NEWNET | CLONE_NEWUTS);
/* unshare: exactly NEWNET denied; NEWNET|NEWUTS allowed */
SC_CALL(unshare_eq, SC(unshare), .nargs = 1,
	.args = { { 0, CRS_ARG_EQ, CLONE_NEWNET } },
	.deny_fn = unshare_net_fn, .allow_fn = unshare_net_uts_fn,
	.check_arg0 = true, .arg0 = CLONE_NEWNET);
/* no matchers: every call */
SC_CALL(mount, SC(mount), .deny_fn = mount_fn, .check_arg0 = true, .arg0 = 0);
SC_CALL(personality, SC(personality), .deny_fn = personality_fn,
	.check_arg0 = true, .arg0 = 0xffffffffULL);
SC_CALL(keyctl, SC(keyctl), .deny_fn = keyctl_fn,
	.check_arg0 = true, .arg0 = KEYCTL_GET_KEYRING_ID);
SC_CALL(bpf, SC(bpf), .deny_fn = bpf_fn, .check_arg0 = true, .arg0 = BPF_PROG_GET_NEXT_ID);
SC_CALL(perf_event_open, SC(perf_event_open), .deny_fn = perf_fn);

FIXTURE_SETUP(sc_call)
{
	sb_setup(_metadata, &self->sb);
}

FIXTURE_TEARDOWN(sc_call)
{
	umount2(self->sb.dir, MNT_DETACH);	/* only if a mount slipped through */
	sb_teardown(&self->sb);
}

/*
 * Rule 2 names the call (rule 0: the same syscall for another program,
 * rule 1: another syscall). Enforce: EPERM, and the event; monitor: the
 * call's own result, and an event saying it would have been denied;
 * disabled: the call's own result, no event. The allowed variant of the
 * call behaves as outside the cgroup and raises nothing in any mode.
 */
TEST_F(sc_call, deny)
{
	int ctl_deny, ctl_allow = 0, got, i;
	struct crs_policy_rule *r;
	struct evbuf *b = evbuf_new();
	struct crs_events *ev;
	struct crs_policy p;
	pid_t pid, pid2 = 0;

	ctl_deny = run_in(NULL, variant->deny_fn, self->sb.dir, NULL);
	if (ctl_deny == EPERM || ctl_deny == ENOSYS)
		SKIP(free(b); return, "%s: %s without crs", variant->sc, strerror(ctl_deny));
	ASSERT_GT(CHILD_SETUP_FAILED, ctl_deny);
	if (variant->allow_fn) {
		ctl_allow = run_in(NULL, variant->allow_fn, self->sb.dir, NULL);
		ASSERT_NE(EPERM, ctl_allow);
		ASSERT_GT(CHILD_SETUP_FAILED, ctl_allow);
	}
	umount2(self->sb.dir, MNT_DETACH);

	pol_init(&p, "sc-call", variant->mode, A, A);
	pol_syscall(&p, "other-program", D, OTHER_PROGRAM, variant->sc, variant->nr,
		    variant->nr32);
	pol_decoy(&p);
	r = pol_syscall(&p, "the-rule", D, "*", variant->sc, variant->nr, variant->nr32);
	for (i = 0; i < variant->nargs; i++)
		pol_arg(r, variant->args[i].index, variant->args[i].op, variant->args[i].value);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
	sb_events(&ev);

	got = run_in(self->sb.cg, variant->deny_fn, self->sb.dir, &pid);
	EXPECT_EQ(variant->mode == CRS_MODE_ENFORCE ? EPERM : ctl_deny, got) {
		TH_LOG("%s: control %d", variant->sc, ctl_deny);
	}
	if (variant->allow_fn) {
		got = run_in(self->sb.cg, variant->allow_fn, self->sb.dir, &pid2);
		EXPECT_EQ(ctl_allow, got);
	}

	sb_fence(&self->sb, ev, b);
	if (variant->allow_fn) {
		EXPECT_EQ(0, sc_ev_count(b, pid2));
	}
	if (variant->mode == CRS_MODE_DISABLED) {
		EXPECT_EQ(0, ev_count(b, pid));
	} else {
		struct sc_expect x = {
			.cgid = self->sb.cgid,
			.pid = pid,
			.rule_index = 2,
			.rule_name = "the-rule",
			.sc = variant->sc,
			.nr = variant->nr,
			.arch = CRS_ARCH_X86_64,
			.action = variant->mode == CRS_MODE_ENFORCE ? D : A,
			.verdict = D,
			.mode = variant->mode,
			.argmask = variant->check_arg0 ? 1 : 0,
			.args = { variant->arg0 },
		};

		sc_ev_check(sc_ev_find(b, pid, variant->nr), &x);
	}
	crs_events_close(ev);
	free(b);
}

/* ---------------------------------------- a denied call does not run */

/* umask(0777) denied: the mask stays 022. Returns UMASK_* below. */
#define UMASK_DENIED_KEPT	0	/* EPERM and the mask unchanged */
#define UMASK_DENIED_CHANGED	1	/* EPERM, yet the call ran */
#define UMASK_RAN		100	/* the call ran (monitor, disabled) */
#define UMASK_OTHER		101

static int umask_fn(void *arg)
{
	long r;
	mode_t cur;

	umask(022);
	r = syscall(SYS_umask, 0777);
	cur = umask(022);
	if (r < 0 && errno == EPERM)
		return cur == 022 ? UMASK_DENIED_KEPT : UMASK_DENIED_CHANGED;
	if (r == 022 && cur == 0777)
		return UMASK_RAN;
	return UMASK_OTHER;
}

/* write(fd, "denied\n", 7) then write(fd, "ok\n", 3): errno of the first. */
static int write_fn(void *arg)
{
	const char *path = arg;
	int fd, e = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return CHILD_SETUP_FAILED;
	if (syscall(SYS_write, fd, "denied\n", 7) != 7)
		e = errno ? errno : EIO;
	if (write(fd, "ok\n", 3) != 3)
		e = CHILD_SETUP_FAILED;
	close(fd);
	return e;
}

FIXTURE(sc_effect) {
	struct crs_sb sb;
	char file[PATH_MAX];
};

FIXTURE_VARIANT(sc_effect) {
	enum crs_mode table_mode;
	int container_mode;		/* enum crs_mode, or -1: no override */
	enum crs_mode mode;		/* the mode in effect */
};

FIXTURE_VARIANT_ADD(sc_effect, enforce) {
	.table_mode = CRS_MODE_ENFORCE, .container_mode = -1, .mode = CRS_MODE_ENFORCE };
FIXTURE_VARIANT_ADD(sc_effect, monitor) {
	.table_mode = CRS_MODE_MONITOR, .container_mode = -1, .mode = CRS_MODE_MONITOR };
FIXTURE_VARIANT_ADD(sc_effect, disabled) {
	.table_mode = CRS_MODE_DISABLED, .container_mode = -1, .mode = CRS_MODE_DISABLED };
/* the container override decides, not the table's mode */
FIXTURE_VARIANT_ADD(sc_effect, enforce_container_monitor) {
	.table_mode = CRS_MODE_ENFORCE, .container_mode = CRS_MODE_MONITOR,
	.mode = CRS_MODE_MONITOR };
FIXTURE_VARIANT_ADD(sc_effect, enforce_container_disabled) {
	.table_mode = CRS_MODE_ENFORCE, .container_mode = CRS_MODE_DISABLED,
	.mode = CRS_MODE_DISABLED };
FIXTURE_VARIANT_ADD(sc_effect, monitor_container_enforce) {
	.table_mode = CRS_MODE_MONITOR, .container_mode = CRS_MODE_ENFORCE,
	.mode = CRS_MODE_ENFORCE };

FIXTURE_SETUP(sc_effect)
{
	struct crs_policy_rule *r;
	struct crs_err err = {0};
	struct crs_policy p;
	int ret;

	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "file", self->file);
	pol_init(&p, "sc-effect", variant->table_mode, A, A);
	r = pol_syscall(&p, "deny-umask-0777", D, "*", "umask", __NR_umask, NR32_umask);
	pol_arg(r, 0, CRS_ARG_EQ, 0777);
	r = pol_syscall(&p, "deny-write-7", D, "*", "write", __NR_write, NR32_write);
	pol_arg(r, 2, CRS_ARG_EQ, 7);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
	if (variant->container_mode >= 0) {
		ret = crs_nl_set_container(self->sb.nl, self->sb.cgid, variant->container_mode,
					   -1, &err);
		ASSERT_EQ(0, ret) {
			TH_LOG("crs_nl_set_container: %s (%s)", strerror(-ret), err.msg);
		}
	}
}

FIXTURE_TEARDOWN(sc_effect)
{
	sb_teardown(&self->sb);
}

/*
 * Enforced, the denied umask leaves the mask as it was and the denied write
 * leaves the file without its bytes; otherwise both run. Events carry the
 * mode in effect.
 */
TEST_F(sc_effect, not_executed)
{
	bool enforce = variant->mode == CRS_MODE_ENFORCE;
	struct evbuf *b = evbuf_new();
	struct crs_events *ev;
	char content[32] = "";
	pid_t pid_u, pid_w;
	int fd;

	EXPECT_EQ(UMASK_RAN, run_in(NULL, umask_fn, NULL, NULL));
	sb_events(&ev);
	EXPECT_EQ(enforce ? UMASK_DENIED_KEPT : UMASK_RAN,
		  run_in(self->sb.cg, umask_fn, NULL, &pid_u));
	EXPECT_EQ(enforce ? EPERM : 0, run_in(self->sb.cg, write_fn, self->file, &pid_w));
	fd = open(self->file, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_LE(0, read(fd, content, sizeof(content) - 1));
	close(fd);
	EXPECT_STREQ(enforce ? "ok\n" : "denied\nok\n", content);

	sb_fence(&self->sb, ev, b);
	if (variant->mode == CRS_MODE_DISABLED) {
		EXPECT_EQ(0, ev_count(b, pid_u));
		EXPECT_EQ(0, ev_count(b, pid_w));
	} else {
		struct sc_expect x = {
			.cgid = self->sb.cgid,
			.pid = pid_u,
			.rule_index = 0,
			.rule_name = "deny-umask-0777",
			.sc = "umask",
			.nr = __NR_umask,
			.arch = CRS_ARCH_X86_64,
			.action = enforce ? D : A,
			.verdict = D,
			.mode = variant->mode,
			.argmask = 1,
			.args = { 0777 },
		};

		sc_ev_check(sc_ev_find(b, pid_u, -1), &x);
		EXPECT_EQ(1, sc_ev_count(b, pid_u));
		x.pid = pid_w;
		x.rule_index = 1;
		x.rule_name = "deny-write-7";
		x.sc = "write";
		x.nr = __NR_write;
		x.argmask = 4;
		x.args[2] = 7;
		sc_ev_check(sc_ev_find(b, pid_w, -1), &x);
		EXPECT_EQ(1, sc_ev_count(b, pid_w));
	}
	crs_events_close(ev);
	free(b);
}

/* ------------------------------------- op x argument index x action */

/*
 * Arguments 0..2 are lseek's (fd -1, offset 0, SEEK_SET unless varied: EBADF),
 * 3..5 splice's (fd_in -1, len 1, flags 0 unless varied: EBADF, or 0 / EINVAL
 * for len 0 / bad flags). The rule's value is ARG_V; every call varies one
 * argument over arg_values.
 */
#define ARG_V 1000ULL
static const uint64_t arg_values[] = { 0, ARG_V - 1, ARG_V, ARG_V + 1, ~0ULL };
#define N_ARG_VALUES (sizeof(arg_values) / sizeof(arg_values[0]))

static bool op_holds(enum crs_arg_op op, uint64_t a, uint64_t v)
{
	switch (op) {
	case CRS_ARG_EQ: return a == v;
	case CRS_ARG_NE: return a != v;
	case CRS_ARG_LT: return a < v;
	case CRS_ARG_LE: return a <= v;
	case CRS_ARG_GT: return a > v;
	case CRS_ARG_GE: return a >= v;
	case CRS_ARG_MASK_ALL: return (a & v) == v;
	case CRS_ARG_MASK_ANY: return (a & v) != 0;
	default: return false;
	}
}

struct argcall {
	uint32_t index;
	uint64_t value;
	uint64_t regs[6];	/* filled by argcall_regs */
};

static void argcall_regs(struct argcall *c)
{
	static const uint64_t lseek_regs[6] = { (uint64_t)-1, 0, SEEK_SET, 0, 0, 0 };
	static const uint64_t splice_regs[6] = { (uint64_t)-1, 0, (uint64_t)-1, 0, 1, 0 };

	memcpy(c->regs, c->index < 3 ? lseek_regs : splice_regs, sizeof(c->regs));
	c->regs[c->index] = c->value;
}

static int argcall_fn(void *arg)
{
	const struct argcall *c = arg;
	const uint64_t *a = c->regs;
	long r;

	if (c->index < 3)
		r = syscall(SYS_lseek, a[0], a[1], a[2]);
	else
		r = syscall(SYS_splice, a[0], a[1], a[2], a[3], a[4], a[5]);
	return ret_errno(r);
}

FIXTURE(sc_args) {
	struct crs_sb sb;
};

FIXTURE_VARIANT(sc_args) {
	enum crs_arg_op op;
	uint32_t index;
	enum crs_action action;	/* D: deny rule, default allow; A: allow rule, default deny */
};

#define SA1(name, OP, i)							\
	FIXTURE_VARIANT_ADD(sc_args, name##_a##i##_deny) {			\
		.op = OP, .index = i, .action = D };				\
	FIXTURE_VARIANT_ADD(sc_args, name##_a##i##_allow) {			\
		.op = OP, .index = i, .action = A }
#define SA(name, OP)								\
	SA1(name, OP, 0); SA1(name, OP, 1); SA1(name, OP, 2);			\
	SA1(name, OP, 3); SA1(name, OP, 4); SA1(name, OP, 5)

SA(eq, CRS_ARG_EQ);
SA(ne, CRS_ARG_NE);
SA(lt, CRS_ARG_LT);
SA(le, CRS_ARG_LE);
SA(gt, CRS_ARG_GT);
SA(ge, CRS_ARG_GE);
SA(mask_all, CRS_ARG_MASK_ALL);
SA(mask_any, CRS_ARG_MASK_ANY);

FIXTURE_SETUP(sc_args)
{
	sb_setup(_metadata, &self->sb);
}

FIXTURE_TEARDOWN(sc_args)
{
	sb_teardown(&self->sb);
}

/*
 * The rule (index 2 when denying, 3 when allowing) matches exactly the calls
 * for which "value op ARG_V" holds (unsigned). A matched deny rule or an
 * unmatched allow rule under the default deny gives EPERM and one event;
 * otherwise the call behaves as outside and raises nothing.
 */
TEST_F_TIMEOUT(sc_args, ops, 90)
{
	bool splice = variant->index >= 3;
	const char *sc = splice ? "splice" : "lseek";
	uint32_t nr = splice ? __NR_splice : __NR_lseek;
	uint32_t nr32 = splice ? NR32_splice : NR32_lseek;
	int ctl[N_ARG_VALUES], got, rule;
	pid_t pid[N_ARG_VALUES];
	struct argcall c[N_ARG_VALUES];
	struct evbuf *b = evbuf_new();
	struct crs_policy_rule *r;
	struct crs_events *ev;
	struct crs_policy p;
	size_t i;

	for (i = 0; i < N_ARG_VALUES; i++) {
		c[i].index = variant->index;
		c[i].value = arg_values[i];
		argcall_regs(&c[i]);
		ctl[i] = run_in(NULL, argcall_fn, &c[i], NULL);
		ASSERT_NE(EPERM, ctl[i]);
		ASSERT_GT(CHILD_SETUP_FAILED, ctl[i]);
	}

	pol_init(&p, "sc-args", CRS_MODE_ENFORCE, A, A);
	if (variant->action == A) {
		p.defaults[CRS_RULE_SYSCALL] = D;
		pol_child_basics(&p);	/* rules 0..2 */
	} else {
		pol_decoy(&p);		/* rule 0 */
		pol_syscall(&p, "other-program", D, OTHER_PROGRAM, sc, nr, nr32);
	}
	rule = (int)p.n_rules;
	r = pol_syscall(&p, "the-rule", variant->action, "*", sc, nr, nr32);
	pol_arg(r, variant->index, variant->op, ARG_V);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
	sb_events(&ev);

	for (i = 0; i < N_ARG_VALUES; i++) {
		bool holds = op_holds(variant->op, arg_values[i], ARG_V);
		bool denied = variant->action == D ? holds : !holds;

		got = run_in_for(self->sb.cg, argcall_fn, &c[i], &pid[i], 20000);
		EXPECT_EQ(denied ? EPERM : ctl[i], got) {
			TH_LOG("%s arg%u = %#llx: control %d", sc, variant->index,
			       (unsigned long long)arg_values[i], ctl[i]);
		}
	}

	sb_fence(&self->sb, ev, b);
	for (i = 0; i < N_ARG_VALUES; i++) {
		bool holds = op_holds(variant->op, arg_values[i], ARG_V);
		bool denied = variant->action == D ? holds : !holds;
		struct sc_expect x = {
			.cgid = self->sb.cgid,
			.pid = pid[i],
			.rule_index = variant->action == D ? (uint32_t)rule : CRS_RULE_INDEX_NONE,
			.rule_name = variant->action == D ? "the-rule" : "",
			.sc = sc,
			.nr = nr,
			.arch = CRS_ARCH_X86_64,
			.action = D,
			.verdict = D,
			.mode = CRS_MODE_ENFORCE,
			/* lseek has 3 arguments: r10, r8, r9 hold whatever they held */
			.argmask = splice ? 0x3f : 0x7,
		};

		memcpy(x.args, c[i].regs, sizeof(x.args));
		if (!denied) {
			EXPECT_EQ(0, sc_ev_count(b, pid[i])) {
				TH_LOG("value %#llx", (unsigned long long)arg_values[i]);
			}
			continue;
		}
		EXPECT_EQ(1, sc_ev_count(b, pid[i])) {
			TH_LOG("value %#llx", (unsigned long long)arg_values[i]);
		}
		sc_ev_check(sc_ev_find(b, pid[i], nr), &x);
	}
	crs_events_close(ev);
	free(b);
}

/* ---------------------------------------------------------- precedence */

/*
 * lseek(1000, 5, SEEK_SET) (EBADF when allowed) against up to three rules
 * on lseek. The log mask includes allow, so the deciding rule always shows
 * in an event (except the default allow).
 */
enum prog { P_ANY, P_SELF, P_SELFDIR, P_SELFGLOB, P_OTHER };

struct sprule {
	enum prog prog;
	enum crs_action action;
	int nargs;
	struct crs_syscall_arg args[2];
	bool disabled;
};

FIXTURE(sc_prec) {
	struct crs_sb sb;
};

FIXTURE_VARIANT(sc_prec) {
	enum crs_action def;
	bool denied;
	int decider;		/* rule index, -1: the default */
	int nrules;
	struct sprule rules[3];
};

#define M0 { 0, CRS_ARG_EQ, 1000 }	/* matches */
#define M1 { 1, CRS_ARG_EQ, 5 }		/* matches */
#define X1 { 1, CRS_ARG_EQ, 6 }		/* does not */

#define SP(vname, _def, _denied, _decider, _n, ...)				\
	FIXTURE_VARIANT_ADD(sc_prec, vname) {					\
		.def = _def, .denied = _denied, .decider = _decider,		\
		.nrules = _n, .rules = { __VA_ARGS__ } }

/* program first: exact > subtree > glob > any */
SP(named_allow_over_any_deny, A, false, 1, 2, { P_ANY, D }, { P_SELF, A });
SP(named_deny_over_any_allow, A, true, 0, 2, { P_SELF, D }, { P_ANY, A });
SP(exact_over_subtree, A, false, 1, 2, { P_SELFDIR, D }, { P_SELF, A });
SP(subtree_over_glob, A, true, 1, 2, { P_SELFGLOB, A }, { P_SELFDIR, D });
SP(glob_over_any, A, true, 1, 2, { P_ANY, A }, { P_SELFGLOB, D });
SP(other_program_not_applied, A, false, -1, 1, { P_OTHER, D });
SP(other_program_not_applied_allowlist, D, true, -1, 1, { P_OTHER, A });
/* the program beats the number of matchers */
SP(program_before_args_deny, A, true, 1, 2,
   { P_ANY, A, 2, { M0, M1 } }, { P_SELF, D });
SP(program_before_args_allow, A, false, 0, 2,
   { P_SELF, A }, { P_ANY, D, 2, { M0, M1 } });
/* then more matchers win */
SP(more_args_allow, A, false, 1, 2,
   { P_ANY, D, 1, { M0 } }, { P_ANY, A, 2, { M0, M1 } });
SP(more_args_deny, A, true, 1, 2,
   { P_ANY, A, 1, { M0 } }, { P_ANY, D, 2, { M0, M1 } });
SP(args_over_none, A, false, 1, 2,
   { P_ANY, D }, { P_ANY, A, 1, { M0 } });
SP(more_args_unmatched, A, true, 0, 2,
   { P_ANY, D, 1, { M0 } }, { P_ANY, A, 2, { M0, X1 } });
/* then deny wins */
SP(tie_deny_wins, A, true, 1, 2,
   { P_ANY, A, 1, { M0 } }, { P_ANY, D, 1, { M1 } });
SP(tie_deny_wins_first, A, true, 0, 2,
   { P_ANY, D, 1, { M1 } }, { P_ANY, A, 1, { M0 } });
SP(tie_no_args, A, true, 1, 2, { P_ANY, A }, { P_ANY, D });
SP(tie_named, A, true, 0, 3, { P_SELF, D, 1, { M0 } }, { P_SELF, A, 1, { M1 } },
   { P_ANY, A, 2, { M0, M1 } });
/* disabled rules do not exist */
SP(disabled_deny, A, false, -1, 1, { P_ANY, D, .disabled = true });
SP(disabled_named_allow, A, true, 0, 2, { P_ANY, D }, { P_SELF, A, .disabled = true });
/* an allowlist */
SP(allowlist_unmatched, D, true, -1, 1, { P_ANY, A, 1, { X1 } });
SP(allowlist_matched, D, false, 0, 1, { P_ANY, A, 1, { M0 } });
SP(allowlist_named_deny, D, true, 1, 2, { P_ANY, A }, { P_SELF, D, 1, { M1 } });

FIXTURE_SETUP(sc_prec)
{
	sb_setup(_metadata, &self->sb);
}

FIXTURE_TEARDOWN(sc_prec)
{
	sb_teardown(&self->sb);
}

TEST_F(sc_prec, decides)
{
	char dir[PATH_MAX], subtree[PATH_MAX], glob[PATH_MAX], *slash;
	const char *progs[] = { "*", self_exe(), subtree, glob, OTHER_PROGRAM };
	struct argcall c = { .index = 0, .value = 1000 };
	struct evbuf *b = evbuf_new();
	struct crs_policy_rule *r;
	struct crs_events *ev;
	struct crs_policy p;
	char name[32];
	int i, j, ctl, got;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s", self_exe());
	slash = strrchr(dir, '/');
	ASSERT_NE(NULL, slash);
	*slash = '\0';
	snprintf(subtree, sizeof(subtree), "%s/**", dir);
	snprintf(glob, sizeof(glob), "%s/*_test", dir);

	argcall_regs(&c);
	c.regs[1] = 5;
	ctl = run_in(NULL, argcall_fn, &c, NULL);
	ASSERT_EQ(EBADF, ctl);

	pol_init(&p, "sc-prec", CRS_MODE_ENFORCE, A, A);
	p.defaults[CRS_RULE_SYSCALL] = variant->def;
	for (i = 0; i < variant->nrules; i++) {
		const struct sprule *s = &variant->rules[i];

		snprintf(name, sizeof(name), "rule-%d", i);
		r = pol_syscall(&p, name, s->action, progs[s->prog], "lseek", __NR_lseek,
				NR32_lseek);
		r->enabled = !s->disabled;
		for (j = 0; j < s->nargs; j++)
			pol_arg(r, s->args[j].index, s->args[j].op, s->args[j].value);
	}
	if (variant->def == D)
		pol_child_basics(&p);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
	sc_log(&self->sb, self->sb.cgid, CRS_LOG_DENY | CRS_LOG_ALLOW);
	sb_events(&ev);

	got = run_in_for(self->sb.cg, argcall_fn, &c, &pid, 20000);
	EXPECT_EQ(variant->denied ? EPERM : EBADF, got);

	sb_fence(&self->sb, ev, b);
	if (variant->decider < 0 && !variant->denied) {
		EXPECT_EQ(NULL, sc_ev_find(b, pid, __NR_lseek));
	} else {
		struct sc_expect x = {
			.cgid = self->sb.cgid,
			.pid = pid,
			.rule_index = variant->decider < 0 ? CRS_RULE_INDEX_NONE :
							     (uint32_t)variant->decider,
			.rule_name = "",
			.sc = "lseek",
			.nr = __NR_lseek,
			.arch = CRS_ARCH_X86_64,
			.action = variant->denied ? D : A,
			.verdict = variant->denied ? D : A,
			.mode = CRS_MODE_ENFORCE,
			.argmask = 0x7,
			.args = { 1000, 5, SEEK_SET },
		};

		if (variant->decider >= 0) {
			snprintf(name, sizeof(name), "rule-%d", variant->decider);
			x.rule_name = name;
		}
		sc_ev_check(sc_ev_find(b, pid, __NR_lseek), &x);
	}
	crs_events_close(ev);
	free(b);
}

/* ------------------------------------------------------- int $0x80, x32 */

struct int80_call {
	uint32_t nr;
	uint64_t a[6];
	long ret;	/* out, through shared memory */
};

static int int80_fn(void *arg)
{
	struct int80_call *c = arg;

	c->ret = int80(c->nr, c->a[0], c->a[1], c->a[2], c->a[3], c->a[4], c->a[5]);
	return 0;
}

static int x32_getppid_fn(void *arg)
{
	long *ret = arg;

	*ret = syscall(X32_BIT | __NR_getppid);
	if (*ret < 0)
		*ret = -errno;
	return 0;
}

static int x32_personality_fn(void *arg)
{
	long *ret = arg;

	*ret = syscall(X32_BIT | __NR_personality, 0xffffffffUL);
	if (*ret < 0)
		*ret = -errno;
	return 0;
}

FIXTURE(sc_ia32) {
	struct crs_sb sb;
	struct int80_call *call;	/* shared with the children */
	bool skip;
};

FIXTURE_SETUP(sc_ia32)
{
	struct crs_policy_rule *r;
	struct crs_policy p;
	int st;

	self->call = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->call);
	/* is there ia32 emulation at all? (without it int $0x80 fails or faults) */
	memset(self->call, 0, sizeof(*self->call));
	self->call->nr = NR32_getpid;
	st = run_in(NULL, int80_fn, self->call, NULL);
	if (st != 0 || self->call->ret <= 0) {
		self->skip = true;
		TH_LOG("int $0x80 getpid: status %d, result %ld", st, self->call->ret);
		return;
	}
	sb_setup(_metadata, &self->sb);
	pol_init(&p, "sc-ia32", CRS_MODE_ENFORCE, A, A);
	pol_syscall(&p, "deny-getppid", D, "*", "getppid", __NR_getppid, NR32_getppid);
	pol_syscall(&p, "deny-personality", D, "*", "personality", __NR_personality,
		    NR32_personality);
	r = pol_syscall(&p, "deny-lseek-1000", D, "*", "lseek", __NR_lseek, NR32_lseek);
	pol_arg(r, 0, CRS_ARG_EQ, 1000);
	r = pol_syscall(&p, "deny-splice-ebp", D, "*", "splice", __NR_splice, NR32_splice);
	pol_arg(r, 5, CRS_ARG_EQ, 2);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
}

FIXTURE_TEARDOWN(sc_ia32)
{
	if (!self->skip)
		sb_teardown(&self->sb);
	if (self->call && self->call != MAP_FAILED)
		munmap(self->call, 4096);
}

/* Run int $0x80 @nr(@a...) in @cg; its result (-errno or value); pid to *@pid. */
static long __int80_in(struct __test_metadata *_metadata, struct int80_call *call,
		       const char *cg, uint32_t nr, const uint64_t *a, pid_t *pid)
{
	int st;

	memset(call, 0, sizeof(*call));
	call->nr = nr;
	if (a)
		memcpy(call->a, a, sizeof(call->a));
	call->ret = -10000;
	st = run_in(cg, int80_fn, call, pid);
	EXPECT_EQ(0, st);
	return call->ret;
}
#define int80_in(cg, nr, a, pid) __int80_in(_metadata, self->call, cg, nr, a, pid)

/* getppid by int $0x80 (i386 number 64) is denied like the 64-bit call. */
TEST_F(sc_ia32, getppid)
{
	struct evbuf *b = evbuf_new();
	struct crs_events *ev;
	long ret;
	pid_t pid;

	if (self->skip)
		SKIP(free(b); return, "no ia32 emulation (int $0x80 does not work)");
	ret = int80_in(NULL, NR32_getppid, NULL, NULL);
	EXPECT_EQ((long)getpid(), ret);	/* outside: the child's parent is us */
	sb_events(&ev);
	ret = int80_in(self->sb.cg, NR32_getppid, NULL, &pid);
	EXPECT_EQ(-EPERM, ret);
	EXPECT_EQ(EPERM, run_in(self->sb.cg, getppid_fn, NULL, NULL));

	sb_fence(&self->sb, ev, b);
	{
		struct sc_expect x = {
			.cgid = self->sb.cgid,
			.pid = pid,
			.rule_index = 0,
			.rule_name = "deny-getppid",
			.sc = "getppid",
			.nr = NR32_getppid,
			.arch = CRS_ARCH_IA32,
			.action = D,
			.verdict = D,
			.mode = CRS_MODE_ENFORCE,
		};

		sc_ev_check(sc_ev_find(b, pid, -1), &x);
		EXPECT_EQ(1, sc_ev_count(b, pid));
	}
	crs_events_close(ev);
	free(b);
}

/* personality(0xffffffff) by int $0x80: queries outside, EPERM inside. */
TEST_F(sc_ia32, personality)
{
	uint64_t a[6] = { 0xffffffff };
	struct evbuf *b = evbuf_new();
	struct crs_events *ev;
	long ret;
	pid_t pid;

	if (self->skip)
		SKIP(free(b); return, "no ia32 emulation (int $0x80 does not work)");
	ret = int80_in(NULL, NR32_personality, a, NULL);
	EXPECT_LE(0, ret);
	sb_events(&ev);
	EXPECT_EQ(-EPERM, int80_in(self->sb.cg, NR32_personality, a, &pid));
	sb_fence(&self->sb, ev, b);
	{
		struct sc_expect x = {
			.cgid = self->sb.cgid,
			.pid = pid,
			.rule_index = 1,
			.rule_name = "deny-personality",
			.sc = "personality",
			.nr = NR32_personality,
			.arch = CRS_ARCH_IA32,
			.action = D,
			.verdict = D,
			.mode = CRS_MODE_ENFORCE,
			.argmask = 1,
			.args = { 0xffffffff },
		};

		sc_ev_check(sc_ev_find(b, pid, -1), &x);
	}
	crs_events_close(ev);
	free(b);
}

/*
 * The ia32 entry points see the low 32 bits of the registers: an fd of
 * 2^32 + 1000 in rbx is fd 1000 to the kernel, and the rule on fd 1000 must
 * catch it. A different fd in ebx is not matched.
 */
TEST_F(sc_ia32, lseek_low_32_bits)
{
	uint64_t hi[6] = { (1ULL << 32) | 1000, 0, SEEK_SET };
	uint64_t lo[6] = { 1000, 0, SEEK_SET };
	uint64_t other[6] = { 999, 0, SEEK_SET };
	struct evbuf *b = evbuf_new();
	struct crs_events *ev;
	pid_t pid_hi, pid_lo, pid_other;

	if (self->skip)
		SKIP(free(b); return, "no ia32 emulation (int $0x80 does not work)");
	EXPECT_EQ(-EBADF, int80_in(NULL, NR32_lseek, hi, NULL));
	EXPECT_EQ(-EBADF, int80_in(NULL, NR32_lseek, lo, NULL));
	sb_events(&ev);
	EXPECT_EQ(-EPERM, int80_in(self->sb.cg, NR32_lseek, lo, &pid_lo));
	EXPECT_EQ(-EPERM, int80_in(self->sb.cg, NR32_lseek, hi, &pid_hi));
	EXPECT_EQ(-EBADF, int80_in(self->sb.cg, NR32_lseek, other, &pid_other));
	sb_fence(&self->sb, ev, b);
	{
		struct sc_expect x = {
			.cgid = self->sb.cgid,
			.pid = pid_lo,
			.rule_index = 2,
			.rule_name = "deny-lseek-1000",
			.sc = "lseek",
			.nr = NR32_lseek,
			.arch = CRS_ARCH_IA32,
			.action = D,
			.verdict = D,
			.mode = CRS_MODE_ENFORCE,
			.argmask = 1,
			.args = { 1000 },
		};

		sc_ev_check(sc_ev_find(b, pid_lo, -1), &x);
		x.pid = pid_hi;
		sc_ev_check(sc_ev_find(b, pid_hi, -1), &x);
		EXPECT_EQ(0, sc_ev_count(b, pid_other));
	}
	crs_events_close(ev);
	free(b);
}

/* The sixth i386 argument travels in ebp: splice(..., flags 2) is denied by it. */
TEST_F(sc_ia32, sixth_arg_ebp)
{
	uint64_t match[6] = { (uint64_t)-1, 0, (uint64_t)-1, 0, 1, 2 };
	uint64_t nomatch[6] = { (uint64_t)-1, 0, (uint64_t)-1, 0, 1, 1 };
	struct evbuf *b = evbuf_new();
	struct crs_events *ev;
	pid_t pid;

	if (self->skip)
		SKIP(free(b); return, "no ia32 emulation (int $0x80 does not work)");
	EXPECT_EQ(-EBADF, int80_in(NULL, NR32_splice, match, NULL));
	sb_events(&ev);
	EXPECT_EQ(-EPERM, int80_in(self->sb.cg, NR32_splice, match, &pid));
	EXPECT_EQ(-EBADF, int80_in(self->sb.cg, NR32_splice, nomatch, NULL));
	sb_fence(&self->sb, ev, b);
	{
		struct sc_expect x = {
			.cgid = self->sb.cgid,
			.pid = pid,
			.rule_index = 3,
			.rule_name = "deny-splice-ebp",
			.sc = "splice",
			.nr = NR32_splice,
			.arch = CRS_ARCH_IA32,
			.action = D,
			.verdict = D,
			.mode = CRS_MODE_ENFORCE,
			.argmask = 0x3f,
			.args = { (uint32_t)-1, 0, (uint32_t)-1, 0, 1, 2 },
		};

		sc_ev_check(sc_ev_find(b, pid, -1), &x);
	}
	crs_events_close(ev);
	free(b);
}

/*
 * An allowlist is applied by the caller's ABI: i386 call 20 is getpid (not
 * allowed) although x86_64 call 20, writev, is; i386 call 64 is getppid,
 * allowed by its rule's i386 number.
 */
TEST_F(sc_ia32, allowlist_by_i386_number)
{
	struct evbuf *b = evbuf_new();
	struct crs_events *ev;
	struct crs_policy p;
	char sub[PATH_MAX];
	uint64_t subid;
	pid_t pid;
	long ret;

	if (self->skip)
		SKIP(free(b); return, "no ia32 emulation (int $0x80 does not work)");
	sb_subcg(_metadata, &self->sb, self->sb.cg, "allowlist", sub, &subid);
	pol_init(&p, "ia32-allowlist", CRS_MODE_ENFORCE, A, A);
	p.defaults[CRS_RULE_SYSCALL] = D;
	pol_child_basics(&p);
	pol_syscall(&p, "allow-writev", A, "*", "writev", __NR_writev, NR32_writev);
	pol_syscall(&p, "allow-getppid", A, "*", "getppid", __NR_getppid, NR32_getppid);
	sb_load(&self->sb, subid, &p);
	pol_release_all(&p);
	sb_events(&ev);

	ret = int80_in(sub, NR32_getppid, NULL, NULL);
	EXPECT_EQ((long)getpid(), ret);
	ret = int80_in(sub, NR32_getpid, NULL, &pid);
	EXPECT_EQ(-EPERM, ret);
	EXPECT_EQ(EPERM, run_in_for(sub, personality_fn, NULL, NULL, 20000));
	EXPECT_EQ(0, run_in_for(sub, getppid_fn, NULL, NULL, 20000));

	sb_fence(&self->sb, ev, b);
	{
		struct sc_expect x = {
			.cgid = subid,
			.pid = pid,
			.rule_index = CRS_RULE_INDEX_NONE,
			.rule_name = "",
			.sc = "getpid",
			.nr = NR32_getpid,
			.arch = CRS_ARCH_IA32,
			.action = D,
			.verdict = D,
			.mode = CRS_MODE_ENFORCE,
		};

		sc_ev_check(sc_ev_find(b, pid, -1), &x);
		EXPECT_EQ(1, sc_ev_count(b, pid));
	}
	crs_events_close(ev);
	free(b);
}

/*
 * i386 reaches socket(2) two ways: the direct call (359) and the socketcall
 * multiplexer (102, SYS_SOCKET). A rule denying socket must hold for both
 * (issue 5: "including socketcall demultiplexing"), else int $0x80 slips
 * past it.
 */

TEST_F(sc_ia32, socketcall_socket)
{
	uint64_t direct[6] = { AF_UNIX, SOCK_STREAM, 0 };
	uint64_t viamux[6] = { SYS_SOCKET_CALL, 0 };
	struct evbuf *b = evbuf_new();
	struct crs_events *ev;
	struct crs_policy p;
	char sub[PATH_MAX];
	uint32_t *args32;
	uint64_t subid;
	pid_t pid_d, pid_m;
	long ret;

	if (self->skip)
		SKIP(free(b); return, "no ia32 emulation (int $0x80 does not work)");
	/* socketcall's argument array, at an address i386 can name */
	args32 = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	ASSERT_NE(MAP_FAILED, args32);
	args32[0] = AF_UNIX;
	args32[1] = SOCK_STREAM;
	args32[2] = 0;
	viamux[1] = (uint64_t)(uintptr_t)args32;

	sb_subcg(_metadata, &self->sb, self->sb.cg, "socket", sub, &subid);
	pol_init(&p, "ia32-socket", CRS_MODE_ENFORCE, A, A);
	pol_syscall(&p, "deny-socket", D, "*", "socket", __NR_socket, NR32_socket);
	sb_load(&self->sb, subid, &p);
	pol_release_all(&p);

	/* outside: both make a socket (the child exits, closing it) */
	EXPECT_LE(0, int80_in(NULL, NR32_socket, direct, NULL));
	EXPECT_LE(0, int80_in(NULL, NR32_socketcall, viamux, NULL));
	sb_events(&ev);
	ret = int80_in(sub, NR32_socket, direct, &pid_d);
	EXPECT_EQ(-EPERM, ret);
	ret = int80_in(sub, NR32_socketcall, viamux, &pid_m);
	EXPECT_EQ(-EPERM, ret) {
		TH_LOG("socketcall(SYS_SOCKET) by int $0x80 got past the rule on socket");
	}
	sb_fence(&self->sb, ev, b);
	{
		const struct crs_event *e = sc_ev_find(b, pid_d, -1);

		ASSERT_NE(NULL, e);
		EXPECT_EQ(CRS_ARCH_IA32, e->arch);
		EXPECT_EQ(NR32_socket, e->syscall_nr);
		EXPECT_STREQ("socket", e->syscall);
		e = sc_ev_find(b, pid_m, -1);
		EXPECT_NE(NULL, e);
		if (e) {
			EXPECT_EQ(CRS_ARCH_IA32, e->arch);
			EXPECT_EQ(0U, e->rule_index);
		}
	}
	munmap(args32, 4096);
	crs_events_close(ev);
	free(b);
}

/*
 * socketcall(@call, {@a0, @a1, @a2, buf + 8}) by int $0x80 in @cg, the
 * argument array at an address below 4 GiB (@buf, MAP_32BIT, mapped before
 * the fork); the fourth argument is room for socketpair's two fds.
 */
static long __socketcall_in(struct __test_metadata *_metadata, struct int80_call *call,
			    uint32_t *buf, const char *cg, uint32_t sc_call, uint32_t a0,
			    uint32_t a1, uint32_t a2, pid_t *pid)
{
	uint64_t a[6] = { sc_call, (uint64_t)(uintptr_t)buf };

	buf[0] = a0;
	buf[1] = a1;
	buf[2] = a2;
	buf[3] = (uint32_t)(uintptr_t)(buf + 8);	/* socketpair's int sv[2] */
	return __int80_in(_metadata, call, cg, NR32_socketcall, a, pid);
}
#define socketcall_in(buf, cg, c, a0, a1, a2, pid) \
	__socketcall_in(_metadata, self->call, buf, cg, c, a0, a1, a2, pid)

#define SYS_SOCKETPAIR_CALL	8	/* socketcall's call number for socketpair() */

/*
 * socketcall's arguments are in user memory, which crs.ko does not read:
 * a deny rule with matchers on socket applies to every socketcall(SYS_SOCKET)
 * (fail closed), while the direct call is matched on its registers. Calls
 * no rule names go through socketcall as before.
 */
TEST_F(sc_ia32, socketcall_fail_closed)
{
	struct crs_policy_rule *r;
	struct crs_policy p;
	char sub[PATH_MAX];
	uint64_t subid;
	uint32_t *buf;
	uint64_t unix_args[6] = { AF_UNIX, SOCK_STREAM, 0 };
	uint64_t inet_args[6] = { AF_INET, SOCK_STREAM, 0 };

	if (self->skip)
		SKIP(return, "no ia32 emulation (int $0x80 does not work)");
	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		   -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	sb_subcg(_metadata, &self->sb, self->sb.cg, "socket", sub, &subid);
	pol_init(&p, "ia32-socket-args", CRS_MODE_ENFORCE, A, A);
	r = pol_syscall(&p, "deny-inet", D, "*", "socket", __NR_socket, NR32_socket);
	pol_arg(r, 0, CRS_ARG_EQ, AF_INET);
	sb_load(&self->sb, subid, &p);
	pol_release_all(&p);

	EXPECT_LE(0, socketcall_in(buf, NULL, SYS_SOCKET_CALL, AF_UNIX, SOCK_STREAM, 0, NULL));
	EXPECT_LE(0, int80_in(sub, NR32_socket, unix_args, NULL));
	EXPECT_EQ(-EPERM, int80_in(sub, NR32_socket, inet_args, NULL));
	EXPECT_EQ(-EPERM, socketcall_in(buf, sub, SYS_SOCKET_CALL, AF_INET, SOCK_STREAM, 0, NULL));
	EXPECT_EQ(-EPERM, socketcall_in(buf, sub, SYS_SOCKET_CALL, AF_UNIX, SOCK_STREAM, 0, NULL));
	EXPECT_EQ(0, socketcall_in(buf, sub, SYS_SOCKETPAIR_CALL, AF_UNIX, SOCK_STREAM, 0, NULL));
	munmap(buf, 4096);
}

/*
 * Under an allowlist a socketcall is allowed by an allow rule on its call
 * without matchers, refused by one with matchers (fail closed), and refused
 * for calls not allowed at all.
 */
TEST_F(sc_ia32, socketcall_allowlist)
{
	struct crs_policy_rule *r;
	struct crs_policy p;
	char sub[PATH_MAX];
	uint64_t subid;
	uint32_t *buf;
	uint64_t unix_args[6] = { AF_UNIX, SOCK_STREAM, 0 };
	uint64_t inet_args[6] = { AF_INET, SOCK_STREAM, 0 };

	if (self->skip)
		SKIP(return, "no ia32 emulation (int $0x80 does not work)");
	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT,
		   -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	sb_subcg(_metadata, &self->sb, self->sb.cg, "socket", sub, &subid);

	/* socket allowed outright; socketpair not allowed */
	pol_init(&p, "ia32-socket-allowlist", CRS_MODE_ENFORCE, A, A);
	p.defaults[CRS_RULE_SYSCALL] = D;
	pol_child_basics(&p);
	pol_syscall(&p, "allow-socket", A, "*", "socket", __NR_socket, NR32_socket);
	sb_load(&self->sb, subid, &p);
	pol_release_all(&p);
	EXPECT_LE(0, int80_in(sub, NR32_socket, unix_args, NULL));
	EXPECT_LE(0, socketcall_in(buf, sub, SYS_SOCKET_CALL, AF_UNIX, SOCK_STREAM, 0, NULL));
	EXPECT_EQ(-EPERM, socketcall_in(buf, sub, SYS_SOCKETPAIR_CALL, AF_UNIX, SOCK_STREAM, 0,
					NULL));

	/* socket allowed for AF_UNIX only: the direct call is matched, socketcall is not */
	pol_init(&p, "ia32-socket-allowlist-args", CRS_MODE_ENFORCE, A, A);
	p.defaults[CRS_RULE_SYSCALL] = D;
	pol_child_basics(&p);
	r = pol_syscall(&p, "allow-unix", A, "*", "socket", __NR_socket, NR32_socket);
	pol_arg(r, 0, CRS_ARG_EQ, AF_UNIX);
	sb_load(&self->sb, subid, &p);
	pol_release_all(&p);
	EXPECT_LE(0, int80_in(sub, NR32_socket, unix_args, NULL));
	EXPECT_EQ(-EPERM, int80_in(sub, NR32_socket, inet_args, NULL));
	EXPECT_EQ(-EPERM, socketcall_in(buf, sub, SYS_SOCKET_CALL, AF_UNIX, SOCK_STREAM, 0, NULL));
	munmap(buf, 4096);
}

/* x32 (only when the kernel runs x32 binaries: Debian's need syscall.x32=y). */
TEST_F(sc_ia32, x32)
{
	long *ret = (long *)self->call;
	struct evbuf *b = evbuf_new();
	struct crs_events *ev;
	pid_t pid, pid2;

	if (self->skip)
		SKIP(free(b); return, "no ia32 emulation (int $0x80 does not work)");
	*ret = 0;
	ASSERT_EQ(0, run_in(NULL, x32_getppid_fn, ret, NULL));
	if (*ret == -ENOSYS)
		SKIP(free(b); return, "x32 system calls are disabled (syscall.x32=y enables them)");
	EXPECT_EQ((long)getpid(), *ret);
	sb_events(&ev);
	ASSERT_EQ(0, run_in(self->sb.cg, x32_getppid_fn, ret, &pid));
	EXPECT_EQ(-EPERM, *ret);
	ASSERT_EQ(0, run_in(self->sb.cg, x32_personality_fn, ret, &pid2));
	EXPECT_EQ(-EPERM, *ret);
	sb_fence(&self->sb, ev, b);
	{
		const struct crs_event *e = sc_ev_find(b, pid, -1);

		ASSERT_NE(NULL, e);
		EXPECT_EQ(CRS_ARCH_X32, e->arch);
		EXPECT_EQ((uint32_t)__NR_getppid, e->syscall_nr & ~X32_BIT);
		EXPECT_EQ(0U, e->rule_index);
		EXPECT_STREQ("getppid", e->syscall);
		EXPECT_EQ(1, sc_ev_count(b, pid));
		e = sc_ev_find(b, pid2, -1);
		ASSERT_NE(NULL, e);
		EXPECT_EQ(CRS_ARCH_X32, e->arch);
		EXPECT_EQ((uint32_t)__NR_personality, e->syscall_nr & ~X32_BIT);
		EXPECT_EQ(1U, e->rule_index);
		EXPECT_STREQ("personality", e->syscall);
		EXPECT_EQ(1, sc_ev_count(b, pid2));
	}
	crs_events_close(ev);
	free(b);
}

/* ------------------------------------------------------------ allowlist */

#define NRBITS CRS_SYSCALL_NR_MAX

struct sc_collect {
	uint64_t cgid;
	uint8_t denied[NRBITS / 8];	/* x86_64 numbers of default-deny events */
	int events, foreign, gaps;
	uint64_t last_seq;
	pid_t fence_pid;
	bool fence_seen;
};

static bool bit_test(const uint8_t *m, uint32_t n)
{
	return n < NRBITS && (m[n / 8] & (1U << (n % 8)));
}

static void bit_set(uint8_t *m, uint32_t n)
{
	if (n < NRBITS)
		m[n / 8] |= 1U << (n % 8);
}

static void collect_cb(const struct crs_event *e, void *arg)
{
	struct sc_collect *c = arg;

	if (c->last_seq && e->seq != c->last_seq + 1)
		c->gaps++;
	c->last_seq = e->seq;
	if (e->pid == (uint32_t)c->fence_pid)
		c->fence_seen = true;
	if (e->type != CRS_RULE_SYSCALL || e->cgroup_id != c->cgid)
		return;
	c->events++;
	if (e->arch == CRS_ARCH_X86_64 && e->rule_index == CRS_RULE_INDEX_NONE &&
	    e->syscall_nr < NRBITS)
		bit_set(c->denied, e->syscall_nr);
	else
		c->foreign++;
}

/* sb_fence with collect_cb: every event raised so far has reached @c. */
static void __collect_fence(struct __test_metadata *_metadata, struct crs_sb *sb,
			    struct crs_events *ev, struct sc_collect *c)
{
	uint64_t deadline;
	int ret;

	ASSERT_EQ(EACCES, child_open(sb->fence_cg, sb->fence_file, O_RDONLY, &c->fence_pid));
	c->fence_seen = false;
	deadline = now_ms() + EVENT_TIMEOUT_MS;
	while (!c->fence_seen) {
		int64_t left = (int64_t)(deadline - now_ms());

		ASSERT_LT(0, left) {
			TH_LOG("the fence event did not arrive");
		}
		ret = crs_events_recv(ev, (int)left, collect_cb, c);
		ASSERT_TRUE(ret >= 0 || ret == -EAGAIN || ret == -EINTR || ret == -ETIMEDOUT) {
			TH_LOG("crs_events_recv: %s", strerror(-ret));
		}
	}
}
#define collect_fence(sb, ev, c) __collect_fence(_metadata, sb, ev, c)

/* An allowlist: syscall default deny, allow rules for the numbers in @set. */
static void __allowlist(struct __test_metadata *_metadata, struct crs_policy *p,
			enum crs_mode mode, const uint8_t *set)
{
	uint32_t nr;

	pol_init(p, "allowlist", mode, A, A);
	p->defaults[CRS_RULE_SYSCALL] = D;
	for (nr = 0; nr < NRBITS; nr++) {
		const char *name;

		if (!bit_test(set, nr))
			continue;
		uint32_t nr64, nr32;

		name = sc_name64(nr);
		ASSERT_NE(NULL, name) {
			TH_LOG("x86_64 syscall %u has no name in libcrsnl", nr);
		}
		ASSERT_EQ(0, crs_syscall_lookup(name, &nr64, &nr32));
		ASSERT_EQ(nr, nr64);
		pol_syscall(p, name, A, "*", name, nr, nr32);
	}
}
#define allowlist(p, mode, set) __allowlist(_metadata, p, mode, set)

FIXTURE(sc_allowlist) {
	struct crs_sb sb;
	char out[PATH_MAX];
	char script[PATH_MAX + 256];
};

FIXTURE_SETUP(sc_allowlist)
{
	if (!have_busybox())
		return;
	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "out", self->out);
	/* a subshell (fork, pipe, wait), a file written and read back */
	snprintf(self->script, sizeof(self->script),
		 "x=$(echo ok); [ \"$x\" = ok ] || exit 1; echo \"$x\" > %s || exit 2; "
		 "read y < %s; [ \"$y\" = ok ] || exit 3; exit 42", self->out, self->out);
}

FIXTURE_TEARDOWN(sc_allowlist)
{
	if (self->sb.nl)
		sb_teardown(&self->sb);
}

struct raw_call {
	long nr;
};

static int raw_call_fn(void *arg)
{
	const struct raw_call *c = arg;

	return ret_errno(syscall(c->nr, 0, 0, 0, 0, 0, 0));
}

/*
 * Find what "busybox sh -c SCRIPT" needs (monitor mode: the would-be denials
 * of an allowlist, until a round adds nothing), then enforce exactly that:
 * the script runs to its end, and a call outside the set is refused with
 * EPERM and reported as the default's decision.
 */
TEST_F_TIMEOUT(sc_allowlist, busybox_script, 240)
{
	static const long outside[] = {
		__NR_uname, __NR_sysinfo, __NR_getpriority, __NR_getppid, __NR_times,
		__NR_getcpu, __NR_getpgid,
	};
	char *argv[] = { "sh", "-c", self->script, NULL };
	struct sc_collect *c = calloc(1, sizeof(*c));
	struct evbuf *b = evbuf_new();
	uint8_t set[NRBITS / 8];
	struct crs_events *ev;
	struct crs_status st;
	struct crs_policy p;
	struct raw_call rc;
	char content[16] = "";
	int round, got, n, fd;
	uint32_t nr;
	size_t i;
	pid_t pid;

	if (!have_busybox())
		SKIP(free(c); free(b); return, "no " BUSYBOX);
	ASSERT_NE(NULL, c);
	memset(set, 0, sizeof(set));
	sb_events(&ev);
	sb_fence(&self->sb, ev, b);	/* makes the fence cgroup */
	c->cgid = self->sb.cgid;

	for (round = 0; round < 6; round++) {
		int gaps = c->gaps;

		memset(c->denied, 0, sizeof(c->denied));
		allowlist(&p, CRS_MODE_MONITOR, set);
		sb_load(&self->sb, self->sb.cgid, &p);
		pol_release_all(&p);
		got = child_exec(self->sb.cg, BUSYBOX, argv, &pid);
		ASSERT_EQ(EXEC_OK, got);
		collect_fence(&self->sb, ev, c);
		for (n = 0, nr = 0; nr < NRBITS; nr++) {
			if (bit_test(c->denied, nr) && !bit_test(set, nr)) {
				bit_set(set, nr);
				n++;
			}
		}
		TH_LOG("round %d: %d new syscalls, %d events, %d foreign, %d seq gaps",
		       round, n, c->events, c->foreign, c->gaps - gaps);
		if (!n && c->gaps == gaps)
			break;
	}
	ASSERT_GT(6, round) {
		TH_LOG("the set did not settle");
	}
	for (i = 0, nr = 0; nr < NRBITS; nr++) {
		if (bit_test(set, nr)) {
			TH_LOG("allowed: %s (%u)", sc_name64(nr), nr);
			i++;
		}
	}
	ASSERT_LT(5, i);
	/*
	 * The test's own children need close (cg_join) besides the call they
	 * make, and exit_group (which the module may allow unasked: a task
	 * must be able to die).
	 */
	ASSERT_TRUE(bit_test(set, __NR_close));

	/* enforce exactly that set */
	unlink(self->out);
	allowlist(&p, CRS_MODE_ENFORCE, set);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
	sc_status(self->sb.nl, &st);
	EXPECT_LT(0U, st.dispatch_probes);
	EXPECT_GE(3U, st.dispatch_probes);
	b->n = 0;
	got = child_exec(self->sb.cg, BUSYBOX, argv, &pid);
	EXPECT_EQ(EXEC_OK, got);
	fd = open(self->out, O_RDONLY);
	EXPECT_LE(0, fd);
	if (fd >= 0) {
		EXPECT_LT(0, read(fd, content, sizeof(content) - 1));
		close(fd);
	}
	EXPECT_STREQ("ok\n", content);

	/* a call outside the set */
	for (i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		if (!bit_test(set, outside[i]))
			break;
	ASSERT_GT(sizeof(outside) / sizeof(outside[0]), i);
	rc.nr = outside[i];
	got = run_in_for(NULL, raw_call_fn, &rc, NULL, 20000);
	ASSERT_NE(EPERM, got);
	got = run_in_for(self->sb.cg, raw_call_fn, &rc, &pid, 20000);
	EXPECT_EQ(EPERM, got) {
		TH_LOG("%s outside the allowlist", sc_name64(rc.nr));
	}
	sb_fence(&self->sb, ev, b);
	{
		struct sc_expect x = {
			.cgid = self->sb.cgid,
			.pid = pid,
			.rule_index = CRS_RULE_INDEX_NONE,
			.rule_name = "",
			.sc = sc_name64(rc.nr),
			.nr = (uint32_t)rc.nr,
			.arch = CRS_ARCH_X86_64,
			.action = D,
			.verdict = D,
			.mode = CRS_MODE_ENFORCE,
			.argmask = 0x3f,
		};

		sc_ev_check(sc_ev_find(b, pid, rc.nr), &x);
		EXPECT_EQ(1, sc_ev_count(b, pid));
	}
	crs_events_close(ev);
	free(b);
	free(c);
}

/* --------------------------------------------------------------- probes */

FIXTURE(sc_probes) {
	struct crs_sb sb;
	char sub[PATH_MAX];
	uint64_t subid;
};

FIXTURE_SETUP(sc_probes)
{
	sb_setup(_metadata, &self->sb);
	sb_subcg(_metadata, &self->sb, self->sb.cg, "sub", self->sub, &self->subid);
}

FIXTURE_TEARDOWN(sc_probes)
{
	sb_teardown(&self->sb);
}

/*
 * Probes exist for the syscalls some table names, counted once however many
 * tables and rules name them, and go when the last table naming them goes
 * (deleted or replaced). An allowlist adds the dispatcher probes.
 */
TEST_F_TIMEOUT(sc_probes, follow_tables, 120)
{
	struct crs_status s0, st;
	struct crs_err err = {0};
	struct crs_policy_rule *r;
	struct crs_policy p;
	uint32_t sys0, disp0;

	sc_status(self->sb.nl, &s0);
	sys0 = s0.syscall_probes;
	disp0 = s0.dispatch_probes;
	if (s0.tables == 0) {
		/* no table: no probe (once the last test's tables are freed) */
		sc_status_settle(self->sb.nl, &s0, 0, 0);
		sys0 = disp0 = 0;
	}
	EXPECT_EQ(0, run_in(self->sb.cg, getppid_fn, NULL, NULL));

	/* A: getppid, ptrace (twice), unshare */
	pol_init(&p, "probes-a", CRS_MODE_ENFORCE, A, A);
	pol_syscall(&p, "getppid", D, "*", "getppid", __NR_getppid, NR32_getppid);
	r = pol_syscall(&p, "ptrace-attach", D, "*", "ptrace", __NR_ptrace, NR32_ptrace);
	pol_arg(r, 0, CRS_ARG_EQ, PTRACE_ATTACH);
	r = pol_syscall(&p, "ptrace-seize", D, "*", "ptrace", __NR_ptrace, NR32_ptrace);
	pol_arg(r, 0, CRS_ARG_EQ, PTRACE_SEIZE);
	pol_syscall(&p, "unshare", D, "*", "unshare", __NR_unshare, NR32_unshare);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
	/* registration is synchronous: the table is in force when SET_TABLE returns */
	sc_status(self->sb.nl, &st);
	EXPECT_EQ(sys0 + 3, st.syscall_probes);
	EXPECT_EQ(disp0, st.dispatch_probes);
	EXPECT_EQ(EPERM, run_in(self->sb.cg, getppid_fn, NULL, NULL));
	EXPECT_EQ(0, run_in(NULL, getppid_fn, NULL, NULL));

	/* B on the child cgroup: ptrace (shared with A), mount */
	pol_init(&p, "probes-b", CRS_MODE_ENFORCE, A, A);
	pol_syscall(&p, "ptrace", D, "*", "ptrace", __NR_ptrace, NR32_ptrace);
	pol_syscall(&p, "mount", D, "*", "mount", __NR_mount, NR32_mount);
	sb_load(&self->sb, self->subid, &p);
	pol_release_all(&p);
	sc_status(self->sb.nl, &st);
	EXPECT_EQ(sys0 + 4, st.syscall_probes);
	/* B decides for sub: getppid is allowed there */
	EXPECT_EQ(0, run_in(self->sub, getppid_fn, NULL, NULL));

	/* A goes: getppid and unshare are released, ptrace stays for B */
	ASSERT_EQ(0, crs_nl_del_table(self->sb.nl, self->sb.cgid, &err)) {
		TH_LOG("del: %s", err.msg);
	}
	EXPECT_EQ(0, run_in(self->sb.cg, getppid_fn, NULL, NULL));
	sc_status_settle(self->sb.nl, &st, sys0 + 2, disp0);

	/* B replaced by a table naming only personality */
	pol_init(&p, "probes-b2", CRS_MODE_ENFORCE, A, A);
	pol_syscall(&p, "personality", D, "*", "personality", __NR_personality,
		    NR32_personality);
	sb_load(&self->sb, self->subid, &p);
	pol_release_all(&p);
	EXPECT_EQ(EPERM, run_in(self->sub, personality_fn, NULL, NULL));
	sc_status_settle(self->sb.nl, &st, sys0 + 1, disp0);

	/* B goes */
	ASSERT_EQ(0, crs_nl_del_table(self->sb.nl, self->subid, &err));
	EXPECT_EQ(0, run_in(self->sub, personality_fn, NULL, NULL));
	sc_status_settle(self->sb.nl, &st, sys0, disp0);

	/* an allowlist: the dispatchers (x64_sys_call, ia32_sys_call, x32_sys_call) */
	pol_init(&p, "probes-allowlist", CRS_MODE_ENFORCE, A, A);
	p.defaults[CRS_RULE_SYSCALL] = D;
	pol_child_basics(&p);
	sb_load(&self->sb, self->sb.cgid, &p);
	sc_status(self->sb.nl, &st);
	EXPECT_LT(disp0, st.dispatch_probes);
	EXPECT_GE(3U, st.dispatch_probes);
	EXPECT_EQ(EPERM, run_in_for(self->sb.cg, getppid_fn, NULL, NULL, 20000));
	EXPECT_EQ(EPERM, run_in_for(self->sb.cg, personality_fn, NULL, NULL, 20000));

	/* a second allowlist shares them */
	sb_load(&self->sb, self->subid, &p);
	pol_release_all(&p);
	s0 = st;
	sc_status(self->sb.nl, &st);
	EXPECT_EQ(s0.dispatch_probes, st.dispatch_probes);
	ASSERT_EQ(0, crs_nl_del_table(self->sb.nl, self->subid, &err));
	sc_status(self->sb.nl, &st);
	usleep(200000);
	sc_status(self->sb.nl, &st);
	EXPECT_EQ(s0.dispatch_probes, st.dispatch_probes);	/* the first still needs them */
	EXPECT_EQ(EPERM, run_in_for(self->sb.cg, getppid_fn, NULL, NULL, 20000));
	ASSERT_EQ(0, crs_nl_del_table(self->sb.nl, self->sb.cgid, &err));
	EXPECT_EQ(0, run_in(self->sb.cg, getppid_fn, NULL, NULL));
	EXPECT_EQ(0, run_in(self->sb.cg, personality_fn, NULL, NULL));
	sc_status_settle(self->sb.nl, &st, sys0, disp0);
}

/* --------------------------------------------------------------- stress */

#define STRESS_PROCS	4
#define STRESS_CALLS	5000

FIXTURE(sc_stress) {
	struct crs_sb sb;
};

FIXTURE_SETUP(sc_stress)
{
	struct crs_policy p;

	sb_setup(_metadata, &self->sb);
	pol_init(&p, "sc-stress", CRS_MODE_ENFORCE, A, A);
	pol_decoy(&p);
	pol_syscall(&p, "deny-getppid", D, "*", "getppid", __NR_getppid, NR32_getppid);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
}

FIXTURE_TEARDOWN(sc_stress)
{
	sb_teardown(&self->sb);
}

/*
 * STRESS_PROCS processes in the cgroup call getppid STRESS_CALLS times each,
 * all at once: every call is refused, and the module counts exactly that
 * many denials (globally, for the table and for the rule) with no missed
 * probe hit.
 */
/*
 * The body of the stress tests: @deny_rule is the index of the rule that
 * refuses getppid, or -1 when the default does (an allowlist).
 */
static void __stress_run(struct __test_metadata *_metadata, struct crs_sb *sb, int deny_rule)
{
	const uint64_t total = (uint64_t)STRESS_PROCS * STRESS_CALLS;
	struct crs_table_info *t = NULL;
	struct crs_err err = {0};
	struct crs_status s0, s1;
	int go[2], i, k, status;
	pid_t pids[STRESS_PROCS];
	int *bad;
	size_t n = 0;
	char c;

	bad = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	memset(bad, 0, 4096);
	ASSERT_EQ(0, pipe(go));
	/* the children join before s0 is read: joining is not a decision */
	for (i = 0; i < STRESS_PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (pids[i] == 0) {
			close(go[1]);
			if (cg_join(sb->cg))
				_exit(CHILD_SETUP_FAILED);
			if (read(go[0], &c, 1) != 0)
				_exit(CHILD_SETUP_FAILED);
			for (k = 0; k < STRESS_CALLS; k++)
				if (syscall(SYS_getppid) != -1 || errno != EPERM)
					__atomic_fetch_add(&bad[i], 1, __ATOMIC_RELAXED);
			_exit(0);
		}
	}
	close(go[0]);
	usleep(200000);		/* let them all reach the read */
	sc_status(sb->nl, &s0);
	close(go[1]);		/* go */
	for (i = 0; i < STRESS_PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_EQ(0, status);
		EXPECT_EQ(0, bad[i]) {
			TH_LOG("child %d: %d calls not refused with EPERM", i, bad[i]);
		}
	}
	sc_status(sb->nl, &s1);
	EXPECT_EQ(total, s1.denied - s0.denied);
	EXPECT_EQ(s0.syscall_missed, s1.syscall_missed);
	EXPECT_EQ(0ULL, s1.syscall_missed);
	for (i = 0; i < (int)s1.n_probes; i++) {
		EXPECT_EQ(s0.probes[i].missed, s1.probes[i].missed) {
			TH_LOG("probe %s", s1.probes[i].symbol);
		}
	}
	ASSERT_EQ(0, crs_nl_get_tables(sb->nl, sb->cgid, &t, &n, &err)) {
		TH_LOG("get_tables: %s", err.msg);
	}
	ASSERT_EQ(1U, n);
	EXPECT_EQ(total, t[0].denied);
	if (deny_rule >= 0) {
		ASSERT_LT((uint32_t)deny_rule, t[0].nrules);
		EXPECT_EQ(total, t[0].rules[deny_rule].hits);
	} else {
		EXPECT_EQ(total, t[0].by_default);
	}
	crs_table_info_free(t, n);
	munmap(bad, 4096);
}
#define stress_run(sb, rule) __stress_run(_metadata, sb, rule)

TEST_F_TIMEOUT(sc_stress, concurrent_denials, 300)
{
	stress_run(&self->sb, 1);
}

/* The same under an allowlist: decided at the dispatchers, by the default. */
FIXTURE(sc_stress_allowlist) {
	struct crs_sb sb;
};

FIXTURE_SETUP(sc_stress_allowlist)
{
	struct crs_policy p;

	sb_setup(_metadata, &self->sb);
	pol_init(&p, "sc-stress-allowlist", CRS_MODE_ENFORCE, A, A);
	p.defaults[CRS_RULE_SYSCALL] = D;
	pol_child_basics(&p);
	pol_syscall(&p, "allow-read", A, "*", "read", __NR_read, 3);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
}

FIXTURE_TEARDOWN(sc_stress_allowlist)
{
	sb_teardown(&self->sb);
}

TEST_F_TIMEOUT(sc_stress_allowlist, concurrent_denials, 300)
{
	stress_run(&self->sb, -1);
}

struct thread_call {
	pid_t tid;
	int err;
};

static void *thread_getppid(void *arg)
{
	struct thread_call *t = arg;

	t->tid = (pid_t)syscall(SYS_gettid);
	t->err = syscall(SYS_getppid) < 0 ? errno : 0;
	return NULL;
}

static int thread_fn(void *arg)
{
	pthread_t th;

	if (pthread_create(&th, NULL, thread_getppid, arg))
		return CHILD_SETUP_FAILED;
	pthread_join(th, NULL);
	return 0;
}

/* A second thread's denied call: the event names the process and the thread. */
TEST_F(sc_stress, thread_event)
{
	struct thread_call *t;
	struct evbuf *b = evbuf_new();
	const struct crs_event *e;
	struct crs_events *ev;
	pid_t pid;

	t = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, t);
	sb_events(&ev);
	ASSERT_EQ(0, run_in(self->sb.cg, thread_fn, t, &pid));
	EXPECT_EQ(EPERM, t->err);
	EXPECT_NE(pid, t->tid);
	sb_fence(&self->sb, ev, b);
	e = sc_ev_find(b, pid, -1);
	ASSERT_NE(NULL, e);
	EXPECT_EQ((uint32_t)pid, e->pid);
	EXPECT_EQ((uint32_t)t->tid, e->tid);
	EXPECT_EQ(1U, e->rule_index);
	EXPECT_STREQ("getppid", e->syscall);
	munmap(t, 4096);
	crs_events_close(ev);
	free(b);
}

/* ------------------------------------------- one call, one decision */

/*
 * Calls without arguments (SYSCALL_DEFINE0: getppid, getpid, ...) have
 * x86_64 and ia32 entry points at one address (__ia32_sys_getppid is an
 * alias of __x64_sys_getppid). Each call must still be decided once, in its
 * own ABI: a 64-bit getppid is x86_64 call 110, an int $0x80 getppid is
 * i386 call 64; one event each, one count each. Compared with personality,
 * whose entry points differ.
 */
FIXTURE(sc_once) {
	struct crs_sb sb;
	struct int80_call *call;
	bool ia32;
};

FIXTURE_VARIANT(sc_once) {
	enum crs_mode mode;
};

FIXTURE_VARIANT_ADD(sc_once, enforce) { .mode = CRS_MODE_ENFORCE };
FIXTURE_VARIANT_ADD(sc_once, monitor) { .mode = CRS_MODE_MONITOR };

FIXTURE_SETUP(sc_once)
{
	struct crs_policy p;
	int st;

	self->call = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->call);
	memset(self->call, 0, sizeof(*self->call));
	self->call->nr = NR32_getpid;
	st = run_in(NULL, int80_fn, self->call, NULL);
	self->ia32 = st == 0 && self->call->ret > 0;
	sb_setup(_metadata, &self->sb);
	pol_init(&p, "sc-once", variant->mode, A, A);
	pol_syscall(&p, "deny-getppid", D, "*", "getppid", __NR_getppid, NR32_getppid);
	pol_syscall(&p, "deny-personality", D, "*", "personality", __NR_personality,
		    NR32_personality);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
}

FIXTURE_TEARDOWN(sc_once)
{
	sb_teardown(&self->sb);
	if (self->call && self->call != MAP_FAILED)
		munmap(self->call, 4096);
}

struct once_case {
	const char *sc;
	uint32_t rule;
	bool int80;
	uint32_t nr;		/* in the ABI used */
};

static int once_fn(void *arg)
{
	const struct once_case *c = arg;
	long r;

	if (c->int80) {
		r = int80(c->nr, 0xffffffff, 0, 0, 0, 0, 0);
		return r < 0 ? (int)-r : 0;
	}
	return ret_errno(syscall(c->nr, 0xffffffffUL, 0, 0, 0, 0, 0));
}

TEST_F(sc_once, one_decision_per_call)
{
	static const struct once_case cases[] = {
		{ "getppid", 0, false, __NR_getppid },
		{ "personality", 1, false, __NR_personality },
		{ "getppid", 0, true, NR32_getppid },
		{ "personality", 1, true, NR32_personality },
	};
	bool enforce = variant->mode == CRS_MODE_ENFORCE;
	struct evbuf *b = evbuf_new();
	struct crs_status s0, s1;
	struct crs_events *ev;
	pid_t pid[4];
	int i, n = 0;

	sb_events(&ev);
	sc_status(self->sb.nl, &s0);
	for (i = 0; i < 4; i++) {
		pid[i] = 0;
		if (cases[i].int80 && !self->ia32)
			continue;
		EXPECT_EQ(enforce ? EPERM : 0,
			  run_in(self->sb.cg, once_fn, (void *)&cases[i], &pid[i])) {
			TH_LOG("%s%s", cases[i].sc, cases[i].int80 ? " by int $0x80" : "");
		}
		n++;
	}
	sc_status(self->sb.nl, &s1);
	if (enforce) {
		EXPECT_EQ((uint64_t)n, s1.denied - s0.denied);
	} else {
		EXPECT_EQ((uint64_t)n, s1.monitored - s0.monitored);
	}
	sb_fence(&self->sb, ev, b);
	for (i = 0; i < 4; i++) {
		struct sc_expect x = {
			.cgid = self->sb.cgid,
			.pid = pid[i],
			.rule_index = cases[i].rule,
			.rule_name = cases[i].rule ? "deny-personality" : "deny-getppid",
			.sc = cases[i].sc,
			.nr = cases[i].nr,
			.arch = cases[i].int80 ? CRS_ARCH_IA32 : CRS_ARCH_X86_64,
			.action = enforce ? D : A,
			.verdict = D,
			.mode = variant->mode,
		};

		if (!pid[i])
			continue;
		EXPECT_EQ(1, sc_ev_count(b, pid[i])) {
			TH_LOG("%s%s", cases[i].sc, cases[i].int80 ? " by int $0x80" : "");
		}
		sc_ev_check(sc_ev_find(b, pid[i], -1), &x);
	}
	crs_events_close(ev);
	free(b);
}

/* ------------------------------------------------------ ignored_syscalls */

FIXTURE(sc_ignored) {
	struct crs_sb sb;
};

FIXTURE_VARIANT(sc_ignored) {
	enum crs_mode mode;
};

FIXTURE_VARIANT_ADD(sc_ignored, enforce) { .mode = CRS_MODE_ENFORCE };
FIXTURE_VARIANT_ADD(sc_ignored, monitor) { .mode = CRS_MODE_MONITOR };

FIXTURE_SETUP(sc_ignored)
{
	struct crs_policy p;

	sb_setup(_metadata, &self->sb);
	pol_init(&p, "sc-ignored", variant->mode, A, A);
	pol_syscall(&p, "deny-getppid", D, "*", "getppid", __NR_getppid, NR32_getppid);
	pol_syscall(&p, "deny-personality", D, "*", "personality", __NR_personality,
		    NR32_personality);
	pol_ignore(&p, "getppid");
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
}

FIXTURE_TEARDOWN(sc_ignored)
{
	sb_teardown(&self->sb);
}

/* getppid is decided as always but reported never; personality is reported. */
TEST_F(sc_ignored, no_event)
{
	bool enforce = variant->mode == CRS_MODE_ENFORCE;
	struct sc_expect x = {
		.cgid = self->sb.cgid,
		.rule_index = 1,
		.rule_name = "deny-personality",
		.sc = "personality",
		.nr = __NR_personality,
		.arch = CRS_ARCH_X86_64,
		.action = enforce ? D : A,
		.verdict = D,
		.mode = variant->mode,
	};
	struct evbuf *b = evbuf_new();
	struct crs_events *ev;
	pid_t pid_ign, pid_rep;

	sb_events(&ev);
	EXPECT_EQ(enforce ? EPERM : 0, run_in(self->sb.cg, getppid_fn, NULL, &pid_ign));
	EXPECT_EQ(enforce ? EPERM : 0, run_in(self->sb.cg, personality_fn, NULL, &pid_rep));
	sb_fence(&self->sb, ev, b);
	EXPECT_EQ(0, ev_count(b, pid_ign));
	x.pid = pid_rep;
	sc_ev_check(sc_ev_find(b, pid_rep, -1), &x);
	crs_events_close(ev);
	free(b);
}

/* The same through int $0x80 (the i386 bitmap). */
TEST_F(sc_ignored, no_event_ia32)
{
	bool enforce = variant->mode == CRS_MODE_ENFORCE;
	struct evbuf *b = evbuf_new();
	struct int80_call *call;
	struct crs_events *ev;
	pid_t pid;
	int st;

	call = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, call);
	memset(call, 0, sizeof(*call));
	call->nr = NR32_getpid;
	st = run_in(NULL, int80_fn, call, NULL);
	if (st != 0 || call->ret <= 0) {
		munmap(call, 4096);
		SKIP(free(b); return, "no ia32 emulation (int $0x80 does not work)");
	}
	sb_events(&ev);
	memset(call, 0, sizeof(*call));
	call->nr = NR32_getppid;
	EXPECT_EQ(0, run_in(self->sb.cg, int80_fn, call, &pid));
	EXPECT_EQ(enforce ? -EPERM : (long)getpid(), call->ret);
	sb_fence(&self->sb, ev, b);
	EXPECT_EQ(0, ev_count(b, pid));
	munmap(call, 4096);
	crs_events_close(ev);
	free(b);
}

CRS_SELFTEST_MAIN
