// SPDX-License-Identifier: GPL-2.0
/*
 * table_test.c - tables on cgroups: inheritance by descendant cgroups, the
 * nearest table wins, tasks moving between cgroups, per-container mode and
 * log overrides, what GET_TABLE reports (rules, generation, counters), and
 * atomic replacement under load.
 */
#include "crs_selftest.h"

/* Load a table that denies reading @file (rule 0) on cgroup @id. */
static void __load_deny(struct __test_metadata *_metadata, struct crs_sb *sb, uint64_t id,
			enum crs_mode mode, const char *name, const char *file)
{
	struct crs_policy p;

	pol_init(&p, name, mode, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_file(&p, "deny-file", CRS_ACTION_DENY, file, CRS_ACCESS_READ | CRS_ACCESS_WRITE);
	sb_load(sb, id, &p);
	pol_release(&p);
}
#define load_deny(sb, id, mode, name, file) __load_deny(_metadata, sb, id, mode, name, file)

static int del_table(struct crs_sb *sb, uint64_t id)
{
	struct crs_err err = {0};

	return crs_nl_del_table(sb->nl, id, &err);
}

/* ------------------------------------------------------------ inheritance */

FIXTURE(inherit) {
	struct crs_sb sb;
	char child[PATH_MAX], grand[PATH_MAX];
	uint64_t child_id, grand_id;
	char secret[PATH_MAX], other[PATH_MAX];
};

FIXTURE_SETUP(inherit)
{
	sb_setup(_metadata, &self->sb);
	sb_subcg(_metadata, &self->sb, self->sb.cg, "child", self->child, &self->child_id);
	sb_subcg(_metadata, &self->sb, self->child, "grand", self->grand, &self->grand_id);
	sb_path(&self->sb, "secret", self->secret);
	sb_path(&self->sb, "other", self->other);
	ASSERT_EQ(0, write_file(self->secret, "s\n", 0644));
	ASSERT_EQ(0, write_file(self->other, "o\n", 0644));
	load_deny(&self->sb, self->sb.cgid, CRS_MODE_ENFORCE, "parent", self->secret);
}

FIXTURE_TEARDOWN(inherit)
{
	sb_teardown(&self->sb);
}

/* Descendants without a table of their own are policed by the parent's. */
TEST_F(inherit, descendants_policed)
{
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	const struct crs_event *e;
	pid_t pid;

	sb_events(&ev);
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(EACCES, child_open(self->child, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(EACCES, child_open(self->grand, self->secret, O_RDONLY, &pid));
	EXPECT_EQ(0, child_open(self->grand, self->other, O_RDONLY, NULL));
	ASSERT_EQ(0, ev_wait(ev, b, pid, EVENT_TIMEOUT_MS));
	e = ev_find(b, pid, CRS_RULE_FILE);
	ASSERT_NE(NULL, e);
	/* the task's own cgroup, and the one whose table decided */
	EXPECT_EQ(self->grand_id, e->cgroup_id);
	EXPECT_EQ(self->sb.cgid, e->table_cgroup_id);
	crs_events_close(ev);
	free(b);
}

/* A table of its own replaces the inherited one, for the cgroup and below. */
TEST_F(inherit, nearest_table_wins)
{
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	const struct crs_event *e;
	pid_t pid;

	load_deny(&self->sb, self->child_id, CRS_MODE_ENFORCE, "child", self->other);
	sb_events(&ev);
	EXPECT_EQ(0, child_open(self->child, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(0, child_open(self->grand, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(EACCES, child_open(self->child, self->other, O_RDONLY, NULL));
	EXPECT_EQ(EACCES, child_open(self->grand, self->other, O_RDONLY, &pid));
	/* the parent's own tasks keep the parent's table */
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(0, child_open(self->sb.cg, self->other, O_RDONLY, NULL));
	ASSERT_EQ(0, ev_wait(ev, b, pid, EVENT_TIMEOUT_MS));
	e = ev_find(b, pid, CRS_RULE_FILE);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(self->grand_id, e->cgroup_id);
	EXPECT_EQ(self->child_id, e->table_cgroup_id);
	crs_events_close(ev);
	free(b);
}

/* Deleting the child's table hands the child back to the parent's. */
TEST_F(inherit, delete_child_table)
{
	struct crs_policy p;

	pol_init(&p, "child-allow-all", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	sb_load(&self->sb, self->child_id, &p);
	pol_release(&p);
	EXPECT_EQ(0, child_open(self->child, self->secret, O_RDONLY, NULL));
	ASSERT_EQ(0, del_table(&self->sb, self->child_id));
	EXPECT_EQ(EACCES, child_open(self->child, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(EACCES, child_open(self->grand, self->secret, O_RDONLY, NULL));
}

/* Without any table nothing is policed and nothing reported. */
TEST_F(inherit, delete_parent_table)
{
	struct crs_events *ev;
	struct evbuf *b = evbuf_new();
	pid_t pid;

	ASSERT_EQ(0, del_table(&self->sb, self->sb.cgid));
	sb_events(&ev);
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(0, child_open(self->grand, self->secret, O_RDWR, &pid));
	sb_fence(&self->sb, ev, b);
	EXPECT_EQ(0, ev_count(b, pid));
	crs_events_close(ev);
	free(b);
}

struct mover {
	int go[2], done[2];
	const char *path;
};

/* Waits for a byte, opens the file, reports 0 or errno over the pipe; twice. */
static int mover_fn(void *a)
{
	struct mover *m = a;
	char c;
	int i, fd, r;

	for (i = 0; i < 2; i++) {
		if (read(m->go[0], &c, 1) != 1)
			return 100;
		fd = open(m->path, O_RDONLY | O_CLOEXEC);
		r = fd < 0 ? errno : 0;
		if (fd >= 0)
			close(fd);
		c = r;
		if (write(m->done[1], &c, 1) != 1)
			return 101;
	}
	return 0;
}

/* The table is looked up at each access: moving a running task counts. */
TEST_F(inherit, running_task_moved)
{
	struct mover m = { .path = self->secret };
	char c = 0;
	int status;
	pid_t pid;

	ASSERT_EQ(0, pipe(m.go));
	ASSERT_EQ(0, pipe(m.done));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(mover_fn(&m));
	/* started in the test's (unpoliced) cgroup, moved into the grandchild */
	ASSERT_EQ(0, cg_move(self->grand, pid));
	ASSERT_EQ(1, write(m.go[1], &c, 1));
	ASSERT_EQ(1, read(m.done[0], &c, 1));
	EXPECT_EQ(EACCES, c);
	/* and out again */
	ASSERT_EQ(0, cg_move(CG_ROOT, pid));
	ASSERT_EQ(1, write(m.go[1], &c, 1));
	ASSERT_EQ(1, read(m.done[0], &c, 1));
	EXPECT_EQ(0, c);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

/* ------------------------------------------------- per-container overrides */

FIXTURE(container) {
	struct crs_sb sb;
	char secret[PATH_MAX];
	struct crs_events *ev;
	struct evbuf *b;
};

FIXTURE_SETUP(container)
{
	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "secret", self->secret);
	ASSERT_EQ(0, write_file(self->secret, "s\n", 0644));
	self->b = evbuf_new();
	sb_events(&self->ev);
}

FIXTURE_TEARDOWN(container)
{
	if (self->ev)
		crs_events_close(self->ev);
	free(self->b);
	sb_teardown(&self->sb);
}

static int set_container(struct crs_sb *sb, int mode, int64_t log)
{
	struct crs_err err = {0};

	return crs_nl_set_container(sb->nl, sb->cgid, mode, log, &err);
}

/* The table's mode and the override, as GET_TABLE reports them. */
static void __check_modes(struct __test_metadata *_metadata, struct crs_sb *sb,
			  enum crs_mode table_mode, int container_mode)
{
	struct crs_table_info *t = NULL;
	struct crs_err err = {0};
	size_t n = 0;
	int ret = crs_nl_get_tables(sb->nl, sb->cgid, &t, &n, &err);

	ASSERT_EQ(0, ret) {
		TH_LOG("crs_nl_get_tables: %s (%s)", strerror(-ret), err.msg);
	}
	ASSERT_EQ(1, n);
	EXPECT_EQ(sb->cgid, t[0].cgroup_id);
	EXPECT_EQ(table_mode, t[0].mode);
	EXPECT_EQ(container_mode, t[0].container_mode);
	crs_table_info_free(t, n);
}
#define check_modes(sb, tm, cm) __check_modes(_metadata, sb, tm, cm)

/* An enforce policy made to monitor: allowed, reported as a would-be denial. */
TEST_F(container, enforce_to_monitor_and_back)
{
	const struct crs_event *e;
	pid_t pid;

	load_deny(&self->sb, self->sb.cgid, CRS_MODE_ENFORCE, "container", self->secret);
	check_modes(&self->sb, CRS_MODE_ENFORCE, CRS_MODE_POLICY);
	ASSERT_EQ(0, set_container(&self->sb, CRS_MODE_MONITOR, -1));
	check_modes(&self->sb, CRS_MODE_ENFORCE, CRS_MODE_MONITOR);
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret, O_RDONLY, &pid));
	ASSERT_EQ(0, ev_wait(self->ev, self->b, pid, EVENT_TIMEOUT_MS));
	e = ev_find(self->b, pid, CRS_RULE_FILE);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(CRS_MODE_MONITOR, e->mode);
	EXPECT_EQ(CRS_ACTION_ALLOW, e->action);
	EXPECT_EQ(CRS_ACTION_DENY, e->verdict);

	ASSERT_EQ(0, set_container(&self->sb, CRS_MODE_POLICY, -1));
	check_modes(&self->sb, CRS_MODE_ENFORCE, CRS_MODE_POLICY);
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, &pid));
	ASSERT_EQ(0, ev_wait(self->ev, self->b, pid, EVENT_TIMEOUT_MS));
	e = ev_find(self->b, pid, CRS_RULE_FILE);
	ASSERT_NE(NULL, e);
	EXPECT_EQ(CRS_MODE_ENFORCE, e->mode);
	EXPECT_EQ(CRS_ACTION_DENY, e->action);
}

TEST_F(container, disabled_override)
{
	pid_t pid;

	load_deny(&self->sb, self->sb.cgid, CRS_MODE_ENFORCE, "container", self->secret);
	ASSERT_EQ(0, set_container(&self->sb, CRS_MODE_DISABLED, -1));
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret, O_RDONLY, &pid));
	sb_fence(&self->sb, self->ev, self->b);
	EXPECT_EQ(0, ev_count(self->b, pid));
}

TEST_F(container, monitor_policy_enforced)
{
	load_deny(&self->sb, self->sb.cgid, CRS_MODE_MONITOR, "container", self->secret);
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	ASSERT_EQ(0, set_container(&self->sb, CRS_MODE_ENFORCE, -1));
	check_modes(&self->sb, CRS_MODE_MONITOR, CRS_MODE_ENFORCE);
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	ASSERT_EQ(0, set_container(&self->sb, CRS_MODE_POLICY, -1));
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
}

/* A disabled policy made to enforce. */
TEST_F(container, disabled_policy_enforced)
{
	load_deny(&self->sb, self->sb.cgid, CRS_MODE_DISABLED, "container", self->secret);
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	ASSERT_EQ(0, set_container(&self->sb, CRS_MODE_ENFORCE, -1));
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
}

/* The log mask silences events, never decisions. */
TEST_F(container, log_mask)
{
	pid_t quiet, loud;

	load_deny(&self->sb, self->sb.cgid, CRS_MODE_ENFORCE, "container", self->secret);
	ASSERT_EQ(0, set_container(&self->sb, CRS_MODE_POLICY, 0));
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, &quiet));
	ASSERT_EQ(0, set_container(&self->sb, CRS_MODE_POLICY, CRS_LOG_DENY));
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, &loud));
	ASSERT_EQ(0, ev_wait(self->ev, self->b, loud, EVENT_TIMEOUT_MS));
	EXPECT_EQ(0, ev_count(self->b, quiet));
}

