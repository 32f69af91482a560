// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host unit tests of learned sets in libcrsnl: GET_LEARNED replies built
 * here as crs.h says the kernel builds them (a header in every message,
 * observations appended across messages), the profile JSON, the names, and
 * the learning flag in SET_TABLE.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include "kselftest_harness.h"
#include "crsnl_int.h"

#define FAMILY	0x1d
#define CGID	4242ULL

static struct nl_msg *learned_msg(uint64_t gen, uint32_t records)
{
	struct nl_msg *m = nlmsg_alloc_size(16384);
	struct nlattr *n;

	if (!m || !genlmsg_put(m, 0, 1, FAMILY, 0, 0, CRS_CMD_GET_LEARNED, CRS_GENL_VERSION))
		abort();
	nla_put_u64(m, CRS_A_CGROUP_ID, CGID);
	n = nla_nest_start(m, CRS_A_LEARN);
	nla_put_u32(m, CRS_A_LEARN_STATE, CRS_LEARN_STATE_RECORDING);
	nla_put_u64(m, CRS_A_LEARN_EPOCH, 1700000000000000000ULL);
	nla_put_u64(m, CRS_A_LEARN_GENERATION, gen);
	nla_put_u32(m, CRS_A_LEARN_RECORDS, records);
	nla_put_u32(m, CRS_A_LEARN_RECORDS_MAX, 16384);
	nla_put_u32(m, CRS_A_LEARN_BYTES, 1835008);
	nla_put_u64(m, CRS_A_LEARN_DROPPED_FULL, 0);
	nla_put_u64(m, CRS_A_LEARN_DROPPED_LONG, 0);
	nla_nest_end(m, n);
	return m;
}

static void put_obs(struct nl_msg *m, uint32_t index, uint32_t type, const char *prog,
		    const char *path, uint32_t access, uint32_t outcome)
{
	struct nlattr *n = nla_nest_start(m, CRS_A_OBS);

	nla_put_u32(m, CRS_A_OBS_INDEX, index);
	nla_put_u32(m, CRS_A_OBS_TYPE, type);
	if (prog)
		nla_put_string(m, CRS_A_OBS_PROGRAM, prog);
	if (path)
		nla_put_string(m, CRS_A_OBS_PATH, path);
	nla_put_u32(m, CRS_A_OBS_ACCESS, access);
	nla_put_u32(m, CRS_A_OBS_OUTCOME, outcome);
	nla_nest_end(m, n);
}

TEST(dump_two_messages_and_json)
{
	struct crs_learned *l = calloc(1, sizeof(*l));
	struct nl_msg *m1 = learned_msg(7, 4), *m2 = learned_msg(9, 5);
	uint64_t epoch = 0;
	char *json;

	ASSERT_NE(NULL, l);
	put_obs(m1, 1, CRS_RULE_FILE, "/usr/bin/app", "/etc/app.conf", CRS_ACCESS_READ,
		CRS_OBS_ALLOWED);
	put_obs(m1, 2, CRS_RULE_FILE, "/usr/bin/app", "/var/lib/app/db",
		CRS_ACCESS_READ | CRS_ACCESS_WRITE, CRS_OBS_ALLOWED | CRS_OBS_DENIED);
	put_obs(m2, 3, CRS_RULE_EXECUTE, "/usr/bin/app", "/bin/sh", CRS_ACCESS_EXEC,
		CRS_OBS_DENIED);
	ASSERT_EQ(0, crs_learned_msg_parse(nlmsg_hdr(m1), l, &epoch));
	ASSERT_EQ(0, crs_learned_msg_parse(nlmsg_hdr(m2), l, &epoch));
	EXPECT_EQ(1700000000000000000ULL, epoch);
	EXPECT_EQ(CGID, l->cgroup_id);
	ASSERT_EQ(3u, l->n);
	/* the first message's generation, the last message's counts */
	EXPECT_EQ(7u, l->info.generation);
	EXPECT_EQ(5u, l->info.records);
	EXPECT_EQ((int)CRS_RULE_EXECUTE, (int)l->obs[2].type);
	EXPECT_STREQ("/bin/sh", l->obs[2].path);
	json = crs_learned_to_json(l, false);
	ASSERT_NE(NULL, json);
	EXPECT_STREQ("{\"version\":1,\"cgroup_id\":4242,\"epoch\":1700000000000000000,"
		     "\"generation\":7,\"state\":\"recording\",\"max\":16384,\"records\":5,"
		     "\"dropped\":{\"full\":0,\"long\":0},\"complete\":true,\"observations\":["
		     "{\"type\":\"file\",\"program\":\"/usr/bin/app\",\"outcome\":\"allowed\","
		     "\"path\":\"/etc/app.conf\",\"access\":\"read\"},"
		     "{\"type\":\"file\",\"program\":\"/usr/bin/app\",\"outcome\":\"allowed,denied\","
		     "\"path\":\"/var/lib/app/db\",\"access\":\"read,write\"},"
		     "{\"type\":\"execute\",\"program\":\"/usr/bin/app\",\"outcome\":\"denied\","
		     "\"path\":\"/bin/sh\"}]}", json);
	free(json);
	crs_learned_free(l);
	nlmsg_free(m1);
	nlmsg_free(m2);
}

