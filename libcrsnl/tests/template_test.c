// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host unit tests of learning slice 4 (docs/learning.md sections 4, 5, 7):
 * the profile document (round trip, errors), crs_obs_key, crs_policy_match
 * against hand-made policies (docs/policy.md "Which rule decides"), each
 * generalisation and its negatives, merge semantics, the report, the
 * glob/rule limits, crs_template_verify on tampered templates, and the
 * property: random profiles verify, and the template allows unseen accesses
 * only inside the documented closure (computed here independently, with
 * fnmatch(3) on closure globs written from the docs).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include "kselftest_harness.h"
#include "crsnl_int.h"

/* ------------------------------------------------------------ helpers */

static struct crs_learned *prof_new(void)
{
	struct crs_learned *l = calloc(1, sizeof(*l));

	if (!l)
		abort();
	l->info.max = 16384;
	l->info.state = CRS_LEARN_STATE_RECORDING;
	return l;
}

static struct crs_observation *obs_add(struct crs_learned *l, enum crs_rule_type t,
				       const char *prog)
{
	struct crs_observation *o;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->obs = realloc(l->obs, l->cap * sizeof(*l->obs));
		if (!l->obs)
			abort();
	}
	o = &l->obs[l->n];
	memset(o, 0, sizeof(*o));
	o->index = (uint32_t)l->n++;
	o->type = t;
	o->program = prog ? strdup(prog) : NULL;
	o->outcome = CRS_OBS_ALLOWED;
	o->pid_off = -1;
	return o;
}

static struct crs_observation *file(struct crs_learned *l, const char *prog, const char *path,
				    uint32_t access)
{
	struct crs_observation *o = obs_add(l, CRS_RULE_FILE, prog);

	o->path = strdup(path);
	o->access = access;
	return o;
}

static struct crs_observation *exec_(struct crs_learned *l, const char *prog, const char *path)
{
	struct crs_observation *o = obs_add(l, CRS_RULE_EXECUTE, prog);

	o->path = strdup(path);
	o->access = CRS_ACCESS_EXEC;
	return o;
}

static struct crs_observation *net(struct crs_learned *l, enum crs_rule_type t, int dir,
				   const char *prog, enum crs_proto proto, const char *addr,
				   uint16_t port, bool autoport)
{
	struct crs_observation *o = obs_add(l, t, dir == CRS_DIR_INBOUND &&
					    t == CRS_RULE_NETWORK ? NULL : prog);
	struct crs_net_addr a;

	if (crs_net_addr_parse(addr, &a, NULL))
		abort();
	o->direction = t == CRS_RULE_NETWORK ? dir : 0;
	o->protocol = proto;
	o->family = a.family;
	memcpy(o->addr, a.addr, 16);
	o->port = port;
	o->flags = autoport ? CRS_OBS_F_AUTOPORT : 0;
	return o;
}

static struct crs_observation *sys(struct crs_learned *l, const char *prog, const char *name,
				   enum crs_arch arch)
{
	struct crs_observation *o = obs_add(l, CRS_RULE_SYSCALL, prog);
	uint32_t n64, n32;

	if (crs_syscall_lookup(name, &n64, &n32))
		abort();
	o->arch = arch;
	o->syscall_nr = arch == CRS_ARCH_IA32 ? n32 : n64;
	return o;
}

static struct crs_policy *pol(const char *json)
{
	struct crs_policy *p = NULL;
	struct crs_err err;

	if (crs_policy_parse(json, strlen(json), &p, &err)) {
		fprintf(stderr, "policy: %s\n", err.msg);
		abort();
	}
	return p;
}

/* Build with default options (new policy) or the given ones; abort on failure. */
static struct crs_template *build(const struct crs_learned *l, const struct crs_template_opts *o)
{
	struct crs_template_opts d = { .mode = -1 };
	struct crs_template *t = NULL;
	struct crs_err err;
	int e = crs_template_build(l, o ? o : &d, &t, &err);

	if (e) {
		fprintf(stderr, "template: %d %s\n", e, err.msg);
		abort();
	}
	return t;
}

/* The added rule at position k (0-based among the added) and its rewrite. */
static const struct crs_policy_rule *added(struct crs_template *t, size_t k, int *gen)
{
	size_t n;
	struct crs_tmeta *m = crs_template_meta(t, &n);

	if (k >= n)
		return NULL;
	if (gen)
		*gen = m[k].gen;
	return &t->policy->rules[m[k].index];
}

/* Is the observation allowed by p? */
static bool allows(const struct crs_policy *p, const struct crs_observation *o)
{
	enum crs_action a;

	crs_policy_match(p, o, &a);
	return a == CRS_ACTION_ALLOW;
}

/* ------------------------------------------------ the profile document */

