// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The crs generic netlink messages (kmod/uapi/linux/crs.h), built and
 * parsed without a socket so that they can be unit tested on a host
 * without the module: SET_TABLE requests, GET_TABLE / GET_STATUS replies,
 * events, and extended acks.
 *
 * Parsers accept attributes they do not know (a newer module may add
 * some) and reject known attributes of the wrong size with -EBADMSG.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include "crsnl_int.h"

#define ATTR_SIZE(payload)	NLA_ALIGN(NLA_HDRLEN + (size_t)(payload))

/* ------------------------------------------------------------ building */

static size_t str_size(const char *s)
{
	return ATTR_SIZE(strlen(s) + 1);
}

/* One CRS_A_RULE_ARG nest: index, op, value. */
#define ARG_NEST_SIZE	ATTR_SIZE(2 * ATTR_SIZE(sizeof(uint32_t)) + ATTR_SIZE(sizeof(uint64_t)))
/* CRS_A_TABLE_IGNORED / _IGNORED32: one bit per syscall number. */
#define IGNORED_BYTES	(CRS_SYSCALL_NR_MAX / 8)

static size_t rule_size(const struct crs_policy_rule *r)
{
	size_t sz = 4 * ATTR_SIZE(sizeof(uint32_t));	/* index type action flags */

	if (r->name)
		sz += str_size(r->name);
	sz += str_size(r->program ? r->program : "*");
	if (r->type == CRS_RULE_NETWORK || r->type == CRS_RULE_LISTENER) {
		size_t alen = crs_net_addr_len(r->address.family);

		if (r->type == CRS_RULE_NETWORK)
			sz += ATTR_SIZE(sizeof(uint32_t));	/* direction */
		/* protocol, family, port min and max */
		sz += 4 * ATTR_SIZE(sizeof(uint32_t));
		if (alen)
			sz += ATTR_SIZE(alen) + ATTR_SIZE(sizeof(uint32_t));	/* addr, prefix */
		return ATTR_SIZE(sz);
	}
	if (r->type == CRS_RULE_SYSCALL) {
		sz += str_size(r->syscall ? r->syscall : "");
		sz += 2 * ATTR_SIZE(sizeof(uint32_t));	/* nr, nr32 */
		sz += (r->n_args < CRS_MAX_ARGS ? r->n_args : CRS_MAX_ARGS) * ARG_NEST_SIZE;
		return ATTR_SIZE(sz);
	}
	sz += ATTR_SIZE(sizeof(uint32_t));		/* access */
	if (r->path)
		sz += str_size(r->path);
	return ATTR_SIZE(sz);
}

/*
 * The bitmaps of p's ignored_syscalls by x86_64 and by i386 number (bit n
 * is byte n / 8, bit n % 8). Names unknown here are skipped (validation
 * refuses them).
 */
static void ignored_bitmaps(const struct crs_policy *p, uint8_t *b64, uint8_t *b32)
{
	uint32_t n64, n32;
	size_t i;

	memset(b64, 0, IGNORED_BYTES);
	memset(b32, 0, IGNORED_BYTES);
	for (i = 0; p->ignored_syscalls && i < p->n_ignored_syscalls; i++) {
		if (crs_syscall_lookup(p->ignored_syscalls[i], &n64, &n32))
			continue;
		if (n64 < CRS_SYSCALL_NR_MAX)
			b64[n64 / 8] |= 1u << (n64 % 8);
		if (n32 < CRS_SYSCALL_NR_MAX)
			b32[n32 / 8] |= 1u << (n32 % 8);
	}
}

/* Exact size of the CRS_CMD_SET_TABLE message for p (headers included). */
size_t crs_table_msg_size(const struct crs_policy *p)
{
	size_t sz = NLMSG_HDRLEN + GENL_HDRLEN, i;

	sz += ATTR_SIZE(sizeof(uint64_t));			/* CRS_A_CGROUP_ID */
	if (p->name)
		sz += str_size(p->name);			/* CRS_A_TABLE_NAME */
	sz += ATTR_SIZE(sizeof(uint32_t));			/* CRS_A_TABLE_MODE */
	if (p->learning)
		sz += ATTR_SIZE(sizeof(uint32_t));		/* CRS_A_TABLE_FLAGS */
	sz += ATTR_SIZE((CRS_RULE_TYPE_MAX + 1) * ATTR_SIZE(sizeof(uint32_t)));
	if (p->n_ignored_syscalls)
		sz += 2 * ATTR_SIZE(IGNORED_BYTES);		/* CRS_A_TABLE_IGNORED{,32} */
	for (i = 0; i < p->n_rules; i++)
		sz += rule_size(&p->rules[i]);
	return sz;
}

