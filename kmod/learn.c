// SPDX-License-Identifier: GPL-2.0
/*
 * Learned sets (docs/learning.md): per cgroup, a bounded, de-duplicated set
 * of what its programs did, for making a policy from.
 *
 * A set is one allocation made by a netlink handler when learning is switched
 * on: entries, bucket heads and a path arena, all sized by the set's bound.
 * Hooks never allocate. Entries are only appended while the set lives, so
 * readers (hooks looking for an entry, dumps) take no lock: an insert fills
 * the entry, then publishes it with a release store on the bucket head and
 * on the entry count. A hook whose observation is already there with the
 * same bits writes nothing. A miss, or a new bit, takes the set's raw
 * spinlock, looks again and inserts or ORs the bits in.
 *
 * The key is (kind, program entry, path or fixed fields: network kinds the
 * family, protocol, address and port, syscalls the numbering and number);
 * programs are entries too (kind
 * PROG), so each observation costs two probes: the program's and its own.
 * The bucket is chosen by hsiphash with a key random per set, so a container
 * cannot aim collisions at one chain.
 */
#include <linux/ctype.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/timekeeping.h>
#include <net/netlink.h>
#include "compat/compat.h"
#include "hooks.h"
#include "learn.h"
#include "nettable.h"
#include "progcache.h"

/* Module-wide accounting, under crs_registry_lock (read with READ_ONCE). */
static u32 learn_sets;
static u32 learn_reserved;
static u64 last_epoch;
static atomic64_t learn_dropped = ATOMIC64_INIT(0);

/**
 * crs_learn_alloc - allocate an empty learned set of @max records
 * @max: records (CRS_MIN_LEARN_RECORDS..CRS_MAX_LEARN_RECORDS, checked by the caller)
 * @cgroup_id: for messages
 * @extack: why it failed
 *
 * Called with crs_registry_lock held; the set is counted as reserved until
 * crs_learn_free().
 *
 * Return: the set or an ERR_PTR (-ENOSPC over CRS_MAX_LEARN_TOTAL, -ENOMEM).
 */
struct crs_learn *crs_learn_alloc(u32 max, u64 cgroup_id, struct netlink_ext_ack *extack)
{
	struct crs_learn *l;
	u32 buckets = roundup_pow_of_two(max);
	u32 arena = max * CRS_LEARN_ARENA_PER_RECORD;
	size_t size;
	u64 now;

	lockdep_assert_held(&crs_registry_lock);
	if (learn_reserved + max > CRS_MAX_LEARN_TOTAL) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "learned records: %u of %u reserved by other cgroups",
				       learn_reserved, CRS_MAX_LEARN_TOTAL);
		return ERR_PTR(-ENOSPC);
	}
	size = struct_size(l, obs, max) + (size_t)buckets * sizeof(u32) + arena;
	l = kvzalloc(size, GFP_KERNEL);
	if (!l) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "out of memory allocating a learned set of %u records",
				       max);
		return ERR_PTR(-ENOMEM);
	}
	l->heads = (u32 *)&l->obs[max];
	l->arena = (char *)&l->heads[buckets];
	l->max = max;
	l->mask = buckets - 1;
	l->arena_size = arena;
	l->bytes = size;
	raw_spin_lock_init(&l->lock);
	get_random_bytes(&l->key, sizeof(l->key));
	now = ktime_get_real_ns();
	l->epoch = now > last_epoch ? now : last_epoch + 1;
	last_epoch = l->epoch;
	WRITE_ONCE(learn_sets, learn_sets + 1);
	WRITE_ONCE(learn_reserved, learn_reserved + max);
	return l;
}

/**
 * crs_learn_free - release @l after a grace period (NULL is fine)
 * @l: a set no longer reachable from the registry
 *
 * Called with crs_registry_lock held.
 */
void crs_learn_free(struct crs_learn *l)
{
	if (!l)
		return;
	lockdep_assert_held(&crs_registry_lock);
	WRITE_ONCE(learn_sets, learn_sets - 1);
	WRITE_ONCE(learn_reserved, learn_reserved - l->max);
	kvfree_rcu(l, rcu);
}

/* Network and syscall entries are keyed by their fixed fields too. */
static bool keyed(u8 kind)
{
	return kind >= CRS_OBS_NET_OUT;
}

