// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Learning: crs.ko's learned sets into the store (docs/learning.md
 * section 4). One thread on its own netlink socket. Every poll (10 s, or
 * --learn-poll-ms) it reads the header of the set of every container with
 * a table from crsd that learns, or whose set may still hold records not
 * dumped (GET_TABLE of that cgroup: CRS_A_LEARN; every table on a socket's
 * first pass), and dumps the set (GET_LEARNED) when (epoch, generation)
 * moved since the last dump it stored. Each dump goes, in one transaction, into the container's profile
 * and its image's (store_learn_ingest). A sync request (the template
 * routes) runs a pass at once; reconcile dumps a set itself, on its own
 * socket, before it deletes it (learn_ingest).
 *
 * Hints: a second thread subscribes to crs.ko's "learn" group and stores
 * the observations each hint carries as they come, into the same profiles
 * (without drop accounting: a hint's header may be older than a dump
 * stored, so drops are taken from dumps only). Hints make new observations
 * visible within a moment; they are not the truth. A new bit on an old
 * entry, drops, and anything lost in a receive overrun (which requests a
 * pass at once) come from the dumps, which go on as above.
 *
 * A profile deleted through the API (learn_discard) has its kernel set
 * emptied here (DEL_LEARNED); until then no dump of it is stored, so the
 * deleted observations do not come back.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "crsd.h"

/* The last header seen of a container's set, and the last dump stored. */
struct seen {
	char id[CRSD_ID_MAX + 1];
	uint64_t cgid;
	bool has_info;
	struct crs_learn_info info;
	bool stored;
	uint64_t epoch, generation;	/* of the last dump stored */
	uint64_t dropped;		/* its drop counts, full and long together */
	uint64_t hint_floor;		/* hints of sets older than this are stale */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;	/* wakes the thread */
static pthread_cond_t done_cv = PTHREAD_COND_INITIALIZER;	/* a pass ended */
static pthread_t thr;
static bool running, stop;
static unsigned poll_ms = 10000;
static uint64_t req_gen, done_gen;
static struct seen *seen;
static size_t n_seen, cap_seen;
/* Profiles deleted whose kernel set is not emptied yet. */
static struct { char id[CRSD_ID_MAX + 1]; uint64_t cgid; } *discards;
static size_t n_discards;
static uint64_t dumps, dump_failures, passes;
static uint64_t hints, hint_obs, hint_overruns, hint_failures;
static pthread_t hint_thr;
static bool hint_running;

/* Serializes dumps with profile deletion (learn_discard). */
static pthread_mutex_t ingest_mu = PTHREAD_MUTEX_INITIALIZER;

/* Called with mu held. */
static struct seen *seen_find(const char *id, bool create)
{
	size_t i;

	for (i = 0; i < n_seen; i++)
		if (!strcmp(seen[i].id, id))
			return &seen[i];
	if (!create)
		return NULL;
	if (n_seen == cap_seen) {
		size_t cap = cap_seen ? cap_seen * 2 : 32;
		struct seen *n = realloc(seen, cap * sizeof(*n));

		if (!n)
			return NULL;
		seen = n;
		cap_seen = cap;
	}
	memset(&seen[n_seen], 0, sizeof(seen[n_seen]));
	snprintf(seen[n_seen].id, sizeof(seen[n_seen].id), "%s", id);
	return &seen[n_seen++];
}

/* Called with mu held. */
static bool discarding(const char *id)
{
	size_t i;

	for (i = 0; i < n_discards; i++)
		if (!strcmp(discards[i].id, id))
			return true;
	return false;
}

static void obs_free(struct crsd_obs_in *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(in[i].key);
		free(in[i].json);
	}
	free(in);
}