/* Overrides are for cgroups with a table. */
TEST_F(container, no_table)
{
	EXPECT_GT(0, set_container(&self->sb, CRS_MODE_MONITOR, -1));
}

/* ---------------------------------------------------- what GET_TABLE says */

FIXTURE(table_info) {
	struct crs_sb sb;
	char secret[PATH_MAX], other[PATH_MAX];
};

FIXTURE_SETUP(table_info)
{
	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "secret", self->secret);
	sb_path(&self->sb, "other", self->other);
	ASSERT_EQ(0, write_file(self->secret, "s\n", 0644));
	ASSERT_EQ(0, write_file(self->other, "o\n", 0644));
}

FIXTURE_TEARDOWN(table_info)
{
	sb_teardown(&self->sb);
}

static void __get_one(struct __test_metadata *_metadata, struct crs_sb *sb,
		      struct crs_table_info **t)
{
	struct crs_err err = {0};
	size_t n = 0;
	int ret = crs_nl_get_tables(sb->nl, sb->cgid, t, &n, &err);

	ASSERT_EQ(0, ret) {
		TH_LOG("crs_nl_get_tables: %s (%s)", strerror(-ret), err.msg);
	}
	ASSERT_EQ(1, n);
}
#define get_one(sb, t) __get_one(_metadata, sb, t)

