// SPDX-License-Identifier: GPL-2.0
/*
 * learn_match_test.c - libcrsnl's crs_policy_match() decides as crs.ko does
 * (docs/learning.md section 7). Templates are verified in userspace with
 * crs_policy_match(): "nothing unseen is allowed" holds for the kernel only
 * if the two agree.
 *
 * Random file and execute policies (exact paths, subtrees, globs, any; a
 * program of its own, a glob of programs, any, a program that never runs;
 * allow and deny; random defaults) are loaded in monitor mode with every
 * log bit on. A child reads and writes every file of a fixed tree and runs
 * every program of it. Every event the child raised must carry the rule
 * index and verdict crs_policy_match() gives for its (type, program, path,
 * access). And for each access the child made, crs_policy_match() on the
 * access as asked gives a rule (or the default) and an action: the kernel
 * must have raised an event with exactly those, or none when the default
 * allowed (allowed-by-default raises no event).
 */
#include "crs_selftest.h"

#define ROUNDS		150
#define MAX_RULES	8

static const char *const files[] = {
	"a/x", "a/y.conf", "a/b/z", "a/b/y.conf", "c/x", "c/w.log", "c/b/x",
};
static const char *const bins[] = { "bin/t1", "bin/sub/t2", "sbin/t3" };
static const int opens[] = { O_RDONLY, O_WRONLY, O_RDWR };

/* Path patterns relative to the sandbox ("" prefix: as is). */
static const char *const file_pats[] = {
	"a/x", "a/b/z", "c/w.log", "a/*", "a/**", "a/*.conf", "*/x", "*/b/*",
	"c/**", "**", "*/*.conf", "c/w*", "a/b/**", "*/b/**", "",
};
static const char *const exec_pats[] = {
	"bin/t1", "bin/*", "bin/**", "*/t3", "**", "sbin/t3", "*/sub/*", "",
};

FIXTURE(match) {
	struct crs_sb sb;
	struct crs_events *ev;
	struct evbuf *b;
	char self_dir_glob[PATH_MAX];
};

FIXTURE_SETUP(match)
{
	char p[PATH_MAX], *slash;
	size_t i;

	sb_setup(_metadata, &self->sb);
	for (i = 0; i < ARRAY_SIZE(files) + ARRAY_SIZE(bins); i++) {
		const char *rel = i < ARRAY_SIZE(files) ? files[i]
							    : bins[i - ARRAY_SIZE(files)];
		char *s;

		sb_path(&self->sb, rel, p);
		for (s = p + strlen(self->sb.dir) + 1; (s = strchr(s, '/')); s++) {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
		if (i < ARRAY_SIZE(files)) {
			ASSERT_EQ(0, write_file(p, "x\n", 0666));
		} else {
			ASSERT_EQ(0, copy_file(BUSYBOX, p, 0755));
		}
	}
	snprintf(self->self_dir_glob, sizeof(self->self_dir_glob), "%s", self_exe());
	slash = strrchr(self->self_dir_glob, '/');
	ASSERT_NE(NULL, slash);
	strcpy(slash + 1, "*");
	sb_events(&self->ev);
	self->b = evbuf_new();
}

FIXTURE_TEARDOWN(match)
{
	crs_events_close(self->ev);
	free(self->b);
	sb_teardown(&self->sb);
}

/* The child: every open of every file, then every program run. */
static int touch_all(void *arg)
{
	const char *dir = arg;
	char p[PATH_MAX];
	size_t i, k;
	int fd, st;
	pid_t c;

	for (i = 0; i < ARRAY_SIZE(files); i++) {
		for (k = 0; k < ARRAY_SIZE(opens); k++) {
			snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
			fd = open(p, opens[k] | O_CLOEXEC);
			if (fd < 0)
				return 10 + errno;	/* monitor mode: nothing is refused */
			close(fd);
			usleep(1000);	/* the event rings drain as they go */
		}
	}
	for (i = 0; i < ARRAY_SIZE(bins); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, bins[i]);
		c = fork();
		if (c == 0) {
			execl(p, "true", (char *)NULL);
			_exit(127);
		}
		if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st))
			return 20;
		usleep(1000);
	}
	return 0;
}

