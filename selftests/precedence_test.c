// SPDX-License-Identifier: GPL-2.0
/*
 * precedence_test.c - which rule decides (docs/policy.md, "Which rule
 * decides"), one variant per step, for file and execute rules alike:
 *   1. only enabled rules of the type, access, path and program apply;
 *   2. object: exact > subtree (longer prefix first) > glob (more literal
 *      characters first) > any;
 *   3. then program, by the same order (a named program beats "*");
 *   4. then deny wins;
 *   5. no rule: the type's default action.
 * The container log mask is set to deny|allow so that a decision by an
 * explicit allow rule raises an event too: every variant checks which rule
 * (or the default) decided, not only the outcome.
 *
 * Paths starting with "$" are under the test's scratch directory; the
 * object is $/a/b/f unless the variant names another.
 */
#include "crs_selftest.h"

enum prog { P_ANY, P_SELF, P_SELFDIR, P_SELFGLOB, P_OTHER };

struct prule {
	const char *path;
	enum prog prog;
	enum crs_action action;
	uint32_t access;	/* file rules; 0 = read|write */
	bool disabled;
};

FIXTURE(precedence) {
	struct crs_sb sb;
	bool skip;
};

FIXTURE_VARIANT(precedence) {
	enum crs_rule_type type;
	enum crs_action def;
	int flags;		/* file: open flags */
	const char *object;	/* NULL: $/a/b/f */
	bool denied;
	int decider;		/* rule index, or -1 for the default action */
	int nrules;
	struct prule rules[3];
};

#define A CRS_ACTION_ALLOW
#define D CRS_ACTION_DENY

#define __PV(vname, _type, _flags, _def, _obj, _denied, _decider, _n, ...)		\
	FIXTURE_VARIANT_ADD(precedence, vname) {					\
		.type = _type, .def = _def, .flags = _flags, .object = _obj,		\
		.denied = _denied, .decider = _decider, .nrules = _n,			\
		.rules = { __VA_ARGS__ },						\
	}