static u32 hash_of(const struct crs_learn *l, u8 kind, u32 prog, const char *s, size_t len,
		   const union crs_obs_obj *obj)
{
	if (keyed(kind)) {	/* one hash of the fixed-size key (no padding) */
		const struct {
			u32 kind;
			u32 prog;
			union crs_obs_obj obj;
		} k = { kind, prog, *obj };

		BUILD_BUG_ON(sizeof(k) != 2 * sizeof(u32) + sizeof(*obj));
		return hsiphash(&k, sizeof(k), &l->key);
	}
	return hsiphash(s, len, &l->key) ^ hsiphash_3u32(kind, prog, len, &l->key);
}

/* The entry of (kind, prog, s, obj) or NULL; lockless. */
static struct crs_obs *lookup(struct crs_learn *l, u32 hash, u8 kind, u32 prog,
			      const char *s, size_t len, const union crs_obs_obj *obj)
{
	u32 i = smp_load_acquire(&l->heads[hash & l->mask]);

	while (i) {
		struct crs_obs *o = &l->obs[i - 1];

		if (o->hash == hash && o->kind == kind && o->prog == prog && o->len == len &&
		    !memcmp(l->arena + o->str, s, len) &&
		    (!keyed(kind) || !memcmp(&o->obj, obj, sizeof(*obj))))
			return o;
		i = READ_ONCE(o->next);
	}
	return NULL;
}

/*
 * G2's PID_OFF: the offset of a maximal digit run in the last component of
 * @s that spells current's tgid or tid as its own pid namespace numbers
 * them (no leading zero), for pids of two digits or more; else
 * CRS_OBS_NO_PID_OFF. Only run when an entry is inserted.
 */
static u16 pid_off(const char *s, size_t len)
{
	u64 tgid = task_tgid_vnr(current), tid = task_pid_vnr(current);
	size_t i = len, start;

	while (i && s[i - 1] != '/')
		i--;
	while (i < len) {
		u64 v = 0;

		if (!isdigit(s[i])) {
			i++;
			continue;
		}
		for (start = i; i < len && isdigit(s[i]); i++)
			if (v < U32_MAX)
				v = v * 10 + (s[i] - '0');
		if (v >= 10 && s[start] != '0' && (v == tgid || v == tid) &&
		    start < CRS_OBS_NO_PID_OFF)
			return start;
	}
	return CRS_OBS_NO_PID_OFF;
}

static void drop(atomic64_t *counter)
{
	atomic64_inc(counter);
	atomic64_inc(&learn_dropped);
}

/*
 * The index of (kind, prog, s, obj) with @bits OR-ed in, inserting it;
 * CRS_NO_PROG if full. @obj: the key's fixed fields for keyed() kinds, else
 * NULL.
 */
static u32 intern(struct crs_learn *l, u64 cgroup_id, u8 kind, u32 prog, const char *s,
		  size_t len, const union crs_obs_obj *obj, u8 bits)
{
	u32 hash = hash_of(l, kind, prog, s, len, obj), n, b;
	struct crs_obs *o = lookup(l, hash, kind, prog, s, len, obj);
	union crs_obs_obj fresh = {};
	unsigned long flags;

	if (o && (READ_ONCE(o->bits) & bits) == bits)
		return o - l->obs;	/* the hit: nothing written */

	if (obj)
		fresh = *obj;
	else if (kind == CRS_OBS_FILE && !o)
		fresh.pid_off = pid_off(s, len);	/* off the hit path */
	else
		fresh.pid_off = CRS_OBS_NO_PID_OFF;
	raw_spin_lock_irqsave(&l->lock, flags);
	if (!o)
		o = lookup(l, hash, kind, prog, s, len, obj);
	if (o) {
		if ((o->bits & bits) != bits) {
			WRITE_ONCE(o->bits, o->bits | bits);
			atomic64_inc(&l->generation);
		}
		raw_spin_unlock_irqrestore(&l->lock, flags);
		return o - l->obs;
	}
	n = atomic_read(&l->n);
	if (n >= l->max || l->arena_used + len + 1 > l->arena_size) {
		bool first = !l->full;

		WRITE_ONCE(l->full, true);
		raw_spin_unlock_irqrestore(&l->lock, flags);
		drop(&l->dropped_full);
		if (first) {
			pr_notice("cgroup %llu: learned set full (%u records), dropping\n",
				  cgroup_id, n);
			crs_learn_hint_kick();	/* one hint says so */
		}
		return CRS_NO_PROG;
	}
	o = &l->obs[n];
	o->hash = hash;
	o->kind = kind;
	o->prog = prog;
	o->len = len;
	o->str = l->arena_used;
	o->bits = bits;
	o->obj = fresh;
	memcpy(l->arena + o->str, s, len);
	l->arena[o->str + len] = '\0';
	l->arena_used += len + 1;
	b = hash & l->mask;
	o->next = l->heads[b];
	smp_store_release(&l->heads[b], n + 1);
	atomic_set_release(&l->n, n + 1);
	atomic64_inc(&l->generation);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	crs_learn_hint_kick();
	return n;
}