static const struct crs_rule_info *rule_at(const struct crs_table_info *t, uint32_t index)
{
	uint32_t i;

	for (i = 0; i < t->nrules; i++)
		if (t->rules[i].index == index)
			return &t->rules[i];
	return NULL;
}

/* Rules, defaults and names come back as loaded. */
TEST_F(table_info, roundtrip)
{
	struct crs_table_info *t = NULL;
	const struct crs_rule_info *r;
	struct crs_policy p;
	char glob[PATH_MAX];

	snprintf(glob, sizeof(glob), "%s/*.log", self->sb.dir);
	pol_init(&p, "roundtrip", CRS_MODE_MONITOR, CRS_ACTION_DENY, CRS_ACTION_ALLOW);
	pol_file(&p, "deny-secret", CRS_ACTION_DENY, self->secret, CRS_ACCESS_WRITE);
	pol_rule(&p, "allow-glob", CRS_RULE_FILE, CRS_ACTION_ALLOW, "/usr/bin/*", glob,
		 CRS_ACCESS_READ);
	pol_exec(&p, NULL, CRS_ACTION_DENY, "/usr/sbin/**");
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);

	get_one(&self->sb, &t);
	EXPECT_STREQ("roundtrip", t->name);
	EXPECT_EQ(CRS_MODE_MONITOR, t->mode);
	EXPECT_EQ(CRS_MODE_POLICY, t->container_mode);
	EXPECT_EQ(CRS_LOG_DEFAULT, t->container_log);
	EXPECT_EQ(CRS_ACTION_DENY, t->defaults[CRS_RULE_FILE]);
	EXPECT_EQ(CRS_ACTION_ALLOW, t->defaults[CRS_RULE_EXECUTE]);
	ASSERT_EQ(3, t->nrules);
	r = rule_at(t, 0);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("deny-secret", r->name);
	EXPECT_EQ(CRS_RULE_FILE, r->type);
	EXPECT_EQ(CRS_ACTION_DENY, r->action);
	EXPECT_STREQ("*", r->program);
	EXPECT_STREQ(self->secret, r->path);
	EXPECT_EQ(CRS_ACCESS_WRITE, r->access);
	EXPECT_EQ(CRS_RULE_F_ENABLED, r->flags & CRS_RULE_F_ENABLED);
	r = rule_at(t, 1);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("allow-glob", r->name);
	EXPECT_STREQ("/usr/bin/*", r->program);
	EXPECT_STREQ(glob, r->path);
	EXPECT_EQ(CRS_ACCESS_READ, r->access);
	r = rule_at(t, 2);
	ASSERT_NE(NULL, r);
	EXPECT_STREQ("", r->name);
	EXPECT_EQ(CRS_RULE_EXECUTE, r->type);
	EXPECT_STREQ("/usr/sbin/**", r->path);
	crs_table_info_free(t, 1);
}