static int put_rule(struct nl_msg *msg, uint32_t index, const struct crs_policy_rule *r)
{
	struct nlattr *nest = nla_nest_start(msg, CRS_A_RULE);
	int e = 0;

	if (!nest)
		return -EMSGSIZE;
	e |= nla_put_u32(msg, CRS_A_RULE_INDEX, index);
	if (r->name)
		e |= nla_put_string(msg, CRS_A_RULE_NAME, r->name);
	e |= nla_put_u32(msg, CRS_A_RULE_TYPE, r->type);
	e |= nla_put_u32(msg, CRS_A_RULE_ACTION, r->action);
	e |= nla_put_u32(msg, CRS_A_RULE_FLAGS, r->enabled ? CRS_RULE_F_ENABLED : 0);
	e |= nla_put_string(msg, CRS_A_RULE_PROGRAM, r->program ? r->program : "*");
	if (r->type == CRS_RULE_NETWORK || r->type == CRS_RULE_LISTENER) {
		size_t alen = crs_net_addr_len(r->address.family);

		if (r->type == CRS_RULE_NETWORK)
			e |= nla_put_u32(msg, CRS_A_RULE_DIRECTION, r->direction);
		e |= nla_put_u32(msg, CRS_A_RULE_PROTOCOL, r->protocol);
		/* family 0 ("*"): no address and no prefix */
		e |= nla_put_u32(msg, CRS_A_RULE_ADDR_FAMILY, alen ? (uint32_t)r->address.family : 0);
		if (alen) {
			e |= nla_put(msg, CRS_A_RULE_ADDR, (int)alen, r->address.addr);
			e |= nla_put_u32(msg, CRS_A_RULE_PREFIX_LEN, r->address.prefix_len);
		}
		e |= nla_put_u32(msg, CRS_A_RULE_PORT_MIN, r->port_min);
		e |= nla_put_u32(msg, CRS_A_RULE_PORT_MAX, r->port_max);
		if (e || nla_nest_end(msg, nest))
			return -EMSGSIZE;
		return 0;
	}
	if (r->type == CRS_RULE_SYSCALL) {
		uint32_t nr = r->syscall_nr, nr32 = r->syscall_nr32;
		struct nlattr *an;
		size_t i;

		/* the name decides; the numbers are the tables' for it */
		if (r->syscall)
			crs_syscall_lookup(r->syscall, &nr, &nr32);
		e |= nla_put_string(msg, CRS_A_RULE_SYSCALL, r->syscall ? r->syscall : "");
		e |= nla_put_u32(msg, CRS_A_RULE_SYSCALL_NR, nr);
		e |= nla_put_u32(msg, CRS_A_RULE_SYSCALL_NR32, nr32);
		for (i = 0; !e && i < r->n_args && i < CRS_MAX_ARGS; i++) {
			an = nla_nest_start(msg, CRS_A_RULE_ARG);
			if (!an)
				return -EMSGSIZE;
			e |= nla_put_u32(msg, CRS_A_ARG_INDEX, r->args[i].index);
			e |= nla_put_u32(msg, CRS_A_ARG_OP, r->args[i].op);
			e |= nla_put_u64(msg, CRS_A_ARG_VALUE, r->args[i].value);
			if (e || nla_nest_end(msg, an))
				return -EMSGSIZE;
		}
		if (e || nla_nest_end(msg, nest))
			return -EMSGSIZE;
		return 0;
	}
	if (r->path)
		e |= nla_put_string(msg, CRS_A_RULE_PATH, r->path);
	e |= nla_put_u32(msg, CRS_A_RULE_ACCESS, r->access);
	if (e || nla_nest_end(msg, nest))
		return -EMSGSIZE;
	return 0;
}

/*
 * CRS_CMD_SET_TABLE for p on cgroup_id, in a buffer of exactly the size it
 * needs (a table of 65536 rules is megabytes). NULL with *error set.
 */
struct nl_msg *crs_table_msg_build(int family, uint64_t cgroup_id,
				   const struct crs_policy *p, int *error)
{
	size_t size = crs_table_msg_size(p), i;
	struct nl_msg *msg;
	struct nlattr *nest;
	int e = 0, t;

	*error = 0;
	if (size > (size_t)INT32_MAX) {
		*error = -E2BIG;
		return NULL;
	}
	msg = nlmsg_alloc_size(size);
	if (!msg) {
		*error = -ENOMEM;
		return NULL;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, NLM_F_ACK,
			 CRS_CMD_SET_TABLE, CRS_GENL_VERSION))
		goto too_big;
	e |= nla_put_u64(msg, CRS_A_CGROUP_ID, cgroup_id);
	if (p->name)
		e |= nla_put_string(msg, CRS_A_TABLE_NAME, p->name);
	e |= nla_put_u32(msg, CRS_A_TABLE_MODE, p->mode);
	if (p->learning)
		e |= nla_put_u32(msg, CRS_A_TABLE_FLAGS, CRS_TABLE_F_LEARN);
	nest = nla_nest_start(msg, CRS_A_TABLE_DEFAULTS);
	if (!nest)
		goto too_big;
	for (t = 0; t <= CRS_RULE_TYPE_MAX; t++)
		e |= nla_put_u32(msg, CRS_A_DEFAULT_FILE + t, p->defaults[t]);
	if (e || nla_nest_end(msg, nest))
		goto too_big;
	if (p->n_ignored_syscalls) {
		uint8_t b64[IGNORED_BYTES], b32[IGNORED_BYTES];

		ignored_bitmaps(p, b64, b32);
		if (nla_put(msg, CRS_A_TABLE_IGNORED, sizeof(b64), b64) ||
		    nla_put(msg, CRS_A_TABLE_IGNORED32, sizeof(b32), b32))
			goto too_big;
	}
	for (i = 0; i < p->n_rules; i++)
		if (put_rule(msg, i, &p->rules[i]))
			goto too_big;
	return msg;
too_big:
	/* only if crs_table_msg_size() is wrong */
	nlmsg_free(msg);
	*error = -EMSGSIZE;
	return NULL;
}

/* ------------------------------------------------------------- parsing */

static int get_u32(const struct nlattr *a, uint32_t *v)
{
	if (nla_len(a) != sizeof(*v))
		return -EBADMSG;
	memcpy(v, nla_data(a), sizeof(*v));
	return 0;
}

static int get_u64(const struct nlattr *a, uint64_t *v)
{
	if (nla_len(a) != sizeof(*v))
		return -EBADMSG;
	memcpy(v, nla_data(a), sizeof(*v));
	return 0;
}

/* A string attribute into buf, cut at its NUL, its end or size - 1. */
static void get_str(const struct nlattr *a, char *buf, size_t size)
{
	size_t n = strnlen(nla_data(a), nla_len(a));

	if (n >= size)
		n = size - 1;
	memcpy(buf, nla_data(a), n);
	buf[n] = '\0';
}

/* The genl payload of nlh: attributes at *head, *len bytes. */
static int genl_attrs(const struct nlmsghdr *nlh, struct nlattr **head, int *len, uint8_t *cmd)
{
	struct genlmsghdr *g;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EBADMSG;
	g = nlmsg_data((struct nlmsghdr *)nlh);
	if (cmd)
		*cmd = g->cmd;
	*head = genlmsg_attrdata(g, 0);
	*len = genlmsg_attrlen(g, 0);
	return 0;
}

