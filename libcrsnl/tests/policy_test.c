// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host unit tests of the policy model: JSON parsing and validation
 * (docs/policy.md), canonical output, error messages, name helpers, and
 * robustness against truncated and corrupted input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "kselftest_harness.h"
#include "crsnl.h"

static const char full_policy[] =
	"{\n"
	"  \"name\": \"web\",\n"
	"  \"description\": \"nginx front end\",\n"
	"  \"mode\": \"monitor\",\n"
	"  \"learning\": true,\n"
	"  \"default_actions\": { \"file\": \"deny\", \"execute\": \"allow\", \"network\": \"deny\",\n"
	"                       \"listener\": \"allow\", \"syscall\": \"deny\" },\n"
	"  \"ignored_syscalls\": [\"read\", \"write\"],\n"
	"  \"rules\": [\n"
	"    { \"name\": \"no shadow\", \"enabled\": true, \"program\": \"*\", \"type\": \"file\",\n"
	"      \"action\": \"deny\", \"path\": \"/etc/shadow\", \"access\": [\"read\", \"write\"] },\n"
	"    { \"type\": \"execute\", \"program\": \"/usr/sbin/nginx\", \"action\": \"deny\", \"path\": \"/bin/*\" },\n"
	"    { \"type\": \"file\", \"action\": \"allow\", \"path\": \"/var/log/nginx/**\", \"access\": [\"write\"],\n"
	"      \"enabled\": false, \"program\": \"/usr/sbin/nginx\" },\n"
	"    { \"name\": \"keys \\\"quoted\\\" \\u00e9\", \"type\": \"file\", \"action\": \"deny\",\n"
	"      \"path\": \"/home/*/.ssh/id_*\", \"access\": [\"read\"] },\n"
	"    { \"type\": \"execute\", \"action\": \"allow\", \"path\": \"/proc/*/**\" }\n"
	"  ]\n"
	"}\n";

static int parse(const char *json, struct crs_policy **p, struct crs_err *err)
{
	return crs_policy_parse(json, strlen(json), p, err);
}

/* A policy named "t" around the given rules text. */
#define WITH_RULES(rules) "{\"name\":\"t\",\"rules\":[" rules "]}"

/* Parsing json must fail with -EINVAL (or errno) and exactly msg. */
#define EXPECT_INVALID(json, expected_msg) EXPECT_FAIL(EINVAL, json, expected_msg)
#define EXPECT_FAIL(errno_, json, expected_msg) do {				\
	struct crs_policy *p_ = (struct crs_policy *)1;				\
	struct crs_err e_;							\
	int r_ = parse((json), &p_, &e_);					\
	EXPECT_EQ(-(errno_), r_) TH_LOG("input: %s", (json));			\
	EXPECT_NULL(p_);							\
	EXPECT_STREQ((expected_msg), e_.msg) TH_LOG("input: %s", (json));	\
} while (0)

TEST(full_policy_fields)
{
	struct crs_policy *p;
	struct crs_err err;

	ASSERT_EQ(0, parse(full_policy, &p, &err)) TH_LOG("%s", err.msg);
	EXPECT_STREQ("web", p->name);
	EXPECT_STREQ("nginx front end", p->description);
	EXPECT_EQ(CRS_MODE_MONITOR, (int)p->mode);
	EXPECT_TRUE(p->learning);
	EXPECT_EQ(CRS_ACTION_DENY, (int)p->defaults[CRS_RULE_FILE]);
	EXPECT_EQ(CRS_ACTION_ALLOW, (int)p->defaults[CRS_RULE_EXECUTE]);
	EXPECT_EQ(CRS_ACTION_DENY, (int)p->defaults[CRS_RULE_NETWORK]);
	EXPECT_EQ(CRS_ACTION_ALLOW, (int)p->defaults[CRS_RULE_LISTENER]);
	EXPECT_EQ(CRS_ACTION_DENY, (int)p->defaults[CRS_RULE_SYSCALL]);
	ASSERT_EQ(2u, p->n_ignored_syscalls);
	EXPECT_STREQ("read", p->ignored_syscalls[0]);
	EXPECT_STREQ("write", p->ignored_syscalls[1]);
	ASSERT_EQ(5u, p->n_rules);

	EXPECT_STREQ("no shadow", p->rules[0].name);
	EXPECT_TRUE(p->rules[0].enabled);
	EXPECT_EQ(CRS_RULE_FILE, (int)p->rules[0].type);
	EXPECT_EQ(CRS_ACTION_DENY, (int)p->rules[0].action);
	EXPECT_STREQ("*", p->rules[0].program);
	EXPECT_STREQ("/etc/shadow", p->rules[0].path);
	EXPECT_EQ(CRS_ACCESS_READ | CRS_ACCESS_WRITE, p->rules[0].access);

	EXPECT_NULL(p->rules[1].name);
	EXPECT_TRUE(p->rules[1].enabled);
	EXPECT_EQ(CRS_RULE_EXECUTE, (int)p->rules[1].type);
	EXPECT_STREQ("/usr/sbin/nginx", p->rules[1].program);
	EXPECT_STREQ("/bin/*", p->rules[1].path);
	EXPECT_EQ(CRS_ACCESS_EXEC, p->rules[1].access);

	EXPECT_FALSE(p->rules[2].enabled);
	EXPECT_EQ(CRS_ACCESS_WRITE, p->rules[2].access);
	EXPECT_STREQ("keys \"quoted\" \xc3\xa9", p->rules[3].name);
	EXPECT_EQ(CRS_ACCESS_READ, p->rules[3].access);
	EXPECT_STREQ("*", p->rules[4].program);
	EXPECT_EQ(CRS_ACTION_ALLOW, (int)p->rules[4].action);
	crs_policy_free(p);
}

TEST(minimal_policy_defaults)
{
	struct crs_policy *p;
	struct crs_err err;
	int t;

	ASSERT_EQ(0, parse("{\"name\":\"x\"}", &p, &err)) TH_LOG("%s", err.msg);
	EXPECT_STREQ("x", p->name);
	EXPECT_NULL(p->description);
	EXPECT_EQ(CRS_MODE_ENFORCE, (int)p->mode);
	EXPECT_FALSE(p->learning);
	for (t = 0; t <= CRS_RULE_TYPE_MAX; t++)
		EXPECT_EQ(CRS_ACTION_ALLOW, (int)p->defaults[t]);
	EXPECT_EQ(0u, p->n_ignored_syscalls);
	EXPECT_EQ(0u, p->n_rules);
	EXPECT_EQ(0, crs_policy_validate(p, &err));
	crs_policy_free(p);
}

/* to_json -> parse gives an equal policy, and to_json of that the same text. */
static int roundtrip(struct __test_metadata *_metadata, const char *json)
{
	struct crs_policy *a, *b, *c;
	struct crs_err err;
	char *s1, *s2, *s3;

	ASSERT_EQ(0, parse(json, &a, &err)) TH_LOG("%s", err.msg);
	s1 = crs_policy_to_json(a, false);
	ASSERT_NE(NULL, s1);
	ASSERT_EQ(0, parse(s1, &b, &err)) TH_LOG("%s: %s", err.msg, s1);
	EXPECT_TRUE(crs_policy_equal(a, b));
	s2 = crs_policy_to_json(b, false);
	ASSERT_NE(NULL, s2);
	EXPECT_STREQ(s1, s2);
	s3 = crs_policy_to_json(b, true);
	ASSERT_NE(NULL, s3);
	ASSERT_EQ(0, parse(s3, &c, &err)) TH_LOG("%s: %s", err.msg, s3);
	EXPECT_TRUE(crs_policy_equal(a, c));
	free(s1);
	free(s2);
	free(s3);
	crs_policy_free(a);
	crs_policy_free(b);
	crs_policy_free(c);
	return 0;
}

TEST(roundtrip_full)
{
	roundtrip(_metadata, full_policy);
}

TEST(roundtrip_minimal)
{
	roundtrip(_metadata, "{\"name\":\"x\"}");
}

TEST(canonical_output)
{
	struct crs_policy *p;
	struct crs_err err;
	char *s;

	ASSERT_EQ(0, parse(WITH_RULES("{\"action\":\"deny\",\"path\":\"/etc/shadow\","
				      "\"access\":[\"write\",\"read\"],\"type\":\"file\"},"
				      "{\"type\":\"execute\",\"action\":\"allow\",\"path\":\"/bin/sh\","
				      "\"name\":\"sh\"}"), &p, &err));
	s = crs_policy_to_json(p, false);
	ASSERT_NE(NULL, s);
	/* fixed key order, all defaults spelled out, '/' not escaped */
	EXPECT_STREQ("{\"name\":\"t\",\"mode\":\"enforce\",\"learning\":false,"
		     "\"default_actions\":{\"file\":\"allow\",\"execute\":\"allow\","
		     "\"network\":\"allow\",\"listener\":\"allow\",\"syscall\":\"allow\"},"
		     "\"ignored_syscalls\":[],\"rules\":["
		     "{\"enabled\":true,\"type\":\"file\",\"action\":\"deny\",\"program\":\"*\","
		     "\"path\":\"/etc/shadow\",\"access\":[\"read\",\"write\"]},"
		     "{\"name\":\"sh\",\"enabled\":true,\"type\":\"execute\",\"action\":\"allow\","
		     "\"program\":\"*\",\"path\":\"/bin/sh\"}]}", s);
	free(s);
	crs_policy_free(p);
}

TEST(equal_detects_differences)
{
	struct crs_policy *a, *b;
	struct crs_err err;

	ASSERT_EQ(0, parse(full_policy, &a, &err));
	ASSERT_EQ(0, parse(full_policy, &b, &err));
	EXPECT_TRUE(crs_policy_equal(a, b));
	b->rules[4].enabled = false;
	EXPECT_FALSE(crs_policy_equal(a, b));
	b->rules[4].enabled = true;
	b->defaults[CRS_RULE_SYSCALL] = CRS_ACTION_ALLOW;
	EXPECT_FALSE(crs_policy_equal(a, b));
	b->defaults[CRS_RULE_SYSCALL] = CRS_ACTION_DENY;
	free(b->description);
	b->description = NULL;
	EXPECT_FALSE(crs_policy_equal(a, b));
	EXPECT_TRUE(crs_policy_equal(NULL, NULL));
	EXPECT_FALSE(crs_policy_equal(a, NULL));
	crs_policy_free(a);
	crs_policy_free(b);
}

TEST(unknown_fields)
{
	EXPECT_INVALID("{\"name\":\"x\",\"nmae\":\"y\"}", "nmae: unknown field");
	EXPECT_INVALID(WITH_RULES(
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\",\"access\":[\"read\"]},"
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/b\",\"access\":[\"read\"]},"
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/c\",\"access\":[\"read\"]},"
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/d\",\"acess\":[\"read\"]}"),
		"rules[3].acess: unknown field");
	EXPECT_INVALID("{\"name\":\"x\",\"default_actions\":{\"files\":\"deny\"}}",
		       "default_actions.files: unknown field");
	/* unknown fields win over later checks of known ones */
	EXPECT_INVALID("{\"name\":5,\"extra\":1}", "extra: unknown field");
	/* control characters in a key are shown escaped */
	EXPECT_INVALID("{\"name\":\"x\",\"a\\nb\":1}", "a\\nb: unknown field");
}