/* The dump as the store takes it: each observation's key and JSON. */
static int convert(const struct crs_learned *l, struct crsd_obs_in **out)
{
	char *doc = crs_learned_to_json(l, false);
	struct json_object *root = doc ? json_tokener_parse(doc) : NULL, *arr = NULL;
	struct crsd_obs_in *in = calloc(l->n ? l->n : 1, sizeof(*in));
	size_t i;
	int r = 0;

	free(doc);
	if (!root || !in || !json_object_object_get_ex(root, "observations", &arr) ||
	    json_object_array_length(arr) != l->n) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < l->n; i++) {
		const struct crs_observation *o = &l->obs[i];
		const char *type = crs_rule_type_name(o->type);

		in[i].key = crs_obs_key(o);
		in[i].json = strdup(json_object_to_json_string_ext(
					    json_object_array_get_idx(arr, i),
					    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		in[i].type = type ? type : "unknown";
		in[i].program = o->program;
		in[i].access = o->access;
		in[i].outcome = o->outcome;
		if (!in[i].key || !in[i].json) {
			r = -ENOMEM;
			i++;
			break;
		}
	}
out:
	json_object_put(root);
	if (r) {
		obs_free(in, l->n);
		in = NULL;
	}
	*out = in;
	return r;
}

int learn_ingest(struct crs_nl *nl, const char *id, const char *image, uint64_t cgid)
{
	struct crs_learned *l = NULL;
	struct crsd_obs_in *in = NULL;
	struct crs_err err = { 0 };
	struct seen *s;
	bool skip;
	int r;

	pthread_mutex_lock(&ingest_mu);
	pthread_mutex_lock(&mu);
	skip = discarding(id);
	pthread_mutex_unlock(&mu);
	if (skip) {
		pthread_mutex_unlock(&ingest_mu);
		return 0;
	}
	r = crs_nl_get_learned(nl, cgid, &l, &err);
	if (r == -ENOENT) {
		pthread_mutex_unlock(&ingest_mu);
		return r;	/* no set: nothing learned */
	}
	if (!r)
		r = convert(l, &in);
	if (!r)
		r = store_learn_ingest(id, image, &l->info, in, l->n);
	pthread_mutex_lock(&mu);
	if (r) {
		dump_failures++;
		fprintf(stderr, "crsd: learn: container %s: cgroup %llu: %s\n", id,
			(unsigned long long)cgid, err.msg[0] ? err.msg : strerror(-r));
	} else {
		dumps++;
		s = seen_find(id, true);
		if (s) {
			s->cgid = cgid;
			s->has_info = true;
			s->info = l->info;
			s->stored = true;
			s->epoch = l->info.epoch;
			s->generation = l->info.generation;
			s->dropped = l->info.dropped_full + l->info.dropped_long;
		}
	}
	pthread_mutex_unlock(&mu);
	pthread_mutex_unlock(&ingest_mu);
	if (in)
		obs_free(in, l->n);
	crs_learned_free(l);
	return r;
}

void learn_discard(const char *id, uint64_t cgid)
{
	void *n;

	pthread_mutex_lock(&ingest_mu);
	pthread_mutex_lock(&mu);
	if (running && !discarding(id) &&
	    (n = realloc(discards, (n_discards + 1) * sizeof(*discards)))) {
		discards = n;
		snprintf(discards[n_discards].id, sizeof(discards[n_discards].id), "%s", id);
		discards[n_discards].cgid = cgid;
		n_discards++;
		pthread_cond_signal(&cv);
	}
	pthread_mutex_unlock(&mu);
	store_profile_delete("container", id);
	pthread_mutex_unlock(&ingest_mu);
}

/* Empty the kernel sets of deleted profiles. */
static void do_discards(struct crs_nl *nl)
{
	pthread_mutex_lock(&ingest_mu);
	pthread_mutex_lock(&mu);
	while (n_discards) {
		uint64_t cgid = discards[n_discards - 1].cgid;
		char id[CRSD_ID_MAX + 1];
		struct crs_err err = { 0 };
		struct seen *s;
		int r;

		struct timespec t0;

		snprintf(id, sizeof(id), "%s", discards[n_discards - 1].id);
		pthread_mutex_unlock(&mu);
		/* a set made by DEL_LEARNED has a later epoch (crs.ko's realtime) */
		clock_gettime(CLOCK_REALTIME, &t0);
		r = cgid ? crs_nl_del_learned(nl, cgid, &err) : -ENOENT;
		if (r && r != -ENOENT)
			fprintf(stderr, "crsd: learn: container %s: delete its learned set: %s\n",
				id, err.msg);
		pthread_mutex_lock(&mu);
		n_discards--;
		s = seen_find(id, true);
		if (s) {
			s->stored = s->has_info = false;
			/* hints of the old set may still be queued: not stored */
			s->hint_floor = (uint64_t)t0.tv_sec * 1000000000u + (uint64_t)t0.tv_nsec;
		}
	}
	pthread_mutex_unlock(&mu);
	pthread_mutex_unlock(&ingest_mu);
}

/*
 * Forget the sets of containers without a table from crsd any more (their
 * set went with the table, after reconcile's final dump): they no longer
 * count in the status, nor lengthen every seen_find().
 */
static void forget_gone(const struct crsd_table_ref *t, size_t n)
{
	size_t i, j, kept = 0;

	pthread_mutex_lock(&mu);
	for (i = 0; i < n_seen; i++) {
		for (j = 0; j < n && strcmp(t[j].id, seen[i].id); j++)
			;
		if (j < n)
			seen[kept++] = seen[i];
	}
	n_seen = kept;
	pthread_mutex_unlock(&mu);
}

/*
 * Called with mu held. A table's header is worth reading if the container
 * learns, or its set was recording at the last poll (learning turned off
 * since: the set is kept, its last records are still to be dumped), or a
 * header seen was not dumped yet. Otherwise its set cannot have moved, and
 * the GET_TABLE is skipped: only the first pass on a socket reads them all
 * (sets left from before, a module reloaded).
 */
static bool worth_polling(const struct crsd_table_ref *t)
{
	struct seen *s = seen_find(t->id, false);

	if (t->learning)
		return true;
	return s && s->has_info && (s->info.state == CRS_LEARN_STATE_RECORDING ||
				    s->info.state == CRS_LEARN_STATE_FULL || !s->stored ||
				    s->epoch != s->info.epoch || s->generation != s->info.generation);
}

/*
 * One poll: the header of every set of ours that may have moved (all of
 * them when all is set), and a dump of those that moved.
 */
static void poll_pass(struct crs_nl *nl, bool all)
{
	struct crsd_table_ref *t;
	size_t n = 0, i;

	do_discards(nl);
	t = reconcile_tables(&n);
	for (i = 0; t && i < n; i++) {
		struct crs_table_info *k = NULL;
		size_t nk = 0;
		bool dump = false, skip;
		struct seen *s;

		pthread_mutex_lock(&mu);
		skip = !all && !worth_polling(&t[i]);
		pthread_mutex_unlock(&mu);
		if (skip)
			continue;
		if (crs_nl_get_tables(nl, t[i].cgid, &k, &nk, NULL) || nk != 1) {
			crs_table_info_free(k, nk);
			continue;
		}
		pthread_mutex_lock(&mu);
		s = seen_find(t[i].id, true);
		if (s) {
			s->cgid = t[i].cgid;
			s->has_info = k->has_learn;
			if (k->has_learn)
				s->info = k->learn;
			/* drops move no generation: compare them too */
			dump = k->has_learn && (!s->stored || s->epoch != k->learn.epoch ||
						s->generation != k->learn.generation ||
						s->dropped != k->learn.dropped_full +
							      k->learn.dropped_long);
		}
		pthread_mutex_unlock(&mu);
		crs_table_info_free(k, nk);
		if (dump)
			learn_ingest(nl, t[i].id, t[i].image, t[i].cgid);
	}
	if (t)
		forget_gone(t, n);
	free(t);
}

/* ms from now on CLOCK_REALTIME, for pthread_cond_timedwait. */
static void deadline(struct timespec *until, unsigned ms)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_sec += ms / 1000;
	until->tv_nsec += (long)(ms % 1000) * 1000000;
	if (until->tv_nsec >= 1000000000) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000;
	}
}

