// SPDX-License-Identifier: GPL-2.0
/*
 * learn_test.c - learned sets (docs/learning.md, slices 1 and 2).
 *
 * A child in a learning cgroup opens files and execs a busybox copy; the
 * dump must hold exactly those file and execute observations: program,
 * path, access bits, outcome bits. Then de-duplication (a hot loop is one
 * entry), denials, survival across SET_TABLE, the bound, DEL_LEARNED,
 * disabled mode, and a dump longer than one message.
 *
 * Slice 2: network observations (outbound TCP/UDP v4/v6 to a peer netns,
 * inbound from the peer, listeners with and without a kernel-chosen port),
 * syscalls at the dispatchers (x86_64 and int $0x80, ignored ones, the
 * dispatcher reference), PID_OFF, each in monitor and enforce.
 */
#include <sys/syscall.h>
#include "crs_rawnl.h"
#include "crs_net.h"

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

static void log_obs(struct __test_metadata *_metadata, const struct crs_learned *l)
{
	char a[32], o[32], ad[INET6_ADDRSTRLEN];
	size_t i;

	for (i = 0; l && i < l->n; i++) {
		const struct crs_observation *b = &l->obs[i];

		if (!inet_ntop(b->family ?: AF_INET, b->addr, ad, sizeof(ad)))
			ad[0] = '\0';
		TH_LOG("  obs %u: %s %s %s program=%s path=%s pid_off=%d dir=%d proto=%d addr=%s "
		       "port=%u flags=%u sys=%u/%d", b->index, crs_rule_type_name(b->type),
		       crs_access_str(b->access, a, sizeof(a)),
		       crs_outcome_str(b->outcome, o, sizeof(o)),
		       b->program ?: "-", b->path ?: "-", b->pid_off, b->direction, b->protocol,
		       ad, b->port, b->flags, b->syscall_nr, b->arch);
	}
}

/* The observation of (@type, @program, @path), or NULL. */
static const struct crs_observation *find_obs(const struct crs_learned *l,
					      enum crs_rule_type type, const char *program,
					      const char *path)
{
	size_t i;

	for (i = 0; l && i < l->n; i++)
		if (l->obs[i].type == type && l->obs[i].path &&
		    !strcmp(l->obs[i].program, program) && !strcmp(l->obs[i].path, path))
			return &l->obs[i];
	return NULL;
}

/* Observations of @type. */
static size_t count_type(const struct crs_learned *l, enum crs_rule_type type)
{
	size_t i, n = 0;

	for (i = 0; l && i < l->n; i++)
		n += l->obs[i].type == type;
	return n;
}

/*
 * File and execute observations: every child's syscalls are recorded too
 * (fork's return, cgroup joining, exit), which the file cases do not count.
 */
static size_t count_paths(const struct crs_learned *l)
{
	return count_type(l, CRS_RULE_FILE) + count_type(l, CRS_RULE_EXECUTE);
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

/* The SYSCALL observations of (@arch, @nr) by @prog into @out (at most 4). */
static size_t find_sc_of(const struct crs_learned *l, const char *prog, enum crs_arch arch,
			 uint32_t nr, const struct crs_observation **out)
{
	size_t i, n = 0;

	for (i = 0; l && i < l->n && n < 4; i++)
		if (l->obs[i].type == CRS_RULE_SYSCALL && l->obs[i].arch == arch &&
		    l->obs[i].syscall_nr == nr && l->obs[i].program &&
		    !strcmp(l->obs[i].program, prog))
			out[n++] = &l->obs[i];
	return n;
}

/* The SYSCALL observations of (@arch, @nr) by this program into @out (at most 4). */
static size_t find_sc(const struct crs_learned *l, enum crs_arch arch, uint32_t nr,
		      const struct crs_observation **out)
{
	return find_sc_of(l, self_exe(), arch, nr, out);
}

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

/* One allowed x86_64 SYSCALL observation of @nr by @prog. */
#define EXPECT_SC(l, _prog, _nr) do {						\
	const struct crs_observation *_s[4];					\
	size_t _n = find_sc_of(l, _prog, CRS_ARCH_X86_64, _nr, _s);		\
	EXPECT_EQ(1, _n) {							\
		TH_LOG("syscall %d by %s: %zu observations", _nr, _prog, _n);	\
		log_obs(_metadata, l);						\
	}									\
	if (_n == 1) {								\
		EXPECT_EQ(CRS_OBS_ALLOWED, _s[0]->outcome);			\
		EXPECT_EQ(0, _s[0]->access);					\
		EXPECT_EQ(NULL, _s[0]->path);					\
	}									\
} while (0)

