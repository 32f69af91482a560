// SPDX-License-Identifier: GPL-2.0
/*
 * The "crs" generic netlink family: the control plane. Every command needs
 * CAP_NET_ADMIN in the initial user namespace (GENL_ADMIN_PERM) and the
 * family exists in the initial network namespace only. Requests are
 * validated strictly against the policies below; every refusal made here
 * carries an extended-ack message. Handlers run serialised under genl_mutex
 * (no parallel_ops); the registry has its own mutex for the hooks' sake.
 */
#include <linux/kernel.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include "compat/compat.h"
#include "counters.h"
#include "hooks.h"
#include "learn.h"
#include "net.h"
#include "netlink.h"
#include "syscall.h"
#include "table.h"

static const struct nla_policy crs_policy[CRS_A_MAX + 1] = {
	[CRS_A_CGROUP_ID]	= { .type = NLA_U64 },
	[CRS_A_TABLE_NAME]	= { .type = NLA_NUL_STRING, .len = CRS_NAME_MAX },
	[CRS_A_TABLE_MODE]	= { .type = NLA_U32 },	/* range checked in crs_table_build() */
	[CRS_A_TABLE_DEFAULTS]	= NLA_POLICY_NESTED(crs_default_policy),
	[CRS_A_TABLE_FLAGS]	= NLA_POLICY_MASK(NLA_U32, CRS_TABLE_F_ALL),
	[CRS_A_RULE]		= NLA_POLICY_NESTED(crs_rule_policy),
	[CRS_A_CONTAINER_MODE]	= { .type = NLA_U32 },
	[CRS_A_CONTAINER_LOG]	= NLA_POLICY_MASK(NLA_U32, CRS_LOG_ALL),
	[CRS_A_TABLE_IGNORED]	= { .type = NLA_BINARY, .len = CRS_SYSCALL_NR_MAX / 8 },
	[CRS_A_TABLE_IGNORED32]	= { .type = NLA_BINARY, .len = CRS_SYSCALL_NR_MAX / 8 },
	[CRS_A_CONTAINER_LEARN]	= { .type = NLA_U32 },	/* checked in set_container() */
	[CRS_A_LEARN_MAX]	= { .type = NLA_U32 },	/* checked in learn_max() */
};

/* CRS_A_LEARN_MAX if given (0 if not), range checked. */
static int learn_max(struct genl_info *info, u32 *max)
{
	struct nlattr *a = info->attrs[CRS_A_LEARN_MAX];

	*max = 0;
	if (!a)
		return 0;
	*max = nla_get_u32(a);
	if (*max < CRS_MIN_LEARN_RECORDS || *max > CRS_MAX_LEARN_RECORDS) {
		NL_SET_BAD_ATTR(info->extack, a);
		NL_SET_ERR_MSG_FMT_MOD(info->extack, "CRS_A_LEARN_MAX must be %u to %u",
				       CRS_MIN_LEARN_RECORDS, CRS_MAX_LEARN_RECORDS);
		return -EINVAL;
	}
	return 0;
}

static int need_cgroup(struct genl_info *info, u64 *id)
{
	if (!info->attrs[CRS_A_CGROUP_ID]) {
		NL_SET_ERR_MSG_MOD(info->extack, "CRS_A_CGROUP_ID is required");
		return -EINVAL;
	}
	*id = nla_get_u64(info->attrs[CRS_A_CGROUP_ID]);
	return 0;
}

/* ------------------------------------------------------------- status */

static int put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, CRS_A_STATUS_PAD);
}

