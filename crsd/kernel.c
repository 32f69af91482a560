// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The link to crs.ko, through libcrsnl. Optional: without the module crsd
 * serves everything in the store and reports the kernel as unavailable,
 * retrying the connection (at most every 5 s) when asked for status.
 * A thread stores the module's events (attributed to containers by cgroup
 * id), and hands them to the export (export.c) once committed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "crsd.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct crs_nl *nl;
static char last_error[512] = "not connected";
static time_t last_try;

static pthread_t ev_thread;
static bool ev_started, ev_stop;
static struct {
	uint64_t stored, lost, overruns, subscribed;
} ev_stats;

#define INC(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)

/* Called with lock held. */
static void try_open(bool force)
{
	struct crs_err err;
	time_t now = time(NULL);

	if (nl || (!force && now - last_try < 5))
		return;
	last_try = now;
	if (crs_nl_open(&nl, &err)) {
		nl = NULL;
		snprintf(last_error, sizeof(last_error), "%s", err.msg[0] ? err.msg :
			 "cannot open the crs generic netlink family");
	} else {
		last_error[0] = '\0';
	}
}

/* ------------------------------------------------------------ events */

struct batch {
	struct crsd_event_in *ev;
	size_t n, cap;
};

static void collect(const struct crs_event *e, void *arg)
{
	struct batch *b = arg;
	struct crsd_event_in *in;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		struct crsd_event_in *ev = realloc(b->ev, cap * sizeof(*ev));

		if (!ev) {
			INC(ev_stats.lost);
			return;
		}
		b->ev = ev;
		b->cap = cap;
	}
	in = &b->ev[b->n];
	in->json = crs_event_to_json(e);
	if (!in->json) {
		INC(ev_stats.lost);
		return;
	}
	in->time_ns = (int64_t)e->time_ns;
	in->cgroup_id = e->cgroup_id;
	in->table_cgroup_id = e->table_cgroup_id;
	in->type = crs_rule_type_name(e->type);
	in->action = crs_action_name(e->action);
	in->line = NULL;
	b->n++;
}

static void flush(struct batch *b)
{
	size_t i;

	if (!b->n)
		return;
	if (store_events_insert(b->ev, b->n, export_enabled())) {
		__atomic_fetch_add(&ev_stats.lost, b->n, __ATOMIC_RELAXED);
	} else {
		__atomic_fetch_add(&ev_stats.stored, b->n, __ATOMIC_RELAXED);
		export_events(b->ev, b->n);	/* committed: in seq order */
	}
	for (i = 0; i < b->n; i++) {
		free(b->ev[i].json);
		free(b->ev[i].line);
	}
	b->n = 0;
	crsd_events_notify();
}

/*
 * Subscribe to crs.ko's event group, store what arrives in batches (one
 * transaction per receive), resubscribe (every 5 s) while the module is
 * absent or after it went away. An unload ends the subscription without
 * an error on the socket, so while idle the thread asks every CHECK_S
 * whether it still holds (crs_events_check) and subscribes again at once
 * to a module that was reloaded. An overrun of the socket is counted;
 * the kernel's own counters say how many it dropped.
 */
#define CHECK_S	2
static void *events_main(void *arg)
{
	struct crs_events *ev = NULL;
	struct batch b = { 0 };
	struct crs_err err;
	time_t checked = 0;
	int r, i;

	while (!__atomic_load_n(&ev_stop, __ATOMIC_RELAXED)) {
		if (!ev) {
			if (crs_events_open(&ev, &err)) {
				ev = NULL;
				for (i = 0; i < 10; i++) {
					if (__atomic_load_n(&ev_stop, __ATOMIC_RELAXED))
						break;
					usleep(500000);
				}
				continue;
			}
			__atomic_store_n(&ev_stats.subscribed, 1, __ATOMIC_RELAXED);
			fprintf(stderr, "crsd: kernel: storing crs.ko's events\n");
		}
		r = crs_events_recv(ev, 500, collect, &b);
		flush(&b);
		if (r == -EAGAIN && time(NULL) - checked >= CHECK_S) {
			checked = time(NULL);
			r = crs_events_check(ev, &err);
			if (r == -ESTALE || r == -ENOENT) {
				fprintf(stderr, "crsd: kernel: %s; resubscribing\n",
					r == -ENOENT ? "crs.ko went away" : err.msg);
				crs_events_close(ev);
				ev = NULL;
				__atomic_store_n(&ev_stats.subscribed, 0, __ATOMIC_RELAXED);
				continue;
			}
			r = -EAGAIN;	/* another failure: try again next time */
		}
		if (r >= 0 || r == -EAGAIN || r == -EINTR)
			continue;
		if (r == -ENOBUFS) {
			INC(ev_stats.overruns);
			continue;
		}
		fprintf(stderr, "crsd: kernel: event socket: %s; resubscribing\n", strerror(-r));
		crs_events_close(ev);
		ev = NULL;
		__atomic_store_n(&ev_stats.subscribed, 0, __ATOMIC_RELAXED);
	}
	if (ev)
		crs_events_close(ev);
	free(b.ev);
	return NULL;
}

