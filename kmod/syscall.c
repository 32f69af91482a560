// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall rules: kprobes on the entry points of the system calls that some
 * table names, decided on the saved user registers (never user memory).
 *
 * A named syscall is probed at every entry point the kernel dispatches it
 * to, found by number in this kernel's own syscall tables: the x86_64 entry
 * (which x32 shares for most calls), x32's own compat version where it has
 * one, and the ia32 entry (compat version if any) for int 0x80, sysenter
 * and 32-bit processes. Probes are reference-counted by the tables
 * that name the syscall and unregistered when none does, so a syscall no
 * rule names costs nothing. A table whose syscall default is deny (an
 * allowlist) cannot know which syscalls it will see, so it probes the
 * dispatchers (x64_sys_call, ia32_sys_call, x32_sys_call) instead, and is
 * decided there only. A denied call returns -EPERM without running.
 */
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <asm/compat.h>
#include <net/genetlink.h>
#include <asm/unistd.h>
#include <asm/unistd_32_ia32.h>
#include "compat/compat.h"
#include "counters.h"
#include "event.h"
#include "hooks.h"
#include "learn.h"
#include "progcache.h"
#include "syscall.h"
#include "table.h"

/*
 * The kernel's own syscall tables, compiled in from the build's generated
 * headers: number -> entry point. Userspace names a syscall by its uapi
 * name and numbers; the entry point is not always "sys_" + that name
 * (x86_64 uname is sys_newuname, stat is sys_newstat, ...), so probes are
 * placed by number, exactly where the dispatchers of this kernel go.
 */
#define __SYSCALL(nr, sym) [nr] = #sym,
#define __SYSCALL_NORETURN(nr, sym) [nr] = #sym,
static const char *const tbl64[] = {
#include <asm/syscalls_64.h>
};
static const char *const tblx32[] = {
#ifdef CONFIG_X86_X32_ABI
#include <asm/syscalls_x32.h>
#else
	[0] = NULL,	/* no x32 in this kernel */
#endif
};
#undef __SYSCALL
#undef __SYSCALL_NORETURN

struct entry32 {
	const char *native;
	const char *compat;
};

#define __SYSCALL(nr, sym) [nr] = { #sym, NULL },
#define __SYSCALL_NORETURN(nr, sym) [nr] = { #sym, NULL },
#define __SYSCALL_WITH_COMPAT(nr, native, compat) [nr] = { #native, #compat },
static const struct entry32 tbl32[] = {
#include <asm/syscalls_32.h>
};
#undef __SYSCALL
#undef __SYSCALL_NORETURN
#undef __SYSCALL_WITH_COMPAT

#define X32_FIRST	512	/* x32's own compat calls start here */
#define NENTRY		4	/* x86_64 (and shared x32), x32 compat, ia32, socketcall */

/*
 * ia32's socketcall(call, args) multiplexes the socket calls; its arguments
 * are in user memory, which we never read. A rule on a socket call also
 * probes socketcall, matched on the call number only: rules with argument
 * matchers apply there if they deny (fail closed), not if they allow.
 */
static const struct { const char *x64; u8 call; } socketcalls[] = {
	{ "sys_socket", 1 },	 { "sys_bind", 2 },	   { "sys_connect", 3 },
	{ "sys_listen", 4 },	 { "sys_accept", 5 },	   { "sys_getsockname", 6 },
	{ "sys_getpeername", 7 }, { "sys_socketpair", 8 },  { "sys_sendto", 9 },
	{ "sys_recvfrom", 10 },	 { "sys_sendto", 11 },	   { "sys_recvfrom", 12 },
	{ "sys_shutdown", 13 },	 { "sys_setsockopt", 14 }, { "sys_getsockopt", 15 },
	{ "sys_sendmsg", 16 },	 { "sys_recvmsg", 17 },	   { "sys_accept4", 18 },
	{ "sys_recvmmsg", 19 },	 { "sys_sendmmsg", 20 },
};

