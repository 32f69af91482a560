// SPDX-License-Identifier: GPL-2.0
/*
 * learn_test.c - learned sets (docs/learning.md, slice 1: files and execs).
 *
 * A child in a learning cgroup opens files and execs a busybox copy; the
 * dump must hold exactly those observations: program, path, access bits,
 * outcome bits, and nothing else from that cgroup. Then de-duplication (a
 * hot loop is one entry), denials, survival across SET_TABLE, the bound,
 * DEL_LEARNED, disabled mode, and a dump longer than one message.
 */
#include "crs_rawnl.h"

/* busybox applet that does nothing, opens nothing: "true" */
static char *const true_argv[] = { "true", NULL };

FIXTURE(learn) {
	struct crs_sb sb;
	char r[PATH_MAX], w[PATH_MAX], rw[PATH_MAX], tool[PATH_MAX];
	bool skip;
};

FIXTURE_SETUP(learn)
{
	char d[PATH_MAX];

	if (!have_busybox()) {
		self->skip = true;
		return;
	}
	sb_setup(_metadata, &self->sb);
	ASSERT_EQ(0, mkdir(sb_path(&self->sb, "bin", d), 0755));
	sb_path(&self->sb, "r", self->r);
	sb_path(&self->sb, "w", self->w);
	sb_path(&self->sb, "rw", self->rw);
	sb_path(&self->sb, "bin/tool", self->tool);
	ASSERT_EQ(0, write_file(self->r, "r\n", 0644));
	ASSERT_EQ(0, write_file(self->w, "w\n", 0644));
	ASSERT_EQ(0, write_file(self->rw, "rw\n", 0644));
	ASSERT_EQ(0, copy_file(BUSYBOX, self->tool, 0755));
}

FIXTURE_TEARDOWN(learn)
{
	if (!self->skip)
		sb_teardown(&self->sb);
}

/* A policy that allows everything, in @mode, with "learning" as given. */
static void load_allow_all(struct __test_metadata *_metadata, struct crs_sb *sb,
			   const char *name, enum crs_mode mode, bool learning)
{
	struct crs_policy p;

	pol_init(&p, name, mode, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	p.learning = learning;
	sb_load(sb, sb->cgid, &p);
	pol_release(&p);
}

static struct crs_learned *dump(struct __test_metadata *_metadata, struct crs_sb *sb)
{
	struct crs_learned *l = NULL;
	struct crs_err err = {0};
	int ret = crs_nl_get_learned(sb->nl, sb->cgid, &l, &err);

	EXPECT_EQ(0, ret) {
		TH_LOG("crs_nl_get_learned: %s (%s)", strerror(-ret), err.msg);
	}
	return l;
}

static void log_obs(struct __test_metadata *_metadata, const struct crs_learned *l)
{
	char a[32], o[32];
	size_t i;

	for (i = 0; l && i < l->n; i++)
		TH_LOG("  obs %u: %s %s %s program=%s path=%s", l->obs[i].index,
		       crs_rule_type_name(l->obs[i].type),
		       crs_access_str(l->obs[i].access, a, sizeof(a)),
		       crs_outcome_str(l->obs[i].outcome, o, sizeof(o)),
		       l->obs[i].program, l->obs[i].path);
}

/* The observation of (@type, @program, @path), or NULL. */
static const struct crs_observation *find_obs(const struct crs_learned *l,
					      enum crs_rule_type type, const char *program,
					      const char *path)
{
	size_t i;

	for (i = 0; l && i < l->n; i++)
		if (l->obs[i].type == type && !strcmp(l->obs[i].program, program) &&
		    !strcmp(l->obs[i].path, path))
			return &l->obs[i];
	return NULL;
}

#define EXPECT_OBS(l, _type, _prog, _path, _acc, _out) do {			\
	const struct crs_observation *_o = find_obs(l, _type, _prog, _path);	\
	EXPECT_NE(NULL, _o) {							\
		TH_LOG("no observation %s %s by %s", crs_rule_type_name(_type),	\
		       _path, _prog);						\
		log_obs(_metadata, l);						\
	}									\
	if (_o) {								\
		EXPECT_EQ(_acc, _o->access);					\
		EXPECT_EQ(_out, _o->outcome);					\
	}									\
} while (0)

