// SPDX-License-Identifier: GPL-2.0
/*
 * learn_hint_test.c - learning hints (docs/learning.md section 3).
 *
 * A subscriber to the "learn" group gets every entry of a learned set, once,
 * in index order, equal field by field to what the dump gives for that
 * index. A new bit on an old entry is not hinted (the dump has it). A set
 * that fills says so in one hint and then stays quiet. A subscriber that
 * does not read loses hints (ENOBUFS, counted as dropped), and the dump
 * still has everything. With nobody subscribed, the hint marks advance and
 * nothing is sent. CRS_CMD_LEARN_HINT is refused as a request.
 */
#include "crs_rawnl.h"

#define NFILES	300

FIXTURE(hint) {
	struct crs_sb sb;
	char dir[PATH_MAX];
};

/* @n files dir/hNNNNN (empty) from @from on. */
static void make_files(struct __test_metadata *_metadata, const char *dir, int from, int n)
{
	char path[PATH_MAX];
	int i, fd;

	for (i = from; i < from + n; i++) {
		snprintf(path, sizeof(path), "%s/h%05d", dir, i);
		fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		ASSERT_LE(0, fd);
		close(fd);
	}
}

FIXTURE_SETUP(hint)
{
	struct crs_policy p;

	sb_setup(_metadata, &self->sb);
	ASSERT_EQ(0, mkdir(sb_path(&self->sb, "files", self->dir), 0755));
	make_files(_metadata, self->dir, 0, NFILES);
	/* allow everything, monitor: learning records, nothing is refused */
	pol_init(&p, "hint", CRS_MODE_MONITOR, CRS_ACTION_ALLOW, CRS_ACTION_ALLOW);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
}

FIXTURE_TEARDOWN(hint)
{
	sb_teardown(&self->sb);
}

struct opener {
	const char *dir;
	int from, n, flags;
};

static int open_fn(void *arg)
{
	const struct opener *o = arg;
	char path[PATH_MAX];
	int i, fd;

	for (i = o->from; i < o->from + o->n; i++) {
		snprintf(path, sizeof(path), "%s/h%05d", o->dir, i);
		fd = open(path, o->flags | O_CLOEXEC);
		if (fd < 0)
			return errno;
		close(fd);
	}
	return 0;
}

/* What the hints of one cgroup said, accumulated. */
struct got {
	uint64_t cgid;
	size_t msgs, full_msgs, out_of_order, other_epoch;
	enum crs_learn_state last_state;
	uint64_t epoch;
	uint32_t next;		/* the index after the last one hinted */
	struct crs_observation *obs;
	size_t n, cap;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void on_hint(const struct crs_learned *h, void *arg)
{
	struct got *g = arg;
	size_t i;

	if (h->cgroup_id != g->cgid)
		return;
	g->msgs++;
	g->last_state = h->info.state;
	if (h->info.state == CRS_LEARN_STATE_FULL)
		g->full_msgs++;
	if (!g->epoch)
		g->epoch = h->info.epoch;
	else if (h->info.epoch != g->epoch)
		g->other_epoch++;
	for (i = 0; i < h->n; i++) {
		struct crs_observation *o;

		if (h->obs[i].index < g->next)
			g->out_of_order++;
		g->next = h->obs[i].index + 1;
		if (g->n == g->cap) {
			g->cap = g->cap ? 2 * g->cap : 256;
			g->obs = realloc(g->obs, g->cap * sizeof(*g->obs));
			if (!g->obs)
				abort();
		}
		o = &g->obs[g->n++];
		*o = h->obs[i];
		o->program = dup_or_null(h->obs[i].program);
		o->path = dup_or_null(h->obs[i].path);
	}
}

static void got_free(struct got *g)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		free(g->obs[i].program);
		free(g->obs[i].path);
	}
	free(g->obs);
}

