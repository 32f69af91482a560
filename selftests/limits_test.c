// SPDX-License-Identifier: GPL-2.0
/*
 * limits_test.c - CRS_MAX_RULES, CRS_MAX_GLOB_RULES and CRS_MAX_TABLES:
 * the limit itself is accepted, one more is refused with E2BIG / ENOSPC and
 * an extended-ack message, and the state in force is left as it was.
 *
 * The big tables are sent as raw requests (libmnl) so that the kernel's own
 * checks are what is tested, not a library's.
 */
#include "crs_rawnl.h"

FIXTURE(limits) {
	struct crs_sb sb;
	char secret[PATH_MAX], secret2[PATH_MAX];
	struct rawnl r;
	char *buf;
	size_t buflen;
};

FIXTURE_SETUP(limits)
{
	struct crs_policy p;

	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "secret", self->secret);
	sb_path(&self->sb, "secret2", self->secret2);
	ASSERT_EQ(0, write_file(self->secret, "s\n", 0644));
	ASSERT_EQ(0, write_file(self->secret2, "s2\n", 0644));
	/* the table in force: denies secret */
	pol_init(&p, "before", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_file(&p, "deny-secret", CRS_ACTION_DENY, self->secret, CRS_ACCESS_READ);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	ASSERT_EQ(0, rawnl_open(&self->r, true));
	self->buflen = 8 << 20;
	self->buf = calloc(1, self->buflen);
	ASSERT_NE(NULL, self->buf);
	ASSERT_EQ(0, rawnl_big(&self->r, 16 << 20));
}

FIXTURE_TEARDOWN(limits)
{
	rawnl_close(&self->r);
	free(self->buf);
	sb_teardown(&self->sb);
}

/*
 * A table of @n file rules; the last one denies reading @last (so that a
 * table taken whole is visible), the others are exact paths, or globs when
 * @globs.
 */
static int send_table(struct rawnl *r, char *buf, uint64_t cgid, uint32_t n, bool globs,
		      const char *last)
{
	struct nlmsghdr *nlh = rawnl_msg(r, buf, CRS_CMD_SET_TABLE);
	char path[64];
	uint32_t i;

	put_table_head(nlh, cgid, "limits", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	for (i = 0; i + 1 < n; i++) {
		snprintf(path, sizeof(path), globs ? "/crs-limit/%05u/*" : "/crs-limit/%05u", i);
		put_rule(nlh, i, CRS_RULE_FILE, CRS_ACTION_DENY, path, CRS_ACCESS_READ);
	}
	put_rule(nlh, n - 1, CRS_RULE_FILE, CRS_ACTION_DENY, last, CRS_ACCESS_READ);
	return rawnl_talk(r, nlh);
}

TEST_F_TIMEOUT(limits, max_rules, 180)
{
	char glob2[PATH_MAX];
	int ret;

	/* one rule too many: refused, the old table stays */
	ret = send_table(&self->r, self->buf, self->sb.cgid, CRS_MAX_RULES + 1, false,
			 self->secret2);
	EXPECT_EQ(-E2BIG, ret);
	EXPECT_NE(0, self->r.extack[0]);
	TH_LOG("%u rules: %s \"%s\"", CRS_MAX_RULES + 1, strerror(-ret), self->r.extack);
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret2, O_RDONLY, NULL));

	/* exactly the limit: taken, down to its last rule */
	ret = send_table(&self->r, self->buf, self->sb.cgid, CRS_MAX_RULES, false, self->secret2);
	ASSERT_EQ(0, ret) {
		TH_LOG("%u rules: %s \"%s\"", CRS_MAX_RULES, strerror(-ret), self->r.extack);
	}
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret2, O_RDONLY, NULL));

	/* and the full table is in turn left alone by a refused one */
	snprintf(glob2, sizeof(glob2), "%s/secret*", self->sb.dir);
	ret = send_table(&self->r, self->buf, self->sb.cgid, CRS_MAX_RULES + 1, false, glob2);
	EXPECT_EQ(-E2BIG, ret);
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret2, O_RDONLY, NULL));
}

TEST_F(limits, max_glob_rules)
{
	char glob2[PATH_MAX];
	int ret;

	snprintf(glob2, sizeof(glob2), "%s/secret2*", self->sb.dir);
	ret = send_table(&self->r, self->buf, self->sb.cgid, CRS_MAX_GLOB_RULES + 1, true, glob2);
	EXPECT_EQ(-E2BIG, ret);
	EXPECT_NE(0, self->r.extack[0]);
	TH_LOG("%u globs: %s \"%s\"", CRS_MAX_GLOB_RULES + 1, strerror(-ret), self->r.extack);
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret2, O_RDONLY, NULL));

	ret = send_table(&self->r, self->buf, self->sb.cgid, CRS_MAX_GLOB_RULES, true, glob2);
	ASSERT_EQ(0, ret) {
		TH_LOG("%u globs: %s \"%s\"", CRS_MAX_GLOB_RULES, strerror(-ret), self->r.extack);
	}
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret2, O_RDONLY, NULL));
}

