// SPDX-License-Identifier: GPL-2.0
/*
 * control_test.c - the control plane: who may talk to the family (root in
 * the initial namespaces only), and what happens to malformed requests
 * crafted byte by byte: each is refused with the exact errno and an
 * extended-ack message, the table in force stays as it was, and the module
 * keeps working.
 */
#include <grp.h>
#include <sched.h>

#include "crs_rawnl.h"

/* ------------------------------------------------------------- baseline */

TEST(family_and_status)
{
	struct crs_status st;
	struct crs_err err = {0};
	struct crs_nl *nl;
	struct rawnl r;
	size_t i;
	int ret;

	ASSERT_EQ(0, rawnl_open(&r, true));
	EXPECT_NE(0, r.family);
	EXPECT_NE(0, r.events_grp);
	EXPECT_NE(0, r.learn_grp);
	EXPECT_NE(r.events_grp, r.learn_grp);
	rawnl_close(&r);

	ret = crs_nl_open(&nl, &err);
	ASSERT_EQ(0, ret) {
		TH_LOG("crs_nl_open: %s (%s)", strerror(-ret), err.msg);
	}
	memset(&st, 0, sizeof(st));
	ASSERT_EQ(0, crs_nl_get_status(nl, &st, &err));
	EXPECT_NE(0, st.version[0]);
	EXPECT_EQ(CRS_ABI_VERSION, st.abi);
	EXPECT_EQ(CRS_MAX_TABLES, st.max_tables);
	EXPECT_EQ(CRS_MAX_RULES, st.max_rules);
	EXPECT_EQ(CRS_MAX_GLOB_RULES, st.max_glob_rules);
	EXPECT_EQ(CRS_PATTERN_MAX, st.pattern_max);
	EXPECT_EQ(CRS_MAX_LEARN_TOTAL, st.max_learn_total);
	EXPECT_LT(0, st.n_probes);
	for (i = 0; i < st.n_probes; i++) {
		EXPECT_NE(0, st.probes[i].symbol[0]);
		TH_LOG("probe %s missed %llu ftrace %d", st.probes[i].symbol,
		       (unsigned long long)st.probes[i].missed, st.probes[i].ftrace);
	}
	crs_nl_close(nl);
}

/* ----------------------------------------------------------- privileges */

enum { NCMDS = 10 };

struct priv_result {
	int setup;		/* 0, or why the child could not run the checks */
	int resolve;		/* resolving the family: allowed to anyone */
	int cmd[NCMDS];		/* raw requests */
	int join;		/* joining the events group */
	int join_learn;		/* joining the learn (hints) group */
	int lib_open;		/* crs_nl_open */
	int lib[5];		/* crs_nl_* (only if lib_open == 0) */
	int lib_events;		/* crs_events_open */
	int lib_hints;		/* crs_hints_open */
};

static const char *const cmd_names[NCMDS] = {
	"GET_STATUS", "GET_TABLE dump", "GET_TABLE", "SET_TABLE", "DEL_TABLE",
	"SET_CONTAINER", "GET_LEARNED", "DEL_LEARNED", "LEARN_HINT", "unknown command 200",
};

/* Every command, as well-formed as root would send it. */
static void try_commands(struct rawnl *r, uint64_t cgid, int *res)
{
	static char buf[8192];
	struct nlmsghdr *nlh;

	nlh = rawnl_msg(r, buf, CRS_CMD_GET_STATUS);
	res[0] = rawnl_talk(r, nlh);
	nlh = rawnl_msg(r, buf, CRS_CMD_GET_TABLE);
	nlh->nlmsg_flags |= NLM_F_DUMP;
	res[1] = rawnl_talk(r, nlh);
	nlh = rawnl_msg(r, buf, CRS_CMD_GET_TABLE);
	mnl_attr_put_u64(nlh, CRS_A_CGROUP_ID, cgid);
	res[2] = rawnl_talk(r, nlh);
	nlh = rawnl_msg(r, buf, CRS_CMD_SET_TABLE);
	put_table_head(nlh, cgid, "intruder", CRS_MODE_DISABLED, CRS_ACTION_ALLOW,
		       CRS_ACTION_ALLOW);
	res[3] = rawnl_talk(r, nlh);
	nlh = rawnl_msg(r, buf, CRS_CMD_DEL_TABLE);
	mnl_attr_put_u64(nlh, CRS_A_CGROUP_ID, cgid);
	res[4] = rawnl_talk(r, nlh);
	nlh = rawnl_msg(r, buf, CRS_CMD_SET_CONTAINER);
	mnl_attr_put_u64(nlh, CRS_A_CGROUP_ID, cgid);
	mnl_attr_put_u32(nlh, CRS_A_CONTAINER_MODE, CRS_MODE_DISABLED);
	res[5] = rawnl_talk(r, nlh);
	nlh = rawnl_msg(r, buf, CRS_CMD_GET_LEARNED);
	nlh->nlmsg_flags |= NLM_F_DUMP;
	mnl_attr_put_u64(nlh, CRS_A_CGROUP_ID, cgid);
	res[6] = rawnl_talk(r, nlh);
	nlh = rawnl_msg(r, buf, CRS_CMD_DEL_LEARNED);
	mnl_attr_put_u64(nlh, CRS_A_CGROUP_ID, cgid);
	res[7] = rawnl_talk(r, nlh);
	nlh = rawnl_msg(r, buf, CRS_CMD_LEARN_HINT);
	mnl_attr_put_u64(nlh, CRS_A_CGROUP_ID, cgid);
	res[8] = rawnl_talk(r, nlh);
	nlh = rawnl_msg(r, buf, 200);
	res[9] = rawnl_talk(r, nlh);
}