int crs_genl_cmd(const struct nlmsghdr *nlh)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -1;
	return ((const struct genlmsghdr *)nlmsg_data((struct nlmsghdr *)nlh))->cmd;
}

static int parse_arg_nest(const struct nlattr *nest, struct crs_syscall_arg *arg)
{
	struct nlattr *a;
	uint32_t v = 0;
	int rem, e = 0;

	memset(arg, 0, sizeof(*arg));
	nla_for_each_nested(a, (struct nlattr *)nest, rem) {
		switch (nla_type(a)) {
		case CRS_A_ARG_INDEX:
			e = get_u32(a, &arg->index);
			break;
		case CRS_A_ARG_OP:
			e = get_u32(a, &v);
			arg->op = v;
			break;
		case CRS_A_ARG_VALUE:
			e = get_u64(a, &arg->value);
			break;
		}
		if (e)
			return e;
	}
	return 0;
}

/* A u32 port attribute: 0..65535. */
static int get_port(const struct nlattr *a, uint16_t *port)
{
	uint32_t v;

	if (get_u32(a, &v) || v > 65535)
		return -EBADMSG;
	*port = (uint16_t)v;
	return 0;
}

/* An address attribute of 4 or 16 bytes into addr; *len is its length. */
static int get_addr(const struct nlattr *a, uint8_t *addr, int *len)
{
	if (nla_len(a) != 4 && nla_len(a) != 16)
		return -EBADMSG;
	memcpy(addr, nla_data(a), nla_len(a));
	*len = nla_len(a);
	return 0;
}

static int parse_rule_nest(const struct nlattr *nest, struct crs_rule_info *r)
{
	struct nlattr *a;
	uint32_t v = 0;
	int rem, e = 0, alen = 0;
	bool have_port_max = false;

	memset(r, 0, sizeof(*r));
	r->syscall_nr = r->syscall_nr32 = CRS_SYSCALL_NONE;
	nla_for_each_nested(a, (struct nlattr *)nest, rem) {
		switch (nla_type(a)) {
		case CRS_A_RULE_INDEX:
			e = get_u32(a, &r->index);
			break;
		case CRS_A_RULE_NAME:
			get_str(a, r->name, sizeof(r->name));
			break;
		case CRS_A_RULE_TYPE:
			e = get_u32(a, &v);
			r->type = v;
			break;
		case CRS_A_RULE_ACTION:
			e = get_u32(a, &v);
			r->action = v;
			break;
		case CRS_A_RULE_FLAGS:
			e = get_u32(a, &r->flags);
			break;
		case CRS_A_RULE_PROGRAM:
			get_str(a, r->program, sizeof(r->program));
			break;
		case CRS_A_RULE_PATH:
			get_str(a, r->path, sizeof(r->path));
			break;
		case CRS_A_RULE_ACCESS:
			e = get_u32(a, &r->access);
			break;
		case CRS_A_RULE_HITS:
			e = get_u64(a, &r->hits);
			break;
		case CRS_A_RULE_SYSCALL:
			get_str(a, r->syscall, sizeof(r->syscall));
			break;
		case CRS_A_RULE_SYSCALL_NR:
			e = get_u32(a, &r->syscall_nr);
			break;
		case CRS_A_RULE_SYSCALL_NR32:
			e = get_u32(a, &r->syscall_nr32);
			break;
		case CRS_A_RULE_ARG:
			/* more than CRS_MAX_ARGS: a confused kernel */
			if (r->n_args >= CRS_MAX_ARGS)
				return -EBADMSG;
			e = parse_arg_nest(a, &r->args[r->n_args++]);
			break;
		case CRS_A_RULE_DIRECTION:
			e = get_u32(a, &v);
			r->direction = v;
			break;
		case CRS_A_RULE_PROTOCOL:
			e = get_u32(a, &v);
			r->protocol = v;
			break;
		case CRS_A_RULE_ADDR_FAMILY:
			e = get_u32(a, &v);
			r->address.family = (int)v;
			break;
		case CRS_A_RULE_ADDR:
			e = get_addr(a, r->address.addr, &alen);
			break;
		case CRS_A_RULE_PREFIX_LEN:
			e = get_u32(a, &r->address.prefix_len);
			break;
		case CRS_A_RULE_PORT_MIN:
			e = get_port(a, &r->port_min);
			break;
		case CRS_A_RULE_PORT_MAX:
			e = get_port(a, &r->port_max);
			have_port_max = !e;
			break;
		}
		if (e)
			return e;
	}
	if (r->type == CRS_RULE_NETWORK || r->type == CRS_RULE_LISTENER) {
		/* the address must be as long as its family says; none for family 0 */
		if ((size_t)alen != crs_net_addr_len(r->address.family) ||
		    (r->address.family && r->address.family != AF_INET &&
		     r->address.family != AF_INET6))
			return -EBADMSG;
		if (!have_port_max)
			r->port_max = 65535;	/* crs.h: the default range is 0-65535 */
	}
	return 0;
}

static int parse_defaults(const struct nlattr *nest, enum crs_action *defaults)
{
	struct nlattr *a;
	uint32_t v = 0;
	int rem, t;

	nla_for_each_nested(a, (struct nlattr *)nest, rem) {
		t = nla_type(a) - CRS_A_DEFAULT_FILE;
		if (t < 0 || t > CRS_RULE_TYPE_MAX)
			continue;
		if (get_u32(a, &v))
			return -EBADMSG;
		defaults[t] = v;
	}
	return 0;
}

static int parse_hits(const struct nlattr *nest, struct crs_table_info *t)
{
	struct nlattr *a;
	int rem, e = 0;

	nla_for_each_nested(a, (struct nlattr *)nest, rem) {
		switch (nla_type(a)) {
		case CRS_A_HITS_ALLOWED:
			e = get_u64(a, &t->allowed);
			break;
		case CRS_A_HITS_DENIED:
			e = get_u64(a, &t->denied);
			break;
		case CRS_A_HITS_MONITORED:
			e = get_u64(a, &t->monitored);
			break;
		case CRS_A_HITS_DEFAULT:
			e = get_u64(a, &t->by_default);
			break;
		}
		if (e)
			return e;
	}
	return 0;
}