static int get_status(struct sk_buff *skb, struct genl_info *info)
{
	struct crs_counters c;
	struct sk_buff *msg;
	u64 hsent, hdropped, hinted;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE + CRS_MAX_SYSCALLS * 96, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &crs_family, 0, CRS_CMD_GET_STATUS);
	if (!hdr)
		goto too_big;
	crs_counters_read(&c);
	crs_learn_hint_stats(&hsent, &hdropped, &hinted);
	if (nla_put_string(msg, CRS_A_STATUS_VERSION, CRS_VERSION) ||
	    nla_put_u32(msg, CRS_A_STATUS_ABI, CRS_ABI_VERSION) ||
	    nla_put_u32(msg, CRS_A_STATUS_TABLES, crs_registry_count()) ||
	    nla_put_u32(msg, CRS_A_STATUS_MAX_TABLES, CRS_MAX_TABLES) ||
	    nla_put_u32(msg, CRS_A_STATUS_MAX_RULES, CRS_MAX_RULES) ||
	    nla_put_u32(msg, CRS_A_STATUS_MAX_GLOB_RULES, CRS_MAX_GLOB_RULES) ||
	    nla_put_u32(msg, CRS_A_STATUS_PATTERN_MAX, CRS_PATTERN_MAX) ||
	    put_u64(msg, CRS_A_STATUS_HOOK_CALLS, c.hook_calls) ||
	    put_u64(msg, CRS_A_STATUS_POLICED, c.policed) ||
	    put_u64(msg, CRS_A_STATUS_ALLOWED, c.allowed) ||
	    put_u64(msg, CRS_A_STATUS_DENIED, c.denied) ||
	    put_u64(msg, CRS_A_STATUS_MONITORED, c.monitored) ||
	    put_u64(msg, CRS_A_STATUS_EVENTS_SENT, c.events_sent) ||
	    put_u64(msg, CRS_A_STATUS_EVENTS_DROPPED, c.events_dropped) ||
	    put_u64(msg, CRS_A_STATUS_EVENTS_NO_LISTENER, c.events_no_listener) ||
	    put_u64(msg, CRS_A_STATUS_PATH_ERRORS, c.path_errors) ||
	    put_u64(msg, CRS_A_STATUS_PROG_CACHE_HITS, c.prog_cache_hits) ||
	    put_u64(msg, CRS_A_STATUS_PROG_CACHE_MISSES, c.prog_cache_misses) ||
	    nla_put_u32(msg, CRS_A_STATUS_LEARN_SETS, crs_learn_sets()) ||
	    nla_put_u32(msg, CRS_A_STATUS_LEARN_RESERVED, crs_learn_reserved()) ||
	    nla_put_u32(msg, CRS_A_STATUS_MAX_LEARN_TOTAL, CRS_MAX_LEARN_TOTAL) ||
	    put_u64(msg, CRS_A_STATUS_LEARN_DROPPED, crs_learn_dropped()) ||
	    put_u64(msg, CRS_A_STATUS_LEARN_HINTS_SENT, hsent) ||
	    put_u64(msg, CRS_A_STATUS_LEARN_HINTS_DROPPED, hdropped) ||
	    put_u64(msg, CRS_A_STATUS_LEARN_HINTED, hinted) ||
	    crs_hooks_put_status(msg) || crs_net_put_status(msg) ||
	    crs_syscall_put_status(msg))
		goto too_big;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
too_big:
	nlmsg_free(msg);
	NL_SET_ERR_MSG_MOD(info->extack, "status reply does not fit");
	return -EMSGSIZE;
}

/* ------------------------------------------------------------- tables */

static int set_table(struct sk_buff *skb, struct genl_info *info)
{
	struct crs_table *t;
	u32 max;
	u64 id;
	int err;

	err = need_cgroup(info, &id) ?: learn_max(info, &max);
	if (err)
		return err;
	t = crs_table_build(info, info->extack);
	if (IS_ERR(t))
		return PTR_ERR(t);
	err = crs_registry_set(id, t, max, info->extack);
	if (err)
		crs_table_free(t);
	return err;
}

static int del_table(struct sk_buff *skb, struct genl_info *info)
{
	u64 id;
	int err = need_cgroup(info, &id);

	return err ?: crs_registry_del(id, info->extack);
}