/* Exactly the workload's four observations, all allowed. */
static void expect_workload(struct __test_metadata *_metadata, FIXTURE_DATA(learn) *self,
			    const struct crs_learned *l)
{
	const char *me = self_exe();

	ASSERT_NE(NULL, l);
	EXPECT_EQ(4, count_paths(l)) {
		log_obs(_metadata, l);
	}
	EXPECT_OBS(l, CRS_RULE_FILE, me, self->r, CRS_ACCESS_READ, CRS_OBS_ALLOWED);
	EXPECT_OBS(l, CRS_RULE_FILE, me, self->w, CRS_ACCESS_WRITE, CRS_OBS_ALLOWED);
	EXPECT_OBS(l, CRS_RULE_FILE, me, self->rw, CRS_ACCESS_READ | CRS_ACCESS_WRITE,
		   CRS_OBS_ALLOWED);
	EXPECT_OBS(l, CRS_RULE_EXECUTE, me, self->tool, CRS_ACCESS_EXEC, CRS_OBS_ALLOWED);
	/* two program entries (the test binary, and the busybox copy whose own
	 * syscalls are recorded) and the observations */
	EXPECT_EQ(2 + l->n, l->info.records);
	EXPECT_LT(0, count_type(l, CRS_RULE_SYSCALL));
	/* the workload's own calls, each once, allowed, with its program */
	EXPECT_SC(l, me, __NR_openat);
	EXPECT_SC(l, me, __NR_close);
	EXPECT_SC(l, me, __NR_execve);
	EXPECT_SC(l, self->tool, __NR_exit_group);
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
	l = sb_learned(&self->sb);
	expect_workload(_metadata, self, l);
	crs_learned_free(l);
}

