// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host unit tests of the netlink side of libcrsnl without crs.ko: the
 * SET_TABLE message as the kernel will parse it, reply parsers (tables,
 * status, events) on messages built here the way crs.h says the kernel
 * builds them, extended acks, event JSON, cgroup ids, and the errors of a
 * host where the family does not exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <linux/genetlink.h>
#include "kselftest_harness.h"
#include "crsnl_int.h"

#define FAMILY		0x1d
#define CGID		0x1122334455667788ULL

static const char policy_json[] =
	"{\"name\":\"web\",\"mode\":\"monitor\","
	"\"default_actions\":{\"file\":\"deny\",\"syscall\":\"deny\"},"
	"\"rules\":["
	"{\"name\":\"no shadow\",\"type\":\"file\",\"action\":\"deny\",\"path\":\"/etc/shadow\","
	" \"access\":[\"read\",\"write\"]},"
	"{\"type\":\"execute\",\"program\":\"/usr/sbin/nginx\",\"action\":\"deny\",\"path\":\"/bin/*\"},"
	"{\"type\":\"file\",\"action\":\"allow\",\"path\":\"/var/log/**\",\"access\":[\"write\"],"
	" \"enabled\":false}]}";

static struct crs_policy *get_policy(struct __test_metadata *_metadata, const char *json)
{
	struct crs_policy *p = NULL;
	struct crs_err err;

	EXPECT_EQ(0, crs_policy_parse(json, strlen(json), &p, &err)) TH_LOG("%s", err.msg);
	return p;
}

static struct nl_msg *genl_msg(uint8_t cmd, size_t size)
{
	struct nl_msg *m = nlmsg_alloc_size(size);

	if (m && !genlmsg_put(m, 0, 1, FAMILY, 0, 0, cmd, CRS_GENL_VERSION)) {
		nlmsg_free(m);
		m = NULL;
	}
	return m;
}

static struct nlattr *top_attrs(struct nl_msg *m, int *len)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(m));

	*len = genlmsg_attrlen(g, 0);
	return genlmsg_attrdata(g, 0);
}

static char *attr_str(struct nlattr *a)
{
	return nla_data(a);
}

TEST(set_table_message)
{
	struct crs_policy *p = get_policy(_metadata, policy_json);
	struct nlattr *head, *a, *tb[CRS_A_RULE_MAX + 1];
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct nl_msg *m;
	int len, rem, err, idx = 0, n = 0, t;
	static const int order[] = {
		CRS_A_CGROUP_ID, CRS_A_TABLE_NAME, CRS_A_TABLE_MODE, CRS_A_TABLE_DEFAULTS,
	};

	ASSERT_NE(NULL, p);
	m = crs_table_msg_build(FAMILY, CGID, p, &err);
	ASSERT_NE(NULL, m);
	nlh = nlmsg_hdr(m);
	EXPECT_EQ(crs_table_msg_size(p), nlh->nlmsg_len);
	EXPECT_EQ(FAMILY, nlh->nlmsg_type);
	EXPECT_TRUE(nlh->nlmsg_flags & NLM_F_ACK);
	g = nlmsg_data(nlh);
	EXPECT_EQ(CRS_CMD_SET_TABLE, g->cmd);
	EXPECT_EQ(CRS_GENL_VERSION, g->version);

	head = top_attrs(m, &len);
	nla_for_each_attr(a, head, len, rem) {
		if (n < 4) {
			EXPECT_EQ(order[n], nla_type(a));
		} else {
			EXPECT_EQ(CRS_A_RULE, nla_type(a));
		}
		switch (nla_type(a)) {
		case CRS_A_CGROUP_ID:
			EXPECT_EQ(8, nla_len(a));
			EXPECT_EQ(CGID, nla_get_u64(a));
			break;
		case CRS_A_TABLE_NAME:
			EXPECT_EQ(4, nla_len(a));	/* "web" and its NUL */
			EXPECT_STREQ("web", attr_str(a));
			break;
		case CRS_A_TABLE_MODE:
			EXPECT_EQ(CRS_MODE_MONITOR, (int)nla_get_u32(a));
			break;
		case CRS_A_TABLE_DEFAULTS: {
			struct nlattr *d;
			int r2, k = 0;

			/* strict kernel validation wants NLA_F_NESTED on nests */
			EXPECT_TRUE(a->nla_type & NLA_F_NESTED);
			nla_for_each_nested(d, a, r2) {
				EXPECT_EQ(CRS_A_DEFAULT_FILE + k, nla_type(d));
				EXPECT_EQ(4, nla_len(d));
				k++;
			}
			EXPECT_EQ(CRS_RULE_TYPE_MAX + 1, k);
			ASSERT_EQ(0, nla_parse_nested(tb, CRS_A_DEFAULT_MAX, a, NULL));
			for (t = 0; t <= CRS_RULE_TYPE_MAX; t++)
				EXPECT_EQ(p->defaults[t], nla_get_u32(tb[CRS_A_DEFAULT_FILE + t]));
			EXPECT_EQ(CRS_ACTION_DENY, (int)nla_get_u32(tb[CRS_A_DEFAULT_FILE]));
			EXPECT_EQ(CRS_ACTION_DENY, (int)nla_get_u32(tb[CRS_A_DEFAULT_SYSCALL]));
			break;
		}
		case CRS_A_RULE: {
			const struct crs_policy_rule *r = &p->rules[idx];

			EXPECT_TRUE(a->nla_type & NLA_F_NESTED);
			ASSERT_EQ(0, nla_parse_nested(tb, CRS_A_RULE_MAX, a, NULL));
			ASSERT_NE(NULL, tb[CRS_A_RULE_INDEX]);
			EXPECT_EQ(idx, (int)nla_get_u32(tb[CRS_A_RULE_INDEX]));
			if (r->name) {
				ASSERT_NE(NULL, tb[CRS_A_RULE_NAME]);
				EXPECT_STREQ(r->name, attr_str(tb[CRS_A_RULE_NAME]));
			} else {
				EXPECT_NULL(tb[CRS_A_RULE_NAME]);
			}
			EXPECT_EQ(r->type, nla_get_u32(tb[CRS_A_RULE_TYPE]));
			EXPECT_EQ(r->action, nla_get_u32(tb[CRS_A_RULE_ACTION]));
			EXPECT_EQ(r->enabled ? CRS_RULE_F_ENABLED : 0u, nla_get_u32(tb[CRS_A_RULE_FLAGS]));
			EXPECT_STREQ(r->program, attr_str(tb[CRS_A_RULE_PROGRAM]));
			EXPECT_STREQ(r->path, attr_str(tb[CRS_A_RULE_PATH]));
			EXPECT_EQ(r->access, nla_get_u32(tb[CRS_A_RULE_ACCESS]));
			EXPECT_NULL(tb[CRS_A_RULE_HITS]);
			idx++;
			break;
		}
		}
		n++;
	}
	EXPECT_EQ(0, rem);
	EXPECT_EQ(3, idx);
	nlmsg_free(m);
	crs_policy_free(p);
}

/* The reply parser reads a SET_TABLE request back as the table it describes. */
TEST(set_table_parsed_back)
{
	struct crs_policy *p = get_policy(_metadata, policy_json);
	struct crs_table_acc acc = { 0 };
	struct crs_table_info *t;
	struct nl_msg *m;
	int err, k;
	size_t i;

	ASSERT_NE(NULL, p);
	m = crs_table_msg_build(FAMILY, CGID, p, &err);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, crs_table_msg_parse(nlmsg_hdr(m), &acc));
	ASSERT_EQ(1u, acc.n);
	t = &acc.tables[0];
	EXPECT_EQ(CGID, t->cgroup_id);
	EXPECT_STREQ("web", t->name);
	EXPECT_EQ(CRS_MODE_MONITOR, (int)t->mode);
	EXPECT_EQ(CRS_MODE_POLICY, t->container_mode);
	EXPECT_EQ(CRS_LOG_DEFAULT, t->container_log);
	for (k = 0; k <= CRS_RULE_TYPE_MAX; k++)
		EXPECT_EQ(p->defaults[k], t->defaults[k]);
	ASSERT_EQ(p->n_rules, t->nrules);
	for (i = 0; i < p->n_rules; i++) {
		EXPECT_EQ(i, t->rules[i].index);
		EXPECT_STREQ(p->rules[i].name ? p->rules[i].name : "", t->rules[i].name);
		EXPECT_EQ(p->rules[i].type, t->rules[i].type);
		EXPECT_EQ(p->rules[i].action, t->rules[i].action);
		EXPECT_EQ(p->rules[i].enabled, !!(t->rules[i].flags & CRS_RULE_F_ENABLED));
		EXPECT_STREQ(p->rules[i].program, t->rules[i].program);
		EXPECT_STREQ(p->rules[i].path, t->rules[i].path);
		EXPECT_EQ(p->rules[i].access, t->rules[i].access);
	}
	crs_table_acc_free(&acc);
	nlmsg_free(m);
	crs_policy_free(p);
}

/* The largest tables: 65536 rules, and rules with every string at its limit. */
TEST(set_table_large)
{
	struct crs_policy p = { .name = "big", .mode = CRS_MODE_ENFORCE };
	struct crs_table_acc acc = { 0 };
	char name[CRS_NAME_MAX + 1], prog[CRS_PATTERN_MAX + 1], path[CRS_PATTERN_MAX + 1];
	struct nl_msg *m;
	size_t i, n = CRS_MAX_RULES;
	int err;

	p.rules = calloc(n, sizeof(*p.rules));
	ASSERT_NE(NULL, p.rules);
	p.n_rules = n;
	memset(name, 'n', CRS_NAME_MAX);
	name[CRS_NAME_MAX] = '\0';
	prog[0] = path[0] = '/';
	memset(prog + 1, 'p', CRS_PATTERN_MAX - 1);
	memset(path + 1, 'f', CRS_PATTERN_MAX - 1);
	prog[CRS_PATTERN_MAX] = path[CRS_PATTERN_MAX] = '\0';
	for (i = 0; i < n; i++) {
		p.rules[i] = (struct crs_policy_rule){
			.enabled = true, .type = CRS_RULE_FILE, .action = CRS_ACTION_DENY,
			.program = "*", .path = "/etc/shadow", .access = CRS_ACCESS_READ,
		};
	}
	/* the first rule has every string at its maximum */
	p.rules[0].name = name;
	p.rules[0].program = prog;
	p.rules[0].path = path;
	EXPECT_EQ(0, crs_policy_validate(&p, NULL));
	m = crs_table_msg_build(FAMILY, CGID, &p, &err);
	ASSERT_NE(NULL, m) TH_LOG("%d", err);
	EXPECT_EQ(crs_table_msg_size(&p), nlmsg_hdr(m)->nlmsg_len);
	TH_LOG("65536 rules: %u bytes", nlmsg_hdr(m)->nlmsg_len);
	ASSERT_EQ(0, crs_table_msg_parse(nlmsg_hdr(m), &acc));
	ASSERT_EQ(1u, acc.n);
	ASSERT_EQ(n, acc.tables[0].nrules);
	EXPECT_STREQ(name, acc.tables[0].rules[0].name);
	EXPECT_STREQ(prog, acc.tables[0].rules[0].program);
	EXPECT_STREQ(path, acc.tables[0].rules[0].path);
	EXPECT_EQ(n - 1, acc.tables[0].rules[n - 1].index);
	crs_table_acc_free(&acc);
	nlmsg_free(m);
	free(p.rules);
}