/* Every SET_TABLE bumps the generation; a dump lists the table until deleted. */
TEST_F(table_info, generation_and_delete)
{
	struct crs_table_info *t = NULL, *all = NULL;
	struct crs_err err = {0};
	uint64_t gen;
	size_t n = 0, i;
	bool listed;

	load_deny(&self->sb, self->sb.cgid, CRS_MODE_ENFORCE, "gen1", self->secret);
	get_one(&self->sb, &t);
	gen = t->generation;
	EXPECT_STREQ("gen1", t->name);
	crs_table_info_free(t, 1);
	load_deny(&self->sb, self->sb.cgid, CRS_MODE_ENFORCE, "gen2", self->other);
	get_one(&self->sb, &t);
	EXPECT_LT(gen, t->generation);
	EXPECT_STREQ("gen2", t->name);
	crs_table_info_free(t, 1);
	/* the replacement is what decides */
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->other, O_RDONLY, NULL));

	ASSERT_EQ(0, crs_nl_get_tables(self->sb.nl, 0, &all, &n, &err));
	for (listed = false, i = 0; i < n; i++)
		listed |= all[i].cgroup_id == self->sb.cgid;
	EXPECT_TRUE(listed);
	crs_table_info_free(all, n);

	ASSERT_EQ(0, del_table(&self->sb, self->sb.cgid));
	all = NULL;
	n = 0;
	ASSERT_EQ(0, crs_nl_get_tables(self->sb.nl, 0, &all, &n, &err));
	for (listed = false, i = 0; i < n; i++)
		listed |= all[i].cgroup_id == self->sb.cgid;
	EXPECT_FALSE(listed);
	crs_table_info_free(all, n);
	EXPECT_EQ(0, child_open(self->sb.cg, self->other, O_RDONLY, NULL));
}

