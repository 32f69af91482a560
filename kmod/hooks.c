// SPDX-License-Identifier: GPL-2.0
/*
 * Enforcement points: kprobes at the entry of LSM-layer functions.
 *
 * Decisions are made on kernel objects (the struct file being opened, the
 * linux_binprm being executed), never on user memory. A denial is done at
 * function entry: the pre-handler sets the return value, points the
 * instruction pointer at an empty function and returns nonzero, so the
 * hooked function does not run and its caller sees -EACCES. Probes must be
 * ftrace-based (the only kind guaranteed to honour a changed instruction
 * pointer); no kretprobe instance pool is involved, so there is nothing to
 * run dry under load. A probe that could not run (kprobe recursion) shows in
 * its nmissed counter, reported by CRS_CMD_GET_STATUS.
 */
#include <linux/binfmts.h>
#include <linux/fs.h>
#include <uapi/linux/fs.h>
#include <linux/kprobes.h>
#include <linux/limits.h>
#include <linux/mount.h>
#include <linux/path.h>
#include <linux/percpu.h>
#include <linux/ptrace.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include "compat/compat.h"
#include "counters.h"
#include "event.h"
#include "hooks.h"
#include "learn.h"
#include "progcache.h"
#include "table.h"

/* Per-CPU scratch for the hooks (preemption is off in kprobe handlers). */
struct scratch {
	char prog[PATH_MAX];
	char obj[PATH_MAX];
};
static struct scratch __percpu *scratch;

/* Where a denied call "returns" from: must not touch the return register. */
static noinline notrace void crs_denied_return(void)
{
	barrier();
}

/**
 * crs_override - make the probed function return @err without running
 * @regs: the kprobe's registers
 * @err: negative errno
 *
 * Return: 1, what a pre-handler returns to skip the probed function.
 */
int crs_override(struct pt_regs *regs, int err)
{
	regs_set_return_value(regs, err);
	instruction_pointer_set(regs, (unsigned long)&crs_denied_return);
	return 1;	/* skip the probed function */
}

/**
 * crs_scratch_prog - this CPU's scratch buffer for a program path
 * @size: set to its size
 *
 * Only for hook context (preemption off).
 */
char *crs_scratch_prog(size_t *size)
{
	*size = sizeof(scratch->prog);
	return this_cpu_ptr(scratch)->prog;
}

static void count_table(const struct crs_table *t, u32 verdict_rule, bool denied,
			bool enforced)
{
	/* this_cpu_inc: inbound decisions count from softirq too */
	if (verdict_rule == CRS_NO_RULE)
		this_cpu_inc(t->hits->by_default);
	if (!denied)
		this_cpu_inc(t->hits->allowed);
	else if (enforced)
		this_cpu_inc(t->hits->denied);
	else
		this_cpu_inc(t->hits->monitored);
}

/**
 * crs_settle - account a decision and turn it into the hook's result
 * @cg: the cgroup whose table decided
 * @t: that table
 * @mode: the mode in effect
 * @rule: the deciding rule or CRS_NO_RULE
 * @verdict: what the policy says (enum crs_action)
 * @err: the errno a denial returns (-EACCES, -EPERM)
 * @report: set when the container's log mask wants an event for it
 *
 * Return: @err when the verdict is deny and the mode enforces, else 0.
 */
int crs_settle(const struct crs_cgroup *cg, const struct crs_table *t, u32 mode, u32 rule,
	       u32 verdict, int err, bool *report)
{
	u32 log = READ_ONCE(cg->log);
	int ret = 0;

	count_table(t, rule, verdict == CRS_ACTION_DENY, mode == CRS_MODE_ENFORCE);
	if (verdict == CRS_ACTION_DENY) {
		if (mode == CRS_MODE_ENFORCE) {
			crs_count(denied);
			ret = err;
		} else {
			crs_count(monitored);
		}
		*report = log & CRS_LOG_DENY;
	} else {
		crs_count(allowed);
		*report = (log & CRS_LOG_ALLOW) && rule != CRS_NO_RULE;
	}
	return ret;
}

/**
 * crs_effective_mode - the mode in force: the container's override, else the table's
 * @cg: registry entry
 * @t: its table
 */
u32 crs_effective_mode(const struct crs_cgroup *cg, const struct crs_table *t)
{
	u32 mode = READ_ONCE(cg->mode);

	return mode == CRS_MODE_POLICY ? t->mode : mode;
}