TEST(profile_roundtrip)
{
	struct crs_learned *l = prof_new(), *back = NULL;
	struct crs_err err;
	char *j1, *j2;
	size_t i;

	l->cgroup_id = 77;
	l->info.epoch = 0xfffffffffffffffeULL;	/* above INT64_MAX */
	l->info.generation = 9;
	l->info.records = 8;
	l->info.dropped_full = 2;
	file(l, "/usr/bin/redis", "/data/temp-15.rdb", CRS_ACCESS_READ | CRS_ACCESS_WRITE)->pid_off = 11;
	exec_(l, "/bin/sh", "/usr/bin/id")->outcome = CRS_OBS_DENIED;
	net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, "/usr/bin/curl", CRS_PROTO_TCP, "10.0.0.1", 443, false);
	net(l, CRS_RULE_NETWORK, CRS_DIR_INBOUND, NULL, CRS_PROTO_UDP, "2001:db8::1", 40000, true);
	net(l, CRS_RULE_LISTENER, 0, "/usr/bin/redis", CRS_PROTO_TCP, "0.0.0.0", 6379, false);
	sys(l, "/usr/bin/redis", "epoll_wait", CRS_ARCH_X86_64);
	sys(l, "/usr/bin/app32", "socketcall", CRS_ARCH_IA32);
	obs_add(l, CRS_RULE_SYSCALL, "/x")->syscall_nr = 4000;	/* unknown: written as a number */

	j1 = crs_learned_to_json(l, true);
	ASSERT_NE(NULL, j1);
	EXPECT_NE(NULL, strstr(j1, "\"pid_offset\": 11"));
	EXPECT_NE(NULL, strstr(j1, "\"program\": null"));
	EXPECT_NE(NULL, strstr(j1, "\"address\": \"2001:db8::1\""));
	EXPECT_NE(NULL, strstr(j1, "\"auto_port\": true"));
	EXPECT_NE(NULL, strstr(j1, "\"syscall\": \"socketcall\""));
	EXPECT_NE(NULL, strstr(j1, "\"arch\": \"ia32\""));
	EXPECT_NE(NULL, strstr(j1, "\"syscall\": 4000"));
	EXPECT_NE(NULL, strstr(j1, "\"complete\": false"));
	ASSERT_EQ(0, crs_learned_parse(j1, strlen(j1), &back, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(l->n, back->n);
	EXPECT_EQ(77u, back->cgroup_id);
	EXPECT_EQ(0xfffffffffffffffeULL, back->info.epoch);
	EXPECT_EQ(2u, back->info.dropped_full);
	for (i = 0; i < l->n; i++) {
		char *k1 = crs_obs_key(&l->obs[i]), *k2 = crs_obs_key(&back->obs[i]);

		ASSERT_NE(NULL, k1);
		EXPECT_STREQ(k1, k2);
		EXPECT_EQ(l->obs[i].access, back->obs[i].access);
		EXPECT_EQ(l->obs[i].outcome, back->obs[i].outcome);
		EXPECT_EQ(l->obs[i].flags, back->obs[i].flags);
		EXPECT_EQ(l->obs[i].pid_off, back->obs[i].pid_off);
		free(k1);
		free(k2);
	}
	j2 = crs_learned_to_json(back, true);
	EXPECT_STREQ(j1, j2);
	free(j1);
	free(j2);
	crs_learned_free(back);
	crs_learned_free(l);
}

TEST(obs_key)
{
	struct crs_learned *l = prof_new();
	char *a, *b, *c, *d;

	file(l, "/bin/a", "/etc/x", CRS_ACCESS_READ);
	file(l, "/bin/a", "/etc/x", CRS_ACCESS_WRITE)->outcome = CRS_OBS_DENIED;
	file(l, "/bin/b", "/etc/x", CRS_ACCESS_READ);
	/* a path that embeds what looks like a separator and a program */
	file(l, "/bin/a /etc/x", "", CRS_ACCESS_READ);
	a = crs_obs_key(&l->obs[0]);
	b = crs_obs_key(&l->obs[1]);
	c = crs_obs_key(&l->obs[2]);
	d = crs_obs_key(&l->obs[3]);
	EXPECT_STREQ(a, b);	/* access and outcome are not part of it */
	EXPECT_STRNE(a, c);
	EXPECT_STRNE(a, d);
	free(a);
	free(b);
	free(c);
	free(d);
	crs_learned_free(l);
}

static const char prof_head[] = "{\"version\":1,\"dropped\":{\"full\":0,\"long\":0},\"observations\":[";

static void expect_parse_error(struct __test_metadata *_metadata, const char *obs,
			       const char *msg)
{
	char doc[2048];
	struct crs_learned *l = NULL;
	struct crs_err err;

	snprintf(doc, sizeof(doc), "%s%s]}", prof_head, obs);
	EXPECT_EQ(-EINVAL, crs_learned_parse(doc, strlen(doc), &l, &err)) TH_LOG("%s", doc);
	EXPECT_EQ(NULL, l);
	EXPECT_STREQ(msg, err.msg);
}

TEST(profile_errors)
{
	static const char ok[] = "{\"type\":\"file\",\"program\":\"/a\",\"outcome\":\"allowed\","
				 "\"path\":\"/x\",\"access\":\"read\"},";
	struct crs_learned *l = NULL;
	struct crs_err err;
	char doc[1024];

	expect_parse_error(_metadata, "{\"type\":\"network\",\"program\":\"/a\",\"outcome\":\"allowed\","
			   "\"direction\":\"outbound\",\"protocol\":\"tcp\",\"address\":\"10.0.0.1\","
			   "\"port\":70000}",
			   "observations[0].port: 70000 is out of range (0 to 65535)");
	snprintf(doc, sizeof(doc), "%s{\"type\":\"listener\",\"program\":\"/a\",\"outcome\":\"allowed\","
		 "\"protocol\":\"tcp\",\"address\":\"10.0.0.0/24\",\"port\":1}", ok);
	expect_parse_error(_metadata, doc,
			   "observations[1].address: \"10.0.0.0/24\": must be one address (a /32 or /128)");
	expect_parse_error(_metadata, "{\"type\":\"network\",\"program\":\"/a\",\"outcome\":\"allowed\","
			   "\"direction\":\"inbound\",\"protocol\":\"tcp\",\"address\":\"10.0.0.1\","
			   "\"port\":7}", "observations[0].program: must be null on inbound observations");
	expect_parse_error(_metadata, "{\"type\":\"file\",\"program\":null,\"outcome\":\"allowed\","
			   "\"path\":\"/x\",\"access\":\"read\"}", "observations[0].program: must be a string");
	expect_parse_error(_metadata, "{\"type\":\"door\"}", "observations[0].type: unknown type \"door\"");
	expect_parse_error(_metadata, "{\"type\":\"file\",\"program\":\"/a\",\"outcome\":\"maybe\","
			   "\"path\":\"/x\",\"access\":\"read\"}",
			   "observations[0].outcome: \"maybe\": must be \"allowed\", \"denied\", "
			   "\"allowed,denied\" or \"none\"");
	expect_parse_error(_metadata, "{\"type\":\"file\",\"program\":\"/a\",\"outcome\":\"allowed\","
			   "\"path\":\"x\",\"access\":\"read\"}", "observations[0].path: must be absolute");
	expect_parse_error(_metadata, "{\"type\":\"file\",\"program\":\"/a\",\"outcome\":\"allowed\","
			   "\"path\":\"/x1\",\"access\":\"read\",\"pid_offset\":1}",
			   "observations[0].pid_offset: 1 does not point at a digit of the path");
	expect_parse_error(_metadata, "{\"type\":\"syscall\",\"program\":\"/a\",\"outcome\":\"allowed\","
			   "\"syscall\":\"ptrac\",\"arch\":\"x86_64\"}",
			   "observations[0].syscall: unknown system call \"ptrac\"");
	expect_parse_error(_metadata, "{\"type\":\"syscall\",\"program\":\"/a\",\"outcome\":\"allowed\","
			   "\"syscall\":\"socketcall\",\"arch\":\"x86_64\"}",
			   "observations[0].syscall: \"socketcall\" does not exist on x86_64");
	expect_parse_error(_metadata, "{\"type\":\"file\",\"program\":\"/a\",\"outcome\":\"allowed\","
			   "\"access\":\"read\"}", "observations[0].path: missing required field");
	expect_parse_error(_metadata, "7", "observations[0]: must be an object");

	/* syntax: line and column */
	EXPECT_EQ(-EINVAL, crs_learned_parse("{\"version\":1,\n \"observations\": [,]}", 36, &l, &err));
	EXPECT_EQ(2, err.line);
	EXPECT_NE(NULL, strstr(err.msg, "line 2"));
	EXPECT_EQ(-EINVAL, crs_learned_parse("{\"observations\":[]}", 19, &l, &err));
	EXPECT_STREQ("version: missing required field", err.msg);
	EXPECT_EQ(-EINVAL, crs_learned_parse("{\"version\":2,\"observations\":[]}", 31, &l, &err));
	EXPECT_STREQ("version: 2: only version 1 is known", err.msg);
	EXPECT_EQ(-EINVAL, crs_learned_parse("{\"version\":1,\"cgroup_id\":-1}", 28, &l, &err));
	EXPECT_STREQ("cgroup_id: must not be negative", err.msg);
	EXPECT_EQ(-EINVAL, crs_learned_parse("{\"version\":1}", 13, &l, &err));
	EXPECT_STREQ("observations: missing required field", err.msg);

	/* crsd's extra keys are ignored; its "dropped" may be one count */
	snprintf(doc, sizeof(doc), "{\"version\":1,\"container\":\"c1\",\"image\":\"i\",\"dropped\":4,"
		 "\"next_cursor\":null,\"observations\":[{\"key\":\"k\",\"first_seen\":1,"
		 "\"type\":\"execute\",\"program\":\"/a\",\"outcome\":\"allowed\",\"path\":\"\"}]}");
	ASSERT_EQ(0, crs_learned_parse(doc, strlen(doc), &l, &err)) TH_LOG("%s", err.msg);
	EXPECT_EQ(4u, l->info.dropped_full);
	EXPECT_STREQ("", l->obs[0].path);
	crs_learned_free(l);
}

/* Truncations and byte flips of a valid document never crash, and fail cleanly. */
TEST(profile_malformed)
{
	struct crs_learned *l = prof_new(), *back;
	struct crs_err err;
	char *j, *m;
	size_t len, i;

	file(l, "/bin/a", "/tmp/x1", CRS_ACCESS_READ);
	net(l, CRS_RULE_NETWORK, CRS_DIR_INBOUND, NULL, CRS_PROTO_TCP, "10.1.2.3", 80, true);
	sys(l, "/bin/a", "read", CRS_ARCH_X86_64);
	j = crs_learned_to_json(l, false);
	len = strlen(j);
	m = malloc(len + 1);
	for (i = 0; i < len; i++) {
		int e;

		back = NULL;
		e = crs_learned_parse(j, i, &back, &err);
		EXPECT_NE(0, e);
		EXPECT_EQ(NULL, back);
		memcpy(m, j, len + 1);
		m[i] ^= 0x21;
		e = crs_learned_parse(m, len, &back, &err);
		if (!e)
			crs_learned_free(back);
		else
			EXPECT_NE(0, err.msg[0]);
	}
	free(m);
	free(j);
	crs_learned_free(l);
}

/* ------------------------------------------------------ crs_policy_match */

#define HEAD "{\"name\":\"t\",\"default_actions\":{\"file\":\"deny\",\"execute\":\"deny\"," \
	     "\"network\":\"deny\",\"listener\":\"deny\",\"syscall\":\"deny\"},\"rules\":["

static int decide(const struct crs_policy *p, const struct crs_observation *o,
		  enum crs_action *a)
{
	return crs_policy_match(p, o, a);
}

TEST(match_paths)
{
	struct crs_policy *p = pol(HEAD
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/**\",\"access\":[\"read\"]},"		/* 0 any */
		"{\"type\":\"file\",\"action\":\"allow\",\"path\":\"/etc/*\",\"access\":[\"read\"]},"	/* 1 glob */
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/etc/ss*\",\"access\":[\"read\"]},"	/* 2 glob, more literal */
		"{\"type\":\"file\",\"action\":\"allow\",\"path\":\"/etc/**\",\"access\":[\"read\"]},"	/* 3 subtree */
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/etc/ssl/**\",\"access\":[\"read\"]},"	/* 4 longer subtree */
		"{\"type\":\"file\",\"action\":\"allow\",\"path\":\"/etc/ssl/cert\",\"access\":[\"read\"]},"	/* 5 exact */
		"{\"type\":\"file\",\"action\":\"deny\",\"program\":\"/bin/a\",\"path\":\"/etc/ssl/cert\",\"access\":[\"read\"]},"	/* 6 named program */
		"{\"type\":\"file\",\"action\":\"allow\",\"path\":\"/v/x\",\"access\":[\"read\"]},"	/* 7 tie: */
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/v/x\",\"access\":[\"read\"]},"		/* 8 deny wins */
		"{\"type\":\"file\",\"action\":\"allow\",\"enabled\":false,\"path\":\"/w\",\"access\":[\"read\"]},"	/* 9 disabled */
		"{\"type\":\"file\",\"action\":\"allow\",\"path\":\"/w\",\"access\":[\"write\"]},"		/* 10 other bit */
		"{\"type\":\"execute\",\"action\":\"allow\",\"path\":\"*\"},"				/* 11 any exec */
		"{\"type\":\"execute\",\"action\":\"deny\",\"path\":\"/bin/*\",\"program\":\"/bin/*\"},"	/* 12 */
		"{\"type\":\"file\",\"action\":\"allow\",\"path\":\"/p/*/**\",\"access\":[\"read\"]}"	/* 13 glob tail */
		"]}");
	struct crs_learned *l = prof_new();
	enum crs_action a;

	file(l, "/bin/b", "/etc/ssl/cert", CRS_ACCESS_READ);	/* 0 */
	file(l, "/bin/a", "/etc/ssl/cert", CRS_ACCESS_READ);	/* 1 */
	file(l, "/bin/b", "/etc/ssl/other", CRS_ACCESS_READ);	/* 2 */
	file(l, "/bin/b", "/etc/ssl", CRS_ACCESS_READ);		/* 3: a subtree holds its root */
	file(l, "/bin/b", "/etc/passwd", CRS_ACCESS_READ);	/* 4 */
	file(l, "/bin/b", "/etc/a/b", CRS_ACCESS_READ);		/* 5 */
	file(l, "/bin/b", "/usr/x", CRS_ACCESS_READ);		/* 6 */
	file(l, "/bin/b", "/v/x", CRS_ACCESS_READ);		/* 7 */
	file(l, "/bin/b", "/w", CRS_ACCESS_READ);		/* 8 */
	file(l, "/bin/b", "/w", CRS_ACCESS_WRITE);		/* 9 */
	file(l, "/bin/b", "/w", CRS_ACCESS_READ | CRS_ACCESS_WRITE);	/* 10 */
	exec_(l, "/bin/sh", "/bin/ls");				/* 11 */
	exec_(l, "/usr/bin/x", "/bin/ls");			/* 12 */
	exec_(l, "/bin/sh", "");				/* 13 memfd */
	file(l, "/bin/b", "/p/1/2/3", CRS_ACCESS_READ);		/* 14 */
	file(l, "/bin/b", "/etc/sshd", CRS_ACCESS_READ);	/* 15 */

	EXPECT_EQ(5, decide(p, &l->obs[0], &a));	/* exact beats subtrees */
	EXPECT_EQ(6, decide(p, &l->obs[1], &a));	/* named program beats "*" */
	EXPECT_EQ((int)CRS_ACTION_DENY, (int)(a));
	EXPECT_EQ(4, decide(p, &l->obs[2], &a));	/* longer subtree */
	EXPECT_EQ(4, decide(p, &l->obs[3], &a));
	EXPECT_EQ(3, decide(p, &l->obs[4], &a));	/* subtree beats glob */
	EXPECT_EQ(3, decide(p, &l->obs[5], &a));
	EXPECT_EQ(0, decide(p, &l->obs[6], &a));	/* only "**" */
	EXPECT_EQ(8, decide(p, &l->obs[7], &a));	/* tie: deny */
	EXPECT_EQ(0, decide(p, &l->obs[8], &a));	/* disabled rule ignored */
	EXPECT_EQ(10, decide(p, &l->obs[9], &a));	/* write rule */
	EXPECT_EQ((int)CRS_ACTION_ALLOW, (int)(a));
	EXPECT_EQ(0, decide(p, &l->obs[10], &a));	/* read+write: the denied bit decides */
	EXPECT_EQ((int)CRS_ACTION_DENY, (int)(a));
	EXPECT_EQ(12, decide(p, &l->obs[11], &a));
	EXPECT_EQ(11, decide(p, &l->obs[12], &a));
	EXPECT_EQ(11, decide(p, &l->obs[13], &a));	/* a memfd: only "*" */
	EXPECT_EQ(13, decide(p, &l->obs[14], &a));	/* a glob with a tail takes any remainder */
	EXPECT_EQ(3, decide(p, &l->obs[15], &a));	/* subtree beats the globs */
	crs_policy_free(p);

	/* globs: more literal characters win; no rule: the default */
	p = pol(HEAD
		"{\"type\":\"file\",\"action\":\"allow\",\"path\":\"/e/*\",\"access\":[\"read\"]},"
		"{\"type\":\"file\",\"action\":\"allow\",\"path\":\"/e/s*\",\"access\":[\"read\"]},"
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/e/*\",\"access\":[\"read\"]}]}");
	EXPECT_EQ(1, decide(p, &(struct crs_observation){ .type = CRS_RULE_FILE, .program = "/a",
		  .path = "/e/sx", .access = CRS_ACCESS_READ }, &a));
	EXPECT_EQ(2, decide(p, &(struct crs_observation){ .type = CRS_RULE_FILE, .program = "/a",
		  .path = "/e/x", .access = CRS_ACCESS_READ }, &a));
	EXPECT_EQ(-1, decide(p, &(struct crs_observation){ .type = CRS_RULE_FILE, .program = "/a",
		  .path = "/f", .access = CRS_ACCESS_READ }, &a));
	EXPECT_EQ((int)CRS_ACTION_DENY, (int)(a));
	crs_policy_free(p);
	crs_learned_free(l);
}

TEST(match_network)
{
	struct crs_policy *p = pol(HEAD
		"{\"type\":\"network\",\"action\":\"allow\",\"direction\":\"outbound\",\"address\":\"*\"},"		/* 0 */
		"{\"type\":\"network\",\"action\":\"deny\",\"direction\":\"outbound\",\"address\":\"10.0.0.0/8\"},"	/* 1 */
		"{\"type\":\"network\",\"action\":\"allow\",\"direction\":\"outbound\",\"address\":\"10.1.0.0/16\",\"port\":\"1-1000\"},"	/* 2 */
		"{\"type\":\"network\",\"action\":\"deny\",\"direction\":\"outbound\",\"address\":\"10.1.0.0/16\",\"port\":443},"	/* 3 narrower */
		"{\"type\":\"network\",\"action\":\"allow\",\"direction\":\"outbound\",\"address\":\"10.1.0.0/16\",\"port\":443,\"program\":\"/bin/c\"},"	/* 4 program */
		"{\"type\":\"network\",\"action\":\"allow\",\"direction\":\"outbound\",\"address\":\"10.2.0.0/16\",\"protocol\":\"any\"},"	/* 5 */
		"{\"type\":\"network\",\"action\":\"deny\",\"direction\":\"outbound\",\"address\":\"10.2.0.0/16\",\"protocol\":\"udp\"},"	/* 6 named proto */
		"{\"type\":\"network\",\"action\":\"allow\",\"direction\":\"outbound\",\"address\":\"10.3.0.0/16\"},"	/* 7 tie */
		"{\"type\":\"network\",\"action\":\"deny\",\"direction\":\"outbound\",\"address\":\"10.3.0.0/16\"},"	/* 8 deny */
		"{\"type\":\"network\",\"action\":\"allow\",\"direction\":\"inbound\",\"address\":\"0.0.0.0/0\",\"port\":80},"	/* 9 */
		"{\"type\":\"network\",\"action\":\"allow\",\"direction\":\"outbound\",\"address\":\"::/0\",\"enabled\":false},"	/* 10 */
		"{\"type\":\"listener\",\"action\":\"allow\",\"address\":\"*\",\"port\":6379,\"program\":\"/bin/r\"},"	/* 11 */
		"{\"type\":\"listener\",\"action\":\"deny\",\"address\":\"127.0.0.1\",\"port\":\"*\"}"	/* 12 */
		"]}");
	struct crs_learned *l = prof_new();
	enum crs_action a;

	net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, "/bin/x", CRS_PROTO_TCP, "10.9.9.9", 80, false);	/* 0 */
	net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, "/bin/x", CRS_PROTO_TCP, "10.1.2.3", 80, false);	/* 1 */
	net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, "/bin/x", CRS_PROTO_TCP, "10.1.2.3", 443, false);	/* 2 */
	net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, "/bin/c", CRS_PROTO_TCP, "10.1.2.3", 443, false);	/* 3 */
	net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, "/bin/x", CRS_PROTO_UDP, "10.2.0.1", 53, false);	/* 4 */
	net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, "/bin/x", CRS_PROTO_TCP, "10.2.0.1", 53, false);	/* 5 */
	net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, "/bin/x", CRS_PROTO_TCP, "10.3.0.1", 1, false);	/* 6 */
	net(l, CRS_RULE_NETWORK, CRS_DIR_INBOUND, NULL, CRS_PROTO_TCP, "192.0.2.1", 80, false);	/* 7 */
	net(l, CRS_RULE_NETWORK, CRS_DIR_INBOUND, NULL, CRS_PROTO_TCP, "2001:db8::1", 80, false);	/* 8 */
	net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, "/bin/x", CRS_PROTO_TCP, "2001:db8::1", 80, false);	/* 9 */
	net(l, CRS_RULE_LISTENER, 0, "/bin/r", CRS_PROTO_TCP, "0.0.0.0", 6379, false);	/* 10 */
	net(l, CRS_RULE_LISTENER, 0, "/bin/r", CRS_PROTO_TCP, "127.0.0.1", 6379, false);	/* 11 */
	net(l, CRS_RULE_LISTENER, 0, "/bin/q", CRS_PROTO_TCP, "0.0.0.0", 6379, false);	/* 12 */

	EXPECT_EQ(1, decide(p, &l->obs[0], &a));	/* /8 beats * */
	EXPECT_EQ(2, decide(p, &l->obs[1], &a));	/* /16 beats /8 */
	EXPECT_EQ(3, decide(p, &l->obs[2], &a));	/* narrower port range */
	EXPECT_EQ(4, decide(p, &l->obs[3], &a));	/* named program */
	EXPECT_EQ(6, decide(p, &l->obs[4], &a));	/* named protocol beats any */
	EXPECT_EQ(5, decide(p, &l->obs[5], &a));
	EXPECT_EQ(8, decide(p, &l->obs[6], &a));	/* tie: deny */
	EXPECT_EQ(9, decide(p, &l->obs[7], &a));	/* inbound, no program */
	EXPECT_EQ(-1, decide(p, &l->obs[8], &a));	/* 0.0.0.0/0 is IPv4 only */
	EXPECT_EQ((int)CRS_ACTION_DENY, (int)(a));
	EXPECT_EQ(0, decide(p, &l->obs[9], &a));	/* "*" is both; the disabled ::/0 is not */
	EXPECT_EQ(12, decide(p, &l->obs[11], &a));	/* longest prefix before program */
	EXPECT_EQ(11, decide(p, &l->obs[10], &a));
	EXPECT_EQ(-1, decide(p, &l->obs[12], &a));
	crs_policy_free(p);
	crs_learned_free(l);
}