/* The child: read r, write w, read+write rw, then exec the busybox copy. */
struct workload {
	const char *r, *w, *rw, *tool;
};

static int workload_fn(void *arg)
{
	static char *const envp[] = { NULL };
	const struct workload *wl = arg;
	int fd;

	fd = open(wl->r, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	fd = open(wl->w, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	fd = open(wl->rw, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	execve(wl->tool, true_argv, envp);
	return errno;
}

static void run_workload(struct __test_metadata *_metadata, FIXTURE_DATA(learn) *self)
{
	struct workload wl = { self->r, self->w, self->rw, self->tool };

	ASSERT_EQ(0, run_in(self->sb.cg, workload_fn, &wl, NULL));
}

/* Exactly the workload's four observations, all allowed. */
static void expect_workload(struct __test_metadata *_metadata, FIXTURE_DATA(learn) *self,
			    const struct crs_learned *l)
{
	const char *me = self_exe();

	ASSERT_NE(NULL, l);
	EXPECT_EQ(4, l->n) {
		log_obs(_metadata, l);
	}
	EXPECT_OBS(l, CRS_RULE_FILE, me, self->r, CRS_ACCESS_READ, CRS_OBS_ALLOWED);
	EXPECT_OBS(l, CRS_RULE_FILE, me, self->w, CRS_ACCESS_WRITE, CRS_OBS_ALLOWED);
	EXPECT_OBS(l, CRS_RULE_FILE, me, self->rw, CRS_ACCESS_READ | CRS_ACCESS_WRITE,
		   CRS_OBS_ALLOWED);
	EXPECT_OBS(l, CRS_RULE_EXECUTE, me, self->tool, CRS_ACCESS_EXEC, CRS_OBS_ALLOWED);
	/* one program entry (the test binary) and four observations */
	EXPECT_EQ(5, l->info.records);
	EXPECT_EQ(CRS_LEARN_STATE_RECORDING, l->info.state);
	EXPECT_EQ(0, l->info.dropped_full);
	EXPECT_EQ(0, l->info.dropped_long);
	EXPECT_EQ(self->sb.cgid, l->cgroup_id);
}

TEST_F(learn, policy_flag)
{
	struct crs_learned *l;
	struct crs_table_info *t = NULL;
	struct crs_err err = {0};
	size_t n = 0;

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	load_allow_all(_metadata, &self->sb, "learn-flag", CRS_MODE_MONITOR, true);
	/* the table says so, and the set exists, empty, before anything ran */
	ASSERT_EQ(0, crs_nl_get_tables(self->sb.nl, self->sb.cgid, &t, &n, &err));
	ASSERT_EQ(1, n);
	EXPECT_EQ(CRS_TABLE_F_LEARN, t[0].flags);
	EXPECT_EQ(CRS_LEARN_POLICY, t[0].container_learn);
	EXPECT_TRUE(t[0].has_learn);
	EXPECT_EQ(0, t[0].learn.records);
	EXPECT_EQ(CRS_DEFAULT_LEARN_RECORDS, t[0].learn.max);
	crs_table_info_free(t, n);

	run_workload(_metadata, self);
	l = dump(_metadata, &self->sb);
	expect_workload(_metadata, self, l);
	crs_learned_free(l);
}

TEST_F(learn, container_override)
{
	struct crs_learned *l = NULL;
	struct crs_err err = {0};
	int ret;

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	load_allow_all(_metadata, &self->sb, "learn-override", CRS_MODE_ENFORCE, false);
	/* no learning yet: no set */
	EXPECT_EQ(-ENOENT, crs_nl_get_learned(self->sb.nl, self->sb.cgid, &l, &err));
	EXPECT_NE(NULL, strstr(err.msg, "has no learned set")) {
		TH_LOG("%s", err.msg);
	}
	ret = crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_ON, 0, &err);
	ASSERT_EQ(0, ret) {
		TH_LOG("set learning: %s", err.msg);
	}
	run_workload(_metadata, self);
	l = dump(_metadata, &self->sb);
	expect_workload(_metadata, self, l);
	crs_learned_free(l);

	/* off: the set stays, idle, and records nothing more */
	ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_OFF, 0, &err));
	ASSERT_EQ(0, write_file(sb_path(&self->sb, "late", (char[PATH_MAX]){0}), "x", 0644));
	ASSERT_EQ(0, child_open(self->sb.cg, sb_path(&self->sb, "late", (char[PATH_MAX]){0}),
				O_RDONLY, NULL));
	l = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(CRS_LEARN_STATE_IDLE, l->info.state);
	EXPECT_EQ(4, l->n);
	crs_learned_free(l);
}