/**
 * crs_event_fill - the fields every decision's event has
 * @ev: event to fill (type-specific fields are the caller's)
 * @cg: the cgroup whose table decided
 * @own_id: the actor's own cgroup id
 * @t: the table
 * @type: enum crs_rule_type
 * @mode: the mode in effect
 * @rule: the deciding rule or CRS_NO_RULE
 * @verdict: what the policy said
 * @ret: what the hook returns (nonzero: denied)
 */
void crs_event_fill(struct crs_event_info *ev, const struct crs_cgroup *cg, u64 own_id,
		    const struct crs_table *t, u32 type, u32 mode, u32 rule, u32 verdict, int ret)
{
	memset(ev, 0, sizeof(*ev));
	ev->cgroup_id = own_id;
	ev->table_cgroup_id = cg->id;
	ev->prog = "";
	ev->path = "";
	ev->type = type;
	ev->rule_index = rule == CRS_NO_RULE ? CRS_RULE_INDEX_NONE : t->rules[rule].index;
	ev->rule_name = rule == CRS_NO_RULE ? NULL : t->rules[rule].name;
	ev->action = ret ? CRS_ACTION_DENY : CRS_ACTION_ALLOW;
	ev->verdict = verdict;
	ev->mode = mode;
	ev->flags = rule == CRS_NO_RULE ? CRS_EVENT_F_DEFAULT : 0;
}

/*
 * The common decision: is current allowed @access (CRS_ACCESS_* bits) to
 * @path under rule type @type? Returns 0 or -EACCES.
 */
static int decide(u32 type, u32 access, const struct path *path)
{
	struct scratch *s;
	struct crs_cgroup *cg;
	const struct crs_table *t;
	struct crs_learn *learn;
	struct crs_event_info ev;
	const char *obj, *prog;
	size_t obj_len, match_len, prog_len;
	u32 mode, bit, rule = CRS_NO_RULE, verdict = CRS_ACTION_ALLOW, denied = 0, asked = access;
	bool report;
	u64 own_id;
	int ret = 0;

	crs_count(hook_calls);
	if (!crs_registry_active())
		return 0;

	rcu_read_lock();
	cg = crs_registry_find_current(&own_id);
	if (!cg)
		goto out;
	t = rcu_dereference(cg->table);
	mode = crs_effective_mode(cg, t);
	if (mode == CRS_MODE_DISABLED)
		goto out;
	crs_count(policed);
	learn = crs_learning(cg, t);

	s = this_cpu_ptr(scratch);
	obj = crs_path(path, s->obj, sizeof(s->obj), &obj_len);
	if (!obj) {
		/* Unnameable (e.g. too long): the type's default decides. */
		crs_count(path_errors);
		if (learn)
			crs_learn_drop_long(learn);
		learn = NULL;
		obj = "";
		obj_len = 0;
	}
	/*
	 * Objects with no name a container can see: pipes, sockets, anonymous
	 * inodes, memfds (which live on an internal mount and whose names the
	 * caller picks). No file rule can name them; but an exec of one is
	 * still decided, by "*" rules and the default alone, so fexecve() of a
	 * memfd does not get around a default-deny execute policy.
	 */
	match_len = obj_len;
	if ((path->mnt->mnt_flags & MNT_INTERNAL) || (obj_len && obj[0] != '/')) {
		if (type != CRS_RULE_EXECUTE)
			goto out;
		match_len = 0;
	}
	prog = crs_prog_path(s->prog, sizeof(s->prog), &prog_len);

	/*
	 * Each requested access bit is decided on its own; any deny denies.
	 * The event names every denied bit and the rule that denied the first;
	 * an allowed access, the first rule that allowed a bit (the default if
	 * none did), so an explicit allow is reported even when another bit
	 * fell to the default. libcrsnl's crs_policy_match() says the same.
	 */
	for (bit = 1; bit <= CRS_ACCESS_EXEC; bit <<= 1) {
		u32 r, v;

		if (!(access & bit))
			continue;
		r = crs_table_match(t, type, bit, obj, match_len, prog, prog_len);
		v = r == CRS_NO_RULE ? t->defaults[type] : t->rules[r].action;
		if (r != CRS_NO_RULE)
			atomic64_inc(&t->rules[r].hits);
		if (v == CRS_ACTION_DENY) {
			if (verdict != CRS_ACTION_DENY)
				rule = r;
			verdict = CRS_ACTION_DENY;
			denied |= bit;
		} else if (verdict != CRS_ACTION_DENY && rule == CRS_NO_RULE) {
			rule = r;
		}
	}
	if (denied)
		access = denied;

	ret = crs_settle(cg, t, mode, rule, verdict, -EACCES, &report);
	/* Learning records the access asked for, whatever the decision. */
	if (learn)
		crs_learn_record(learn, cg->id, type == CRS_RULE_EXECUTE ? CRS_OBS_EXEC : CRS_OBS_FILE,
				 prog, prog_len, obj, match_len, asked,
				 ret ? CRS_OBS_DENIED : CRS_OBS_ALLOWED);
	if (!report)
		goto out;

	crs_event_fill(&ev, cg, own_id, t, type, mode, rule, verdict, ret);
	ev.prog = prog;
	ev.prog_len = prog_len;
	ev.path = obj;
	ev.path_len = obj_len;
	ev.access = access;
	crs_event_emit(&ev);
out:
	rcu_read_unlock();
	return ret;
}