enum priv_kind { PRIV_NOBODY, PRIV_USERNS };

static void priv_child(struct priv_result *res, enum priv_kind kind, uint64_t cgid)
{
	struct crs_policy p;
	struct crs_table_info *t = NULL;
	struct crs_status st;
	struct crs_err err;
	struct crs_events *ev = NULL;
	struct crs_nl *nl = NULL;
	struct rawnl r;
	size_t n;

	if (kind == PRIV_NOBODY) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
			res->setup = errno;
			return;
		}
	} else {
		if (unshare(CLONE_NEWUSER)) {
			res->setup = errno;
			return;
		}
	}
	res->resolve = rawnl_open(&r, true);
	if (res->resolve)
		return;
	try_commands(&r, cgid, res->cmd);
	res->join = rawnl_join_events(&r);
	res->join_learn = rawnl_join(&r, r.learn_grp);
	rawnl_close(&r);

	res->lib_open = crs_nl_open(&nl, &err);
	if (!res->lib_open) {
		res->lib[0] = crs_nl_get_status(nl, &st, &err);
		res->lib[1] = crs_nl_get_tables(nl, 0, &t, &n, &err);
		res->lib[2] = crs_nl_del_table(nl, cgid, &err);
		res->lib[3] = crs_nl_set_container(nl, cgid, CRS_MODE_DISABLED, -1, &err);
		pol_init(&p, "intruder", CRS_MODE_DISABLED, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
		res->lib[4] = crs_nl_set_table(nl, cgid, &p, &err);
		crs_nl_close(nl);
	}
	res->lib_events = crs_events_open(&ev, &err);
	if (!res->lib_events)
		crs_events_close(ev);
	res->lib_hints = crs_hints_open(&ev, &err);
	if (!res->lib_hints)
		crs_events_close(ev);
}

FIXTURE(priv) {
	struct crs_sb sb;
	char secret[PATH_MAX];
	struct priv_result *res;
};

FIXTURE_VARIANT(priv) {
	enum priv_kind kind;
};

/* an unprivileged user */
FIXTURE_VARIANT_ADD(priv, nobody) { .kind = PRIV_NOBODY };
/* root of a new user namespace: no CAP_NET_ADMIN in the initial one */
FIXTURE_VARIANT_ADD(priv, userns_root) { .kind = PRIV_USERNS };

FIXTURE_SETUP(priv)
{
	struct crs_policy p;

	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "secret", self->secret);
	ASSERT_EQ(0, write_file(self->secret, "s\n", 0644));
	pol_init(&p, "priv", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_file(&p, "deny-secret", CRS_ACTION_DENY, self->secret, CRS_ACCESS_READ);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	self->res = mmap(NULL, sizeof(*self->res), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->res);
	memset(self->res, 0, sizeof(*self->res));
}

FIXTURE_TEARDOWN(priv)
{
	if (self->res && self->res != MAP_FAILED)
		munmap(self->res, sizeof(*self->res));
	sb_teardown(&self->sb);
}