/* 10,000 opens of one file: one entry; the generation stops moving. */
struct loop_arg {
	const char *path;
	int n;
	uint64_t ns;
};

static int loop_fn(void *arg)
{
	struct loop_arg *a = arg;
	struct timespec t0, t1;
	int i, fd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < a->n; i++) {
		fd = open(a->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	a->ns = (t1.tv_sec - t0.tv_sec) * 1000000000ULL + t1.tv_nsec - t0.tv_nsec;
	return 0;
}

/* Run loop_fn in @cg; ns per open through a shared page. */
static uint64_t timed_loop(struct __test_metadata *_metadata, const char *cg, const char *path,
			   int n)
{
	struct loop_arg *a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint64_t ns;

	if (a == MAP_FAILED)
		return 0;
	a->path = path;
	a->n = n;
	EXPECT_EQ(0, run_in(cg, loop_fn, a, NULL));
	ns = a->ns / n;
	munmap(a, sizeof(*a));
	return ns;
}

TEST_F_TIMEOUT(learn, hot_loop_one_entry, 600)
{
	struct crs_learned *l, *l2;
	struct crs_err err = {0};
	uint64_t on, off;

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	load_allow_all(_metadata, &self->sb, "learn-loop", CRS_MODE_MONITOR, true);
	ASSERT_EQ(0, child_open(self->sb.cg, self->r, O_RDONLY, NULL));
	l = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(1, l->n);
	on = timed_loop(_metadata, self->sb.cg, self->r, 10000);
	l2 = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l2);
	EXPECT_EQ(1, l2->n) {
		log_obs(_metadata, l2);
	}
	EXPECT_EQ(2, l2->info.records);
	/* every open after the first was a hit: nothing written */
	EXPECT_EQ(l->info.generation, l2->info.generation);
	EXPECT_OBS(l2, CRS_RULE_FILE, self_exe(), self->r, CRS_ACCESS_READ, CRS_OBS_ALLOWED);
	crs_learned_free(l);
	crs_learned_free(l2);
	/* the same loop with learning off, for the log (TCG timing is noisy) */
	ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_OFF, 0, &err));
	off = timed_loop(_metadata, self->sb.cg, self->r, 10000);
	TH_LOG("open+close: %llu ns learning (hits), %llu ns not learning",
	       (unsigned long long)on, (unsigned long long)off);
}