/* security_file_open(struct file *file) */
static int file_open_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct file *file = (struct file *)regs_get_kernel_argument(regs, 0);
	u32 access = 0;
	int err;

	/* The open done by execve itself is governed by execute rules. */
	if (file->f_flags & __FMODE_EXEC)
		return 0;
	if (file->f_mode & FMODE_READ)
		access |= CRS_ACCESS_READ;
	/*
	 * O_TRUNC empties the file even with O_RDONLY; newer kernels do that
	 * through security_file_truncate(), not security_path_truncate().
	 */
	if ((file->f_mode & FMODE_WRITE) || (file->f_flags & O_TRUNC))
		access |= CRS_ACCESS_WRITE;
	if (!access)	/* O_PATH-like opens carry no data access */
		return 0;
	err = decide(CRS_RULE_FILE, access, &file->f_path);
	return err ? crs_override(regs, err) : 0;
}

/* security_bprm_check(struct linux_binprm *bprm): every binary and interpreter */
static int bprm_check_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct linux_binprm *bprm = (struct linux_binprm *)regs_get_kernel_argument(regs, 0);
	int err = decide(CRS_RULE_EXECUTE, CRS_ACCESS_EXEC, &bprm->file->f_path);

	return err ? crs_override(regs, err) : 0;
}

/* security_path_truncate(const struct path *path): truncate(2) writes without an open */
static int path_truncate_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct path *path = (const struct path *)regs_get_kernel_argument(regs, 0);
	int err = decide(CRS_RULE_FILE, CRS_ACCESS_WRITE, path);

	return err ? crs_override(regs, err) : 0;
}

/*
 * Path rules are only as good as the names they see: a hard link or a rename
 * would give a denied file a new, allowed name, and unlink/rename destroy
 * it. So a link or rename needs read and write on the source (as an open of
 * it would), write on the destination (read too for an exchange), and an
 * unlink needs write.
 */
/* security_path_link(struct dentry *old, const struct path *new_dir, struct dentry *new) */
static int path_link_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct dentry *old = (struct dentry *)regs_get_kernel_argument(regs, 0);
	const struct path *dir = (const struct path *)regs_get_kernel_argument(regs, 1);
	struct dentry *new = (struct dentry *)regs_get_kernel_argument(regs, 2);
	struct path src = { .mnt = dir->mnt, .dentry = old };
	struct path dst = { .mnt = dir->mnt, .dentry = new };
	int err = decide(CRS_RULE_FILE, CRS_ACCESS_READ | CRS_ACCESS_WRITE, &src);

	if (!err)
		err = decide(CRS_RULE_FILE, CRS_ACCESS_WRITE, &dst);
	return err ? crs_override(regs, err) : 0;
}

/* security_path_rename(old_dir, old_dentry, new_dir, new_dentry, flags) */
static int path_rename_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct path *odir = (const struct path *)regs_get_kernel_argument(regs, 0);
	struct dentry *old = (struct dentry *)regs_get_kernel_argument(regs, 1);
	const struct path *ndir = (const struct path *)regs_get_kernel_argument(regs, 2);
	struct dentry *new = (struct dentry *)regs_get_kernel_argument(regs, 3);
	unsigned int flags = regs_get_kernel_argument(regs, 4);
	struct path src = { .mnt = odir->mnt, .dentry = old };
	struct path dst = { .mnt = ndir->mnt, .dentry = new };
	u32 dst_access = CRS_ACCESS_WRITE;
	int err;

	if (flags & RENAME_EXCHANGE)
		dst_access |= CRS_ACCESS_READ;
	err = decide(CRS_RULE_FILE, CRS_ACCESS_READ | CRS_ACCESS_WRITE, &src);
	if (!err)
		err = decide(CRS_RULE_FILE, dst_access, &dst);
	return err ? crs_override(regs, err) : 0;
}

