// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reconcile: make crs.ko hold, for every registered container, the table
 * of its image's policy and its overrides. One thread, woken after every
 * change the API acknowledges (reconcile_kick) and every 10 s while
 * something is not applied (60 s otherwise); each pass compares the whole
 * desired state with what this crsd last applied and sends only the
 * difference, on its own netlink socket. Never called from an HTTP
 * thread, so the API never waits for the kernel.
 *
 * Per container: a policy -> CRS_CMD_SET_TABLE (replaced atomically when
 * the policy's JSON or the cgroup changes), then CRS_CMD_SET_CONTAINER
 * with the mode (the override, CRS_MODE_POLICY without one, monitor when
 * passive would otherwise enforce) and the log mask. No policy -> the
 * table is deleted, also once after start (a policy unassigned while crsd
 * was down). A container unregistered -> its table is deleted.
 * Containers of tables crsd never applied are left alone.
 *
 * Drift: each pass starts with one dump of the kernel's tables and
 * compares the table of every container crsd applied with what it
 * recorded: the table's generation (read back right after crsd's own
 * SET_TABLE; every SET_TABLE makes a new one), the container's mode and
 * log mask. A table deleted, replaced or overridden behind crsd's back
 * (crs-tool unload/load/mode) is pushed again in the same pass, logged,
 * and counted in "drift_corrected".
 *
 * Learning (docs/learning.md section 4): the container's learning is the
 * override if set, else the policy's "learning". SET_CONTAINER is followed
 * by the learning switch (crs_nl_set_learning): the override, or
 * CRS_LEARN_POLICY; drift detection compares it too. A learning container
 * without a policy gets the learning-only table "learning:ID" (no rules,
 * every default allow, monitor, learning on). A set is dumped into the
 * store (learn_ingest) before crsd deletes its table. A policy made from a
 * profile that dropped observations (incomplete) is capped at monitor.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "crsd.h"

#define RETRY_S		10
#define IDLE_S		60
#define LEARN_UNSENT	0xffffffffu

enum state { ST_PENDING, ST_APPLIED, ST_NONE, ST_ERROR, ST_UNAVAILABLE };

static const char *const state_names[] = {
	[ST_PENDING] = "pending", [ST_APPLIED] = "applied", [ST_NONE] = "no policy",
	[ST_ERROR] = "error", [ST_UNAVAILABLE] = "unavailable",
};

/* What this crsd last applied to a container's cgroup, and how that went. */
/*
 * What crs.ko reported for a container's cgroup when last read (each pass's
 * drift check, and right after a push): the mode in effect (the override,
 * else the table's), the log mask and the learning switch.
 */
struct kview {
	bool read;
	int mode;		/* enum crs_mode in effect */
	uint32_t log;
	bool learning;		/* switched on (override, or the table's flag) */
	int64_t at;
};