TEST_F(learn, enforce_denied)
{
	struct crs_learned *l;
	struct crs_policy p;

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	pol_init(&p, "learn-deny", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_file(&p, "deny-r", CRS_ACTION_DENY, self->r, CRS_ACCESS_READ);
	pol_exec(&p, "deny-tool", CRS_ACTION_DENY, self->tool);
	p.learning = true;
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
	EXPECT_EQ(EACCES, child_open(self->sb.cg, self->r, O_RDONLY, NULL));
	EXPECT_EQ(0, child_open(self->sb.cg, self->w, O_WRONLY, NULL));
	EXPECT_EQ(EACCES, child_exec(self->sb.cg, self->tool, true_argv, NULL));
	l = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(3, l->n) {
		log_obs(_metadata, l);
	}
	EXPECT_OBS(l, CRS_RULE_FILE, self_exe(), self->r, CRS_ACCESS_READ, CRS_OBS_DENIED);
	EXPECT_OBS(l, CRS_RULE_FILE, self_exe(), self->w, CRS_ACCESS_WRITE, CRS_OBS_ALLOWED);
	EXPECT_OBS(l, CRS_RULE_EXECUTE, self_exe(), self->tool, CRS_ACCESS_EXEC, CRS_OBS_DENIED);
	crs_learned_free(l);

	/* monitor lets the same read through: the bits accumulate on one entry */
	ASSERT_EQ(0, crs_nl_set_container(self->sb.nl, self->sb.cgid, CRS_MODE_MONITOR, -1, NULL));
	EXPECT_EQ(0, child_open(self->sb.cg, self->r, O_RDONLY, NULL));
	l = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(3, l->n);
	EXPECT_OBS(l, CRS_RULE_FILE, self_exe(), self->r, CRS_ACCESS_READ,
		   CRS_OBS_DENIED | CRS_OBS_ALLOWED);
	crs_learned_free(l);
}

TEST_F(learn, survives_set_table)
{
	struct crs_learned *l, *l2;

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	load_allow_all(_metadata, &self->sb, "learn-v1", CRS_MODE_MONITOR, true);
	ASSERT_EQ(0, child_open(self->sb.cg, self->r, O_RDONLY, NULL));
	l = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(1, l->n);
	/* a new policy: the set, its epoch and its entries stay */
	load_allow_all(_metadata, &self->sb, "learn-v2", CRS_MODE_ENFORCE, true);
	ASSERT_EQ(0, child_open(self->sb.cg, self->w, O_WRONLY, NULL));
	l2 = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l2);
	EXPECT_EQ(l->info.epoch, l2->info.epoch);
	EXPECT_EQ(2, l2->n);
	EXPECT_OBS(l2, CRS_RULE_FILE, self_exe(), self->r, CRS_ACCESS_READ, CRS_OBS_ALLOWED);
	EXPECT_OBS(l2, CRS_RULE_FILE, self_exe(), self->w, CRS_ACCESS_WRITE, CRS_OBS_ALLOWED);
	crs_learned_free(l2);
	/* a policy without "learning": kept, idle, nothing more recorded */
	load_allow_all(_metadata, &self->sb, "learn-v3", CRS_MODE_ENFORCE, false);
	ASSERT_EQ(0, child_open(self->sb.cg, self->rw, O_RDWR, NULL));
	l2 = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l2);
	EXPECT_EQ(l->info.epoch, l2->info.epoch);
	EXPECT_EQ(CRS_LEARN_STATE_IDLE, l2->info.state);
	EXPECT_EQ(2, l2->n);
	crs_learned_free(l);
	crs_learned_free(l2);
}

struct many_arg {
	const char *dir;
	int n;
	int name_len;
};

/* Open dir/fNNNN (padded to name_len) for reading, n files. */
static int many_fn(void *arg)
{
	const struct many_arg *a = arg;
	char path[PATH_MAX];
	int i, fd;

	for (i = 0; i < a->n; i++) {
		snprintf(path, sizeof(path), "%s/f%05d%0*d", a->dir, i, a->name_len, 0);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return errno;
		close(fd);
	}
	return 0;
}

static void make_many(struct __test_metadata *_metadata, const struct many_arg *a)
{
	char path[PATH_MAX];
	int i, fd;

	ASSERT_EQ(0, mkdir(a->dir, 0755));
	for (i = 0; i < a->n; i++) {
		snprintf(path, sizeof(path), "%s/f%05d%0*d", a->dir, i, a->name_len, 0);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		ASSERT_LE(0, fd);
		close(fd);
	}
}