/* Exact rules do not count against the glob limit. */
TEST_F(limits, globs_plus_exact)
{
	struct nlmsghdr *nlh = rawnl_msg(&self->r, self->buf, CRS_CMD_SET_TABLE);
	char path[64];
	uint32_t i, n = 0;
	int ret;

	put_table_head(nlh, self->sb.cgid, "globs-plus-exact", CRS_MODE_ENFORCE,
		       CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	for (i = 0; i < CRS_MAX_GLOB_RULES; i++) {
		snprintf(path, sizeof(path), "/crs-limit/%05u/*", i);
		put_rule(nlh, n++, CRS_RULE_FILE, CRS_ACTION_DENY, path, CRS_ACCESS_READ);
	}
	for (i = 0; i < 64; i++) {
		snprintf(path, sizeof(path), "/crs-limit/exact/%05u", i);
		put_rule(nlh, n++, CRS_RULE_FILE, CRS_ACTION_DENY, path, CRS_ACCESS_READ);
		snprintf(path, sizeof(path), "/crs-limit/subtree/%05u/**", i);
		put_rule(nlh, n++, CRS_RULE_FILE, CRS_ACTION_DENY, path, CRS_ACCESS_READ);
	}
	ret = rawnl_talk(&self->r, nlh);
	EXPECT_EQ(0, ret) {
		TH_LOG("%s \"%s\"", strerror(-ret), self->r.extack);
	}
}

/* ------------------------------------------------------------------ tables */

FIXTURE(max_tables) {
	struct crs_sb sb;
	struct crs_nl *nl;
	char (*paths)[64];
	uint64_t *ids;
	int n;		/* cgroups made */
	bool *loaded;
};

FIXTURE_SETUP(max_tables)
{
	sb_setup(_metadata, &self->sb);
	self->paths = calloc(CRS_MAX_TABLES + 2, sizeof(*self->paths));
	self->ids = calloc(CRS_MAX_TABLES + 2, sizeof(*self->ids));
	self->loaded = calloc(CRS_MAX_TABLES + 2, sizeof(*self->loaded));
	ASSERT_NE(NULL, self->paths);
	ASSERT_NE(NULL, self->ids);
	ASSERT_NE(NULL, self->loaded);
}

FIXTURE_TEARDOWN(max_tables)
{
	int i;

	for (i = self->n - 1; i >= 0; i--) {
		if (self->loaded[i])
			crs_nl_del_table(self->sb.nl, self->ids[i], NULL);
		rmdir(self->paths[i]);
	}
	free(self->paths);
	free(self->ids);
	free(self->loaded);
	sb_teardown(&self->sb);
}

static int mk_table_cg(struct crs_sb *sb, char (*paths)[64], uint64_t *ids, int i)
{
	snprintf(paths[i], 64, "%s/t%04d", sb->cg, i);
	if (mkdir(paths[i], 0755))
		return -errno;
	return crs_cgroup_id(paths[i], &ids[i]);
}

TEST_F_TIMEOUT(max_tables, enospc, 1200)
{
	struct crs_status st;
	struct crs_err err = {0};
	struct crs_policy p;
	uint64_t start = now_ms();
	int need, i, ret;

	memset(&st, 0, sizeof(st));
	ASSERT_EQ(0, crs_nl_get_status(self->sb.nl, &st, &err));
	ASSERT_EQ(CRS_MAX_TABLES, st.max_tables);
	need = st.max_tables - st.tables;
	TH_LOG("%u tables loaded; making %d more", st.tables, need);
	pol_init(&p, "many", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);

	for (i = 0; i < need; i++) {
		ret = mk_table_cg(&self->sb, self->paths, self->ids, i);
		if (ret == -ENOMEM || ret == -ENOSPC) {
			pol_release(&p);
			SKIP(return, "cannot make %d cgroups in this guest: %s", need,
			     strerror(-ret));
		}
		ASSERT_EQ(0, ret) {
			TH_LOG("cgroup %d: %s", i, strerror(-ret));
		}
		self->n = i + 1;
		ret = crs_nl_set_table(self->sb.nl, self->ids[i], &p, &err);
		ASSERT_EQ(0, ret) {
			TH_LOG("table %d: %s (%s)", i, strerror(-ret), err.msg);
		}
		self->loaded[i] = true;
		if (i == 99 && now_ms() - start > 30000) {
			pol_release(&p);
			SKIP(return, "too slow here: 100 cgroups with tables took %llu ms",
			     (unsigned long long)(now_ms() - start));
		}
	}
	TH_LOG("%d cgroups with tables in %llu ms", need, (unsigned long long)(now_ms() - start));

	/* one more table: no room */
	ASSERT_EQ(0, mk_table_cg(&self->sb, self->paths, self->ids, need));
	self->n = need + 1;
	memset(&err, 0, sizeof(err));
	ret = crs_nl_set_table(self->sb.nl, self->ids[need], &p, &err);
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_NE(0, err.msg[0]);
	TH_LOG("table %d: %s (%s)", CRS_MAX_TABLES + 1, strerror(-ret), err.msg);

	/* replacing a table is not a new one */
	EXPECT_EQ(0, crs_nl_set_table(self->sb.nl, self->ids[0], &p, &err));
	memset(&st, 0, sizeof(st));
	ASSERT_EQ(0, crs_nl_get_status(self->sb.nl, &st, &err));
	EXPECT_EQ(CRS_MAX_TABLES, st.tables);

	/* and deleting one makes room */
	ASSERT_EQ(0, crs_nl_del_table(self->sb.nl, self->ids[0], &err));
	self->loaded[0] = false;
	EXPECT_EQ(0, crs_nl_set_table(self->sb.nl, self->ids[need], &p, &err));
	self->loaded[need] = true;
	pol_release(&p);
}

CRS_SELFTEST_MAIN