TEST_F(priv, every_command_eperm)
{
	struct priv_result *res = self->res;
	struct rawnl r;
	int i, status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		priv_child(res, variant->kind, self->sb.cgid);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	if (variant->kind == PRIV_USERNS && (res->setup == EPERM || res->setup == EINVAL ||
					     res->setup == ENOSPC))
		SKIP(return, "cannot create a user namespace: %s", strerror(res->setup));
	ASSERT_EQ(0, res->setup);
	/* the family itself is visible to anyone */
	ASSERT_EQ(0, res->resolve);
	for (i = 0; i < NCMDS - 1; i++) {
		EXPECT_EQ(-EPERM, res->cmd[i]) {
			TH_LOG("%s: %s", cmd_names[i], strerror(-res->cmd[i]));
		}
	}
	/* an unknown command is unknown before it is forbidden */
	EXPECT_EQ(-EOPNOTSUPP, res->cmd[NCMDS - 1]);
	EXPECT_EQ(-EPERM, res->join);
	EXPECT_EQ(-EPERM, res->join_learn);
	/* libcrsnl passes the refusal through */
	if (res->lib_open) {
		EXPECT_EQ(-EPERM, res->lib_open);
	} else {
		for (i = 0; i < 5; i++) {
			EXPECT_EQ(-EPERM, res->lib[i]);
		}
	}
	EXPECT_EQ(-EPERM, res->lib_events);
	EXPECT_EQ(-EPERM, res->lib_hints);

	/* nothing changed: the table is there and enforcing */
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));

	/* and root may do the same (the checks above can fail) */
	ASSERT_EQ(0, rawnl_open(&r, true));
	EXPECT_EQ(0, rawnl_join_events(&r));
	EXPECT_EQ(0, rawnl_join(&r, r.learn_grp));
	rawnl_close(&r);
}

/* The family exists in the initial network namespace only. */
TEST(other_netns_no_family)
{
	struct { int setup, resolve, direct, lib, events; } *res;
	struct rawnl r;
	uint16_t family;
	int status;
	pid_t pid;

	ASSERT_EQ(0, rawnl_open(&r, true));
	family = r.family;
	rawnl_close(&r);
	res = mmap(NULL, sizeof(*res), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, res);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static char buf[4096];
		struct crs_err err;
		struct crs_nl *nl;
		struct crs_events *ev;

		if (unshare(CLONE_NEWNET)) {
			res->setup = errno;
			_exit(0);
		}
		res->resolve = rawnl_open(&r, true);
		rawnl_close(&r);
		/* the id from the initial namespace does not reach it either */
		if (rawnl_open(&r, false)) {
			res->setup = 999;
			_exit(0);
		}
		r.family = family;
		res->direct = rawnl_talk(&r, rawnl_msg(&r, buf, CRS_CMD_GET_STATUS));
		rawnl_close(&r);
		res->lib = crs_nl_open(&nl, &err);
		if (!res->lib)
			crs_nl_close(nl);
		res->events = crs_events_open(&ev, &err);
		if (!res->events)
			crs_events_close(ev);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, status);
	if (res->setup == EPERM || res->setup == EINVAL)
		SKIP(return, "cannot create a network namespace");
	ASSERT_EQ(0, res->setup);
	EXPECT_EQ(-ENOENT, res->resolve);
	EXPECT_EQ(-ENOENT, res->direct);
	EXPECT_EQ(-ENOENT, res->lib);
	EXPECT_EQ(-ENOENT, res->events);
	munmap(res, sizeof(*res));
}

/* -------------------------------------------------------------- malformed */

enum defect {
	D_NONE,
	D_NO_CGROUP, D_CGROUP_U32, D_CGROUP_UNKNOWN,
	D_NO_MODE, D_NO_DEFAULTS, D_MODE_7, D_MODE_POLICY, D_MODE_U64, D_MODE_STRING,
	D_DEFAULT_9, D_DEFAULTS_NOT_NESTED, D_DEFAULTS_DEEP_NEST, D_TABLE_FLAGS,
	D_NAME_NO_NUL, D_NAME_LONG, D_NAME_MAX,
	D_UNKNOWN_ATTR, D_UNKNOWN_ATTR_HIGH, D_TRUNCATED,
	D_RULE_NOT_NESTED, D_RULE_UNKNOWN_ATTR, D_RULE_TYPE_42, D_RULE_ACTION_9,
	D_RULE_FLAGS_UNKNOWN, D_RULE_ACCESS_UNKNOWN, D_RULE_NO_TYPE, D_RULE_NO_ACTION,
	D_RULE_NO_PATH, D_RULE_PATH_NO_NUL, D_RULE_PATH_LONG, D_RULE_PATH_MAX,
	D_RULE_PROGRAM_LONG, D_RULE_NAME_LONG, D_RULE_PROGRAM_NESTED, D_RULE_DEEP_NEST,
	D_PATTERN,		/* variant->pattern as the rule's path */
	D_PROGRAM,		/* variant->pattern as the rule's program */
	/* other commands */
	D_DEL_NO_CGROUP, D_DEL_CGROUP_U32,
	D_CONTAINER_MODE_7, D_CONTAINER_LOG_UNKNOWN, D_CONTAINER_NO_CGROUP,
	D_GET_CGROUP_U32,
	D_CONTAINER_LEARN_7, D_CONTAINER_LEARN_MAX_10, D_CONTAINER_LEARN_MAX_HUGE,
	D_TABLE_LEARN_MAX_10, D_LEARNED_NO_CGROUP, D_LEARNED_NO_SET,
	D_EMPTY,		/* just the command */
};

