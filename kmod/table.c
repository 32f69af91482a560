// SPDX-License-Identifier: GPL-2.0
/*
 * Compiled rule tables and the registry of cgroups that have one.
 *
 * A table is built aside from a netlink request, validated completely, then
 * published with rcu_assign_pointer(); readers (the hooks) never lock. The
 * replaced table is freed after a grace period. Lookup cost does not depend
 * on the number of exact or subtree rules: both are hashed, and a path is
 * probed once per ancestor directory.
 */
#include <linux/cgroup.h>
#include <linux/hashtable.h>
#include <linux/bitmap.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include "compat/compat.h"
#include "learn.h"
#include "table.h"
#include "main.h"
#include "syscall.h"

const struct nla_policy crs_arg_policy[CRS_A_ARG_MAX + 1] = {
	[CRS_A_ARG_INDEX]	= { .type = NLA_U32 },
	[CRS_A_ARG_OP]		= { .type = NLA_U32 },
	[CRS_A_ARG_VALUE]	= { .type = NLA_U64 },
};

const struct nla_policy crs_rule_policy[CRS_A_RULE_MAX + 1] = {
	[CRS_A_RULE_INDEX]	= { .type = NLA_U32 },
	[CRS_A_RULE_NAME]	= { .type = NLA_NUL_STRING, .len = CRS_NAME_MAX },
	/* enum ranges are checked by hand: out of range is EINVAL, not ERANGE */
	[CRS_A_RULE_TYPE]	= { .type = NLA_U32 },
	[CRS_A_RULE_ACTION]	= { .type = NLA_U32 },
	[CRS_A_RULE_FLAGS]	= NLA_POLICY_MASK(NLA_U32, CRS_RULE_F_ALL),
	[CRS_A_RULE_PROGRAM]	= { .type = NLA_NUL_STRING, .len = CRS_PATTERN_MAX },
	[CRS_A_RULE_PATH]	= { .type = NLA_NUL_STRING, .len = CRS_PATTERN_MAX },
	[CRS_A_RULE_ACCESS]	= NLA_POLICY_MASK(NLA_U32, CRS_ACCESS_ALL),
	[CRS_A_RULE_SYSCALL]	= { .type = NLA_NUL_STRING, .len = CRS_SYSCALL_NAME_MAX },
	[CRS_A_RULE_SYSCALL_NR]	= { .type = NLA_U32 },
	[CRS_A_RULE_SYSCALL_NR32] = { .type = NLA_U32 },
	[CRS_A_RULE_ARG]	= NLA_POLICY_NESTED(crs_arg_policy),
	[CRS_A_RULE_DIRECTION]	= { .type = NLA_U32 },
	[CRS_A_RULE_PROTOCOL]	= { .type = NLA_U32 },
	[CRS_A_RULE_ADDR_FAMILY] = { .type = NLA_U32 },
	[CRS_A_RULE_ADDR]	= { .type = NLA_BINARY, .len = 16 },
	[CRS_A_RULE_PREFIX_LEN]	= { .type = NLA_U32 },
	[CRS_A_RULE_PORT_MIN]	= { .type = NLA_U32 },
	[CRS_A_RULE_PORT_MAX]	= { .type = NLA_U32 },
};

DEFINE_MUTEX(crs_registry_lock);
static DEFINE_HASHTABLE(registry, 10);
static u32 registry_count;
static u32 registry_inbound;	/* tables that decide inbound traffic */
static u64 registry_gen;
static atomic64_t table_gen = ATOMIC64_INIT(0);

/* ------------------------------------------------------------ building */

/* Copy a string attribute into the table's string blob; reject inner NULs. */
static const char *take_string(char **cursor, const struct nlattr *attr,
			       struct netlink_ext_ack *extack)
{
	const char *src = nla_data(attr);
	size_t len = strnlen(src, nla_len(attr));
	char *dst = *cursor;

	if (len + 1 != nla_len(attr)) {
		NL_SET_BAD_ATTR(extack, attr);
		NL_SET_ERR_MSG_MOD(extack, "string attribute has bytes after its NUL");
		return NULL;
	}
	memcpy(dst, src, len + 1);
	*cursor += len + 1;
	return dst;
}

static int parse_program_and_name(struct crs_rule *r, struct nlattr **tb,
				  const struct nlattr *attr, char **cursor,
				  struct netlink_ext_ack *extack);

static bool syscall_name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static int parse_syscall_rule(struct crs_rule *r, u32 pos, struct nlattr **tb,
			      const struct nlattr *attr, char **cursor,
			      struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	int rem, err;

	if (tb[CRS_A_RULE_PATH] || tb[CRS_A_RULE_ACCESS]) {
		NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_PATH] ?: tb[CRS_A_RULE_ACCESS]);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: syscall rules take no path or access", pos);
		return -EINVAL;
	}
	if (!tb[CRS_A_RULE_SYSCALL] || !tb[CRS_A_RULE_SYSCALL_NR] || !tb[CRS_A_RULE_SYSCALL_NR32]) {
		NL_SET_BAD_ATTR(extack, attr);
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "rule %u: syscall rules need the syscall's name and both numbers",
				       pos);
		return -EINVAL;
	}
	r->syscall = take_string(cursor, tb[CRS_A_RULE_SYSCALL], extack);
	if (!r->syscall)
		return -EINVAL;
	r->nr64 = nla_get_u32(tb[CRS_A_RULE_SYSCALL_NR]);
	r->nr32 = nla_get_u32(tb[CRS_A_RULE_SYSCALL_NR32]);
	if (!syscall_name_ok(r->syscall) ||
	    (r->nr64 == CRS_SYSCALL_NONE && r->nr32 == CRS_SYSCALL_NONE) ||
	    (r->nr64 != CRS_SYSCALL_NONE && r->nr64 >= CRS_SYSCALL_NR_MAX) ||
	    (r->nr32 != CRS_SYSCALL_NONE && r->nr32 >= CRS_SYSCALL_NR_MAX)) {
		NL_SET_BAD_ATTR(extack, attr);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: bad syscall \"%.32s\" (numbers %u/%u)",
				       pos, r->syscall, r->nr64, r->nr32);
		return -EINVAL;
	}
	r->nargs = 0;
	nla_for_each_nested(a, attr, rem) {
		struct nlattr *at[CRS_A_ARG_MAX + 1];
		struct crs_arg *m;

		if (nla_type(a) != CRS_A_RULE_ARG)
			continue;
		if (r->nargs == CRS_MAX_ARGS) {
			NL_SET_BAD_ATTR(extack, a);
			NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: at most %u argument matchers", pos,
					       CRS_MAX_ARGS);
			return -EINVAL;
		}
		err = nla_parse_nested(at, CRS_A_ARG_MAX, a, crs_arg_policy, extack);
		if (err)
			return err;
		if (!at[CRS_A_ARG_INDEX] || !at[CRS_A_ARG_OP] || !at[CRS_A_ARG_VALUE] ||
		    nla_get_u32(at[CRS_A_ARG_INDEX]) >= CRS_MAX_ARGS ||
		    nla_get_u32(at[CRS_A_ARG_OP]) > CRS_ARG_OP_MAX) {
			NL_SET_BAD_ATTR(extack, a);
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "rule %u: an argument matcher needs index 0-5, op 0-%u and a value",
					       pos, CRS_ARG_OP_MAX);
			return -EINVAL;
		}
		m = &r->args[r->nargs++];
		m->index = nla_get_u32(at[CRS_A_ARG_INDEX]);
		m->op = nla_get_u32(at[CRS_A_ARG_OP]);
		m->value = nla_get_u64(at[CRS_A_ARG_VALUE]);
	}
	r->access = 0;
	r->obj.kind = CRS_PAT_ANY;
	r->obj.str = "";
	return parse_program_and_name(r, tb, attr, cursor, extack);
}

