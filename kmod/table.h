/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_TABLE_H
#define CRS_TABLE_H

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <uapi/linux/crs.h>
#include "match.h"
#include "nettable.h"

struct genl_info;
struct netlink_ext_ack;
struct crs_sysprobe;

/* One argument matcher of a syscall rule. */
struct crs_arg {
	u64 value;
	u8 index;
	u8 op;
};

#define CRS_NO_RULE	U32_MAX
#define CRS_PATH_TYPES	(CRS_RULE_EXECUTE + 1)	/* rule types matched on paths */

/**
 * struct crs_rule - one compiled rule, immutable once the table is live
 * @prog: program pattern
 * @obj: object (path) pattern
 * @name: rule name, "" when unnamed
 * @hits: decisions this rule made
 * @index: position in the policy (reported in events)
 * @next: next rule in the same index chain, or CRS_NO_RULE
 * @type: enum crs_rule_type
 * @action: enum crs_action
 * @flags: CRS_RULE_F_*
 * @access: CRS_ACCESS_*
 * @syscall: syscall rules: the syscall's name
 * @nr64: its x86_64 number (CRS_SYSCALL_NONE if none)
 * @nr32: its i386 number (CRS_SYSCALL_NONE if none)
 * @next32: next rule in the same i386 chain
 * @nargs: entries in @args
 * @args: argument matchers, all of which must hold
 * @net_kind: network and listener rules: enum crs_net_kind
 * @proto: enum crs_proto
 * @family: 0 (any address), AF_INET or AF_INET6
 * @plen: prefix length of @addr
 * @port_min: first port of the range (host order)
 * @port_max: last port of the range
 * @addr: the prefix (peer for network rules, local for listener rules)
 */
struct crs_rule {
	struct crs_pattern prog;
	struct crs_pattern obj;
	const char *name;
	atomic64_t hits;
	u32 index;
	u32 next;
	u8 type;
	u8 action;
	u8 flags;
	u8 access;
	const char *syscall;
	u32 nr64;
	u32 nr32;
	u32 next32;
	u8 nargs;
	struct crs_arg args[CRS_MAX_ARGS];
	u8 net_kind;
	u8 proto;
	u8 family;
	u8 plen;
	u16 port_min;
	u16 port_max;
	u8 addr[16];
};

/**
 * struct crs_index - lookup structure for the rules of one path type
 * @exact: hash buckets (CRS_NO_RULE terminated chains) of exact objects
 * @subtree: hash buckets of subtree prefixes
 * @mask: bucket count - 1 (power of two, shared by both)
 * @glob_first: hash buckets of glob rules whose first path component is
 *	literal ("/home/\*\/x" is filed under "home"), so a path only meets the
 *	globs that can match its first component
 * @globs: glob rules whose first component itself has a '*'
 * @nglobs: entries in @globs
 * @any: rules whose object is "*", most specific program first
 * @nany: entries in @any
 * @max_subtree_len: longest subtree prefix, to skip hopeless probes
 */
struct crs_index {
	u32 *exact;
	u32 *subtree;
	u32 mask;
	u32 *glob_first;
	u32 *globs;
	u32 nglobs;
	u32 *any;
	u32 nany;
	u32 max_subtree_len;
};

/* Table-wide decision counters, per CPU. */
struct crs_table_hits {
	u64 allowed;
	u64 denied;
	u64 monitored;
	u64 by_default;
};

/**
 * struct crs_table - a compiled policy; never modified after publication
 * @free_work: frees the table after an RCU grace period
 * @rules: @nrules rules in policy order
 * @idx: per path type lookup structures
 * @hits: per-CPU decision counters
 * @strings: one allocation holding every pattern and name
 * @generation: module-wide sequence number of this table's creation
 * @nrules: rules in the table
 * @mode: enum crs_mode
 * @flags: CRS_TABLE_F_*
 * @defaults: default action per rule type
 * @name: policy name
 * @sys64: syscall rule chains by x86_64 number (NULL: no syscall rules)
 * @sys32: syscall rule chains by i386 number
 * @ignored64: x86_64 numbers of ignored syscalls (no events), or NULL
 * @ignored32: the same by i386 number
 * @probes: syscall probes this table holds a reference on
 * @nprobes: entries in @probes
 * @dispatch: holds a reference on the dispatcher probes (an allowlist)
 * @net: network lookup structures by enum crs_net_kind and family
 * @net_rules: enabled rules of each enum crs_net_kind
 * @named_prog: some enabled rule of that kind names a program (so the
 *	caller's program must be resolved to match)
 */