TEST(wrong_types)
{
	EXPECT_INVALID("[]", "top level: expected an object");
	EXPECT_INVALID("null", "top level: expected an object");
	EXPECT_INVALID("{\"name\":1}", "name: expected a string");
	EXPECT_INVALID("{\"name\":null}", "name: expected a string");
	EXPECT_INVALID("{\"name\":\"x\",\"description\":[]}", "description: expected a string");
	EXPECT_INVALID("{\"name\":\"x\",\"mode\":1}", "mode: expected a string");
	EXPECT_INVALID("{\"name\":\"x\",\"learning\":\"yes\"}",
		       "learning: expected a boolean (true or false)");
	EXPECT_INVALID("{\"name\":\"x\",\"default_actions\":[]}", "default_actions: expected an object");
	EXPECT_INVALID("{\"name\":\"x\",\"default_actions\":{\"file\":false}}",
		       "default_actions.file: expected a string");
	EXPECT_INVALID("{\"name\":\"x\",\"ignored_syscalls\":\"read\"}",
		       "ignored_syscalls: expected an array of strings");
	EXPECT_INVALID("{\"name\":\"x\",\"ignored_syscalls\":[\"read\",3]}",
		       "ignored_syscalls[1]: expected a string");
	EXPECT_INVALID("{\"name\":\"x\",\"rules\":{}}", "rules: expected an array");
	EXPECT_INVALID(WITH_RULES("\"x\""), "rules[0]: expected an object");
	EXPECT_INVALID(WITH_RULES("{\"type\":1}"), "rules[0].type: expected a string");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"access\":[\"read\"],\"enabled\":1}"),
		       "rules[0].enabled: expected a boolean (true or false)");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"access\":\"read\"}"),
		       "rules[0].access: expected an array of \"read\" and/or \"write\"");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"access\":[true]}"),
		       "rules[0].access[0]: expected a string");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":7,"
				  "\"access\":[\"read\"]}"),
		       "rules[0].path: expected a string");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"program\":null,\"access\":[\"read\"]}"),
		       "rules[0].program: expected a string");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"name\":{},\"access\":[\"read\"]}"),
		       "rules[0].name: expected a string");
}

TEST(bad_enums)
{
	EXPECT_INVALID("{\"name\":\"x\",\"mode\":\"audit\"}",
		       "mode: must be \"enforce\", \"monitor\" or \"disabled\"");
	/* "policy" is a container override, not a policy mode */
	EXPECT_INVALID("{\"name\":\"x\",\"mode\":\"policy\"}",
		       "mode: must be \"enforce\", \"monitor\" or \"disabled\"");
	EXPECT_INVALID("{\"name\":\"x\",\"mode\":\"Enforce\"}",
		       "mode: must be \"enforce\", \"monitor\" or \"disabled\"");
	EXPECT_INVALID("{\"name\":\"x\",\"default_actions\":{\"execute\":\"block\"}}",
		       "default_actions.execute: must be \"allow\" or \"deny\"");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"block\",\"path\":\"/a\","
				  "\"access\":[\"read\"]}"),
		       "rules[0].action: must be \"allow\" or \"deny\"");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"socket\",\"action\":\"deny\"}"),
		       "rules[0].type: must be \"file\", \"execute\", \"network\", \"listener\" "
		       "or \"syscall\"");
}

TEST(missing_required_fields)
{
	EXPECT_INVALID("{}", "name: missing required field");
	EXPECT_INVALID("{\"rules\":[]}", "name: missing required field");
	EXPECT_INVALID(WITH_RULES("{\"action\":\"deny\",\"path\":\"/a\"}"),
		       "rules[0].type: missing required field");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"execute\",\"path\":\"/a\"}"),
		       "rules[0].action: missing required field");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"execute\",\"action\":\"deny\"}"),
		       "rules[0].path: missing required field");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\"}"),
		       "rules[0].access: missing required field (\"read\" and/or \"write\")");
}

TEST(access_field)
{
	EXPECT_INVALID(WITH_RULES("{\"type\":\"execute\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"access\":[\"read\"]}"),
		       "rules[0].access: not allowed on execute rules");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"access\":[]}"),
		       "rules[0].access: must not be empty");
	/* the example of docs/policy.md */
	EXPECT_INVALID(WITH_RULES(
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\",\"access\":[\"read\"]},"
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/b\",\"access\":[\"read\"]},"
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/c\",\"access\":[\"read\",\"exec\"]}"),
		"rules[2].access[1]: unknown access \"exec\"");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"access\":[\"read\",\"write\",\"read\"]}"),
		       "rules[0].access[2]: duplicate access \"read\"");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"access\":[\"READ\"]}"),
		       "rules[0].access[0]: unknown access \"READ\"");
}

struct bad_pattern {
	const char *json;	/* as a JSON string literal body */
	const char *why;
};

static const struct bad_pattern bad_pattern_table[] = {
	{ "", "must not be empty" },
	{ "etc/shadow", "must start with \"/\" (or be \"*\")" },
	{ "**", "must start with \"/\" (or be \"*\")" },
	{ "~/x", "must start with \"/\" (or be \"*\")" },
	{ "/etc/", "must not end with \"/\"" },
	{ "/etc/**/", "must not end with \"/\"" },
	{ "/etc//shadow", "must not contain \"//\"" },
	{ "//etc", "must not contain \"//\"" },
	{ "/etc/./shadow", "must not contain \".\" or \"..\" components" },
	{ "/etc/../shadow", "must not contain \".\" or \"..\" components" },
	{ "/etc/..", "must not contain \".\" or \"..\" components" },
	{ "/.", "must not contain \".\" or \"..\" components" },
	{ "/a/**/b", "\"**\" is only allowed as the last component" },
	{ "/**/b", "\"**\" is only allowed as the last component" },
	{ "/a**", "\"**\" must be a whole component (\"*\" matches within one)" },
	{ "/a/b**", "\"**\" must be a whole component (\"*\" matches within one)" },
	{ "/a/***", "\"**\" must be a whole component (\"*\" matches within one)" },
	{ "/a\\u0000b", "must not contain a NUL byte" },
};

TEST(bad_patterns)
{
	char json[512], want[256];
	size_t i;

	for (i = 0; i < sizeof(bad_pattern_table) / sizeof(bad_pattern_table[0]); i++) {
		snprintf(json, sizeof(json), WITH_RULES("{\"type\":\"execute\",\"action\":\"deny\","
							"\"path\":\"%s\"}"), bad_pattern_table[i].json);
		snprintf(want, sizeof(want), "rules[0].path: %s", bad_pattern_table[i].why);
		EXPECT_INVALID(json, want);
		snprintf(json, sizeof(json), WITH_RULES("{\"type\":\"execute\",\"action\":\"deny\","
							"\"path\":\"/a\",\"program\":\"%s\"}"),
			 bad_pattern_table[i].json);
		snprintf(want, sizeof(want), "rules[0].program: %s", bad_pattern_table[i].why);
		EXPECT_INVALID(json, want);
	}
}

TEST(pattern_kinds)
{
	static const struct { const char *pat; int kind; } ok[] = {
		{ "*", CRS_PATTERN_ANY },
		{ "/**", CRS_PATTERN_ANY },
		{ "/", CRS_PATTERN_EXACT },
		{ "/etc/shadow", CRS_PATTERN_EXACT },
		{ "/etc/.shadow..", CRS_PATTERN_EXACT },
		{ "/etc/**", CRS_PATTERN_SUBTREE },
		{ "/var/log/nginx/**", CRS_PATTERN_SUBTREE },
		{ "/bin/*", CRS_PATTERN_GLOB },
		{ "/*", CRS_PATTERN_GLOB },
		{ "/home/*/.ssh/id_*", CRS_PATTERN_GLOB },
		{ "/proc/*/**", CRS_PATTERN_GLOB },
		{ "/a*b*c", CRS_PATTERN_GLOB },
	};
	const char *why = NULL;
	char big[CRS_PATTERN_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int kind = crs_pattern_check(ok[i].pat, strlen(ok[i].pat), NULL);

		EXPECT_EQ(ok[i].kind, kind) TH_LOG("pattern %s", ok[i].pat);
	}
	big[0] = '/';
	memset(big + 1, 'a', CRS_PATTERN_MAX - 1);
	big[CRS_PATTERN_MAX] = '\0';
	EXPECT_EQ(CRS_PATTERN_EXACT, crs_pattern_check(big, CRS_PATTERN_MAX, NULL));
	big[CRS_PATTERN_MAX] = 'a';
	big[CRS_PATTERN_MAX + 1] = '\0';
	EXPECT_EQ(-EINVAL, crs_pattern_check(big, CRS_PATTERN_MAX + 1, &why));
	EXPECT_STREQ("longer than 1024 bytes", why);
	EXPECT_EQ(-EINVAL, crs_pattern_check(NULL, 0, NULL));
	EXPECT_STREQ("any", crs_pattern_kind_name(CRS_PATTERN_ANY));
	EXPECT_STREQ("glob", crs_pattern_kind_name(CRS_PATTERN_GLOB));
	EXPECT_STREQ("subtree", crs_pattern_kind_name(CRS_PATTERN_SUBTREE));
	EXPECT_STREQ("exact", crs_pattern_kind_name(CRS_PATTERN_EXACT));
	EXPECT_NULL(crs_pattern_kind_name(-1));
}

/* A JSON string literal body of n bytes: "/aaaa..." */
static char *long_path(size_t n)
{
	char *s = malloc(n + 1);

	s[0] = '/';
	memset(s + 1, 'a', n - 1);
	s[n] = '\0';
	return s;
}

TEST(length_limits)
{
	char *path, *json, name[CRS_NAME_MAX + 2];
	size_t cap = 2 * CRS_PATTERN_MAX + 256;

	json = malloc(cap);
	path = long_path(CRS_PATTERN_MAX);
	snprintf(json, cap, WITH_RULES("{\"type\":\"execute\",\"action\":\"deny\",\"path\":\"%s\"}"), path);
	{
		struct crs_policy *p;
		struct crs_err err;

		ASSERT_EQ(0, parse(json, &p, &err)) TH_LOG("%s", err.msg);
		crs_policy_free(p);
	}
	free(path);
	path = long_path(CRS_PATTERN_MAX + 1);
	snprintf(json, cap, WITH_RULES("{\"type\":\"execute\",\"action\":\"deny\",\"path\":\"%s\"}"), path);
	EXPECT_INVALID(json, "rules[0].path: longer than 1024 bytes");
	snprintf(json, cap, WITH_RULES("{\"type\":\"execute\",\"action\":\"deny\",\"path\":\"/a\","
				       "\"program\":\"%s\"}"), path);
	EXPECT_INVALID(json, "rules[0].program: longer than 1024 bytes");
	free(path);

	memset(name, 'n', CRS_NAME_MAX);
	name[CRS_NAME_MAX] = '\0';
	snprintf(json, cap, "{\"name\":\"%s\"}", name);
	{
		struct crs_policy *p;
		struct crs_err err;

		ASSERT_EQ(0, parse(json, &p, &err)) TH_LOG("%s", err.msg);
		crs_policy_free(p);
	}
	strcat(name, "n");
	snprintf(json, cap, "{\"name\":\"%s\"}", name);
	EXPECT_INVALID(json, "name: longer than 128 bytes");
	snprintf(json, cap, WITH_RULES("{\"type\":\"execute\",\"action\":\"deny\",\"path\":\"/a\","
				       "\"name\":\"%s\"}"), name);
	EXPECT_INVALID(json, "rules[0].name: longer than 128 bytes");
	EXPECT_INVALID("{\"name\":\"\"}", "name: must not be empty");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"execute\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"name\":\"\"}"),
		       "rules[0].name: must not be empty (omit the field for no name)");
	EXPECT_INVALID("{\"name\":\"a\\u0000b\"}", "name: must not contain a NUL byte");
	free(json);
}

/* n rules, the first nglob with a glob path. */
static char *many_rules(size_t n, size_t nglob)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&buf, &len);

	fputs("{\"name\":\"many\",\"rules\":[", f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/d/%s%zu\","
			"\"access\":[\"read\"]}", i ? "," : "", i < nglob ? "*" : "", i);
	fputs("]}", f);
	fclose(f);
	return buf;
}