/* A GET_TABLE reply message with header (if head) and rules [first, last). */
static struct nl_msg *table_reply(uint64_t id, uint64_t gen, bool head, uint32_t nrules,
				  uint32_t first, uint32_t last)
{
	struct nl_msg *m = genl_msg(CRS_CMD_GET_TABLE, 65536);
	struct nlattr *nest;
	char path[64];
	uint32_t i;

	nla_put_u64(m, CRS_A_CGROUP_ID, id);
	nla_put_u64(m, CRS_A_TABLE_GENERATION, gen);
	if (head) {
		nla_put_string(m, CRS_A_TABLE_NAME, "reply");
		nla_put_u32(m, CRS_A_TABLE_MODE, CRS_MODE_ENFORCE);
		nest = nla_nest_start(m, CRS_A_TABLE_DEFAULTS);
		nla_put_u32(m, CRS_A_DEFAULT_FILE, CRS_ACTION_DENY);
		nla_put_u32(m, CRS_A_DEFAULT_EXECUTE, CRS_ACTION_ALLOW);
		nla_nest_end(m, nest);
		nla_put_u32(m, CRS_A_TABLE_FLAGS, 0);
		nla_put_u32(m, CRS_A_TABLE_NRULES, nrules);
		nla_put_u32(m, CRS_A_CONTAINER_MODE, CRS_MODE_MONITOR);
		nla_put_u32(m, CRS_A_CONTAINER_LOG, CRS_LOG_DENY | CRS_LOG_ALLOW);
		nest = nla_nest_start(m, CRS_A_TABLE_HITS);
		nla_put_u64(m, CRS_A_HITS_ALLOWED, 10);
		nla_put_u64(m, CRS_A_HITS_DENIED, 20);
		nla_put_u64(m, CRS_A_HITS_MONITORED, 30);
		nla_put_u64(m, CRS_A_HITS_DEFAULT, 40);
		nla_nest_end(m, nest);
		nla_put_u32(m, 250, 7);		/* from a newer module: ignored */
	}
	for (i = first; i < last; i++) {
		nest = nla_nest_start(m, CRS_A_RULE);
		nla_put_u32(m, CRS_A_RULE_INDEX, i);
		nla_put_u32(m, CRS_A_RULE_TYPE, CRS_RULE_FILE);
		nla_put_u32(m, CRS_A_RULE_ACTION, CRS_ACTION_DENY);
		nla_put_u32(m, CRS_A_RULE_FLAGS, CRS_RULE_F_ENABLED);
		nla_put_string(m, CRS_A_RULE_PROGRAM, "*");
		snprintf(path, sizeof(path), "/f/%u", i);
		nla_put_string(m, CRS_A_RULE_PATH, path);
		nla_put_u32(m, CRS_A_RULE_ACCESS, CRS_ACCESS_READ);
		nla_put_u64(m, CRS_A_RULE_HITS, 100 + i);
		nla_nest_end(m, nest);
	}
	return m;
}

static void feed(struct __test_metadata *_metadata, struct crs_table_acc *acc, struct nl_msg *m)
{
	ASSERT_NE(NULL, m);
	EXPECT_EQ(0, crs_table_msg_parse(nlmsg_hdr(m), acc));
	nlmsg_free(m);
}

TEST(table_reply_merge)
{
	struct crs_table_acc acc = { 0 };
	struct crs_table_info *t;
	uint32_t i;

	feed(_metadata, &acc, table_reply(5, 7, true, 5, 0, 2));
	feed(_metadata, &acc, table_reply(5, 7, false, 0, 2, 4));
	feed(_metadata, &acc, table_reply(6, 1, true, 1, 0, 1));
	feed(_metadata, &acc, table_reply(5, 7, false, 0, 4, 5));
	EXPECT_FALSE(acc.inconsistent);
	ASSERT_EQ(2u, acc.n);
	t = &acc.tables[0];
	EXPECT_EQ(5u, t->cgroup_id);
	EXPECT_EQ(7u, t->generation);
	EXPECT_STREQ("reply", t->name);
	EXPECT_EQ(CRS_MODE_ENFORCE, (int)t->mode);
	EXPECT_EQ(CRS_MODE_MONITOR, t->container_mode);
	EXPECT_EQ(CRS_LOG_DENY | CRS_LOG_ALLOW, t->container_log);
	EXPECT_EQ(CRS_ACTION_DENY, (int)t->defaults[CRS_RULE_FILE]);
	EXPECT_EQ(CRS_ACTION_ALLOW, (int)t->defaults[CRS_RULE_EXECUTE]);
	EXPECT_EQ(10u, t->allowed);
	EXPECT_EQ(20u, t->denied);
	EXPECT_EQ(30u, t->monitored);
	EXPECT_EQ(40u, t->by_default);
	EXPECT_EQ(5u, acc.nrules_attr[0]);
	ASSERT_EQ(5u, t->nrules);
	for (i = 0; i < 5; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/f/%u", i);
		EXPECT_EQ(i, t->rules[i].index);
		EXPECT_STREQ(path, t->rules[i].path);
		EXPECT_EQ(100u + i, t->rules[i].hits);
		EXPECT_EQ(CRS_RULE_F_ENABLED, t->rules[i].flags);
	}
	EXPECT_EQ(6u, acc.tables[1].cgroup_id);
	EXPECT_EQ(1u, acc.tables[1].nrules);

	/* the table was replaced while being dumped */
	feed(_metadata, &acc, table_reply(5, 8, false, 0, 5, 6));
	EXPECT_TRUE(acc.inconsistent);
	crs_table_acc_free(&acc);
}

TEST(table_reply_malformed)
{
	struct crs_table_acc acc = { 0 };
	struct nlattr *nest;
	struct nl_msg *m;

	/* no cgroup id */
	m = genl_msg(CRS_CMD_GET_TABLE, 4096);
	nla_put_string(m, CRS_A_TABLE_NAME, "x");
	EXPECT_EQ(-EBADMSG, crs_table_msg_parse(nlmsg_hdr(m), &acc));
	nlmsg_free(m);
	/* a u64 of four bytes */
	m = genl_msg(CRS_CMD_GET_TABLE, 4096);
	nla_put_u32(m, CRS_A_CGROUP_ID, 5);
	EXPECT_EQ(-EBADMSG, crs_table_msg_parse(nlmsg_hdr(m), &acc));
	nlmsg_free(m);
	/* a rule whose index is a u64 */
	m = genl_msg(CRS_CMD_GET_TABLE, 4096);
	nla_put_u64(m, CRS_A_CGROUP_ID, 5);
	nest = nla_nest_start(m, CRS_A_RULE);
	nla_put_u64(m, CRS_A_RULE_INDEX, 1);
	nla_nest_end(m, nest);
	EXPECT_EQ(-EBADMSG, crs_table_msg_parse(nlmsg_hdr(m), &acc));
	nlmsg_free(m);
	/* shorter than the genl header */
	{
		struct nlmsghdr h = { .nlmsg_len = NLMSG_HDRLEN + 2, .nlmsg_type = FAMILY };

		EXPECT_EQ(-EBADMSG, crs_table_msg_parse(&h, &acc));
	}
	crs_table_acc_free(&acc);
}

/* ------------------------------------------------------------------ acks */

/* The request the acks below answer: the SET_TABLE of policy_json. */
static struct nl_msg *request(struct __test_metadata *_metadata, struct crs_policy **pp)
{
	struct crs_policy *p = get_policy(_metadata, policy_json);
	struct nl_msg *m;
	int err;

	m = crs_table_msg_build(FAMILY, CGID, p, &err);
	*pp = p;
	return m;
}

/* Offset in req of the n'th top-level attribute of type type (+ inner nested type). */
static uint32_t offset_of(struct nl_msg *req, int type, int n, int inner)
{
	struct nlattr *head, *a, *b;
	int len, rem, rem2;

	head = top_attrs(req, &len);
	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != type || n--)
			continue;
		if (!inner)
			return (char *)a - (char *)nlmsg_hdr(req);
		nla_for_each_nested(b, a, rem2)
			if (nla_type(b) == inner)
				return (char *)b - (char *)nlmsg_hdr(req);
	}
	return 0;
}

/* An NLMSG_ERROR for req, capped or not, with the given TLVs. */
static struct nl_msg *error_ack(struct nl_msg *req, int error, bool capped, const char *text,
				uint32_t offs, int miss_type, uint32_t miss_nest)
{
	struct nlmsghdr *rh = nlmsg_hdr(req);
	size_t payload = sizeof(struct nlmsgerr) + (capped ? 0 : rh->nlmsg_len - NLMSG_HDRLEN);
	struct nl_msg *m = nlmsg_alloc_size(NLMSG_HDRLEN + NLMSG_ALIGN(payload) + 4096);
	int flags = capped ? NLM_F_CAPPED : 0;
	struct nlmsgerr *e;

	if (text || offs || miss_type >= 0)
		flags |= NLM_F_ACK_TLVS;
	nlmsg_put(m, 0, rh->nlmsg_seq, NLMSG_ERROR, payload, flags);
	e = nlmsg_data(nlmsg_hdr(m));
	e->error = error;
	memcpy(&e->msg, rh, capped ? sizeof(*rh) : rh->nlmsg_len);
	if (text)
		nla_put_string(m, NLMSGERR_ATTR_MSG, text);
	if (offs)
		nla_put_u32(m, NLMSGERR_ATTR_OFFS, offs);
	if (miss_type >= 0)
		nla_put_u32(m, NLMSGERR_ATTR_MISS_TYPE, miss_type);
	if (miss_nest)
		nla_put_u32(m, NLMSGERR_ATTR_MISS_NEST, miss_nest);
	return m;
}

TEST(ack_extack_verbatim)
{
	static const char text[] = "crs: bad pattern \"/x//y\": empty component (\"//\")";
	struct crs_policy *p;
	struct nl_msg *req = request(_metadata, &p), *ack;
	struct crs_err err;
	uint32_t off;
	int capped;

	ASSERT_NE(NULL, req);
	off = offset_of(req, CRS_A_RULE, 2, CRS_A_RULE_PATH);
	ASSERT_NE(0u, off);
	for (capped = 0; capped <= 1; capped++) {
		ack = error_ack(req, -EINVAL, capped, text, off, -1, 0);
		crs_err_reset(&err);
		EXPECT_EQ(-EINVAL, crs_ack_parse(nlmsg_hdr(ack), nlmsg_hdr(req), &err));
		EXPECT_STREQ(text, err.msg);
		EXPECT_EQ(off, err.nl_offset);
		EXPECT_EQ(2, err.rule);
		nlmsg_free(ack);
	}
	/* an offset outside any rule names no rule */
	ack = error_ack(req, -ERANGE, true, "crs: bad mode", offset_of(req, CRS_A_TABLE_MODE, 0, 0),
			-1, 0);
	crs_err_reset(&err);
	EXPECT_EQ(-ERANGE, crs_ack_parse(nlmsg_hdr(ack), nlmsg_hdr(req), &err));
	EXPECT_STREQ("crs: bad mode", err.msg);
	EXPECT_EQ(-1, err.rule);
	nlmsg_free(ack);
	/* the rule nest's own header counts as the rule */
	ack = error_ack(req, -E2BIG, true, "x", offset_of(req, CRS_A_RULE, 1, 0), -1, 0);
	EXPECT_EQ(-E2BIG, crs_ack_parse(nlmsg_hdr(ack), nlmsg_hdr(req), &err));
	EXPECT_EQ(1, err.rule);
	nlmsg_free(ack);
	nlmsg_free(req);
	crs_policy_free(p);
}