static void *main_loop(void *arg)
{
	struct crs_nl *nl = NULL;
	bool all = true;	/* the first pass on a socket reads every header */

	(void)arg;
	pthread_mutex_lock(&mu);
	while (!stop) {
		uint64_t want = req_gen;
		struct timespec until;

		pthread_mutex_unlock(&mu);
		if (!nl && crs_nl_open(&nl, &(struct crs_err){ 0 }))
			nl = NULL;	/* crs.ko is not there: try again next time */
		if (nl) {
			poll_pass(nl, all);
			all = false;
		}
		pthread_mutex_lock(&mu);
		passes++;
		done_gen = want;
		pthread_cond_broadcast(&done_cv);
		deadline(&until, poll_ms);
		while (!stop && req_gen == want && !n_discards &&
		       pthread_cond_timedwait(&cv, &mu, &until) != ETIMEDOUT)
			;
		/* A module that went away: reopen on the next pass. */
		if (nl && !stop) {
			pthread_mutex_unlock(&mu);
			if (crs_nl_get_status(nl, &(struct crs_status){ 0 }, &(struct crs_err){ 0 })) {
				crs_nl_close(nl);
				nl = NULL;
				all = true;
			}
			pthread_mutex_lock(&mu);
		}
	}
	pthread_mutex_unlock(&mu);
	crs_nl_close(nl);
	return NULL;
}

/* ------------------------------------------------------------- hints */