void crs_table_acc_free(struct crs_table_acc *acc)
{
	crs_table_info_free(acc->tables, acc->n);
	free(acc->rules_cap);
	free(acc->nrules_attr);
	memset(acc, 0, sizeof(*acc));
}

static int acc_new_table(struct crs_table_acc *acc)
{
	size_t cap;
	void *p;

	if (acc->n == acc->cap) {
		cap = acc->cap ? 2 * acc->cap : 8;
		p = realloc(acc->tables, cap * sizeof(*acc->tables));
		if (!p)
			return -ENOMEM;
		acc->tables = p;
		p = realloc(acc->rules_cap, cap * sizeof(*acc->rules_cap));
		if (!p)
			return -ENOMEM;
		acc->rules_cap = p;
		p = realloc(acc->nrules_attr, cap * sizeof(*acc->nrules_attr));
		if (!p)
			return -ENOMEM;
		acc->nrules_attr = p;
		acc->cap = cap;
	}
	memset(&acc->tables[acc->n], 0, sizeof(acc->tables[0]));
	acc->tables[acc->n].container_mode = CRS_MODE_POLICY;
	acc->tables[acc->n].container_log = CRS_LOG_DEFAULT;
	acc->rules_cap[acc->n] = 0;
	acc->nrules_attr[acc->n] = 0;
	return acc->n++;
}

static int acc_add_rule(struct crs_table_acc *acc, size_t ti, const struct nlattr *nest)
{
	struct crs_table_info *t = &acc->tables[ti];
	size_t cap;
	void *p;

	if (t->nrules == acc->rules_cap[ti]) {
		if (t->nrules >= CRS_MAX_RULES * 2u)	/* a confused kernel: stop */
			return -EBADMSG;
		cap = acc->rules_cap[ti] ? 2 * acc->rules_cap[ti] : 16;
		if (acc->nrules_attr[ti] > cap && acc->nrules_attr[ti] <= CRS_MAX_RULES)
			cap = acc->nrules_attr[ti];
		p = realloc(t->rules, cap * sizeof(*t->rules));
		if (!p)
			return -ENOMEM;
		t->rules = p;
		acc->rules_cap[ti] = cap;
	}
	if (parse_rule_nest(nest, &t->rules[t->nrules]))
		return -EBADMSG;
	t->nrules++;
	return 0;
}

/*
 * One GET_TABLE reply: a new table, or the continuation of one already in
 * acc (same cgroup id and generation: its CRS_A_RULE nests are appended).
 * The same cgroup with another generation means the table was replaced
 * while we read it: acc->inconsistent is set and the caller starts over.
 * crs_table_info.nrules counts the rules received.
 */
int crs_table_msg_parse(const struct nlmsghdr *nlh, struct crs_table_acc *acc)
{
	struct nlattr *head, *a;
	uint64_t id = 0, gen = 0;
	bool have_id = false, have_gen = false, first;
	struct crs_table_info *t;
	int len, rem, e, ti;
	uint32_t v = 0;

	e = genl_attrs(nlh, &head, &len, NULL);
	if (e)
		return e;
	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) == CRS_A_CGROUP_ID) {
			if (get_u64(a, &id))
				return -EBADMSG;
			have_id = true;
		} else if (nla_type(a) == CRS_A_TABLE_GENERATION) {
			if (get_u64(a, &gen))
				return -EBADMSG;
			have_gen = true;
		}
	}
	if (!have_id)
		return -EBADMSG;
	for (ti = (int)acc->n - 1; ti >= 0; ti--)
		if (acc->tables[ti].cgroup_id == id)
			break;
	if (ti >= 0 && acc->tables[ti].generation != gen) {
		acc->inconsistent = true;
		return 0;
	}
	first = ti < 0;
	if (first) {
		ti = acc_new_table(acc);
		if (ti < 0)
			return ti;
		acc->tables[ti].cgroup_id = id;
		acc->tables[ti].generation = have_gen ? gen : 0;
	}
	nla_for_each_attr(a, head, len, rem) {
		t = &acc->tables[ti];
		e = 0;
		if (nla_type(a) == CRS_A_RULE) {
			e = acc_add_rule(acc, ti, a);
			if (e)
				return e;
			continue;
		}
		if (!first)
			continue;
		switch (nla_type(a)) {
		case CRS_A_TABLE_NAME:
			get_str(a, t->name, sizeof(t->name));
			break;
		case CRS_A_TABLE_MODE:
			e = get_u32(a, &v);
			t->mode = v;
			break;
		case CRS_A_TABLE_DEFAULTS:
			e = parse_defaults(a, t->defaults);
			break;
		case CRS_A_TABLE_FLAGS:
			e = get_u32(a, &t->flags);
			break;
		case CRS_A_TABLE_NRULES:
			e = get_u32(a, &acc->nrules_attr[ti]);
			break;
		case CRS_A_TABLE_HITS:
			e = parse_hits(a, t);
			break;
		case CRS_A_CONTAINER_MODE:
			e = get_u32(a, &v);
			t->container_mode = v;
			break;
		case CRS_A_CONTAINER_LOG:
			e = get_u32(a, &t->container_log);
			break;
		case CRS_A_CONTAINER_LEARN:
			e = get_u32(a, &t->container_learn);
			break;
		case CRS_A_LEARN:
			e = crs_learn_info_parse(a, &t->learn);
			t->has_learn = true;
			break;
		}
		if (e)
			return e;
	}
	return 0;
}