struct applied {
	char id[CRSD_ID_MAX + 1];
	uint64_t cgid;
	char *json;		/* the policy JSON of the table pushed; NULL: no table */
	bool known;		/* the kernel state is known (else: unknown since start) */
	int mode;		/* CRS_MODE_* sent with SET_CONTAINER, -1 none */
	uint32_t log;
	uint32_t learn;		/* CRS_LEARN_* sent after SET_CONTAINER; LEARN_UNSENT: none */
	bool policy_learning;	/* the table pushed has "learning": true */
	char image[CRSD_IMAGE_MAX + 1];
	uint64_t gen;		/* generation of the table pushed; 0: not read back */
	const char *drift;	/* what changed behind crsd's back, until restored */
	struct kview kv;	/* the container as crs.ko last said it is */
	enum state state;
	char error[640];
	int64_t at;		/* when state was reached */
	bool seen;		/* in this pass */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static pthread_t thr;
static bool running, stop, dirty;
static struct applied *ap;
static size_t n_ap, cap_ap;
static uint64_t passes, failures, drift_corrected;
/* Kicks so far, and the count when the running pass read the store. */
static uint64_t kick_gen, pass_gen;

void reconcile_kick(void)
{
	size_t i;

	pthread_mutex_lock(&mu);
	/* Until the next pass, nobody can say the kernel holds the new state. */
	for (i = 0; i < n_ap; i++)
		ap[i].state = ST_PENDING;
	kick_gen++;
	dirty = true;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

/* Called with mu held. */
static struct applied *find(const char *id, bool create)
{
	size_t i;

	for (i = 0; i < n_ap; i++)
		if (!strcmp(ap[i].id, id))
			return &ap[i];
	if (!create)
		return NULL;
	if (n_ap == cap_ap) {
		size_t cap = cap_ap ? cap_ap * 2 : 64;
		struct applied *n = realloc(ap, cap * sizeof(*n));

		if (!n)
			return NULL;
		ap = n;
		cap_ap = cap;
	}
	memset(&ap[n_ap], 0, sizeof(ap[n_ap]));
	snprintf(ap[n_ap].id, sizeof(ap[n_ap].id), "%s", id);
	ap[n_ap].mode = -1;
	ap[n_ap].learn = LEARN_UNSENT;
	ap[n_ap].state = ST_PENDING;
	return &ap[n_ap++];
}

/* Called with mu held. A pass that began before the last change proves nothing. */
static void set_state(struct applied *a, enum state st, const char *err)
{
	if (pass_gen != kick_gen)
		st = ST_PENDING;
	if (a->state != st || strcmp(a->error, err ? err : ""))
		a->at = crsd_now_ns();
	a->state = st;
	snprintf(a->error, sizeof(a->error), "%s", err ? err : "");
}

/* One container's desired state, copied out of the store. */
struct want {
	char id[CRSD_ID_MAX + 1];
	char *cgroup;
	uint64_t cgid;
	char image[CRSD_IMAGE_MAX + 1];
	char *json;		/* NULL: no policy (nor learning) */
	int mode;
	uint32_t log;
	uint32_t learn;		/* CRS_LEARN_* */
};

struct wants {
	struct want *w;
	size_t n, cap;
	bool oom;
};

static int kernel_mode(const struct crsd_container_row *c)
{
	enum crs_mode m;

	if (!c->policy_json)
		return CRS_MODE_POLICY;		/* the learning-only table: monitor */
	/* a passive container never enforces, nor an incomplete policy */
	if (((c->ov.has_passive && c->ov.passive) || c->policy_incomplete) &&
	    !strcmp(crsd_base_mode(c), "enforce"))
		return CRS_MODE_MONITOR;
	if (c->ov.has_mode && !crs_mode_parse(c->ov.mode, &m))
		return (int)m;
	return CRS_MODE_POLICY;
}

/* The table of a learning container without a policy. */
static char *learning_only(const char *id)
{
	struct json_object *o = json_object_new_object(), *d = json_object_new_object();
	static const char *const types[] = { "file", "execute", "network", "listener",
					     "syscall" };
	char name[CRSD_ID_MAX + 16], *s;
	size_t i;

	snprintf(name, sizeof(name), "learning:%s", id);
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "mode", json_object_new_string("monitor"));
	json_object_object_add(o, "learning", json_object_new_boolean(true));
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		json_object_object_add(d, types[i], json_object_new_string("allow"));
	json_object_object_add(o, "default_actions", d);
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static void want_cb(const struct crsd_container_row *c, void *arg)
{
	struct wants *ws = arg;
	struct want *w;

	if (ws->n == ws->cap) {
		size_t cap = ws->cap ? ws->cap * 2 : 64;
		struct want *n = realloc(ws->w, cap * sizeof(*n));

		if (!n) {
			ws->oom = true;
			return;
		}
		ws->w = n;
		ws->cap = cap;
	}
	w = &ws->w[ws->n];
	memset(w, 0, sizeof(*w));
	snprintf(w->id, sizeof(w->id), "%s", c->id);
	w->cgroup = strdup(c->cgroup);
	w->cgid = (uint64_t)c->cgroup_id;
	snprintf(w->image, sizeof(w->image), "%s", c->image);
	w->learn = c->ov.has_learning ? (c->ov.learning ? CRS_LEARN_ON : CRS_LEARN_OFF)
				      : CRS_LEARN_POLICY;
	if (c->policy_json)
		w->json = strdup(c->policy_json);
	else if (c->ov.has_learning && c->ov.learning)
		w->json = learning_only(c->id);
	w->mode = kernel_mode(c);
	w->log = c->ov.has_log ? c->ov.log : CRS_LOG_DEFAULT;
	if (!w->cgroup || ((c->policy_json || w->learn == CRS_LEARN_ON) && !w->json)) {
		free(w->cgroup);
		free(w->json);
		ws->oom = true;
		return;
	}
	ws->n++;
}

static void wants_free(struct wants *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++) {
		free(ws->w[i].cgroup);
		free(ws->w[i].json);
	}
	free(ws->w);
}

/* The generation of the table on cgid, 0 if it cannot be read. */
static uint64_t table_generation(struct crs_nl *nl, uint64_t cgid)
{
	struct crs_table_info *t = NULL;
	uint64_t gen = 0;
	size_t n = 0;

	if (!crs_nl_get_tables(nl, cgid, &t, &n, NULL) && n == 1)
		gen = t[0].generation;
	crs_table_info_free(t, n);
	return gen;
}

static const struct crs_table_info *table_of(const struct crs_table_info *t, size_t n,
					     uint64_t cgid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].cgroup_id == cgid)
			return &t[i];
	return NULL;
}