static uint32_t access_of(int flags)
{
	return flags == O_RDONLY ? CRS_ACCESS_READ : flags == O_WRONLY ? CRS_ACCESS_WRITE :
	       CRS_ACCESS_READ | CRS_ACCESS_WRITE;
}

static char *pattern(const struct crs_sb *sb, const char *rel)
{
	char p[PATH_MAX];

	if (!rel[0])
		return strdup("*");
	return strdup(sb_path(sb, rel, p));
}

/* A random policy from @seed: up to MAX_RULES file and execute rules. */
static void random_policy(struct crs_policy *p, FIXTURE_DATA(match) *self, unsigned int seed)
{
	const char *progs[] = { "*", self_exe(), self->self_dir_glob, "/nonexistent/prog" };
	int n = 1 + rand_r(&seed) % MAX_RULES, i;

	pol_init(p, "match", CRS_MODE_MONITOR,
		 rand_r(&seed) % 2 ? CRS_ACTION_ALLOW : CRS_ACTION_DENY,
		 rand_r(&seed) % 2 ? CRS_ACTION_ALLOW : CRS_ACTION_DENY);
	for (i = 0; i < n; i++) {
		bool exec = rand_r(&seed) % 3 == 0;
		enum crs_action a = rand_r(&seed) % 2 ? CRS_ACTION_ALLOW : CRS_ACTION_DENY;
		/* execute rules: a program that is not the exec'd one either way */
		const char *prog = exec ? progs[(rand_r(&seed) % 2) * 3]
					: progs[rand_r(&seed) % ARRAY_SIZE(progs)];
		char name[16];
		char *pat;

		snprintf(name, sizeof(name), "r%d", i);
		pat = pattern(&self->sb, exec ? exec_pats[rand_r(&seed) % ARRAY_SIZE(exec_pats)]
					      : file_pats[rand_r(&seed) % ARRAY_SIZE(file_pats)]);
		pol_rule(p, name, exec ? CRS_RULE_EXECUTE : CRS_RULE_FILE, a, prog, pat,
			 (uint32_t)(1 + rand_r(&seed) % 3));
		free(pat);
	}
}

struct want {
	enum crs_rule_type type;
	char path[PATH_MAX];
	uint32_t access;
	int rule;		/* -1: the default */
	enum crs_action action;
};

static const char *act(enum crs_action a)
{
	return crs_action_name(a) ?: "?";
}