/* A CRS_A_LEARN nest. */
int crs_learn_info_parse(const struct nlattr *nest, struct crs_learn_info *li)
{
	struct nlattr *a;
	uint32_t v = 0;
	int rem, e = 0;

	memset(li, 0, sizeof(*li));
	nla_for_each_nested(a, (struct nlattr *)nest, rem) {
		switch (nla_type(a)) {
		case CRS_A_LEARN_STATE:
			e = get_u32(a, &v);
			li->state = v;
			break;
		case CRS_A_LEARN_EPOCH:		e = get_u64(a, &li->epoch); break;
		case CRS_A_LEARN_GENERATION:	e = get_u64(a, &li->generation); break;
		case CRS_A_LEARN_RECORDS:	e = get_u32(a, &li->records); break;
		case CRS_A_LEARN_RECORDS_MAX:	e = get_u32(a, &li->max); break;
		case CRS_A_LEARN_BYTES:		e = get_u32(a, &li->bytes); break;
		case CRS_A_LEARN_DROPPED_FULL:	e = get_u64(a, &li->dropped_full); break;
		case CRS_A_LEARN_DROPPED_LONG:	e = get_u64(a, &li->dropped_long); break;
		}
		if (e)
			return e;
	}
	return 0;
}

/* A string attribute, malloc'd (NUL-terminated within the attribute). */
static char *dup_str(const struct nlattr *a)
{
	size_t n = strnlen(nla_data(a), nla_len(a));
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, nla_data(a), n);
		s[n] = '\0';
	}
	return s;
}

static int parse_obs(const struct nlattr *nest, struct crs_observation *o)
{
	struct nlattr *a;
	uint32_t v = 0;
	int rem, e = 0, alen = 0;
	bool path_needed, prog_needed;

	memset(o, 0, sizeof(*o));
	o->pid_off = -1;
	nla_for_each_nested(a, (struct nlattr *)nest, rem) {
		switch (nla_type(a)) {
		case CRS_A_OBS_INDEX:	e = get_u32(a, &o->index); break;
		case CRS_A_OBS_TYPE:
			e = get_u32(a, &v);
			o->type = v;
			break;
		case CRS_A_OBS_PROGRAM:
			free(o->program);
			o->program = dup_str(a);
			e = o->program ? 0 : -ENOMEM;
			break;
		case CRS_A_OBS_PATH:
			free(o->path);
			o->path = dup_str(a);
			e = o->path ? 0 : -ENOMEM;
			break;
		case CRS_A_OBS_ACCESS:	e = get_u32(a, &o->access); break;
		case CRS_A_OBS_OUTCOME:	e = get_u32(a, &o->outcome); break;
		case CRS_A_OBS_PID_OFF:
			e = get_u32(a, &v);
			o->pid_off = v;
			if (!e && v > INT32_MAX)
				e = -EBADMSG;
			break;
		case CRS_A_OBS_DIRECTION:
			e = get_u32(a, &v);
			o->direction = v;
			break;
		case CRS_A_OBS_PROTOCOL:
			e = get_u32(a, &v);
			o->protocol = v;
			break;
		case CRS_A_OBS_FAMILY:
			e = get_u32(a, &v);
			o->family = v;
			break;
		case CRS_A_OBS_ADDR:
			alen = nla_len(a);
			if (alen != 4 && alen != 16)
				e = -EBADMSG;
			else
				memcpy(o->addr, nla_data(a), alen);
			break;
		case CRS_A_OBS_PORT:
			e = get_u32(a, &v);
			o->port = v;
			if (!e && v > 65535)
				e = -EBADMSG;
			break;
		case CRS_A_OBS_FLAGS:	e = get_u32(a, &o->flags); break;
		case CRS_A_OBS_SYSCALL_NR: e = get_u32(a, &o->syscall_nr); break;
		case CRS_A_OBS_ARCH:
			e = get_u32(a, &v);
			o->arch = v;
			break;
		}
		if (e)
			break;
	}
	/* the path names FILE and EXECUTE objects; only inbound packets lack a program */
	path_needed = o->type == CRS_RULE_FILE || o->type == CRS_RULE_EXECUTE;
	prog_needed = !(o->type == CRS_RULE_NETWORK && o->direction == CRS_DIR_INBOUND);
	if (!e && ((prog_needed && !o->program) || (path_needed && !o->path)))
		e = -EBADMSG;
	/* network objects: an address of the family's size */
	if (!e && (o->type == CRS_RULE_NETWORK || o->type == CRS_RULE_LISTENER) &&
	    !((o->family == AF_INET && alen == 4) || (o->family == AF_INET6 && alen == 16)))
		e = -EBADMSG;
	if (e) {
		free(o->program);
		free(o->path);
		memset(o, 0, sizeof(*o));
	}
	return e;
}

int crs_learned_msg_parse(const struct nlmsghdr *nlh, struct crs_learned *l, uint64_t *epoch)
{
	struct nlattr *head, *a;
	struct crs_learn_info li;
	bool first = !l->info.epoch;
	int len, rem, e;

	e = genl_attrs(nlh, &head, &len, NULL);
	if (e)
		return e;
	nla_for_each_attr(a, head, len, rem) {
		switch (nla_type(a)) {
		case CRS_A_CGROUP_ID:
			e = get_u64(a, &l->cgroup_id);
			break;
		case CRS_A_LEARN:
			e = crs_learn_info_parse(a, &li);
			if (e)
				break;
			*epoch = li.epoch;
			if (first) {
				l->info = li;
			} else {
				/* later messages: newer counts, the first generation */
				uint64_t gen = l->info.generation;

				l->info = li;
				l->info.generation = gen;
			}
			break;
		case CRS_A_OBS:
			if (l->n == l->cap) {
				size_t cap = l->cap ? 2 * l->cap : 64;
				struct crs_observation *o = realloc(l->obs, cap * sizeof(*o));

				if (!o)
					return -ENOMEM;
				l->obs = o;
				l->cap = cap;
			}
			e = parse_obs(a, &l->obs[l->n]);
			if (!e)
				l->n++;
			break;
		}
		if (e)
			return e;
	}
	return 0;
}

void crs_table_info_free(struct crs_table_info *t, size_t n)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < n; i++)
		free(t[i].rules);
	free(t);
}