TEST(ack_without_tlvs)
{
	struct crs_policy *p;
	struct nl_msg *req = request(_metadata, &p), *ack;
	struct crs_err err;

	ack = error_ack(req, -EPERM, true, NULL, 0, -1, 0);
	crs_err_reset(&err);
	EXPECT_EQ(-EPERM, crs_ack_parse(nlmsg_hdr(ack), nlmsg_hdr(req), &err));
	EXPECT_STREQ("", err.msg);
	EXPECT_EQ(-1, err.rule);
	nlmsg_free(ack);
	/* a plain ack */
	ack = error_ack(req, 0, true, NULL, 0, -1, 0);
	EXPECT_EQ(0, crs_ack_parse(nlmsg_hdr(ack), nlmsg_hdr(req), &err));
	nlmsg_free(ack);
	/* a positive "error" is nonsense */
	ack = error_ack(req, 5, true, NULL, 0, -1, 0);
	EXPECT_EQ(-EPROTO, crs_ack_parse(nlmsg_hdr(ack), nlmsg_hdr(req), &err));
	nlmsg_free(ack);
	nlmsg_free(req);
	crs_policy_free(p);
}

TEST(ack_missing_attribute)
{
	struct crs_policy *p;
	struct nl_msg *req = request(_metadata, &p), *ack;
	struct crs_err err;

	ack = error_ack(req, -EINVAL, true, NULL, 0, CRS_A_CGROUP_ID, 0);
	crs_err_reset(&err);
	EXPECT_EQ(-EINVAL, crs_ack_parse(nlmsg_hdr(ack), nlmsg_hdr(req), &err));
	EXPECT_STREQ("missing attribute CRS_A_CGROUP_ID", err.msg);
	nlmsg_free(ack);
	ack = error_ack(req, -EINVAL, true, NULL, 0, CRS_A_RULE_PATH,
			offset_of(req, CRS_A_RULE, 1, 0));
	crs_err_reset(&err);
	EXPECT_EQ(-EINVAL, crs_ack_parse(nlmsg_hdr(ack), nlmsg_hdr(req), &err));
	EXPECT_STREQ("missing attribute CRS_A_RULE_PATH", err.msg);
	EXPECT_EQ(1, err.rule);
	nlmsg_free(ack);
	/* the kernel's text wins */
	ack = error_ack(req, -EINVAL, true, "crs: no path", 0, CRS_A_RULE_PATH,
			offset_of(req, CRS_A_RULE, 1, 0));
	crs_err_reset(&err);
	EXPECT_EQ(-EINVAL, crs_ack_parse(nlmsg_hdr(ack), nlmsg_hdr(req), &err));
	EXPECT_STREQ("crs: no path", err.msg);
	nlmsg_free(ack);
	nlmsg_free(req);
	crs_policy_free(p);
}

TEST(ack_done_of_dump)
{
	struct nl_msg *m = nlmsg_alloc();
	struct crs_err err;
	int error = -ENOSPC;

	nlmsg_put(m, 0, 1, NLMSG_DONE, sizeof(error), NLM_F_MULTI | NLM_F_ACK_TLVS);
	memcpy(nlmsg_data(nlmsg_hdr(m)), &error, sizeof(error));
	nla_put_string(m, NLMSGERR_ATTR_MSG, "crs: dump failed");
	crs_err_reset(&err);
	EXPECT_EQ(-ENOSPC, crs_ack_parse(nlmsg_hdr(m), NULL, &err));
	EXPECT_STREQ("crs: dump failed", err.msg);
	nlmsg_free(m);

	m = nlmsg_alloc();
	error = 0;
	nlmsg_put(m, 0, 1, NLMSG_DONE, sizeof(error), NLM_F_MULTI);
	memcpy(nlmsg_data(nlmsg_hdr(m)), &error, sizeof(error));
	EXPECT_EQ(0, crs_ack_parse(nlmsg_hdr(m), NULL, &err));
	nlmsg_free(m);
}

TEST(ack_long_text_truncated)
{
	struct crs_policy *p;
	struct nl_msg *req = request(_metadata, &p), *ack;
	struct crs_err err;
	char text[1000];

	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	ack = error_ack(req, -EINVAL, true, text, 0, -1, 0);
	EXPECT_EQ(-EINVAL, crs_ack_parse(nlmsg_hdr(ack), nlmsg_hdr(req), &err));
	EXPECT_EQ(sizeof(err.msg) - 1, strlen(err.msg));
	nlmsg_free(ack);
	nlmsg_free(req);
	crs_policy_free(p);
}

/* Every truncation and some corruptions of acks: no crash, no overread. */
TEST(ack_robust)
{
	struct crs_policy *p;
	struct nl_msg *req = request(_metadata, &p), *ack;
	struct crs_err err;
	uint32_t len, full, i;
	unsigned char *copy;
	int capped;

	for (capped = 0; capped <= 1; capped++) {
		ack = error_ack(req, -EINVAL, capped, "some text", offset_of(req, CRS_A_RULE, 0, 0),
				CRS_A_RULE_PATH, 40);
		full = nlmsg_hdr(ack)->nlmsg_len;
		for (len = 0; len <= full; len++) {
			copy = calloc(1, len > sizeof(struct nlmsghdr) ? len : sizeof(struct nlmsghdr));
			memcpy(copy, nlmsg_hdr(ack), len);
			((struct nlmsghdr *)copy)->nlmsg_len = len;
			crs_ack_parse((struct nlmsghdr *)copy, nlmsg_hdr(req), &err);
			free(copy);
		}
		for (i = NLMSG_HDRLEN; i < full; i++) {
			copy = malloc(full);
			memcpy(copy, nlmsg_hdr(ack), full);
			copy[i] ^= 0xff;
			crs_ack_parse((struct nlmsghdr *)copy, nlmsg_hdr(req), &err);
			free(copy);
		}
		nlmsg_free(ack);
	}
	nlmsg_free(req);
	crs_policy_free(p);
}

/* --------------------------------------------------------- status, events */

TEST(status_reply)
{
	struct nl_msg *m = genl_msg(CRS_CMD_GET_STATUS, 8192);
	struct crs_status st;
	struct nlattr *nest;
	int i;

	nla_put_string(m, CRS_A_STATUS_VERSION, "0.1.0");
	nla_put_u32(m, CRS_A_STATUS_ABI, CRS_ABI_VERSION);
	nla_put_u32(m, CRS_A_STATUS_TABLES, 3);
	nla_put_u32(m, CRS_A_STATUS_MAX_TABLES, CRS_MAX_TABLES);
	nla_put_u32(m, CRS_A_STATUS_MAX_RULES, CRS_MAX_RULES);
	nla_put_u32(m, CRS_A_STATUS_MAX_GLOB_RULES, CRS_MAX_GLOB_RULES);
	nla_put_u32(m, CRS_A_STATUS_PATTERN_MAX, CRS_PATTERN_MAX);
	for (i = CRS_A_STATUS_HOOK_CALLS; i <= CRS_A_STATUS_PROG_CACHE_MISSES; i++)
		nla_put_u64(m, i, 1000 + i);
	for (i = 0; i < 20; i++) {
		char sym[32];

		snprintf(sym, sizeof(sym), "sym_%d", i);
		nest = nla_nest_start(m, CRS_A_STATUS_PROBE);
		nla_put_string(m, CRS_A_PROBE_SYMBOL, sym);
		nla_put_u64(m, CRS_A_PROBE_MISSED, i);
		if (i == 1)
			nla_put_flag(m, CRS_A_PROBE_FTRACE);
		nla_nest_end(m, nest);
	}
	ASSERT_EQ(0, crs_status_msg_parse(nlmsg_hdr(m), &st));
	EXPECT_STREQ("0.1.0", st.version);
	EXPECT_EQ((uint32_t)CRS_ABI_VERSION, st.abi);
	EXPECT_EQ(3u, st.tables);
	EXPECT_EQ((uint32_t)CRS_MAX_TABLES, st.max_tables);
	EXPECT_EQ((uint32_t)CRS_MAX_RULES, st.max_rules);
	EXPECT_EQ((uint32_t)CRS_MAX_GLOB_RULES, st.max_glob_rules);
	EXPECT_EQ((uint32_t)CRS_PATTERN_MAX, st.pattern_max);
	EXPECT_EQ(1000u + CRS_A_STATUS_HOOK_CALLS, st.hook_calls);
	EXPECT_EQ(1000u + CRS_A_STATUS_POLICED, st.policed);
	EXPECT_EQ(1000u + CRS_A_STATUS_DENIED, st.denied);
	EXPECT_EQ(1000u + CRS_A_STATUS_EVENTS_NO_LISTENER, st.events_no_listener);
	EXPECT_EQ(1000u + CRS_A_STATUS_PROG_CACHE_MISSES, st.prog_cache_misses);
	/* at most 16 probes are kept */
	ASSERT_EQ(16u, st.n_probes);
	EXPECT_STREQ("sym_0", st.probes[0].symbol);
	EXPECT_FALSE(st.probes[0].ftrace);
	EXPECT_TRUE(st.probes[1].ftrace);
	EXPECT_EQ(15u, st.probes[15].missed);
	nlmsg_free(m);
}

static struct nl_msg *event_msg(bool by_default, const char *program, const char *path)
{
	struct nl_msg *m = genl_msg(CRS_CMD_EVENT, 65536);

	nla_put_u64(m, CRS_A_EVENT_SEQ, 42);
	nla_put_u64(m, CRS_A_EVENT_TIME_NS, 1714564800123456789ULL);
	nla_put_u64(m, CRS_A_EVENT_CGROUP_ID, 7);
	nla_put_u64(m, CRS_A_EVENT_TABLE_CGROUP_ID, 5);
	nla_put_u32(m, CRS_A_EVENT_PID, 100);
	nla_put_u32(m, CRS_A_EVENT_TID, 101);
	nla_put_u32(m, CRS_A_EVENT_UID, 1000);
	nla_put_string(m, CRS_A_EVENT_PROGRAM, program);
	nla_put_u32(m, CRS_A_EVENT_TYPE, CRS_RULE_FILE);
	if (by_default) {
		nla_put_u32(m, CRS_A_EVENT_RULE_INDEX, CRS_RULE_INDEX_NONE);
	} else {
		nla_put_u32(m, CRS_A_EVENT_RULE_INDEX, 3);
		nla_put_string(m, CRS_A_EVENT_RULE_NAME, "no \"shadow\"");
	}
	nla_put_string(m, CRS_A_EVENT_PATH, path);
	nla_put_u32(m, CRS_A_EVENT_ACCESS, CRS_ACCESS_READ);
	nla_put_u32(m, CRS_A_EVENT_ACTION, by_default ? CRS_ACTION_ALLOW : CRS_ACTION_DENY);
	nla_put_u32(m, CRS_A_EVENT_VERDICT, CRS_ACTION_DENY);
	nla_put_u32(m, CRS_A_EVENT_MODE, by_default ? CRS_MODE_MONITOR : CRS_MODE_ENFORCE);
	nla_put_u32(m, CRS_A_EVENT_FLAGS, by_default ? CRS_EVENT_F_DEFAULT | CRS_EVENT_F_TRUNCATED : 0);
	return m;
}