/*
 * One receive call's hints, stored as they are handed over: the table list
 * that maps cgroups to containers is read once per call, at the first hint.
 */
struct hint_batch {
	struct crsd_table_ref *t;
	size_t nt;
	bool have_tables;
	size_t stored, obs, failed;
};

/* Store one hint into its container's profile and its image's; 1 if stored. */
static int hint_store(const struct crs_learned *h, const struct crsd_table_ref *t, size_t nt)
{
	struct crsd_obs_in *in = NULL;
	struct seen *s;
	bool skip;
	size_t i;
	int r;

	for (i = 0; i < nt && t[i].cgid != h->cgroup_id; i++)
		;
	if (i == nt)
		return 0;	/* not a container of crsd's (crs-tool's own learning) */
	pthread_mutex_lock(&ingest_mu);
	pthread_mutex_lock(&mu);
	s = seen_find(t[i].id, false);
	skip = discarding(t[i].id) || (s && h->info.epoch < s->hint_floor);
	pthread_mutex_unlock(&mu);
	r = skip ? 0 : convert(h, &in);
	if (!skip && !r)
		r = store_learn_ingest(t[i].id, t[i].image, NULL, in, h->n);
	pthread_mutex_unlock(&ingest_mu);
	if (in)
		obs_free(in, h->n);
	if (r) {
		fprintf(stderr, "crsd: learn: container %s: storing a hint: %s\n", t[i].id,
			strerror(-r));
		return -1;
	}
	return !skip;
}

static void on_hint(const struct crs_learned *h, void *arg)
{
	struct hint_batch *b = arg;
	int r;

	if (!h->n)
		return;		/* "full" alone: the next poll dumps the drops */
	if (!b->have_tables) {
		b->t = reconcile_tables(&b->nt);
		b->have_tables = true;
	}
	r = hint_store(h, b->t, b->nt);
	if (r > 0) {
		b->stored++;
		b->obs += h->n;
	} else if (r < 0) {
		b->failed++;
	}
}

/* After a receive call: the counters, and a pass at once for what was not stored. */
static void hint_batch_end(struct hint_batch *b)
{
	free(b->t);
	pthread_mutex_lock(&mu);
	hints += b->stored;
	hint_obs += b->obs;
	hint_failures += b->failed;
	if (b->failed) {
		req_gen++;
		pthread_cond_signal(&cv);
	}
	pthread_mutex_unlock(&mu);
	memset(b, 0, sizeof(*b));
}

static bool hint_stopping(void)
{
	bool s;

	pthread_mutex_lock(&mu);
	s = stop;
	pthread_mutex_unlock(&mu);
	return s;
}

static void *hint_loop(void *arg)
{
	struct hint_batch b = { 0 };
	struct crs_events *ev = NULL;
	unsigned idle = 0;
	int r;

	(void)arg;
	while (!hint_stopping()) {
		if (!ev && crs_hints_open(&ev, &(struct crs_err){ 0 })) {
			ev = NULL;	/* no crs.ko (or an older one): look again later */
			usleep(1000 * 1000);
			continue;
		}
		r = crs_hints_recv(ev, 500, on_hint, &b);
		hint_batch_end(&b);
		if (r == -ENOBUFS || r == -ENOMEM) {
			pthread_mutex_lock(&mu);
			hint_overruns += r == -ENOBUFS;
			req_gen++;	/* hints were lost: dump at once */
			pthread_cond_signal(&cv);
			pthread_mutex_unlock(&mu);
		} else if (r == -EAGAIN && ++idle >= 20) {
			/* quiet for 10 s: a module unloaded ends the subscription silently */
			idle = 0;
			if (crs_events_check(ev, &(struct crs_err){ 0 })) {
				crs_events_close(ev);
				ev = NULL;
			}
		} else if (r >= 0) {
			idle = 0;
		} else if (r != -EAGAIN && r != -EINTR) {
			crs_events_close(ev);
			ev = NULL;
		}
	}
	crs_events_close(ev);
	return NULL;
}

void learn_start(unsigned ms)
{
	poll_ms = ms;
	if (pthread_create(&thr, NULL, main_loop, NULL)) {
		fprintf(stderr, "crsd: learn: cannot start its thread\n");
		return;
	}
	running = true;
	if (pthread_create(&hint_thr, NULL, hint_loop, NULL))
		fprintf(stderr, "crsd: learn: cannot start the hint thread (polling only)\n");
	else
		hint_running = true;
}