/* Bit (1 << call) for every socketcall call that is x86_64 syscall @nr64. */
static u32 socketcall_mask(u32 nr64)
{
	u32 i, mask = 0;

	if (nr64 >= ARRAY_SIZE(tbl64) || !tbl64[nr64])
		return 0;
	for (i = 0; i < ARRAY_SIZE(socketcalls); i++)
		if (!strcmp(tbl64[nr64], socketcalls[i].x64))
			mask |= 1U << socketcalls[i].call;
	return mask;
}

static bool implemented(const char *entry)
{
	return entry && strcmp(entry, "sys_ni_syscall");
}

/* x32's number of the compat twin of x86_64 syscall @nr64, or 0 */
static u32 x32_twin(u32 nr64)
{
	const char *base;
	u32 i;

	if (nr64 >= ARRAY_SIZE(tbl64) || !tbl64[nr64] || strncmp(tbl64[nr64], "sys_", 4))
		return 0;
	base = tbl64[nr64] + 4;
	for (i = X32_FIRST; i < ARRAY_SIZE(tblx32); i++)
		if (tblx32[i] && !strncmp(tblx32[i], "compat_sys_", 11) &&
		    !strcmp(tblx32[i] + 11, base))
			return i;
	return 0;
}

/* The x86_64 number whose x32 compat twin is x32 syscall @xnr (>= 512). */
static u32 x32_to_64(u32 xnr)
{
	u32 nr;

	for (nr = 0; nr < ARRAY_SIZE(tbl64); nr++)
		if (x32_twin(nr) == xnr)
			return nr;
	return CRS_SYSCALL_NONE;
}

struct sys_kp {
	struct kprobe kp;
	struct crs_sysprobe *sp;
	u8 arch;
	u32 report_nr;	/* the number as the caller's ABI has it */
	u32 calls;	/* socketcall entry: the call numbers (bits) that are ours */
	char symbol[KSYM_NAME_LEN];
};

/**
 * struct crs_sysprobe - the probes of one syscall (identified by its numbers)
 * @name: syscall name, as the first table that named it said
 * @nr64: x86_64 number (CRS_SYSCALL_NONE if none)
 * @nr32: i386 number (CRS_SYSCALL_NONE if none)
 * @refs: tables naming it (sysprobe_lock)
 * @nkp: registered entries of @kps
 * @kps: one probe per entry point that exists
 */
struct crs_sysprobe {
	char name[CRS_SYSCALL_NAME_MAX + 1];
	u32 nr64;
	u32 nr32;
	u32 refs;
	u32 nkp;
	struct sys_kp kps[NENTRY];
};

static DEFINE_MUTEX(sysprobe_lock);
static struct crs_sysprobe *slots[CRS_MAX_SYSCALLS];
static u32 dispatch_refs;

/* ---------------------------------------------------------- decisions */

/* Calls an allowlist never refuses: refusing them wedges or kills a task. */
static bool always_allowed(bool ia32, u32 nr)
{
	if (ia32)
		return nr == __NR_ia32_exit || nr == __NR_ia32_exit_group ||
		       nr == __NR_ia32_rt_sigreturn || nr == __NR_ia32_sigreturn ||
		       nr == __NR_ia32_restart_syscall;
	return nr == __NR_exit || nr == __NR_exit_group || nr == __NR_rt_sigreturn ||
	       nr == __NR_restart_syscall;
}

/*
 * Decide a syscall of current. @at_dispatcher: called from a dispatcher
 * probe (allowlist tables are decided there, all others at the entry
 * points, so no call is decided twice).
 */
static const u64 no_args[6];

/* Whether a rule of @t names syscall @nr (i386 numbering if @ia32). */
static bool named(const struct crs_table *t, bool ia32, u32 nr)
{
	const u32 *heads = ia32 ? t->sys32 : t->sys64;

	return heads && nr < CRS_SYSCALL_NR_MAX && heads[nr] != CRS_NO_RULE;
}

/*
 * @nr: the number rules are indexed by (i386 for ia32 calls, except
 * socketcall's, which are decided by x86_64 number with @args NULL).
 */