/* The container as the kernel's table info @k says it is (NULL: no table). */
static struct kview kview_of(const struct crs_table_info *k)
{
	struct kview v = { .read = true, .mode = -1, .at = crsd_now_ns() };

	if (!k)
		return v;
	v.mode = k->container_mode == CRS_MODE_POLICY ? (int)k->mode : k->container_mode;
	v.log = k->container_log;
	v.learning = k->container_learn == CRS_LEARN_ON ||
		     (k->container_learn == CRS_LEARN_POLICY && (k->flags & CRS_TABLE_F_LEARN));
	return v;
}

/* Read the kernel's view of one cgroup now; .read is false if it failed. */
static struct kview kview_read(struct crs_nl *nl, uint64_t cgid)
{
	struct crs_table_info *t = NULL;
	struct kview v = { 0 };
	size_t n = 0;
	int r = crs_nl_get_tables(nl, cgid, &t, &n, NULL);

	if (!r && n == 1)
		v = kview_of(&t[0]);
	else if (r == -ENOENT)
		v = kview_of(NULL);
	crs_table_info_free(t, n);
	return v;
}

/*
 * Compare the kernel's tables (one dump) with what this crsd applied, and
 * forget the kernel state of every container whose table changed behind
 * its back, so that apply() pushes it again. A table whose generation was
 * not read back takes the dump's. Returns false if the dump failed.
 */
static bool check_drift(struct crs_nl *nl)
{
	struct crs_table_info *t = NULL;
	struct crs_err err = { 0 };
	size_t n = 0, i;

	if (crs_nl_get_tables(nl, 0, &t, &n, &err)) {
		fprintf(stderr, "crsd: reconcile: cannot read the kernel's tables: %s\n",
			err.msg);
		return false;
	}
	pthread_mutex_lock(&mu);
	for (i = 0; i < n_ap; i++) {
		struct applied *a = &ap[i];
		const struct crs_table_info *k;
		const char *what = NULL;

		if (!a->known || !a->json)
			continue;	/* nothing of ours is supposed to be there */
		k = table_of(t, n, a->cgid);
		a->kv = kview_of(k);
		if (!k)
			what = "deleted";
		else if (!a->gen)
			a->gen = k->generation;
		else if (k->generation != a->gen)
			what = "replaced";
		if (!what && k && a->mode >= 0 &&
		    (k->container_mode != a->mode || k->container_log != a->log))
			what = "mode or log mask changed";
		if (!what && k && a->learn != LEARN_UNSENT && k->container_learn != a->learn)
			what = "learning switch changed";
		if (what) {
			a->drift = what;
			a->known = false;	/* push the table and the container again */
		}
	}
	pthread_mutex_unlock(&mu);
	crs_table_info_free(t, n);
	return true;
}