/* The big tests get more time than the default 30 s, for valgrind's sake. */
FIXTURE(big) {
	int unused;
};

FIXTURE_SETUP(big)
{
}

FIXTURE_TEARDOWN(big)
{
}

TEST_F_TIMEOUT(big, rule_count_limit, 600)
{
	struct crs_policy *p;
	struct crs_err err;
	char *json;

	json = many_rules(CRS_MAX_RULES, 0);
	ASSERT_EQ(0, parse(json, &p, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ((size_t)CRS_MAX_RULES, p->n_rules);
	EXPECT_STREQ("/d/65535", p->rules[CRS_MAX_RULES - 1].path);
	crs_policy_free(p);
	free(json);

	json = many_rules(CRS_MAX_RULES + 1, 0);
	EXPECT_FAIL(E2BIG, json, "rules: more than 65536 rules");
	free(json);
}

TEST_F_TIMEOUT(big, glob_count_limit, 600)
{
	struct crs_policy *p;
	struct crs_err err;
	char *json;

	json = many_rules(CRS_MAX_GLOB_RULES + 10, CRS_MAX_GLOB_RULES);
	ASSERT_EQ(0, parse(json, &p, &err)) TH_LOG("%s", err.msg);
	crs_policy_free(p);
	free(json);

	json = many_rules(CRS_MAX_GLOB_RULES + 10, CRS_MAX_GLOB_RULES + 1);
	EXPECT_FAIL(E2BIG, json, "rules[1024].path: more than 1024 rules with a glob path");
	free(json);
}

TEST(syntax_errors_line_column)
{
	struct crs_policy *p = NULL;
	struct crs_err err;

	/* json-c notices at the newline after "tru" (line 3, column 18) */
	EXPECT_EQ(-EINVAL, parse("{\n  \"name\": \"x\",\n  \"learning\": tru\n}\n", &p, &err));
	EXPECT_STREQ("line 3, column 18: boolean expected", err.msg);
	EXPECT_EQ(3, err.line);
	EXPECT_EQ(18, err.column);

	EXPECT_EQ(-EINVAL, parse("{\"name\": \"x\",,}", &p, &err));
	EXPECT_STREQ("line 1, column 14: quoted object property name expected", err.msg);
	EXPECT_EQ(1, err.line);
	EXPECT_EQ(14, err.column);

	/* columns count characters, not bytes */
	EXPECT_EQ(-EINVAL, parse("{\"name\": \"\xc3\xa9\xc3\xa9\" x}", &p, &err));
	EXPECT_STREQ("line 1, column 15: object value separator ',' expected", err.msg);

	EXPECT_EQ(-EINVAL, parse("{\"name\": \"x\",\n \"rules\": [\n", &p, &err));
	EXPECT_STREQ("line 3, column 1: unexpected end of input", err.msg);
	EXPECT_EQ(-EINVAL, parse("", &p, &err));
	EXPECT_STREQ("line 1, column 1: unexpected end of input", err.msg);
	EXPECT_EQ(-EINVAL, parse(" \n\t", &p, &err));
	EXPECT_STREQ("line 2, column 2: unexpected end of input", err.msg);

	/* strict JSON: no comments, no single quotes, no trailing commas */
	EXPECT_EQ(-EINVAL, parse("{\"name\": \"x\" /* c */}", &p, &err));
	EXPECT_STREQ("line 1, column 14: object value separator ',' expected", err.msg);
	EXPECT_EQ(-EINVAL, parse("{\"name\": 'x'}", &p, &err));
	EXPECT_STREQ("line 1, column 10: unexpected character", err.msg);
	EXPECT_EQ(-EINVAL, parse("{\"rules\": [1,]}", &p, &err));
	EXPECT_STREQ("line 1, column 14: unexpected character", err.msg);
	EXPECT_NULL(p);

	/* invalid UTF-8 */
	EXPECT_EQ(-EINVAL, parse("{\"name\": \"\xff\"}", &p, &err));
	EXPECT_STREQ("line 1, column 11: invalid utf-8 string", err.msg);
}

TEST(trailing_garbage)
{
	struct crs_policy *p = NULL;
	struct crs_err err;
	static const char nul[] = "{\"name\":\"x\"}\0{}";

	EXPECT_EQ(-EINVAL, parse("{\"name\":\"x\"} x", &p, &err));
	EXPECT_STREQ("line 1, column 14: unexpected data after the end of the policy object", err.msg);
	EXPECT_EQ(-EINVAL, parse("{\"name\":\"x\"}\n{\"name\":\"y\"}", &p, &err));
	EXPECT_STREQ("line 2, column 1: unexpected data after the end of the policy object", err.msg);
	EXPECT_EQ(-EINVAL, crs_policy_parse(nul, sizeof(nul) - 1, &p, &err));
	EXPECT_STREQ("line 1, column 13: unexpected NUL byte", err.msg);
	EXPECT_EQ(-EINVAL, crs_policy_parse("{\"name\":\"x\0\"}", 13, &p, &err));
	EXPECT_STREQ("line 1, column 11: unexpected NUL byte", err.msg);
	EXPECT_NULL(p);

	/* trailing white space is fine, and so is a byte order mark */
	EXPECT_EQ(0, parse("{\"name\":\"x\"}\r\n\t \n", &p, &err));
	crs_policy_free(p);
	EXPECT_EQ(0, parse("\xef\xbb\xbf{\"name\":\"x\"}", &p, &err));
	crs_policy_free(p);
}

TEST(duplicate_keys)
{
	struct crs_err err;
	struct crs_policy *p = NULL;

	EXPECT_INVALID("{\"name\":\"a\",\"name\":\"b\"}", "name: duplicate field (line 1, column 13)");
	EXPECT_EQ(-EINVAL, parse("{\"name\":\"a\",\n \"name\":\"b\"}", &p, &err));
	EXPECT_EQ(2, err.line);
	EXPECT_EQ(2, err.column);
	/* escapes are decoded before comparing */
	EXPECT_INVALID("{\"name\":\"a\",\"n\\u0061me\":\"b\"}", "name: duplicate field (line 1, column 13)");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"access\":[\"read\"]},"
				  "{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"path\":\"/b\",\"access\":[\"read\"]}"),
		       "rules[1].path: duplicate field (line 1, column 127)");
	EXPECT_INVALID("{\"name\":\"a\",\"default_actions\":{\"file\":\"deny\",\"file\":\"allow\"}}",
		       "default_actions.file: duplicate field (line 1, column 46)");
	/* the first duplicate in document order is reported */
	EXPECT_INVALID("{\"name\":\"a\",\"mode\":\"enforce\",\"default_actions\":"
		       "{\"file\":\"deny\",\"file\":\"deny\"},\"mode\":\"monitor\"}",
		       "default_actions.file: duplicate field (line 1, column 63)");
	/* same key in different objects is fine */
	EXPECT_EQ(0, parse(WITH_RULES("{\"type\":\"execute\",\"action\":\"deny\",\"path\":\"/a\"},"
				      "{\"type\":\"execute\",\"action\":\"deny\",\"path\":\"/b\"}"),
			   &p, &err)) TH_LOG("%s", err.msg);
	crs_policy_free(p);
}

TEST(ignored_syscalls)
{
	EXPECT_INVALID("{\"name\":\"x\",\"ignored_syscalls\":[\"read\",\"Read\"]}",
		       "ignored_syscalls[1]: not a system call name (lower case letters, digits, '_')");
	EXPECT_INVALID("{\"name\":\"x\",\"ignored_syscalls\":[\"\"]}",
		       "ignored_syscalls[0]: not a system call name (1 to 63 characters)");
	EXPECT_INVALID("{\"name\":\"x\",\"ignored_syscalls\":[\"read\",\"openat\",\"read\"]}",
		       "ignored_syscalls[2]: \"read\" is listed twice");
	EXPECT_INVALID("{\"name\":\"x\",\"ignored_syscalls\":[\"9p\"]}",
		       "ignored_syscalls[0]: not a system call name (lower case letters, digits, '_')");
	EXPECT_INVALID("{\"name\":\"x\",\"ignored_syscalls\":[\"read\",\"reed\"]}",
		       "ignored_syscalls[1]: unknown system call \"reed\"");
}

TEST(validate_built_policy)
{
	struct crs_policy_rule rules[2] = {
		{ .enabled = true, .type = CRS_RULE_FILE, .action = CRS_ACTION_DENY,
		  .program = "*", .path = "/etc/shadow", .access = CRS_ACCESS_READ },
		{ .enabled = true, .type = CRS_RULE_EXECUTE, .action = CRS_ACTION_DENY,
		  .program = "*", .path = "/bin/*", .access = CRS_ACCESS_EXEC },
	};
	struct crs_policy p = {
		.name = "built", .mode = CRS_MODE_ENFORCE, .rules = rules, .n_rules = 2,
	};
	struct crs_err err;

	EXPECT_EQ(0, crs_policy_validate(&p, &err)) TH_LOG("%s", err.msg);
	rules[1].access = CRS_ACCESS_READ;
	EXPECT_EQ(-EINVAL, crs_policy_validate(&p, &err));
	EXPECT_STREQ("rules[1].access: must be CRS_ACCESS_EXEC for execute rules", err.msg);
	rules[1].access = CRS_ACCESS_EXEC;
	rules[0].access = CRS_ACCESS_EXEC | CRS_ACCESS_READ;
	EXPECT_EQ(-EINVAL, crs_policy_validate(&p, &err));
	EXPECT_STREQ("rules[0].access: file rules take only \"read\" and \"write\"", err.msg);
	rules[0].access = 0;
	EXPECT_EQ(-EINVAL, crs_policy_validate(&p, &err));
	EXPECT_STREQ("rules[0].access: must not be empty", err.msg);
	rules[0].access = CRS_ACCESS_READ;
	rules[0].path = NULL;
	EXPECT_EQ(-EINVAL, crs_policy_validate(&p, &err));
	EXPECT_STREQ("rules[0].path: missing required field", err.msg);
	rules[0].path = "/etc/shadow";
	rules[1].type = CRS_RULE_LISTENER;
	EXPECT_EQ(-EINVAL, crs_policy_validate(&p, &err));
	EXPECT_STREQ("rules[1].path: not allowed on listener rules", err.msg);
	rules[1].type = 42;
	EXPECT_EQ(-EINVAL, crs_policy_validate(&p, &err));
	EXPECT_STREQ("rules[1].type: unknown rule type 42", err.msg);
	rules[1].type = CRS_RULE_EXECUTE;
	rules[1].action = 7;
	EXPECT_EQ(-EINVAL, crs_policy_validate(&p, &err));
	EXPECT_STREQ("rules[1].action: unknown action 7", err.msg);
	rules[1].action = CRS_ACTION_DENY;
	p.mode = CRS_MODE_POLICY;
	EXPECT_EQ(-EINVAL, crs_policy_validate(&p, &err));
	EXPECT_STREQ("mode: must be \"enforce\", \"monitor\" or \"disabled\"", err.msg);
	p.mode = CRS_MODE_DISABLED;
	p.defaults[CRS_RULE_NETWORK] = 3;
	EXPECT_EQ(-EINVAL, crs_policy_validate(&p, &err));
	EXPECT_STREQ("default_actions.network: must be \"allow\" or \"deny\"", err.msg);
	p.defaults[CRS_RULE_NETWORK] = CRS_ACTION_DENY;
	p.name = NULL;
	EXPECT_EQ(-EINVAL, crs_policy_validate(&p, &err));
	EXPECT_STREQ("name: missing required field", err.msg);
	p.name = "built";
	p.n_rules = CRS_MAX_RULES + 1;
	EXPECT_EQ(-E2BIG, crs_policy_validate(&p, &err));
	EXPECT_STREQ("rules: more than 65536 rules", err.msg);
	EXPECT_EQ(-EINVAL, crs_policy_validate(NULL, &err));
}