TEST(match_syscalls)
{
	struct crs_policy *p = pol(HEAD
		"{\"type\":\"syscall\",\"action\":\"allow\",\"syscall\":\"read\"},"		/* 0 */
		"{\"type\":\"syscall\",\"action\":\"deny\",\"syscall\":\"read\",\"program\":\"/bin/a\"},"	/* 1 */
		"{\"type\":\"syscall\",\"action\":\"allow\",\"syscall\":\"ptrace\",\"args\":[{\"index\":0,\"op\":\"eq\",\"value\":1}]},"	/* 2 */
		"{\"type\":\"syscall\",\"action\":\"allow\",\"syscall\":\"mount\"},"		/* 3 */
		"{\"type\":\"syscall\",\"action\":\"deny\",\"syscall\":\"mount\",\"args\":[{\"index\":0,\"op\":\"eq\",\"value\":1}]},"	/* 4 */
		"{\"type\":\"syscall\",\"action\":\"allow\",\"syscall\":\"socketcall\"}"	/* 5 */
		"]}");
	struct crs_learned *l = prof_new();
	enum crs_action a;

	sys(l, "/bin/b", "read", CRS_ARCH_X86_64);	/* 0 */
	sys(l, "/bin/a", "read", CRS_ARCH_X86_64);	/* 1 */
	sys(l, "/bin/b", "read", CRS_ARCH_IA32);	/* 2: i386 number 3 */
	sys(l, "/bin/b", "ptrace", CRS_ARCH_X86_64);	/* 3 */
	sys(l, "/bin/b", "mount", CRS_ARCH_X86_64);	/* 4 */
	sys(l, "/bin/b", "exit_group", CRS_ARCH_X86_64);	/* 5 */
	sys(l, "/bin/b", "socketcall", CRS_ARCH_IA32);	/* 6 */
	sys(l, "/bin/b", "write", CRS_ARCH_X86_64);	/* 7 */

	EXPECT_EQ(0, decide(p, &l->obs[0], &a));
	EXPECT_EQ(1, decide(p, &l->obs[1], &a));	/* named program */
	EXPECT_EQ(0, decide(p, &l->obs[2], &a));	/* by the i386 number */
	EXPECT_EQ(-1, decide(p, &l->obs[3], &a));	/* args unknown: a conditional allow does not apply */
	EXPECT_EQ((int)CRS_ACTION_DENY, (int)(a));
	EXPECT_EQ(4, decide(p, &l->obs[4], &a));	/* ... a conditional deny does (more matchers) */
	EXPECT_EQ(-1, decide(p, &l->obs[5], &a));	/* an allowlist never refuses exit_group */
	EXPECT_EQ((int)CRS_ACTION_ALLOW, (int)(a));
	EXPECT_EQ(5, decide(p, &l->obs[6], &a));
	EXPECT_EQ(-1, decide(p, &l->obs[7], &a));
	EXPECT_EQ((int)CRS_ACTION_DENY, (int)(a));
	crs_policy_free(p);
	crs_learned_free(l);
}