TEST(event_decode_and_json)
{
	struct nl_msg *m = event_msg(false, "/usr/bin/cat", "/etc/shadow");
	struct crs_event e;
	char *s;

	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_EQ(42u, e.seq);
	EXPECT_EQ(7u, e.cgroup_id);
	EXPECT_EQ(5u, e.table_cgroup_id);
	EXPECT_EQ(100u, e.pid);
	EXPECT_EQ(101u, e.tid);
	EXPECT_EQ(1000u, e.uid);
	EXPECT_STREQ("/usr/bin/cat", e.program);
	EXPECT_STREQ("/etc/shadow", e.path);
	EXPECT_EQ(3u, e.rule_index);
	s = crs_event_to_json(&e);
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("{\"seq\":42,\"time\":\"2024-05-01T12:00:00.123456789Z\","
		     "\"time_ns\":1714564800123456789,\"cgroup_id\":7,\"table_cgroup_id\":5,"
		     "\"pid\":100,\"tid\":101,\"uid\":1000,\"program\":\"/usr/bin/cat\","
		     "\"type\":\"file\",\"rule_index\":3,\"rule_name\":\"no \\\"shadow\\\"\","
		     "\"path\":\"/etc/shadow\",\"access\":\"read\",\"action\":\"deny\","
		     "\"verdict\":\"deny\",\"mode\":\"enforce\",\"default\":false,"
		     "\"truncated\":false}", s);
	free(s);
	nlmsg_free(m);
}

TEST(event_default_action_json)
{
	struct nl_msg *m = event_msg(true, "/bin/x\xff\xc3\xa9\n", "/tmp/\xe0\x80\x80");
	struct crs_event e;
	char *s;

	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_EQ(CRS_RULE_INDEX_NONE, e.rule_index);
	s = crs_event_to_json(&e);
	ASSERT_NE(NULL, s);
	/* invalid UTF-8 (incl. overlong forms) as the text \xNN, valid kept, controls escaped */
	EXPECT_STREQ("{\"seq\":42,\"time\":\"2024-05-01T12:00:00.123456789Z\","
		     "\"time_ns\":1714564800123456789,\"cgroup_id\":7,\"table_cgroup_id\":5,"
		     "\"pid\":100,\"tid\":101,\"uid\":1000,"
		     "\"program\":\"/bin/x\\\\xff\xc3\xa9\\n\","
		     "\"type\":\"file\",\"rule_index\":null,\"rule_name\":null,"
		     "\"path\":\"/tmp/\\\\xe0\\\\x80\\\\x80\",\"access\":\"read\",\"action\":\"allow\","
		     "\"verdict\":\"deny\",\"mode\":\"monitor\",\"default\":true,"
		     "\"truncated\":true}", s);
	free(s);
	nlmsg_free(m);
}

TEST(event_malformed)
{
	struct nl_msg *m;
	struct crs_event e;
	char big[8192];

	/* not an event */
	m = genl_msg(CRS_CMD_GET_STATUS, 4096);
	EXPECT_EQ(-ENOMSG, crs_event_msg_parse(nlmsg_hdr(m), &e));
	nlmsg_free(m);
	/* a u32 where a u64 belongs */
	m = genl_msg(CRS_CMD_EVENT, 4096);
	nla_put_u32(m, CRS_A_EVENT_SEQ, 1);
	EXPECT_EQ(-EBADMSG, crs_event_msg_parse(nlmsg_hdr(m), &e));
	nlmsg_free(m);
	/* a path longer than struct crs_event holds is cut, terminated */
	memset(big, 'a', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	m = event_msg(false, "/p", big);
	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_EQ(sizeof(e.path) - 1, strlen(e.path));
	nlmsg_free(m);
	/* a string without its NUL */
	m = genl_msg(CRS_CMD_EVENT, 4096);
	nla_put(m, CRS_A_EVENT_PROGRAM, 3, "abc");
	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_STREQ("abc", e.program);
	EXPECT_EQ(CRS_RULE_INDEX_NONE, e.rule_index);
	nlmsg_free(m);
}

TEST(time_format)
{
	char buf[64];

	EXPECT_STREQ("1970-01-01T00:00:00.000000000Z", crs_time_rfc3339(0, buf, sizeof(buf)));
	EXPECT_STREQ("2024-05-01T12:00:00.123456789Z",
		     crs_time_rfc3339(1714564800123456789ULL, buf, sizeof(buf)));
	EXPECT_STREQ("2024-02-29T23:59:59.999999999Z",
		     crs_time_rfc3339(1709251199999999999ULL, buf, sizeof(buf)));
}

/* ------------------------------------------------------------- the host */

/* A directory on a cgroup2 mount, or "" */
static void find_cgroup2(char *out, size_t len)
{
	char dev[256], dir[512], type[64];
	FILE *f = fopen("/proc/self/mounts", "re");

	out[0] = '\0';
	if (!f)
		return;
	while (fscanf(f, "%255s %511s %63s %*[^\n]", dev, dir, type) == 3) {
		if (!strcmp(type, "cgroup2")) {
			snprintf(out, len, "%s", dir);
			break;
		}
	}
	fclose(f);
}

TEST(cgroup_id)
{
	char cg[512], file[600];
	struct stat st;
	uint64_t id = 0;

	EXPECT_EQ(-ENOENT, crs_cgroup_id("/nonexistent/crs", &id));
	EXPECT_EQ(-EMEDIUMTYPE, crs_cgroup_id("/proc", &id));
	EXPECT_EQ(-EINVAL, crs_cgroup_id(NULL, &id));
	find_cgroup2(cg, sizeof(cg));
	if (!cg[0])
		SKIP(return, "no cgroup2 mount");
	ASSERT_EQ(0, crs_cgroup_id(cg, &id));
	ASSERT_EQ(0, stat(cg, &st));
	/* on 64-bit hosts the cgroup id is the kernfs inode number */
	EXPECT_EQ((uint64_t)st.st_ino, id);
	snprintf(file, sizeof(file), "%s/cgroup.procs", cg);
	EXPECT_EQ(-ENOTDIR, crs_cgroup_id(file, &id));
}

TEST(module_not_loaded)
{
	struct crs_nl *nl = NULL;
	struct crs_events *ev = NULL;
	struct crs_err err;
	int r;

	r = crs_nl_open(&nl, &err);
	if (!r) {
		crs_nl_close(nl);
		SKIP(return, "crs.ko is loaded here");
	}
	EXPECT_EQ(-ENOENT, r);
	EXPECT_STREQ("crs.ko is not loaded (generic netlink family 'crs' not found)", err.msg);
	EXPECT_NULL(nl);
	EXPECT_EQ(-ENOENT, crs_events_open(&ev, &err));
	EXPECT_STREQ("crs.ko is not loaded (generic netlink family 'crs' not found)", err.msg);
	EXPECT_NULL(ev);
}

/*
 * The transport against a real family of this host's kernel, nlctrl:
 * extended acks (text verbatim, offset), doit replies, dumps, and a
 * multi-megabyte request (the send buffer is raised to fit).
 */
static struct crs_nl *open_nlctrl(struct __test_metadata *_metadata)
{
	struct crs_nl *nl = NULL;
	struct crs_err err;

	EXPECT_EQ(0, crs_nl_open_family(&nl, "nlctrl", &err)) TH_LOG("%s", err.msg);
	return nl;
}

static struct nl_msg *ctrl_msg(int flags)
{
	struct nl_msg *m = nlmsg_alloc_size(8 << 20);

	genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0, flags,
		    CTRL_CMD_GETFAMILY, 1);
	return m;
}