/* Counters: one denial, one monitored would-be denial, one default decision. */
TEST_F(table_info, counters)
{
	struct crs_table_info *t = NULL;
	const struct crs_rule_info *r;
	struct crs_err err = {0};

	load_deny(&self->sb, self->sb.cgid, CRS_MODE_ENFORCE, "counters", self->secret);
	get_one(&self->sb, &t);
	EXPECT_EQ(0, t->denied);
	EXPECT_EQ(0, t->monitored);
	crs_table_info_free(t, 1);

	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	get_one(&self->sb, &t);
	EXPECT_EQ(1, t->denied);
	EXPECT_EQ(0, t->monitored);
	r = rule_at(t, 0);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(1, r->hits);
	crs_table_info_free(t, 1);

	ASSERT_EQ(0, crs_nl_set_container(self->sb.nl, self->sb.cgid, CRS_MODE_MONITOR, -1, &err));
	EXPECT_EQ(0, child_open(self->sb.cg, self->secret, O_RDONLY, NULL));
	get_one(&self->sb, &t);
	EXPECT_EQ(1, t->denied);
	EXPECT_EQ(1, t->monitored);
	r = rule_at(t, 0);
	ASSERT_NE(NULL, r);
	EXPECT_EQ(2, r->hits);
	crs_table_info_free(t, 1);

	/* no rule: a decision by the default action */
	EXPECT_EQ(0, child_open(self->sb.cg, self->other, O_RDONLY, NULL));
	get_one(&self->sb, &t);
	EXPECT_EQ(1, t->by_default);
	crs_table_info_free(t, 1);
}

/* ------------------------------------------------------ atomic replacement */

#define SWAP_WORKERS	3
#define SWAP_MAX	4000
#define SWAP_SECONDS	20
#define SWAP_FILLERS	48