static int put_rule(struct sk_buff *skb, const struct crs_rule *r)
{
	struct nlattr *nest = nla_nest_start(skb, CRS_A_RULE);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, CRS_A_RULE_INDEX, r->index) ||
	    (r->name[0] && nla_put_string(skb, CRS_A_RULE_NAME, r->name)) ||
	    nla_put_u32(skb, CRS_A_RULE_TYPE, r->type) ||
	    nla_put_u32(skb, CRS_A_RULE_ACTION, r->action) ||
	    nla_put_u32(skb, CRS_A_RULE_FLAGS, r->flags) ||
	    nla_put_string(skb, CRS_A_RULE_PROGRAM, r->prog.str) ||
	    nla_put_u64_64bit(skb, CRS_A_RULE_HITS, atomic64_read(&r->hits), CRS_A_RULE_PAD))
		goto cancel;
	if (r->type == CRS_RULE_SYSCALL) {
		u32 k;

		if (nla_put_string(skb, CRS_A_RULE_SYSCALL, r->syscall) ||
		    nla_put_u32(skb, CRS_A_RULE_SYSCALL_NR, r->nr64) ||
		    nla_put_u32(skb, CRS_A_RULE_SYSCALL_NR32, r->nr32))
			goto cancel;
		for (k = 0; k < r->nargs; k++) {
			struct nlattr *an = nla_nest_start(skb, CRS_A_RULE_ARG);

			if (!an || nla_put_u32(skb, CRS_A_ARG_INDEX, r->args[k].index) ||
			    nla_put_u32(skb, CRS_A_ARG_OP, r->args[k].op) ||
			    nla_put_u64_64bit(skb, CRS_A_ARG_VALUE, r->args[k].value, CRS_A_ARG_PAD))
				goto cancel;
			nla_nest_end(skb, an);
		}
	} else if (r->type == CRS_RULE_NETWORK || r->type == CRS_RULE_LISTENER) {
		if (crs_net_put_rule(skb, r))
			goto cancel;
	} else if (nla_put_string(skb, CRS_A_RULE_PATH, r->obj.str) ||
		   nla_put_u32(skb, CRS_A_RULE_ACCESS, r->access)) {
		goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int put_hits(struct sk_buff *skb, const struct crs_table *t)
{
	struct crs_table_hits sum = {};
	struct nlattr *nest;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct crs_table_hits *h = per_cpu_ptr(t->hits, cpu);

		sum.allowed += READ_ONCE(h->allowed);
		sum.denied += READ_ONCE(h->denied);
		sum.monitored += READ_ONCE(h->monitored);
		sum.by_default += READ_ONCE(h->by_default);
	}
	nest = nla_nest_start(skb, CRS_A_TABLE_HITS);
	if (!nest ||
	    nla_put_u64_64bit(skb, CRS_A_HITS_ALLOWED, sum.allowed, CRS_A_HITS_PAD) ||
	    nla_put_u64_64bit(skb, CRS_A_HITS_DENIED, sum.denied, CRS_A_HITS_PAD) ||
	    nla_put_u64_64bit(skb, CRS_A_HITS_MONITORED, sum.monitored, CRS_A_HITS_PAD) ||
	    nla_put_u64_64bit(skb, CRS_A_HITS_DEFAULT, sum.by_default, CRS_A_HITS_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * One message's worth of a table: the header attributes, then rules from
 * *@cursor on. Return: 0 when every rule is in, 1 when more remain (the
 * cursor says where), -EMSGSIZE when not even the header fits.
 */
static int put_table(struct sk_buff *skb, const struct crs_cgroup *c,
		     const struct crs_table *t, unsigned long *cursor)
{
	static const u16 dattr[CRS_RULE_TYPE_MAX + 1] = {
		CRS_A_DEFAULT_FILE, CRS_A_DEFAULT_EXECUTE, CRS_A_DEFAULT_NETWORK,
		CRS_A_DEFAULT_LISTENER, CRS_A_DEFAULT_SYSCALL,
	};
	const struct crs_learn *l = rcu_dereference_check(c->learn,
							  lockdep_is_held(&crs_registry_lock));
	struct nlattr *nest;
	int i;

	if (nla_put_u64_64bit(skb, CRS_A_CGROUP_ID, c->id, CRS_A_PAD) ||
	    nla_put_u32(skb, CRS_A_CONTAINER_LEARN, READ_ONCE(c->learn_override)) ||
	    (l && crs_learn_put_header(skb, l, crs_learn_state(c, t, l))) ||
	    nla_put_string(skb, CRS_A_TABLE_NAME, t->name) ||
	    nla_put_u32(skb, CRS_A_TABLE_MODE, t->mode) ||
	    nla_put_u32(skb, CRS_A_TABLE_FLAGS, t->flags) ||
	    nla_put_u64_64bit(skb, CRS_A_TABLE_GENERATION, t->generation, CRS_A_PAD) ||
	    nla_put_u32(skb, CRS_A_TABLE_NRULES, t->nrules) ||
	    nla_put_u32(skb, CRS_A_CONTAINER_MODE, READ_ONCE(c->mode)) ||
	    nla_put_u32(skb, CRS_A_CONTAINER_LOG, READ_ONCE(c->log)) ||
	    put_hits(skb, t))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, CRS_A_TABLE_DEFAULTS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i <= CRS_RULE_TYPE_MAX; i++)
		if (nla_put_u32(skb, dattr[i], t->defaults[i]))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);

	for (; *cursor < t->nrules; (*cursor)++)
		if (put_rule(skb, &t->rules[*cursor]))
			return 1;
	return 0;
}

static size_t table_msg_size(const struct crs_table *t)
{
	size_t n = 1280;
	u32 i;

	for (i = 0; i < t->nrules; i++)
		n += 128 + 6 * 40 + strlen(t->rules[i].prog.str) + strlen(t->rules[i].obj.str) +
		     strlen(t->rules[i].name) + (t->rules[i].syscall ? strlen(t->rules[i].syscall) : 0);
	return n;
}

#define TABLE_REPLY_MAX (16U << 20)

static int get_table(struct sk_buff *skb, struct genl_info *info)
{
	const struct crs_cgroup *c;
	const struct crs_table *t;
	struct sk_buff *msg;
	unsigned long cursor = 0;
	size_t size;
	void *hdr;
	u64 id;
	int err = need_cgroup(info, &id);

	if (err)
		return err;
	/* The registry lock keeps the table alive while we size and fill. */
	mutex_lock(&crs_registry_lock);
	c = crs_registry_find(id);
	if (!c) {
		mutex_unlock(&crs_registry_lock);
		NL_SET_ERR_MSG_FMT_MOD(info->extack, "cgroup %llu has no table", id);
		return -ENOENT;
	}
	t = rcu_dereference_protected(c->table, lockdep_is_held(&crs_registry_lock));
	size = table_msg_size(t);
	if (size > TABLE_REPLY_MAX) {
		mutex_unlock(&crs_registry_lock);
		NL_SET_ERR_MSG_MOD(info->extack, "table too large for one message: use a dump");
		return -EMSGSIZE;
	}
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg) {
		mutex_unlock(&crs_registry_lock);
		return -ENOMEM;
	}
	hdr = genlmsg_put_reply(msg, info, &crs_family, 0, CRS_CMD_GET_TABLE);
	err = hdr ? put_table(msg, c, t, &cursor) : -EMSGSIZE;
	mutex_unlock(&crs_registry_lock);
	if (err) {
		nlmsg_free(msg);
		NL_SET_ERR_MSG_MOD(info->extack, "table reply does not fit: use a dump");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * Dump every table, or with CRS_A_CGROUP_ID only that cgroup's (the way to
 * read a table too large for one message).
 * cb->args[0]: position in the registry; args[1]: next rule of that table.
 */
static int dump_tables(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct crs_cgroup *c;
	const struct crs_table *t;
	void *hdr;
	int err;

	/* the request was validated by genl; read the filter straight from it */
	const struct nlattr *only = nlmsg_find_attr(cb->nlh, GENL_HDRLEN, CRS_A_CGROUP_ID);

	rcu_read_lock();
	cb->seq = crs_registry_generation();
	while ((c = crs_registry_nth(cb->args[0]))) {
		if (only && c->id != nla_get_u64(only)) {	/* dump of one large table */
			cb->args[0]++;
			continue;
		}
		t = rcu_dereference(c->table);
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &crs_family, NLM_F_MULTI, CRS_CMD_GET_TABLE);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (cb->args[1] > t->nrules)	/* replaced by a smaller table meanwhile */
			cb->args[1] = t->nrules;
		err = put_table(skb, c, t, &cb->args[1]);
		if (err < 0) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		if (err > 0)
			break;
		cb->args[0]++;
		cb->args[1] = 0;
	}
	rcu_read_unlock();
	return skb->len;
}