static int parse_probe(const struct nlattr *nest, struct crs_probe_info *p)
{
	struct nlattr *a;
	int rem;

	memset(p, 0, sizeof(*p));
	nla_for_each_nested(a, (struct nlattr *)nest, rem) {
		switch (nla_type(a)) {
		case CRS_A_PROBE_SYMBOL:
			get_str(a, p->symbol, sizeof(p->symbol));
			break;
		case CRS_A_PROBE_MISSED:
			if (get_u64(a, &p->missed))
				return -EBADMSG;
			break;
		case CRS_A_PROBE_FTRACE:
			p->ftrace = true;
			break;
		}
	}
	return 0;
}

static int parse_syscall_probe(const struct nlattr *nest, struct crs_syscall_probe_info *p)
{
	struct nlattr *a;
	int rem, e = 0;

	memset(p, 0, sizeof(*p));
	nla_for_each_nested(a, (struct nlattr *)nest, rem) {
		switch (nla_type(a)) {
		case CRS_A_PROBE_SYMBOL:
			get_str(a, p->name, sizeof(p->name));
			break;
		case CRS_A_PROBE_MISSED:
			e = get_u64(a, &p->missed);
			break;
		case CRS_A_PROBE_FTRACE:
			p->ftrace = true;
			break;
		case CRS_A_PROBE_REFS:
			e = get_u32(a, &p->refs);
			break;
		case CRS_A_PROBE_ENTRIES:
			e = get_u32(a, &p->entries);
			break;
		}
		if (e)
			return -EBADMSG;
	}
	return 0;
}

int crs_status_msg_parse(const struct nlmsghdr *nlh, struct crs_status *st)
{
	struct nlattr *head, *a;
	int len, rem, e;

	memset(st, 0, sizeof(*st));
	e = genl_attrs(nlh, &head, &len, NULL);
	if (e)
		return e;
	nla_for_each_attr(a, head, len, rem) {
		uint32_t *u32 = NULL;
		uint64_t *u64 = NULL;

		switch (nla_type(a)) {
		case CRS_A_STATUS_VERSION:
			get_str(a, st->version, sizeof(st->version));
			break;
		case CRS_A_STATUS_ABI:		u32 = &st->abi; break;
		case CRS_A_STATUS_TABLES:	u32 = &st->tables; break;
		case CRS_A_STATUS_MAX_TABLES:	u32 = &st->max_tables; break;
		case CRS_A_STATUS_MAX_RULES:	u32 = &st->max_rules; break;
		case CRS_A_STATUS_MAX_GLOB_RULES: u32 = &st->max_glob_rules; break;
		case CRS_A_STATUS_PATTERN_MAX:	u32 = &st->pattern_max; break;
		case CRS_A_STATUS_HOOK_CALLS:	u64 = &st->hook_calls; break;
		case CRS_A_STATUS_POLICED:	u64 = &st->policed; break;
		case CRS_A_STATUS_ALLOWED:	u64 = &st->allowed; break;
		case CRS_A_STATUS_DENIED:	u64 = &st->denied; break;
		case CRS_A_STATUS_MONITORED:	u64 = &st->monitored; break;
		case CRS_A_STATUS_EVENTS_SENT:	u64 = &st->events_sent; break;
		case CRS_A_STATUS_EVENTS_DROPPED: u64 = &st->events_dropped; break;
		case CRS_A_STATUS_EVENTS_NO_LISTENER: u64 = &st->events_no_listener; break;
		case CRS_A_STATUS_PATH_ERRORS:	u64 = &st->path_errors; break;
		case CRS_A_STATUS_PROG_CACHE_HITS: u64 = &st->prog_cache_hits; break;
		case CRS_A_STATUS_PROG_CACHE_MISSES: u64 = &st->prog_cache_misses; break;
		case CRS_A_STATUS_PROBE:
			if (st->n_probes < CRS_ARRAY_SIZE(st->probes)) {
				e = parse_probe(a, &st->probes[st->n_probes]);
				if (e)
					return e;
				st->n_probes++;
			}
			break;
		case CRS_A_STATUS_LEARN_SETS:	u32 = &st->learn_sets; break;
		case CRS_A_STATUS_LEARN_RESERVED: u32 = &st->learn_reserved; break;
		case CRS_A_STATUS_MAX_LEARN_TOTAL: u32 = &st->max_learn_total; break;
		case CRS_A_STATUS_LEARN_DROPPED: u64 = &st->learn_dropped; break;
		case CRS_A_STATUS_LEARN_HINTS_SENT: u64 = &st->learn_hints_sent; break;
		case CRS_A_STATUS_LEARN_HINTS_DROPPED: u64 = &st->learn_hints_dropped; break;
		case CRS_A_STATUS_LEARN_HINTED: u64 = &st->learn_hinted; break;
		case CRS_A_STATUS_SYSCALL_PROBES: u32 = &st->syscall_probes; break;
		case CRS_A_STATUS_DISPATCH_PROBES: u32 = &st->dispatch_probes; break;
		case CRS_A_STATUS_SYSCALL_MISSED: u64 = &st->syscall_missed; break;
		case CRS_A_STATUS_SYSCALL:
			/* one per probed syscall: keep the first ones, count all */
			if (st->n_syscalls < CRS_ARRAY_SIZE(st->syscalls)) {
				e = parse_syscall_probe(a, &st->syscalls[st->n_syscalls]);
				if (e)
					return e;
				st->n_syscalls++;
			}
			st->n_syscalls_total++;
			break;
		}
		if ((u32 && get_u32(a, u32)) || (u64 && get_u64(a, u64)))
			return -EBADMSG;
	}
	return 0;
}

static const uint8_t v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

/* An IPv4-mapped IPv6 address (16 bytes) to its 4 bytes of IPv4; *len becomes 4. */
static void unmap_addr(uint8_t *addr, int *len)
{
	if (*len != 16 || memcmp(addr, v4_mapped, sizeof(v4_mapped)))
		return;
	memmove(addr, addr + 12, 4);
	memset(addr + 4, 0, 12);
	*len = 4;
}

/* 4 bytes of IPv4 to the IPv4-mapped IPv6 address. */
static void map_addr(uint8_t *addr)
{
	memmove(addr + 12, addr, 4);
	memcpy(addr, v4_mapped, sizeof(v4_mapped));
}