TEST(parse_file)
{
	char path[] = "/tmp/crs-policy-test-XXXXXX";
	struct crs_policy *p;
	struct crs_err err;
	int fd;

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)strlen(full_policy), write(fd, full_policy, strlen(full_policy)));
	close(fd);
	EXPECT_EQ(0, crs_policy_parse_file(path, &p, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(5u, p->n_rules);
	crs_policy_free(p);
	unlink(path);
	EXPECT_EQ(-ENOENT, crs_policy_parse_file(path, &p, &err));
	EXPECT_NULL(p);
	EXPECT_EQ(0, strncmp(err.msg, "cannot open /tmp/crs-policy-test-", 33)) TH_LOG("%s", err.msg);
	EXPECT_EQ(-EINVAL, crs_policy_parse(NULL, 0, &p, &err));
}

TEST(names)
{
	char buf[64];
	enum crs_mode m;
	enum crs_action a;
	enum crs_rule_type t;
	uint32_t log;

	EXPECT_STREQ("enforce", crs_mode_name(CRS_MODE_ENFORCE));
	EXPECT_STREQ("monitor", crs_mode_name(CRS_MODE_MONITOR));
	EXPECT_STREQ("disabled", crs_mode_name(CRS_MODE_DISABLED));
	EXPECT_STREQ("policy", crs_mode_name(CRS_MODE_POLICY));
	EXPECT_NULL(crs_mode_name(7));
	EXPECT_EQ(0, crs_mode_parse("monitor", &m));
	EXPECT_EQ(CRS_MODE_MONITOR, (int)m);
	EXPECT_EQ(0, crs_mode_parse("policy", &m));
	EXPECT_EQ(CRS_MODE_POLICY, (int)m);
	EXPECT_EQ(-EINVAL, crs_mode_parse("audit", &m));
	EXPECT_EQ(-EINVAL, crs_mode_parse(NULL, &m));

	EXPECT_STREQ("allow", crs_action_name(CRS_ACTION_ALLOW));
	EXPECT_STREQ("deny", crs_action_name(CRS_ACTION_DENY));
	EXPECT_NULL(crs_action_name(2));
	EXPECT_EQ(0, crs_action_parse("deny", &a));
	EXPECT_EQ(CRS_ACTION_DENY, (int)a);
	EXPECT_EQ(-EINVAL, crs_action_parse("drop", &a));

	EXPECT_STREQ("file", crs_rule_type_name(CRS_RULE_FILE));
	EXPECT_STREQ("execute", crs_rule_type_name(CRS_RULE_EXECUTE));
	EXPECT_STREQ("network", crs_rule_type_name(CRS_RULE_NETWORK));
	EXPECT_STREQ("listener", crs_rule_type_name(CRS_RULE_LISTENER));
	EXPECT_STREQ("syscall", crs_rule_type_name(CRS_RULE_SYSCALL));
	EXPECT_NULL(crs_rule_type_name(5));
	EXPECT_NULL(crs_rule_type_name(-1));
	EXPECT_EQ(0, crs_rule_type_parse("execute", &t));
	EXPECT_EQ(CRS_RULE_EXECUTE, (int)t);

	EXPECT_STREQ("read", crs_access_str(CRS_ACCESS_READ, buf, sizeof(buf)));
	EXPECT_STREQ("write", crs_access_str(CRS_ACCESS_WRITE, buf, sizeof(buf)));
	EXPECT_STREQ("read,write", crs_access_str(CRS_ACCESS_READ | CRS_ACCESS_WRITE, buf, sizeof(buf)));
	EXPECT_STREQ("exec", crs_access_str(CRS_ACCESS_EXEC, buf, sizeof(buf)));
	EXPECT_STREQ("read,write,exec", crs_access_str(CRS_ACCESS_ALL, buf, sizeof(buf)));
	EXPECT_STREQ("none", crs_access_str(0, buf, sizeof(buf)));
	EXPECT_STREQ("read,0x10", crs_access_str(CRS_ACCESS_READ | 0x10, buf, sizeof(buf)));
	/* a short buffer truncates and stays terminated */
	EXPECT_STREQ("read", crs_access_str(CRS_ACCESS_READ | CRS_ACCESS_WRITE, buf, 8));

	EXPECT_STREQ("deny", crs_log_str(CRS_LOG_DENY, buf, sizeof(buf)));
	EXPECT_STREQ("deny,allow,alert,behavior", crs_log_str(CRS_LOG_ALL, buf, sizeof(buf)));
	EXPECT_STREQ("none", crs_log_str(0, buf, sizeof(buf)));
	EXPECT_EQ(0, crs_log_parse("allow,deny", &log));
	EXPECT_EQ(CRS_LOG_ALLOW | CRS_LOG_DENY, log);
	EXPECT_EQ(0, crs_log_parse("none", &log));
	EXPECT_EQ(0u, log);
	EXPECT_EQ(0, crs_log_parse("all", &log));
	EXPECT_EQ(CRS_LOG_ALL, log);
	EXPECT_EQ(0, crs_log_parse("default", &log));
	EXPECT_EQ(CRS_LOG_DEFAULT, log);
	EXPECT_EQ(-EINVAL, crs_log_parse("deny,", &log));
	EXPECT_EQ(-EINVAL, crs_log_parse("", &log));
	EXPECT_EQ(-EINVAL, crs_log_parse("denied", &log));
}

/*
 * Robustness: every proper prefix of a valid policy is an error (never a
 * crash, never a leak: run under valgrind), and so is every single-byte
 * corruption unless the result is still a valid policy, which must then
 * survive a round trip.
 */
static void check_mutant(struct __test_metadata *_metadata, const char *s, size_t len,
			 int *accepted)
{
	struct crs_policy *p = NULL, *q = NULL;
	struct crs_err err;
	char *out;
	int r;

	memset(&err, 0xa5, sizeof(err));
	r = crs_policy_parse(s, len, &p, &err);
	if (r) {
		ASSERT_EQ(-EINVAL, r) TH_LOG("%d: %.*s", r, (int)len, s);
		ASSERT_NULL(p);
		ASSERT_NE(0, err.msg[0]);
		ASSERT_GT(sizeof(err.msg), strnlen(err.msg, sizeof(err.msg)));
		return;
	}
	(*accepted)++;
	out = crs_policy_to_json(p, false);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, crs_policy_parse(out, strlen(out), &q, &err)) TH_LOG("%s", out);
	ASSERT_TRUE(crs_policy_equal(p, q));
	free(out);
	crs_policy_free(p);
	crs_policy_free(q);
}

TEST_F_TIMEOUT(big, robust_prefixes, 600)
{
	size_t len = strlen(full_policy), i;
	int accepted = 0;
	char *copy;

	for (i = 0; i < len; i++) {
		/* a copy of exactly i bytes, so that reading past it is caught */
		copy = malloc(i ? i : 1);
		memcpy(copy, full_policy, i);
		check_mutant(_metadata, copy, i, &accepted);
		free(copy);
	}
	/* the full text minus its final newline still parses */
	EXPECT_EQ(1, accepted);
}

TEST_F_TIMEOUT(big, robust_byte_flips, 600)
{
	static const unsigned char subst[] = {
		'\0', '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '*', '/', 'x', 0x80, 0xff,
	};
	size_t len = strlen(full_policy), i, k;
	int accepted = 0;
	char *copy = malloc(len);

	for (i = 0; i < len; i++) {
		for (k = 0; k < sizeof(subst) + 1; k++) {
			memcpy(copy, full_policy, len);
			copy[i] = k < sizeof(subst) ? (char)subst[k] : copy[i] ^ 0x20;
			check_mutant(_metadata, copy, len, &accepted);
		}
	}
	free(copy);
	TH_LOG("%d of %zu mutants were valid policies", accepted, len * (sizeof(subst) + 1));
}

TEST(robust_deep_nesting)
{
	char json[4096];
	size_t i, o = 0;

	o += sprintf(json, "{\"name\":\"x\",\"rules\":");
	for (i = 0; i < 1000; i++)
		json[o++] = '[';
	json[o] = '\0';
	EXPECT_INVALID(json, "line 1, column 52: nesting too deep");
}

/* ---------------------------------------------------------- syscall rules */

#define SC_RULE(fields) WITH_RULES("{\"type\":\"syscall\",\"action\":\"deny\"," fields "}")

TEST(syscall_tables)
{
	uint32_t n64 = 0, n32 = 0;

	ASSERT_EQ(0, crs_syscall_lookup("socket", &n64, &n32));
	EXPECT_EQ(41u, n64);
	EXPECT_EQ(359u, n32);
	ASSERT_EQ(0, crs_syscall_lookup("fork", &n64, &n32));
	EXPECT_EQ(57u, n64);
	EXPECT_EQ(2u, n32);
	ASSERT_EQ(0, crs_syscall_lookup("ptrace", &n64, &n32));
	EXPECT_EQ(101u, n64);
	EXPECT_EQ(26u, n32);
	/* i386 only, x86_64 only */
	ASSERT_EQ(0, crs_syscall_lookup("mmap2", &n64, &n32));
	EXPECT_EQ(CRS_SYSCALL_NONE, n64);
	EXPECT_EQ(192u, n32);
	ASSERT_EQ(0, crs_syscall_lookup("arch_prctl", &n64, &n32));
	EXPECT_EQ(158u, n64);
	EXPECT_EQ(384u, n32);
	ASSERT_EQ(0, crs_syscall_lookup("accept", &n64, &n32));
	EXPECT_EQ(43u, n64);
	EXPECT_EQ(CRS_SYSCALL_NONE, n32);
	EXPECT_EQ(-ENOENT, crs_syscall_lookup("ptrac", &n64, &n32));
	EXPECT_EQ(-ENOENT, crs_syscall_lookup("", NULL, NULL));
	EXPECT_EQ(-EINVAL, crs_syscall_lookup(NULL, NULL, NULL));

	EXPECT_STREQ("read", crs_syscall_name(0, CRS_ARCH_X86_64));
	EXPECT_STREQ("ptrace", crs_syscall_name(101, CRS_ARCH_X86_64));
	EXPECT_STREQ("restart_syscall", crs_syscall_name(0, CRS_ARCH_IA32));
	EXPECT_STREQ("socketcall", crs_syscall_name(102, CRS_ARCH_IA32));
	EXPECT_STREQ("ptrace", crs_syscall_name(0x40000000 | 521, CRS_ARCH_X32));
	EXPECT_STREQ("getpid", crs_syscall_name(0x40000000 | 39, CRS_ARCH_X32));
	EXPECT_STREQ("getpid", crs_syscall_name(39, CRS_ARCH_X32));
	EXPECT_NULL(crs_syscall_name(0x40000000 | 101, CRS_ARCH_X32));	/* x86_64 ptrace */
	EXPECT_NULL(crs_syscall_name(1023, CRS_ARCH_X86_64));
	EXPECT_NULL(crs_syscall_name(1024, CRS_ARCH_X86_64));
	EXPECT_NULL(crs_syscall_name(CRS_SYSCALL_NONE, CRS_ARCH_IA32));
	EXPECT_NULL(crs_syscall_name(0, (enum crs_arch)7));

	EXPECT_STREQ("mask_any", crs_arg_op_name(CRS_ARG_MASK_ANY));
	EXPECT_NULL(crs_arg_op_name((enum crs_arg_op)8));
	EXPECT_STREQ("x32", crs_arch_name(CRS_ARCH_X32));
	EXPECT_STREQ("ia32", crs_arch_name(CRS_ARCH_IA32));
	EXPECT_NULL(crs_arch_name((enum crs_arch)3));
}