TEST(empty_set_and_incomplete)
{
	struct crs_learned l = { 0 };
	char *json;

	l.cgroup_id = 1;
	l.info.state = CRS_LEARN_STATE_FULL;
	l.info.max = 64;
	l.info.records = 64;
	l.info.dropped_full = 37;
	json = crs_learned_to_json(&l, false);
	ASSERT_NE(NULL, json);
	EXPECT_STREQ("{\"version\":1,\"cgroup_id\":1,\"epoch\":0,\"generation\":0,"
		     "\"state\":\"full\",\"max\":64,\"records\":64,"
		     "\"dropped\":{\"full\":37,\"long\":0},\"complete\":false,"
		     "\"observations\":[]}", json);
	free(json);
}

TEST(observation_without_path_is_malformed)
{
	struct crs_learned *l = calloc(1, sizeof(*l));
	struct nl_msg *m = learned_msg(1, 2);
	uint64_t epoch;

	ASSERT_NE(NULL, l);
	put_obs(m, 1, CRS_RULE_FILE, "/p", NULL, CRS_ACCESS_READ, CRS_OBS_ALLOWED);
	EXPECT_EQ(-EBADMSG, crs_learned_msg_parse(nlmsg_hdr(m), l, &epoch));
	EXPECT_EQ(0u, l->n);
	crs_learned_free(l);
	nlmsg_free(m);
}

TEST(names)
{
	uint32_t v = 99;
	char buf[16];

	EXPECT_EQ(0, crs_learn_parse("on", &v));
	EXPECT_EQ((uint32_t)CRS_LEARN_ON, v);
	EXPECT_EQ(0, crs_learn_parse("policy", &v));
	EXPECT_EQ((uint32_t)CRS_LEARN_POLICY, v);
	EXPECT_EQ(0, crs_learn_parse("off", &v));
	EXPECT_EQ((uint32_t)CRS_LEARN_OFF, v);
	EXPECT_EQ(-EINVAL, crs_learn_parse("maybe", &v));
	EXPECT_STREQ("idle", crs_learn_state_name(CRS_LEARN_STATE_IDLE));
	EXPECT_EQ(NULL, crs_learn_state_name(42));
	EXPECT_STREQ("0x4", crs_outcome_str(4, buf, sizeof(buf)));
	EXPECT_STREQ("none", crs_outcome_str(0, buf, sizeof(buf)));
}

/* "learning": true in a policy becomes CRS_TABLE_F_LEARN; false sends no flags. */
TEST(policy_learning_flag)
{
	static const char json[] = "{\"name\":\"l\",\"mode\":\"monitor\",\"learning\":%s,"
				   "\"rules\":[]}";
	int k;

	for (k = 0; k < 2; k++) {
		struct crs_policy *p = NULL;
		struct crs_err err;
		struct nl_msg *m;
		struct nlattr *a;
		char text[256];
		int e;

		snprintf(text, sizeof(text), json, k ? "true" : "false");
		ASSERT_EQ(0, crs_policy_parse(text, strlen(text), &p, &err)) {
			TH_LOG("%s", err.msg);
		}
		m = crs_table_msg_build(FAMILY, CGID, p, &e);
		ASSERT_NE(NULL, m);
		EXPECT_EQ(crs_table_msg_size(p), nlmsg_hdr(m)->nlmsg_len);
		a = nlmsg_find_attr(nlmsg_hdr(m), GENL_HDRLEN, CRS_A_TABLE_FLAGS);
		if (k) {
			ASSERT_NE(NULL, a);
			EXPECT_EQ((uint32_t)CRS_TABLE_F_LEARN, nla_get_u32(a));
		} else {
			EXPECT_EQ(NULL, a);
		}
		nlmsg_free(m);
		crs_policy_free(p);
	}
}

TEST_HARNESS_MAIN