static int parse_rule(struct crs_table *t, struct crs_rule *r, u32 pos,
		      const struct nlattr *attr, char **cursor,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[CRS_A_RULE_MAX + 1];
	const char *path;
	int err;

	err = nla_parse_nested(tb, CRS_A_RULE_MAX, attr, crs_rule_policy, extack);
	if (err)
		return err;
	if (!tb[CRS_A_RULE_TYPE] || !tb[CRS_A_RULE_ACTION]) {
		NL_SET_BAD_ATTR(extack, attr);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: type and action are required", pos);
		return -EINVAL;
	}
	r->index = tb[CRS_A_RULE_INDEX] ? nla_get_u32(tb[CRS_A_RULE_INDEX]) : pos;
	if (nla_get_u32(tb[CRS_A_RULE_TYPE]) > CRS_RULE_TYPE_MAX) {
		NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_TYPE]);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: unknown rule type %u", pos,
				       nla_get_u32(tb[CRS_A_RULE_TYPE]));
		return -EINVAL;
	}
	if (nla_get_u32(tb[CRS_A_RULE_ACTION]) > CRS_ACTION_MAX) {
		NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_ACTION]);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: action must be allow (0) or deny (1)", pos);
		return -EINVAL;
	}
	r->type = nla_get_u32(tb[CRS_A_RULE_TYPE]);
	r->action = nla_get_u32(tb[CRS_A_RULE_ACTION]);
	r->flags = tb[CRS_A_RULE_FLAGS] ? nla_get_u32(tb[CRS_A_RULE_FLAGS]) : CRS_RULE_F_ENABLED;
	r->next = CRS_NO_RULE;
	atomic64_set(&r->hits, 0);

	r->nr64 = r->nr32 = CRS_SYSCALL_NONE;
	r->next32 = CRS_NO_RULE;
	if (r->type == CRS_RULE_SYSCALL)
		return parse_syscall_rule(r, pos, tb, attr, cursor, extack);
	if (r->type == CRS_RULE_NETWORK || r->type == CRS_RULE_LISTENER) {
		err = crs_net_parse_rule(r, pos, tb, attr, extack);
		if (err)
			return err;
		err = parse_program_and_name(r, tb, attr, cursor, extack);
		if (err)
			return err;
		/* inbound packets are decided before any program receives them */
		if (r->net_kind == CRS_NET_IN && r->prog.kind != CRS_PAT_ANY) {
			NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_PROGRAM]);
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "rule %u: an inbound rule's program must be \"*\" (no program is known)",
					       pos);
			return -EINVAL;
		}
		return 0;
	}
	if (tb[CRS_A_RULE_DIRECTION] || tb[CRS_A_RULE_PROTOCOL] || tb[CRS_A_RULE_ADDR_FAMILY] ||
	    tb[CRS_A_RULE_ADDR] || tb[CRS_A_RULE_PREFIX_LEN] || tb[CRS_A_RULE_PORT_MIN] ||
	    tb[CRS_A_RULE_PORT_MAX]) {
		NL_SET_BAD_ATTR(extack, attr);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: network attributes on a non-network rule",
				       pos);
		return -EINVAL;
	}
	if (r->type >= CRS_PATH_TYPES) {
		NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_TYPE]);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: rule type %u is not supported by this module",
				       pos, r->type);
		return -EOPNOTSUPP;
	}
	if (!tb[CRS_A_RULE_PATH]) {
		NL_SET_BAD_ATTR(extack, attr);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: file and execute rules need a path", pos);
		return -EINVAL;
	}
	if (tb[CRS_A_RULE_SYSCALL] || tb[CRS_A_RULE_SYSCALL_NR] || tb[CRS_A_RULE_SYSCALL_NR32] ||
	    tb[CRS_A_RULE_ARG]) {
		NL_SET_BAD_ATTR(extack, attr);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: syscall attributes on a path rule", pos);
		return -EINVAL;
	}
	if (r->type == CRS_RULE_FILE) {
		u32 acc = tb[CRS_A_RULE_ACCESS] ? nla_get_u32(tb[CRS_A_RULE_ACCESS]) : 0;

		if (!acc || (acc & ~(CRS_ACCESS_READ | CRS_ACCESS_WRITE))) {
			NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_ACCESS] ?: attr);
			NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: file rules need access read and/or write",
					       pos);
			return -EINVAL;
		}
		r->access = acc;
	} else {
		if (tb[CRS_A_RULE_ACCESS] && nla_get_u32(tb[CRS_A_RULE_ACCESS]) != CRS_ACCESS_EXEC) {
			NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_ACCESS]);
			NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: execute rules take no access but exec",
					       pos);
			return -EINVAL;
		}
		r->access = CRS_ACCESS_EXEC;
	}

	path = take_string(cursor, tb[CRS_A_RULE_PATH], extack);
	if (!path)
		return -EINVAL;
	err = crs_pattern_parse(&r->obj, path, tb[CRS_A_RULE_PATH], extack);
	if (err)
		return err;
	return parse_program_and_name(r, tb, attr, cursor, extack);
}