TEST_F(learn, bound_and_dropped)
{
	char dir[PATH_MAX];
	struct many_arg a = { .dir = sb_path(&self->sb, "many", dir), .n = 100, .name_len = 1 };
	struct crs_learned *l;
	struct crs_status st0, st1;
	struct crs_err err = {0};
	size_t i;

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	make_many(_metadata, &a);
	load_allow_all(_metadata, &self->sb, "learn-bound", CRS_MODE_MONITOR, false);
	ASSERT_EQ(0, crs_nl_get_status(self->sb.nl, &st0, &err));
	ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_ON,
					 CRS_MIN_LEARN_RECORDS, &err)) {
		TH_LOG("%s", err.msg);
	}
	ASSERT_EQ(0, run_in(self->sb.cg, many_fn, &a, NULL));
	l = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l);
	/* 64 records: the program and the first 63 files, in order */
	EXPECT_EQ(CRS_MIN_LEARN_RECORDS, l->info.max);
	EXPECT_EQ(CRS_MIN_LEARN_RECORDS, l->info.records);
	EXPECT_EQ(CRS_MIN_LEARN_RECORDS - 1, l->n);
	EXPECT_EQ(100 - (CRS_MIN_LEARN_RECORDS - 1), l->info.dropped_full);
	EXPECT_EQ(CRS_LEARN_STATE_FULL, l->info.state);
	for (i = 0; i < l->n; i++) {
		char want[PATH_MAX];

		snprintf(want, sizeof(want), "%s/f%05d%0*d", a.dir, (int)i, a.name_len, 0);
		EXPECT_STREQ(want, l->obs[i].path);
	}
	crs_learned_free(l);
	ASSERT_EQ(0, crs_nl_get_status(self->sb.nl, &st1, &err));
	EXPECT_EQ(st0.learn_dropped + 100 - (CRS_MIN_LEARN_RECORDS - 1), st1.learn_dropped);
	EXPECT_EQ(st0.learn_sets + 1, st1.learn_sets);
	EXPECT_EQ(st0.learn_reserved + CRS_MIN_LEARN_RECORDS, st1.learn_reserved);
	/* a different size for an existing set is refused */
	EXPECT_EQ(-EBUSY, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_ON, 128,
					      &err));
	EXPECT_NE(NULL, strstr(err.msg, "delete it to resize")) {
		TH_LOG("%s", err.msg);
	}
	/* more than the module-wide total is refused */
	{
		char c1[PATH_MAX], c2[PATH_MAX];
		uint64_t id1, id2;
		struct crs_policy p;

		sb_subcg(_metadata, &self->sb, self->sb.cg, "big1", c1, &id1);
		sb_subcg(_metadata, &self->sb, self->sb.cg, "big2", c2, &id2);
		pol_init(&p, "big", CRS_MODE_MONITOR, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
		sb_load(&self->sb, id1, &p);
		sb_load(&self->sb, id2, &p);
		pol_release(&p);
		ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, id1, CRS_LEARN_ON,
						 CRS_MAX_LEARN_RECORDS, &err)) {
			TH_LOG("%s", err.msg);
		}
		EXPECT_EQ(-ENOSPC, crs_nl_set_learning(self->sb.nl, id2, CRS_LEARN_ON,
						       CRS_MAX_LEARN_RECORDS, &err));
		EXPECT_NE(NULL, strstr(err.msg, "reserved by other cgroups")) {
			TH_LOG("%s", err.msg);
		}
		/* refused: the override did not change either */
		l = NULL;
		EXPECT_EQ(-ENOENT, crs_nl_get_learned(self->sb.nl, id2, &l, &err));
		ASSERT_EQ(0, crs_nl_del_table(self->sb.nl, id1, &err));
		ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, id2, CRS_LEARN_ON,
						 CRS_MAX_LEARN_RECORDS, &err)) {
			TH_LOG("%s", err.msg);
		}
	}
	ASSERT_EQ(0, crs_nl_del_learned(self->sb.nl, self->sb.cgid, &err));
}