static int decide_syscall(u32 arch, u32 nr, u32 report_nr, const char *name,
			  const u64 *args, bool at_dispatcher)
{
	bool ia32 = arch == CRS_ARCH_IA32;
	struct crs_event_info ev;
	struct crs_cgroup *cg;
	const struct crs_table *t;
	struct crs_learn *learn = NULL;
	const char *prog;
	size_t prog_len, size;
	unsigned long *ignored;
	u32 mode, rule, verdict;
	bool report, decides;
	u64 own_id;
	char *buf;
	int ret = 0;

	crs_count(hook_calls);
	if (!crs_registry_active())
		return 0;

	rcu_read_lock();
	cg = crs_registry_find_current(&own_id);
	if (!cg)
		goto out;
	t = rcu_dereference(cg->table);
	decides = crs_table_is_allowlist(t) == at_dispatcher;
	if (!decides && !at_dispatcher)
		goto out;	/* an allowlist: its dispatcher probe decides */
	if (decides && !t->sys64 && !at_dispatcher)
		goto out;	/* probed for another table */
	learn = crs_learning(cg, t);
	if (!decides && !learn)
		goto out;	/* a dispatcher armed for another cgroup */
	mode = crs_effective_mode(cg, t);
	if (mode == CRS_MODE_DISABLED)
		goto out;
	ignored = ia32 && args ? t->ignored32 : t->ignored64;
	/*
	 * Each call is recorded once, where its outcome is known: under an
	 * allowlist at the dispatcher; under another table a call one of its
	 * rules names at the entry probe that decides it, any other call at
	 * the dispatcher, where the default (not deny) allows it with no
	 * match. Ignored syscalls, and numbers no rule could name, are never
	 * recorded.
	 */
	if (learn && (nr == CRS_SYSCALL_NONE ||
		      (ignored && nr < CRS_SYSCALL_NR_MAX && test_bit(nr, ignored)) ||
		      (!crs_table_is_allowlist(t) && named(t, ia32 && args, nr) == at_dispatcher)))
		learn = NULL;
	if (!decides) {
		if (learn)
			crs_learn_record_syscall(learn, cg->id, ia32 && args ? CRS_ARCH_IA32 :
						 CRS_ARCH_X86_64, nr, NULL, 0, CRS_OBS_ALLOWED);
		goto out;
	}
	if (at_dispatcher && args && always_allowed(ia32, nr)) {
		if (learn)
			crs_learn_record_syscall(learn, cg->id, ia32 ? CRS_ARCH_IA32 : CRS_ARCH_X86_64,
						 nr, NULL, 0, CRS_OBS_ALLOWED);
		goto out;
	}
	if (nr == CRS_SYSCALL_NONE && !at_dispatcher)
		goto out;
	crs_count(policed);

	buf = crs_scratch_prog(&size);
	prog = crs_prog_path(buf, size, &prog_len);
	/* socketcall: an ia32 call decided by its x86_64 number, args unknown */
	rule = crs_table_match_syscall(t, ia32 && args, nr, args, prog, prog_len);
	verdict = rule == CRS_NO_RULE ? t->defaults[CRS_RULE_SYSCALL] : t->rules[rule].action;
	if (rule != CRS_NO_RULE) {
		atomic64_inc(&t->rules[rule].hits);
		name = t->rules[rule].syscall;
	}
	ret = crs_settle(cg, t, mode, rule, verdict, -EPERM, &report);
	if (learn)
		crs_learn_record_syscall(learn, cg->id, ia32 && args ? CRS_ARCH_IA32 : CRS_ARCH_X86_64,
					 nr, prog, prog_len, ret ? CRS_OBS_DENIED : CRS_OBS_ALLOWED);
	if (!report)
		goto out;
	if (ignored && nr < CRS_SYSCALL_NR_MAX && test_bit(nr, ignored))
		goto out;

	crs_event_fill(&ev, cg, own_id, t, CRS_RULE_SYSCALL, mode, rule, verdict, ret);
	ev.prog = prog;
	ev.prog_len = prog_len;
	ev.syscall = name;
	ev.syscall_nr = report_nr;
	ev.arch = arch;
	ev.args = args ?: no_args;
	crs_event_emit(&ev);
out:
	rcu_read_unlock();
	return ret;
}