static int parse_program_and_name(struct crs_rule *r, struct nlattr **tb,
				  const struct nlattr *attr, char **cursor,
				  struct netlink_ext_ack *extack)
{
	const char *prog = "*";
	int err;

	if (tb[CRS_A_RULE_PROGRAM]) {
		prog = take_string(cursor, tb[CRS_A_RULE_PROGRAM], extack);
		if (!prog)
			return -EINVAL;
	}
	err = crs_pattern_parse(&r->prog, prog, tb[CRS_A_RULE_PROGRAM] ?: attr, extack);
	if (err)
		return err;
	r->name = "";
	if (tb[CRS_A_RULE_NAME]) {
		r->name = take_string(cursor, tb[CRS_A_RULE_NAME], extack);
		if (!r->name)
			return -EINVAL;
	}
	return 0;
}

/* Length of the first component of absolute path @s ("/usr/bin" -> 3). */
static size_t first_len(const char *s, size_t len)
{
	const char *slash = len > 1 ? memchr(s + 1, '/', len - 1) : NULL;

	return slash ? slash - s - 1 : len - 1;
}

static u32 first_hash(const char *s, size_t len)
{
	return crs_hash(s + 1, first_len(s, len));
}

static bool first_is_wild(const struct crs_pattern *p)
{
	return memchr(p->str + 1, '*', first_len(p->str, p->len)) != NULL;
}

static u32 *alloc_heads(u32 n)
{
	u32 *h = kvmalloc_array(n, sizeof(*h), GFP_KERNEL);

	if (h)
		memset(h, 0xff, n * sizeof(*h));	/* CRS_NO_RULE */
	return h;
}

static int build_index(struct crs_table *t, u32 type)
{
	struct crs_index *ix = &t->idx[type];
	u32 i, n = 0, nglobs = 0, nany = 0, buckets;

	for (i = 0; i < t->nrules; i++) {
		const struct crs_rule *r = &t->rules[i];

		if (r->type != type || !(r->flags & CRS_RULE_F_ENABLED))
			continue;
		n++;
		nglobs += r->obj.kind == CRS_PAT_GLOB && first_is_wild(&r->obj);
		nany += r->obj.kind == CRS_PAT_ANY;
	}
	buckets = roundup_pow_of_two(max(2 * n, 16U));
	ix->mask = buckets - 1;
	ix->exact = alloc_heads(buckets);
	ix->subtree = alloc_heads(buckets);
	ix->glob_first = alloc_heads(buckets);
	ix->globs = kvmalloc_array(max(nglobs, 1U), sizeof(u32), GFP_KERNEL);
	ix->any = kvmalloc_array(max(nany, 1U), sizeof(u32), GFP_KERNEL);
	if (!ix->exact || !ix->subtree || !ix->glob_first || !ix->globs || !ix->any)
		return -ENOMEM;

	for (i = 0; i < t->nrules; i++) {
		struct crs_rule *r = &t->rules[i];
		u32 *head;

		if (r->type != type || !(r->flags & CRS_RULE_F_ENABLED))
			continue;
		switch (r->obj.kind) {
		case CRS_PAT_EXACT:
			head = &ix->exact[r->obj.hash & ix->mask];
			r->next = *head;
			*head = i;
			break;
		case CRS_PAT_SUBTREE:
			head = &ix->subtree[r->obj.hash & ix->mask];
			r->next = *head;
			*head = i;
			ix->max_subtree_len = max_t(u32, ix->max_subtree_len, r->obj.len);
			break;
		case CRS_PAT_GLOB:
			if (first_is_wild(&r->obj)) {
				ix->globs[ix->nglobs++] = i;
				break;
			}
			head = &ix->glob_first[first_hash(r->obj.str, r->obj.len) & ix->mask];
			r->next = *head;
			*head = i;
			break;
		default:
			ix->any[ix->nany++] = i;
			break;
		}
	}
	return 0;
}

/**
 * crs_table_free - free a table that no reader can see any more
 * @t: table, may be NULL
 */
void crs_table_free(struct crs_table *t)
{
	u32 i;

	if (!t)
		return;
	for (i = 0; i < CRS_PATH_TYPES; i++) {
		kvfree(t->idx[i].exact);
		kvfree(t->idx[i].subtree);
		kvfree(t->idx[i].glob_first);
		kvfree(t->idx[i].globs);
		kvfree(t->idx[i].any);
	}
	crs_net_free(t);
	for (i = 0; i < t->nprobes; i++)
		crs_sysprobe_put(t->probes[i]);
	if (t->dispatch)
		crs_dispatch_put();
	kfree(t->probes);
	kvfree(t->sys64);
	kvfree(t->sys32);
	kfree(t->ignored64);
	kfree(t->ignored32);
	free_percpu(t->hits);
	kvfree(t->rules);
	kvfree(t->strings);
	kfree(t);
}

static void table_free_work(struct work_struct *w)
{
	crs_table_free(container_of(to_rcu_work(w), struct crs_table, free_work));
}

static int take_ignored(struct crs_table *t, struct nlattr **a, struct netlink_ext_ack *extack)
{
	static const u16 which[2] = { CRS_A_TABLE_IGNORED, CRS_A_TABLE_IGNORED32 };
	unsigned long **dst[2] = { &t->ignored64, &t->ignored32 };
	int i;

	for (i = 0; i < 2; i++) {
		const struct nlattr *b = a[which[i]];

		if (!b)
			continue;
		if (nla_len(b) != CRS_SYSCALL_NR_MAX / 8) {
			NL_SET_ERR_MSG_ATTR(extack, b, "ignored-syscall bitmaps are 128 bytes");
			return -EINVAL;
		}
		*dst[i] = bitmap_zalloc(CRS_SYSCALL_NR_MAX, GFP_KERNEL);
		if (!*dst[i])
			return -ENOMEM;
		/* bit n is bit n%8 of byte n/8: the in-memory bitmap layout on x86 */
		memcpy(*dst[i], nla_data(b), CRS_SYSCALL_NR_MAX / 8);
	}
	return 0;
}

