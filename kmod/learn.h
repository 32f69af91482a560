/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_LEARN_H
#define CRS_LEARN_H

#include <linux/atomic.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include "table.h"

struct sk_buff;
struct netlink_ext_ack;

/* Entry kinds. PROG entries are programs that other entries refer to. */
enum crs_obs_kind {
	CRS_OBS_PROG,
	CRS_OBS_FILE,
	CRS_OBS_EXEC,
	CRS_OBS_NET_OUT,	/* outbound: the peer's address and port */
	CRS_OBS_NET_IN,		/* inbound, no program: the peer and the local port */
	CRS_OBS_LISTEN,		/* the local address and port bound or listened on */
	CRS_OBS_SYSCALL,
};

#define CRS_NO_PROG	U32_MAX
#define CRS_LEARN_ARENA_PER_RECORD 64	/* bytes of path storage per record */
#define CRS_OBS_NO_PID_OFF	U16_MAX

/**
 * union crs_obs_obj - the fixed-size part of an observation
 * @net: network kinds (part of the key): @net.family AF_INET/AF_INET6,
 *	@net.proto enum crs_proto, @net.port (host order), @net.addr (4 bytes
 *	used for AF_INET, the rest zero)
 * @sys: syscalls (part of the key): @sys.arch enum crs_arch, @sys.nr
 * @pid_off: files (not part of the key): offset in the path of the
 *	recording task's pid, or CRS_OBS_NO_PID_OFF
 */
union crs_obs_obj {
	struct {
		u8 family;
		u8 proto;
		u16 port;
		u8 addr[16];
	} net;
	struct {
		u32 arch;
		u32 nr;
	} sys;
	u16 pid_off;
};

/**
 * struct crs_obs - one entry of a learned set; append-only while the set lives
 * @next: next entry in the same bucket (index + 1), 0 ends the chain
 * @hash: hash of (kind, prog, path)
 * @prog: the program's PROG entry, CRS_NO_PROG for PROG entries
 * @str: offset of the path (NUL-terminated) in the arena
 * @len: path length, NUL excluded
 * @kind: enum crs_obs_kind
 * @bits: CRS_ACCESS_* in the low 3 bits, outcome (CRS_OBS_*) shifted by 4,
 *	CRS_OBS_BIT_AUTOPORT
 * @obj: network and syscall objects, or a file's pid offset
 */
struct crs_obs {
	u32 next;
	u32 hash;
	u32 prog;
	u32 str;
	u16 len;
	u8 kind;
	u8 bits;
	union crs_obs_obj obj;
};

#define CRS_OBS_OUTCOME_SHIFT	4
#define CRS_OBS_BIT_AUTOPORT	(1U << 7)	/* the kernel chose the local port */

/**
 * struct crs_learn - the learned set of one cgroup, allocated whole
 * @rcu: frees the set after a grace period
 * @key: hsiphash key, random per set
 * @epoch: creation time in ns, strictly increasing across sets
 * @generation: bumped by every insert and every new bit
 * @dropped_full: observations refused because the set was full
 * @dropped_long: paths too long or unresolvable
 * @n: entries used (published with release semantics)
 * @max: entries the set can hold
 * @mask: bucket count - 1
 * @arena_size: bytes in @arena
 * @arena_used: bytes used (under @lock)
 * @full: set on the first refusal, for the one notice
 * @full_hinted: a hint said the set is full (hint work only)
 * @hinted: entries before this index were hinted (hint work only)
 * @bytes: memory reserved by the set
 * @lock: serialises inserts and bit changes
 * @heads: bucket heads (index + 1, 0 = empty)
 * @arena: path bytes
 * @obs: @max entries
 */
struct crs_learn {
	struct rcu_head rcu;
	hsiphash_key_t key;
	u64 epoch;
	atomic64_t generation;
	atomic64_t dropped_full;
	atomic64_t dropped_long;
	atomic_t n;
	u32 max;
	u32 mask;
	u32 arena_size;
	u32 arena_used;
	bool full;
	bool full_hinted;
	u32 hinted;
	u32 bytes;
	raw_spinlock_t lock;
	u32 *heads;
	char *arena;
	struct crs_obs obs[];
};

/*
 * The set to record into, when @cg learns under @t (the override is on, or
 * follows a table with CRS_TABLE_F_LEARN); else NULL. Caller holds RCU and
 * has checked that the mode in effect is not disabled.
 */
static inline struct crs_learn *crs_learning(const struct crs_cgroup *cg,
					     const struct crs_table *t)
{
	u32 o = READ_ONCE(cg->learn_override);

	if (o == CRS_LEARN_OFF || (o == CRS_LEARN_POLICY && !(t->flags & CRS_TABLE_F_LEARN)))
		return NULL;
	return rcu_dereference(cg->learn);
}

static inline bool crs_learn_switched_on(u32 override, const struct crs_table *t)
{
	return override == CRS_LEARN_ON ||
	       (override == CRS_LEARN_POLICY && t && (t->flags & CRS_TABLE_F_LEARN));
}

/*
 * Whether an entry with @override and container mode @mode learns under @t:
 * switched on, and a mode in effect that is not disabled.
 */
static inline bool crs_learn_effective(u32 override, u32 mode, const struct crs_table *t)
{
	if (mode == CRS_MODE_POLICY)
		mode = t->mode;
	return mode != CRS_MODE_DISABLED && crs_learn_switched_on(override, t);
}

/* Whether @l has entries (or its being full) not hinted yet; hint work only. */
static inline bool crs_learn_hint_pending(const struct crs_learn *l)
{
	return l->hinted < (u32)atomic_read_acquire(&l->n) ||
	       (READ_ONCE(l->full) && !l->full_hinted);
}

void crs_learn_hint_kick(void);
void crs_learn_hint_stop(void);
void crs_learn_hint_stats(u64 *sent, u64 *dropped, u64 *hinted);

struct crs_learn *crs_learn_alloc(u32 max, u64 cgroup_id, struct netlink_ext_ack *extack);
void crs_learn_free(struct crs_learn *l);
void crs_learn_record(struct crs_learn *l, u64 cgroup_id, u8 kind, const char *prog,
		      size_t prog_len, const char *obj, size_t obj_len, u32 access, u32 outcome);
struct crs_net_query;
void crs_learn_record_net(struct crs_learn *l, u64 cgroup_id, const struct crs_net_query *q,
			  const char *prog, size_t prog_len, u32 outcome);
void crs_learn_record_syscall(struct crs_learn *l, u64 cgroup_id, u32 arch, u32 nr,
			      const char *prog, size_t prog_len, u32 outcome);
void crs_learn_drop_long(struct crs_learn *l);
int crs_learn_put_header(struct sk_buff *skb, const struct crs_learn *l, u32 state);
int crs_learn_put_obs(struct sk_buff *skb, const struct crs_learn *l, u32 idx);
u32 crs_learn_state(const struct crs_cgroup *cg, const struct crs_table *t,
		    const struct crs_learn *l);
u32 crs_learn_reserved(void);
u32 crs_learn_sets(void);
u64 crs_learn_dropped(void);

#endif