/* security_path_unlink(const struct path *dir, struct dentry *dentry) */
static int path_unlink_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct path *dir = (const struct path *)regs_get_kernel_argument(regs, 0);
	struct dentry *victim = (struct dentry *)regs_get_kernel_argument(regs, 1);
	struct path p = { .mnt = dir->mnt, .dentry = victim };
	int err = decide(CRS_RULE_FILE, CRS_ACCESS_WRITE, &p);

	return err ? crs_override(regs, err) : 0;
}

static struct kprobe probes[] = {
	{ .symbol_name = "security_file_open",	   .pre_handler = file_open_pre },
	{ .symbol_name = "security_bprm_check",	   .pre_handler = bprm_check_pre },
	{ .symbol_name = "security_path_truncate", .pre_handler = path_truncate_pre },
	{ .symbol_name = "security_path_link",	   .pre_handler = path_link_pre },
	{ .symbol_name = "security_path_rename",   .pre_handler = path_rename_pre },
	{ .symbol_name = "security_path_unlink",   .pre_handler = path_unlink_pre },
};

/**
 * crs_register_probes - register @n entry probes, all ftrace-based, or none
 * @probes: the probes
 * @n: how many
 *
 * A probe that is not ftrace-based could not redirect the instruction
 * pointer reliably, so a denial could not be guaranteed: refuse it.
 */
int crs_register_probes(struct kprobe *probes, int n)
{
	int i, err;

	for (i = 0; i < n; i++) {
		err = register_kprobe(&probes[i]);
		if (err) {
			pr_err("cannot probe %s: %d\n", probes[i].symbol_name, err);
			goto fail;
		}
		if (!(probes[i].flags & KPROBE_FLAG_FTRACE)) {
			pr_err("probe on %s is not ftrace-based; denials would be unreliable\n",
			       probes[i].symbol_name);
			unregister_kprobe(&probes[i]);
			err = -EOPNOTSUPP;
			goto fail;
		}
	}
	return 0;
fail:
	while (--i >= 0)
		unregister_kprobe(&probes[i]);
	return err;
}

/**
 * crs_unregister_probes - unregister what crs_register_probes() registered
 * @probes: the probes
 * @n: how many
 */
void crs_unregister_probes(struct kprobe *probes, int n)
{
	while (--n >= 0)
		unregister_kprobe(&probes[n]);
}

/**
 * crs_hooks_init - allocate scratch and register the file and exec probes
 */
int crs_hooks_init(void)
{
	int err;

	scratch = alloc_percpu(struct scratch);
	if (!scratch)
		return -ENOMEM;
	err = crs_register_probes(probes, ARRAY_SIZE(probes));
	if (err)
		free_percpu(scratch);
	return err;
}

/**
 * crs_hooks_exit - unregister probes and wait until no task can be in them
 */
void crs_hooks_exit(void)
{
	crs_unregister_probes(probes, ARRAY_SIZE(probes));
	/*
	 * unregister_kprobe() waits for running handlers; a task sent to
	 * crs_denied_return() may still be about to execute it, and it only
	 * leaves module text by returning, which a tasks-RCU grace period
	 * (every task voluntarily scheduled) guarantees.
	 */
	synchronize_rcu_tasks();
	free_percpu(scratch);
}

/**
 * crs_put_probe_status - one CRS_A_STATUS_PROBE nest per probe of @probes
 * @skb: reply being built
 * @probes: registered probes
 * @n: entries in @probes
 */
int crs_put_probe_status(struct sk_buff *skb, const struct kprobe *probes, int n)
{
	struct nlattr *nest;
	int i;

	for (i = 0; i < n; i++) {
		nest = nla_nest_start(skb, CRS_A_STATUS_PROBE);
		if (!nest ||
		    nla_put_string(skb, CRS_A_PROBE_SYMBOL, probes[i].symbol_name) ||
		    nla_put_u64_64bit(skb, CRS_A_PROBE_MISSED, probes[i].nmissed,
				      CRS_A_PROBE_PAD) ||
		    ((probes[i].flags & KPROBE_FLAG_FTRACE) &&
		     nla_put_flag(skb, CRS_A_PROBE_FTRACE)))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}

/**
 * crs_hooks_put_status - one CRS_A_STATUS_PROBE nest per file/exec probe
 * @skb: reply being built
 */
int crs_hooks_put_status(struct sk_buff *skb)
{
	return crs_put_probe_status(skb, probes, ARRAY_SIZE(probes));
}