static int build_syscall_index(struct crs_table *t)
{
	u32 i, n = 0;

	for (i = 0; i < t->nrules; i++)
		n += t->rules[i].type == CRS_RULE_SYSCALL &&
		     (t->rules[i].flags & CRS_RULE_F_ENABLED);
	if (!n && !crs_table_is_allowlist(t))
		return 0;
	t->sys64 = alloc_heads(CRS_SYSCALL_NR_MAX);
	t->sys32 = alloc_heads(CRS_SYSCALL_NR_MAX);
	if (!t->sys64 || !t->sys32)
		return -ENOMEM;
	/* walk backwards so chains keep policy order */
	for (i = t->nrules; i-- > 0;) {
		struct crs_rule *r = &t->rules[i];

		if (r->type != CRS_RULE_SYSCALL || !(r->flags & CRS_RULE_F_ENABLED))
			continue;
		if (r->nr64 != CRS_SYSCALL_NONE) {
			r->next = t->sys64[r->nr64];
			t->sys64[r->nr64] = i;
		}
		if (r->nr32 != CRS_SYSCALL_NONE) {
			r->next32 = t->sys32[r->nr32];
			t->sys32[r->nr32] = i;
		}
	}
	return 0;
}

/*
 * Syscalls are probed while some table needs them: an allowlist needs the
 * dispatchers, any other table the entry points of each syscall it names.
 * Taken before the table is published, dropped when it is freed.
 */
static int take_probes(struct crs_table *t, struct netlink_ext_ack *extack)
{
	u32 i, j;
	int err;

	if (!t->sys64)
		return 0;
	if (crs_table_is_allowlist(t)) {
		err = crs_dispatch_get(extack);
		if (err)
			return err;
		t->dispatch = true;
		return 0;
	}
	t->probes = kcalloc(min_t(u32, t->nrules, CRS_MAX_SYSCALLS), sizeof(*t->probes),
			    GFP_KERNEL);
	if (!t->probes)
		return -ENOMEM;
	for (i = 0; i < t->nrules; i++) {
		const struct crs_rule *r = &t->rules[i];
		struct crs_sysprobe *sp;

		if (r->type != CRS_RULE_SYSCALL || !(r->flags & CRS_RULE_F_ENABLED))
			continue;
		for (j = 0; j < i; j++)	/* once per distinct syscall */
			if (t->rules[j].type == CRS_RULE_SYSCALL &&
			    (t->rules[j].flags & CRS_RULE_F_ENABLED) &&
			    !strcmp(t->rules[j].syscall, r->syscall))
				break;
		if (j < i)
			continue;
		if (t->nprobes == CRS_MAX_SYSCALLS) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "too many distinct syscalls: the limit is %u",
					       CRS_MAX_SYSCALLS);
			return -E2BIG;
		}
		sp = crs_sysprobe_get(r->syscall, r->nr64, r->nr32, extack);
		if (IS_ERR(sp))
			return PTR_ERR(sp);
		t->probes[t->nprobes++] = sp;
	}
	return 0;
}

static const u16 default_attr[CRS_RULE_TYPE_MAX + 1] = {
	[CRS_RULE_FILE]		= CRS_A_DEFAULT_FILE,
	[CRS_RULE_EXECUTE]	= CRS_A_DEFAULT_EXECUTE,
	[CRS_RULE_NETWORK]	= CRS_A_DEFAULT_NETWORK,
	[CRS_RULE_LISTENER]	= CRS_A_DEFAULT_LISTENER,
	[CRS_RULE_SYSCALL]	= CRS_A_DEFAULT_SYSCALL,
};

const struct nla_policy crs_default_policy[CRS_A_DEFAULT_MAX + 1] = {
	[CRS_A_DEFAULT_FILE]	 = { .type = NLA_U32 },
	[CRS_A_DEFAULT_EXECUTE]	 = { .type = NLA_U32 },
	[CRS_A_DEFAULT_NETWORK]	 = { .type = NLA_U32 },
	[CRS_A_DEFAULT_LISTENER] = { .type = NLA_U32 },
	[CRS_A_DEFAULT_SYSCALL]	 = { .type = NLA_U32 },
};

/**
 * crs_table_build - compile a CRS_CMD_SET_TABLE request into a table
 * @info: the request; attributes already validated against the family policy
 * @extack: why it was refused
 *
 * Return: a table not yet visible to anyone, or an ERR_PTR.
 */
struct crs_table *crs_table_build(struct genl_info *info, struct netlink_ext_ack *extack)
{
	struct nlattr **a = info->attrs;
	struct nlattr *tb[CRS_A_DEFAULT_MAX + 1];
	const struct nlattr *attr;
	struct crs_table *t;
	size_t strbytes = 0;
	u32 nrules = 0, nglobs = 0, nnet = 0, i;
	char *cursor;
	int rem, err;