/*
 * Bring one container to w. Kernel calls are made without mu (the API
 * reads states meanwhile); a is re-found by id afterwards because the
 * array may move. Returns false if something failed.
 */
static bool apply(struct crs_nl *nl, const struct want *w)
{
	struct applied snap, *a;
	struct crs_err err = { 0 };
	struct crs_policy *p = NULL;
	uint64_t cgid = w->cgid, gen = 0;
	struct kview kv = { 0 };
	bool push_table, push_ctr, ok = true, policy_learning = false;
	char msg[600] = "";
	int r;

	pthread_mutex_lock(&mu);
	a = find(w->id, true);
	if (!a) {
		pthread_mutex_unlock(&mu);
		return false;
	}
	a->seen = true;
	snap = *a;
	pthread_mutex_unlock(&mu);

	if (!cgid && (r = crs_cgroup_id(w->cgroup, &cgid))) {
		snprintf(msg, sizeof(msg), "cgroup %s: %s", w->cgroup, strerror(-r));
		ok = false;
		goto out;
	}
	if (!w->json) {
		/* No policy: remove a table we (may) have put there. */
		if (!snap.known || snap.json) {
			/* what it learned goes to the store first */
			learn_ingest(nl, w->id, w->image, snap.json ? snap.cgid : cgid);
			r = crs_nl_del_table(nl, snap.json ? snap.cgid : cgid, &err);
			if (r && r != -ENOENT) {
				snprintf(msg, sizeof(msg), "delete table: %s", err.msg);
				ok = false;
				goto out;
			}
		}
		pthread_mutex_lock(&mu);
		a = find(w->id, false);
		if (a) {
			free(a->json);
			a->json = NULL;
			a->known = true;
			a->cgid = cgid;
			a->mode = -1;
			a->learn = LEARN_UNSENT;
			a->gen = 0;
			a->drift = NULL;	/* no table of ours to restore */
			set_state(a, ST_NONE, NULL);
		}
		pthread_mutex_unlock(&mu);
		return true;
	}
	push_table = !snap.known || !snap.json || snap.cgid != cgid || strcmp(snap.json, w->json);
	if (push_table) {
		r = crs_policy_parse(w->json, strlen(w->json), &p, &err);
		if (!r) {
			policy_learning = p->learning;
			r = crs_nl_set_table(nl, cgid, p, &err);
		}
		crs_policy_free(p);
		if (r) {
			snprintf(msg, sizeof(msg), "set table: %s", err.msg);
			ok = false;
			goto out;
		}
		gen = table_generation(nl, cgid);
		if (snap.json && snap.cgid != cgid) {	/* the cgroup changed */
			learn_ingest(nl, w->id, w->image, snap.cgid);
			crs_nl_del_table(nl, snap.cgid, NULL);
		}
	}
	push_ctr = push_table || snap.mode != w->mode || snap.log != w->log;
	if (push_ctr) {
		r = crs_nl_set_container(nl, cgid, w->mode, w->log, &err);
		if (r) {
			snprintf(msg, sizeof(msg), "set container: %s", err.msg);
			ok = false;
		}
	}
	if (ok && (push_ctr || snap.learn != w->learn)) {
		r = crs_nl_set_learning(nl, cgid, w->learn, 0, &err);
		if (r) {
			snprintf(msg, sizeof(msg), "set learning: %s", err.msg);
			ok = false;
		}
	}
	/* what crs.ko holds now, as the API reports it ("kernel": {"mode", ...}) */
	if (push_ctr || snap.learn != w->learn)
		kv = kview_read(nl, cgid);
	pthread_mutex_lock(&mu);
	a = find(w->id, false);
	if (a) {
		if (kv.read)
			a->kv = kv;
		if (push_table) {
			free(a->json);
			/* NULL on ENOMEM: pushed again next pass */
			a->json = strdup(w->json);
			a->gen = gen;
			a->policy_learning = policy_learning;
		}
		a->known = true;
		a->cgid = cgid;
		a->mode = ok ? w->mode : -1;
		a->log = w->log;
		a->learn = ok ? w->learn : LEARN_UNSENT;
		snprintf(a->image, sizeof(a->image), "%s", w->image);
		if (ok && a->drift) {
			fprintf(stderr, "crsd: reconcile: container %s: table on cgroup %llu changed "
				"behind crsd's back (%s): restored\n", a->id,
				(unsigned long long)cgid, a->drift);
			a->drift = NULL;
			drift_corrected++;
		}
		set_state(a, ok ? ST_APPLIED : ST_ERROR, ok ? NULL : msg);
	}
	pthread_mutex_unlock(&mu);
	return ok;
out:
	pthread_mutex_lock(&mu);
	a = find(w->id, false);
	if (a)
		set_state(a, ST_ERROR, msg);
	pthread_mutex_unlock(&mu);
	return ok;
}