/* ------------------------------------------------------- generalisation */

/* The template's rules, one canonical JSON line each, for exact comparison. */
static char *rule_str(const struct crs_policy_rule *r)
{
	struct json_object *j = crs_rule_json(r);
	char *s = strdup(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE));

	json_object_put(j);
	return s;
}

#define EXPECT_RULE(t, k, gen_want, json) do {					\
	int g_ = -1;								\
	const struct crs_policy_rule *r_ = added(t, k, &g_);			\
	char *s_;								\
	ASSERT_NE(NULL, r_);							\
	s_ = rule_str(r_);							\
	EXPECT_STREQ(json, s_);							\
	EXPECT_EQ(gen_want, g_);						\
	free(s_);								\
} while (0)

#define FRULE(prog, path, acc) "{\"name\":\"learned\",\"enabled\":true,\"type\":\"file\"," \
	"\"action\":\"allow\",\"program\":\"" prog "\",\"path\":\"" path "\",\"access\":[" acc "]}"

TEST(g1_proc)
{
	struct crs_learned *l = prof_new();
	struct crs_template *t;

	file(l, "/bin/ps", "/proc/812/task/815/stat", CRS_ACCESS_READ);
	file(l, "/bin/ps", "/proc/12a/x", CRS_ACCESS_READ);
	file(l, "/bin/ps", "/proc/9/status", CRS_ACCESS_READ);
	file(l, "/bin/ps", "/srv/proc/9/status", CRS_ACCESS_READ);
	t = build(l, NULL);
	EXPECT_EQ(4u, t->n_added);
	EXPECT_EQ(2u, t->n_generalised);
	EXPECT_RULE(t, 0, CRS_GEN_G1, FRULE("/bin/ps", "/proc/*/task/*/stat", "\"read\""));
	EXPECT_RULE(t, 1, CRS_GEN_EXACT, FRULE("/bin/ps", "/proc/12a/x", "\"read\""));
	EXPECT_RULE(t, 2, CRS_GEN_G1, FRULE("/bin/ps", "/proc/*/status", "\"read\""));
	EXPECT_RULE(t, 3, CRS_GEN_EXACT, FRULE("/bin/ps", "/srv/proc/9/status", "\"read\""));
	crs_template_free(t);
	crs_learned_free(l);
}

TEST(g2_temp)
{
	struct crs_learned *l = prof_new();
	struct crs_template *t;

	file(l, "/bin/a", "/tmp/tmp.aB3xYz/f", CRS_ACCESS_WRITE);
	file(l, "/bin/a", "/tmp/abcdef/f", CRS_ACCESS_WRITE);		/* one class: stays */
	file(l, "/bin/a", "/dev/shm/#1234", CRS_ACCESS_WRITE);		/* O_TMPFILE */
	file(l, "/bin/a", "/var/tmp/ab12/x", CRS_ACCESS_WRITE);		/* shorter than 6: stays */
	file(l, "/bin/a", "/data/temp-15.rdb", CRS_ACCESS_WRITE)->pid_off = 11;
	file(l, "/bin/a", "/data/tmp.aB3xYz", CRS_ACCESS_WRITE);	/* not under a temp root */
	t = build(l, NULL);
	EXPECT_RULE(t, 0, CRS_GEN_G2, FRULE("/bin/a", "/tmp/tmp.*/f", "\"write\""));
	EXPECT_RULE(t, 1, CRS_GEN_EXACT, FRULE("/bin/a", "/tmp/abcdef/f", "\"write\""));
	EXPECT_RULE(t, 2, CRS_GEN_G2, FRULE("/bin/a", "/dev/shm/#*", "\"write\""));
	EXPECT_RULE(t, 3, CRS_GEN_EXACT, FRULE("/bin/a", "/var/tmp/ab12/x", "\"write\""));
	EXPECT_RULE(t, 4, CRS_GEN_G2, FRULE("/bin/a", "/data/temp-*.rdb", "\"write\""));
	EXPECT_RULE(t, 5, CRS_GEN_EXACT, FRULE("/bin/a", "/data/tmp.aB3xYz", "\"write\""));
	crs_template_free(t);
	crs_learned_free(l);
}

TEST(g3_autoport)
{
	struct crs_learned *l = prof_new();
	struct crs_template_opts o = { .mode = -1, .ephemeral_lo = 40000, .ephemeral_hi = 50000 };
	struct crs_template *t;

	net(l, CRS_RULE_NETWORK, CRS_DIR_INBOUND, NULL, CRS_PROTO_UDP, "10.0.0.5", 41234, true);
	net(l, CRS_RULE_NETWORK, CRS_DIR_INBOUND, NULL, CRS_PROTO_TCP, "10.0.0.5", 8080, false);
	net(l, CRS_RULE_LISTENER, 0, "/bin/srv", CRS_PROTO_TCP, "0.0.0.0", 45000, true);
	net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, "/bin/c", CRS_PROTO_TCP, "10.0.0.6", 443, false)
		->flags = CRS_OBS_F_AUTOPORT;	/* outbound: never G3 */
	/* a kernel-chosen port outside the range: a range would not cover it */
	net(l, CRS_RULE_LISTENER, 0, "/bin/srv", CRS_PROTO_UDP, "0.0.0.0", 61000, true);
	t = build(l, &o);
	EXPECT_RULE(t, 4, CRS_GEN_EXACT, "{\"name\":\"learned\",\"enabled\":true,\"type\":\"listener\","
		    "\"action\":\"allow\",\"program\":\"/bin/srv\",\"protocol\":\"udp\","
		    "\"address\":\"0.0.0.0\",\"port\":61000}");
	EXPECT_NE(NULL, strstr(t->report, "port 61000 is outside the ephemeral range; kept exact"));
	EXPECT_RULE(t, 0, CRS_GEN_G3, "{\"name\":\"learned\",\"enabled\":true,\"type\":\"network\","
		    "\"action\":\"allow\",\"program\":\"*\",\"direction\":\"inbound\",\"protocol\":\"udp\","
		    "\"address\":\"10.0.0.5\",\"port\":\"40000-50000\"}");
	EXPECT_RULE(t, 1, CRS_GEN_EXACT, "{\"name\":\"learned\",\"enabled\":true,\"type\":\"network\","
		    "\"action\":\"allow\",\"program\":\"*\",\"direction\":\"inbound\",\"protocol\":\"tcp\","
		    "\"address\":\"10.0.0.5\",\"port\":8080}");
	EXPECT_RULE(t, 2, CRS_GEN_G3, "{\"name\":\"learned\",\"enabled\":true,\"type\":\"listener\","
		    "\"action\":\"allow\",\"program\":\"/bin/srv\",\"protocol\":\"tcp\","
		    "\"address\":\"0.0.0.0\",\"port\":\"40000-50000\"}");
	EXPECT_RULE(t, 3, CRS_GEN_EXACT, "{\"name\":\"learned\",\"enabled\":true,\"type\":\"network\","
		    "\"action\":\"allow\",\"program\":\"/bin/c\",\"direction\":\"outbound\",\"protocol\":\"tcp\","
		    "\"address\":\"10.0.0.6\",\"port\":443}");
	crs_template_free(t);
	crs_learned_free(l);
}

static struct crs_learned *siblings(const char *dir, int n, uint32_t access)
{
	struct crs_learned *l = prof_new();
	char p[256];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s/f%d", dir, i);
		file(l, "/bin/a", p, access);
	}
	return l;
}

