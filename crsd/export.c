// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Event export beside the store, for log pipelines: --events-jsonl PATH
 * appends each stored event as one JSON line (the object the API returns
 * for it, seq included), --events-syslog sends each as one syslog line
 * ("crs event " + the same JSON; LOG_DAEMON, LOG_WARNING for deny,
 * LOG_INFO otherwise).
 *
 * The event thread hands over the lines after the store committed them, in
 * seq order (export_events). They go to a bounded queue, and a thread of
 * their own writes them, so a slow disk or a stalled syslog never holds up
 * ingestion: when the queue is full, lines are dropped and counted. A
 * write error is counted and logged at most once a minute. SIGHUP reopens
 * the file (export_reopen), for logrotate: the old descriptor is kept if
 * the new open fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "crsd.h"

#define QUEUE_MAX	4096			/* lines */
#define QUEUE_BYTES	(16 << 20)		/* bytes in the queue */
#define LOG_EVERY	60			/* s between two error logs */

struct line {
	char *s;		/* JSON + "\n" */
	size_t len;
	bool deny;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct line queue[QUEUE_MAX];
static size_t q_head, q_len, q_bytes;
static bool reopen_asked, stopping, started;
static pthread_t thread;

static const char *jsonl_path;	/* NULL: no file */
static int fd = -1;
static bool use_syslog;

static struct {
	uint64_t jsonl_exported, jsonl_failed, syslog_sent, dropped, reopened;
} st;
static time_t last_write_log, last_drop_log;

#define ADD(x, n) __atomic_fetch_add(&(x), (n), __ATOMIC_RELAXED)
#define GET(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* A regular file, appended to, created 0600, never through a symlink. */
static int open_jsonl(const char *path, char *why, size_t len)
{
	struct stat sb;
	int f = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
		     O_NONBLOCK | O_NOCTTY, 0600);

	if (f < 0) {
		snprintf(why, len, "%s", errno == ELOOP ? "a symbolic link" : strerror(errno));
		return -1;
	}
	if (fstat(f, &sb) || !S_ISREG(sb.st_mode)) {
		snprintf(why, len, "not a regular file");
		close(f);
		return -1;
	}
	return f;
}

bool export_enabled(void)
{
	return jsonl_path || use_syslog;
}

static void write_jsonl(const struct line *l)
{
	const char *p = l->s;
	size_t n = l->len;
	time_t now;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : EIO;

			ADD(st.jsonl_failed, 1);
			now = time(NULL);
			if (now - last_write_log >= LOG_EVERY) {
				last_write_log = now;
				fprintf(stderr, "crsd: --events-jsonl %s: write: %s (events are "
					"still stored; this is logged at most once a minute)\n",
					jsonl_path, strerror(e));
			}
			return;
		}
		p += w;
		n -= w;
	}
	ADD(st.jsonl_exported, 1);
}

static void do_reopen(void)
{
	char why[128];
	int f = open_jsonl(jsonl_path, why, sizeof(why));

	if (f < 0) {
		fprintf(stderr, "crsd: SIGHUP: --events-jsonl %s: %s; still writing to the old "
			"file\n", jsonl_path, why);
		return;
	}
	close(fd);
	fd = f;
	ADD(st.reopened, 1);
	fprintf(stderr, "crsd: SIGHUP: --events-jsonl %s reopened\n", jsonl_path);
}

static void *export_main(void *arg)
{
	struct line batch[64];
	size_t n, i;
	bool reopen;

	for (;;) {
		pthread_mutex_lock(&mu);
		while (!q_len && !reopen_asked && !stopping)
			pthread_cond_wait(&cv, &mu);
		if (!q_len && stopping && !reopen_asked) {
			pthread_mutex_unlock(&mu);
			break;
		}
		reopen = reopen_asked;
		reopen_asked = false;
		for (n = 0; n < 64 && q_len; n++) {
			batch[n] = queue[q_head];
			q_head = (q_head + 1) % QUEUE_MAX;
			q_len--;
			q_bytes -= batch[n].len;
		}
		pthread_mutex_unlock(&mu);
		if (reopen && jsonl_path)
			do_reopen();
		for (i = 0; i < n; i++) {
			if (jsonl_path)
				write_jsonl(&batch[i]);
			if (use_syslog) {
				syslog(batch[i].deny ? LOG_WARNING : LOG_INFO, "crs event %.*s",
				       (int)(batch[i].len - 1), batch[i].s);
				ADD(st.syslog_sent, 1);
			}
			free(batch[i].s);
		}
	}
	return NULL;
}