/*
 * current's PROG entry in @l, CRS_NO_PROG when the set is full or the path
 * too long. The program cache keeps the index under the set's epoch, so a
 * program seen before costs one cache look-up: no path copy, no hash. @prog:
 * current's program path when the caller has it, else NULL (resolved here,
 * only on a cache miss).
 */
static u32 current_prog(struct crs_learn *l, u64 cgroup_id, const char *prog, size_t prog_len)
{
	size_t size;
	u32 p;

	if (crs_prog_tag_get(l->epoch, &p))
		return p;
	if (!prog) {
		char *buf = crs_scratch_prog(&size);

		prog = crs_prog_path(buf, size, &prog_len);
	}
	if (prog_len > CRS_PATTERN_MAX) {
		drop(&l->dropped_long);	/* no rule could name it */
		return CRS_NO_PROG;
	}
	p = intern(l, cgroup_id, CRS_OBS_PROG, CRS_NO_PROG, prog, prog_len, NULL, 0);
	if (p != CRS_NO_PROG)
		crs_prog_tag_set(l->epoch, p);
	return p;
}

/**
 * crs_learn_record - record one observation (hook context: no sleeping)
 * @l: the set
 * @cgroup_id: for the "full" notice
 * @kind: CRS_OBS_FILE or CRS_OBS_EXEC
 * @prog: the program's path
 * @prog_len: its length
 * @obj: the object's path
 * @obj_len: its length
 * @access: CRS_ACCESS_* asked for
 * @outcome: CRS_OBS_ALLOWED or CRS_OBS_DENIED
 */
void crs_learn_record(struct crs_learn *l, u64 cgroup_id, u8 kind, const char *prog,
		      size_t prog_len, const char *obj, size_t obj_len, u32 access, u32 outcome)
{
	u32 p;

	if (obj_len > CRS_PATTERN_MAX) {
		drop(&l->dropped_long);	/* no rule could name it */
		return;
	}
	p = current_prog(l, cgroup_id, prog, prog_len);
	if (p == CRS_NO_PROG)
		return;
	intern(l, cgroup_id, kind, p, obj, obj_len, NULL,
	       (access & CRS_ACCESS_ALL) | (outcome << CRS_OBS_OUTCOME_SHIFT));
}

/**
 * crs_learn_record_net - record a network or listener observation (hook
 *	context, softirq included: no sleeping)
 * @l: the set
 * @cgroup_id: for the "full" notice
 * @q: the query as decided: outbound keeps the peer and its port, inbound
 *	the peer and the local port, a listener the local address and port
 * @prog: current's program path, or NULL (resolved here if needed);
 *	ignored for inbound packets, which have no program
 * @prog_len: its length
 * @outcome: CRS_OBS_ALLOWED or CRS_OBS_DENIED
 */