TEST_F(learn, container_override)
{
	struct crs_learned *l = NULL;
	struct crs_err err = {0};
	size_t n;
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
	l = sb_learned(&self->sb);
	expect_workload(_metadata, self, l);
	n = l ? l->n : 0;
	crs_learned_free(l);

	/* off: the set stays, idle, and records nothing more */
	ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_OFF, 0, &err));
	ASSERT_EQ(0, write_file(sb_path(&self->sb, "late", (char[PATH_MAX]){0}), "x", 0644));
	ASSERT_EQ(0, child_open(self->sb.cg, sb_path(&self->sb, "late", (char[PATH_MAX]){0}),
				O_RDONLY, NULL));
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(CRS_LEARN_STATE_IDLE, l->info.state);
	EXPECT_EQ(n, l->n);
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
	/* one pass first: the loop child's syscalls are recorded once too */
	timed_loop(_metadata, self->sb.cg, self->r, 1);
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(1, count_paths(l));
	on = timed_loop(_metadata, self->sb.cg, self->r, 10000);
	l2 = sb_learned(&self->sb);
	ASSERT_NE(NULL, l2);
	EXPECT_EQ(1, count_paths(l2)) {
		log_obs(_metadata, l2);
	}
	EXPECT_EQ(l->n, l2->n);
	EXPECT_EQ(1 + l2->n, l2->info.records);
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
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(3, count_paths(l)) {
		log_obs(_metadata, l);
	}
	EXPECT_OBS(l, CRS_RULE_FILE, self_exe(), self->r, CRS_ACCESS_READ, CRS_OBS_DENIED);
	EXPECT_OBS(l, CRS_RULE_FILE, self_exe(), self->w, CRS_ACCESS_WRITE, CRS_OBS_ALLOWED);
	EXPECT_OBS(l, CRS_RULE_EXECUTE, self_exe(), self->tool, CRS_ACCESS_EXEC, CRS_OBS_DENIED);
	crs_learned_free(l);

	/* monitor lets the same read through: the bits accumulate on one entry */
	ASSERT_EQ(0, crs_nl_set_container(self->sb.nl, self->sb.cgid, CRS_MODE_MONITOR, -1, NULL));
	EXPECT_EQ(0, child_open(self->sb.cg, self->r, O_RDONLY, NULL));
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(3, count_paths(l));
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
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(1, count_paths(l));
	/* a new policy: the set, its epoch and its entries stay */
	load_allow_all(_metadata, &self->sb, "learn-v2", CRS_MODE_ENFORCE, true);
	ASSERT_EQ(0, child_open(self->sb.cg, self->w, O_WRONLY, NULL));
	l2 = sb_learned(&self->sb);
	ASSERT_NE(NULL, l2);
	EXPECT_EQ(l->info.epoch, l2->info.epoch);
	EXPECT_EQ(2, count_paths(l2));
	EXPECT_OBS(l2, CRS_RULE_FILE, self_exe(), self->r, CRS_ACCESS_READ, CRS_OBS_ALLOWED);
	EXPECT_OBS(l2, CRS_RULE_FILE, self_exe(), self->w, CRS_ACCESS_WRITE, CRS_OBS_ALLOWED);
	crs_learned_free(l2);
	/* a policy without "learning": kept, idle, nothing more recorded */
	load_allow_all(_metadata, &self->sb, "learn-v3", CRS_MODE_ENFORCE, false);
	ASSERT_EQ(0, child_open(self->sb.cg, self->rw, O_RDWR, NULL));
	l2 = sb_learned(&self->sb);
	ASSERT_NE(NULL, l2);
	EXPECT_EQ(l->info.epoch, l2->info.epoch);
	EXPECT_EQ(CRS_LEARN_STATE_IDLE, l2->info.state);
	EXPECT_EQ(2, count_paths(l2));
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
	size_t i, k, files;

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
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	/*
	 * 64 records: the program, the child's first syscalls and the first
	 * files, in order; every file after those was dropped (the child's
	 * later new syscalls, such as exit_group, too)
	 */
	EXPECT_EQ(CRS_MIN_LEARN_RECORDS, l->info.max);
	EXPECT_EQ(CRS_MIN_LEARN_RECORDS, l->info.records);
	EXPECT_EQ(CRS_MIN_LEARN_RECORDS - 1, l->n);
	files = count_type(l, CRS_RULE_FILE);
	EXPECT_EQ(l->n, files + count_type(l, CRS_RULE_SYSCALL));
	EXPECT_LT(40, files);
	EXPECT_LE(100 - files, l->info.dropped_full);
	EXPECT_GE(100 - files + 5, l->info.dropped_full);
	EXPECT_EQ(CRS_LEARN_STATE_FULL, l->info.state);
	for (i = 0, k = 0; i < l->n; i++) {
		char want[PATH_MAX];

		if (l->obs[i].type != CRS_RULE_FILE)
			continue;
		snprintf(want, sizeof(want), "%s/f%05d%0*d", a.dir, (int)k++, a.name_len, 0);
		EXPECT_STREQ(want, l->obs[i].path);
	}
	ASSERT_EQ(0, crs_nl_get_status(self->sb.nl, &st1, &err));
	EXPECT_EQ(st0.learn_dropped + l->info.dropped_full, st1.learn_dropped);
	crs_learned_free(l);
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
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(1, count_paths(l));
	/* still learning: an empty set of a new epoch replaces it */
	ASSERT_EQ(0, crs_nl_del_learned(self->sb.nl, self->sb.cgid, &err));
	l2 = sb_learned(&self->sb);
	ASSERT_NE(NULL, l2);
	EXPECT_EQ(0, l2->n);
	EXPECT_EQ(0, l2->info.records);
	EXPECT_LT(l->info.epoch, l2->info.epoch);
	crs_learned_free(l2);
	ASSERT_EQ(0, child_open(self->sb.cg, self->w, O_WRONLY, NULL));
	l2 = sb_learned(&self->sb);
	ASSERT_NE(NULL, l2);
	EXPECT_EQ(1, count_paths(l2));
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
	l = sb_learned(&self->sb);
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
	l = sb_learned(&self->sb);
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
	size_t i, k;
	int msgs;

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	make_many(_metadata, &a);
	load_allow_all(_metadata, &self->sb, "learn-dump", CRS_MODE_MONITOR, false);
	ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_ON, 4096, &err));
	ASSERT_EQ(0, run_in(self->sb.cg, many_fn, &a, NULL));
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(1000, count_paths(l));
	EXPECT_EQ(0, l->info.dropped_full);
	for (i = 0, k = 0; i < l->n; i++) {
		char want[PATH_MAX];

		/* index 0 is the program; every index once, in order */
		if (i)
			EXPECT_LT(l->obs[i - 1].index, l->obs[i].index);
		if (l->obs[i].type != CRS_RULE_FILE)
			continue;
		snprintf(want, sizeof(want), "%s/f%05d%0*d", a.dir, (int)k++, a.name_len, 0);
		EXPECT_STREQ(want, l->obs[i].path);
	}
	EXPECT_EQ(1 + l->n, l->info.records);
	crs_learned_free(l);
	msgs = raw_dump_messages(_metadata, self->sb.cgid);
	TH_LOG("1000 observations of ~%d bytes came in %d messages", 200 + (int)strlen(dir), msgs);
	EXPECT_LT(1, msgs);
}

/* ------------------------------------------------------------ slice 2 */

#define NR32_getpid	20
#define NR32_getppid	64
#define LPORT		7101	/* the container's explicit port */
#define PPORT		7102	/* the peer's port */

/* The observations of @type, @dir (NETWORK) and @proto, at most 8, into @out. */
static size_t find_net(const struct crs_learned *l, enum crs_rule_type type,
		       enum crs_direction dir, enum crs_proto proto,
		       const struct crs_observation **out)
{
	size_t i, n = 0;

	for (i = 0; l && i < l->n && n < 8; i++)
		if (l->obs[i].type == type && l->obs[i].protocol == proto &&
		    (type != CRS_RULE_NETWORK || l->obs[i].direction == dir))
			out[n++] = &l->obs[i];
	return n;
}