void kernel_init(bool events)
{
	pthread_mutex_lock(&lock);
	try_open(true);
	if (nl)
		fprintf(stderr, "crsd: kernel: connected to crs.ko\n");
	else
		fprintf(stderr, "crsd: kernel: unavailable (%s); serving the store only\n",
			last_error);
	pthread_mutex_unlock(&lock);
	if (events) {
		if (pthread_create(&ev_thread, NULL, events_main, NULL))
			fprintf(stderr, "crsd: kernel: cannot start the event thread\n");
		else
			ev_started = true;
	}
}

void kernel_fini(void)
{
	if (ev_started) {
		__atomic_store_n(&ev_stop, true, __ATOMIC_RELAXED);
		pthread_join(ev_thread, NULL);
		ev_started = false;
	}
	pthread_mutex_lock(&lock);
	if (nl)
		crs_nl_close(nl);
	nl = NULL;
	pthread_mutex_unlock(&lock);
}

/* Status into *st; false (and last_error set) if the kernel is unavailable. */
static bool get_status(struct crs_status *st)
{
	struct crs_err err;

	try_open(false);
	if (!nl)
		return false;
	if (crs_nl_get_status(nl, st, &err)) {
		snprintf(last_error, sizeof(last_error), "%s", err.msg[0] ? err.msg :
			 "status request failed");
		crs_nl_close(nl);	/* module unloaded? reopen next time */
		nl = NULL;
		return false;
	}
	return true;
}

static struct json_object *events_json(void)
{
	struct json_object *e = json_object_new_object();

	json_object_object_add(e, "subscribed", json_object_new_boolean(
				       __atomic_load_n(&ev_stats.subscribed, __ATOMIC_RELAXED)));
#define E(f) json_object_object_add(e, #f, json_object_new_int64( \
		(int64_t)__atomic_load_n(&ev_stats.f, __ATOMIC_RELAXED)))
	E(stored); E(lost); E(overruns);
#undef E
	return e;
}

struct json_object *kernel_status_json(void)
{
	struct json_object *o = json_object_new_object(), *c;
	struct crs_status *st = calloc(1, sizeof(*st));

	pthread_mutex_lock(&lock);
	if (!st || !get_status(st)) {
		json_object_object_add(o, "available", json_object_new_boolean(false));
		json_object_object_add(o, "error", json_object_new_string(st ? last_error :
									  "out of memory"));
		goto out;
	}
	json_object_object_add(o, "available", json_object_new_boolean(true));
	json_object_object_add(o, "version", json_object_new_string(st->version));
	json_object_object_add(o, "abi", json_object_new_int64(st->abi));
	json_object_object_add(o, "tables", json_object_new_int64(st->tables));
	json_object_object_add(o, "max_tables", json_object_new_int64(st->max_tables));
	c = json_object_new_object();
#define C(f) json_object_object_add(c, #f, json_object_new_int64((int64_t)st->f))
	C(hook_calls); C(policed); C(allowed); C(denied); C(monitored);
	C(events_sent); C(events_dropped); C(events_no_listener); C(path_errors);
	C(syscall_missed);
#undef C
	json_object_object_add(o, "counters", c);
out:
	pthread_mutex_unlock(&lock);
	json_object_object_add(o, "events", events_json());
	free(st);
	return o;
}

void kernel_metrics(FILE *f)
{
	struct crs_status *st = calloc(1, sizeof(*st));
	bool ok;

	pthread_mutex_lock(&lock);
	ok = st && get_status(st);
	pthread_mutex_unlock(&lock);
	fprintf(f, "# HELP crsd_kernel_available 1 if crs.ko answers.\n"
		"# TYPE crsd_kernel_available gauge\ncrsd_kernel_available %d\n", ok);
	fprintf(f, "# HELP crsd_events_ingested_total Events from crs.ko, by outcome.\n"
		"# TYPE crsd_events_ingested_total counter\n"
		"crsd_events_ingested_total{outcome=\"stored\"} %llu\n"
		"crsd_events_ingested_total{outcome=\"lost\"} %llu\n"
		"# HELP crsd_event_socket_overruns_total Receive buffer overruns (events lost).\n"
		"# TYPE crsd_event_socket_overruns_total counter\n"
		"crsd_event_socket_overruns_total %llu\n",
		(unsigned long long)__atomic_load_n(&ev_stats.stored, __ATOMIC_RELAXED),
		(unsigned long long)__atomic_load_n(&ev_stats.lost, __ATOMIC_RELAXED),
		(unsigned long long)__atomic_load_n(&ev_stats.overruns, __ATOMIC_RELAXED));
	if (ok) {
#define M(name, fld, help) fprintf(f, "# HELP crs_" name " " help "\n# TYPE crs_" name \
				   " counter\ncrs_" name " %llu\n", (unsigned long long)st->fld)
		M("hook_calls_total", hook_calls, "Hook invocations.");
		M("policed_total", policed, "Decisions made under a table.");
		M("allowed_total", allowed, "Accesses allowed.");
		M("denied_total", denied, "Accesses denied.");
		M("monitored_total", monitored, "Would-be denials in monitor mode.");
		M("events_sent_total", events_sent, "Events sent.");
		M("events_dropped_total", events_dropped, "Events dropped.");
#undef M
		fprintf(f, "# HELP crs_tables Tables loaded.\n# TYPE crs_tables gauge\n"
			"crs_tables %u\n", st->tables);
	}
	free(st);
}