void crs_learn_record_net(struct crs_learn *l, u64 cgroup_id, const struct crs_net_query *q,
			  const char *prog, size_t prog_len, u32 outcome)
{
	union crs_obs_obj obj = {};
	u8 kind, bits = outcome << CRS_OBS_OUTCOME_SHIFT;
	u32 p = CRS_NO_PROG;

	obj.net.family = q->family;
	obj.net.proto = q->proto;
	switch (q->kind) {
	case CRS_NET_OUT:
		kind = CRS_OBS_NET_OUT;
		memcpy(obj.net.addr, q->remote, 16);
		obj.net.port = q->rport;
		break;
	case CRS_NET_IN:
		kind = CRS_OBS_NET_IN;	/* a packet has no program */
		memcpy(obj.net.addr, q->remote, 16);
		obj.net.port = q->lport;
		break;
	default:
		kind = CRS_OBS_LISTEN;
		memcpy(obj.net.addr, q->local, 16);
		obj.net.port = q->lport;
		break;
	}
	if (kind != CRS_OBS_NET_OUT && q->autoport)
		bits |= CRS_OBS_BIT_AUTOPORT;
	if (kind != CRS_OBS_NET_IN) {
		p = current_prog(l, cgroup_id, prog, prog_len);
		if (p == CRS_NO_PROG)
			return;
	}
	intern(l, cgroup_id, kind, p, "", 0, &obj, bits);
}

/**
 * crs_learn_record_syscall - record a syscall seen at a dispatcher (no sleeping)
 * @l: the set
 * @cgroup_id: for the "full" notice
 * @arch: CRS_ARCH_X86_64 or CRS_ARCH_IA32: the numbering of @nr
 * @nr: the number the allowlist looks up
 * @prog: current's program path, or NULL (resolved here if needed)
 * @prog_len: its length
 * @outcome: CRS_OBS_ALLOWED or CRS_OBS_DENIED
 */
void crs_learn_record_syscall(struct crs_learn *l, u64 cgroup_id, u32 arch, u32 nr,
			      const char *prog, size_t prog_len, u32 outcome)
{
	union crs_obs_obj obj = {};
	u32 p;

	obj.sys.arch = arch;
	obj.sys.nr = nr;
	p = current_prog(l, cgroup_id, prog, prog_len);
	if (p == CRS_NO_PROG)
		return;
	intern(l, cgroup_id, CRS_OBS_SYSCALL, p, "", 0, &obj, outcome << CRS_OBS_OUTCOME_SHIFT);
}

/**
 * crs_learn_drop_long - count an observation whose path could not be resolved
 * @l: the set
 */
void crs_learn_drop_long(struct crs_learn *l)
{
	drop(&l->dropped_long);
}

/**
 * crs_learn_state - enum crs_learn_state of @cg
 * @cg: registry entry
 * @t: its table
 * @l: its set (may be NULL)
 */
u32 crs_learn_state(const struct crs_cgroup *cg, const struct crs_table *t,
		    const struct crs_learn *l)
{
	if (!l)
		return CRS_LEARN_STATE_OFF;
	if (!crs_learn_effective(READ_ONCE(cg->learn_override), READ_ONCE(cg->mode), t))
		return CRS_LEARN_STATE_IDLE;
	return READ_ONCE(l->full) ? CRS_LEARN_STATE_FULL : CRS_LEARN_STATE_RECORDING;
}

/**
 * crs_learn_put_header - a CRS_A_LEARN nest describing @l
 * @skb: message being built
 * @l: the set
 * @state: enum crs_learn_state
 */