/* The same case for file (read) and execute rules. */
#define PREC(name, def, denied, decider, n, ...)					\
	__PV(file_##name, CRS_RULE_FILE, O_RDONLY, def, NULL, denied, decider, n, __VA_ARGS__); \
	__PV(exec_##name, CRS_RULE_EXECUTE, 0, def, NULL, denied, decider, n, __VA_ARGS__)

#define PREC_OBJ(name, obj, def, denied, decider, n, ...)				\
	__PV(file_##name, CRS_RULE_FILE, O_RDONLY, def, obj, denied, decider, n, __VA_ARGS__); \
	__PV(exec_##name, CRS_RULE_EXECUTE, 0, def, obj, denied, decider, n, __VA_ARGS__)

#define PREC_FILE(name, flags, def, denied, decider, n, ...)				\
	__PV(file_##name, CRS_RULE_FILE, flags, def, NULL, denied, decider, n, __VA_ARGS__)

/* 2. object specificity */
PREC(exact_over_subtree_allow, A, false, 1, 2,
     { "$/a/**", P_ANY, D }, { "$/a/b/f", P_ANY, A });
PREC(exact_over_subtree_deny, A, true, 0, 2,
     { "$/a/b/f", P_ANY, D }, { "$/a/**", P_ANY, A });
PREC(longer_subtree_allow, A, false, 1, 2,
     { "$/a/**", P_ANY, D }, { "$/a/b/**", P_ANY, A });
PREC(longer_subtree_deny, A, true, 0, 2,
     { "$/a/b/**", P_ANY, D }, { "$/a/**", P_ANY, A });
PREC(subtree_includes_itself, A, true, 0, 1,
     { "$/a/b/f/**", P_ANY, D });
PREC_OBJ(subtree_component_boundary, "$/a/bc/f", A, false, -1, 1,
	 { "$/a/b/**", P_ANY, D });
PREC(subtree_over_glob_allow, A, false, 1, 2,
     { "$/a/b/*", P_ANY, D }, { "$/a/**", P_ANY, A });
PREC(subtree_over_glob_deny, A, true, 0, 2,
     { "$/a/**", P_ANY, D }, { "$/a/b/*", P_ANY, A });
PREC(glob_more_literal_allow, A, false, 1, 2,
     { "$/a/*/f", P_ANY, D }, { "$/a/b/f*", P_ANY, A });
PREC(glob_more_literal_deny, A, true, 0, 2,
     { "$/a/b/f*", P_ANY, D }, { "$/a/*/f", P_ANY, A });
PREC(glob_star_not_slash, A, false, -1, 1,
     { "$/a/*", P_ANY, D });
PREC(glob_tail_any, A, true, 0, 1,
     { "$/*/**", P_ANY, D });
PREC(glob_over_any_allow, A, false, 1, 2,
     { "/**", P_ANY, D }, { "$/a/b/*", P_ANY, A });
PREC(glob_over_any_deny, A, true, 0, 2,
     { "$/a/*/*", P_ANY, D }, { "*", P_ANY, A });
PREC(any_star, A, true, 0, 1,
     { "*", P_ANY, D });
PREC(any_slash_starstar, A, true, 0, 1,
     { "/**", P_ANY, D });

/* 3. program specificity, at equal object specificity */
PREC(program_named_allow, A, false, 1, 2,
     { "$/a/b/f", P_ANY, D }, { "$/a/b/f", P_SELF, A });
PREC(program_named_deny, A, true, 0, 2,
     { "$/a/b/f", P_SELF, D }, { "$/a/b/f", P_ANY, A });
PREC(program_exact_over_subtree, A, false, 1, 2,
     { "$/a/b/f", P_SELFDIR, D }, { "$/a/b/f", P_SELF, A });
PREC(program_subtree_over_glob, A, true, 1, 2,
     { "$/a/b/f", P_SELFGLOB, A }, { "$/a/b/f", P_SELFDIR, D });
PREC(program_glob_over_any, A, true, 1, 2,
     { "$/a/b/f", P_ANY, A }, { "$/a/b/f", P_SELFGLOB, D });
PREC(program_other_not_applied, A, false, -1, 1,
     { "$/a/b/f", P_OTHER, D });
PREC(program_other_not_applied_default_deny, D, true, -1, 1,
     { "$/a/b/f", P_OTHER, A });
/* the object decides before the program does */
PREC(object_before_program_deny, A, true, 1, 2,
     { "$/a/**", P_SELF, A }, { "$/a/b/f", P_ANY, D });
PREC(object_before_program_allow, A, false, 1, 2,
     { "$/a/**", P_SELF, D }, { "$/a/b/f", P_ANY, A });

/* 4. deny wins a tie */
PREC(deny_wins_exact, A, true, 1, 2,
     { "$/a/b/f", P_ANY, A }, { "$/a/b/f", P_ANY, D });
PREC(deny_wins_exact_reversed, A, true, 0, 2,
     { "$/a/b/f", P_ANY, D }, { "$/a/b/f", P_ANY, A });
PREC(deny_wins_glob_tie, A, true, 1, 2,
     { "$/a/*/f", P_ANY, A }, { "$/a/b/*", P_ANY, D });
PREC(deny_wins_subtree_tie, D, true, 1, 2,
     { "$/a/**", P_ANY, A }, { "$/a/**", P_ANY, D });
PREC(deny_wins_program_tie, A, true, 1, 2,
     { "$/a/b/f", P_SELF, A }, { "$/a/b/f", P_SELF, D });

/* 5. no rule: the default action */
PREC(default_deny, D, true, -1, 1,
     { "$/a/b/g", P_ANY, A });
PREC(default_deny_no_rules, D, true, -1, 0, { NULL });
PREC(default_allow, A, false, -1, 1,
     { "$/a/b/g", P_ANY, D });

/* 1. disabled rules are ignored */
PREC(disabled_allow_ignored, A, true, 1, 2,
     { "$/a/b/f", P_ANY, A, 0, true }, { "$/a/**", P_ANY, D });
PREC(disabled_deny_ignored, A, false, -1, 1,
     { "$/a/b/f", P_ANY, D, 0, true });
PREC(disabled_deny_ignored_default_deny, D, false, 1, 2,
     { "$/a/b/f", P_ANY, D, 0, true }, { "$/a/**", P_ANY, A });

/* 1. access: a file rule applies only to the accesses it lists */
PREC_FILE(access_not_listed, O_RDONLY, A, false, -1, 1,
	  { "$/a/b/f", P_ANY, D, CRS_ACCESS_WRITE });
PREC_FILE(access_not_listed_falls_to_subtree, O_WRONLY, A, false, 1, 2,
	  { "$/a/b/f", P_ANY, D, CRS_ACCESS_READ }, { "$/a/**", P_ANY, A });
PREC_FILE(access_rdwr_either_denies, O_RDWR, A, true, 0, 2,
	  { "$/a/b/f", P_ANY, D, CRS_ACCESS_READ }, { "$/a/**", P_ANY, A });
PREC_FILE(access_write_default_deny, O_WRONLY, D, true, -1, 1,
	  { "$/a/b/f", P_ANY, A, CRS_ACCESS_READ });

static const char *const objects[] = { "a/b/f", "a/bc/f", "a/b/g" };

FIXTURE_SETUP(precedence)
{
	char d[PATH_MAX];
	unsigned int i;

	if (variant->type == CRS_RULE_EXECUTE && !have_busybox()) {
		self->skip = true;
		return;
	}
	sb_setup(_metadata, &self->sb);
	ASSERT_EQ(0, mkdirs(sb_path(&self->sb, "a/b", d), 0755));
	ASSERT_EQ(0, mkdirs(sb_path(&self->sb, "a/bc", d), 0755));
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++) {
		sb_path(&self->sb, objects[i], d);
		if (variant->type == CRS_RULE_EXECUTE) {
			ASSERT_EQ(0, copy_file(BUSYBOX, d, 0755));
		} else {
			ASSERT_EQ(0, write_file(d, "object\n", 0644));
		}
	}
}

FIXTURE_TEARDOWN(precedence)
{
	if (!self->skip)
		sb_teardown(&self->sb);
}

/* "$/x" -> <scratch>/x */
static const char *expand(const struct crs_sb *sb, const char *s, char *buf)
{
	if (s[0] != '$')
		return s;
	snprintf(buf, PATH_MAX, "%s%s", sb->dir, s + 1);
	return buf;
}

static const char *program(enum prog p, char *buf)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", self_exe());
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	switch (p) {
	case P_SELF:
		return self_exe();
	case P_SELFDIR:
		snprintf(buf, PATH_MAX, "%s/**", dir);
		return buf;
	case P_SELFGLOB:
		snprintf(buf, PATH_MAX, "%s/*_test", dir);
		return buf;
	case P_OTHER:
		return "/crs-nonexistent/program";
	default:
		return "*";
	}
}

TEST_F(precedence, decides)
{
	bool file = variant->type == CRS_RULE_FILE;
	char obj[PATH_MAX], pbuf[PATH_MAX], prbuf[PATH_MAX], name[16];
	enum crs_action verdict = variant->denied ? CRS_ACTION_DENY : CRS_ACTION_ALLOW;
	const struct crs_event *found = NULL;
	struct crs_err err = {0};
	struct crs_events *ev;
	struct evbuf *b;
	struct crs_policy p;
	pid_t pid;
	int i, ret;

	if (self->skip)
		SKIP(return, "no " BUSYBOX " to execute");
	expand(&self->sb, variant->object ? variant->object : "$/a/b/f", obj);

	pol_init(&p, "precedence", CRS_MODE_ENFORCE,
		 file ? variant->def : CRS_ACTION_ALLOW, file ? CRS_ACTION_ALLOW : variant->def);
	for (i = 0; i < variant->nrules; i++) {
		const struct prule *r = &variant->rules[i];
		struct crs_policy_rule *pr;

		snprintf(name, sizeof(name), "r%d", i);
		pr = pol_rule(&p, name, variant->type, r->action, program(r->prog, prbuf),
			      expand(&self->sb, r->path, pbuf),
			      r->access ? r->access : CRS_ACCESS_READ | CRS_ACCESS_WRITE);
		pr->enabled = !r->disabled;
	}
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	/* report decisions by allow rules as well */
	ret = crs_nl_set_container(self->sb.nl, self->sb.cgid, CRS_MODE_POLICY,
				   CRS_LOG_DENY | CRS_LOG_ALLOW, &err);
	ASSERT_EQ(0, ret) {
		TH_LOG("crs_nl_set_container: %s (%s)", strerror(-ret), err.msg);
	}

	b = evbuf_new();
	sb_events(&ev);
	if (file) {
		EXPECT_EQ(variant->denied ? EACCES : 0,
			  child_open(self->sb.cg, obj, variant->flags, &pid));
	} else {
		EXPECT_EQ(variant->denied ? EACCES : EXEC_OK,
			  child_exec(self->sb.cg, obj, NULL, &pid));
	}
	sb_fence(&self->sb, ev, b);

	for (i = 0; i < b->n; i++) {
		const struct crs_event *e = &b->ev[i];

		if (e->pid != (uint32_t)pid || e->type != variant->type)
			continue;
		TH_LOG("event: rule %d (%s) verdict %d action %d access %u flags %u",
		       (int)e->rule_index, e->rule_name, e->verdict, e->action, e->access,
		       e->flags);
		/* an allowed open saw no denial at all */
		if (!variant->denied) {
			EXPECT_EQ(CRS_ACTION_ALLOW, e->verdict);
		}
		if (e->verdict == verdict && !found)
			found = e;
	}
	if (variant->decider < 0 && !variant->denied) {
		/* allowed by the default action: nothing to report */
		EXPECT_EQ(NULL, found);
	} else {
		ASSERT_NE(NULL, found) {
			TH_LOG("no event with verdict %s", variant->denied ? "deny" : "allow");
		}
		EXPECT_STREQ(obj, found->path);
		if (variant->decider < 0) {
			EXPECT_EQ(CRS_RULE_INDEX_NONE, found->rule_index);
			EXPECT_EQ(CRS_EVENT_F_DEFAULT, found->flags & CRS_EVENT_F_DEFAULT);
			EXPECT_STREQ("", found->rule_name);
		} else {
			snprintf(name, sizeof(name), "r%d", variant->decider);
			EXPECT_EQ(variant->decider, found->rule_index);
			EXPECT_EQ(0U, found->flags & CRS_EVENT_F_DEFAULT);
			EXPECT_STREQ(name, found->rule_name);
		}
		EXPECT_EQ(verdict, found->action);
	}
	crs_events_close(ev);
	free(b);
}

CRS_SELFTEST_MAIN