/* Read hints for @secs, or until @g holds @want observations (0: the whole time). */
static int drain(struct crs_events *ev, struct got *g, double secs, size_t want)
{
	uint64_t end = now_ms() + (uint64_t)(secs * 1000);
	int r = 0;

	while (now_ms() < end && (!want || g->n < want)) {
		r = crs_hints_recv(ev, 100, on_hint, g);
		if (r < 0 && r != -EAGAIN && r != -EINTR)
			return r;
	}
	return 0;
}

/* Learning on (a set of @max), the child reads @rd's files; the set as dumped. */
static struct crs_learned *learn_reads(struct __test_metadata *_metadata, struct crs_sb *sb,
				       uint32_t max, struct opener *rd)
{
	struct crs_err err = {0};

	EXPECT_EQ(0, crs_nl_set_learning(sb->nl, sb->cgid, CRS_LEARN_ON, max, &err)) {
		TH_LOG("%s", err.msg);
		return NULL;
	}
	EXPECT_EQ(0, run_in(sb->cg, open_fn, rd, NULL))
		return NULL;
	return sb_learned(sb);
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_obs(const struct crs_observation *a, const struct crs_observation *b)
{
	return a->index == b->index && a->type == b->type &&
	       same_str(a->program, b->program) && same_str(a->path, b->path) &&
	       a->access == b->access && a->outcome == b->outcome && a->pid_off == b->pid_off &&
	       a->direction == b->direction && a->protocol == b->protocol &&
	       a->family == b->family && !memcmp(a->addr, b->addr, sizeof(a->addr)) &&
	       a->port == b->port && a->flags == b->flags && a->syscall_nr == b->syscall_nr &&
	       a->arch == b->arch;
}

static struct crs_events *subscribe(struct __test_metadata *_metadata)
{
	struct crs_events *ev = NULL;
	struct crs_err err = {0};
	int ret = crs_hints_open(&ev, &err);

	EXPECT_EQ(0, ret) {
		TH_LOG("crs_hints_open: %s (%s)", strerror(-ret), err.msg);
	}
	return ev;
}

static size_t count_files(const struct crs_learned *l, const char *dir)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->obs[i].type == CRS_RULE_FILE && l->obs[i].path &&
		     !strncmp(l->obs[i].path, dir, strlen(dir));
	return n;
}

TEST_F_TIMEOUT(hint, hints_match_dump, 120)
{
	struct opener rd = { self->dir, 0, NFILES, O_RDONLY };
	struct opener wr = { self->dir, 7, 1, O_WRONLY };
	struct got g = { .cgid = self->sb.cgid }, g2 = { .cgid = self->sb.cgid };
	struct crs_status st0, st1;
	struct crs_err err = {0};
	struct crs_events *ev = subscribe(_metadata);
	struct crs_learned *l, *l2;
	char want[PATH_MAX];
	size_t i, k;

	ASSERT_NE(NULL, ev);
	ASSERT_EQ(0, crs_nl_get_status(self->sb.nl, &st0, &err));
	l = learn_reads(_metadata, &self->sb, 1024, &rd);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(NFILES, count_files(l, self->dir));
	ASSERT_EQ(0, drain(ev, &g, 10, l->n));
	ASSERT_EQ(0, drain(ev, &g, 0.3, 0));	/* nothing more comes */
	TH_LOG("%zu observations in %zu hints; the dump has %zu", g.n, g.msgs, l->n);
	/* every entry once, in order, as the dump has it */
	EXPECT_EQ(l->n, g.n);
	EXPECT_EQ(0, g.out_of_order);
	EXPECT_EQ(0, g.other_epoch);
	EXPECT_EQ(l->info.epoch, g.epoch);
	EXPECT_EQ(0, g.full_msgs);
	for (i = 0; i < l->n && i < g.n; i++) {
		EXPECT_TRUE(same_obs(&l->obs[i], &g.obs[i])) {
			TH_LOG("index %u: hinted %s %s, dumped %s %s", l->obs[i].index,
			       g.obs[i].program ?: "-", g.obs[i].path ?: "-",
			       l->obs[i].program ?: "-", l->obs[i].path ?: "-");
		}
	}
	for (i = 0, k = 0; i < g.n; i++) {
		if (g.obs[i].type != CRS_RULE_FILE || strncmp(g.obs[i].path, self->dir,
							     strlen(self->dir)))
			continue;
		snprintf(want, sizeof(want), "%s/h%05zu", self->dir, k++);
		EXPECT_STREQ(want, g.obs[i].path);
		EXPECT_EQ(CRS_ACCESS_READ, g.obs[i].access);
		EXPECT_EQ(CRS_OBS_ALLOWED, g.obs[i].outcome);
	}
	EXPECT_EQ(NFILES, k);
	ASSERT_EQ(0, crs_nl_get_status(self->sb.nl, &st1, &err));
	EXPECT_LE(st0.learn_hints_sent + g.msgs, st1.learn_hints_sent);
	EXPECT_EQ(st0.learn_hints_dropped, st1.learn_hints_dropped);
	EXPECT_LE(st0.learn_hinted + l->info.records, st1.learn_hinted);

	/* a new bit on an old entry: the dump shows it, no hint repeats the entry */
	snprintf(want, sizeof(want), "%s/h%05d", self->dir, 7);
	ASSERT_EQ(0, run_in(self->sb.cg, open_fn, &wr, NULL));
	ASSERT_EQ(0, drain(ev, &g2, 0.5, 0));
	for (i = 0; i < g2.n; i++)
		EXPECT_FALSE(g2.obs[i].path && !strcmp(g2.obs[i].path, want));
	l2 = sb_learned(&self->sb);
	ASSERT_NE(NULL, l2);
	for (i = 0; i < l2->n; i++)
		if (l2->obs[i].path && !strcmp(l2->obs[i].path, want))
			break;
	ASSERT_GT(l2->n, i);
	EXPECT_EQ(CRS_ACCESS_READ | CRS_ACCESS_WRITE, l2->obs[i].access);
	EXPECT_LT(l->info.generation, l2->info.generation);
	crs_learned_free(l2);
	crs_learned_free(l);
	got_free(&g);
	got_free(&g2);
	crs_events_close(ev);
}