int crs_learn_put_header(struct sk_buff *skb, const struct crs_learn *l, u32 state)
{
	struct nlattr *nest = nla_nest_start(skb, CRS_A_LEARN);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, CRS_A_LEARN_STATE, state) ||
	    nla_put_u64_64bit(skb, CRS_A_LEARN_EPOCH, l->epoch, CRS_A_LEARN_PAD) ||
	    nla_put_u64_64bit(skb, CRS_A_LEARN_GENERATION, atomic64_read(&l->generation),
			      CRS_A_LEARN_PAD) ||
	    nla_put_u32(skb, CRS_A_LEARN_RECORDS, atomic_read(&l->n)) ||
	    nla_put_u32(skb, CRS_A_LEARN_RECORDS_MAX, l->max) ||
	    nla_put_u32(skb, CRS_A_LEARN_BYTES, l->bytes) ||
	    nla_put_u64_64bit(skb, CRS_A_LEARN_DROPPED_FULL, atomic64_read(&l->dropped_full),
			      CRS_A_LEARN_PAD) ||
	    nla_put_u64_64bit(skb, CRS_A_LEARN_DROPPED_LONG, atomic64_read(&l->dropped_long),
			      CRS_A_LEARN_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int put_arena_string(struct sk_buff *skb, int type, const struct crs_learn *l,
			    const struct crs_obs *o)
{
	return nla_put(skb, type, o->len + 1, l->arena + o->str);
}

/**
 * crs_learn_put_obs - a CRS_A_OBS nest for entry @idx (nothing for PROG entries)
 * @skb: message being built
 * @l: the set
 * @idx: below the count the caller read (acquire) from @l->n
 *
 * Return: 0, or -EMSGSIZE with nothing added.
 */
int crs_learn_put_obs(struct sk_buff *skb, const struct crs_learn *l, u32 idx)
{
	const struct crs_obs *o = &l->obs[idx];
	static const u32 types[] = {
		[CRS_OBS_FILE] = CRS_RULE_FILE, [CRS_OBS_EXEC] = CRS_RULE_EXECUTE,
		[CRS_OBS_NET_OUT] = CRS_RULE_NETWORK, [CRS_OBS_NET_IN] = CRS_RULE_NETWORK,
		[CRS_OBS_LISTEN] = CRS_RULE_LISTENER, [CRS_OBS_SYSCALL] = CRS_RULE_SYSCALL,
	};
	struct nlattr *nest;
	int err;
	u8 bits;

	if (o->kind == CRS_OBS_PROG)
		return 0;
	bits = READ_ONCE(o->bits);
	nest = nla_nest_start(skb, CRS_A_OBS);
	if (!nest)
		return -EMSGSIZE;
	err = nla_put_u32(skb, CRS_A_OBS_INDEX, idx) ||
	      nla_put_u32(skb, CRS_A_OBS_TYPE, types[o->kind]) ||
	      (o->prog != CRS_NO_PROG &&
	       put_arena_string(skb, CRS_A_OBS_PROGRAM, l, &l->obs[o->prog])) ||
	      nla_put_u32(skb, CRS_A_OBS_ACCESS, bits & CRS_ACCESS_ALL) ||
	      nla_put_u32(skb, CRS_A_OBS_OUTCOME, (bits >> CRS_OBS_OUTCOME_SHIFT) & CRS_OBS_ALL);
	if (!err && !keyed(o->kind))
		err = put_arena_string(skb, CRS_A_OBS_PATH, l, o) ||
		      (o->kind == CRS_OBS_FILE && o->obj.pid_off != CRS_OBS_NO_PID_OFF &&
		       nla_put_u32(skb, CRS_A_OBS_PID_OFF, o->obj.pid_off));
	else if (!err && o->kind == CRS_OBS_SYSCALL)
		err = nla_put_u32(skb, CRS_A_OBS_SYSCALL_NR, o->obj.sys.nr) ||
		      nla_put_u32(skb, CRS_A_OBS_ARCH, o->obj.sys.arch);
	else if (!err)
		err = (o->kind != CRS_OBS_LISTEN &&
		       nla_put_u32(skb, CRS_A_OBS_DIRECTION, o->kind == CRS_OBS_NET_OUT ?
				   CRS_DIR_OUTBOUND : CRS_DIR_INBOUND)) ||
		      nla_put_u32(skb, CRS_A_OBS_PROTOCOL, o->obj.net.proto) ||
		      nla_put_u32(skb, CRS_A_OBS_FAMILY, o->obj.net.family) ||
		      nla_put(skb, CRS_A_OBS_ADDR, o->obj.net.family == AF_INET ? 4 : 16,
			      o->obj.net.addr) ||
		      nla_put_u32(skb, CRS_A_OBS_PORT, o->obj.net.port) ||
		      nla_put_u32(skb, CRS_A_OBS_FLAGS,
				  bits & CRS_OBS_BIT_AUTOPORT ? CRS_OBS_F_AUTOPORT : 0);
	if (err) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * crs_learn_reserved - records reserved by all sets
 */
u32 crs_learn_reserved(void)
{
	return READ_ONCE(learn_reserved);
}

/**
 * crs_learn_sets - sets in existence
 */
u32 crs_learn_sets(void)
{
	return READ_ONCE(learn_sets);
}

/**
 * crs_learn_dropped - observations dropped by all sets since load
 */
u64 crs_learn_dropped(void)
{
	return atomic64_read(&learn_dropped);
}