static int set_container(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *m = info->attrs[CRS_A_CONTAINER_MODE];
	struct nlattr *l = info->attrs[CRS_A_CONTAINER_LOG];
	struct nlattr *lr = info->attrs[CRS_A_CONTAINER_LEARN];
	struct crs_container_req req = {
		.set_mode = m, .set_log = l, .set_learn = lr,
	};
	u64 id;
	int err = need_cgroup(info, &id) ?: learn_max(info, &req.learn_max);

	if (err)
		return err;
	if (!m && !l && !lr) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "nothing to set: give CRS_A_CONTAINER_MODE, CRS_A_CONTAINER_LOG and/or CRS_A_CONTAINER_LEARN");
		return -EINVAL;
	}
	if (m) {
		req.mode = nla_get_u32(m);
		if (req.mode > CRS_MODE_MAX && req.mode != CRS_MODE_POLICY) {
			NL_SET_ERR_MSG_ATTR(info->extack, m,
					    "mode must be disabled, monitor, enforce or policy");
			return -EINVAL;
		}
	}
	if (l)
		req.log = nla_get_u32(l);
	if (lr) {
		req.learn = nla_get_u32(lr);
		if (req.learn != CRS_LEARN_OFF && req.learn != CRS_LEARN_ON &&
		    req.learn != CRS_LEARN_POLICY) {
			NL_SET_ERR_MSG_ATTR(info->extack, lr,
					    "CRS_A_CONTAINER_LEARN must be 0 (off), 1 (on) or 255 (policy)");
			return -EINVAL;
		}
	}
	return crs_registry_set_container(id, &req, info->extack);
}