static void user_args(const struct pt_regs *u, bool ia32, u64 *args)
{
	if (ia32) {
		args[0] = (u32)u->bx;
		args[1] = (u32)u->cx;
		args[2] = (u32)u->dx;
		args[3] = (u32)u->si;
		args[4] = (u32)u->di;
		args[5] = (u32)u->bp;
	} else {
		args[0] = u->di;
		args[1] = u->si;
		args[2] = u->dx;
		args[3] = u->r10;
		args[4] = u->r8;
		args[5] = u->r9;
	}
}

/* Entry point probes: the first argument is the caller's saved registers. */
static int entry_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct sys_kp *k = container_of(kp, struct sys_kp, kp);
	const struct pt_regs *u = (const struct pt_regs *)regs_get_kernel_argument(regs, 0);
	/*
	 * The ABI is the caller's, read now: argument-less syscalls have one
	 * function for x86_64 and ia32 (aliased stubs), hence one probe.
	 */
	bool ia32 = in_ia32_syscall();
	u32 arch = ia32 ? CRS_ARCH_IA32 :
		   (u->orig_ax & __X32_SYSCALL_BIT) ? CRS_ARCH_X32 : CRS_ARCH_X86_64;
	u32 report = ia32 ? k->sp->nr32 : k->arch == CRS_ARCH_X32 ? k->report_nr : k->sp->nr64;
	u64 args[6];
	int err;

	if (k->calls) {
		if ((u32)u->bx >= 32 || !(k->calls & (1U << (u32)u->bx)))
			return 0;	/* another socket call */
		/* decided as the x86_64 call; arguments unknown (user memory) */
		err = decide_syscall(CRS_ARCH_IA32, k->sp->nr64, k->report_nr, k->sp->name,
				     NULL, false);
		return err ? crs_override(regs, err) : 0;
	}
	user_args(u, ia32, args);
	/* rules are looked up by x86_64 or i386 number; events say the caller's */
	err = decide_syscall(arch, ia32 ? k->sp->nr32 : k->sp->nr64, report,
			     k->sp->name, args, false);
	return err ? crs_override(regs, err) : 0;
}

/* Dispatcher probes: xxx_sys_call(const struct pt_regs *regs, unsigned int nr) */
static int dispatch_pre(struct kprobe *kp, struct pt_regs *regs);

static struct kprobe dispatchers[] = {
	{ .symbol_name = "x64_sys_call",  .pre_handler = dispatch_pre },
	{ .symbol_name = "ia32_sys_call", .pre_handler = dispatch_pre },
	{ .symbol_name = "x32_sys_call",  .pre_handler = dispatch_pre },
};
static const u8 dispatcher_arch[] = { CRS_ARCH_X86_64, CRS_ARCH_IA32, CRS_ARCH_X32 };
static bool dispatcher_on[ARRAY_SIZE(dispatchers)];
static u32 x32_nr64[ARRAY_SIZE(tblx32)];	/* filled when dispatchers are armed */
#define IA32_SOCKETCALL	102
static u32 socketcall_nr64[21];			/* call -> x86_64 number, likewise */

static int dispatch_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct pt_regs *u = (const struct pt_regs *)regs_get_kernel_argument(regs, 0);
	u32 nr = regs_get_kernel_argument(regs, 1), lookup = nr;
	u32 arch = dispatcher_arch[kp - dispatchers];
	u64 args[6];
	int err;

	if (!READ_ONCE(dispatch_refs))
		return 0;	/* armed, but no allowlist or learner now (disarm pending) */
	/* x32's own calls (512 and up) are decided as their x86_64 twins */
	if (arch == CRS_ARCH_X32 && nr >= X32_FIRST)
		lookup = nr < ARRAY_SIZE(x32_nr64) ? x32_nr64[nr] : CRS_SYSCALL_NONE;
	/* ia32 socketcall: decided as the socket call it makes, args unknown */
	if (arch == CRS_ARCH_IA32 && nr == IA32_SOCKETCALL) {
		u32 call = (u32)u->bx;

		lookup = call < ARRAY_SIZE(socketcall_nr64) ? socketcall_nr64[call] :
							       CRS_SYSCALL_NONE;
		err = decide_syscall(arch, lookup, nr, NULL, NULL, true);
		return err ? crs_override(regs, err) : 0;
	}
	user_args(u, arch == CRS_ARCH_IA32, args);
	err = decide_syscall(arch, lookup, nr, NULL, args, true);
	return err ? crs_override(regs, err) : 0;
}