struct swap_counts {
	long g_ok, g_denied, h_ok, h_denied;
	long f1_ok, f1_denied, f2_ok, f2_denied, other;
};

struct swap_shared {
	volatile int stop;
	volatile int ready;
	struct swap_counts c[SWAP_WORKERS];
};

FIXTURE(swap) {
	struct crs_sb sb;
	char f1[PATH_MAX], f2[PATH_MAX], g[PATH_MAX], h[PATH_MAX];
	struct crs_policy a, b;
	struct swap_shared *sh;
	pid_t workers[SWAP_WORKERS];
};

/* Rules that match nothing the workers open, so the tables take some building. */
static void add_fillers(struct crs_policy *p, const char *dir)
{
	char path[PATH_MAX];
	int i;

	for (i = 0; i < SWAP_FILLERS; i++) {
		snprintf(path, sizeof(path), "%s/filler/%d", dir, i);
		pol_file(p, NULL, CRS_ACTION_DENY, path, CRS_ACCESS_READ);
	}
	for (i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "%s/fglob%d/*", dir, i);
		pol_file(p, NULL, CRS_ACTION_ALLOW, path, CRS_ACCESS_READ);
		snprintf(path, sizeof(path), "%s/fsub%d/**", dir, i);
		pol_file(p, NULL, CRS_ACTION_DENY, path, CRS_ACCESS_READ);
	}
}