/* @o is (family, @addr, @port, @flags, @outcome) by @program (NULL: none). */
#define EXPECT_NET(o, _fam, _addr, _port, _flags, _out, _prog) do {		\
	uint8_t _a[16] = {0};								\
	ASSERT_EQ(0, net_pton(_fam, _addr, _a));					\
	EXPECT_EQ(_fam, (o)->family);							\
	EXPECT_EQ(0, memcmp(_a, (o)->addr, _fam == AF_INET ? 4 : 16)) {		\
		TH_LOG("address is not %s", _addr);					\
	}										\
	EXPECT_EQ(_port, (o)->port);							\
	EXPECT_EQ(_flags, (o)->flags);							\
	EXPECT_EQ(_out, (o)->outcome);							\
	EXPECT_EQ(0, (o)->access);							\
	EXPECT_EQ(NULL, (o)->path);							\
	if (_prog) {									\
		EXPECT_STREQ((const char *)(_prog), (o)->program ?: "(none)");	\
	} else {									\
		EXPECT_EQ(NULL, (o)->program);						\
	}										\
} while (0)

FIXTURE(learn_net) {
	struct crs_sb sb;
	struct net_env env;
};

FIXTURE_VARIANT(learn_net) {
	int family;
	int type;
	bool enforce;
};

#define LNET(name, fam, ty, enf)						\
	FIXTURE_VARIANT_ADD(learn_net, name) {					\
		.family = fam, .type = ty, .enforce = enf,			\
	}
LNET(tcp_v4_monitor, AF_INET, SOCK_STREAM, false);
LNET(tcp_v4_enforce, AF_INET, SOCK_STREAM, true);
LNET(tcp_v6_monitor, AF_INET6, SOCK_STREAM, false);
LNET(tcp_v6_enforce, AF_INET6, SOCK_STREAM, true);
LNET(udp_v4_monitor, AF_INET, SOCK_DGRAM, false);
LNET(udp_v4_enforce, AF_INET, SOCK_DGRAM, true);
LNET(udp_v6_monitor, AF_INET6, SOCK_DGRAM, false);
LNET(udp_v6_enforce, AF_INET6, SOCK_DGRAM, true);

FIXTURE_SETUP(learn_net)
{
	sb_setup(_metadata, &self->sb);
	net_env_setup(&self->env);
}

FIXTURE_TEARDOWN(learn_net)
{
	net_env_teardown(&self->env);
	sb_teardown(&self->sb);
}

static const char *lnet_peer(int fam)
{
	return fam == AF_INET ? NET_P4 : NET_P6;
}

static const char *lnet_own(int fam)
{
	return fam == AF_INET ? NET_C4 : NET_C6;
}

/*
 * Learning on, monitor or enforce; its only rules deny outbound traffic to
 * the peer's PPORT and inbound traffic from the peer to LPORT (so enforce
 * has a denied outcome to record, and monitor lets the same through).
 */