TEST_F_TIMEOUT(match, kernel_equals_userspace, 600)
{
	struct want want[ARRAY_SIZE(files) * ARRAY_SIZE(opens) + ARRAY_SIZE(bins)];
	size_t nwant, i, k, checked = 0, matched = 0, silent = 0, bad = 0;
	bool used[EVBUF_MAX];
	struct crs_err err = {0};
	unsigned int round;
	pid_t pid;

	for (round = 0; round < ROUNDS; round++) {
		struct crs_policy p;

		random_policy(&p, self, round + 1);
		sb_load(&self->sb, self->sb.cgid, &p);
		if (!round) {	/* every log bit: the container's, kept across tables */
			ASSERT_EQ(0, crs_nl_set_container(self->sb.nl, self->sb.cgid,
							  CRS_MODE_POLICY, CRS_LOG_ALL, &err)) {
				TH_LOG("%s", err.msg);
			}
		}
		/* what userspace says for every access the child makes */
		nwant = 0;
		for (i = 0; i < ARRAY_SIZE(files) + ARRAY_SIZE(bins); i++) {
			for (k = 0; k < (i < ARRAY_SIZE(files) ? ARRAY_SIZE(opens) : 1); k++) {
				struct crs_observation o = { 0 };
				struct want *w = &want[nwant++];

				w->type = i < ARRAY_SIZE(files) ? CRS_RULE_FILE : CRS_RULE_EXECUTE;
				sb_path(&self->sb, i < ARRAY_SIZE(files) ? files[i] :
					bins[i - ARRAY_SIZE(files)], w->path);
				w->access = w->type == CRS_RULE_FILE ? access_of(opens[k]) :
					    CRS_ACCESS_EXEC;
				o.type = w->type;
				o.program = (char *)self_exe();
				o.path = w->path;
				o.access = w->access;
				w->rule = crs_policy_match(&p, &o, &w->action);
			}
		}
		self->b->n = 0;
		ASSERT_EQ(0, run_in(self->sb.cg, touch_all, self->sb.dir, &pid));
		sb_fence(&self->sb, self->ev, self->b);
		ASSERT_EQ(0, self->b->overflow);
		/* every event of the cgroup: userspace must decide the same */
		for (i = 0; i < (size_t)self->b->n; i++) {
			const struct crs_event *e = &self->b->ev[i];
			struct crs_observation o = { 0 };
			enum crs_action a;
			int r, er;

			if (e->cgroup_id != self->sb.cgid)
				continue;
			o.type = e->type;
			o.program = (char *)e->program;
			o.path = (char *)e->path;
			o.access = e->access;
			r = crs_policy_match(&p, &o, &a);
			er = e->rule_index == CRS_RULE_INDEX_NONE ? -1 : (int)e->rule_index;
			checked++;
			if (r != er || a != e->verdict) {
				if (bad++ < 10)
					TH_LOG("round %u: %s %s access %u by %s: kernel rule %d %s, "
					       "userspace rule %d %s", round,
					       crs_rule_type_name(e->type) ?: "?", e->path, e->access,
					       e->program, er, act(e->verdict), r, act(a));
			}
		}
		/*
		 * Each access made, in order, against the cgroup's events in order:
		 * the next unused event of its type and path is its own when its
		 * access bits are among those asked (an event names the bits
		 * denied, or all of them when allowed). It must carry the rule and
		 * verdict userspace gives for the access as asked; an access
		 * without an event is one the default allowed.
		 */
		memset(used, 0, sizeof(used));
		for (k = 0; k < nwant; k++) {
			const struct crs_event *e = NULL;

			for (i = 0; i < (size_t)self->b->n; i++) {
				e = &self->b->ev[i];
				if (!used[i] && e->cgroup_id == self->sb.cgid &&
				    e->type == want[k].type && !strcmp(e->path, want[k].path))
					break;
			}
			if (i < (size_t)self->b->n && e->access && !(e->access & ~want[k].access)) {
				int er = e->rule_index == CRS_RULE_INDEX_NONE ? -1 : (int)e->rule_index;

				used[i] = true;
				matched++;
				if (er == want[k].rule && e->verdict == want[k].action)
					continue;
				if (bad++ < 10)
					TH_LOG("round %u: %s %s access %u: kernel rule %d %s (access %u), "
					       "userspace rule %d %s", round,
					       crs_rule_type_name(want[k].type), want[k].path,
					       want[k].access, er, act(e->verdict), e->access,
					       want[k].rule, act(want[k].action));
				continue;
			}
			silent++;
			if (want[k].rule != -1 || want[k].action != CRS_ACTION_ALLOW) {
				if (bad++ < 10)
					TH_LOG("round %u: %s %s access %u: no event, userspace says "
					       "rule %d %s", round, crs_rule_type_name(want[k].type),
					       want[k].path, want[k].access, want[k].rule,
					       act(want[k].action));
			}
		}
		pol_release(&p);
	}
	TH_LOG("%u policies: %zu events compared, %zu of them an access made; %zu accesses "
	       "without an event (allowed by default); %zu disagreements",
	       ROUNDS, checked, matched, silent, bad);
	EXPECT_EQ(0, bad);
	EXPECT_LT(ROUNDS * 5, matched);
}

CRS_SELFTEST_MAIN