/*
 * One family for both addresses of an event, which is what they are: IPv4
 * comes as 4 bytes (crs.h), so a mapped 16-byte address is taken as IPv4
 * too; AF_INET when every address given is IPv4, AF_INET6 when one is not
 * (an IPv4 one is then shown mapped). Without addresses, CRS_A_EVENT_FAMILY
 * as sent.
 */
static void event_addrs(struct crs_event *ev, int llen, int rlen)
{
	ev->has_local = llen != 0;
	ev->has_remote = rlen != 0;
	if (!llen && !rlen)
		return;
	unmap_addr(ev->local_addr, &llen);
	unmap_addr(ev->remote_addr, &rlen);
	if (llen != 16 && rlen != 16) {
		ev->family = AF_INET;
		return;
	}
	ev->family = AF_INET6;
	if (llen == 4)
		map_addr(ev->local_addr);
	if (rlen == 4)
		map_addr(ev->remote_addr);
}

int crs_event_msg_parse(const struct nlmsghdr *nlh, struct crs_event *ev)
{
	struct nlattr *head, *a;
	int len, rem, e;
	uint8_t cmd;
	uint32_t v = 0, nargs = 0;
	bool have_nr = false;
	const char *name;
	int llen = 0, rlen = 0;

	memset(ev, 0, sizeof(*ev));
	ev->rule_index = CRS_RULE_INDEX_NONE;
	e = genl_attrs(nlh, &head, &len, &cmd);
	if (e)
		return e;
	if (cmd != CRS_CMD_EVENT)
		return -ENOMSG;
	nla_for_each_attr(a, head, len, rem) {
		e = 0;
		switch (nla_type(a)) {
		case CRS_A_EVENT_TIME_NS:	e = get_u64(a, &ev->time_ns); break;
		case CRS_A_EVENT_CGROUP_ID:	e = get_u64(a, &ev->cgroup_id); break;
		case CRS_A_EVENT_TABLE_CGROUP_ID: e = get_u64(a, &ev->table_cgroup_id); break;
		case CRS_A_EVENT_PID:		e = get_u32(a, &ev->pid); break;
		case CRS_A_EVENT_TID:		e = get_u32(a, &ev->tid); break;
		case CRS_A_EVENT_UID:		e = get_u32(a, &ev->uid); break;
		case CRS_A_EVENT_PROGRAM:
			get_str(a, ev->program, sizeof(ev->program));
			break;
		case CRS_A_EVENT_TYPE:
			e = get_u32(a, &v);
			ev->type = v;
			break;
		case CRS_A_EVENT_RULE_INDEX:	e = get_u32(a, &ev->rule_index); break;
		case CRS_A_EVENT_RULE_NAME:
			get_str(a, ev->rule_name, sizeof(ev->rule_name));
			break;
		case CRS_A_EVENT_PATH:
			get_str(a, ev->path, sizeof(ev->path));
			break;
		case CRS_A_EVENT_ACCESS:	e = get_u32(a, &ev->access); break;
		case CRS_A_EVENT_ACTION:
			e = get_u32(a, &v);
			ev->action = v;
			break;
		case CRS_A_EVENT_VERDICT:
			e = get_u32(a, &v);
			ev->verdict = v;
			break;
		case CRS_A_EVENT_MODE:
			e = get_u32(a, &v);
			ev->mode = v;
			break;
		case CRS_A_EVENT_FLAGS:		e = get_u32(a, &ev->flags); break;
		case CRS_A_EVENT_SEQ:		e = get_u64(a, &ev->seq); break;
		case CRS_A_EVENT_SYSCALL:
			get_str(a, ev->syscall, sizeof(ev->syscall));
			break;
		case CRS_A_EVENT_SYSCALL_NR:
			e = get_u32(a, &ev->syscall_nr);
			have_nr = !e;
			break;
		case CRS_A_EVENT_ARCH:
			e = get_u32(a, &v);
			ev->arch = v;
			break;
		case CRS_A_EVENT_ARG:
			/* the argument registers in order; a seventh is ignored */
			if (nargs < CRS_ARRAY_SIZE(ev->args))
				e = get_u64(a, &ev->args[nargs]);
			nargs++;
			break;
		case CRS_A_EVENT_DIRECTION:
			e = get_u32(a, &v);
			ev->direction = v;
			break;
		case CRS_A_EVENT_PROTOCOL:
			e = get_u32(a, &v);
			ev->protocol = v;
			break;
		case CRS_A_EVENT_FAMILY:
			e = get_u32(a, &v);
			ev->family = (int)v;
			break;
		case CRS_A_EVENT_LOCAL_ADDR:
			e = get_addr(a, ev->local_addr, &llen);
			break;
		case CRS_A_EVENT_LOCAL_PORT:	e = get_port(a, &ev->local_port); break;
		case CRS_A_EVENT_REMOTE_ADDR:
			e = get_addr(a, ev->remote_addr, &rlen);
			break;
		case CRS_A_EVENT_REMOTE_PORT:	e = get_port(a, &ev->remote_port); break;
		}
		if (e)
			return e;
	}
	event_addrs(ev, llen, rlen);
	if (have_nr && !ev->syscall[0]) {
		name = crs_syscall_name(ev->syscall_nr, ev->arch);
		if (name)
			snprintf(ev->syscall, sizeof(ev->syscall), "%s", name);
	}
	return 0;
}

/* --------------------------------------------------------- extended ack */

int crs_rule_at_offset(const struct nlmsghdr *req, uint32_t offset)
{
	struct nlattr *head, *a, *b;
	int len, rem, rem2;
	uint32_t idx;

	if (!req || genl_attrs(req, &head, &len, NULL))
		return -1;
	nla_for_each_attr(a, head, len, rem) {
		size_t start = (const char *)a - (const char *)req;

		if (offset < start || offset >= start + a->nla_len)
			continue;
		if (nla_type(a) != CRS_A_RULE)
			return -1;
		nla_for_each_nested(b, a, rem2)
			if (nla_type(b) == CRS_A_RULE_INDEX && !get_u32(b, &idx) &&
			    idx <= (uint32_t)INT32_MAX)
				return idx;
		return -1;
	}
	return -1;
}