static void lnet_load(struct __test_metadata *_metadata, FIXTURE_DATA(learn_net) *self,
		      const FIXTURE_VARIANT(learn_net) *v)
{
	enum crs_proto proto = v->type == SOCK_STREAM ? CRS_PROTO_TCP : CRS_PROTO_UDP;
	char a[64];
	struct crs_policy p;

	pol_init(&p, "learn-net", v->enforce ? CRS_MODE_ENFORCE : CRS_MODE_MONITOR,
		 CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	snprintf(a, sizeof(a), "%s", lnet_peer(v->family));
	pol_net(&p, "deny-out", CRS_ACTION_DENY, "*", CRS_DIR_OUTBOUND, proto, a, PPORT, PPORT);
	pol_net(&p, "deny-in", CRS_ACTION_DENY, "*", CRS_DIR_INBOUND, proto, a, LPORT, LPORT);
	p.learning = true;
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
}

struct send_loop {
	int ns, family, n;
	struct sockaddr_storage dst;
	socklen_t dstlen;
};

/* @n sendto()s, each from a fresh unconnected UDP socket. */
static int send_loop_fn(void *arg)
{
	const struct send_loop *a = arg;
	int i, fd = -1;

	if (setns(a->ns, CLONE_NEWNET))
		return 201;
	for (i = 0; i < a->n; i++) {
		fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return 202;
		if (sendto(fd, "x", 1, 0, (struct sockaddr *)&a->dst, a->dstlen) < 0 &&
		    errno != EACCES)
			return errno;
		close(fd);
	}
	return 0;
}

/*
 * Outbound: connect (TCP) or connect+send (UDP) to the peer's PPORT: one
 * NETWORK outbound observation with the exact peer, port, protocol and
 * outcome, nothing inbound, no listener. UDP also loops 10^4 sendto()s to
 * the same peer: still one entry, and the generation does not move.
 */
TEST_F_TIMEOUT(learn_net, outbound, 300)
{
	const FIXTURE_VARIANT(learn_net) *v = variant;
	enum crs_proto proto = v->type == SOCK_STREAM ? CRS_PROTO_TCP : CRS_PROTO_UDP;
	const struct crs_observation *o[8];
	struct crs_learned *l, *l2;
	struct net_op op;
	int srv = -1, st;

	lnet_load(_metadata, self, v);
	if (v->type == SOCK_STREAM) {
		srv = net_tcp_listener(&self->env, self->env.ns_p, v->family,
				       lnet_peer(v->family), PPORT);
		ASSERT_LE(0, srv);
	}
	net_op_init(&op, self->env.ns_c, v->family, v->type, 0, NOP_CONNECT);
	net_op_dst(&op, v->family, lnet_peer(v->family), PPORT);
	st = net_run(self->sb.cg, &op, NULL);
	EXPECT_EQ(v->enforce ? EACCES : 0, st);
	/* twice: still one entry */
	st = net_run(self->sb.cg, &op, NULL);
	EXPECT_EQ(v->enforce ? EACCES : 0, st);
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(1, find_net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, proto, o)) {
		log_obs(_metadata, l);
	}
	EXPECT_NET(o[0], v->family, lnet_peer(v->family), PPORT, 0,
		   v->enforce ? CRS_OBS_DENIED : CRS_OBS_ALLOWED, self_exe());
	EXPECT_EQ(CRS_RULE_NETWORK, o[0]->type);
	EXPECT_EQ(1, count_type(l, CRS_RULE_NETWORK));
	EXPECT_EQ(0, count_type(l, CRS_RULE_LISTENER));
	EXPECT_EQ(0, count_paths(l));
	crs_learned_free(l);
	if (srv >= 0)
		close(srv);

	if (v->type == SOCK_DGRAM) {
		struct send_loop *a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE,
					   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		ASSERT_NE(MAP_FAILED, a);
		a->ns = self->env.ns_c;
		a->family = v->family;
		a->dstlen = net_sa(&a->dst, v->family, lnet_peer(v->family), PPORT);
		a->n = 1;
		ASSERT_EQ(0, run_in(self->sb.cg, send_loop_fn, a, NULL));
		l = sb_learned(&self->sb);
		a->n = 10000;
		ASSERT_EQ(0, run_in(self->sb.cg, send_loop_fn, a, NULL));
		l2 = sb_learned(&self->sb);
		ASSERT_NE(NULL, l);
		ASSERT_NE(NULL, l2);
		EXPECT_EQ(1, find_net(l2, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, proto, o));
		EXPECT_EQ(l->n, l2->n);
		EXPECT_EQ(l->info.generation, l2->info.generation);
		crs_learned_free(l);
		crs_learned_free(l2);
		munmap(a, sizeof(*a));
	}
}

/* The local port of @fd. */
static uint16_t local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
					       ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* The peer connects (TCP) or sends a datagram (UDP) to the container's @port. */