FIXTURE(malformed) {
	struct crs_sb sb;
	char secret[PATH_MAX];
	struct rawnl r;
	char *buf;
};

FIXTURE_VARIANT(malformed) {
	uint8_t cmd;
	enum defect defect;
	const char *pattern;
	int expect;		/* errno of the ack, 0 = accepted */
};

#define MF(name, _cmd, _defect, _expect)					\
	FIXTURE_VARIANT_ADD(malformed, name) {					\
		.cmd = _cmd, .defect = _defect, .expect = _expect,		\
	}
#define MF_PAT(name, _defect, _pattern)						\
	FIXTURE_VARIANT_ADD(malformed, name) {					\
		.cmd = CRS_CMD_SET_TABLE, .defect = _defect, .pattern = _pattern,	\
		.expect = EINVAL,						\
	}

/* the baselines: the same builders without a defect are accepted */
MF(valid, CRS_CMD_SET_TABLE, D_NONE, 0);
MF(valid_name_max, CRS_CMD_SET_TABLE, D_NAME_MAX, 0);
MF(valid_path_max, CRS_CMD_SET_TABLE, D_RULE_PATH_MAX, 0);
FIXTURE_VARIANT_ADD(malformed, valid_glob) {
	.cmd = CRS_CMD_SET_TABLE, .defect = D_PATTERN, .pattern = "/crs-malformed/*/x*/**",
};