TEST(g4_siblings)
{
	struct crs_learned *l = siblings("/var/lib/app", 17, CRS_ACCESS_READ);
	struct crs_template *t = build(l, NULL);

	EXPECT_EQ(1u, t->n_added);
	EXPECT_RULE(t, 0, CRS_GEN_G4, FRULE("/bin/a", "/var/lib/app/**", "\"read\""));
	crs_template_free(t);
	crs_learned_free(l);

	l = siblings("/var/lib/app", 16, CRS_ACCESS_READ);	/* 16 is not more than 16 */
	t = build(l, NULL);
	EXPECT_EQ(16u, t->n_added);
	EXPECT_EQ(0u, t->n_generalised);
	crs_template_free(t);
	crs_learned_free(l);

	l = siblings("/etc", 40, CRS_ACCESS_READ);		/* one component: never */
	t = build(l, NULL);
	EXPECT_EQ(40u, t->n_added);
	EXPECT_EQ(0u, t->n_generalised);
	crs_template_free(t);
	crs_learned_free(l);

	/* per access bit: 17 reads collapse, 17 writes of other files too, apart */
	l = siblings("/srv/d", 17, CRS_ACCESS_READ | CRS_ACCESS_WRITE);
	file(l, "/bin/a", "/srv/d/only-read", CRS_ACCESS_READ);
	t = build(l, NULL);
	EXPECT_EQ(1u, t->n_added);	/* the read and write rules merge */
	EXPECT_RULE(t, 0, CRS_GEN_G4, FRULE("/bin/a", "/srv/d/**", "\"read\",\"write\""));
	crs_template_free(t);
	crs_learned_free(l);

	/* nested: 17 collapsed subdirectories count once each at the parent */
	l = prof_new();
	{
		char p[64];
		int i, k;

		for (i = 0; i < 17; i++)
			for (k = 0; k < (i ? 1 : 17); k++) {
				snprintf(p, sizeof(p), "/srv/top/s%d/f%d", i, k);
				file(l, "/bin/a", p, CRS_ACCESS_READ);
			}
	}
	t = build(l, NULL);
	EXPECT_EQ(1u, t->n_added);
	EXPECT_RULE(t, 0, CRS_GEN_G4, FRULE("/bin/a", "/srv/top/**", "\"read\""));
	crs_template_free(t);
	crs_learned_free(l);

	/* never execute rules; per program */
	l = prof_new();
	{
		char p[64];
		int i;

		for (i = 0; i < 20; i++) {
			snprintf(p, sizeof(p), "/opt/bin/x%d", i);
			exec_(l, "/bin/sh", p);
			snprintf(p, sizeof(p), "/opt/data/y%d", i);
			file(l, i % 2 ? "/bin/a" : "/bin/b", p, CRS_ACCESS_READ);
		}
	}
	t = build(l, NULL);
	EXPECT_EQ(40u, t->n_added);	/* 20 execs, 10 + 10 files */
	EXPECT_EQ(0u, t->n_generalised);
	crs_template_free(t);
	crs_learned_free(l);
}

TEST(g5_libraries)
{
	struct crs_learned *l = prof_new();
	struct crs_template *t;

	file(l, "/bin/a", "/usr/lib/x86_64-linux-gnu/libc.so.6", CRS_ACCESS_READ);
	file(l, "/bin/b", "/usr/lib/x86_64-linux-gnu/libc.so.6", CRS_ACCESS_READ);
	file(l, "/bin/a", "/lib/libfoo.sox", CRS_ACCESS_READ);
	file(l, "/bin/a", "/etc/ld.so.cache", CRS_ACCESS_READ);
	file(l, "/bin/a", "/usr/lib/libz.so.1.2.13", CRS_ACCESS_READ | CRS_ACCESS_WRITE);
	file(l, "/bin/a", "/opt/lib/libq.so", CRS_ACCESS_READ);
	t = build(l, NULL);
	EXPECT_RULE(t, 0, CRS_GEN_G5, FRULE("*", "/usr/lib/x86_64-linux-gnu/libc.so*", "\"read\""));
	EXPECT_RULE(t, 1, CRS_GEN_EXACT, FRULE("/bin/a", "/lib/libfoo.sox", "\"read\""));
	EXPECT_RULE(t, 2, CRS_GEN_G5, FRULE("*", "/etc/ld.so.cache", "\"read\""));
	EXPECT_RULE(t, 3, CRS_GEN_EXACT, FRULE("/bin/a", "/usr/lib/libz.so.1.2.13", "\"read\",\"write\""));
	EXPECT_RULE(t, 4, CRS_GEN_EXACT, FRULE("/bin/a", "/opt/lib/libq.so", "\"read\""));
	EXPECT_EQ(5u, t->n_added);	/* both programs' libc reads are one rule */
	EXPECT_NE(NULL, strstr(t->report, "\"observations\":2,\"generalisation\":\"G5\""));
	crs_template_free(t);
	crs_learned_free(l);
}

TEST(i_ignored_and_exact)
{
	struct crs_policy *m = pol("{\"name\":\"m\",\"default_actions\":{\"syscall\":\"deny\"},"
				   "\"ignored_syscalls\":[\"read\",\"write\"],\"rules\":["
				   "{\"type\":\"syscall\",\"action\":\"allow\",\"syscall\":\"write\"}]}");
	struct crs_template_opts o = { .merge = m, .mode = -1 };
	struct crs_learned *l = prof_new();
	struct crs_template *t;

	sys(l, "/bin/a", "openat", CRS_ARCH_X86_64);
	sys(l, "/bin/a", "read", CRS_ARCH_IA32);
	t = build(l, &o);
	EXPECT_EQ(3u, t->n_added);
	EXPECT_RULE(t, 0, CRS_GEN_EXACT, "{\"name\":\"learned\",\"enabled\":true,\"type\":\"syscall\","
		    "\"action\":\"allow\",\"program\":\"/bin/a\",\"syscall\":\"openat\",\"args\":[]}");
	EXPECT_RULE(t, 2, CRS_GEN_I, "{\"name\":\"learned\",\"enabled\":true,\"type\":\"syscall\","
		    "\"action\":\"allow\",\"program\":\"*\",\"syscall\":\"read\",\"args\":[]}");
	crs_template_free(t);
	/* exact: no I, no G1 */
	o.exact = true;
	o.defaults = CRS_TEMPLATE_DEFAULTS_DENY;
	file(l, "/bin/a", "/proc/1/stat", CRS_ACCESS_READ);
	t = build(l, &o);
	EXPECT_EQ(3u, t->n_added);
	EXPECT_EQ(0u, t->n_generalised);
	crs_template_free(t);
	crs_policy_free(m);
	crs_learned_free(l);
}

/* ---------------------------------------------------------------- merge */

TEST(merge)
{
	static const char mj[] =
		"{\"name\":\"web\",\"mode\":\"enforce\",\"default_actions\":{\"file\":\"deny\"},"
		"\"rules\":["
		"{\"name\":\"no shadow\",\"type\":\"file\",\"action\":\"deny\",\"path\":\"/etc/shadow\",\"access\":[\"read\"]},"
		"{\"type\":\"file\",\"action\":\"allow\",\"path\":\"/etc/**\",\"access\":[\"read\"]},"
		"{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/proc/1/environ\",\"access\":[\"read\"]},"
		"{\"type\":\"file\",\"action\":\"allow\",\"path\":\"/x\",\"access\":[\"read\"],\"enabled\":false}]}";
	struct crs_policy *m = pol(mj), *m2 = pol(mj);
	struct crs_template_opts o = { .merge = m, .mode = -1 };
	struct crs_learned *l = prof_new();
	struct crs_template *t;
	char *ja, *jb;
	size_t i;

	file(l, "/bin/a", "/etc/shadow", CRS_ACCESS_READ);	/* conflict with rule 0 */
	file(l, "/bin/a", "/etc/hosts", CRS_ACCESS_READ);	/* covered by rule 1 */
	exec_(l, "/bin/sh", "/bin/ls");				/* execute default allow */
	file(l, "/bin/a", "/proc/7/stat", CRS_ACCESS_READ);	/* G1 overlaps deny 2: exact */
	file(l, "/bin/a", "/x", CRS_ACCESS_READ);		/* the disabled rule: added */
	file(l, "/bin/a", "/y", CRS_ACCESS_READ)->outcome = CRS_OBS_DENIED;	/* denied only */
	exec_(l, "/bin/sh", "");				/* memfd: unrepresentable */
	t = build(l, &o);
	ASSERT_EQ(6u, t->policy->n_rules);
	for (i = 0; i < 4; i++)
		EXPECT_TRUE(crs_rule_same(&t->policy->rules[i], &m2->rules[i]));
	EXPECT_STREQ("web", t->policy->name);
	EXPECT_EQ((int)CRS_MODE_ENFORCE, (int)(t->policy->mode));
	EXPECT_EQ((int)CRS_ACTION_ALLOW, (int)(t->policy->defaults[CRS_RULE_EXECUTE]));
	EXPECT_EQ(1u, t->n_covered);
	EXPECT_EQ(1u, t->n_conflicts);
	EXPECT_EQ(1u, t->n_default_allowed);
	EXPECT_EQ(2u, t->n_added);
	EXPECT_RULE(t, 0, CRS_GEN_EXACT, FRULE("/bin/a", "/proc/7/stat", "\"read\""));
	EXPECT_RULE(t, 1, CRS_GEN_EXACT, FRULE("/bin/a", "/x", "\"read\""));
	EXPECT_NE(NULL, strstr(t->report, "\"conflicts\":[{\"observation\":{\"type\":\"file\","
			       "\"program\":\"/bin/a\",\"outcome\":\"allowed\",\"path\":\"/etc/shadow\","
			       "\"access\":\"read\"},\"rule_index\":0,\"rule_name\":\"no shadow\"}]"));
	EXPECT_NE(NULL, strstr(t->report, "\"generalisations_skipped\":[{\"generalisation\":\"G1\""));
	EXPECT_NE(NULL, strstr(t->report, "overlaps deny rule 2; kept exact"));
	EXPECT_NE(NULL, strstr(t->report, "\"denied_only\":[{\"type\":\"file\",\"program\":\"/bin/a\","
			       "\"outcome\":\"denied\",\"path\":\"/y\""));
	EXPECT_NE(NULL, strstr(t->report, "an execute of a file without a path (memfd)"));
	EXPECT_NE(NULL, strstr(t->report, "\"incomplete\":false"));
	/* the merge policy's JSON up to its rules' end is unchanged byte for byte */
	ja = crs_policy_to_json(m2, false);
	jb = crs_policy_to_json(t->policy, false);
	EXPECT_EQ(0, strncmp(ja, jb, strlen(ja) - 2));
	free(ja);
	free(jb);
	crs_template_free(t);

	/* include_denied and defaults deny */
	o.include_denied = true;
	o.defaults = CRS_TEMPLATE_DEFAULTS_DENY;
	t = build(l, &o);
	EXPECT_EQ((int)CRS_ACTION_DENY, (int)(t->policy->defaults[CRS_RULE_EXECUTE]));
	EXPECT_EQ(0u, t->n_default_allowed);
	EXPECT_EQ(4u, t->n_added);	/* + /bin/ls, + /y */
	crs_template_free(t);
	crs_policy_free(m);
	crs_policy_free(m2);
	crs_learned_free(l);
}