static int peer_to(FIXTURE_DATA(learn_net) *self, const FIXTURE_VARIANT(learn_net) *v,
		   uint16_t port, bool refused)
{
	int fd;

	if (v->type == SOCK_DGRAM)
		return net_peer_sendto(&self->env, self->env.ns_p, v->family,
				       lnet_peer(v->family), 0, lnet_own(v->family), port, "x");
	fd = net_peer_connect(&self->env, self->env.ns_p, v->family, lnet_peer(v->family), 0,
			      lnet_own(v->family), port, refused ? 700 : 5000);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/*
 * Listeners and inbound peers. A socket of the cgroup bound to LPORT (and
 * listening, TCP): one LISTENER observation (bind and listen are the same
 * one), no AUTOPORT; the peer reaching it: one inbound NETWORK observation
 * without a program, the peer's address and LPORT, denied in enforce. Then
 * a socket bound to port 0: a LISTENER observation of port 0 (the bind),
 * for TCP one of the port the kernel chose with AUTOPORT (the listen), and
 * the peer reaching that port: inbound with AUTOPORT.
 */
TEST_F_TIMEOUT(learn_net, listener_inbound, 120)
{
	const FIXTURE_VARIANT(learn_net) *v = variant;
	enum crs_proto proto = v->type == SOCK_STREAM ? CRS_PROTO_TCP : CRS_PROTO_UDP;
	bool tcp = v->type == SOCK_STREAM;
	const struct crs_observation *o[8], *ls[8];
	struct crs_learned *l;
	int fd, fd2, ret;
	uint16_t ap;
	size_t n;

	lnet_load(_metadata, self, v);
	fd = net_socket_from(self->sb.cg, self->env.ns_c, v->family, v->type,
			     lnet_own(v->family), LPORT, tcp);
	ASSERT_LE(0, fd);
	ret = peer_to(self, v, LPORT, v->enforce);
	if (tcp) {
		EXPECT_EQ(v->enforce ? -ETIMEDOUT : 0, ret);
	} else {
		EXPECT_EQ(0, ret);
		EXPECT_EQ(v->enforce ? 0 : 1, net_count_dgrams(fd, 500));
	}
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(1, find_net(l, CRS_RULE_LISTENER, 0, proto, ls)) {
		log_obs(_metadata, l);
	}
	EXPECT_NET(ls[0], v->family, lnet_own(v->family), LPORT, 0, CRS_OBS_ALLOWED, self_exe());
	ASSERT_EQ(1, find_net(l, CRS_RULE_NETWORK, CRS_DIR_INBOUND, proto, o)) {
		log_obs(_metadata, l);
	}
	EXPECT_NET(o[0], v->family, lnet_peer(v->family), LPORT, 0,
		   v->enforce ? CRS_OBS_DENIED : CRS_OBS_ALLOWED, NULL);
	EXPECT_EQ(0, find_net(l, CRS_RULE_NETWORK, CRS_DIR_OUTBOUND, proto, o));
	crs_learned_free(l);

	/* bind(0) (then listen): the kernel's port */
	fd2 = net_socket_from(self->sb.cg, self->env.ns_c, v->family, v->type,
			      lnet_own(v->family), 0, tcp);
	ASSERT_LE(0, fd2);
	ap = local_port(fd2);
	ASSERT_NE(0, ap);
	EXPECT_EQ(0, peer_to(self, v, ap, false));
	if (!tcp) {
		EXPECT_EQ(1, net_count_dgrams(fd2, 2000));
	}
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	n = find_net(l, CRS_RULE_LISTENER, 0, proto, ls);
	ASSERT_EQ(tcp ? 3 : 2, n) {
		log_obs(_metadata, l);
	}
	/* in order of discovery: LPORT, port 0 (bind), the kernel's port (listen) */
	EXPECT_NET(ls[1], v->family, lnet_own(v->family), 0, 0, CRS_OBS_ALLOWED, self_exe());
	if (tcp) /* EXPECT_NET is one statement */
		EXPECT_NET(ls[2], v->family, lnet_own(v->family), ap, CRS_OBS_F_AUTOPORT,
			   CRS_OBS_ALLOWED, self_exe());
	ASSERT_EQ(2, find_net(l, CRS_RULE_NETWORK, CRS_DIR_INBOUND, proto, o));
	EXPECT_NET(o[1], v->family, lnet_peer(v->family), ap, CRS_OBS_F_AUTOPORT,
		   CRS_OBS_ALLOWED, NULL);
	crs_learned_free(l);
	close(fd);
	close(fd2);
}

/* ------------------------------------------------------------- syscalls */

struct sc_loop {
	long nr;
	int n;
	bool int80;
	long ret;
	int err;
};

/* int $0x80 from this 64-bit process: i386 syscall @nr with no arguments. */
static long int80_0(unsigned long nr)
{
	unsigned long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(nr) : "r8", "r9", "r10", "r11", "memory", "cc");
	return (long)(int)ret;
}

static int sc_loop_fn(void *arg)
{
	struct sc_loop *a = arg;
	int i;

	for (i = 0; i < a->n; i++) {
		errno = 0;
		a->ret = a->int80 ? int80_0(a->nr) : syscall(a->nr);
		a->err = errno;
	}
	return 0;
}

/* Shared with the children. */
static struct sc_loop *sc_shared(void)
{
	struct sc_loop *a = mmap(NULL, sizeof(*a), PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return a == MAP_FAILED ? NULL : a;
}


static uint32_t dispatch_probes(struct __test_metadata *_metadata, struct crs_sb *sb)
{
	struct crs_status st;
	struct crs_err err = {0};

	EXPECT_EQ(0, crs_nl_get_status(sb->nl, &st, &err));
	return st.dispatch_probes;
}

/*
 * getppid in a learning cgroup: one SYSCALL observation (x86_64, its
 * number), after 10^4 more calls still one and the generation unchanged.
 * Learning arms the dispatchers (no allowlist here) and stopping it lets
 * them go. A deny rule in enforce: the outcome is denied; in monitor:
 * allowed, and only allowed.
 */
TEST_F_TIMEOUT(learn, syscall_x86_64, 300)
{
	const struct crs_observation *o[4];
	struct crs_learned *l, *l2;
	struct crs_err err = {0};
	struct crs_policy p;
	struct sc_loop *a = sc_shared();

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, dispatch_probes(_metadata, &self->sb));
	load_allow_all(_metadata, &self->sb, "learn-sc", CRS_MODE_MONITOR, true);
	EXPECT_LT(0, dispatch_probes(_metadata, &self->sb));
	a->nr = __NR_getppid;
	a->n = 1;
	ASSERT_EQ(0, run_in(self->sb.cg, sc_loop_fn, a, NULL));
	EXPECT_EQ(getpid(), a->ret);
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(1, find_sc(l, CRS_ARCH_X86_64, __NR_getppid, o)) {
		log_obs(_metadata, l);
	}
	EXPECT_EQ(CRS_OBS_ALLOWED, o[0]->outcome);
	EXPECT_EQ(NULL, o[0]->path);
	EXPECT_EQ(0, o[0]->access);
	/* exit_group ends every child: recorded as well */
	EXPECT_EQ(1, find_sc(l, CRS_ARCH_X86_64, __NR_exit_group, o));
	a->n = 10000;
	ASSERT_EQ(0, run_in(self->sb.cg, sc_loop_fn, a, NULL));
	l2 = sb_learned(&self->sb);
	ASSERT_NE(NULL, l2);
	EXPECT_EQ(1, find_sc(l2, CRS_ARCH_X86_64, __NR_getppid, o));
	EXPECT_EQ(l->n, l2->n);
	EXPECT_EQ(l->info.generation, l2->info.generation);
	crs_learned_free(l);
	crs_learned_free(l2);