/* Containers gone from the store: delete the tables we applied. */
static bool sweep(struct crs_nl *nl)
{
	bool ok = true;
	size_t i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < n_ap; ) {
		struct applied a = ap[i];
		int r = 0;

		if (a.seen) {
			i++;
			continue;
		}
		if (a.json) {
			pthread_mutex_unlock(&mu);
			/* the final dump: into the image's profile (the container's is gone) */
			learn_ingest(nl, a.id, a.image, a.cgid);
			r = crs_nl_del_table(nl, a.cgid, NULL);
			pthread_mutex_lock(&mu);
			if (r && r != -ENOENT) {
				ok = false;
				i++;
				continue;
			}
		}
		/* Re-find: the array may have changed while unlocked (only this thread adds). */
		if (i < n_ap && !strcmp(ap[i].id, a.id)) {
			free(ap[i].json);
			ap[i] = ap[--n_ap];
		} else {
			i++;
		}
	}
	pthread_mutex_unlock(&mu);
	return ok;
}

/* Without the kernel: everything unknown, every container unavailable. */
static void unavailable(const struct wants *ws, const char *why)
{
	size_t i;

	pthread_mutex_lock(&mu);
	for (i = 0; i < n_ap; i++) {
		free(ap[i].json);
		ap[i].json = NULL;
		ap[i].known = false;
		ap[i].mode = -1;
		ap[i].learn = LEARN_UNSENT;
		ap[i].gen = 0;
		ap[i].drift = NULL;	/* crs.ko went away: nothing was changed by hand */
	}
	for (i = 0; i < ws->n; i++) {
		struct applied *a = find(ws->w[i].id, true);

		if (a)
			set_state(a, ST_UNAVAILABLE, why);
	}
	pthread_mutex_unlock(&mu);
}

static bool pass(void)
{
	struct wants ws = { 0 };
	struct crs_nl *nl = NULL;
	struct crs_err err = { 0 };
	bool ok = true;
	size_t i;

	pthread_mutex_lock(&mu);
	pass_gen = kick_gen;	/* before reading the store */
	pthread_mutex_unlock(&mu);
	if (store_container_list(NULL, want_cb, &ws) || ws.oom) {
		wants_free(&ws);
		return false;
	}
	if (crs_nl_open(&nl, &err)) {
		unavailable(&ws, err.msg[0] ? err.msg : "crs.ko is not available");
		wants_free(&ws);
		return false;
	}
	pthread_mutex_lock(&mu);
	for (i = 0; i < n_ap; i++)
		ap[i].seen = false;
	pthread_mutex_unlock(&mu);
	ok &= check_drift(nl);
	for (i = 0; i < ws.n; i++)
		ok &= apply(nl, &ws.w[i]);
	ok &= sweep(nl);
	crs_nl_close(nl);
	wants_free(&ws);
	return ok;
}