/* ---------------------------------------------------- probe lifetimes */

static int register_ftrace_probe(struct kprobe *kp)
{
	int err;

	kp->addr = NULL;	/* a kprobe struct can be registered again */
	kp->flags = 0;
	err = register_kprobe(kp);

	if (err)
		return err;
	if (!(kp->flags & KPROBE_FLAG_FTRACE)) {
		unregister_kprobe(kp);
		return -EOPNOTSUPP;
	}
	return 0;
}

static bool probed_already(const struct crs_sysprobe *sp, const void *addr)
{
	u32 i;

	for (i = 0; i < sp->nkp; i++)
		if (!sp->kps[i].calls && sp->kps[i].kp.addr == addr)
			return true;
	return false;
}

static void free_slot(struct crs_sysprobe *sp)
{
	u32 i;

	for (i = 0; i < sp->nkp; i++)
		unregister_kprobe(&sp->kps[i].kp);
	kfree(sp);
}

/**
 * crs_sysprobe_get - probe syscall @name (or take another reference)
 * @name: syscall name as userspace named it
 * @nr64: its x86_64 number or CRS_SYSCALL_NONE
 * @nr32: its i386 number or CRS_SYSCALL_NONE
 * @extack: why it failed
 *
 * Sleeps (kprobe registration). Return: the probe, or an ERR_PTR.
 */
struct crs_sysprobe *crs_sysprobe_get(const char *name, u32 nr64, u32 nr32,
				      struct netlink_ext_ack *extack)
{
	struct crs_sysprobe *sp;
	int i, free_at = -1, err;
	u32 e;

	mutex_lock(&sysprobe_lock);
	for (i = 0; i < CRS_MAX_SYSCALLS; i++) {
		if (!slots[i]) {
			if (free_at < 0)
				free_at = i;
			continue;
		}
		if (slots[i]->nr64 != nr64 || slots[i]->nr32 != nr32)
			continue;
		slots[i]->refs++;
		mutex_unlock(&sysprobe_lock);
		return slots[i];
	}
	if (free_at < 0) {
		mutex_unlock(&sysprobe_lock);
		NL_SET_ERR_MSG_FMT_MOD(extack, "too many distinct syscalls in rules: the limit is %u",
				       CRS_MAX_SYSCALLS);
		return ERR_PTR(-E2BIG);
	}
	sp = kzalloc(sizeof(*sp), GFP_KERNEL);
	if (!sp) {
		mutex_unlock(&sysprobe_lock);
		return ERR_PTR(-ENOMEM);
	}
	strscpy(sp->name, name, sizeof(sp->name));
	sp->nr64 = nr64;
	sp->nr32 = nr32;
	sp->refs = 1;
	for (e = 0; e < NENTRY; e++) {
		struct sys_kp *k = &sp->kps[sp->nkp];
		const char *entry = NULL;
		u32 x32;

		memset(k, 0, sizeof(*k));	/* may hold a dropped alias */
		switch (e) {
		case 0:	/* x86_64, and x32 where it shares the call */
			if (nr64 < ARRAY_SIZE(tbl64))
				entry = tbl64[nr64];
			k->arch = CRS_ARCH_X86_64;
			k->report_nr = nr64;
			break;
		case 1:	/* x32's own compat version */
			x32 = nr64 < ARRAY_SIZE(tbl64) ? x32_twin(nr64) : 0;
			if (x32)
				entry = tblx32[x32];
			k->arch = CRS_ARCH_X32;
			k->report_nr = x32;
			break;
		case 2: /* ia32: int 0x80, sysenter, 32-bit processes */
			if (nr32 < ARRAY_SIZE(tbl32))
				entry = tbl32[nr32].compat ?: tbl32[nr32].native;
			k->arch = CRS_ARCH_IA32;
			k->report_nr = nr32;
			break;
		default: /* ia32 socketcall(2), for socket calls */
			k->calls = socketcall_mask(nr64);
			if (k->calls)
				entry = "compat_sys_socketcall";
			k->arch = CRS_ARCH_IA32;
			k->report_nr = IA32_SOCKETCALL;
			break;
		}
		if (!implemented(entry))
			continue;
		snprintf(k->symbol, sizeof(k->symbol), "%s%s",
			 e >= 2 ? "__ia32_" : "__x64_", entry);
		k->kp.symbol_name = k->symbol;
		k->kp.pre_handler = entry_pre;
		k->sp = sp;
		err = register_ftrace_probe(&k->kp);
		if (err) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "cannot probe %s for syscall %s: error %d",
					       k->symbol, name, err);
			goto fail;
		}
		if (!k->calls && probed_already(sp, k->kp.addr)) {
			unregister_kprobe(&k->kp);	/* an alias: one probe decides both ABIs */
			continue;
		}
		sp->nkp++;
	}
	if (!sp->nkp) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "syscall %s (%u/%u) is not implemented by this kernel",
				       name, nr64, nr32);
		err = -ENOENT;
		goto fail;
	}
	slots[free_at] = sp;
	mutex_unlock(&sysprobe_lock);
	return sp;