	if (!a[CRS_A_TABLE_MODE] || !a[CRS_A_TABLE_DEFAULTS]) {
		NL_SET_ERR_MSG_MOD(extack, "CRS_A_TABLE_MODE and CRS_A_TABLE_DEFAULTS are required");
		return ERR_PTR(-EINVAL);
	}
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != CRS_A_RULE)
			continue;
		if (++nrules > CRS_MAX_RULES) {
			NL_SET_BAD_ATTR(extack, attr);
			NL_SET_ERR_MSG_FMT_MOD(extack, "too many rules: the limit is %u per table",
					       CRS_MAX_RULES);
			return ERR_PTR(-E2BIG);
		}
		strbytes += nla_len(attr);	/* bounds every string inside it */
	}

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	INIT_RCU_WORK(&t->free_work, table_free_work);
	t->hits = alloc_percpu(struct crs_table_hits);
	t->rules = kvcalloc(max(nrules, 1U), sizeof(*t->rules), GFP_KERNEL);
	t->strings = kvmalloc(strbytes + 2, GFP_KERNEL);
	if (!t->hits || !t->rules || !t->strings) {
		err = -ENOMEM;
		goto fail;
	}
	t->strings[0] = '*';
	t->strings[1] = '\0';
	t->mode = nla_get_u32(a[CRS_A_TABLE_MODE]);
	if (t->mode > CRS_MODE_MAX) {
		NL_SET_ERR_MSG_ATTR(extack, a[CRS_A_TABLE_MODE],
				    "table mode must be disabled (0), monitor (1) or enforce (2)");
		err = -EINVAL;
		goto fail;
	}
	t->flags = a[CRS_A_TABLE_FLAGS] ? nla_get_u32(a[CRS_A_TABLE_FLAGS]) : 0;
	if (a[CRS_A_TABLE_NAME])
		nla_strscpy(t->name, a[CRS_A_TABLE_NAME], sizeof(t->name));

	err = nla_parse_nested(tb, CRS_A_DEFAULT_MAX, a[CRS_A_TABLE_DEFAULTS],
			       crs_default_policy, extack);
	if (err)
		goto fail;
	for (i = 0; i <= CRS_RULE_TYPE_MAX; i++) {
		const struct nlattr *d = tb[default_attr[i]];

		if (d && nla_get_u32(d) > CRS_ACTION_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, d, "default action must be allow (0) or deny (1)");
			err = -EINVAL;
			goto fail;
		}
		t->defaults[i] = d ? nla_get_u32(d) : CRS_ACTION_ALLOW;
	}

	cursor = t->strings + 2;
	i = 0;
	nlmsg_for_each_attr(attr, info->nlhdr, GENL_HDRLEN, rem) {
		if (nla_type(attr) != CRS_A_RULE)
			continue;
		err = parse_rule(t, &t->rules[i], i, attr, &cursor, extack);
		if (err)
			goto fail;
		if (t->rules[i].obj.kind == CRS_PAT_GLOB && ++nglobs > CRS_MAX_GLOB_RULES) {
			NL_SET_BAD_ATTR(extack, attr);
			NL_SET_ERR_MSG_FMT_MOD(extack, "too many glob rules: the limit is %u per table",
					       CRS_MAX_GLOB_RULES);
			err = -E2BIG;
			goto fail;
		}
		if ((t->rules[i].type == CRS_RULE_NETWORK || t->rules[i].type == CRS_RULE_LISTENER) &&
		    ++nnet > CRS_MAX_NET_RULES) {
			NL_SET_BAD_ATTR(extack, attr);
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "too many network and listener rules: the limit is %u per table",
					       CRS_MAX_NET_RULES);
			err = -E2BIG;
			goto fail;
		}
		i++;
	}
	t->nrules = nrules;
	err = crs_net_build(t);
	if (err)
		goto fail;
	for (i = 0; i < CRS_PATH_TYPES; i++) {
		err = build_index(t, i);
		if (err)
			goto fail;
	}
	err = take_ignored(t, a, extack);
	if (err)
		goto fail;
	err = build_syscall_index(t);
	if (err)
		goto fail;
	err = take_probes(t, extack);
	if (err)
		goto fail;
	t->generation = atomic64_inc_return(&table_gen);
	return t;
fail:
	if (err == -ENOMEM)
		NL_SET_ERR_MSG_MOD(extack, "out of memory building the table");
	crs_table_free(t);
	return ERR_PTR(err);
}

/* ------------------------------------------------------------- lookup */

/* Keep @cand if it beats *@best: object, then program specificity, then deny. */
static void consider(const struct crs_table *t, u32 cand, u32 access,
		     const char *prog, size_t prog_len, u32 *best)
{
	const struct crs_rule *r = &t->rules[cand], *b;
	int c;

	if (!(r->access & access) || !crs_pattern_match(&r->prog, prog, prog_len))
		return;
	if (*best == CRS_NO_RULE) {
		*best = cand;
		return;
	}
	b = &t->rules[*best];
	c = crs_pattern_cmp(&r->obj, &b->obj);
	if (!c)
		c = crs_pattern_cmp(&r->prog, &b->prog);
	if (!c && r->action != b->action)
		c = r->action == CRS_ACTION_DENY ? 1 : -1;
	/* equal in every way: the first in the policy, whatever order we met them in */
	if (c > 0 || (!c && r->index < b->index))
		*best = cand;
}

static u32 chain(const struct crs_table *t, u32 head, const char *key, size_t key_len,
		 u32 access, const char *prog, size_t prog_len)
{
	u32 best = CRS_NO_RULE, i;

	for (i = head; i != CRS_NO_RULE; i = t->rules[i].next) {
		const struct crs_pattern *o = &t->rules[i].obj;

		if (o->len == key_len && !memcmp(o->str, key, key_len))
			consider(t, i, access, prog, prog_len, &best);
	}
	return best;
}

#define PREFIX_SLOTS 32

/**
 * crs_table_match - the rule that decides an access, per docs/policy.md
 * @t: table
 * @type: CRS_RULE_FILE or CRS_RULE_EXECUTE
 * @access: one CRS_ACCESS_* bit
 * @obj: object path
 * @obj_len: its length; 0 for an object without a name (only "*" matches)
 * @prog: program path ("" if unknown)
 * @prog_len: its length
 *
 * Return: index into @t->rules, or CRS_NO_RULE for the default action.
 */
