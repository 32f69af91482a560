// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall rules: kprobes on the entry points of the system calls that some
 * table names, decided on the saved user registers (never user memory).
 *
 * A named syscall is probed at every entry point the kernel has for it:
 * __x64_sys_NAME (x86_64, and x32 for shared calls), __ia32_sys_NAME and
 * __ia32_compat_sys_NAME (int 0x80, sysenter, 32-bit processes), and
 * __x64_compat_sys_NAME (x32). Probes are reference-counted by the tables
 * that name the syscall and unregistered when none does, so a syscall no
 * rule names costs nothing. A table whose syscall default is deny (an
 * allowlist) cannot know which syscalls it will see, so it probes the
 * dispatchers (x64_sys_call, ia32_sys_call, x32_sys_call) instead, and is
 * decided there only. A denied call returns -EPERM without running.
 */
#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <asm/unistd.h>
#include <asm/unistd_32_ia32.h>
#include "compat/compat.h"
#include "counters.h"
#include "event.h"
#include "hooks.h"
#include "progcache.h"
#include "syscall.h"
#include "table.h"

static const char *const entry_prefix[] = {
	"__x64_sys_", "__ia32_sys_", "__ia32_compat_sys_", "__x64_compat_sys_",
};
static const u8 entry_arch[] = {
	CRS_ARCH_X86_64, CRS_ARCH_IA32, CRS_ARCH_IA32, CRS_ARCH_X32,
};
#define NENTRY ARRAY_SIZE(entry_prefix)

struct sys_kp {
	struct kprobe kp;
	struct crs_sysprobe *sp;
	u8 arch;
	char symbol[CRS_SYSCALL_NAME_MAX + 24];
};

/**
 * struct crs_sysprobe - the probes of one named syscall
 * @name: syscall name
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
static int decide_syscall(u32 arch, u32 nr, const char *name, const u64 *args,
			  bool at_dispatcher)
{
	bool ia32 = arch == CRS_ARCH_IA32;
	struct crs_event_info ev;
	struct crs_cgroup *cg;
	const struct crs_table *t;
	const char *prog;
	size_t prog_len, size;
	unsigned long *ignored;
	u32 mode, rule, verdict, log;
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
	if (crs_table_is_allowlist(t) != at_dispatcher)
		goto out;
	if (!t->sys64 && !at_dispatcher)
		goto out;	/* probed for another table */
	mode = READ_ONCE(cg->mode);
	if (mode == CRS_MODE_POLICY)
		mode = t->mode;
	if (mode == CRS_MODE_DISABLED)
		goto out;
	if (at_dispatcher && always_allowed(ia32, nr))
		goto out;
	crs_count(policed);

	buf = crs_scratch_prog(&size);
	prog = crs_prog_path(buf, size, &prog_len);
	rule = crs_table_match_syscall(t, ia32, nr, args, prog, prog_len);
	verdict = rule == CRS_NO_RULE ? t->defaults[CRS_RULE_SYSCALL] : t->rules[rule].action;
	if (rule != CRS_NO_RULE) {
		atomic64_inc(&t->rules[rule].hits);
		name = t->rules[rule].syscall;
	}
	crs_count_table(t, rule, verdict == CRS_ACTION_DENY, mode == CRS_MODE_ENFORCE);

	log = READ_ONCE(cg->log);
	if (verdict == CRS_ACTION_DENY) {
		if (mode == CRS_MODE_ENFORCE) {
			crs_count(denied);
			ret = -EPERM;
		} else {
			crs_count(monitored);
		}
		if (!(log & CRS_LOG_DENY))
			goto out;
	} else {
		crs_count(allowed);
		if (!(log & CRS_LOG_ALLOW) || rule == CRS_NO_RULE)
			goto out;
	}
	ignored = ia32 ? t->ignored32 : t->ignored64;
	if (ignored && nr < CRS_SYSCALL_NR_MAX && test_bit(nr, ignored))
		goto out;

	memset(&ev, 0, sizeof(ev));
	ev.cgroup_id = own_id;
	ev.table_cgroup_id = cg->id;
	ev.prog = prog;
	ev.prog_len = prog_len;
	ev.path = "";
	ev.type = CRS_RULE_SYSCALL;
	ev.rule_index = rule == CRS_NO_RULE ? CRS_RULE_INDEX_NONE : t->rules[rule].index;
	ev.rule_name = rule == CRS_NO_RULE ? NULL : t->rules[rule].name;
	ev.action = ret ? CRS_ACTION_DENY : CRS_ACTION_ALLOW;
	ev.verdict = verdict;
	ev.mode = mode;
	ev.flags = rule == CRS_NO_RULE ? CRS_EVENT_F_DEFAULT : 0;
	ev.syscall = name;
	ev.syscall_nr = nr;
	ev.arch = arch;
	ev.args = args;
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
	bool ia32 = k->arch == CRS_ARCH_IA32;
	u32 arch = k->arch, nr;
	u64 args[6];
	int err;

	if (arch == CRS_ARCH_X86_64 && (u->orig_ax & __X32_SYSCALL_BIT))
		arch = CRS_ARCH_X32;
	nr = ia32 ? k->sp->nr32 : k->sp->nr64;
	user_args(u, ia32, args);
	err = decide_syscall(arch, nr, k->sp->name, args, false);
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