static const char *const top_attr_names[] = {
	[CRS_A_CGROUP_ID] = "CRS_A_CGROUP_ID",
	[CRS_A_TABLE_NAME] = "CRS_A_TABLE_NAME",
	[CRS_A_TABLE_MODE] = "CRS_A_TABLE_MODE",
	[CRS_A_TABLE_DEFAULTS] = "CRS_A_TABLE_DEFAULTS",
	[CRS_A_TABLE_FLAGS] = "CRS_A_TABLE_FLAGS",
	[CRS_A_RULE] = "CRS_A_RULE",
	[CRS_A_CONTAINER_MODE] = "CRS_A_CONTAINER_MODE",
	[CRS_A_CONTAINER_LOG] = "CRS_A_CONTAINER_LOG",
	[CRS_A_TABLE_IGNORED] = "CRS_A_TABLE_IGNORED",
	[CRS_A_TABLE_IGNORED32] = "CRS_A_TABLE_IGNORED32",
};

static const char *const rule_attr_names[] = {
	[CRS_A_RULE_INDEX] = "CRS_A_RULE_INDEX",
	[CRS_A_RULE_NAME] = "CRS_A_RULE_NAME",
	[CRS_A_RULE_TYPE] = "CRS_A_RULE_TYPE",
	[CRS_A_RULE_ACTION] = "CRS_A_RULE_ACTION",
	[CRS_A_RULE_FLAGS] = "CRS_A_RULE_FLAGS",
	[CRS_A_RULE_PROGRAM] = "CRS_A_RULE_PROGRAM",
	[CRS_A_RULE_PATH] = "CRS_A_RULE_PATH",
	[CRS_A_RULE_ACCESS] = "CRS_A_RULE_ACCESS",
	[CRS_A_RULE_SYSCALL] = "CRS_A_RULE_SYSCALL",
	[CRS_A_RULE_SYSCALL_NR] = "CRS_A_RULE_SYSCALL_NR",
	[CRS_A_RULE_SYSCALL_NR32] = "CRS_A_RULE_SYSCALL_NR32",
	[CRS_A_RULE_ARG] = "CRS_A_RULE_ARG",
	[CRS_A_RULE_DIRECTION] = "CRS_A_RULE_DIRECTION",
	[CRS_A_RULE_PROTOCOL] = "CRS_A_RULE_PROTOCOL",
	[CRS_A_RULE_ADDR_FAMILY] = "CRS_A_RULE_ADDR_FAMILY",
	[CRS_A_RULE_ADDR] = "CRS_A_RULE_ADDR",
	[CRS_A_RULE_PREFIX_LEN] = "CRS_A_RULE_PREFIX_LEN",
	[CRS_A_RULE_PORT_MIN] = "CRS_A_RULE_PORT_MIN",
	[CRS_A_RULE_PORT_MAX] = "CRS_A_RULE_PORT_MAX",
};

static const char *attr_name(const char *const *names, size_t n, uint32_t type)
{
	return type < n && names[type] ? names[type] : NULL;
}

int crs_ack_parse(const struct nlmsghdr *nlh, const struct nlmsghdr *req,
		  struct crs_err *err)
{
	const struct nlmsgerr *me;
	struct nlattr *a;
	size_t off;
	int error, rem, miss_rule = -1;
	bool have_miss = false, have_msg = false;
	uint32_t miss_type = 0, miss_nest = 0, v;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*me))
			return -EBADMSG;
		me = nlmsg_data((struct nlmsghdr *)nlh);
		error = me->error;
		off = sizeof(*me);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			/* the request is echoed after struct nlmsgerr */
			if (me->msg.nlmsg_len < NLMSG_HDRLEN ||
			    me->msg.nlmsg_len > nlh->nlmsg_len)
				return error > 0 ? -EPROTO : error;
			off += me->msg.nlmsg_len - NLMSG_HDRLEN;
		}
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		error = 0;
		off = sizeof(int);
		if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
			memcpy(&error, nlmsg_data((struct nlmsghdr *)nlh), sizeof(int));
	} else {
		return -EBADMSG;
	}
	if (error > 0)		/* not an errno: a confused sender */
		error = -EPROTO;
	if (!error || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return error;
	off = NLMSG_HDRLEN + NLMSG_ALIGN(off);
	if (off >= nlh->nlmsg_len)
		return error;
	nla_for_each_attr(a, (struct nlattr *)((const char *)nlh + off),
			  (int)(nlh->nlmsg_len - off), rem) {
		switch (nla_type(a)) {
		case NLMSGERR_ATTR_MSG:
			if (err && nla_len(a) > 0) {
				get_str(a, err->msg, sizeof(err->msg));
				have_msg = err->msg[0] != '\0';
			}
			break;
		case NLMSGERR_ATTR_OFFS:
			if (!get_u32(a, &v) && err) {
				err->nl_offset = v;
				err->rule = crs_rule_at_offset(req, v);
			}
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			have_miss = !get_u32(a, &miss_type);
			break;
		case NLMSGERR_ATTR_MISS_NEST:
			if (!get_u32(a, &miss_nest))
				miss_rule = crs_rule_at_offset(req, miss_nest);
			break;
		}
	}
	if (err && !have_msg && have_miss) {
		const char *name = miss_nest
			? attr_name(rule_attr_names, CRS_ARRAY_SIZE(rule_attr_names), miss_type)
			: attr_name(top_attr_names, CRS_ARRAY_SIZE(top_attr_names), miss_type);

		if (miss_nest && miss_rule >= 0)
			err->rule = miss_rule;
		if (name)
			snprintf(err->msg, sizeof(err->msg), "missing attribute %s", name);
		else
			snprintf(err->msg, sizeof(err->msg), "missing attribute %u%s",
				 miss_type, miss_nest ? " in a nested attribute" : "");
	}
	return error;
}