FIXTURE_SETUP(swap)
{
	sb_setup(_metadata, &self->sb);
	sb_path(&self->sb, "f1", self->f1);
	sb_path(&self->sb, "f2", self->f2);
	sb_path(&self->sb, "g", self->g);
	sb_path(&self->sb, "h", self->h);
	ASSERT_EQ(0, write_file(self->f1, "1\n", 0644));
	ASSERT_EQ(0, write_file(self->f2, "2\n", 0644));
	ASSERT_EQ(0, write_file(self->g, "g\n", 0644));
	ASSERT_EQ(0, write_file(self->h, "h\n", 0644));

	/*
	 * Table A: default deny; allows f1 and g by rule. f2, h: denied.
	 * Table B: default allow; denies f1 and h by rule. f2, g: allowed.
	 * g is allowed and h denied by both, for opposite reasons: a table
	 * seen half-built or mixed (A's rules with B's default, B's rules
	 * with A's default, or a rule list not yet filled) denies g or allows
	 * h. The deciding rules come last, after the fillers.
	 */
	pol_init(&self->a, "swap-a", CRS_MODE_ENFORCE, CRS_ACTION_DENY, CRS_ACTION_ALLOW);
	add_fillers(&self->a, self->sb.dir);
	pol_file(&self->a, "a-allow-f1", CRS_ACTION_ALLOW, self->f1, CRS_ACCESS_READ);
	pol_file(&self->a, "a-allow-g", CRS_ACTION_ALLOW, self->g, CRS_ACCESS_READ);
	pol_init(&self->b, "swap-b", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	add_fillers(&self->b, self->sb.dir);
	pol_file(&self->b, "b-deny-f1", CRS_ACTION_DENY, self->f1, CRS_ACCESS_READ);
	pol_file(&self->b, "b-deny-h", CRS_ACTION_DENY, self->h, CRS_ACCESS_READ);

	self->sh = mmap(NULL, sizeof(*self->sh), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	memset(self->sh, 0, sizeof(*self->sh));
}

FIXTURE_TEARDOWN(swap)
{
	int i;

	if (self->sh && self->sh != MAP_FAILED) {
		self->sh->stop = 1;
		for (i = 0; i < SWAP_WORKERS; i++)
			if (self->workers[i] > 0) {
				kill(self->workers[i], SIGKILL);
				waitpid(self->workers[i], NULL, 0);
			}
		munmap(self->sh, sizeof(*self->sh));
	}
	pol_release(&self->a);
	pol_release(&self->b);
	sb_teardown(&self->sb);
}

static int try_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static void swap_worker(struct swap_shared *sh, int i, const char *f1, const char *f2,
			const char *g, const char *h)
{
	struct swap_counts *c = &sh->c[i];
	int r;

	__atomic_add_fetch(&sh->ready, 1, __ATOMIC_SEQ_CST);
	while (!sh->stop) {
		r = try_open(g);
		if (r == 0)
			c->g_ok++;
		else if (r == EACCES)
			c->g_denied++;
		else
			c->other++;
		r = try_open(h);
		if (r == 0)
			c->h_ok++;
		else if (r == EACCES)
			c->h_denied++;
		else
			c->other++;
		r = try_open(f1);
		if (r == 0)
			c->f1_ok++;
		else if (r == EACCES)
			c->f1_denied++;
		else
			c->other++;
		r = try_open(f2);
		if (r == 0)
			c->f2_ok++;
		else if (r == EACCES)
			c->f2_denied++;
		else
			c->other++;
	}
}

TEST_F_TIMEOUT(swap, no_torn_table, 90)
{
	struct swap_counts sum = {0};
	struct crs_err err = {0};
	uint64_t deadline;
	int i, n, ret;

	sb_load(&self->sb, self->sb.cgid, &self->a);
	for (i = 0; i < SWAP_WORKERS; i++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			if (cg_join(self->sb.cg))
				_exit(CHILD_SETUP_FAILED);
			swap_worker(self->sh, i, self->f1, self->f2, self->g, self->h);
			_exit(0);
		}
		self->workers[i] = pid;
	}
	deadline = now_ms() + 10000;
	while (self->sh->ready < SWAP_WORKERS && now_ms() < deadline)
		usleep(1000);
	ASSERT_EQ(SWAP_WORKERS, self->sh->ready);

	deadline = now_ms() + SWAP_SECONDS * 1000;
	for (n = 0; n < SWAP_MAX && now_ms() < deadline; n++) {
		ret = crs_nl_set_table(self->sb.nl, self->sb.cgid,
				       n % 2 ? &self->a : &self->b, &err);
		ASSERT_EQ(0, ret) {
			TH_LOG("swap %d: %s (%s)", n, strerror(-ret), err.msg);
		}
	}
	self->sh->stop = 1;
	for (i = 0; i < SWAP_WORKERS; i++) {
		int status;

		ASSERT_EQ(self->workers[i], waitpid(self->workers[i], &status, 0));
		self->workers[i] = 0;
		EXPECT_EQ(0, status);
		sum.g_ok += self->sh->c[i].g_ok;
		sum.g_denied += self->sh->c[i].g_denied;
		sum.h_ok += self->sh->c[i].h_ok;
		sum.h_denied += self->sh->c[i].h_denied;
		sum.f1_ok += self->sh->c[i].f1_ok;
		sum.f1_denied += self->sh->c[i].f1_denied;
		sum.f2_ok += self->sh->c[i].f2_ok;
		sum.f2_denied += self->sh->c[i].f2_denied;
		sum.other += self->sh->c[i].other;
	}
	TH_LOG("%d swaps; g %ld/%ld h %ld/%ld f1 %ld/%ld f2 %ld/%ld (allowed/denied), other %ld",
	       n, sum.g_ok, sum.g_denied, sum.h_ok, sum.h_denied, sum.f1_ok, sum.f1_denied,
	       sum.f2_ok, sum.f2_denied, sum.other);
	/* no decision that neither table makes */
	EXPECT_EQ(0, sum.g_denied);
	EXPECT_EQ(0, sum.h_ok);
	EXPECT_EQ(0, sum.other);
	/* and the swaps really interleaved with the opens */
	EXPECT_LT(100, n);
	EXPECT_LT(0, sum.f1_ok);
	EXPECT_LT(0, sum.f1_denied);
	EXPECT_LT(0, sum.f2_ok);
	EXPECT_LT(0, sum.f2_denied);
	/* the last table loaded decides */
	EXPECT_EQ(n % 2 ? EACCES : 0, child_open(self->sb.cg, self->f1, O_RDONLY, NULL));
}

CRS_SELFTEST_MAIN