TEST_F_TIMEOUT(hint, full_said_once, 120)
{
	struct opener rd = { self->dir, 0, NFILES, O_RDONLY };
	struct got g = { .cgid = self->sb.cgid };
	struct crs_events *ev = subscribe(_metadata);
	struct crs_learned *l;
	size_t i, msgs;

	ASSERT_NE(NULL, ev);
	l = learn_reads(_metadata, &self->sb, CRS_MIN_LEARN_RECORDS, &rd);
	ASSERT_NE(NULL, l);
	ASSERT_EQ(CRS_LEARN_STATE_FULL, l->info.state);
	ASSERT_LT(0, l->info.dropped_full);
	ASSERT_EQ(0, drain(ev, &g, 10, l->n));
	ASSERT_EQ(0, drain(ev, &g, 0.3, 0));	/* a last hint may say "full" alone */
	msgs = g.msgs;
	/* more drops: the set said it is full, and says nothing more */
	ASSERT_EQ(0, run_in(self->sb.cg, open_fn, &rd, NULL));
	ASSERT_EQ(0, drain(ev, &g, 0.5, 0));
	TH_LOG("%zu hints, %zu saying full, %zu observations of %zu", g.msgs, g.full_msgs, g.n,
	       l->n);
	EXPECT_EQ(l->n, g.n);
	EXPECT_LE(1, g.full_msgs);
	EXPECT_EQ(CRS_LEARN_STATE_FULL, g.last_state);
	EXPECT_EQ(msgs, g.msgs);
	for (i = 0; i < l->n && i < g.n; i++)
		EXPECT_TRUE(same_obs(&l->obs[i], &g.obs[i]));
	crs_learned_free(l);
	got_free(&g);
	crs_events_close(ev);
}