static int dispatch_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct pt_regs *u = (const struct pt_regs *)regs_get_kernel_argument(regs, 0);
	u32 nr = regs_get_kernel_argument(regs, 1);
	u32 arch = dispatcher_arch[kp - dispatchers];
	u64 args[6];
	int err;

	user_args(u, arch == CRS_ARCH_IA32, args);
	err = decide_syscall(arch, nr, NULL, args, true);
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
		if (strcmp(slots[i]->name, name))
			continue;
		if (slots[i]->nr64 != nr64 || slots[i]->nr32 != nr32) {
			mutex_unlock(&sysprobe_lock);
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "syscall %s: numbers %u/%u differ from %u/%u already in use",
					       name, nr64, nr32, slots[i]->nr64, slots[i]->nr32);
			return ERR_PTR(-EINVAL);
		}
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

		snprintf(k->symbol, sizeof(k->symbol), "%s%s", entry_prefix[e], name);
		k->kp.symbol_name = k->symbol;
		k->kp.pre_handler = entry_pre;
		k->sp = sp;
		k->arch = entry_arch[e];
		err = register_ftrace_probe(&k->kp);
		if (err == -ENOENT)
			continue;	/* no such entry point in this kernel */
		if (err) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "cannot probe %s: error %d", k->symbol, err);
			goto fail;
		}
		sp->nkp++;
	}
	if (!sp->nkp) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "syscall %s has no entry point in this kernel", name);
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

/**
 * crs_dispatch_get - an allowlist table needs the dispatcher probes
 * @extack: why it failed
 */
int crs_dispatch_get(struct netlink_ext_ack *extack)
{
	int i, err = 0;

	mutex_lock(&sysprobe_lock);
	if (dispatch_refs++ == 0) {
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
				break;
			}
			dispatcher_on[i] = true;
		}
		if (err) {
			while (--i >= 0)
				if (dispatcher_on[i]) {
					unregister_kprobe(&dispatchers[i]);
					dispatcher_on[i] = false;
				}
			dispatch_refs = 0;
		}
	}
	mutex_unlock(&sysprobe_lock);
	return err;
}

/**
 * crs_dispatch_put - an allowlist table is gone; sleeps
 */
void crs_dispatch_put(void)
{
	int i;

	mutex_lock(&sysprobe_lock);
	if (--dispatch_refs == 0) {
		for (i = 0; i < ARRAY_SIZE(dispatchers); i++) {
			if (!dispatcher_on[i])
				continue;
			unregister_kprobe(&dispatchers[i]);
			dispatcher_on[i] = false;
		}
	}
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
			nd++;
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

	for (i = 0; i < CRS_MAX_SYSCALLS; i++)
		WARN_ON(slots[i]);
	WARN_ON(dispatch_refs);
}