int export_init(const char *jsonl, bool sys)
{
	char why[128];

	jsonl_path = NULL;
	use_syslog = false;
	if (jsonl) {
		fd = open_jsonl(jsonl, why, sizeof(why));
		if (fd < 0) {
			fprintf(stderr, "crsd: --events-jsonl %s: %s\n", jsonl, why);
			return -1;
		}
		jsonl_path = jsonl;
	}
	if (sys) {
		openlog("crsd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		use_syslog = true;
	}
	if (!export_enabled())
		return 0;
	stopping = reopen_asked = false;
	if (pthread_create(&thread, NULL, export_main, NULL)) {
		fprintf(stderr, "crsd: cannot start the event export thread\n");
		return -1;
	}
	started = true;
	if (jsonl)
		fprintf(stderr, "crsd: events exported to %s (JSON lines)\n", jsonl);
	if (sys)
		fprintf(stderr, "crsd: events exported to syslog\n");
	return 0;
}

void export_events(const struct crsd_event_in *ev, size_t n)
{
	size_t i, dropped = 0;
	time_t now;

	if (!started)
		return;
	pthread_mutex_lock(&mu);
	for (i = 0; i < n; i++) {
		struct line *l;
		size_t len;

		if (!ev[i].line)
			continue;
		len = strlen(ev[i].line);
		if (q_len == QUEUE_MAX || q_bytes + len + 1 > QUEUE_BYTES) {
			dropped++;
			continue;
		}
		l = &queue[(q_head + q_len) % QUEUE_MAX];
		l->s = malloc(len + 2);
		if (!l->s) {
			dropped++;
			continue;
		}
		memcpy(l->s, ev[i].line, len);
		l->s[len] = '\n';
		l->s[len + 1] = '\0';
		l->len = len + 1;
		l->deny = ev[i].action && !strcmp(ev[i].action, "deny");
		q_len++;
		q_bytes += l->len;
	}
	if (n)
		pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	if (dropped) {
		ADD(st.dropped, dropped);
		now = time(NULL);
		if (now - __atomic_load_n(&last_drop_log, __ATOMIC_RELAXED) >= LOG_EVERY) {
			__atomic_store_n(&last_drop_log, now, __ATOMIC_RELAXED);
			fprintf(stderr, "crsd: event export cannot keep up: %zu events not exported "
				"(they are stored; logged at most once a minute)\n", dropped);
		}
	}
}

void export_reopen(void)
{
	if (!started || !jsonl_path)
		return;
	pthread_mutex_lock(&mu);
	reopen_asked = true;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

void export_fini(void)
{
	if (!started)
		return;
	pthread_mutex_lock(&mu);
	stopping = true;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);	/* the queue is written out first */
	started = false;
	if (fd >= 0)
		close(fd);
	fd = -1;
	if (use_syslog)
		closelog();
}

struct json_object *export_status_json(void)
{
	struct json_object *o = json_object_new_object(), *j = NULL, *s = NULL;

	if (jsonl_path) {
		j = json_object_new_object();
		json_object_object_add(j, "path", json_object_new_string(jsonl_path));
		json_object_object_add(j, "exported", json_object_new_int64(
					       (int64_t)GET(st.jsonl_exported)));
		json_object_object_add(j, "failed", json_object_new_int64(
					       (int64_t)GET(st.jsonl_failed)));
		json_object_object_add(j, "reopened", json_object_new_int64(
					       (int64_t)GET(st.reopened)));
	}
	if (use_syslog) {
		s = json_object_new_object();
		json_object_object_add(s, "sent", json_object_new_int64(
					       (int64_t)GET(st.syslog_sent)));
	}
	json_object_object_add(o, "jsonl", j);
	json_object_object_add(o, "syslog", s);
	json_object_object_add(o, "dropped", json_object_new_int64((int64_t)GET(st.dropped)));
	return o;
}

void export_metrics(FILE *f)
{
	fprintf(f, "# HELP crsd_events_exported_total Events written to an export sink.\n"
		"# TYPE crsd_events_exported_total counter\n"
		"crsd_events_exported_total{sink=\"jsonl\"} %llu\n"
		"crsd_events_exported_total{sink=\"syslog\"} %llu\n"
		"# HELP crsd_events_export_failed_total Events an export sink failed to take.\n"
		"# TYPE crsd_events_export_failed_total counter\n"
		"crsd_events_export_failed_total{sink=\"jsonl\"} %llu\n"
		"# HELP crsd_events_export_dropped_total Events not exported: the queue was full.\n"
		"# TYPE crsd_events_export_dropped_total counter\n"
		"crsd_events_export_dropped_total %llu\n",
		(unsigned long long)GET(st.jsonl_exported), (unsigned long long)GET(st.syslog_sent),
		(unsigned long long)GET(st.jsonl_failed), (unsigned long long)GET(st.dropped));
}