/* A subscriber that does not read: hints are dropped and counted; the dump has all. */
TEST_F_TIMEOUT(hint, overrun_dump_has_all, 180)
{
	struct opener rd = { self->dir, 0, 4000, O_RDONLY };
	struct got g = { .cgid = self->sb.cgid };
	struct crs_status st0, st1;
	struct crs_err err = {0};
	struct crs_events *ev = subscribe(_metadata);
	struct crs_learned *l;
	int small = 4096, r, overruns = 0;
	uint64_t end;

	ASSERT_NE(NULL, ev);
	make_files(_metadata, self->dir, NFILES, 4000 - NFILES);
	ASSERT_EQ(0, setsockopt(crs_events_fd(ev), SOL_SOCKET, SO_RCVBUFFORCE, &small,
				sizeof(small)));
	ASSERT_EQ(0, crs_nl_get_status(self->sb.nl, &st0, &err));
	ASSERT_EQ(0, crs_nl_set_learning(self->sb.nl, self->sb.cgid, CRS_LEARN_ON, 8192, &err)) {
		TH_LOG("%s", err.msg);
	}
	ASSERT_EQ(0, run_in(self->sb.cg, open_fn, &rd, NULL));
	/* the work sends as it goes; give it time to fill the queue and fail */
	end = now_ms() + 10000;
	do {
		usleep(100 * 1000);
		ASSERT_EQ(0, crs_nl_get_status(self->sb.nl, &st1, &err));
	} while (st1.learn_hints_dropped == st0.learn_hints_dropped && now_ms() < end);
	l = sb_learned(&self->sb);
	ASSERT_NE(NULL, l);
	EXPECT_EQ(4000, count_files(l, self->dir));
	EXPECT_EQ(0, l->info.dropped_full + l->info.dropped_long);
	EXPECT_LT(st0.learn_hints_dropped, st1.learn_hints_dropped);
	end = now_ms() + 5000;
	while (now_ms() < end) {
		r = crs_hints_recv(ev, 100, on_hint, &g);
		if (r == -ENOBUFS)
			overruns++;
		else if (r == -EAGAIN)
			break;
	}
	TH_LOG("%llu hints dropped by crs.ko; %zu received (%zu observations), %d overruns",
	       (unsigned long long)(st1.learn_hints_dropped - st0.learn_hints_dropped), g.msgs,
	       g.n, overruns);
	EXPECT_LT(0, overruns);
	EXPECT_GT(l->n, g.n);
	crs_learned_free(l);
	got_free(&g);
	crs_events_close(ev);
}

/* Nobody subscribed: the marks advance, nothing is sent or dropped. */
TEST_F_TIMEOUT(hint, no_subscriber, 120)
{
	struct opener rd = { self->dir, 0, NFILES, O_RDONLY };
	struct crs_status st0, st1;
	struct crs_err err = {0};
	struct crs_learned *l;
	uint64_t end;

	ASSERT_EQ(0, crs_nl_get_status(self->sb.nl, &st0, &err));
	l = learn_reads(_metadata, &self->sb, 1024, &rd);
	ASSERT_NE(NULL, l);
	end = now_ms() + 5000;
	do {
		usleep(50 * 1000);
		ASSERT_EQ(0, crs_nl_get_status(self->sb.nl, &st1, &err));
	} while (st1.learn_hinted < st0.learn_hinted + l->info.records && now_ms() < end);
	EXPECT_LE(st0.learn_hinted + l->info.records, st1.learn_hinted);
	EXPECT_EQ(st0.learn_hints_sent, st1.learn_hints_sent);
	EXPECT_EQ(st0.learn_hints_dropped, st1.learn_hints_dropped);
	crs_learned_free(l);
}

/* A hint is a notification: as a request it is refused, with a reason. */
TEST(hint_is_not_a_request)
{
	static char buf[8192];
	struct nlmsghdr *nlh;
	struct rawnl r;

	ASSERT_EQ(0, rawnl_open(&r, true));
	EXPECT_NE(0, r.learn_grp);
	nlh = rawnl_msg(&r, buf, CRS_CMD_LEARN_HINT);
	EXPECT_EQ(-EINVAL, rawnl_talk(&r, nlh));
	EXPECT_STREQ("crs: CRS_CMD_LEARN_HINT is a notification, not a request", r.extack);
	rawnl_close(&r);
}

CRS_SELFTEST_MAIN