TEST(syscall_ops_roundtrip_names)
{
	static const char *const ops[] = {
		"eq", "ne", "lt", "le", "gt", "ge", "mask_all", "mask_any",
	};
	enum crs_arg_op op;
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		ASSERT_EQ(0, crs_arg_op_parse(ops[i], &op));
		EXPECT_EQ((int)i, (int)op);
		EXPECT_STREQ(ops[i], crs_arg_op_name(op));
	}
	EXPECT_EQ(-EINVAL, crs_arg_op_parse("EQ", &op));
	EXPECT_EQ(-EINVAL, crs_arg_op_parse("==", &op));
	EXPECT_EQ(-EINVAL, crs_arg_op_parse(NULL, &op));
}

TEST(syscall_rule_by_name)
{
	struct crs_policy *p;
	struct crs_err err;
	const struct crs_policy_rule *r;

	ASSERT_EQ(0, parse(WITH_RULES(
		"{\"name\":\"no attach\",\"type\":\"syscall\",\"program\":\"/usr/bin/gdb\","
		" \"action\":\"deny\",\"syscall\":\"ptrace\","
		" \"args\":[{\"index\":0,\"op\":\"eq\",\"value\":16},"
		"          {\"value\":4096,\"op\":\"mask_any\",\"index\":5}]}"), &p, &err))
		TH_LOG("%s", err.msg);
	ASSERT_EQ(1u, p->n_rules);
	r = &p->rules[0];
	EXPECT_EQ(CRS_RULE_SYSCALL, (int)r->type);
	EXPECT_EQ(CRS_ACTION_DENY, (int)r->action);
	EXPECT_STREQ("no attach", r->name);
	EXPECT_STREQ("/usr/bin/gdb", r->program);
	EXPECT_STREQ("ptrace", r->syscall);
	EXPECT_EQ(101u, r->syscall_nr);
	EXPECT_EQ(26u, r->syscall_nr32);
	EXPECT_NULL(r->path);
	EXPECT_EQ(0u, r->access);
	ASSERT_EQ(2u, r->n_args);
	EXPECT_EQ(0u, r->args[0].index);
	EXPECT_EQ(CRS_ARG_EQ, (int)r->args[0].op);
	EXPECT_EQ(16u, r->args[0].value);
	EXPECT_EQ(5u, r->args[1].index);
	EXPECT_EQ(CRS_ARG_MASK_ANY, (int)r->args[1].op);
	EXPECT_EQ(4096u, r->args[1].value);
	EXPECT_EQ(0, crs_policy_validate(p, &err)) TH_LOG("%s", err.msg);
	crs_policy_free(p);
}

TEST(syscall_rule_by_number_and_defaults)
{
	struct crs_policy *p;
	struct crs_err err;
	char *s;

	/* x86_64 number 272 is unshare; no args, program defaults to "*" */
	ASSERT_EQ(0, parse(SC_RULE("\"syscall\":272"), &p, &err)) TH_LOG("%s", err.msg);
	EXPECT_STREQ("unshare", p->rules[0].syscall);
	EXPECT_EQ(272u, p->rules[0].syscall_nr);
	EXPECT_EQ(310u, p->rules[0].syscall_nr32);
	EXPECT_STREQ("*", p->rules[0].program);
	EXPECT_TRUE(p->rules[0].enabled);
	EXPECT_EQ(0u, p->rules[0].n_args);
	s = crs_policy_to_json(p, false);
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "{\"enabled\":true,\"type\":\"syscall\",\"action\":\"deny\","
				  "\"program\":\"*\",\"syscall\":\"unshare\",\"args\":[]}"))
		TH_LOG("%s", s);
	free(s);
	crs_policy_free(p);

	/* an i386-only call is accepted: its x86_64 number is NONE */
	ASSERT_EQ(0, parse(SC_RULE("\"syscall\":\"socketcall\""), &p, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(CRS_SYSCALL_NONE, p->rules[0].syscall_nr);
	EXPECT_EQ(102u, p->rules[0].syscall_nr32);
	crs_policy_free(p);
}

TEST(syscall_arg_values)
{
	struct crs_policy *p;
	struct crs_err err;
	char *s;

	ASSERT_EQ(0, parse(SC_RULE("\"syscall\":\"ioctl\",\"args\":["
				   "{\"index\":1,\"op\":\"eq\",\"value\":-1},"
				   "{\"index\":2,\"op\":\"le\",\"value\":18446744073709551615},"
				   "{\"index\":3,\"op\":\"ge\",\"value\":9223372036854775808},"
				   "{\"index\":4,\"op\":\"ne\",\"value\":-9223372036854775808},"
				   "{\"index\":0,\"op\":\"mask_all\",\"value\":0}]"), &p, &err))
		TH_LOG("%s", err.msg);
	ASSERT_EQ(5u, p->rules[0].n_args);
	EXPECT_EQ(UINT64_MAX, p->rules[0].args[0].value);
	EXPECT_EQ(UINT64_MAX, p->rules[0].args[1].value);
	EXPECT_EQ(1ULL << 63, p->rules[0].args[2].value);
	EXPECT_EQ(1ULL << 63, p->rules[0].args[3].value);
	EXPECT_EQ(0u, p->rules[0].args[4].value);
	EXPECT_EQ(0u, p->rules[0].args[4].index);
	/* canonical form: unsigned, in the given order */
	s = crs_policy_to_json(p, false);
	ASSERT_NE(NULL, s);
	EXPECT_NE(NULL, strstr(s, "\"syscall\":\"ioctl\",\"args\":["
			       "{\"index\":1,\"op\":\"eq\",\"value\":18446744073709551615},"
			       "{\"index\":2,\"op\":\"le\",\"value\":18446744073709551615},"
			       "{\"index\":3,\"op\":\"ge\",\"value\":9223372036854775808},"
			       "{\"index\":4,\"op\":\"ne\",\"value\":9223372036854775808},"
			       "{\"index\":0,\"op\":\"mask_all\",\"value\":0}]")) TH_LOG("%s", s);
	free(s);
	crs_policy_free(p);
	/* beyond 64 bits: refused by the tokenizer (json-c would clamp) */
	EXPECT_INVALID(SC_RULE("\"syscall\":\"ioctl\",\"args\":"
			       "[{\"index\":1,\"op\":\"eq\",\"value\":18446744073709551616}]"),
		       "line 1, column 111: integer out of range (-2^63 to 2^64-1)");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"ioctl\",\"args\":"
			       "[{\"index\":1,\"op\":\"eq\",\"value\":-9223372036854775809}]"),
		       "line 1, column 111: integer out of range (-2^63 to 2^64-1)");
	EXPECT_INVALID("{\"name\":\"x\",\"z\":[123456789012345678901234567890]}",
		       "line 1, column 18: integer out of range (-2^63 to 2^64-1)");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"ioctl\",\"args\":"
			       "[{\"index\":1,\"op\":\"eq\",\"value\":1.5}]"),
		       "rules[0].args[0].value: expected an integer");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"ioctl\",\"args\":"
			       "[{\"index\":1,\"op\":\"eq\",\"value\":\"16\"}]"),
		       "rules[0].args[0].value: expected an integer");
}

TEST(syscall_rule_errors)
{
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"access\":[\"read\"]},{\"type\":\"execute\",\"action\":\"deny\","
				  "\"path\":\"/b\"},{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/c\","
				  "\"access\":[\"read\"]},"
				  "{\"type\":\"syscall\",\"action\":\"deny\",\"syscall\":\"ptrac\"}"),
		       "rules[3].syscall: unknown system call \"ptrac\"");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"\""), "rules[0].syscall: unknown system call \"\"");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"PTRACE\""),
		       "rules[0].syscall: unknown system call \"PTRACE\"");
	EXPECT_INVALID(SC_RULE("\"syscall\":999"),
		       "rules[0].syscall: unknown x86_64 system call number 999");
	EXPECT_INVALID(SC_RULE("\"syscall\":335"),	/* a hole in the table */
		       "rules[0].syscall: unknown x86_64 system call number 335");
	EXPECT_INVALID(SC_RULE("\"syscall\":-1"),
		       "rules[0].syscall: unknown x86_64 system call number -1");
	EXPECT_INVALID(SC_RULE("\"syscall\":true"),
		       "rules[0].syscall: expected a system call name or x86_64 number");
	EXPECT_INVALID(SC_RULE("\"program\":\"*\""), "rules[0].syscall: missing required field");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"mount\",\"path\":\"/etc\""),
		       "rules[0].path: not allowed on syscall rules");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"mount\",\"access\":[\"read\"]"),
		       "rules[0].access: not allowed on syscall rules");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"mount\",\"port\":80"),
		       "rules[0].port: not allowed on syscall rules");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"access\":[\"read\"],\"args\":[]}"),
		       "rules[0].args: not allowed on file rules");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"execute\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"syscall\":\"execve\"}"),
		       "rules[0].syscall: not allowed on execute rules");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"kill\",\"program\":\"bin/sh\""),
		       "rules[0].program: must start with \"/\" (or be \"*\")");
	/* matchers */
	EXPECT_INVALID(SC_RULE("\"syscall\":\"kill\",\"args\":{}"),
		       "rules[0].args: expected an array of argument matchers");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"kill\",\"args\":[1]"),
		       "rules[0].args[0]: expected an object { \"index\", \"op\", \"value\" }");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"kill\",\"args\":[{\"index\":6,\"op\":\"eq\",\"value\":1}]"),
		       "rules[0].args[0].index: must be 0 to 5");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"kill\",\"args\":[{\"index\":-1,\"op\":\"eq\",\"value\":1}]"),
		       "rules[0].args[0].index: must be 0 to 5");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"kill\",\"args\":[{\"index\":\"0\",\"op\":\"eq\",\"value\":1}]"),
		       "rules[0].args[0].index: expected an integer");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"kill\",\"args\":[{\"index\":1,\"op\":\"==\",\"value\":9}]"),
		       "rules[0].args[0].op: unknown operator \"==\" (eq, ne, lt, le, gt, ge, "
		       "mask_all, mask_any)");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"kill\",\"args\":[{\"index\":1,\"op\":\"eq\"}]"),
		       "rules[0].args[0].value: missing required field");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"kill\",\"args\":[{\"op\":\"eq\",\"value\":1}]"),
		       "rules[0].args[0].index: missing required field");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"kill\",\"args\":[{\"index\":1,\"op\":\"eq\","
			       "\"value\":9,\"mask\":1}]"),
		       "rules[0].args[0].mask: unknown field");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"kill\",\"args\":["
			       "{\"index\":0,\"op\":\"eq\",\"value\":0},{\"index\":1,\"op\":\"eq\",\"value\":1},"
			       "{\"index\":2,\"op\":\"eq\",\"value\":2},{\"index\":3,\"op\":\"eq\",\"value\":3},"
			       "{\"index\":4,\"op\":\"eq\",\"value\":4},{\"index\":5,\"op\":\"eq\",\"value\":5},"
			       "{\"index\":0,\"op\":\"ne\",\"value\":6}]"),
		       "rules[0].args: more than 6 argument matchers");
}