static int count_msgs(const struct nlmsghdr *nlh, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

TEST(transport_extack_from_kernel)
{
	struct crs_nl *nl = open_nlctrl(_metadata);
	struct crs_err err;
	struct nl_msg *m;
	int r, n = 0;

	ASSERT_NE(NULL, nl);
	/* a family name longer than GENL_NAMSIZ fails the attribute policy */
	m = ctrl_msg(NLM_F_ACK);
	nla_put_u16(m, CTRL_ATTR_FAMILY_ID, 0x7fff);
	nla_put_string(m, CTRL_ATTR_FAMILY_NAME, "a-family-name-longer-than-sixteen-bytes");
	r = crs_nl_transact(nl, m, "test", count_msgs, &n, NULL, &err);
	EXPECT_EQ(-EINVAL, r);
	EXPECT_NE(0, err.msg[0]);
	/* the second attribute, after the 8 bytes of the first */
	EXPECT_EQ(NLMSG_HDRLEN + GENL_HDRLEN + 8, err.nl_offset);
	EXPECT_EQ(-1, err.rule);
	EXPECT_EQ(0, n);
	TH_LOG("kernel said: %s (offset %u)", err.msg, err.nl_offset);

	/* no extack text: the errno's */
	m = ctrl_msg(NLM_F_ACK);
	nla_put_string(m, CTRL_ATTR_FAMILY_NAME, "no-such-family");
	r = crs_nl_transact(nl, m, "test", count_msgs, &n, NULL, &err);
	EXPECT_EQ(-ENOENT, r);
	EXPECT_STREQ("test: No such file or directory", err.msg);

	/* the socket is still in step: a doit with a reply, then the ack */
	m = ctrl_msg(NLM_F_ACK);
	nla_put_string(m, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	EXPECT_EQ(0, crs_nl_transact(nl, m, "test", count_msgs, &n, NULL, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(1, n);
	crs_nl_close(nl);
}

TEST(transport_dump)
{
	struct crs_nl *nl = open_nlctrl(_metadata);
	struct crs_err err;
	bool intr = true;
	int n = 0;

	ASSERT_NE(NULL, nl);
	EXPECT_EQ(0, crs_nl_transact(nl, ctrl_msg(NLM_F_DUMP), "dump", count_msgs, &n, &intr, &err))
		TH_LOG("%s", err.msg);
	EXPECT_LE(1, n);
	EXPECT_FALSE(intr);
	/* and again on the same socket */
	n = 0;
	EXPECT_EQ(0, crs_nl_transact(nl, ctrl_msg(NLM_F_DUMP), "dump", count_msgs, &n, NULL, &err));
	EXPECT_LE(1, n);
	crs_nl_close(nl);
}

TEST(transport_large_request)
{
	struct crs_nl *nl = open_nlctrl(_metadata);
	static char blob[60000];
	struct crs_err err;
	struct nl_msg *m;
	int i, r;

	ASSERT_NE(NULL, nl);
	if (geteuid())
		SKIP(return, "SO_SNDBUFFORCE needs CAP_NET_ADMIN");
	/* 4.5 MB: far over the default send buffer; the kernel must see it */
	memset(blob, 'x', sizeof(blob) - 1);
	m = ctrl_msg(NLM_F_ACK);
	for (i = 0; i < 75; i++)
		ASSERT_EQ(0, nla_put_string(m, CTRL_ATTR_FAMILY_NAME, blob));
	ASSERT_LT(4u << 20, nlmsg_hdr(m)->nlmsg_len);
	r = crs_nl_transact(nl, m, "big", NULL, NULL, NULL, &err);
	/* refused by the kernel's validation, not by the socket layer */
	EXPECT_NE(-EMSGSIZE, r);
	EXPECT_TRUE(r == -EINVAL || r == -ERANGE) TH_LOG("%d %s", r, err.msg);
	TH_LOG("kernel said: %s", err.msg);
	crs_nl_close(nl);
}

/* Queue a stray message of len bytes on nl's socket (skipped for its seq). */
static int stray(struct crs_nl *nl, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	socklen_t salen = sizeof(sa);
	char junk[2048] = { 0 };
	struct nlmsghdr *h = (struct nlmsghdr *)junk;
	int tx, r = -1;

	tx = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (tx < 0 || len > sizeof(junk) ||
	    getsockname(crs_nl_fd(nl), (struct sockaddr *)&sa, &salen))
		goto out;
	h->nlmsg_len = len;
	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_seq = 0xdead;
	if (sendto(tx, junk, len, 0, (struct sockaddr *)&sa, sizeof(sa)) == (ssize_t)len)
		r = 0;
out:
	if (tx >= 0)
		close(tx);
	return r;
}

/*
 * Receive queue overruns (ENOBUFS) on the control socket, set up with the
 * smallest queue and a stray message already in it: the kernel reports the
 * overrun before the messages still queued.
 */
TEST(transport_overrun)
{
	struct crs_nl *nl = open_nlctrl(_metadata);
	struct crs_err err;
	struct nl_msg *m;
	int small = 1, n = 0;

	ASSERT_NE(NULL, nl);
	if (geteuid())
		SKIP(return, "sending to another netlink socket needs CAP_NET_ADMIN");
	ASSERT_EQ(0, setsockopt(crs_nl_fd(nl), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)));

	/* a big stray: the reply and its ack are dropped; an error, not a hang */
	ASSERT_EQ(0, stray(nl, 1500));
	m = ctrl_msg(NLM_F_ACK);
	nla_put_string(m, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	EXPECT_EQ(-ENOBUFS, crs_nl_transact(nl, m, "test", count_msgs, &n, NULL, &err));
	EXPECT_STREQ("test: the kernel's answer was lost (the socket's receive queue overflowed)",
		     err.msg);
	EXPECT_EQ(0, n);

	/* a small stray: the reply fits, its ack is dropped; that is success */
	ASSERT_EQ(0, stray(nl, 300));
	m = ctrl_msg(NLM_F_ACK);
	nla_put_string(m, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	EXPECT_EQ(0, crs_nl_transact(nl, m, "test", count_msgs, &n, NULL, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(1, n);

	/* and the socket works normally afterwards, blocking again */
	small = 1 << 20;
	ASSERT_EQ(0, setsockopt(crs_nl_fd(nl), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)));
	m = ctrl_msg(NLM_F_ACK);
	nla_put_string(m, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	n = 0;
	EXPECT_EQ(0, crs_nl_transact(nl, m, "test", count_msgs, &n, NULL, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(1, n);
	EXPECT_EQ(0, fcntl(crs_nl_fd(nl), F_GETFL) & O_NONBLOCK);
	crs_nl_close(nl);
}

/* ---------------------------------------------------------- syscall rules */

static const char sc_policy_json[] =
	"{\"name\":\"sc\",\"default_actions\":{\"syscall\":\"deny\"},"
	"\"ignored_syscalls\":[\"read\",\"mmap2\",\"socket\",\"accept\"],"
	"\"rules\":["
	"{\"name\":\"attach\",\"type\":\"syscall\",\"program\":\"/usr/bin/gdb\",\"action\":\"deny\","
	" \"syscall\":\"ptrace\",\"args\":[{\"index\":0,\"op\":\"eq\",\"value\":16},"
	" {\"index\":3,\"op\":\"mask_any\",\"value\":-1}]},"
	"{\"type\":\"syscall\",\"action\":\"allow\",\"syscall\":\"mmap2\",\"enabled\":false},"
	"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/etc/shadow\",\"access\":[\"read\"]}]}";

static bool bit(const uint8_t *map, unsigned int n)
{
	return map[n / 8] & (1u << (n % 8));
}

/* The exact attributes of syscall rules and the ignored bitmaps. */
TEST(set_table_syscall_message)
{
	struct crs_policy *p = get_policy(_metadata, sc_policy_json);
	struct nlattr *head, *a, *b, *c;
	struct nl_msg *m;
	int len, rem, r2, r3, err, idx = 0, n, k;
	static const int order0[] = {
		CRS_A_RULE_INDEX, CRS_A_RULE_NAME, CRS_A_RULE_TYPE, CRS_A_RULE_ACTION,
		CRS_A_RULE_FLAGS, CRS_A_RULE_PROGRAM, CRS_A_RULE_SYSCALL,
		CRS_A_RULE_SYSCALL_NR, CRS_A_RULE_SYSCALL_NR32, CRS_A_RULE_ARG, CRS_A_RULE_ARG,
	};
	static const int order1[] = {
		CRS_A_RULE_INDEX, CRS_A_RULE_TYPE, CRS_A_RULE_ACTION, CRS_A_RULE_FLAGS,
		CRS_A_RULE_PROGRAM, CRS_A_RULE_SYSCALL, CRS_A_RULE_SYSCALL_NR,
		CRS_A_RULE_SYSCALL_NR32,
	};
	bool seen64 = false, seen32 = false;

	ASSERT_NE(NULL, p);
	m = crs_table_msg_build(FAMILY, CGID, p, &err);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(crs_table_msg_size(p), nlmsg_hdr(m)->nlmsg_len);
	head = top_attrs(m, &len);
	nla_for_each_attr(a, head, len, rem) {
		const uint8_t *map = nla_data(a);

		switch (nla_type(a)) {
		case CRS_A_TABLE_IGNORED:
			EXPECT_FALSE(seen64);
			EXPECT_EQ(0, idx);	/* before the rules */
			ASSERT_EQ(CRS_SYSCALL_NR_MAX / 8, nla_len(a));
			seen64 = true;
			for (k = 0; k < CRS_SYSCALL_NR_MAX; k++)
				EXPECT_EQ(k == 0 || k == 41 || k == 43, bit(map, k)) TH_LOG("nr %d", k);
			EXPECT_EQ(0x01, map[0]);	/* read = 0: byte 0, bit 0 */
			EXPECT_EQ(0x0a, map[5]);	/* 41, 43: byte 5, bits 1 and 3 */
			break;
		case CRS_A_TABLE_IGNORED32:
			EXPECT_TRUE(seen64);
			ASSERT_EQ(CRS_SYSCALL_NR_MAX / 8, nla_len(a));
			seen32 = true;
			/* read 3, mmap2 192, socket 359; accept has no i386 number */
			for (k = 0; k < CRS_SYSCALL_NR_MAX; k++)
				EXPECT_EQ(k == 3 || k == 192 || k == 359, bit(map, k)) TH_LOG("nr %d", k);
			EXPECT_EQ(0x08, map[0]);
			EXPECT_EQ(0x01, map[24]);
			EXPECT_EQ(0x80, map[44]);
			break;
		case CRS_A_RULE:
			n = 0;
			nla_for_each_nested(b, a, r2) {
				if (idx == 0) {
					ASSERT_LT(n, 11);
					EXPECT_EQ(order0[n], nla_type(b));
				} else if (idx == 1) {
					ASSERT_LT(n, 8);
					EXPECT_EQ(order1[n], nla_type(b));
				}
				switch (idx == 2 ? -1 : nla_type(b)) {
				case CRS_A_RULE_INDEX:
					EXPECT_EQ(idx, (int)nla_get_u32(b));
					break;
				case CRS_A_RULE_NAME:
					EXPECT_STREQ("attach", attr_str(b));
					break;
				case CRS_A_RULE_TYPE:
					EXPECT_EQ(CRS_RULE_SYSCALL, (int)nla_get_u32(b));
					break;
				case CRS_A_RULE_ACTION:
					EXPECT_EQ(idx ? CRS_ACTION_ALLOW : CRS_ACTION_DENY,
						  (int)nla_get_u32(b));
					break;
				case CRS_A_RULE_FLAGS:
					EXPECT_EQ(idx ? 0u : CRS_RULE_F_ENABLED, nla_get_u32(b));
					break;
				case CRS_A_RULE_PROGRAM:
					EXPECT_STREQ(idx ? "*" : "/usr/bin/gdb", attr_str(b));
					break;
				case CRS_A_RULE_SYSCALL:
					EXPECT_EQ(idx ? 6 : 7, nla_len(b));
					EXPECT_STREQ(idx ? "mmap2" : "ptrace", attr_str(b));
					break;
				case CRS_A_RULE_SYSCALL_NR:
					EXPECT_EQ(4, nla_len(b));
					EXPECT_EQ(idx ? CRS_SYSCALL_NONE : 101u, nla_get_u32(b));
					break;
				case CRS_A_RULE_SYSCALL_NR32:
					EXPECT_EQ(4, nla_len(b));
					EXPECT_EQ(idx ? 192u : 26u, nla_get_u32(b));
					break;
				case CRS_A_RULE_ARG: {
					int j = n - 9, m2 = 0;
					static const int aorder[] = {
						CRS_A_ARG_INDEX, CRS_A_ARG_OP, CRS_A_ARG_VALUE,
					};

					EXPECT_TRUE(b->nla_type & NLA_F_NESTED);
					nla_for_each_nested(c, b, r3) {
						ASSERT_LT(m2, 3);
						EXPECT_EQ(aorder[m2], nla_type(c));
						if (m2 == 0) {
							EXPECT_EQ(4, nla_len(c));
							EXPECT_EQ(j ? 3u : 0u, nla_get_u32(c));
						} else if (m2 == 1) {
							EXPECT_EQ(4, nla_len(c));
							EXPECT_EQ(j ? CRS_ARG_MASK_ANY : CRS_ARG_EQ,
								  (int)nla_get_u32(c));
						} else {
							EXPECT_EQ(8, nla_len(c));
							EXPECT_EQ(j ? UINT64_MAX : 16u, nla_get_u64(c));
						}
						m2++;
					}
					EXPECT_EQ(3, m2);
					break;
				}
				default:
					EXPECT_EQ(2, idx) TH_LOG("unexpected rule attribute %d",
								 nla_type(b));
				}
				/* no path or access on syscall rules */
				if (idx < 2) {
					EXPECT_NE(CRS_A_RULE_PATH, nla_type(b));
					EXPECT_NE(CRS_A_RULE_ACCESS, nla_type(b));
				} else {
					EXPECT_NE(CRS_A_RULE_SYSCALL, nla_type(b));
					EXPECT_NE(CRS_A_RULE_ARG, nla_type(b));
				}
				n++;
			}
			EXPECT_EQ(idx == 0 ? 11 : idx == 1 ? 8 : 7, n);
			idx++;
			break;
		}
	}
	EXPECT_TRUE(seen64);
	EXPECT_TRUE(seen32);
	EXPECT_EQ(3, idx);
	nlmsg_free(m);
	crs_policy_free(p);
}

/* No ignored_syscalls: no bitmaps. */
TEST(set_table_no_ignored)
{
	struct crs_policy *p = get_policy(_metadata, policy_json);
	struct nlattr *head, *a;
	struct nl_msg *m;
	int len, rem, err;

	ASSERT_NE(NULL, p);
	m = crs_table_msg_build(FAMILY, CGID, p, &err);
	ASSERT_NE(NULL, m);
	head = top_attrs(m, &len);
	nla_for_each_attr(a, head, len, rem) {
		EXPECT_NE(CRS_A_TABLE_IGNORED, nla_type(a));
		EXPECT_NE(CRS_A_TABLE_IGNORED32, nla_type(a));
	}
	nlmsg_free(m);
	crs_policy_free(p);
}

TEST(set_table_syscall_parsed_back)
{
	struct crs_policy *p = get_policy(_metadata, sc_policy_json);
	struct crs_table_acc acc = { 0 };
	struct crs_rule_info *r;
	struct nl_msg *m;
	int err;

	ASSERT_NE(NULL, p);
	m = crs_table_msg_build(FAMILY, CGID, p, &err);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, crs_table_msg_parse(nlmsg_hdr(m), &acc));
	ASSERT_EQ(1u, acc.n);
	ASSERT_EQ(3u, acc.tables[0].nrules);
	EXPECT_EQ(CRS_ACTION_DENY, (int)acc.tables[0].defaults[CRS_RULE_SYSCALL]);
	r = &acc.tables[0].rules[0];
	EXPECT_EQ(CRS_RULE_SYSCALL, (int)r->type);
	EXPECT_STREQ("ptrace", r->syscall);
	EXPECT_EQ(101u, r->syscall_nr);
	EXPECT_EQ(26u, r->syscall_nr32);
	EXPECT_STREQ("", r->path);
	EXPECT_EQ(0u, r->access);
	ASSERT_EQ(2u, r->n_args);
	EXPECT_EQ(0u, r->args[0].index);
	EXPECT_EQ(CRS_ARG_EQ, (int)r->args[0].op);
	EXPECT_EQ(16u, r->args[0].value);
	EXPECT_EQ(3u, r->args[1].index);
	EXPECT_EQ(CRS_ARG_MASK_ANY, (int)r->args[1].op);
	EXPECT_EQ(UINT64_MAX, r->args[1].value);
	r = &acc.tables[0].rules[1];
	EXPECT_STREQ("mmap2", r->syscall);
	EXPECT_EQ(CRS_SYSCALL_NONE, r->syscall_nr);
	EXPECT_EQ(192u, r->syscall_nr32);
	EXPECT_EQ(0u, r->n_args);
	EXPECT_EQ(0u, r->flags);
	r = &acc.tables[0].rules[2];
	EXPECT_STREQ("", r->syscall);
	EXPECT_EQ(CRS_SYSCALL_NONE, r->syscall_nr);
	EXPECT_EQ(0u, r->n_args);
	EXPECT_STREQ("/etc/shadow", r->path);
	crs_table_acc_free(&acc);
	nlmsg_free(m);
	crs_policy_free(p);
}

/* A reply rule with a seventh CRS_A_RULE_ARG, or an ARG value of 4 bytes, is malformed. */
TEST(table_reply_bad_args)
{
	struct crs_table_acc acc = { 0 };
	struct nlattr *rule, *an;
	struct nl_msg *m;
	int i, round;

	for (round = 0; round < 2; round++) {
		m = genl_msg(CRS_CMD_GET_TABLE, 4096);
		ASSERT_NE(NULL, m);
		nla_put_u64(m, CRS_A_CGROUP_ID, CGID);
		rule = nla_nest_start(m, CRS_A_RULE);
		nla_put_u32(m, CRS_A_RULE_INDEX, 0);
		nla_put_u32(m, CRS_A_RULE_TYPE, CRS_RULE_SYSCALL);
		for (i = 0; i < (round ? 1 : 7); i++) {
			an = nla_nest_start(m, CRS_A_RULE_ARG);
			nla_put_u32(m, CRS_A_ARG_INDEX, 0);
			nla_put_u32(m, CRS_A_ARG_OP, CRS_ARG_EQ);
			if (round)
				nla_put_u32(m, CRS_A_ARG_VALUE, 1);
			else
				nla_put_u64(m, CRS_A_ARG_VALUE, 1);
			nla_nest_end(m, an);
		}
		nla_nest_end(m, rule);
		EXPECT_EQ(-EBADMSG, crs_table_msg_parse(nlmsg_hdr(m), &acc));
		crs_table_acc_free(&acc);
		nlmsg_free(m);
	}
}

TEST(status_syscall_probes)
{
	struct nl_msg *m = genl_msg(CRS_CMD_GET_STATUS, 65536);
	struct crs_status st;
	struct nlattr *nest;
	int i;

	ASSERT_NE(NULL, m);
	nla_put_u32(m, CRS_A_STATUS_ABI, CRS_ABI_VERSION);
	nla_put_u32(m, CRS_A_STATUS_SYSCALL_PROBES, 100);
	nla_put_u64(m, CRS_A_STATUS_SYSCALL_MISSED, 7);
	nla_put_u32(m, CRS_A_STATUS_DISPATCH_PROBES, 3);
	for (i = 0; i < 100; i++) {
		char sym[32];

		snprintf(sym, sizeof(sym), "call_%d", i);
		nest = nla_nest_start(m, CRS_A_STATUS_SYSCALL);
		nla_put_string(m, CRS_A_PROBE_SYMBOL, sym);
		nla_put_u32(m, CRS_A_PROBE_REFS, i + 1);
		nla_put_u32(m, CRS_A_PROBE_ENTRIES, 2);
		nla_put_u64(m, CRS_A_PROBE_MISSED, i == 3);
		if (i == 2)
			nla_put_flag(m, CRS_A_PROBE_FTRACE);
		nla_nest_end(m, nest);
	}
	ASSERT_EQ(0, crs_status_msg_parse(nlmsg_hdr(m), &st));
	EXPECT_EQ(100u, st.syscall_probes);
	EXPECT_EQ(7u, st.syscall_missed);
	EXPECT_EQ(3u, st.dispatch_probes);
	EXPECT_EQ(0u, st.n_probes);
	/* 64 kept, all counted */
	EXPECT_EQ(64u, st.n_syscalls);
	EXPECT_EQ(100u, st.n_syscalls_total);
	EXPECT_STREQ("call_0", st.syscalls[0].name);
	EXPECT_EQ(1u, st.syscalls[0].refs);
	EXPECT_EQ(2u, st.syscalls[0].entries);
	EXPECT_TRUE(st.syscalls[2].ftrace);
	EXPECT_FALSE(st.syscalls[3].ftrace);
	EXPECT_EQ(1u, st.syscalls[3].missed);
	EXPECT_STREQ("call_63", st.syscalls[63].name);
	nlmsg_free(m);

	/* a u32 where a u64 belongs */
	m = genl_msg(CRS_CMD_GET_STATUS, 1024);
	nla_put_u32(m, CRS_A_STATUS_SYSCALL_MISSED, 7);
	EXPECT_EQ(-EBADMSG, crs_status_msg_parse(nlmsg_hdr(m), &st));
	nlmsg_free(m);
}

static struct nl_msg *syscall_event_msg(const char *name, uint32_t nr, uint32_t arch, int nargs)
{
	struct nl_msg *m = genl_msg(CRS_CMD_EVENT, 8192);
	int i;

	nla_put_u64(m, CRS_A_EVENT_SEQ, 9);
	nla_put_u64(m, CRS_A_EVENT_TIME_NS, 1714564800000000001ULL);
	nla_put_u64(m, CRS_A_EVENT_CGROUP_ID, 7);
	nla_put_u64(m, CRS_A_EVENT_TABLE_CGROUP_ID, 7);
	nla_put_u32(m, CRS_A_EVENT_PID, 100);
	nla_put_u32(m, CRS_A_EVENT_TID, 100);
	nla_put_u32(m, CRS_A_EVENT_UID, 0);
	nla_put_string(m, CRS_A_EVENT_PROGRAM, "/usr/bin/gdb");
	nla_put_u32(m, CRS_A_EVENT_TYPE, CRS_RULE_SYSCALL);
	nla_put_u32(m, CRS_A_EVENT_RULE_INDEX, 0);
	nla_put_string(m, CRS_A_EVENT_RULE_NAME, "attach");
	if (name)
		nla_put_string(m, CRS_A_EVENT_SYSCALL, name);
	nla_put_u32(m, CRS_A_EVENT_SYSCALL_NR, nr);
	nla_put_u32(m, CRS_A_EVENT_ARCH, arch);
	for (i = 0; i < nargs; i++)
		nla_put_u64(m, CRS_A_EVENT_ARG, i == 1 ? UINT64_MAX : 16u + i);
	nla_put_u32(m, CRS_A_EVENT_ACTION, CRS_ACTION_DENY);
	nla_put_u32(m, CRS_A_EVENT_VERDICT, CRS_ACTION_DENY);
	nla_put_u32(m, CRS_A_EVENT_MODE, CRS_MODE_ENFORCE);
	nla_put_u32(m, CRS_A_EVENT_FLAGS, 0);
	return m;
}

TEST(event_syscall_decode_and_json)
{
	struct nl_msg *m = syscall_event_msg("ptrace", 101, CRS_ARCH_X86_64, 6);
	struct crs_event e;
	char *s;
	int i;

	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_EQ(CRS_RULE_SYSCALL, (int)e.type);
	EXPECT_STREQ("ptrace", e.syscall);
	EXPECT_EQ(101u, e.syscall_nr);
	EXPECT_EQ(CRS_ARCH_X86_64, (int)e.arch);
	EXPECT_EQ(16u, e.args[0]);
	EXPECT_EQ(UINT64_MAX, e.args[1]);
	for (i = 2; i < 6; i++)
		EXPECT_EQ(16u + i, e.args[i]);
	s = crs_event_to_json(&e);
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("{\"seq\":9,\"time\":\"2024-05-01T12:00:00.000000001Z\","
		     "\"time_ns\":1714564800000000001,\"cgroup_id\":7,\"table_cgroup_id\":7,"
		     "\"pid\":100,\"tid\":100,\"uid\":0,\"program\":\"/usr/bin/gdb\","
		     "\"type\":\"syscall\",\"rule_index\":0,\"rule_name\":\"attach\","
		     "\"syscall\":\"ptrace\",\"syscall_nr\":101,\"arch\":\"x86_64\","
		     "\"args\":[16,18446744073709551615,18,19,20,21],"
		     "\"action\":\"deny\",\"verdict\":\"deny\",\"mode\":\"enforce\","
		     "\"default\":false,\"truncated\":false}", s);
	free(s);
	nlmsg_free(m);
}

/* Without CRS_A_EVENT_SYSCALL the name comes from the number in its ABI. */
TEST(event_syscall_name_from_number)
{
	struct crs_event e;
	struct nl_msg *m;
	char *s;

	m = syscall_event_msg(NULL, 26, CRS_ARCH_IA32, 6);
	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_STREQ("ptrace", e.syscall);
	EXPECT_EQ(CRS_ARCH_IA32, (int)e.arch);
	s = crs_event_to_json(&e);
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "\"syscall\":\"ptrace\",\"syscall_nr\":26,\"arch\":\"ia32\","))
		TH_LOG("%s", s);
	free(s);
	nlmsg_free(m);

	m = syscall_event_msg(NULL, 0x40000000 | 521, CRS_ARCH_X32, 6);
	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_STREQ("ptrace", e.syscall);
	nlmsg_free(m);

	/* unknown number, unknown arch: no name, JSON null; fewer args: zeros */
	m = syscall_event_msg(NULL, 1000, 9, 2);
	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_STREQ("", e.syscall);
	EXPECT_EQ(0u, e.args[2]);
	s = crs_event_to_json(&e);
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "\"syscall\":null,\"syscall_nr\":1000,\"arch\":9,"
			       "\"args\":[16,18446744073709551615,0,0,0,0],")) TH_LOG("%s", s);
	free(s);
	nlmsg_free(m);

	/* more than six args: the first six are kept */
	m = syscall_event_msg("kill", 62, CRS_ARCH_X86_64, 9);
	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_STREQ("kill", e.syscall);
	EXPECT_EQ(21u, e.args[5]);
	nlmsg_free(m);
}

/* ------------------------------------------------- network and listener rules */

static const char net_policy_json[] =
	"{\"name\":\"net\",\"default_actions\":{\"network\":\"deny\"},\"rules\":["
	"{\"name\":\"curl\",\"type\":\"network\",\"program\":\"/usr/bin/curl\",\"action\":\"allow\","
	" \"direction\":\"outbound\",\"address\":\"10.0.0.0/8\",\"port\":\"443\",\"protocol\":\"tcp\"},"
	"{\"type\":\"listener\",\"action\":\"allow\",\"port\":80,\"protocol\":\"tcp\"},"
	"{\"type\":\"network\",\"action\":\"deny\",\"direction\":\"inbound\",\"enabled\":false,"
	" \"address\":\"2001:db8::/32\",\"port\":\"1000-2000\",\"protocol\":\"udp\"},"
	"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/etc/shadow\",\"access\":[\"read\"]}]}";

/* The exact attributes of network and listener rules. */
TEST(set_table_net_message)
{
	struct crs_policy *p = get_policy(_metadata, net_policy_json);
	struct nlattr *head, *a, *b;
	struct nl_msg *m;
	int len, rem, r2, err, idx = 0, n;
	static const int order0[] = {
		CRS_A_RULE_INDEX, CRS_A_RULE_NAME, CRS_A_RULE_TYPE, CRS_A_RULE_ACTION,
		CRS_A_RULE_FLAGS, CRS_A_RULE_PROGRAM, CRS_A_RULE_DIRECTION, CRS_A_RULE_PROTOCOL,
		CRS_A_RULE_ADDR_FAMILY, CRS_A_RULE_ADDR, CRS_A_RULE_PREFIX_LEN,
		CRS_A_RULE_PORT_MIN, CRS_A_RULE_PORT_MAX,
	};
	/* a listener: no direction; address "*": family 0, no address, no prefix */
	static const int order1[] = {
		CRS_A_RULE_INDEX, CRS_A_RULE_TYPE, CRS_A_RULE_ACTION, CRS_A_RULE_FLAGS,
		CRS_A_RULE_PROGRAM, CRS_A_RULE_PROTOCOL, CRS_A_RULE_ADDR_FAMILY,
		CRS_A_RULE_PORT_MIN, CRS_A_RULE_PORT_MAX,
	};
	static const int order2[] = {
		CRS_A_RULE_INDEX, CRS_A_RULE_TYPE, CRS_A_RULE_ACTION, CRS_A_RULE_FLAGS,
		CRS_A_RULE_PROGRAM, CRS_A_RULE_DIRECTION, CRS_A_RULE_PROTOCOL,
		CRS_A_RULE_ADDR_FAMILY, CRS_A_RULE_ADDR, CRS_A_RULE_PREFIX_LEN,
		CRS_A_RULE_PORT_MIN, CRS_A_RULE_PORT_MAX,
	};
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	static const uint8_t v4[4] = { 10, 0, 0, 0 };
	const int *order;
	int norder;

	ASSERT_NE(NULL, p);
	m = crs_table_msg_build(FAMILY, CGID, p, &err);
	ASSERT_NE(NULL, m);
	EXPECT_EQ(crs_table_msg_size(p), nlmsg_hdr(m)->nlmsg_len);
	head = top_attrs(m, &len);
	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != CRS_A_RULE)
			continue;
		order = idx == 0 ? order0 : idx == 1 ? order1 : order2;
		norder = idx == 0 ? 13 : idx == 1 ? 9 : 12;
		n = 0;
		nla_for_each_nested(b, a, r2) {
			if (idx == 3) {
				/* the file rule has none of them */
				EXPECT_GT(CRS_A_RULE_DIRECTION, nla_type(b));
				n++;
				continue;
			}
			ASSERT_LT(n, norder);
			EXPECT_EQ(order[n], nla_type(b)) TH_LOG("rule %d attribute %d", idx, n);
			switch (nla_type(b)) {
			case CRS_A_RULE_TYPE:
				EXPECT_EQ(idx == 1 ? CRS_RULE_LISTENER : CRS_RULE_NETWORK,
					  (int)nla_get_u32(b));
				break;
			case CRS_A_RULE_FLAGS:
				EXPECT_EQ(idx == 2 ? 0u : CRS_RULE_F_ENABLED, nla_get_u32(b));
				break;
			case CRS_A_RULE_DIRECTION:
				EXPECT_EQ(4, nla_len(b));
				EXPECT_EQ(idx ? CRS_DIR_INBOUND : CRS_DIR_OUTBOUND, (int)nla_get_u32(b));
				break;
			case CRS_A_RULE_PROTOCOL:
				EXPECT_EQ(4, nla_len(b));
				EXPECT_EQ(idx == 2 ? CRS_PROTO_UDP : CRS_PROTO_TCP, (int)nla_get_u32(b));
				break;
			case CRS_A_RULE_ADDR_FAMILY:
				EXPECT_EQ(4, nla_len(b));
				EXPECT_EQ(idx == 0 ? AF_INET : idx == 1 ? 0 : AF_INET6,
					  (int)nla_get_u32(b));
				break;
			case CRS_A_RULE_ADDR:
				if (idx == 0) {
					ASSERT_EQ(4, nla_len(b));
					EXPECT_EQ(0, memcmp(v4, nla_data(b), 4));
				} else {
					ASSERT_EQ(16, nla_len(b));
					EXPECT_EQ(0, memcmp(v6, nla_data(b), 16));
				}
				break;
			case CRS_A_RULE_PREFIX_LEN:
				EXPECT_EQ(4, nla_len(b));
				EXPECT_EQ(idx == 0 ? 8u : 32u, nla_get_u32(b));
				break;
			case CRS_A_RULE_PORT_MIN:
				EXPECT_EQ(4, nla_len(b));
				EXPECT_EQ(idx == 0 ? 443u : idx == 1 ? 80u : 1000u, nla_get_u32(b));
				break;
			case CRS_A_RULE_PORT_MAX:
				EXPECT_EQ(4, nla_len(b));
				EXPECT_EQ(idx == 0 ? 443u : idx == 1 ? 80u : 2000u, nla_get_u32(b));
				break;
			}
			n++;
		}
		if (idx < 3)
			EXPECT_EQ(norder, n) TH_LOG("rule %d", idx);
		idx++;
	}
	EXPECT_EQ(4, idx);
	nlmsg_free(m);
	crs_policy_free(p);
}

/* The reply parser reads the network fields back. */
TEST(set_table_net_parsed_back)
{
	struct crs_policy *p = get_policy(_metadata, net_policy_json);
	struct crs_table_acc acc = { 0 };
	struct crs_rule_info *r;
	struct nl_msg *m;
	char buf[64];
	size_t i;
	int err;

	ASSERT_NE(NULL, p);
	m = crs_table_msg_build(FAMILY, CGID, p, &err);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, crs_table_msg_parse(nlmsg_hdr(m), &acc));
	ASSERT_EQ(1u, acc.n);
	ASSERT_EQ(4u, acc.tables[0].nrules);
	EXPECT_EQ(CRS_ACTION_DENY, (int)acc.tables[0].defaults[CRS_RULE_NETWORK]);
	for (i = 0; i < 3; i++) {
		const struct crs_policy_rule *pr = &p->rules[i];

		r = &acc.tables[0].rules[i];
		EXPECT_EQ(pr->type, r->type);
		EXPECT_EQ(pr->direction, r->direction);
		EXPECT_EQ(pr->protocol, r->protocol);
		EXPECT_EQ(pr->address.family, r->address.family);
		EXPECT_EQ(pr->address.prefix_len, r->address.prefix_len);
		EXPECT_EQ(0, memcmp(pr->address.addr, r->address.addr, 16));
		EXPECT_EQ(pr->port_min, r->port_min);
		EXPECT_EQ(pr->port_max, r->port_max);
		EXPECT_STREQ("", r->path);
		EXPECT_EQ(0u, r->access);
	}
	r = &acc.tables[0].rules[0];
	EXPECT_STREQ("10.0.0.0/8", crs_net_addr_str(&r->address, buf, sizeof(buf)));
	EXPECT_STREQ("/usr/bin/curl", r->program);
	EXPECT_STREQ("curl", r->name);
	r = &acc.tables[0].rules[2];
	EXPECT_STREQ("2001:db8::/32", crs_net_addr_str(&r->address, buf, sizeof(buf)));
	EXPECT_EQ(0u, r->flags);
	r = &acc.tables[0].rules[3];
	EXPECT_STREQ("/etc/shadow", r->path);
	EXPECT_EQ(0, r->address.family);
	EXPECT_EQ(0, r->port_max);
	crs_table_acc_free(&acc);
	nlmsg_free(m);
	crs_policy_free(p);
}

/* A GET_TABLE reply with one network rule nest, shaped by how. */
enum { NET_OK, NET_NO_PORTS, NET_ADDR5, NET_FAMILY_MISMATCH, NET_PORT_BIG, NET_PORT_U16,
       NET_NO_ADDR, NET_FAMILY_UNIX, NET_ANY_WITH_ADDR };

static struct nl_msg *net_reply(int how)
{
	struct nl_msg *m = genl_msg(CRS_CMD_GET_TABLE, 4096);
	static const uint8_t addr[16] = { 192, 0, 2, 0 };
	struct nlattr *rule;

	nla_put_u64(m, CRS_A_CGROUP_ID, CGID);
	nla_put_u64(m, CRS_A_TABLE_GENERATION, 1);
	rule = nla_nest_start(m, CRS_A_RULE);
	nla_put_u32(m, CRS_A_RULE_INDEX, 0);
	nla_put_u32(m, CRS_A_RULE_TYPE, CRS_RULE_NETWORK);
	nla_put_u32(m, CRS_A_RULE_ACTION, CRS_ACTION_DENY);
	nla_put_u32(m, CRS_A_RULE_FLAGS, CRS_RULE_F_ENABLED);
	nla_put_string(m, CRS_A_RULE_PROGRAM, "*");
	nla_put_u64(m, CRS_A_RULE_HITS, 5);
	nla_put_u32(m, CRS_A_RULE_DIRECTION, CRS_DIR_INBOUND);
	nla_put_u32(m, CRS_A_RULE_PROTOCOL, CRS_PROTO_UDP);
	nla_put_u32(m, CRS_A_RULE_ADDR_FAMILY, how == NET_FAMILY_MISMATCH ? AF_INET6 :
		    how == NET_FAMILY_UNIX ? AF_UNIX : how == NET_ANY_WITH_ADDR ? 0 : AF_INET);
	if (how != NET_NO_ADDR)
		nla_put(m, CRS_A_RULE_ADDR, how == NET_ADDR5 ? 5 : 4, addr);
	nla_put_u32(m, CRS_A_RULE_PREFIX_LEN, 24);
	if (how == NET_PORT_U16) {
		nla_put_u16(m, CRS_A_RULE_PORT_MIN, 53);
	} else if (how != NET_NO_PORTS) {
		nla_put_u32(m, CRS_A_RULE_PORT_MIN, 53);
		nla_put_u32(m, CRS_A_RULE_PORT_MAX, how == NET_PORT_BIG ? 65536 : 54);
	}
	nla_put_u32(m, 200, 1);		/* a newer attribute: ignored */
	nla_nest_end(m, rule);
	return m;
}

TEST(table_reply_net)
{
	struct crs_table_acc acc = { 0 };
	struct crs_rule_info *r;
	struct nl_msg *m;
	char buf[64];
	int how;

	m = net_reply(NET_OK);
	ASSERT_EQ(0, crs_table_msg_parse(nlmsg_hdr(m), &acc));
	ASSERT_EQ(1u, acc.tables[0].nrules);
	r = &acc.tables[0].rules[0];
	EXPECT_EQ(CRS_RULE_NETWORK, (int)r->type);
	EXPECT_EQ(CRS_DIR_INBOUND, (int)r->direction);
	EXPECT_EQ(CRS_PROTO_UDP, (int)r->protocol);
	EXPECT_STREQ("192.0.2.0/24", crs_net_addr_str(&r->address, buf, sizeof(buf)));
	EXPECT_EQ(53, r->port_min);
	EXPECT_EQ(54, r->port_max);
	EXPECT_EQ(5u, r->hits);
	crs_table_acc_free(&acc);
	nlmsg_free(m);

	/* without port attributes: the whole range (crs.h's defaults) */
	m = net_reply(NET_NO_PORTS);
	ASSERT_EQ(0, crs_table_msg_parse(nlmsg_hdr(m), &acc));
	r = &acc.tables[0].rules[0];
	EXPECT_EQ(0, r->port_min);
	EXPECT_EQ(65535, r->port_max);
	crs_table_acc_free(&acc);
	nlmsg_free(m);

	for (how = NET_ADDR5; how <= NET_ANY_WITH_ADDR; how++) {
		m = net_reply(how);
		EXPECT_EQ(-EBADMSG, crs_table_msg_parse(nlmsg_hdr(m), &acc)) TH_LOG("case %d", how);
		crs_table_acc_free(&acc);
		nlmsg_free(m);
	}
}

/* A network (or listener) event with the given addresses (NULL: absent). */
static struct nl_msg *net_event_msg(uint32_t type, int family, const void *local, int llen,
				    const void *remote, int rlen)
{
	struct nl_msg *m = genl_msg(CRS_CMD_EVENT, 8192);

	nla_put_u64(m, CRS_A_EVENT_SEQ, 11);
	nla_put_u64(m, CRS_A_EVENT_TIME_NS, 1714564800000000002ULL);
	nla_put_u64(m, CRS_A_EVENT_CGROUP_ID, 7);
	nla_put_u64(m, CRS_A_EVENT_TABLE_CGROUP_ID, 7);
	nla_put_u32(m, CRS_A_EVENT_PID, 200);
	nla_put_u32(m, CRS_A_EVENT_TID, 201);
	nla_put_u32(m, CRS_A_EVENT_UID, 0);
	nla_put_string(m, CRS_A_EVENT_PROGRAM, "/usr/bin/curl");
	nla_put_u32(m, CRS_A_EVENT_TYPE, type);
	nla_put_u32(m, CRS_A_EVENT_RULE_INDEX, 1);
	nla_put_u32(m, CRS_A_EVENT_DIRECTION, CRS_DIR_OUTBOUND);
	nla_put_u32(m, CRS_A_EVENT_PROTOCOL, CRS_PROTO_TCP);
	if (family >= 0)
		nla_put_u32(m, CRS_A_EVENT_FAMILY, family);
	if (local) {
		nla_put(m, CRS_A_EVENT_LOCAL_ADDR, llen, local);
		nla_put_u32(m, CRS_A_EVENT_LOCAL_PORT, 51234);
	}
	if (remote) {
		nla_put(m, CRS_A_EVENT_REMOTE_ADDR, rlen, remote);
		nla_put_u32(m, CRS_A_EVENT_REMOTE_PORT, 443);
	}
	nla_put_u32(m, CRS_A_EVENT_ACTION, CRS_ACTION_DENY);
	nla_put_u32(m, CRS_A_EVENT_VERDICT, CRS_ACTION_DENY);
	nla_put_u32(m, CRS_A_EVENT_MODE, CRS_MODE_ENFORCE);
	nla_put_u32(m, CRS_A_EVENT_FLAGS, 0);
	return m;
}

TEST(event_net_decode_and_json)
{
	static const uint8_t l4[4] = { 10, 0, 0, 5 }, r4[4] = { 93, 184, 216, 34 };
	static const uint8_t l6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t m6[16] = { [10] = 0xff, [11] = 0xff, 10, 0, 0, 5 };
	struct crs_event e;
	struct nl_msg *m;
	char *s;

	m = net_event_msg(CRS_RULE_NETWORK, AF_INET, l4, 4, r4, 4);
	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_EQ(CRS_RULE_NETWORK, (int)e.type);
	EXPECT_EQ(CRS_DIR_OUTBOUND, (int)e.direction);
	EXPECT_EQ(CRS_PROTO_TCP, (int)e.protocol);
	EXPECT_EQ(AF_INET, e.family);
	EXPECT_TRUE(e.has_local);
	EXPECT_TRUE(e.has_remote);
	EXPECT_EQ(0, memcmp(l4, e.local_addr, 4));
	EXPECT_EQ(0, memcmp(r4, e.remote_addr, 4));
	EXPECT_EQ(51234, e.local_port);
	EXPECT_EQ(443, e.remote_port);
	s = crs_event_to_json(&e);
	ASSERT_NE(NULL, s);
	EXPECT_STREQ("{\"seq\":11,\"time\":\"2024-05-01T12:00:00.000000002Z\","
		     "\"time_ns\":1714564800000000002,\"cgroup_id\":7,\"table_cgroup_id\":7,"
		     "\"pid\":200,\"tid\":201,\"uid\":0,\"program\":\"/usr/bin/curl\","
		     "\"type\":\"network\",\"rule_index\":1,\"rule_name\":null,"
		     "\"direction\":\"outbound\",\"protocol\":\"tcp\","
		     "\"local\":{\"address\":\"10.0.0.5\",\"port\":51234},"
		     "\"remote\":{\"address\":\"93.184.216.34\",\"port\":443},"
		     "\"action\":\"deny\",\"verdict\":\"deny\",\"mode\":\"enforce\","
		     "\"default\":false,\"truncated\":false}", s);
	free(s);
	nlmsg_free(m);

	/* a listener event: local end only, no direction; IPv6 */
	m = net_event_msg(CRS_RULE_LISTENER, AF_INET6, l6, 16, NULL, 0);
	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_EQ(AF_INET6, e.family);
	EXPECT_TRUE(e.has_local);
	EXPECT_FALSE(e.has_remote);
	s = crs_event_to_json(&e);
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "\"rule_name\":null,\"protocol\":\"tcp\","
			       "\"local\":{\"address\":\"2001:db8::1\",\"port\":51234},"
			       "\"remote\":null,\"action\":\"deny\",")) TH_LOG("%s", s);
	EXPECT_NULL(strstr(s, "\"path\"")) TH_LOG("%s", s);
	EXPECT_NULL(strstr(s, "\"direction\"")) TH_LOG("%s", s);
	free(s);
	nlmsg_free(m);

	/* no family attribute: taken from the addresses; a mapped address is IPv4 */
	m = net_event_msg(CRS_RULE_NETWORK, -1, m6, 16, r4, 4);
	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_EQ(AF_INET, e.family);
	EXPECT_EQ(0, memcmp(l4, e.local_addr, 4));
	nlmsg_free(m);

	/* IPv6 and IPv4 together: IPv6, the IPv4 end mapped */
	m = net_event_msg(CRS_RULE_NETWORK, AF_INET6, l6, 16, r4, 4);
	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_EQ(AF_INET6, e.family);
	s = crs_event_to_json(&e);
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "\"remote\":{\"address\":\"::ffff:93.184.216.34\",\"port\":443}"))
		TH_LOG("%s", s);
	free(s);
	nlmsg_free(m);

	/* no addresses at all: both ends null; the family as sent */
	m = net_event_msg(CRS_RULE_NETWORK, AF_INET, NULL, 0, NULL, 0);
	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_FALSE(e.has_local);
	EXPECT_FALSE(e.has_remote);
	EXPECT_EQ(AF_INET, e.family);
	s = crs_event_to_json(&e);
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "\"local\":null,\"remote\":null,")) TH_LOG("%s", s);
	free(s);
	nlmsg_free(m);

	/* malformed: an address of 3 bytes, a port beyond 65535 */
	m = net_event_msg(CRS_RULE_NETWORK, AF_INET, l4, 4, r4, 3);
	EXPECT_EQ(-EBADMSG, crs_event_msg_parse(nlmsg_hdr(m), &e));
	nlmsg_free(m);
	m = net_event_msg(CRS_RULE_NETWORK, AF_INET, l4, 4, NULL, 0);
	nla_put_u32(m, CRS_A_EVENT_REMOTE_PORT, 65536);
	EXPECT_EQ(-EBADMSG, crs_event_msg_parse(nlmsg_hdr(m), &e));
	nlmsg_free(m);
}

/* File and syscall events are unchanged by the network fields. */
TEST(event_file_has_no_net_fields)
{
	struct nl_msg *m = event_msg(false, "/usr/bin/cat", "/etc/shadow");
	struct crs_event e;
	char *s;

	ASSERT_EQ(0, crs_event_msg_parse(nlmsg_hdr(m), &e));
	EXPECT_FALSE(e.has_local);
	EXPECT_FALSE(e.has_remote);
	EXPECT_EQ(0, e.family);
	s = crs_event_to_json(&e);
	ASSERT_NE(NULL, s);
	EXPECT_NULL(strstr(s, "\"local\""));
	EXPECT_NULL(strstr(s, "\"protocol\""));
	free(s);
	nlmsg_free(m);
}

TEST_HARNESS_MAIN