	/* learning off: the dispatcher reference goes (none is in use) */
	ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_OFF, 0, &err));
	EXPECT_EQ(0, dispatch_probes(_metadata, &self->sb));
	/* disabled mode with learning on: not effective, no reference either */
	ASSERT_EQ(0, crs_nl_set_container(self->sb.nl, self->sb.cgid, CRS_MODE_DISABLED, -1,
					  NULL));
	ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_ON, 0, &err));
	EXPECT_EQ(0, dispatch_probes(_metadata, &self->sb));
	ASSERT_EQ(0, crs_nl_set_container(self->sb.nl, self->sb.cgid, CRS_MODE_POLICY, -1,
					  NULL));
	EXPECT_LT(0, dispatch_probes(_metadata, &self->sb));

	/* a deny rule in enforce: refused, recorded as denied */
	ASSERT_EQ(0, crs_nl_del_learned(self->sb.nl, self->sb.cgid, &err));
	pol_init(&p, "learn-sc-deny", CRS_MODE_ENFORCE, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	pol_syscall(&p, "deny-getppid", CRS_ACTION_DENY, "*", "getppid", __NR_getppid,
		    NR32_getppid);
	p.learning = true;
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
	a->n = 1;
	ASSERT_EQ(0, run_in(self->sb.cg, sc_loop_fn, a, NULL));
	EXPECT_EQ(-1, a->ret);
	EXPECT_EQ(EPERM, a->err);
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(1, find_sc(l, CRS_ARCH_X86_64, __NR_getppid, o)) {
		log_obs(_metadata, l);
	}
	EXPECT_EQ(CRS_OBS_DENIED, o[0]->outcome);
	crs_learned_free(l);
	/* the same rule in monitor: let through, recorded as allowed only */
	ASSERT_EQ(0, crs_nl_del_learned(self->sb.nl, self->sb.cgid, &err));
	ASSERT_EQ(0, crs_nl_set_container(self->sb.nl, self->sb.cgid, CRS_MODE_MONITOR, -1,
					  NULL));
	ASSERT_EQ(0, run_in(self->sb.cg, sc_loop_fn, a, NULL));
	EXPECT_EQ(getpid(), a->ret);
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(1, find_sc(l, CRS_ARCH_X86_64, __NR_getppid, o)) {
		log_obs(_metadata, l);
	}
	EXPECT_EQ(CRS_OBS_ALLOWED, o[0]->outcome);
	crs_learned_free(l);

	/* DEL_TABLE drops the reference */
	ASSERT_EQ(0, crs_nl_del_table(self->sb.nl, self->sb.cgid, &err));
	EXPECT_EQ(0, dispatch_probes(_metadata, &self->sb));
	munmap(a, sizeof(*a));
}

/* An allowlist in monitor: its own reference and learning's; ignored syscalls are not recorded. */
TEST_F(learn, syscall_ignored)
{
	const struct crs_observation *o[4];
	struct crs_learned *l;
	struct crs_err err = {0};
	struct crs_policy p;
	struct sc_loop *a = sc_shared();
	int i;

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	ASSERT_NE(NULL, a);
	pol_init(&p, "learn-sc-ign", CRS_MODE_MONITOR, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	p.defaults[CRS_RULE_SYSCALL] = CRS_ACTION_DENY;	/* an allowlist: decided at the dispatchers */
	pol_ignore(&p, "getppid");
	p.learning = true;
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release_all(&p);
	a->nr = __NR_getppid;
	a->n = 1;
	ASSERT_EQ(0, run_in(self->sb.cg, sc_loop_fn, a, NULL));
	a->nr = __NR_getpid;
	ASSERT_EQ(0, run_in(self->sb.cg, sc_loop_fn, a, NULL));
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(0, find_sc(l, CRS_ARCH_X86_64, __NR_getppid, o)) {
		log_obs(_metadata, l);
	}
	/* getpid is not ignored: monitor let the allowlist's denial through */
	ASSERT_EQ(1, find_sc(l, CRS_ARCH_X86_64, __NR_getpid, o));
	EXPECT_EQ(CRS_OBS_ALLOWED, o[0]->outcome);
	crs_learned_free(l);
	/* the allowlist keeps the dispatchers after learning stops */
	ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_OFF, 0, &err));
	EXPECT_LT(0, dispatch_probes(_metadata, &self->sb));
	ASSERT_EQ(0, crs_nl_del_table(self->sb.nl, self->sb.cgid, &err));
	/* the table's own reference goes when it is freed, after a grace period */
	for (i = 0; i < 300 && dispatch_probes(_metadata, &self->sb); i++)
		usleep(10000);
	EXPECT_EQ(0, dispatch_probes(_metadata, &self->sb));
	munmap(a, sizeof(*a));
}