void learn_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&mu);
	stop = true;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thr, NULL);
	if (hint_running)
		pthread_join(hint_thr, NULL);
	hint_running = false;
	pthread_mutex_lock(&mu);
	running = false;
	pthread_cond_broadcast(&done_cv);
	pthread_mutex_unlock(&mu);
}

bool learn_sync(unsigned timeout_ms)
{
	struct timespec until;
	uint64_t target;
	bool ok;

	deadline(&until, timeout_ms);
	pthread_mutex_lock(&mu);
	if (!running || stop) {
		pthread_mutex_unlock(&mu);
		return false;
	}
	target = ++req_gen;
	pthread_cond_signal(&cv);
	while (running && done_gen < target &&
	       pthread_cond_timedwait(&done_cv, &mu, &until) != ETIMEDOUT)
		;
	ok = done_gen >= target;
	pthread_mutex_unlock(&mu);
	return ok;
}

struct json_object *learn_container_json(const char *id, bool effective)
{
	struct json_object *o = json_object_new_object();
	struct seen *s;

	json_object_object_add(o, "effective", json_object_new_boolean(effective));
	pthread_mutex_lock(&mu);
	s = seen_find(id, false);
	if (s && s->has_info) {
		const char *st = crs_learn_state_name(s->info.state);

		json_object_object_add(o, "state", st ? json_object_new_string(st) : NULL);
		json_object_object_add(o, "records", json_object_new_int64(s->info.records));
		json_object_object_add(o, "max", json_object_new_int64(s->info.max));
		json_object_object_add(o, "dropped", json_object_new_int64(
					       (int64_t)(s->info.dropped_full + s->info.dropped_long)));
	} else {
		/* no set known (none, or not polled yet, or no kernel) */
		json_object_object_add(o, "state", NULL);
		json_object_object_add(o, "records", NULL);
		json_object_object_add(o, "max", NULL);
		json_object_object_add(o, "dropped", NULL);
	}
	pthread_mutex_unlock(&mu);
	return o;
}

struct json_object *learn_status_json(void)
{
	struct json_object *o = json_object_new_object();
	struct crsd_counts c = { 0 };
	size_t i, learning = 0;

	store_counts(&c);
	pthread_mutex_lock(&mu);
	for (i = 0; i < n_seen; i++)
		learning += seen[i].has_info && (seen[i].info.state == CRS_LEARN_STATE_RECORDING ||
						 seen[i].info.state == CRS_LEARN_STATE_FULL);
	json_object_object_add(o, "running", json_object_new_boolean(running));
	json_object_object_add(o, "poll_ms", json_object_new_int64(poll_ms));
	json_object_object_add(o, "containers", json_object_new_int64((int64_t)learning));
	json_object_object_add(o, "profiles", json_object_new_int64(c.profiles));
	json_object_object_add(o, "observations", json_object_new_int64(c.observations));
	json_object_object_add(o, "hints", json_object_new_int64((int64_t)hints));
	json_object_object_add(o, "hint_observations", json_object_new_int64((int64_t)hint_obs));
	json_object_object_add(o, "hint_failures", json_object_new_int64((int64_t)hint_failures));
	json_object_object_add(o, "overruns", json_object_new_int64((int64_t)hint_overruns));
	json_object_object_add(o, "polls", json_object_new_int64((int64_t)passes));
	json_object_object_add(o, "dumps", json_object_new_int64((int64_t)dumps));
	json_object_object_add(o, "dump_failures", json_object_new_int64((int64_t)dump_failures));
	pthread_mutex_unlock(&mu);
	return o;
}

void learn_metrics(FILE *f)
{
	struct crsd_counts c = { 0 };

	store_counts(&c);
	pthread_mutex_lock(&mu);
	fprintf(f, "# TYPE crsd_learning_observations gauge\n"
		"crsd_learning_observations %lld\n"
		"# TYPE crsd_learning_dumps_total counter\n"
		"crsd_learning_dumps_total %llu\n"
		"# TYPE crsd_learning_dump_failures_total counter\n"
		"crsd_learning_dump_failures_total %llu\n"
		"# TYPE crsd_learning_hints_total counter\n"
		"crsd_learning_hints_total %llu\n"
		"# TYPE crsd_learning_hint_overruns_total counter\n"
		"crsd_learning_hint_overruns_total %llu\n",
		(long long)c.observations, (unsigned long long)dumps,
		(unsigned long long)dump_failures, (unsigned long long)hints,
		(unsigned long long)hint_overruns);
	pthread_mutex_unlock(&mu);
}
