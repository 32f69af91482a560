// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The link to crs.ko, through libcrsnl. Optional: without the module crsd
 * serves everything in the store and reports the kernel as unavailable,
 * retrying the connection (at most every 5 s) when asked for status.
 * Reconcile (pushing tables and overrides) is not built yet.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "crsd.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct crs_nl *nl;
static char last_error[512] = "not connected";
static time_t last_try;

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

void kernel_init(void)
{
	pthread_mutex_lock(&lock);
	try_open(true);
	if (nl)
		fprintf(stderr, "crsd: kernel: connected to crs.ko\n");
	else
		fprintf(stderr, "crsd: kernel: unavailable (%s); serving the store only\n",
			last_error);
	pthread_mutex_unlock(&lock);
}

void kernel_fini(void)
{
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