TEST(syscall_six_matchers_ok)
{
	struct crs_policy *p;
	struct crs_err err;

	ASSERT_EQ(0, parse(SC_RULE("\"syscall\":\"kill\",\"args\":["
				   "{\"index\":0,\"op\":\"ge\",\"value\":10},{\"index\":0,\"op\":\"le\",\"value\":20},"
				   "{\"index\":1,\"op\":\"eq\",\"value\":9},{\"index\":1,\"op\":\"ne\",\"value\":8},"
				   "{\"index\":2,\"op\":\"lt\",\"value\":2},{\"index\":3,\"op\":\"gt\",\"value\":3}]"),
			   &p, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(6u, p->rules[0].n_args);
	EXPECT_EQ(CRS_ARG_GT, (int)p->rules[0].args[5].op);
	crs_policy_free(p);
}

static const char syscall_policy[] =
	"{\"name\":\"sc\",\"default_actions\":{\"syscall\":\"deny\"},"
	"\"ignored_syscalls\":[\"read\",\"mmap2\",\"futex\"],\"rules\":["
	"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/etc/shadow\",\"access\":[\"read\"]},"
	"{\"type\":\"syscall\",\"action\":\"allow\",\"syscall\":\"read\"},"
	"{\"name\":\"attach\",\"type\":\"syscall\",\"action\":\"deny\",\"program\":\"/bin/gdb\","
	" \"enabled\":false,\"syscall\":101,"
	" \"args\":[{\"index\":0,\"op\":\"eq\",\"value\":16},{\"index\":2,\"op\":\"mask_all\",\"value\":-4096}]},"
	"{\"type\":\"syscall\",\"action\":\"deny\",\"syscall\":\"mmap2\"}]}";

TEST(syscall_roundtrip)
{
	roundtrip(_metadata, syscall_policy);
}

TEST(syscall_equal_and_validate)
{
	struct crs_policy *a, *b;
	struct crs_err err;
	char *saved;

	ASSERT_EQ(0, parse(syscall_policy, &a, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, parse(syscall_policy, &b, &err));
	EXPECT_TRUE(crs_policy_equal(a, b));
	b->rules[2].args[1].value++;
	EXPECT_FALSE(crs_policy_equal(a, b));
	b->rules[2].args[1].value--;
	b->rules[2].args[1].op = CRS_ARG_MASK_ANY;
	EXPECT_FALSE(crs_policy_equal(a, b));
	b->rules[2].args[1].op = CRS_ARG_MASK_ALL;
	b->rules[2].n_args = 1;
	EXPECT_FALSE(crs_policy_equal(a, b));
	b->rules[2].n_args = 2;
	EXPECT_TRUE(crs_policy_equal(a, b));

	/* crs_policy_validate on a policy changed in memory */
	EXPECT_EQ(0, crs_policy_validate(b, &err)) TH_LOG("%s", err.msg);
	b->rules[2].args[1].index = 6;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[2].args[1].index: must be 0 to 5", err.msg);
	b->rules[2].args[1].index = 2;
	b->rules[2].args[0].op = (enum crs_arg_op)8;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[2].args[0].op: unknown operator 8", err.msg);
	b->rules[2].args[0].op = CRS_ARG_EQ;
	b->rules[2].n_args = 7;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[2].args: more than 6 argument matchers", err.msg);
	b->rules[2].n_args = 2;
	saved = b->rules[2].syscall;
	b->rules[2].syscall = "nosuchcall";
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[2].syscall: unknown system call \"nosuchcall\"", err.msg);
	b->rules[2].syscall = NULL;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[2].syscall: missing required field", err.msg);
	b->rules[2].syscall = saved;
	b->rules[2].access = CRS_ACCESS_READ;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[2].access: not allowed on syscall rules", err.msg);
	b->rules[2].access = 0;
	b->rules[0].n_args = 1;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[0].args: not allowed on file rules", err.msg);
	b->rules[0].n_args = 0;
	EXPECT_EQ(0, crs_policy_validate(b, &err)) TH_LOG("%s", err.msg);
	crs_policy_free(a);
	crs_policy_free(b);
}

/* ------------------------------------------------- network and listener rules */

#define NET_RULE(fields) WITH_RULES("{\"type\":\"network\",\"action\":\"deny\"," fields "}")
#define LST_RULE(fields) WITH_RULES("{\"type\":\"listener\",\"action\":\"deny\"," fields "}")

/* The examples of the design: both parse, with their defaults filled in. */
TEST(net_rules_design_examples)
{
	struct crs_policy *p;
	struct crs_err err;
	const struct crs_policy_rule *r;

	ASSERT_EQ(0, parse(WITH_RULES(
		"{ \"type\": \"listener\", \"program\": \"*\", \"action\": \"allow\", \"port\": 80,"
		"  \"protocol\": \"tcp\" },"
		"{ \"type\": \"network\", \"program\": \"/usr/bin/curl\", \"action\": \"allow\","
		"  \"direction\": \"outbound\", \"address\": \"10.0.0.0/8\", \"port\": \"443\","
		"  \"protocol\": \"tcp\" },"
		"{ \"type\": \"network\", \"action\": \"deny\", \"direction\": \"inbound\" }"),
		&p, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(3u, p->n_rules);
	r = &p->rules[0];
	EXPECT_EQ(CRS_RULE_LISTENER, (int)r->type);
	EXPECT_EQ(CRS_ACTION_ALLOW, (int)r->action);
	EXPECT_STREQ("*", r->program);
	EXPECT_EQ(CRS_PROTO_TCP, (int)r->protocol);
	EXPECT_EQ(0, r->address.family);
	EXPECT_EQ(0u, r->address.prefix_len);
	EXPECT_EQ(80, r->port_min);
	EXPECT_EQ(80, r->port_max);
	EXPECT_EQ(0, (int)r->direction);	/* not used by listener rules */
	EXPECT_NULL(r->path);
	EXPECT_EQ(0u, r->access);
	r = &p->rules[1];
	EXPECT_EQ(CRS_RULE_NETWORK, (int)r->type);
	EXPECT_STREQ("/usr/bin/curl", r->program);
	EXPECT_EQ(CRS_DIR_OUTBOUND, (int)r->direction);
	EXPECT_EQ(CRS_PROTO_TCP, (int)r->protocol);
	EXPECT_EQ(AF_INET, r->address.family);
	EXPECT_EQ(8u, r->address.prefix_len);
	EXPECT_EQ(10, r->address.addr[0]);
	EXPECT_EQ(0, r->address.addr[1]);
	EXPECT_EQ(443, r->port_min);
	EXPECT_EQ(443, r->port_max);
	/* defaults: any protocol, any address, every port */
	r = &p->rules[2];
	EXPECT_EQ(CRS_DIR_INBOUND, (int)r->direction);
	EXPECT_EQ(CRS_PROTO_ANY, (int)r->protocol);
	EXPECT_EQ(0, r->address.family);
	EXPECT_EQ(0, r->port_min);
	EXPECT_EQ(65535, r->port_max);
	EXPECT_EQ(0, crs_policy_validate(p, &err)) TH_LOG("%s", err.msg);
	crs_policy_free(p);
}

/* One rule's canonical JSON from "program" on (address, port, protocol forms). */
static void expect_canonical(struct __test_metadata *_metadata, const char *json,
			     const char *want)
{
	struct crs_policy *p;
	struct crs_err err;
	const char *at;
	char *s;

	ASSERT_EQ(0, parse(json, &p, &err)) TH_LOG("%s: %s", err.msg, json);
	s = crs_policy_to_json(p, false);
	ASSERT_NE(NULL, s);
	at = strstr(s, "\"program\":");
	ASSERT_NE(NULL, at) TH_LOG("%s", s);
	EXPECT_STREQ(want, at) TH_LOG("input: %s", json);
	free(s);
	crs_policy_free(p);
}

TEST(net_rules_canonical)
{
	expect_canonical(_metadata, NET_RULE("\"direction\":\"outbound\""),
			 "\"program\":\"*\",\"direction\":\"outbound\",\"protocol\":\"any\","
			 "\"address\":\"*\",\"port\":\"*\"}]}");
	expect_canonical(_metadata, NET_RULE("\"direction\":\"outbound\",\"program\":\"/usr/bin/curl\","
					     "\"address\":\"10.0.0.0/8\",\"port\":\"443\","
					     "\"protocol\":\"tcp\""),
			 "\"program\":\"/usr/bin/curl\",\"direction\":\"outbound\",\"protocol\":\"tcp\","
			 "\"address\":\"10.0.0.0/8\",\"port\":443}]}");
	/* a bare address is a /32 or /128, written without the prefix */
	expect_canonical(_metadata, NET_RULE("\"direction\":\"inbound\",\"address\":\"10.1.2.3/32\","
					     "\"port\":\"80-80\",\"protocol\":\"udp\""),
			 "\"program\":\"*\",\"direction\":\"inbound\",\"protocol\":\"udp\","
			 "\"address\":\"10.1.2.3\",\"port\":80}]}");
	expect_canonical(_metadata, NET_RULE("\"direction\":\"outbound\",\"address\":\"0:0::1/128\","
					     "\"port\":\"0-65535\""),
			 "\"program\":\"*\",\"direction\":\"outbound\",\"protocol\":\"any\","
			 "\"address\":\"::1\",\"port\":\"*\"}]}");
	/* IPv6 in its shortest lower case form; ranges "N-M"; port 0 is a port */
	expect_canonical(_metadata, NET_RULE("\"direction\":\"outbound\","
					     "\"address\":\"2001:DB8:0:0:0::/32\",\"port\":\"1024-65535\""),
			 "\"program\":\"*\",\"direction\":\"outbound\",\"protocol\":\"any\","
			 "\"address\":\"2001:db8::/32\",\"port\":\"1024-65535\"}]}");
	expect_canonical(_metadata, NET_RULE("\"direction\":\"outbound\",\"address\":\"::/0\","
					     "\"port\":0"),
			 "\"program\":\"*\",\"direction\":\"outbound\",\"protocol\":\"any\","
			 "\"address\":\"::/0\",\"port\":0}]}");
	/* 0.0.0.0/0 is every IPv4 address, not "*" (both families) */
	expect_canonical(_metadata, NET_RULE("\"direction\":\"outbound\",\"address\":\"0.0.0.0/0\","
					     "\"protocol\":\"icmp\",\"port\":\"*\""),
			 "\"program\":\"*\",\"direction\":\"outbound\",\"protocol\":\"icmp\","
			 "\"address\":\"0.0.0.0/0\",\"port\":\"*\"}]}");
	/* icmp with the whole range spelled out */
	expect_canonical(_metadata, NET_RULE("\"direction\":\"outbound\",\"protocol\":\"icmp\","
					     "\"port\":\"0-65535\""),
			 "\"program\":\"*\",\"direction\":\"outbound\",\"protocol\":\"icmp\","
			 "\"address\":\"*\",\"port\":\"*\"}]}");
	/* listener rules: no direction */
	expect_canonical(_metadata, LST_RULE("\"address\":\"fe80::/10\",\"port\":\"8000-8080\","
					     "\"protocol\":\"tcp\""),
			 "\"program\":\"*\",\"protocol\":\"tcp\",\"address\":\"fe80::/10\","
			 "\"port\":\"8000-8080\"}]}");
	expect_canonical(_metadata, LST_RULE("\"program\":\"/usr/sbin/nginx\""),
			 "\"program\":\"/usr/sbin/nginx\",\"protocol\":\"any\",\"address\":\"*\","
			 "\"port\":\"*\"}]}");
}

/* IPv4-mapped IPv6 addresses and prefixes become IPv4. */
TEST(net_rules_mapped)
{
	expect_canonical(_metadata, NET_RULE("\"direction\":\"outbound\",\"address\":\"::ffff:10.0.0.1\""),
			 "\"program\":\"*\",\"direction\":\"outbound\",\"protocol\":\"any\","
			 "\"address\":\"10.0.0.1\",\"port\":\"*\"}]}");
	expect_canonical(_metadata, NET_RULE("\"direction\":\"outbound\","
					     "\"address\":\"::ffff:10.0.0.0/104\""),
			 "\"program\":\"*\",\"direction\":\"outbound\",\"protocol\":\"any\","
			 "\"address\":\"10.0.0.0/8\",\"port\":\"*\"}]}");
	expect_canonical(_metadata, LST_RULE("\"address\":\"::FFFF:a00:1\""),
			 "\"program\":\"*\",\"protocol\":\"any\",\"address\":\"10.0.0.1\","
			 "\"port\":\"*\"}]}");
	expect_canonical(_metadata, LST_RULE("\"address\":\"::ffff:0:0/96\""),
			 "\"program\":\"*\",\"protocol\":\"any\",\"address\":\"0.0.0.0/0\","
			 "\"port\":\"*\"}]}");
	/* IPv4-compatible (::a.b.c.d, deprecated) is not mapped: it stays IPv6 */
	expect_canonical(_metadata, LST_RULE("\"address\":\"::10.0.0.1\""),
			 "\"program\":\"*\",\"protocol\":\"any\",\"address\":\"::10.0.0.1\","
			 "\"port\":\"*\"}]}");
	EXPECT_INVALID(NET_RULE("\"direction\":\"outbound\",\"address\":\"::ffff:0:0/95\""),
		       "rules[0].address: an IPv4-mapped prefix must be /96 or longer");
	EXPECT_INVALID(NET_RULE("\"direction\":\"outbound\",\"address\":\"::ffff:10.0.0.1/104\""),
		       "rules[0].address: host bits set; did you mean 10.0.0.0/8?");
}

TEST(net_rules_errors)
{
	/* the field is named, with the rule's position */
	EXPECT_INVALID(WITH_RULES(
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\",\"access\":[\"read\"]},"
		"{\"type\":\"execute\",\"action\":\"deny\",\"path\":\"/b\"},"
		"{\"type\":\"syscall\",\"action\":\"deny\",\"syscall\":\"ptrace\"},"
		"{\"type\":\"listener\",\"action\":\"allow\",\"port\":70000}"),
		"rules[3].port: 70000 is out of range (0 to 65535)");
	/* ports */
	EXPECT_INVALID(LST_RULE("\"port\":-1"), "rules[0].port: -1 is out of range (0 to 65535)");
	EXPECT_INVALID(LST_RULE("\"port\":65536"), "rules[0].port: 65536 is out of range (0 to 65535)");
	EXPECT_INVALID(LST_RULE("\"port\":\"70000\""),
		       "rules[0].port: 70000 is out of range (0 to 65535)");
	EXPECT_INVALID(LST_RULE("\"port\":\"1-70000\""),
		       "rules[0].port: 70000 is out of range (0 to 65535)");
	EXPECT_INVALID(NET_RULE("\"direction\":\"outbound\",\"port\":\"2000-1000\""),
		       "rules[0].port: empty range \"2000-1000\" (the first port must not be "
		       "greater than the second)");
	EXPECT_INVALID(LST_RULE("\"port\":80.5"),
		       "rules[0].port: expected a port number, \"N-M\" or \"*\"");
	EXPECT_INVALID(LST_RULE("\"port\":null"),
		       "rules[0].port: expected a port number, \"N-M\" or \"*\"");
	EXPECT_INVALID(LST_RULE("\"port\":[80]"),
		       "rules[0].port: expected a port number, \"N-M\" or \"*\"");
	static const char *const bad_ports[] = {
		"", "http", "-80", "80-", "-", "80 ", " 80", "+80", "80-90-100", "0x50",
		"123456", "1-123456", "*-80", "80,443",
	};
	for (size_t i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++) {
		char json[256], want[256];

		snprintf(json, sizeof(json), LST_RULE("\"port\":\"%s\""), bad_ports[i]);
		snprintf(want, sizeof(want), "rules[0].port: \"%s\": must be a port number "
			 "(0 to 65535), \"N-M\" or \"*\"", bad_ports[i]);
		EXPECT_INVALID(json, want);
	}
	EXPECT_INVALID(NET_RULE("\"direction\":\"outbound\",\"protocol\":\"icmp\",\"port\":7"),
		       "rules[0].port: ICMP has no ports; must be \"*\" with protocol \"icmp\"");
	EXPECT_INVALID(NET_RULE("\"direction\":\"outbound\",\"protocol\":\"icmp\",\"port\":\"0-1023\""),
		       "rules[0].port: ICMP has no ports; must be \"*\" with protocol \"icmp\"");
	/* addresses */
	EXPECT_INVALID(NET_RULE("\"direction\":\"outbound\",\"address\":\"10.0.0.0/33\""),
		       "rules[0].address: IPv4 prefix length must be 0 to 32");
	EXPECT_INVALID(NET_RULE("\"direction\":\"outbound\",\"address\":\"2001:db8::/129\""),
		       "rules[0].address: IPv6 prefix length must be 0 to 128");
	EXPECT_INVALID(NET_RULE("\"direction\":\"outbound\",\"address\":\"10.0.0.1/8\""),
		       "rules[0].address: host bits set; did you mean 10.0.0.0/8?");
	EXPECT_INVALID(LST_RULE("\"address\":\"2001:db8::1/32\""),
		       "rules[0].address: host bits set; did you mean 2001:db8::/32?");
	EXPECT_INVALID(LST_RULE("\"address\":\"192.168.1.129/25\""),
		       "rules[0].address: host bits set; did you mean 192.168.1.128/25?");
	static const char *const bad_addrs[] = {
		"", "localhost", "10.0.0", "10.0.0.256", "010.0.0.1", "10.0.0.1.", "1.2.3.4 ",
		"::g", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0", "*/8", "**", "/8", "[::1]",
		"10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/08", "10.0.0.0/8/8",
		"10.0.0.0/1000", "10.0.0.0/ 8",
	};
	for (size_t i = 0; i < sizeof(bad_addrs) / sizeof(bad_addrs[0]); i++) {
		char json[256];

		snprintf(json, sizeof(json), LST_RULE("\"address\":\"%s\""), bad_addrs[i]);
		struct crs_policy *p = NULL;
		struct crs_err err;

		EXPECT_EQ(-EINVAL, parse(json, &p, &err)) TH_LOG("%s", json);
		EXPECT_EQ(0, strncmp(err.msg, "rules[0].address: ", 18)) TH_LOG("%s", err.msg);
		EXPECT_NULL(p);
	}
	EXPECT_INVALID(LST_RULE("\"address\":\"localhost\""),
		       "rules[0].address: not an IPv4 or IPv6 address or prefix (\"*\" for any)");
	EXPECT_INVALID(LST_RULE("\"address\":\"10.0.0.0/08\""),
		       "rules[0].address: the prefix length must be a decimal number");
	EXPECT_INVALID(LST_RULE("\"address\":10"),
		       "rules[0].address: expected a string (\"*\", an IPv4 or IPv6 address or prefix)");
	/* protocol and direction */
	EXPECT_INVALID(NET_RULE("\"direction\":\"outbound\",\"protocol\":\"sctp\""),
		       "rules[0].protocol: must be \"tcp\", \"udp\", \"icmp\" or \"any\"");
	EXPECT_INVALID(NET_RULE("\"direction\":\"outbound\",\"protocol\":\"TCP\""),
		       "rules[0].protocol: must be \"tcp\", \"udp\", \"icmp\" or \"any\"");
	EXPECT_INVALID(LST_RULE("\"protocol\":\"sctp\""),
		       "rules[0].protocol: must be \"tcp\", \"udp\" or \"any\"");
	EXPECT_INVALID(LST_RULE("\"protocol\":\"icmp\""),
		       "rules[0].protocol: must be \"tcp\", \"udp\" or \"any\" on listener rules "
		       "(nothing listens on ICMP)");
	EXPECT_INVALID(NET_RULE("\"protocol\":\"tcp\""),
		       "rules[0].direction: missing required field (\"outbound\" or \"inbound\")");
	EXPECT_INVALID(NET_RULE("\"direction\":\"in\""),
		       "rules[0].direction: must be \"outbound\" or \"inbound\"");
	EXPECT_INVALID(NET_RULE("\"direction\":1"), "rules[0].direction: expected a string");
	EXPECT_INVALID(LST_RULE("\"direction\":\"inbound\""),
		       "rules[0].direction: not allowed on listener rules");
	/* inbound rules: no program */
	EXPECT_INVALID(NET_RULE("\"direction\":\"inbound\",\"program\":\"/usr/sbin/sshd\""),
		       "rules[0].program: inbound rules match packets before any program "
		       "receives them; must be \"*\"");
	EXPECT_INVALID(NET_RULE("\"direction\":\"inbound\",\"program\":\"/**\""),
		       "rules[0].program: inbound rules match packets before any program "
		       "receives them; must be \"*\"");
	/* fields of other rule types */
	EXPECT_INVALID(NET_RULE("\"direction\":\"outbound\",\"path\":\"/etc\""),
		       "rules[0].path: not allowed on network rules");
	EXPECT_INVALID(NET_RULE("\"direction\":\"outbound\",\"access\":[\"read\"]"),
		       "rules[0].access: not allowed on network rules");
	EXPECT_INVALID(LST_RULE("\"syscall\":\"bind\""),
		       "rules[0].syscall: not allowed on listener rules");
	EXPECT_INVALID(LST_RULE("\"args\":[]"), "rules[0].args: not allowed on listener rules");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"access\":[\"read\"],\"address\":\"*\"}"),
		       "rules[0].address: not allowed on file rules");
	EXPECT_INVALID(WITH_RULES("{\"type\":\"execute\",\"action\":\"deny\",\"path\":\"/a\","
				  "\"direction\":\"outbound\"}"),
		       "rules[0].direction: not allowed on execute rules");
	EXPECT_INVALID(SC_RULE("\"syscall\":\"connect\",\"protocol\":\"tcp\""),
		       "rules[0].protocol: not allowed on syscall rules");
	EXPECT_INVALID(LST_RULE("\"prot\":\"tcp\""), "rules[0].prot: unknown field");
	/* the common fields are checked as for every rule */
	EXPECT_INVALID(WITH_RULES("{\"type\":\"listener\",\"port\":80}"),
		       "rules[0].action: missing required field");
	EXPECT_INVALID(LST_RULE("\"program\":\"usr/bin/x\""),
		       "rules[0].program: must start with \"/\" (or be \"*\")");
	/* duplicate keys keep their line and column */
	EXPECT_INVALID(LST_RULE("\"port\":80,\"port\":81"),
		       "rules[0].port: duplicate field (line 1, column 67)");
}

static const char net_policy[] =
	"{\"name\":\"net\",\"default_actions\":{\"network\":\"deny\",\"listener\":\"deny\"},\"rules\":["
	"{\"type\":\"network\",\"program\":\"/usr/bin/curl\",\"action\":\"allow\","
	" \"direction\":\"outbound\",\"address\":\"10.0.0.0/8\",\"port\":\"443\",\"protocol\":\"tcp\"},"
	"{\"name\":\"dns\",\"type\":\"network\",\"action\":\"allow\",\"direction\":\"outbound\","
	" \"address\":\"2001:db8::53\",\"port\":53,\"protocol\":\"udp\",\"enabled\":false},"
	"{\"type\":\"network\",\"action\":\"deny\",\"direction\":\"inbound\",\"address\":\"::ffff:192.0.2.0/120\","
	" \"port\":\"1-1023\"},"
	"{\"type\":\"network\",\"action\":\"allow\",\"direction\":\"outbound\",\"protocol\":\"icmp\"},"
	"{\"type\":\"listener\",\"program\":\"*\",\"action\":\"allow\",\"port\":80,\"protocol\":\"tcp\"},"
	"{\"type\":\"listener\",\"program\":\"/usr/sbin/named\",\"action\":\"allow\",\"address\":\"::\","
	" \"port\":\"53\"},"
	"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/etc/shadow\",\"access\":[\"read\"]},"
	"{\"type\":\"syscall\",\"action\":\"deny\",\"syscall\":\"ptrace\"}]}";

TEST(net_roundtrip)
{
	roundtrip(_metadata, net_policy);
}

TEST(net_equal_and_validate)
{
	struct crs_policy *a, *b;
	struct crs_err err;
	struct crs_policy_rule *r;

	ASSERT_EQ(0, parse(net_policy, &a, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, parse(net_policy, &b, &err));
	EXPECT_TRUE(crs_policy_equal(a, b));
	r = &b->rules[0];
	r->direction = CRS_DIR_INBOUND;
	EXPECT_FALSE(crs_policy_equal(a, b));
	r->direction = CRS_DIR_OUTBOUND;
	r->protocol = CRS_PROTO_UDP;
	EXPECT_FALSE(crs_policy_equal(a, b));
	r->protocol = CRS_PROTO_TCP;
	r->port_min = 442;
	EXPECT_FALSE(crs_policy_equal(a, b));
	r->port_min = 443;
	r->port_max = 444;
	EXPECT_FALSE(crs_policy_equal(a, b));
	r->port_max = 443;
	r->address.prefix_len = 9;
	EXPECT_FALSE(crs_policy_equal(a, b));
	r->address.prefix_len = 8;
	r->address.addr[0] = 11;
	EXPECT_FALSE(crs_policy_equal(a, b));
	r->address.addr[0] = 10;
	r->address.family = AF_INET6;
	EXPECT_FALSE(crs_policy_equal(a, b));
	r->address.family = AF_INET;
	/* bytes past an IPv4 address do not count */
	r->address.addr[7] = 1;
	EXPECT_TRUE(crs_policy_equal(a, b));
	r->address.addr[7] = 0;
	EXPECT_EQ(0, crs_policy_validate(b, &err)) TH_LOG("%s", err.msg);

	/* crs_policy_validate on rules changed in memory */
	r->address.addr[3] = 1;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[0].address: host bits set; did you mean 10.0.0.0/8?", err.msg);
	r->address.addr[3] = 0;
	r->address.prefix_len = 33;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[0].address: IPv4 prefix length must be 0 to 32", err.msg);
	r->address.prefix_len = 8;
	r->address.family = AF_UNIX;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[0].address: unknown address family", err.msg);
	r->address.family = AF_INET;
	r->port_min = 500;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[0].port: empty range 500-443 (the first port must not be greater "
		     "than the second)", err.msg);
	r->port_min = 443;
	r->protocol = CRS_PROTO_ICMP;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[0].port: ICMP has no ports; must be \"*\" with protocol \"icmp\"",
		     err.msg);
	r->protocol = (enum crs_proto)9;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[0].protocol: unknown protocol 9", err.msg);
	r->protocol = CRS_PROTO_TCP;
	r->direction = (enum crs_direction)2;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[0].direction: unknown direction 2", err.msg);
	r->direction = CRS_DIR_INBOUND;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[0].program: inbound rules match packets before any program "
		     "receives them; must be \"*\"", err.msg);
	r->direction = CRS_DIR_OUTBOUND;
	r->access = CRS_ACCESS_READ;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[0].access: not allowed on network rules", err.msg);
	r->access = 0;
	EXPECT_EQ(0, crs_policy_validate(b, &err)) TH_LOG("%s", err.msg);

	/* an IPv4-mapped AF_INET6 address is not canonical: it must be AF_INET */
	r = &b->rules[5];
	ASSERT_EQ(CRS_RULE_LISTENER, (int)r->type);
	ASSERT_EQ(AF_INET6, r->address.family);
	r->address.addr[10] = r->address.addr[11] = 0xff;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[5].address: an IPv4-mapped address must be stored as AF_INET", err.msg);
	/* a shorter prefix over those bytes is a host bits error first */
	r->address.prefix_len = 80;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[5].address: host bits set; did you mean ::/80?", err.msg);
	r->address.addr[10] = r->address.addr[11] = 0;
	/* "*" has no address bits */
	r->address.family = 0;
	r->address.prefix_len = 1;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[5].address: family 0 (any address) must have no address bits and "
		     "prefix 0", err.msg);
	r->address.prefix_len = 0;
	r->address.family = AF_INET6;
	r->address.prefix_len = 128;
	r->direction = CRS_DIR_INBOUND;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[5].direction: not allowed on listener rules", err.msg);
	r->direction = 0;
	r->protocol = CRS_PROTO_ICMP;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[5].protocol: must be \"tcp\", \"udp\" or \"any\" on listener rules "
		     "(nothing listens on ICMP)", err.msg);
	r->protocol = CRS_PROTO_ANY;
	EXPECT_EQ(0, crs_policy_validate(b, &err)) TH_LOG("%s", err.msg);

	/* network fields on other rule types */
	b->rules[6].port_max = 80;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[6].port: not allowed on file rules", err.msg);
	b->rules[6].port_max = 0;
	b->rules[7].protocol = CRS_PROTO_TCP;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[7].protocol: not allowed on syscall rules", err.msg);
	b->rules[7].protocol = CRS_PROTO_ANY;
	b->rules[7].address.family = AF_INET;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[7].address: not allowed on syscall rules", err.msg);
	b->rules[7].address.family = 0;
	b->rules[6].direction = CRS_DIR_INBOUND;
	EXPECT_EQ(-EINVAL, crs_policy_validate(b, &err));
	EXPECT_STREQ("rules[6].direction: not allowed on file rules", err.msg);
	b->rules[6].direction = 0;
	EXPECT_EQ(0, crs_policy_validate(b, &err)) TH_LOG("%s", err.msg);
	EXPECT_TRUE(crs_policy_equal(a, b));
	crs_policy_free(a);
	crs_policy_free(b);
}