u32 crs_table_match(const struct crs_table *t, u32 type, u32 access,
		    const char *obj, size_t obj_len, const char *prog, size_t prog_len)
{
	const struct crs_index *ix = &t->idx[type];
	u32 hashes[PREFIX_SLOTS];
	u16 lens[PREFIX_SLOTS];
	u32 best = CRS_NO_RULE, h = CRS_HASH_INIT, i, n = 0;
	int k;

	if (!obj_len)	/* an object without a name: only "*" rules apply */
		goto any;
	best = chain(t, ix->exact[crs_hash(obj, obj_len) & ix->mask], obj, obj_len,
		     access, prog, prog_len);
	if (best != CRS_NO_RULE)
		return best;

	if (ix->max_subtree_len) {
		/*
		 * Hash every directory prefix ("/a", "/a/b", ..., the path
		 * itself) in one pass; probe longest first. Paths deeper than
		 * PREFIX_SLOTS rehash their shallow prefixes individually.
		 */
		for (i = 0; i <= obj_len; i++) {
			if ((i == obj_len || obj[i] == '/') && i > 0) {
				if (i > ix->max_subtree_len)
					break;
				hashes[n % PREFIX_SLOTS] = crs_hash_final(h);
				lens[n % PREFIX_SLOTS] = i;
				n++;
			}
			if (i < obj_len)
				h = crs_hash_step(h, obj[i]);
		}
		for (k = n - 1; k >= 0; k--) {
			u32 hh, len;

			if (k >= (int)n - PREFIX_SLOTS) {
				hh = hashes[k % PREFIX_SLOTS];
				len = lens[k % PREFIX_SLOTS];
			} else {
				/* the k-th prefix ends at the (k+2)-th '/' */
				int seen = -1;

				for (len = 1; len < obj_len; len++)
					if (obj[len] == '/' && ++seen == k)
						break;
				hh = crs_hash(obj, len);
			}
			best = chain(t, ix->subtree[hh & ix->mask], obj, len,
				     access, prog, prog_len);
			if (best != CRS_NO_RULE)
				return best;
		}
	}

	for (i = ix->glob_first[first_hash(obj, obj_len) & ix->mask]; i != CRS_NO_RULE;
	     i = t->rules[i].next)
		if (crs_pattern_match(&t->rules[i].obj, obj, obj_len))
			consider(t, i, access, prog, prog_len, &best);
	for (i = 0; i < ix->nglobs; i++)
		if (crs_pattern_match(&t->rules[ix->globs[i]].obj, obj, obj_len))
			consider(t, ix->globs[i], access, prog, prog_len, &best);
	if (best != CRS_NO_RULE)
		return best;
any:
	for (i = 0; i < ix->nany; i++)
		consider(t, ix->any[i], access, prog, prog_len, &best);
	return best;
}

static bool arg_holds(const struct crs_arg *m, const u64 *args, bool ia32)
{
	u64 a = args[m->index], v = m->value;

	if (ia32) {	/* 32-bit entry points: compare the low 32 bits */
		a = (u32)a;
		v = (u32)v;
	}
	switch (m->op) {
	case CRS_ARG_EQ:	return a == v;
	case CRS_ARG_NE:	return a != v;
	case CRS_ARG_LT:	return a < v;
	case CRS_ARG_LE:	return a <= v;
	case CRS_ARG_GT:	return a > v;
	case CRS_ARG_GE:	return a >= v;
	case CRS_ARG_MASK_ALL:	return (a & v) == v;
	case CRS_ARG_MASK_ANY:	return (a & v) != 0;
	}
	return false;
}

/**
 * crs_table_match_syscall - the rule that decides a system call
 * @t: table
 * @ia32: @nr is an i386 number (else x86_64)
 * @nr: syscall number
 * @args: the six argument registers, or NULL when they are in user memory
 *	(ia32 socketcall): then rules with matchers apply only if they deny
 * @prog: program path
 * @prog_len: its length
 *
 * Most specific program first, then more argument matchers, then deny.
 * Return: index into @t->rules, or CRS_NO_RULE for the default action.
 */
u32 crs_table_match_syscall(const struct crs_table *t, bool ia32, u32 nr, const u64 *args,
			    const char *prog, size_t prog_len)
{
	const u32 *heads = ia32 ? t->sys32 : t->sys64;
	u32 i, k, best = CRS_NO_RULE;

	if (!heads || nr >= CRS_SYSCALL_NR_MAX)
		return CRS_NO_RULE;
	for (i = heads[nr]; i != CRS_NO_RULE; i = ia32 ? t->rules[i].next32 : t->rules[i].next) {
		const struct crs_rule *r = &t->rules[i], *b;
		int c;

		if (!crs_pattern_match(&r->prog, prog, prog_len))
			continue;
		if (!args) {
			/* arguments unknown: a matcher can only make a deny apply */
			if (r->nargs && r->action != CRS_ACTION_DENY)
				continue;
		} else {
			for (k = 0; k < r->nargs; k++)
				if (!arg_holds(&r->args[k], args, ia32))
					break;
			if (k < r->nargs)
				continue;
		}
		if (best == CRS_NO_RULE) {
			best = i;
			continue;
		}
		b = &t->rules[best];
		c = crs_pattern_cmp(&r->prog, &b->prog);
		if (!c)
			c = (int)r->nargs - (int)b->nargs;
		if (!c && r->action != b->action)
			c = r->action == CRS_ACTION_DENY ? 1 : -1;
		if (c > 0 || (!c && r->index < b->index))	/* a full tie: the first */
			best = i;
	}
	return best;
}

/* ----------------------------------------------------------- registry */

static struct crs_cgroup *find(u64 id)
{
	struct crs_cgroup *c;

	hash_for_each_possible_rcu(registry, c, node, id)
		if (c->id == id)
			return c;
	return NULL;
}

/**
 * crs_registry_find - the registry entry of cgroup @id (RCU or lock held)
 * @id: cgroup v2 id
 */
struct crs_cgroup *crs_registry_find(u64 id)
{
	return find(id);
}

/**
 * crs_registry_active - whether any table exists
 *
 * A plain load, not a static key: toggling a static key patches kernel text
 * on every first/last table, which is costly and (under QEMU TCG on 6.12)
 * not reliable; one cached load costs nothing measurable.
 */
bool crs_registry_active(void)
{
	return READ_ONCE(registry_count) != 0;
}

/**
 * crs_registry_find_current - the nearest cgroup with a table above current
 * @own_id: set to current's own cgroup id
 *
 * Caller holds rcu_read_lock(). Containers may create child cgroups, so
 * walk up to the first ancestor that has a table.
 */
struct crs_cgroup *crs_registry_find_current(u64 *own_id)
{
	return crs_registry_find_cgroup(task_dfl_cgroup(current), own_id);
}

/**
 * crs_registry_inbound - whether some table decides inbound traffic
 *
 * Inbound decisions need a socket lookup per packet; without such a table
 * the netfilter hook returns at once.
 */
bool crs_registry_inbound(void)
{
	return READ_ONCE(registry_inbound) != 0;
}

static bool needs_inbound(const struct crs_table *t)
{
	return t && crs_table_polices_net(t, CRS_NET_IN);
}

/*
 * Before a change that makes an entry (@c, NULL: a new one) learn
 * (@effective): take the dispatcher reference it will hold, so a failure
 * leaves everything as it was. Lock order: crs_registry_lock, then
 * sysprobe_lock (inside crs_dispatch_get/put).
 */