TEST_F(learn, del_learned)
{
	struct crs_learned *l, *l2 = NULL;
	struct crs_err err = {0};

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	load_allow_all(_metadata, &self->sb, "learn-del", CRS_MODE_MONITOR, true);
	ASSERT_EQ(0, child_open(self->sb.cg, self->r, O_RDONLY, NULL));
	l = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(1, l->n);
	/* still learning: an empty set of a new epoch replaces it */
	ASSERT_EQ(0, crs_nl_del_learned(self->sb.nl, self->sb.cgid, &err));
	l2 = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l2);
	EXPECT_EQ(0, l2->n);
	EXPECT_EQ(0, l2->info.records);
	EXPECT_LT(l->info.epoch, l2->info.epoch);
	crs_learned_free(l2);
	ASSERT_EQ(0, child_open(self->sb.cg, self->w, O_WRONLY, NULL));
	l2 = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l2);
	EXPECT_EQ(1, l2->n);
	EXPECT_OBS(l2, CRS_RULE_FILE, self_exe(), self->w, CRS_ACCESS_WRITE, CRS_OBS_ALLOWED);
	crs_learned_free(l2);
	crs_learned_free(l);
	/* learning off: the set goes */
	ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_OFF, 0, &err));
	ASSERT_EQ(0, crs_nl_del_learned(self->sb.nl, self->sb.cgid, &err));
	l2 = NULL;
	EXPECT_EQ(-ENOENT, crs_nl_get_learned(self->sb.nl, self->sb.cgid, &l2, &err));
	EXPECT_EQ(-ENOENT, crs_nl_del_learned(self->sb.nl, self->sb.cgid, &err));
	EXPECT_NE(NULL, strstr(err.msg, "has no learned set"));
	/* DEL_TABLE frees a set too */
	ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_ON, 0, &err));
	ASSERT_EQ(0, crs_nl_del_table(self->sb.nl, self->sb.cgid, &err));
	EXPECT_EQ(-ENOENT, crs_nl_get_learned(self->sb.nl, self->sb.cgid, &l2, &err));
}

TEST_F(learn, disabled_records_nothing)
{
	struct crs_learned *l;

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	load_allow_all(_metadata, &self->sb, "learn-disabled", CRS_MODE_DISABLED, true);
	run_workload(_metadata, self);
	l = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, l->n) {
		log_obs(_metadata, l);
	}
	EXPECT_EQ(0, l->info.records);
	EXPECT_EQ(CRS_LEARN_STATE_IDLE, l->info.state);
	crs_learned_free(l);
	/* the container override to monitor makes it record */
	ASSERT_EQ(0, crs_nl_set_container(self->sb.nl, self->sb.cgid, CRS_MODE_MONITOR, -1, NULL));
	run_workload(_metadata, self);
	l = dump(_metadata, &self->sb);
	expect_workload(_metadata, self, l);
	crs_learned_free(l);
}

/* Count the messages of a raw GET_LEARNED dump. */
static int raw_dump_messages(struct __test_metadata *_metadata, uint64_t cgid)
{
	static char buf[4096];
	struct rawnl r;
	struct nlmsghdr *nlh;
	int ret, n;

	if (rawnl_open(&r, true))
		return -1;
	nlh = rawnl_msg(&r, buf, CRS_CMD_GET_LEARNED);
	nlh->nlmsg_flags |= NLM_F_DUMP;
	mnl_attr_put_u64(nlh, CRS_A_CGROUP_ID, cgid);
	ret = rawnl_talk(&r, nlh);
	n = r.replies;
	rawnl_close(&r);
	EXPECT_EQ(0, ret);
	return n;
}

TEST_F_TIMEOUT(learn, dump_resumes, 300)
{
	char dir[PATH_MAX];
	struct many_arg a = { .dir = sb_path(&self->sb, "long", dir), .n = 1000, .name_len = 180 };
	struct crs_learned *l;
	struct crs_err err = {0};
	size_t i;
	int msgs;

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	make_many(_metadata, &a);
	load_allow_all(_metadata, &self->sb, "learn-dump", CRS_MODE_MONITOR, false);
	ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_ON, 4096, &err));
	ASSERT_EQ(0, run_in(self->sb.cg, many_fn, &a, NULL));
	l = dump(_metadata, &self->sb);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(1000, l->n);
	EXPECT_EQ(0, l->info.dropped_full);
	for (i = 0; i < l->n; i++) {
		char want[PATH_MAX];

		snprintf(want, sizeof(want), "%s/f%05d%0*d", a.dir, (int)i, a.name_len, 0);
		EXPECT_STREQ(want, l->obs[i].path);
		/* index 0 is the program */
		EXPECT_EQ(i + 1, l->obs[i].index);
	}
	crs_learned_free(l);
	msgs = raw_dump_messages(_metadata, self->sb.cgid);
	TH_LOG("1000 observations of ~%d bytes came in %d messages", 200 + (int)strlen(dir), msgs);
	EXPECT_LT(1, msgs);
}

CRS_SELFTEST_MAIN