/* Single-byte corruptions of the network policy: errors, or valid policies that round-trip. */
TEST_F_TIMEOUT(big, net_robust_byte_flips, 600)
{
	static const unsigned char subst[] = {
		'\0', '"', '{', '}', ',', ':', '*', '/', '-', '.', '0', '9', 'f', 0xff,
	};
	size_t len = strlen(net_policy), i, k;
	int accepted = 0;
	char *copy = malloc(len);

	for (i = 0; i < len; i++) {
		for (k = 0; k < sizeof(subst) + 1; k++) {
			memcpy(copy, net_policy, len);
			copy[i] = k < sizeof(subst) ? (char)subst[k] : copy[i] ^ 0x20;
			check_mutant(_metadata, copy, len, &accepted);
		}
	}
	free(copy);
	TH_LOG("%d of %zu mutants were valid policies", accepted, len * (sizeof(subst) + 1));
}

TEST(net_names_and_addresses)
{
	static const struct { const char *in, *out; int family; uint32_t plen; } ok[] = {
		{ "*", "*", 0, 0 },
		{ "10.0.0.1", "10.0.0.1", AF_INET, 32 },
		{ "10.0.0.0/8", "10.0.0.0/8", AF_INET, 8 },
		{ "0.0.0.0/0", "0.0.0.0/0", AF_INET, 0 },
		{ "255.255.255.255/32", "255.255.255.255", AF_INET, 32 },
		{ "128.0.0.0/1", "128.0.0.0/1", AF_INET, 1 },
		{ "2001:db8::/32", "2001:db8::/32", AF_INET6, 32 },
		{ "2001:0DB8:0000::1", "2001:db8::1", AF_INET6, 128 },
		{ "::", "::", AF_INET6, 128 },
		{ "::/0", "::/0", AF_INET6, 0 },
		{ "ff00::/8", "ff00::/8", AF_INET6, 8 },
		{ "fe80::/10", "fe80::/10", AF_INET6, 10 },
		{ "::ffff:10.0.0.1", "10.0.0.1", AF_INET, 32 },
		{ "::ffff:10.0.0.0/104", "10.0.0.0/8", AF_INET, 8 },
		{ "::ffff:0.0.0.0/96", "0.0.0.0/0", AF_INET, 0 },
		{ "::ffff:a00:0/103", "10.0.0.0/7", AF_INET, 7 },
	};
	static const struct { const char *in, *why; } bad[] = {
		{ "", "not an IPv4 or IPv6 address or prefix (\"*\" for any)" },
		{ "10.0.0.0/33", "IPv4 prefix length must be 0 to 32" },
		{ "::/129", "IPv6 prefix length must be 0 to 128" },
		{ "10.0.0.1/8", "host bits set" },
		{ "::ffff:10.0.0.0/95", "an IPv4-mapped prefix must be /96 or longer" },
		{ "10.0.0.0/x", "the prefix length must be a decimal number" },
	};
	struct crs_net_addr a;
	const char *why;
	enum crs_proto pr;
	enum crs_direction d;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		memset(&a, 0x55, sizeof(a));
		why = NULL;
		EXPECT_EQ(0, crs_net_addr_parse(ok[i].in, &a, &why)) TH_LOG("%s: %s", ok[i].in, why);
		EXPECT_EQ(ok[i].family, a.family) TH_LOG("%s", ok[i].in);
		EXPECT_EQ(ok[i].plen, a.prefix_len) TH_LOG("%s", ok[i].in);
		EXPECT_STREQ(ok[i].out, crs_net_addr_str(&a, buf, sizeof(buf)));
	}
	EXPECT_EQ(0, crs_net_addr_parse("*", &a, NULL));
	for (i = 0; i < 16; i++)
		EXPECT_EQ(0, a.addr[i]);
	EXPECT_EQ(0, crs_net_addr_parse("192.0.2.7", &a, NULL));
	EXPECT_EQ(192, a.addr[0]);
	EXPECT_EQ(7, a.addr[3]);
	EXPECT_EQ(0, a.addr[4]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		EXPECT_EQ(-EINVAL, crs_net_addr_parse(bad[i].in, &a, &why)) TH_LOG("%s", bad[i].in);
		EXPECT_STREQ(bad[i].why, why);
	}
	EXPECT_EQ(-EINVAL, crs_net_addr_parse(NULL, &a, NULL));
	/* a short buffer truncates and stays terminated */
	ASSERT_EQ(0, crs_net_addr_parse("2001:db8::/32", &a, NULL));
	EXPECT_STREQ("2001", crs_net_addr_str(&a, buf, 5));
	a.family = 99;
	EXPECT_STREQ("?", crs_net_addr_str(&a, buf, sizeof(buf)));

	EXPECT_STREQ("any", crs_proto_name(CRS_PROTO_ANY));
	EXPECT_STREQ("tcp", crs_proto_name(CRS_PROTO_TCP));
	EXPECT_STREQ("udp", crs_proto_name(CRS_PROTO_UDP));
	EXPECT_STREQ("icmp", crs_proto_name(CRS_PROTO_ICMP));
	EXPECT_NULL(crs_proto_name(4));
	EXPECT_EQ(0, crs_proto_parse("udp", &pr));
	EXPECT_EQ(CRS_PROTO_UDP, (int)pr);
	EXPECT_EQ(-EINVAL, crs_proto_parse("UDP", &pr));
	EXPECT_EQ(-EINVAL, crs_proto_parse(NULL, &pr));
	EXPECT_STREQ("outbound", crs_direction_name(CRS_DIR_OUTBOUND));
	EXPECT_STREQ("inbound", crs_direction_name(CRS_DIR_INBOUND));
	EXPECT_NULL(crs_direction_name(2));
	EXPECT_EQ(0, crs_direction_parse("inbound", &d));
	EXPECT_EQ(CRS_DIR_INBOUND, (int)d);
	EXPECT_EQ(-EINVAL, crs_direction_parse("egress", &d));
}

TEST_HARNESS_MAIN