/* int $0x80 getppid: recorded by its i386 number, arch IA32. */
TEST_F(learn, syscall_ia32)
{
	const struct crs_observation *o[4];
	struct crs_learned *l;
	struct sc_loop *a = sc_shared();

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	ASSERT_NE(NULL, a);
	a->int80 = true;
	a->nr = NR32_getpid;
	a->n = 1;
	if (run_in(NULL, sc_loop_fn, a, NULL) || a->ret <= 0)
		SKIP(return, "no ia32 emulation (int $0x80 getpid: %ld)", a->ret);
	load_allow_all(_metadata, &self->sb, "learn-ia32", CRS_MODE_MONITOR, true);
	a->nr = NR32_getppid;
	ASSERT_EQ(0, run_in(self->sb.cg, sc_loop_fn, a, NULL));
	EXPECT_EQ(getpid(), a->ret);
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(1, find_sc(l, CRS_ARCH_IA32, NR32_getppid, o)) {
		log_obs(_metadata, l);
	}
	EXPECT_EQ(CRS_OBS_ALLOWED, o[0]->outcome);
	/* not as the x86_64 call of the same number (64 is semop there) */
	EXPECT_EQ(0, find_sc(l, CRS_ARCH_X86_64, NR32_getppid, o));
	crs_learned_free(l);
	munmap(a, sizeof(*a));
}

/* ---------------------------------------------------------------- PID_OFF */

static int create_fn(void *arg)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s%d.tmp", (const char *)arg, getpid());
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* A file in a directory named after the opener's pid. */
static int create_in_dir_fn(void *arg)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s%d", (const char *)arg, getpid());
	if (mkdir(path, 0700))
		return errno;
	strcat(path, "/f.tmp");
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * A file named after the opener's pid: pid_off is where the digits start.
 * Other digits (a number that is not the pid, a pid in a directory name)
 * give none.
 */
TEST_F(learn, pid_off)
{
	const struct crs_observation *ob;
	struct crs_learned *l;
	char path[64], indir[64], other[PATH_MAX];
	pid_t pid, pid2;

	if (self->skip)
		SKIP(return, "no " BUSYBOX);
	load_allow_all(_metadata, &self->sb, "learn-pid", CRS_MODE_MONITOR, true);
	ASSERT_EQ(0, run_in(self->sb.cg, create_fn, "/tmp/x-", &pid));
	snprintf(path, sizeof(path), "/tmp/x-%d.tmp", pid);
	ASSERT_LE(10, pid);
	sb_path(&self->sb, "f-1234567.tmp", other);
	ASSERT_EQ(0, write_file(other, "x", 0644));
	ASSERT_EQ(0, child_open(self->sb.cg, other, O_RDONLY, NULL));
	ASSERT_EQ(0, run_in(self->sb.cg, create_in_dir_fn, "/tmp/d-", &pid2));
	snprintf(indir, sizeof(indir), "/tmp/d-%d/f.tmp", pid2);
	ASSERT_LE(10, pid2);
	l = sb_learned(&self->sb);
	unlink(path);
	unlink(indir);
	*strrchr(indir, '/') = '\0';
	rmdir(indir);
	ASSERT_NE(NULL, l);
	ob = find_obs(l, CRS_RULE_FILE, self_exe(), path);
	ASSERT_NE(NULL, ob) {
		log_obs(_metadata, l);
	}
	EXPECT_EQ((int)strlen("/tmp/x-"), ob->pid_off);
	EXPECT_EQ(CRS_ACCESS_READ | CRS_ACCESS_WRITE, ob->access);
	ob = find_obs(l, CRS_RULE_FILE, self_exe(), other);
	ASSERT_NE(NULL, ob);
	EXPECT_EQ(-1, ob->pid_off);
	/* the pid in a directory name, not the last component: none */
	snprintf(path, sizeof(path), "/tmp/d-%d/f.tmp", pid2);
	ob = find_obs(l, CRS_RULE_FILE, self_exe(), path);
	ASSERT_NE(NULL, ob) {
		log_obs(_metadata, l);
	}
	EXPECT_EQ(-1, ob->pid_off);
	EXPECT_EQ(CRS_ACCESS_READ | CRS_ACCESS_WRITE, ob->access);
	crs_learned_free(l);
}

CRS_SELFTEST_MAIN