/*
 * Defaults per type: each observation is decided against its own type's
 * default. file kept (the merge policy's allow): default_allowed, nothing
 * added; network deny: added; execute not chosen: `defaults` (AUTO on a
 * merge: kept).
 */
TEST(merge_type_defaults)
{
	struct crs_policy *m = pol("{\"name\":\"web\",\"default_actions\":{\"file\":\"allow\","
				   "\"network\":\"allow\",\"execute\":\"allow\"},\"rules\":["
				   "{\"name\":\"no shadow\",\"type\":\"file\",\"action\":\"deny\","
				   "\"path\":\"/etc/shadow\",\"access\":[\"read\"]}]}");
	struct crs_template_opts o = { .merge = m, .mode = -1 };
	struct crs_learned *l = prof_new();
	const struct crs_policy_rule *r;
	struct crs_template *t;
	struct crs_err err;
	size_t i;
	int gen;

	o.type_defaults[CRS_RULE_FILE] = CRS_TEMPLATE_DEFAULTS_KEEP;
	o.type_defaults[CRS_RULE_NETWORK] = CRS_TEMPLATE_DEFAULTS_DENY;
	file(l, "/bin/a", "/etc/hosts", CRS_ACCESS_READ);			/* 1 decision */
	file(l, "/bin/a", "/data/x", CRS_ACCESS_READ | CRS_ACCESS_WRITE);	/* 2 decisions */
	file(l, "/bin/a", "/etc/shadow", CRS_ACCESS_READ);			/* a conflict */
	net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, "/bin/a", CRS_PROTO_TCP, "10.0.0.1", 443, false);
	net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, "/bin/a", CRS_PROTO_TCP, "10.0.0.2", 80, false);
	exec_(l, "/bin/sh", "/bin/a");
	t = build(l, &o);
	EXPECT_EQ((int)CRS_ACTION_ALLOW, (int)(t->policy->defaults[CRS_RULE_FILE]));
	EXPECT_EQ((int)CRS_ACTION_DENY, (int)(t->policy->defaults[CRS_RULE_NETWORK]));
	EXPECT_EQ((int)CRS_ACTION_ALLOW, (int)(t->policy->defaults[CRS_RULE_EXECUTE]));
	EXPECT_EQ(4u, t->n_default_allowed);	/* 3 file decisions, the execute */
	EXPECT_EQ(0u, t->n_covered);
	EXPECT_EQ(1u, t->n_conflicts);
	ASSERT_EQ(2u, t->n_added);
	for (i = 0; i < 2; i++) {
		r = added(t, i, &gen);
		ASSERT_NE(NULL, r);
		EXPECT_EQ((int)CRS_RULE_NETWORK, (int)r->type);
		EXPECT_EQ(CRS_GEN_EXACT, gen);
	}
	EXPECT_EQ(3u, t->policy->n_rules);
	EXPECT_NE(NULL, strstr(t->report, "\"covered\":0,\"default_allowed\":4,"));
	/* verification holds each type to its choice: a kept default moved to deny fails */
	t->policy->defaults[CRS_RULE_FILE] = CRS_ACTION_DENY;
	EXPECT_EQ(-EPROTO, crs_template_verify(l, &o, t, &err));
	EXPECT_NE(NULL, strstr(err.msg, "default_actions.file moved to deny")) TH_LOG("%s", err.msg);
	t->policy->defaults[CRS_RULE_FILE] = CRS_ACTION_ALLOW;
	ASSERT_EQ(0, crs_template_verify(l, &o, t, &err)) TH_LOG("%s", err.msg);
	crs_template_free(t);

	/* type_defaults over defaults: all deny but file, so the execute is added too */
	o.defaults = CRS_TEMPLATE_DEFAULTS_DENY;
	t = build(l, &o);
	EXPECT_EQ((int)CRS_ACTION_ALLOW, (int)(t->policy->defaults[CRS_RULE_FILE]));
	EXPECT_EQ((int)CRS_ACTION_DENY, (int)(t->policy->defaults[CRS_RULE_EXECUTE]));
	EXPECT_EQ((int)CRS_ACTION_DENY, (int)(t->policy->defaults[CRS_RULE_SYSCALL]));
	EXPECT_EQ(3u, t->n_default_allowed);
	EXPECT_EQ(3u, t->n_added);
	r = added(t, 2, NULL);
	ASSERT_NE(NULL, r);
	EXPECT_EQ((int)CRS_RULE_EXECUTE, (int)r->type);
	crs_template_free(t);

	/* a new policy: file keep is allow, the rest deny (AUTO) */
	o.merge = NULL;
	o.defaults = CRS_TEMPLATE_DEFAULTS_AUTO;
	o.type_defaults[CRS_RULE_NETWORK] = CRS_TEMPLATE_DEFAULTS_AUTO;
	t = build(l, &o);
	EXPECT_EQ((int)CRS_ACTION_ALLOW, (int)(t->policy->defaults[CRS_RULE_FILE]));
	EXPECT_EQ((int)CRS_ACTION_DENY, (int)(t->policy->defaults[CRS_RULE_NETWORK]));
	EXPECT_EQ(4u, t->n_default_allowed);	/* every file decision, /etc/shadow too */
	EXPECT_EQ(0u, t->n_conflicts);
	EXPECT_EQ(3u, t->n_added);		/* two network, the execute */
	crs_template_free(t);

	/* out of range */
	o.type_defaults[CRS_RULE_SYSCALL] = (enum crs_template_defaults)3;
	EXPECT_EQ(-EINVAL, crs_template_build(l, &o, &t, &err));
	EXPECT_NE(NULL, strstr(err.msg, "defaults.syscall: must be")) TH_LOG("%s", err.msg);
	crs_policy_free(m);
	crs_learned_free(l);
}

/* G1 kept exact by a deny, then G4 over the exact paths: still verified. */
TEST(g4_after_a_kept_exact_rewrite)
{
	struct crs_policy *m = pol("{\"name\":\"m\",\"default_actions\":{\"file\":\"deny\"},\"rules\":["
				   "{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/proc/1/environ\","
				   "\"access\":[\"read\"]}]}");
	struct crs_template_opts o = { .merge = m, .mode = -1 };
	struct crs_learned *l = prof_new();
	struct crs_template *t;
	char p[64];
	int i;

	for (i = 1; i <= 17; i++) {
		snprintf(p, sizeof(p), "/proc/123/task/%d/stat", i);
		file(l, "/bin/top", p, CRS_ACCESS_READ);
	}
	t = build(l, &o);	/* verified inside */
	EXPECT_EQ(1u, t->n_added);
	EXPECT_RULE(t, 0, CRS_GEN_G4, FRULE("/bin/top", "/proc/123/task/**", "\"read\""));
	EXPECT_NE(NULL, strstr(t->report, "overlaps deny rule 0; kept exact"));
	crs_template_free(t);
	crs_policy_free(m);
	crs_learned_free(l);
}

TEST(new_policy_and_incomplete)
{
	struct crs_learned *l = prof_new();
	struct crs_template_opts o = { .mode = CRS_MODE_ENFORCE, .name = "redis" };
	struct crs_template *t;
	int k;

	l->info.dropped_long = 2;
	l->info.dropped_full = 1;
	file(l, "/bin/a", "/f", CRS_ACCESS_READ);
	t = build(l, NULL);
	EXPECT_STREQ("learned", t->policy->name);
	EXPECT_EQ((int)CRS_MODE_MONITOR, (int)(t->policy->mode));
	for (k = 0; k <= CRS_RULE_TYPE_MAX; k++)
		EXPECT_EQ((int)CRS_ACTION_DENY, (int)(t->policy->defaults[k]));
	EXPECT_TRUE(t->incomplete);
	EXPECT_EQ(3u, t->dropped);
	EXPECT_NE(NULL, strstr(t->report, "\"incomplete\":true,\"dropped\":3"));
	crs_template_free(t);
	l->info.dropped_long = l->info.dropped_full = 0;
	t = build(l, &o);
	EXPECT_FALSE(t->incomplete);
	EXPECT_STREQ("redis", t->policy->name);
	EXPECT_EQ((int)CRS_MODE_ENFORCE, (int)(t->policy->mode));
	crs_template_free(t);
	crs_learned_free(l);
}