static void *main_loop(void *arg)
{
	bool ok = false;

	pthread_mutex_lock(&mu);
	while (!stop) {
		pthread_mutex_unlock(&mu);
		ok = pass();
		pthread_mutex_lock(&mu);
		passes++;
		if (!ok)
			failures++;
		if (!dirty && !stop) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += ok ? IDLE_S : RETRY_S;
			while (!dirty && !stop &&
			       pthread_cond_timedwait(&cv, &mu, &until) != ETIMEDOUT)
				;
		}
		dirty = false;
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

void reconcile_start(void)
{
	if (pthread_create(&thr, NULL, main_loop, NULL))
		fprintf(stderr, "crsd: reconcile: cannot start its thread\n");
	else
		running = true;
}

void reconcile_stop(void)
{
	size_t i;

	if (running) {
		pthread_mutex_lock(&mu);
		stop = true;
		pthread_cond_signal(&cv);
		pthread_mutex_unlock(&mu);
		pthread_join(thr, NULL);
		running = false;
	}
	for (i = 0; i < n_ap; i++)
		free(ap[i].json);
	free(ap);
	ap = NULL;
	n_ap = cap_ap = 0;
}

struct json_object *reconcile_container_json(const char *id)
{
	struct json_object *o = json_object_new_object();
	struct applied *a;

	pthread_mutex_lock(&mu);
	a = running ? find(id, false) : NULL;
	json_object_object_add(o, "state", json_object_new_string(!running ? "disabled" :
								  a ? state_names[a->state] :
								  "pending"));
	if (a && a->error[0])
		json_object_object_add(o, "error", json_object_new_string(a->error));
	if (a && a->at)
		json_object_object_add(o, "since", crsd_json_time(a->at));
	if (a && a->kv.read && a->json) {
		char log[64];
		const char *m = a->kv.mode >= 0 ? crs_mode_name(a->kv.mode) : NULL;

		/* read back from crs.ko, not what crsd sent: null when it holds no table */
		json_object_object_add(o, "mode", m ? json_object_new_string(m) : NULL);
		json_object_object_add(o, "log", a->kv.mode >= 0 ?
				       json_object_new_string(crs_log_str(a->kv.log, log, sizeof(log)))
				       : NULL);
		json_object_object_add(o, "learning", a->kv.mode >= 0 ?
				       json_object_new_boolean(a->kv.learning) : NULL);
		json_object_object_add(o, "read", crsd_json_time(a->kv.at));
	}
	pthread_mutex_unlock(&mu);
	return o;
}

struct json_object *reconcile_status_json(void)
{
	struct json_object *o = json_object_new_object();
	size_t i, applied = 0, errors = 0;

	pthread_mutex_lock(&mu);
	for (i = 0; i < n_ap; i++) {
		applied += ap[i].state == ST_APPLIED;
		errors += ap[i].state == ST_ERROR || ap[i].state == ST_UNAVAILABLE;
	}
	json_object_object_add(o, "running", json_object_new_boolean(running));
	json_object_object_add(o, "passes", json_object_new_int64((int64_t)passes));
	json_object_object_add(o, "failed_passes", json_object_new_int64((int64_t)failures));
	json_object_object_add(o, "containers_applied", json_object_new_int64((int64_t)applied));
	json_object_object_add(o, "containers_failing", json_object_new_int64((int64_t)errors));
	json_object_object_add(o, "drift_corrected", json_object_new_int64((int64_t)drift_corrected));
	pthread_mutex_unlock(&mu);
	return o;
}

struct crsd_table_ref *reconcile_tables(size_t *n)
{
	struct crsd_table_ref *t;
	size_t i;

	*n = 0;
	pthread_mutex_lock(&mu);
	t = calloc(n_ap ? n_ap : 1, sizeof(*t));
	for (i = 0; t && i < n_ap; i++) {
		if (!ap[i].known || !ap[i].json)
			continue;
		snprintf(t[*n].id, sizeof(t[*n].id), "%s", ap[i].id);
		snprintf(t[*n].image, sizeof(t[*n].image), "%s", ap[i].image);
		t[*n].cgid = ap[i].cgid;
		/* unsent: not known, so it may learn */
		t[*n].learning = ap[i].learn == CRS_LEARN_ON || ap[i].learn == LEARN_UNSENT ||
				 (ap[i].learn == CRS_LEARN_POLICY && ap[i].policy_learning);
		(*n)++;
	}
	pthread_mutex_unlock(&mu);
	return t;
}