/* ------------------------------------------------------------ learning */

/* The dump's cgroup id (the request was validated by genl). */
static const struct nlattr *dump_cgroup(struct netlink_callback *cb)
{
	return nlmsg_find_attr(cb->nlh, GENL_HDRLEN, CRS_A_CGROUP_ID);
}

/*
 * cb->args[0]: next entry; args[1]: epoch at start; args[2]: messages sent.
 * Every message repeats the header. A set replaced meanwhile (another epoch)
 * flags the dump inconsistent. Refusals are made by the first call, whose
 * error and extended ack end the dump (a .start callback has no extack on
 * 6.1).
 */
static int dump_learned(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct nlattr *a = dump_cgroup(cb);
	const struct crs_cgroup *c;
	const struct crs_learn *l;
	u32 n;
	void *hdr;
	int ret = 0;
	u64 id;

	if (!a) {
		NL_SET_ERR_MSG_MOD(cb->extack, "CRS_A_CGROUP_ID is required");
		return -EINVAL;
	}
	id = nla_get_u64(a);
	rcu_read_lock();
	c = crs_registry_find(id);
	l = c ? rcu_dereference(c->learn) : NULL;
	if (!l) {
		if (!cb->args[2])
			NL_SET_ERR_MSG_FMT_MOD(cb->extack, "cgroup %llu has no learned set", id);
		ret = -ENOENT;	/* none, or it went during the dump */
		goto out;
	}
	if (!cb->args[2])
		cb->args[1] = l->epoch;
	n = atomic_read_acquire(&l->n);
	if (cb->args[2] && cb->args[0] >= n)
		goto out;	/* done */
	cb->seq = l->epoch == cb->args[1] ? 1 : 2;
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &crs_family, NLM_F_MULTI, CRS_CMD_GET_LEARNED);
	if (!hdr)
		goto out;
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u64_64bit(skb, CRS_A_CGROUP_ID, id, CRS_A_PAD) ||
	    crs_learn_put_header(skb, l, crs_learn_state(c, rcu_dereference(c->table), l))) {
		genlmsg_cancel(skb, hdr);
		goto out;
	}
	for (; cb->args[0] < n; cb->args[0]++)
		if (crs_learn_put_obs(skb, l, cb->args[0]))
			break;
	genlmsg_end(skb, hdr);
	cb->args[2]++;
	ret = skb->len;