fail:
	free_slot(sp);
	mutex_unlock(&sysprobe_lock);
	return ERR_PTR(err);
}

/**
 * crs_sysprobe_put - drop a reference; the last one unregisters the probes
 * @sp: from crs_sysprobe_get(); sleeps
 */
void crs_sysprobe_put(struct crs_sysprobe *sp)
{
	int i;

	mutex_lock(&sysprobe_lock);
	if (--sp->refs == 0) {
		for (i = 0; i < CRS_MAX_SYSCALLS; i++)
			if (slots[i] == sp)
				slots[i] = NULL;
		free_slot(sp);
	}
	mutex_unlock(&sysprobe_lock);
}

static bool dispatch_armed(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(dispatchers); i++)
		if (dispatcher_on[i])
			return true;
	return false;
}

static void dispatch_disarm(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(dispatchers); i++)
		if (dispatcher_on[i]) {
			unregister_kprobe(&dispatchers[i]);
			dispatcher_on[i] = false;
		}
}

/*
 * Arming and disarming patches x64_sys_call, the hottest function there is;
 * tables come and go in bursts (a policy update is a delete and a set), so
 * the probes stay armed, idle, for a while after the last allowlist goes.
 */
#define DISARM_DELAY (10 * HZ)

static void disarm_work_fn(struct work_struct *w)
{
	mutex_lock(&sysprobe_lock);
	if (!dispatch_refs)
		dispatch_disarm();
	mutex_unlock(&sysprobe_lock);
}
static DECLARE_DELAYED_WORK(disarm_work, disarm_work_fn);

static void fill_maps(void)
{
	u32 i, nr;

	for (i = 0; i < ARRAY_SIZE(x32_nr64); i++)
		x32_nr64[i] = i >= X32_FIRST ? x32_to_64(i) : i;
	for (i = 0; i < ARRAY_SIZE(socketcall_nr64); i++)
		socketcall_nr64[i] = CRS_SYSCALL_NONE;
	for (i = 0; i < ARRAY_SIZE(socketcalls); i++)
		for (nr = 0; nr < ARRAY_SIZE(tbl64); nr++)
			if (tbl64[nr] && !strcmp(tbl64[nr], socketcalls[i].x64)) {
				socketcall_nr64[socketcalls[i].call] = nr;
				break;
			}
}