MF(missing_cgroup_id, CRS_CMD_SET_TABLE, D_NO_CGROUP, EINVAL);
MF(cgroup_id_u32, CRS_CMD_SET_TABLE, D_CGROUP_U32, EINVAL);
MF(cgroup_id_unknown, CRS_CMD_SET_TABLE, D_CGROUP_UNKNOWN, ENOENT);
MF(missing_mode, CRS_CMD_SET_TABLE, D_NO_MODE, EINVAL);
MF(missing_defaults, CRS_CMD_SET_TABLE, D_NO_DEFAULTS, EINVAL);
MF(mode_7, CRS_CMD_SET_TABLE, D_MODE_7, EINVAL);
MF(mode_policy_on_table, CRS_CMD_SET_TABLE, D_MODE_POLICY, EINVAL);
MF(mode_u64, CRS_CMD_SET_TABLE, D_MODE_U64, EINVAL);
MF(mode_string, CRS_CMD_SET_TABLE, D_MODE_STRING, EINVAL);
MF(default_action_9, CRS_CMD_SET_TABLE, D_DEFAULT_9, EINVAL);
MF(defaults_not_nested, CRS_CMD_SET_TABLE, D_DEFAULTS_NOT_NESTED, EINVAL);
MF(defaults_deep_nest, CRS_CMD_SET_TABLE, D_DEFAULTS_DEEP_NEST, EINVAL);
MF(table_flags_unknown, CRS_CMD_SET_TABLE, D_TABLE_FLAGS, EINVAL);
MF(name_without_nul, CRS_CMD_SET_TABLE, D_NAME_NO_NUL, EINVAL);
MF(name_too_long, CRS_CMD_SET_TABLE, D_NAME_LONG, EINVAL);
MF(unknown_attr, CRS_CMD_SET_TABLE, D_UNKNOWN_ATTR, EINVAL);
MF(unknown_attr_high, CRS_CMD_SET_TABLE, D_UNKNOWN_ATTR_HIGH, EINVAL);
MF(truncated_attr, CRS_CMD_SET_TABLE, D_TRUNCATED, EINVAL);
MF(rule_not_nested, CRS_CMD_SET_TABLE, D_RULE_NOT_NESTED, EINVAL);
MF(rule_unknown_attr, CRS_CMD_SET_TABLE, D_RULE_UNKNOWN_ATTR, EINVAL);
MF(rule_type_42, CRS_CMD_SET_TABLE, D_RULE_TYPE_42, EINVAL);
MF(rule_action_9, CRS_CMD_SET_TABLE, D_RULE_ACTION_9, EINVAL);
MF(rule_flags_unknown, CRS_CMD_SET_TABLE, D_RULE_FLAGS_UNKNOWN, EINVAL);
MF(rule_access_unknown, CRS_CMD_SET_TABLE, D_RULE_ACCESS_UNKNOWN, EINVAL);
MF(rule_missing_type, CRS_CMD_SET_TABLE, D_RULE_NO_TYPE, EINVAL);
MF(rule_missing_action, CRS_CMD_SET_TABLE, D_RULE_NO_ACTION, EINVAL);
MF(rule_missing_path, CRS_CMD_SET_TABLE, D_RULE_NO_PATH, EINVAL);
MF(rule_path_without_nul, CRS_CMD_SET_TABLE, D_RULE_PATH_NO_NUL, EINVAL);
MF(rule_path_too_long, CRS_CMD_SET_TABLE, D_RULE_PATH_LONG, EINVAL);
MF(rule_program_too_long, CRS_CMD_SET_TABLE, D_RULE_PROGRAM_LONG, EINVAL);
MF(rule_name_too_long, CRS_CMD_SET_TABLE, D_RULE_NAME_LONG, EINVAL);
MF(rule_program_nested, CRS_CMD_SET_TABLE, D_RULE_PROGRAM_NESTED, EINVAL);
MF(rule_deep_nest, CRS_CMD_SET_TABLE, D_RULE_DEEP_NEST, EINVAL);
MF_PAT(pattern_relative, D_PATTERN, "relative");
MF_PAT(pattern_double_slash, D_PATTERN, "/a//b");
MF_PAT(pattern_dotdot, D_PATTERN, "/a/../b");
MF_PAT(pattern_dot, D_PATTERN, "/a/./b");
MF_PAT(pattern_trailing_slash, D_PATTERN, "/a/b/");
MF_PAT(pattern_empty, D_PATTERN, "");
MF_PAT(pattern_starstar_first, D_PATTERN, "/**/x");
MF_PAT(pattern_starstar_middle, D_PATTERN, "/a/**/b");
MF_PAT(pattern_starstar_in_component, D_PATTERN, "/a**");
MF_PAT(program_relative, D_PROGRAM, "bin/sh");
MF_PAT(program_double_slash, D_PROGRAM, "/usr//bin/sh");

/* the other commands: EVENT is known, and refused as a request */
MF(event_as_request, CRS_CMD_EVENT, D_NONE, EINVAL);
MF(learn_hint_as_request, CRS_CMD_LEARN_HINT, D_NONE, EINVAL);
MF(unspec_command, CRS_CMD_UNSPEC, D_EMPTY, EOPNOTSUPP);
MF(unknown_command, 200, D_EMPTY, EOPNOTSUPP);
MF(command_past_max, CRS_CMD_MAX + 1, D_NONE, EOPNOTSUPP);
MF(del_missing_cgroup_id, CRS_CMD_DEL_TABLE, D_DEL_NO_CGROUP, EINVAL);
MF(del_cgroup_id_u32, CRS_CMD_DEL_TABLE, D_DEL_CGROUP_U32, EINVAL);
MF(set_table_empty, CRS_CMD_SET_TABLE, D_EMPTY, EINVAL);
MF(container_mode_7, CRS_CMD_SET_CONTAINER, D_CONTAINER_MODE_7, EINVAL);
MF(container_log_unknown, CRS_CMD_SET_CONTAINER, D_CONTAINER_LOG_UNKNOWN, EINVAL);
MF(container_missing_cgroup_id, CRS_CMD_SET_CONTAINER, D_CONTAINER_NO_CGROUP, EINVAL);
MF(get_cgroup_id_u32, CRS_CMD_GET_TABLE, D_GET_CGROUP_U32, EINVAL);
/* learning (ABI 4) */
MF(container_learn_7, CRS_CMD_SET_CONTAINER, D_CONTAINER_LEARN_7, EINVAL);
MF(container_learn_max_10, CRS_CMD_SET_CONTAINER, D_CONTAINER_LEARN_MAX_10, EINVAL);
MF(container_learn_max_huge, CRS_CMD_SET_CONTAINER, D_CONTAINER_LEARN_MAX_HUGE, EINVAL);
MF(table_learn_max_10, CRS_CMD_SET_TABLE, D_TABLE_LEARN_MAX_10, EINVAL);
MF(get_learned_no_cgroup, CRS_CMD_GET_LEARNED, D_LEARNED_NO_CGROUP, EINVAL);
MF(get_learned_no_set, CRS_CMD_GET_LEARNED, D_LEARNED_NO_SET, ENOENT);
MF(del_learned_no_cgroup, CRS_CMD_DEL_LEARNED, D_LEARNED_NO_CGROUP, EINVAL);
MF(del_learned_no_set, CRS_CMD_DEL_LEARNED, D_LEARNED_NO_SET, ENOENT);