TEST(limits_and_options)
{
	struct crs_learned *l = prof_new();
	struct crs_template_opts o = { .mode = -1 };
	struct crs_template *t = NULL;
	struct crs_policy *m;
	struct crs_err err;
	char *json, *p;
	size_t i;

	/* a merge policy with 1024 glob rules: a G1 glob is past the limit */
	json = malloc(200 * 1024 + 256);
	p = json + sprintf(json, "{\"name\":\"g\",\"rules\":[");
	for (i = 0; i < 1024; i++)
		p += sprintf(p, "%s{\"type\":\"file\",\"action\":\"allow\",\"path\":\"/g%zu/*\","
			     "\"access\":[\"read\"]}", i ? "," : "", i);
	strcpy(p, "],\"default_actions\":{\"file\":\"deny\"}}");
	m = pol(json);
	free(json);
	o.merge = m;
	file(l, "/bin/a", "/proc/1/stat", CRS_ACCESS_READ);
	EXPECT_EQ(-EINVAL, crs_template_build(l, &o, &t, &err));
	EXPECT_EQ(NULL, t);
	EXPECT_STREQ("the template is not a valid policy: rules[1024].path: more than 1024 "
		     "rules with a glob path", err.msg);
	/* G5 falls back to exact paths instead */
	crs_learned_free(l);
	l = prof_new();
	file(l, "/bin/a", "/lib/libc.so.6", CRS_ACCESS_READ);
	ASSERT_EQ(0, crs_template_build(l, &o, &t, &err)) TH_LOG("%s", err.msg);
	EXPECT_RULE(t, 0, CRS_GEN_EXACT, FRULE("/bin/a", "/lib/libc.so.6", "\"read\""));
	EXPECT_NE(NULL, strstr(t->report, "more than 1024 glob rules; exact paths instead"));
	crs_template_free(t);
	crs_policy_free(m);

	/* options name their field */
	o = (struct crs_template_opts){ .mode = -1, .ephemeral_lo = 9, .ephemeral_hi = 8 };
	EXPECT_EQ(-EINVAL, crs_template_build(l, &o, &t, &err));
	EXPECT_STREQ("ephemeral_ports: empty range 9-8", err.msg);
	o = (struct crs_template_opts){ .mode = 7 };
	EXPECT_EQ(-EINVAL, crs_template_build(l, &o, &t, &err));
	EXPECT_NE(NULL, strstr(err.msg, "mode: "));
	o = (struct crs_template_opts){ .mode = -1, .name = "" };
	EXPECT_EQ(-EINVAL, crs_template_build(l, &o, &t, &err));
	EXPECT_NE(NULL, strstr(err.msg, "name")) TH_LOG("%s", err.msg);
	crs_learned_free(l);
}

/* crs_template_verify catches a template that does not follow from its profile. */
TEST(verify_tampered)
{
	struct crs_policy *m = pol("{\"name\":\"m\",\"default_actions\":{\"file\":\"deny\",\"network\":\"deny\"},"
				   "\"rules\":[{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/s\",\"access\":[\"read\"]}]}");
	struct crs_template_opts o = { .merge = m, .mode = -1 };
	struct crs_learned *l = siblings("/var/lib/app", 17, CRS_ACCESS_READ);
	struct crs_template *t;
	struct crs_policy_rule *r;
	struct crs_err err;
	char *save;

	file(l, "/bin/a", "/proc/5/stat", CRS_ACCESS_READ);
	net(l, CRS_RULE_NETWORK, CRS_DIR_INBOUND, NULL, CRS_PROTO_TCP, "10.0.0.1", 33000, true);
	t = build(l, &o);
	ASSERT_EQ(0, crs_template_verify(l, &o, t, &err));
	ASSERT_EQ(4u, t->policy->n_rules);

	r = &t->policy->rules[1];	/* the G4 rule: one level up */
	save = r->path;
	r->path = "/var/lib/**";
	EXPECT_EQ(-EPROTO, crs_template_verify(l, &o, t, &err));
	EXPECT_NE(NULL, strstr(err.msg, "rules[1]")) TH_LOG("%s", err.msg);
	r->path = save;
	r->access |= CRS_ACCESS_WRITE;	/* a bit never seen */
	EXPECT_EQ(-EPROTO, crs_template_verify(l, &o, t, &err));
	r->access = CRS_ACCESS_READ;
	o.collapse_after = 17;		/* 17 is not more than 17 */
	EXPECT_EQ(-EPROTO, crs_template_verify(l, &o, t, &err));
	EXPECT_NE(NULL, strstr(err.msg, "G4: 17 names below /var/lib/app")) TH_LOG("%s", err.msg);
	o.collapse_after = 0;
	r = &t->policy->rules[3];	/* the G3 rule */
	r->port_min = 1;
	EXPECT_EQ(-EPROTO, crs_template_verify(l, &o, t, &err));
	r->port_min = 32768;
	l->obs[18].flags = 0;		/* G3 without AUTOPORT */
	EXPECT_EQ(-EPROTO, crs_template_verify(l, &o, t, &err));
	l->obs[18].flags = CRS_OBS_F_AUTOPORT;
	t->policy->rules[0].access |= CRS_ACCESS_WRITE;	/* an existing rule changed */
	EXPECT_EQ(-EPROTO, crs_template_verify(l, &o, t, &err));
	EXPECT_NE(NULL, strstr(err.msg, "rules[0]: an existing rule changed"));
	t->policy->rules[0].access = CRS_ACCESS_READ;
	t->policy->defaults[CRS_RULE_NETWORK] = CRS_ACTION_ALLOW;	/* a default moved to allow */
	EXPECT_EQ(-EPROTO, crs_template_verify(l, &o, t, &err));
	EXPECT_NE(NULL, strstr(err.msg, "default_actions.network moved to allow"));
	t->policy->defaults[CRS_RULE_NETWORK] = CRS_ACTION_DENY;
	t->policy->rules[2].action = CRS_ACTION_DENY;
	EXPECT_EQ(-EPROTO, crs_template_verify(l, &o, t, &err));
	t->policy->rules[2].action = CRS_ACTION_ALLOW;
	ASSERT_EQ(0, crs_template_verify(l, &o, t, &err)) TH_LOG("%s", err.msg);
	crs_template_free(t);
	crs_policy_free(m);
	crs_learned_free(l);
}

/* ------------------------------------------------------------- property */

static uint64_t rng = 88172645463325252ULL;

static uint32_t rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static const char *const progs[] = { "/bin/a", "/bin/b", "/usr/sbin/c" };
static const char *const tmpnames[] = { "tmp.aB3xYz", "Qw9Er7", "plain", "abcdef", "zz9" };
static const char *const libs[] = { "libc.so.6", "libz.so.1.2", "libfoo.sox", "libm.so" };

/*
 * One random file access and, in *closure, the glob of what its rule may
 * allow according to docs/learning.md section 5 (written here from the
 * text, not computed by the library): G1 "/proc/ * /...", G2 temp runs and
 * PID_OFF, G5 "DIR/NAME.so*" for any program. G4 is checked separately.
 */
static void rand_file(char *path, size_t n, int32_t *pid_off, char *closure, bool *anyprog)
{
	uint32_t k = rnd(8);

	*pid_off = -1;
	*anyprog = false;
	switch (k) {
	case 0: {
		uint32_t pid = 1 + rnd(30);

		snprintf(path, n, "/proc/%u/stat", pid);
		snprintf(closure, n, "/proc/*/stat");
		break;
	}
	case 1:
		snprintf(path, n, "/proc/%u/task/%u/status", 1 + rnd(9), 1 + rnd(9));
		snprintf(closure, n, "/proc/*/task/*/status");
		break;
	case 2: {
		const char *t = tmpnames[rnd(CRS_ARRAY_SIZE(tmpnames))];

		snprintf(path, n, "/tmp/%s/f", t);
		if (!strcmp(t, "tmp.aB3xYz"))
			snprintf(closure, n, "/tmp/tmp.*/f");
		else if (!strcmp(t, "Qw9Er7"))
			snprintf(closure, n, "/tmp/*/f");
		else
			snprintf(closure, n, "%s", path);
		break;
	}
	case 3: {
		uint32_t pid = 10 + rnd(90);

		snprintf(path, n, "/data/temp-%u.rdb", pid);
		*pid_off = 11;
		snprintf(closure, n, "/data/temp-*.rdb");
		break;
	}
	case 4: {
		const char *lb = libs[rnd(CRS_ARRAY_SIZE(libs))];

		snprintf(path, n, "/usr/lib/%s", lb);
		if (!strcmp(lb, "libfoo.sox")) {
			snprintf(closure, n, "%s", path);
		} else {
			snprintf(closure, n, "/usr/lib/%.*s*", (int)(strstr(lb, ".so") + 3 - lb), lb);
			*anyprog = true;	/* read-only only: the caller checks */
		}
		break;
	}
	case 5:
		snprintf(path, n, "/etc/f%u", rnd(30));
		snprintf(closure, n, "%s", path);
		break;
	default:
		snprintf(path, n, "/srv/d%u/f%u", rnd(2), rnd(24));
		snprintf(closure, n, "%s", path);
		break;
	}
}

struct seen {
	char path[128], closure[128];
	const char *prog;
	uint32_t access;
	bool anyprog;
};

/* Is the file access (prog, path, bit) inside the closure of what was seen? */
static bool in_closure(const struct seen *s, size_t n, const char *prog, const char *path,
		       uint32_t bit, uint32_t collapse_after)
{
	size_t i, j, names;
	char dir[64];

	for (i = 0; i < n; i++) {
		if (!(s[i].access & bit))
			continue;
		if (s[i].anyprog && s[i].access == CRS_ACCESS_READ) {
			if (!fnmatch(s[i].closure, path, FNM_PATHNAME))
				return true;
			continue;
		}
		if (strcmp(s[i].prog, prog))
			continue;
		if (!fnmatch(s[i].closure, path, FNM_PATHNAME) || !strcmp(s[i].path, path))
			return true;
	}
	/*
	 * G4: the directories of this universe with two components and no
	 * rewritten part are /srv/d0, /srv/d1 and /usr/lib: more than
	 * collapse_after distinct names there for (prog, bit), not counting
	 * G5's read-only library reads (program "*" rules), allow all below.
	 */
	for (j = 0; j < 3; j++) {
		const char *names_seen[64];

		if (j < 2)
			snprintf(dir, sizeof(dir), "/srv/d%zu/", j);
		else
			snprintf(dir, sizeof(dir), "/usr/lib/");
		if (strncmp(path, dir, strlen(dir)))
			continue;
		for (i = 0, names = 0; i < n; i++) {
			size_t k;

			if (!(s[i].access & bit) || strcmp(s[i].prog, prog) ||
			    strncmp(s[i].path, dir, strlen(dir)) ||
			    (s[i].anyprog && s[i].access == CRS_ACCESS_READ))
				continue;
			for (k = 0; k < names && strcmp(names_seen[k], s[i].path + strlen(dir)); k++)
				;
			if (k == names && names < 64)
				names_seen[names++] = s[i].path + strlen(dir);
		}
		if (names > collapse_after)
			return true;
	}
	return false;
}