static int learn_hold(const struct crs_cgroup *c, bool effective,
		      struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&crs_registry_lock);
	if (!effective || (c && c->learn_dispatch))
		return 0;
	return crs_dispatch_get(extack);
}

/*
 * After the change: @c learns (@effective) or not. Keeps or drops the
 * reference learn_hold() took and recounts @c in registry_inbound, which
 * also counts learning entries (their inbound peers are recorded).
 */
static void learn_settle(struct crs_cgroup *c, bool effective)
{
	const struct crs_table *t = rcu_dereference_protected(c->table,
							      lockdep_is_held(&crs_registry_lock));
	bool inbound = needs_inbound(t) || effective;

	if (c->learn_dispatch && !effective)
		crs_dispatch_put();
	c->learn_dispatch = effective;
	WRITE_ONCE(registry_inbound, registry_inbound + inbound - c->inbound);
	c->inbound = inbound;
}

/**
 * crs_registry_find_cgroup - the nearest cgroup with a table at or above @cg
 * @cg: a cgroup v2 (a task's, or a socket's)
 * @own_id: set to @cg's id
 *
 * Caller holds rcu_read_lock().
 */
struct crs_cgroup *crs_registry_find_cgroup(struct cgroup *cg, u64 *own_id)
{
	struct crs_cgroup *c;

	*own_id = cgroup_id(cg);
	for (; cg; cg = cgroup_parent(cg)) {
		c = find(cgroup_id(cg));
		if (c)
			return c;
	}
	return NULL;
}

/*
 * Make sure @c (NULL: a new entry) has a learned set when learning is
 * switched on by @override under @t. @max (0: not given) sizes a new set;
 * a different size for an existing set is refused. *@fresh gets a set to
 * publish, or NULL.
 */
static int learn_prepare(struct crs_cgroup *c, u64 id, u32 override, const struct crs_table *t,
			 u32 max, struct crs_learn **fresh, struct netlink_ext_ack *extack)
{
	struct crs_learn *l = c ? rcu_dereference_protected(c->learn,
							    lockdep_is_held(&crs_registry_lock)) : NULL;

	*fresh = NULL;
	if (l && max && max != l->max) {
		/* extack messages end at 79 characters (6.12): short, whatever the id */
		NL_SET_ERR_MSG_FMT_MOD(extack, "cgroup %llu has a learned set: delete it to resize",
				       id);
		return -EBUSY;
	}
	if (l || !crs_learn_switched_on(override, t))
		return 0;
	if (!max)
		max = c && c->learn_max ? c->learn_max : CRS_DEFAULT_LEARN_RECORDS;
	l = crs_learn_alloc(max, id, extack);
	if (IS_ERR(l))
		return PTR_ERR(l);
	*fresh = l;
	return 0;
}

static void retire(struct crs_table *t)
{
	if (t)
		queue_rcu_work(crs_wq, &t->free_work);
}

/**
 * crs_registry_set - publish @t as the table of cgroup @id
 * @id: cgroup v2 id; the cgroup must exist
 * @t: built table; owned by the registry on success, freed by caller on error
 * @learn_max: CRS_A_LEARN_MAX if given, else 0; sizes a learned set created
 *	because @t switches learning on
 * @extack: error message
 */
int crs_registry_set(u64 id, struct crs_table *t, u32 learn_max, struct netlink_ext_ack *extack)
{
	struct crs_cgroup *c;
	struct crs_table *old;
	struct crs_learn *fresh;
	struct cgroup *cg;
	bool effective;
	int err;

	cg = cgroup_get_from_id(id);
	if (IS_ERR_OR_NULL(cg)) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "no cgroup v2 with id %llu", id);
		return -ENOENT;
	}
	cgroup_put(cg);

	mutex_lock(&crs_registry_lock);
	c = find(id);
	effective = crs_learn_effective(c ? c->learn_override : CRS_LEARN_POLICY,
				    c ? c->mode : CRS_MODE_POLICY, t);
	err = learn_prepare(c, id, c ? c->learn_override : CRS_LEARN_POLICY, t, learn_max,
			    &fresh, extack);
	if (!err) {
		err = learn_hold(c, effective, extack);
		if (err)
			crs_learn_free(fresh);
	}
	if (err) {
		mutex_unlock(&crs_registry_lock);
		return err;
	}
	if (!c) {
		if (registry_count >= CRS_MAX_TABLES) {
			crs_learn_free(fresh);
			if (effective)
				crs_dispatch_put();
			mutex_unlock(&crs_registry_lock);
			NL_SET_ERR_MSG_FMT_MOD(extack, "too many tables: the limit is %u",
					       CRS_MAX_TABLES);
			return -ENOSPC;
		}
		c = kzalloc(sizeof(*c), GFP_KERNEL);
		if (!c) {
			crs_learn_free(fresh);
			if (effective)
				crs_dispatch_put();
			mutex_unlock(&crs_registry_lock);
			return -ENOMEM;
		}
		c->id = id;
		c->mode = CRS_MODE_POLICY;
		c->log = CRS_LOG_DEFAULT;
		c->learn_override = CRS_LEARN_POLICY;
		rcu_assign_pointer(c->table, t);
		hash_add_rcu(registry, &c->node, id);
		WRITE_ONCE(registry_count, registry_count + 1);
		old = NULL;
	} else {
		old = rcu_replace_pointer(c->table, t, lockdep_is_held(&crs_registry_lock));
	}
	if (learn_max)
		c->learn_max = learn_max;
	if (fresh)
		rcu_assign_pointer(c->learn, fresh);
	learn_settle(c, effective);
	registry_gen++;
	mutex_unlock(&crs_registry_lock);
	retire(old);
	return 0;
}

static void remove_locked(struct crs_cgroup *c)
{
	struct crs_table *t = rcu_dereference_protected(c->table,
							lockdep_is_held(&crs_registry_lock));

	hash_del_rcu(&c->node);
	WRITE_ONCE(registry_inbound, registry_inbound - c->inbound);
	if (c->learn_dispatch)
		crs_dispatch_put();
	retire(t);
	crs_learn_free(rcu_dereference_protected(c->learn, lockdep_is_held(&crs_registry_lock)));
	kfree_rcu(c, rcu);
	registry_gen++;
	WRITE_ONCE(registry_count, registry_count - 1);
}