/**
 * crs_dispatch_get - an allowlist table needs the dispatcher probes
 * @extack: why it failed
 */
int crs_dispatch_get(struct netlink_ext_ack *extack)
{
	int i, err = 0;

	mutex_lock(&sysprobe_lock);
	if (!dispatch_armed()) {
		fill_maps();
		for (i = 0; i < ARRAY_SIZE(dispatchers); i++) {
			err = register_ftrace_probe(&dispatchers[i]);
			if (err == -ENOENT && i > 0) {	/* no ia32/x32 in this kernel */
				err = 0;
				continue;
			}
			if (err) {
				NL_SET_ERR_MSG_FMT_MOD(extack,
						       "cannot probe %s for a syscall allowlist: error %d",
						       dispatchers[i].symbol_name, err);
				dispatch_disarm();
				mutex_unlock(&sysprobe_lock);
				return err;
			}
			dispatcher_on[i] = true;
		}
	}
	WRITE_ONCE(dispatch_refs, dispatch_refs + 1);
	mutex_unlock(&sysprobe_lock);
	return 0;
}

/**
 * crs_dispatch_put - an allowlist table is gone (disarm follows, idle, later)
 */
void crs_dispatch_put(void)
{
	mutex_lock(&sysprobe_lock);
	WRITE_ONCE(dispatch_refs, dispatch_refs - 1);
	if (!dispatch_refs)
		mod_delayed_work(system_wq, &disarm_work, DISARM_DELAY);
	mutex_unlock(&sysprobe_lock);
}

/**
 * crs_syscall_put_status - syscall probe counts and one nest per syscall
 * @skb: status reply
 */
int crs_syscall_put_status(struct sk_buff *skb)
{
	u32 i, n = 0, nd = 0;
	u64 missed = 0;
	int err = 0;

	mutex_lock(&sysprobe_lock);
	for (i = 0; i < ARRAY_SIZE(dispatchers); i++)
		if (dispatcher_on[i]) {
			nd += dispatch_refs ? 1 : 0;	/* armed but idle ones are not in use */
			missed += dispatchers[i].nmissed;
		}
	for (i = 0; i < CRS_MAX_SYSCALLS; i++) {
		struct crs_sysprobe *sp = slots[i];
		struct nlattr *nest;
		u64 m = 0;
		u32 k;

		if (!sp)
			continue;
		n++;
		for (k = 0; k < sp->nkp; k++)
			m += sp->kps[k].kp.nmissed;
		missed += m;
		nest = nla_nest_start(skb, CRS_A_STATUS_SYSCALL);
		if (!nest || nla_put_string(skb, CRS_A_PROBE_SYMBOL, sp->name) ||
		    nla_put_u64_64bit(skb, CRS_A_PROBE_MISSED, m, CRS_A_PROBE_PAD) ||
		    nla_put_u32(skb, CRS_A_PROBE_REFS, sp->refs) ||
		    nla_put_u32(skb, CRS_A_PROBE_ENTRIES, sp->nkp)) {
			err = -EMSGSIZE;
			break;
		}
		nla_nest_end(skb, nest);
	}
	if (!err && (nla_put_u32(skb, CRS_A_STATUS_SYSCALL_PROBES, n) ||
		     nla_put_u32(skb, CRS_A_STATUS_DISPATCH_PROBES, nd) ||
		     nla_put_u64_64bit(skb, CRS_A_STATUS_SYSCALL_MISSED, missed, CRS_A_STATUS_PAD)))
		err = -EMSGSIZE;
	mutex_unlock(&sysprobe_lock);
	return err;
}

/**
 * crs_syscall_exit - module exit, after every table is freed: nothing left
 */
void crs_syscall_exit(void)
{
	int i;

	cancel_delayed_work_sync(&disarm_work);
	mutex_lock(&sysprobe_lock);
	dispatch_disarm();
	mutex_unlock(&sysprobe_lock);

	for (i = 0; i < CRS_MAX_SYSCALLS; i++)
		WARN_ON(slots[i]);
	WARN_ON(dispatch_refs);
}