out:
	rcu_read_unlock();
	return ret;
}

static int del_learned(struct sk_buff *skb, struct genl_info *info)
{
	u64 id;
	int err = need_cgroup(info, &id);

	return err ?: crs_registry_del_learned(id, info->extack);
}

static int not_a_request(struct sk_buff *skb, struct genl_info *info)
{
	if (info->genlhdr->cmd == CRS_CMD_LEARN_HINT)
		NL_SET_ERR_MSG_MOD(info->extack,
				   "CRS_CMD_LEARN_HINT is a notification, not a request");
	else
		NL_SET_ERR_MSG_MOD(info->extack, "CRS_CMD_EVENT is a notification, not a request");
	return -EINVAL;
}

static const struct genl_ops crs_ops[] = {
	{ .cmd = CRS_CMD_GET_STATUS,	.doit = get_status,	.flags = GENL_ADMIN_PERM },
	{ .cmd = CRS_CMD_SET_TABLE,	.doit = set_table,	.flags = GENL_ADMIN_PERM },
	{ .cmd = CRS_CMD_DEL_TABLE,	.doit = del_table,	.flags = GENL_ADMIN_PERM },
	{ .cmd = CRS_CMD_GET_TABLE,	.doit = get_table,	.dumpit = dump_tables,
	  .flags = GENL_ADMIN_PERM },
	{ .cmd = CRS_CMD_SET_CONTAINER,	.doit = set_container,	.flags = GENL_ADMIN_PERM },
	{ .cmd = CRS_CMD_EVENT,		.doit = not_a_request,	.flags = GENL_ADMIN_PERM },
	{ .cmd = CRS_CMD_GET_LEARNED,	.dumpit = dump_learned,	.flags = GENL_ADMIN_PERM },
	{ .cmd = CRS_CMD_DEL_LEARNED,	.doit = del_learned,	.flags = GENL_ADMIN_PERM },
	{ .cmd = CRS_CMD_LEARN_HINT,	.doit = not_a_request,	.flags = GENL_ADMIN_PERM },
};

static const struct genl_multicast_group crs_mcgrps[] = {
	[CRS_MCGRP_EVENTS_IDX] = { .name = CRS_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
	[CRS_MCGRP_LEARN_IDX] = { .name = CRS_MCGRP_LEARN, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

struct genl_family crs_family = {
	.name		= CRS_GENL_NAME,
	.version	= CRS_GENL_VERSION,
	.maxattr	= CRS_A_MAX,
	.policy		= crs_policy,
	.netnsok	= false,
	.parallel_ops	= false,
	.module		= THIS_MODULE,
	.ops		= crs_ops,
	.n_ops		= ARRAY_SIZE(crs_ops),
	.mcgrps		= crs_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(crs_mcgrps),
};

/**
 * crs_nl_has_listeners - whether anyone subscribed to the events group
 */
bool crs_nl_has_listeners(void)
{
	return genl_has_listeners(&crs_family, &init_net, CRS_MCGRP_EVENTS_IDX);
}

/**
 * crs_netlink_init - register the family
 */
int crs_netlink_init(void)
{
	return genl_register_family(&crs_family);
}

/**
 * crs_netlink_exit - unregister the family (waits for running handlers)
 */
void crs_netlink_exit(void)
{
	genl_unregister_family(&crs_family);
}