/**
 * crs_registry_del - drop the table of cgroup @id
 * @id: cgroup v2 id (the cgroup may be gone already)
 * @extack: error message
 */
int crs_registry_del(u64 id, struct netlink_ext_ack *extack)
{
	struct crs_cgroup *c;

	mutex_lock(&crs_registry_lock);
	c = find(id);
	if (!c) {
		mutex_unlock(&crs_registry_lock);
		NL_SET_ERR_MSG_FMT_MOD(extack, "cgroup %llu has no table", id);
		return -ENOENT;
	}
	remove_locked(c);
	mutex_unlock(&crs_registry_lock);
	return 0;
}

/**
 * crs_registry_set_container - per-container overrides
 * @id: cgroup v2 id with a table
 * @req: what to change
 * @extack: error message
 *
 * Switching learning on allocates the cgroup's learned set first, if it has
 * none; on failure nothing changes.
 */
int crs_registry_set_container(u64 id, const struct crs_container_req *req,
			       struct netlink_ext_ack *extack)
{
	struct crs_learn *fresh = NULL;
	const struct crs_table *t;
	struct crs_cgroup *c;
	bool effective;
	int err;

	mutex_lock(&crs_registry_lock);
	c = find(id);
	if (!c) {
		mutex_unlock(&crs_registry_lock);
		NL_SET_ERR_MSG_FMT_MOD(extack, "cgroup %llu has no table: load one first", id);
		return -ENOENT;
	}
	t = rcu_dereference_protected(c->table, lockdep_is_held(&crs_registry_lock));
	if (req->set_learn || req->learn_max) {
		err = learn_prepare(c, id, req->set_learn ? req->learn : c->learn_override, t,
				    req->learn_max, &fresh, extack);
		if (err) {
			mutex_unlock(&crs_registry_lock);
			return err;
		}
	}
	effective = crs_learn_effective(req->set_learn ? req->learn : c->learn_override,
				    req->set_mode ? req->mode : c->mode, t);
	err = learn_hold(c, effective, extack);
	if (err) {
		crs_learn_free(fresh);
		mutex_unlock(&crs_registry_lock);
		return err;
	}
	if (req->learn_max)
		c->learn_max = req->learn_max;
	if (fresh)
		rcu_assign_pointer(c->learn, fresh);
	if (req->set_learn)
		WRITE_ONCE(c->learn_override, req->learn);
	if (req->set_mode)
		WRITE_ONCE(c->mode, req->mode);
	if (req->set_log)
		WRITE_ONCE(c->log, req->log);
	learn_settle(c, effective);
	registry_gen++;
	mutex_unlock(&crs_registry_lock);
	return 0;
}

/**
 * crs_registry_del_learned - forget what cgroup @id learned
 * @id: cgroup v2 id
 * @extack: error message
 *
 * Frees the set; while learning is switched on, an empty set of the same
 * size (a new epoch) replaces it atomically.
 */
int crs_registry_del_learned(u64 id, struct netlink_ext_ack *extack)
{
	struct crs_learn *old, *fresh = NULL;
	const struct crs_table *t;
	struct crs_cgroup *c;
	int err = 0;
	u32 max;

	mutex_lock(&crs_registry_lock);
	c = find(id);
	old = c ? rcu_dereference_protected(c->learn, lockdep_is_held(&crs_registry_lock)) : NULL;
	if (!old) {
		mutex_unlock(&crs_registry_lock);
		NL_SET_ERR_MSG_FMT_MOD(extack, "cgroup %llu has no learned set", id);
		return -ENOENT;
	}
	t = rcu_dereference_protected(c->table, lockdep_is_held(&crs_registry_lock));
	max = old->max;
	RCU_INIT_POINTER(c->learn, NULL);	/* unpublished before its free is queued */
	crs_learn_free(old);	/* its records count as free from here on */
	if (crs_learn_switched_on(c->learn_override, t)) {
		fresh = crs_learn_alloc(max, id, extack);
		if (IS_ERR(fresh)) {
			/* the old set is gone either way; learning stays on, unrecorded */
			err = PTR_ERR(fresh);
			fresh = NULL;
		}
	}
	rcu_assign_pointer(c->learn, fresh);
	registry_gen++;
	mutex_unlock(&crs_registry_lock);
	return err;
}

/**
 * crs_registry_count - number of tables
 */
u32 crs_registry_count(void)
{
	return READ_ONCE(registry_count);
}

/**
 * crs_registry_generation - changes whenever the registry or an entry changes
 */
u64 crs_registry_generation(void)
{
	return READ_ONCE(registry_gen);
}

/**
 * crs_registry_nth - the @pos'th entry in hash order, for dumps (RCU held)
 * @pos: 0-based position
 */
struct crs_cgroup *crs_registry_nth(unsigned long pos)
{
	struct crs_cgroup *c;
	int bkt;

	hash_for_each_rcu(registry, bkt, c, node)
		if (pos-- == 0)
			return c;
	return NULL;
}

/**
 * crs_registry_hint_pending - cgroups whose learned set has something to hint
 * @ids: filled with the first @max of their ids
 * @max: room in @ids
 *
 * For the hint work only (it alone reads and writes the sets' hint marks).
 *
 * Return: how many there are; more than @max means some were left for later.
 */
u32 crs_registry_hint_pending(u64 *ids, u32 max)
{
	const struct crs_learn *l;
	struct crs_cgroup *c;
	u32 n = 0;
	int bkt;

	rcu_read_lock();
	hash_for_each_rcu(registry, bkt, c, node) {
		l = rcu_dereference(c->learn);
		if (!l || !crs_learn_hint_pending(l))
			continue;
		if (n < max)
			ids[n] = c->id;
		n++;
	}
	rcu_read_unlock();
	return n;
}

/**
 * crs_registry_clear - drop every table (module exit)
 */
void crs_registry_clear(void)
{
	struct crs_cgroup *c;
	struct hlist_node *tmp;
	int bkt;

	mutex_lock(&crs_registry_lock);
	hash_for_each_safe(registry, bkt, tmp, c, node)
		remove_locked(c);
	mutex_unlock(&crs_registry_lock);
}