TEST(property_nothing_unseen)
{
	size_t round, checks = 0, allowed_unseen = 0, g4 = 0;

	for (round = 0; round < 10000; round++) {
		struct crs_learned *l = prof_new();
		struct crs_template_opts o = { .mode = -1, .collapse_after = 2 + rnd(10) };
		struct seen s[40];
		size_t n = 1 + rnd(40), i, k, tries;
		struct crs_template *t = NULL;
		struct crs_err err;
		int e;

		for (i = 0; i < n; i++) {
			struct crs_observation *ob;

			s[i].prog = progs[rnd(CRS_ARRAY_SIZE(progs))];
			rand_file(s[i].path, sizeof(s[i].path), &(int32_t){ 0 }, s[i].closure,
				  &s[i].anyprog);
			s[i].access = 1 + rnd(3);
			ob = file(l, s[i].prog, s[i].path, s[i].access);
			if (!strncmp(s[i].path, "/data/", 6))
				ob->pid_off = 11;
		}
		/* profiles have one entry per (program, path): OR duplicates as the kernel does */
		for (i = 0; i < l->n; i++)
			for (k = i + 1; k < l->n; k++)
				if (!strcmp(l->obs[i].path, l->obs[k].path) &&
				    !strcmp(l->obs[i].program, l->obs[k].program))
					l->obs[k].access = l->obs[i].access =
						l->obs[i].access | l->obs[k].access;
		for (i = 0; i < n; i++)
			s[i].access = l->obs[i].access;
		e = crs_template_build(l, &o, &t, &err);
		ASSERT_EQ(0, e) TH_LOG("round %zu: %s", round, err.msg);
		ASSERT_EQ(0, crs_template_verify(l, &o, t, &err)) TH_LOG("%s", err.msg);
		for (i = 0; i < t->policy->n_rules; i++) {
			int g = -1;

			added(t, i, &g);
			g4 += g == CRS_GEN_G4;
		}
		/* everything seen is allowed */
		for (i = 0; i < l->n; i++)
			ASSERT_TRUE(allows(t->policy, &l->obs[i])) TH_LOG("%s", l->obs[i].path);
		/* unseen accesses: allowed only inside the closure */
		tries = round < 100 ? 1000 : 10;
		for (k = 0; k < tries; k++) {
			struct crs_observation x = { .type = CRS_RULE_FILE, .pid_off = -1 };
			char path[128], clo[128];
			bool anyp;

			x.program = (char *)progs[rnd(CRS_ARRAY_SIZE(progs))];
			if (rnd(8) == 0)
				x.program = "/bin/unseen";
			rand_file(path, sizeof(path), &x.pid_off, clo, &anyp);
			x.path = path;
			x.access = rnd(2) ? CRS_ACCESS_READ : CRS_ACCESS_WRITE;
			checks++;
			if (!allows(t->policy, &x))
				continue;
			ASSERT_TRUE(in_closure(s, n, x.program, path, x.access, o.collapse_after))
				TH_LOG("round %zu: %s %s %u allowed outside the closure", round,
				       x.program, path, x.access);
			allowed_unseen++;
		}
		crs_template_free(t);
		crs_learned_free(l);
	}
	/* the property was exercised, not vacuous */
	EXPECT_LT(1000u, allowed_unseen);
	EXPECT_LT(100u, g4);
	TH_LOG("%zu unseen accesses checked, %zu allowed (all inside the closure), %zu G4 rules",
	       checks, allowed_unseen, g4);
}

static const char *const addrs[] = { "10.0.0.1", "10.0.0.2", "2001:db8::1", "0.0.0.0", "127.0.0.1" };
static const uint16_t ports[] = { 53, 443, 8080, 33000, 40000, 61000 };
static const char *const calls[] = { "read", "write", "openat", "ptrace", "getpid" };

/* A random network, listener or syscall observation of a small universe. */
static void rand_other(struct crs_learned *l, struct crs_observation *x)
{
	uint32_t k = rnd(4), n64, n32;
	const char *prog = progs[rnd(CRS_ARRAY_SIZE(progs))];
	struct crs_net_addr a;

	memset(x, 0, sizeof(*x));
	x->pid_off = -1;
	x->outcome = CRS_OBS_ALLOWED;
	if (k == 3) {
		x->type = CRS_RULE_SYSCALL;
		x->program = (char *)prog;
		crs_syscall_lookup(calls[rnd(CRS_ARRAY_SIZE(calls))], &n64, &n32);
		x->arch = rnd(2) ? CRS_ARCH_X86_64 : CRS_ARCH_IA32;
		x->syscall_nr = x->arch == CRS_ARCH_IA32 ? n32 : n64;
		return;
	}
	x->type = k == 2 ? CRS_RULE_LISTENER : CRS_RULE_NETWORK;
	x->direction = k == 1 ? CRS_DIR_INBOUND : CRS_DIR_OUTBOUND;
	x->program = k == 1 ? NULL : (char *)prog;
	x->protocol = rnd(2) ? CRS_PROTO_TCP : CRS_PROTO_UDP;
	crs_net_addr_parse(addrs[rnd(CRS_ARRAY_SIZE(addrs))], &a, NULL);
	x->family = a.family;
	memcpy(x->addr, a.addr, 16);
	x->port = ports[rnd(CRS_ARRAY_SIZE(ports))];
	if (k != 0 && rnd(2))
		x->flags = CRS_OBS_F_AUTOPORT;
	(void)l;
}

/*
 * The closure of section 5 for these types, from the text: the same type,
 * direction, protocol and address; the same program (inbound: none); the
 * same port, or any port of the ephemeral range for an inbound or listener
 * observation with AUTOPORT (G3); for syscalls the same program and call
 * name (a name applies in both ABIs: the one widening the format forces).
 */
static bool in_closure_other(const struct crs_learned *l, const struct crs_observation *x)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct crs_observation *o = &l->obs[i];

		if (o->type != x->type)
			continue;
		if (o->type == CRS_RULE_SYSCALL) {
			const char *a = crs_syscall_name(o->syscall_nr, o->arch);
			const char *b = crs_syscall_name(x->syscall_nr, x->arch);

			if (!strcmp(o->program, x->program) && a && b && !strcmp(a, b))
				return true;
			continue;
		}
		if (o->direction != x->direction || o->protocol != x->protocol ||
		    o->family != x->family || memcmp(o->addr, x->addr, 16))
			continue;
		if (o->program && strcmp(o->program, x->program))
			continue;
		if (o->port == x->port)
			return true;
		if ((o->flags & CRS_OBS_F_AUTOPORT) &&
		    (o->type == CRS_RULE_LISTENER || o->direction == CRS_DIR_INBOUND) &&
		    x->port >= 32768 && x->port <= 60999)
			return true;
	}
	return false;
}

TEST(property_network_and_syscalls)
{
	size_t round, checks = 0, allowed_unseen = 0, g3 = 0;

	for (round = 0; round < 10000; round++) {
		struct crs_learned *l = prof_new();
		struct crs_template_opts o = { .mode = -1 };
		size_t n = 1 + rnd(20), i, k;
		struct crs_template *t = NULL;
		struct crs_err err;

		for (i = 0; i < n; i++) {
			struct crs_observation x, *ob;
			char *key;

			rand_other(l, &x);
			/* one entry per key, as the kernel keeps them */
			key = crs_obs_key(&x);
			for (k = 0; k < l->n; k++) {
				char *k2 = crs_obs_key(&l->obs[k]);
				bool same = !strcmp(key, k2);

				free(k2);
				if (same)
					break;
			}
			if (k < l->n) {
				l->obs[k].flags |= x.flags;
				free(key);
				continue;
			}
			free(key);
			ob = obs_add(l, x.type, x.program);
			x.index = ob->index;
			x.program = ob->program;
			*ob = x;
		}
		ASSERT_EQ(0, crs_template_build(l, &o, &t, &err)) TH_LOG("%s", err.msg);
		ASSERT_EQ(0, crs_template_verify(l, &o, t, &err)) TH_LOG("round %zu: %s", round, err.msg);
		for (i = 0; i < l->n; i++) {
			char *ks = crs_obs_key(&l->obs[i]);

			EXPECT_TRUE(allows(t->policy, &l->obs[i])) TH_LOG("%s", ks);
			free(ks);
		}
		for (i = 0; i < t->n_added; i++) {
			int g = -1;

			added(t, i, &g);
			g3 += g == CRS_GEN_G3;
		}
		for (k = 0; k < 20; k++) {
			struct crs_observation x;

			rand_other(l, &x);
			if (x.program && rnd(8) == 0)
				x.program = "/bin/unseen";
			checks++;
			if (!allows(t->policy, &x))
				continue;
			if (x.type == CRS_RULE_SYSCALL && !strcmp(crs_syscall_name(x.syscall_nr, x.arch),
								  "exit_group"))
				continue;
			ASSERT_TRUE(in_closure_other(l, &x))
				TH_LOG("round %zu: type %d port %u allowed outside the closure", round,
				       (int)x.type, x.port);
			allowed_unseen++;
		}
		crs_template_free(t);
		crs_learned_free(l);
	}
	EXPECT_LT(1000u, allowed_unseen);
	EXPECT_LT(100u, g3);
	TH_LOG("%zu unseen network and syscall accesses checked, %zu allowed (all inside the "
	       "closure), %zu G3 rules", checks, allowed_unseen, g3);
}

TEST_HARNESS_MAIN