#define MF_BUF (1 << 16)

FIXTURE_SETUP(malformed)
{
	struct crs_policy p;

	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "secret", self->secret);
	ASSERT_EQ(0, write_file(self->secret, "s\n", 0644));
	/* the table in force, which every refused request must leave alone */
	pol_init(&p, "before", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_file(&p, "deny-secret", CRS_ACTION_DENY, self->secret, CRS_ACCESS_READ);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	ASSERT_EQ(0, rawnl_open(&self->r, true));
	self->buf = calloc(1, MF_BUF);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(malformed)
{
	rawnl_close(&self->r);
	free(self->buf);
	sb_teardown(&self->sb);
}

/* A valid pattern of exactly @len bytes: "/aaa.../aaa...". */
static char *long_pattern(char *buf, size_t len)
{
	size_t i;

	buf[0] = '/';
	for (i = 1; i < len; i++)
		buf[i] = i % 100 == 0 && i != len - 1 ? '/' : 'a';
	buf[len] = '\0';
	return buf;
}

/* Open @depth nests of type @type (with NLA_F_NESTED), an u32 inside. */
static void deep_nest(struct nlmsghdr *nlh, uint16_t type, int depth)
{
	struct nlattr *n[64];
	int i;

	for (i = 0; i < depth; i++)
		n[i] = mnl_attr_nest_start(nlh, i ? 1 : type);
	mnl_attr_put_u32(nlh, 1, 0);
	for (i = depth - 1; i >= 0; i--)
		mnl_attr_nest_end(nlh, n[i]);
}

static void build_rule(struct nlmsghdr *nlh, const FIXTURE_VARIANT(malformed) *v)
{
	enum defect d = v->defect;
	char big[CRS_PATTERN_MAX + 64];
	struct nlattr *n, *a;

	if (d == D_RULE_NOT_NESTED) {
		mnl_attr_put_u32(nlh, CRS_A_RULE, 0);
		return;
	}
	n = mnl_attr_nest_start(nlh, CRS_A_RULE);
	mnl_attr_put_u32(nlh, CRS_A_RULE_INDEX, 0);
	if (d == D_RULE_NAME_LONG) {
		memset(big, 'n', CRS_NAME_MAX + 1);
		big[CRS_NAME_MAX + 1] = '\0';
		mnl_attr_put_strz(nlh, CRS_A_RULE_NAME, big);
	} else {
		mnl_attr_put_strz(nlh, CRS_A_RULE_NAME, "r0");
	}
	if (d != D_RULE_NO_TYPE)
		mnl_attr_put_u32(nlh, CRS_A_RULE_TYPE, d == D_RULE_TYPE_42 ? 42 : CRS_RULE_FILE);
	if (d != D_RULE_NO_ACTION)
		mnl_attr_put_u32(nlh, CRS_A_RULE_ACTION,
				 d == D_RULE_ACTION_9 ? 9 : CRS_ACTION_DENY);
	mnl_attr_put_u32(nlh, CRS_A_RULE_FLAGS,
			 CRS_RULE_F_ENABLED | (d == D_RULE_FLAGS_UNKNOWN ? 1U << 7 : 0));
	if (d == D_RULE_PROGRAM_LONG) {
		mnl_attr_put_strz(nlh, CRS_A_RULE_PROGRAM, long_pattern(big, CRS_PATTERN_MAX + 1));
	} else if (d == D_PROGRAM) {
		mnl_attr_put_strz(nlh, CRS_A_RULE_PROGRAM, v->pattern);
	} else if (d == D_RULE_PROGRAM_NESTED) {
		a = mnl_attr_nest_start(nlh, CRS_A_RULE_PROGRAM);
		deep_nest(nlh, 1, 16);
		mnl_attr_nest_end(nlh, a);
	} else {
		mnl_attr_put_strz(nlh, CRS_A_RULE_PROGRAM, "*");
	}
	switch (d) {
	case D_RULE_NO_PATH:
		break;
	case D_RULE_PATH_NO_NUL:
		mnl_attr_put(nlh, CRS_A_RULE_PATH, strlen("/crs-malformed/x"), "/crs-malformed/x");
		break;
	case D_RULE_PATH_LONG:
		mnl_attr_put_strz(nlh, CRS_A_RULE_PATH, long_pattern(big, CRS_PATTERN_MAX + 1));
		break;
	case D_RULE_PATH_MAX:
		mnl_attr_put_strz(nlh, CRS_A_RULE_PATH, long_pattern(big, CRS_PATTERN_MAX));
		break;
	case D_PATTERN:
		mnl_attr_put_strz(nlh, CRS_A_RULE_PATH, v->pattern);
		break;
	default:
		mnl_attr_put_strz(nlh, CRS_A_RULE_PATH, "/crs-malformed/x");
	}
	mnl_attr_put_u32(nlh, CRS_A_RULE_ACCESS,
			 d == D_RULE_ACCESS_UNKNOWN ? 1U << 9 : CRS_ACCESS_READ);
	if (d == D_RULE_UNKNOWN_ATTR)
		mnl_attr_put_u32(nlh, CRS_A_RULE_MAX + 10, 1);
	if (d == D_RULE_DEEP_NEST)
		deep_nest(nlh, CRS_A_RULE, 32);
	mnl_attr_nest_end(nlh, n);
}

/* SET_TABLE: a valid one-rule table, but for the variant's one defect. */
static void build_set_table(struct nlmsghdr *nlh, uint64_t cgid,
			    const FIXTURE_VARIANT(malformed) *v)
{
	enum defect d = v->defect;
	char name[CRS_NAME_MAX + 2];
	struct nlattr *n, *last;

	if (d == D_EMPTY)
		return;
	if (d == D_CGROUP_U32)
		mnl_attr_put_u32(nlh, CRS_A_CGROUP_ID, (uint32_t)cgid);
	else if (d == D_CGROUP_UNKNOWN)
		mnl_attr_put_u64(nlh, CRS_A_CGROUP_ID, 0x7fffffff00000001ULL);
	else if (d != D_NO_CGROUP)
		mnl_attr_put_u64(nlh, CRS_A_CGROUP_ID, cgid);

	if (d == D_NAME_NO_NUL) {
		mnl_attr_put(nlh, CRS_A_TABLE_NAME, 9, "malformed");
	} else if (d == D_NAME_LONG || d == D_NAME_MAX) {
		size_t len = d == D_NAME_LONG ? CRS_NAME_MAX + 1 : CRS_NAME_MAX;

		memset(name, 't', len);
		name[len] = '\0';
		mnl_attr_put_strz(nlh, CRS_A_TABLE_NAME, name);
	} else {
		mnl_attr_put_strz(nlh, CRS_A_TABLE_NAME, "malformed");
	}

	switch (d) {
	case D_NO_MODE:
		break;
	case D_MODE_7:
		mnl_attr_put_u32(nlh, CRS_A_TABLE_MODE, 7);
		break;
	case D_MODE_POLICY:
		mnl_attr_put_u32(nlh, CRS_A_TABLE_MODE, CRS_MODE_POLICY);
		break;
	case D_MODE_U64:
		mnl_attr_put_u64(nlh, CRS_A_TABLE_MODE, CRS_MODE_ENFORCE);
		break;
	case D_MODE_STRING:
		mnl_attr_put_strz(nlh, CRS_A_TABLE_MODE, "enforce");
		break;
	default:
		mnl_attr_put_u32(nlh, CRS_A_TABLE_MODE, CRS_MODE_ENFORCE);
	}

	switch (d) {
	case D_NO_DEFAULTS:
		break;
	case D_DEFAULTS_NOT_NESTED:
		mnl_attr_put_u32(nlh, CRS_A_TABLE_DEFAULTS, CRS_ACTION_ALLOW);
		break;
	default:
		n = mnl_attr_nest_start(nlh, CRS_A_TABLE_DEFAULTS);
		if (d == D_DEFAULTS_DEEP_NEST)
			deep_nest(nlh, CRS_A_DEFAULT_FILE, 32);
		else
			mnl_attr_put_u32(nlh, CRS_A_DEFAULT_FILE,
					 d == D_DEFAULT_9 ? 9 : CRS_ACTION_ALLOW);
		mnl_attr_put_u32(nlh, CRS_A_DEFAULT_EXECUTE, CRS_ACTION_ALLOW);
		mnl_attr_nest_end(nlh, n);
	}
	mnl_attr_put_u32(nlh, CRS_A_TABLE_FLAGS, d == D_TABLE_FLAGS ? 1U << 5 : 0);
	if (d == D_TABLE_LEARN_MAX_10)
		mnl_attr_put_u32(nlh, CRS_A_LEARN_MAX, 10);
	if (d == D_UNKNOWN_ATTR)
		mnl_attr_put_u32(nlh, CRS_A_MAX + 1, 0);
	if (d == D_UNKNOWN_ATTR_HIGH)
		mnl_attr_put_u32(nlh, 200, 0);
	build_rule(nlh, v);
	if (d == D_TRUNCATED) {
		/* an attribute whose length runs past the end of the message */
		last = (struct nlattr *)mnl_nlmsg_get_payload_tail(nlh);
		mnl_attr_put_u32(nlh, CRS_A_TABLE_FLAGS, 0);
		last->nla_len = 64;
	}
}

static void build(struct nlmsghdr *nlh, uint64_t cgid, const FIXTURE_VARIANT(malformed) *v)
{
	switch (v->cmd) {
	case CRS_CMD_DEL_TABLE:
		if (v->defect == D_DEL_CGROUP_U32)
			mnl_attr_put_u32(nlh, CRS_A_CGROUP_ID, (uint32_t)cgid);
		break;
	case CRS_CMD_GET_LEARNED:
	case CRS_CMD_DEL_LEARNED:
		if (v->cmd == CRS_CMD_GET_LEARNED)
			nlh->nlmsg_flags |= NLM_F_DUMP;
		if (v->defect != D_LEARNED_NO_CGROUP)
			mnl_attr_put_u64(nlh, CRS_A_CGROUP_ID, cgid);
		break;
	case CRS_CMD_SET_CONTAINER:
		if (v->defect != D_CONTAINER_NO_CGROUP)
			mnl_attr_put_u64(nlh, CRS_A_CGROUP_ID, cgid);
		if (v->defect == D_CONTAINER_LEARN_7)
			mnl_attr_put_u32(nlh, CRS_A_CONTAINER_LEARN, 7);
		if (v->defect == D_CONTAINER_LEARN_MAX_10)
			mnl_attr_put_u32(nlh, CRS_A_LEARN_MAX, 10);
		if (v->defect == D_CONTAINER_LEARN_MAX_HUGE)
			mnl_attr_put_u32(nlh, CRS_A_LEARN_MAX, CRS_MAX_LEARN_RECORDS + 1);
		mnl_attr_put_u32(nlh, CRS_A_CONTAINER_MODE,
				 v->defect == D_CONTAINER_MODE_7 ? 7 : CRS_MODE_MONITOR);
		mnl_attr_put_u32(nlh, CRS_A_CONTAINER_LOG,
				 v->defect == D_CONTAINER_LOG_UNKNOWN ? CRS_LOG_DENY | 1U << 4
								      : CRS_LOG_DENY);
		break;
	case CRS_CMD_GET_TABLE:
		mnl_attr_put_u32(nlh, CRS_A_CGROUP_ID, (uint32_t)cgid);
		break;
	default:
		/* SET_TABLE, and the same bytes under other commands */
		build_set_table(nlh, cgid, v);
	}
}

TEST_F(malformed, refused)
{
	struct nlmsghdr *nlh = rawnl_msg(&self->r, self->buf, variant->cmd);
	bool replaced = variant->cmd == CRS_CMD_SET_TABLE && variant->expect == 0;
	int ret;

	build(nlh, self->sb.cgid, variant);
	ret = rawnl_talk(&self->r, nlh);
	TH_LOG("ack: %s, extack \"%s\"", strerror(-ret), self->r.extack);
	EXPECT_EQ(-variant->expect, ret);
	/* every refusal but the core's "no such command" says why */
	if (variant->expect && variant->expect != EOPNOTSUPP) {
		EXPECT_NE(0, self->r.extack[0]);
	}

	/* the old table is untouched by a refused request, replaced by a valid one */
	EXPECT_EQ(replaced ? 0 : EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	/* and the module still answers */
	nlh = rawnl_msg(&self->r, self->buf, CRS_CMD_GET_STATUS);
	EXPECT_EQ(0, rawnl_talk(&self->r, nlh));
	EXPECT_LT(0, self->r.replies);
}

CRS_SELFTEST_MAIN