struct crs_table {
	struct rcu_work free_work;
	struct crs_rule *rules;
	struct crs_index idx[CRS_PATH_TYPES];
	struct crs_table_hits __percpu *hits;
	char *strings;
	u64 generation;
	u32 nrules;
	u32 mode;
	u32 flags;
	u8 defaults[CRS_RULE_TYPE_MAX + 1];
	char name[CRS_NAME_MAX + 1];
	u32 *sys64;
	u32 *sys32;
	unsigned long *ignored64;
	unsigned long *ignored32;
	struct crs_sysprobe **probes;
	u32 nprobes;
	bool dispatch;
	struct crs_net_index net[CRS_NET_KINDS][2];
	u32 net_rules[CRS_NET_KINDS];
	bool named_prog[CRS_NET_KINDS];
};

/*
 * Whether the table decides anything about @kind: it has rules of that kind,
 * or the default of their type denies.
 */
static inline bool crs_table_polices_net(const struct crs_table *t, u32 kind)
{
	u32 type = kind == CRS_NET_LISTEN ? CRS_RULE_LISTENER : CRS_RULE_NETWORK;

	return t->net_rules[kind] || t->defaults[type] == CRS_ACTION_DENY;
}

/**
 * struct crs_cgroup - a cgroup that has a table
 * @node: in the registry hash, keyed by @id
 * @table: the table in force (RCU)
 * @rcu: frees this after removal
 * @id: cgroup v2 id
 * @mode: container mode override, or CRS_MODE_POLICY
 * @log: CRS_LOG_* mask
 * @learn: the learned set (RCU), NULL when none; outlives table swaps
 * @learn_override: CRS_LEARN_OFF, _ON or _POLICY (follow the table's flag)
 * @learn_max: records of the next set created (0: the default)
 * @learn_dispatch: holds a dispatcher probe reference because it learns
 *	(crs_registry_lock)
 * @inbound: counted in registry_inbound (its table decides inbound traffic,
 *	or it learns) (crs_registry_lock)
 */
struct crs_cgroup {
	struct hlist_node node;
	struct crs_table __rcu *table;
	struct rcu_head rcu;
	u64 id;
	u32 mode;
	u32 log;
	struct crs_learn __rcu *learn;
	u32 learn_override;
	u32 learn_max;
	bool learn_dispatch;
	bool inbound;
};

struct crs_learn;

extern const struct nla_policy crs_rule_policy[CRS_A_RULE_MAX + 1];
extern const struct nla_policy crs_default_policy[CRS_A_DEFAULT_MAX + 1];
extern const struct nla_policy crs_arg_policy[CRS_A_ARG_MAX + 1];

/* Serialises all registry writers (netlink handlers, module exit). */
extern struct mutex crs_registry_lock;

struct crs_table *crs_table_build(struct genl_info *info, struct netlink_ext_ack *extack);
void crs_table_free(struct crs_table *t);
u32 crs_table_match(const struct crs_table *t, u32 type, u32 access,
		    const char *obj, size_t obj_len, const char *prog, size_t prog_len);
u32 crs_table_match_syscall(const struct crs_table *t, bool ia32, u32 nr, const u64 *args,
			    const char *prog, size_t prog_len);

static inline bool crs_table_is_allowlist(const struct crs_table *t)
{
	return t->defaults[CRS_RULE_SYSCALL] == CRS_ACTION_DENY;
}

int crs_registry_set(u64 id, struct crs_table *t, u32 learn_max, struct netlink_ext_ack *extack);
int crs_registry_del(u64 id, struct netlink_ext_ack *extack);

/* What CRS_CMD_SET_CONTAINER changes; a false set_* leaves that field alone. */
struct crs_container_req {
	u32 mode;
	u32 log;
	u32 learn;
	u32 learn_max;	/* 0: not given */
	bool set_mode;
	bool set_log;
	bool set_learn;
};

int crs_registry_set_container(u64 id, const struct crs_container_req *req,
			       struct netlink_ext_ack *extack);
int crs_registry_del_learned(u64 id, struct netlink_ext_ack *extack);
struct crs_cgroup *crs_registry_find(u64 id);
struct crs_cgroup *crs_registry_find_current(u64 *own_id);
struct cgroup;
struct crs_cgroup *crs_registry_find_cgroup(struct cgroup *cg, u64 *own_id);
bool crs_registry_inbound(void);
u32 crs_registry_count(void);
u64 crs_registry_generation(void);
/* Iteration for dumps: the @pos'th cgroup (RCU held), NULL past the end. */
struct crs_cgroup *crs_registry_nth(unsigned long pos);
u32 crs_registry_hint_pending(u64 *ids, u32 max);
void crs_registry_clear(void);
bool crs_registry_active(void);

#endif
