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
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include "compat/compat.h"
#include "table.h"
#include "main.h"

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
};

DEFINE_MUTEX(crs_registry_lock);
static DEFINE_HASHTABLE(registry, 10);
static u32 registry_count;
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

static int parse_rule(struct crs_table *t, struct crs_rule *r, u32 pos,
		      const struct nlattr *attr, char **cursor,
		      struct netlink_ext_ack *extack)
{
	struct nlattr *tb[CRS_A_RULE_MAX + 1];
	const char *path, *prog = "*";
	int err;

	err = nla_parse_nested(tb, CRS_A_RULE_MAX, attr, crs_rule_policy, extack);
	if (err)
		return err;
	if (!tb[CRS_A_RULE_TYPE] || !tb[CRS_A_RULE_ACTION] || !tb[CRS_A_RULE_PATH]) {
		NL_SET_BAD_ATTR(extack, attr);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: type, action and path are required", pos);
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

	if (r->type >= CRS_PATH_TYPES) {
		NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_TYPE]);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: rule type %u is not supported by this module",
				       pos, r->type);
		return -EOPNOTSUPP;
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
	int i;

	if (!t)
		return;
	for (i = 0; i < CRS_PATH_TYPES; i++) {
		kvfree(t->idx[i].exact);
		kvfree(t->idx[i].subtree);
		kvfree(t->idx[i].glob_first);
		kvfree(t->idx[i].globs);
		kvfree(t->idx[i].any);
	}
	free_percpu(t->hits);
	kvfree(t->rules);
	kvfree(t->strings);
	kfree(t);
}

static void table_free_work(struct work_struct *w)
{
	crs_table_free(container_of(to_rcu_work(w), struct crs_table, free_work));
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
	u32 nrules = 0, nglobs = 0, i;
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
		i++;
	}
	t->nrules = nrules;
	for (i = 0; i < CRS_PATH_TYPES; i++) {
		err = build_index(t, i);
		if (err)
			goto fail;
	}
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
	if (c > 0 || (!c && r->action == CRS_ACTION_DENY && b->action != CRS_ACTION_DENY))
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
	struct cgroup *cg = task_dfl_cgroup(current);
	struct crs_cgroup *c;

	*own_id = cgroup_id(cg);
	for (; cg; cg = cgroup_parent(cg)) {
		c = find(cgroup_id(cg));
		if (c)
			return c;
	}
	return NULL;
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
 * @extack: error message
 */
int crs_registry_set(u64 id, struct crs_table *t, struct netlink_ext_ack *extack)
{
	struct crs_cgroup *c;
	struct crs_table *old;
	struct cgroup *cg;

	cg = cgroup_get_from_id(id);
	if (IS_ERR_OR_NULL(cg)) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "no cgroup v2 with id %llu", id);
		return -ENOENT;
	}
	cgroup_put(cg);

	mutex_lock(&crs_registry_lock);
	c = find(id);
	if (!c) {
		if (registry_count >= CRS_MAX_TABLES) {
			mutex_unlock(&crs_registry_lock);
			NL_SET_ERR_MSG_FMT_MOD(extack, "too many tables: the limit is %u",
					       CRS_MAX_TABLES);
			return -ENOSPC;
		}
		c = kzalloc(sizeof(*c), GFP_KERNEL);
		if (!c) {
			mutex_unlock(&crs_registry_lock);
			return -ENOMEM;
		}
		c->id = id;
		c->mode = CRS_MODE_POLICY;
		c->log = CRS_LOG_DEFAULT;
		rcu_assign_pointer(c->table, t);
		hash_add_rcu(registry, &c->node, id);
		WRITE_ONCE(registry_count, registry_count + 1);
		old = NULL;
	} else {
		old = rcu_replace_pointer(c->table, t, lockdep_is_held(&crs_registry_lock));
	}
	registry_gen++;
	mutex_unlock(&crs_registry_lock);
	retire(old);
	return 0;
}

static void remove_locked(struct crs_cgroup *c)
{
	hash_del_rcu(&c->node);
	retire(rcu_dereference_protected(c->table, lockdep_is_held(&crs_registry_lock)));
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
 * @mode: enum crs_mode or CRS_MODE_POLICY
 * @log: CRS_LOG_* mask
 * @set_mode: apply @mode
 * @set_log: apply @log
 * @extack: error message
 */
int crs_registry_set_container(u64 id, u32 mode, u32 log, bool set_mode, bool set_log,
			       struct netlink_ext_ack *extack)
{
	struct crs_cgroup *c;

	mutex_lock(&crs_registry_lock);
	c = find(id);
	if (!c) {
		mutex_unlock(&crs_registry_lock);
		NL_SET_ERR_MSG_FMT_MOD(extack, "cgroup %llu has no table: load one first", id);
		return -ENOENT;
	}
	if (set_mode)
		WRITE_ONCE(c->mode, mode);
	if (set_log)
		WRITE_ONCE(c->log, log);
	registry_gen++;
	mutex_unlock(&crs_registry_lock);
	return 0;
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
