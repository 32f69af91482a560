// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Events, as stored (kernel.c feeds them in):
 *   GET /api/v1/events         a page, oldest first, filtered by container,
 *       image, policy, type (rule type), action, since/until (RFC 3339 UTC
 *       or Unix seconds; since inclusive, until exclusive), at most limit
 *       (1..1000, default 100) after cursor (the seq of the last one seen).
 *   GET /api/v1/events/stream  the same filters (but limit), as a live
 *       Server-Sent Events stream: "id: SEQ", "event: event", "data: JSON"
 *       per event, a ": keepalive" comment every 15 s. It starts after
 *       cursor or the Last-Event-ID header, else at the newest event.
 * A stream runs in its connection's thread (libmicrohttpd thread per
 * connection), woken by crsd_events_notify() or every 500 ms (which also
 * catches events another process wrote).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "crsd.h"

#define LIMIT_DEFAULT	100
#define LIMIT_MAX	1000
#define STREAMS_MAX	16
#define STREAM_BATCH	100
#define KEEPALIVE_NS	(15 * 1000000000LL)

struct filter_bufs {
	char s[5][512];
	char image[CRSD_IMAGE_MAX + 1];	/* normalized */
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;
static pthread_once_t cv_once = PTHREAD_ONCE_INIT;
static uint64_t generation;
static bool stopping;
static int n_streams;

static void cv_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&cv, &a);
	pthread_condattr_destroy(&a);
}

void crsd_events_notify(void)
{
	pthread_once(&cv_once, cv_init);
	pthread_mutex_lock(&mu);
	generation++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

void crsd_events_shutdown(void)
{
	pthread_once(&cv_once, cv_init);
	pthread_mutex_lock(&mu);
	stopping = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
}

/* "2024-05-01T12:00:00Z", "...:00.5Z", or Unix seconds -> ns; -1 if bad. */
static int64_t parse_time(const char *s)
{
	struct tm tm = { 0 };
	const char *p;
	char *end;
	int64_t ns = 0, scale = 100000000;
	long long secs;
	time_t t;

	if (!*s)
		return -1;
	secs = strtoll(s, &end, 10);
	if (!*end && secs >= 0 && secs < 9000000000LL)
		return (int64_t)secs * 1000000000;
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			ns += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (strcmp(p, "Z"))
		return -1;
	t = timegm(&tm);
	if (t < 0)
		return -1;
	return (int64_t)t * 1000000000 + ns;
}

/* Query arguments -> *f (strings in b); on failure out holds the 400. */
static int parse_filter(struct crsd_req *r, struct crsd_resp *out, struct crsd_event_filter *f,
			struct filter_bufs *b, bool stream)
{
	static const char *const names[] = { "container", "image", "policy", "type", "action" };
	const char **dst[5] = { &f->container, &f->image, &f->policy, &f->type, &f->action };
	const char *v, *field, *hint = "see docs/crsd.md";
	char tbuf[64], *end;
	bool bad = false;
	size_t i;

	memset(f, 0, sizeof(*f));
	f->limit = stream ? STREAM_BATCH : LIMIT_DEFAULT;
	for (i = 0; i < 5; i++) {
		field = names[i];
		*dst[i] = crsd_query(r, names[i], b->s[i], sizeof(b->s[i]), &bad);
		if (bad)
			goto bad;
	}
	field = "image";
	if (f->image) {
		if (crsd_image_normalize(f->image, b->image, sizeof(b->image)))
			goto bad;
		f->image = b->image;
	}
	field = "type";
	if (f->type && strcmp(f->type, "file") && strcmp(f->type, "execute") &&
	    strcmp(f->type, "network") && strcmp(f->type, "listener") &&
	    strcmp(f->type, "syscall"))
		goto bad;
	field = "action";
	if (f->action && strcmp(f->action, "allow") && strcmp(f->action, "deny"))
		goto bad;
	hint = "RFC 3339 UTC or Unix seconds";
	field = "since";
	v = crsd_query(r, "since", tbuf, sizeof(tbuf), &bad);
	if (bad || (v && (f->since = parse_time(v)) < 0))
		goto bad;
	field = "until";
	v = crsd_query(r, "until", tbuf, sizeof(tbuf), &bad);
	if (bad || (v && (f->until = parse_time(v)) < 0))
		goto bad;
	hint = "1..1000";
	field = "limit";
	v = crsd_query(r, "limit", tbuf, sizeof(tbuf), &bad);
	if (bad || (v && stream))
		goto bad;
	if (v) {
		long l = strtol(v, &end, 10);

		if (*end || end == v || l < 1 || l > LIMIT_MAX)
			goto bad;
		f->limit = (int)l;
	}
	hint = "a seq";
	field = "cursor";
	v = crsd_query(r, "cursor", tbuf, sizeof(tbuf), &bad);
	if (!v && stream)
		v = crsd_header(r, "Last-Event-ID");
	if (bad)
		goto bad;
	if (v) {
		long long l = strtoll(v, &end, 10);

		if (*end || end == v || l < 0)
			goto bad;
		f->cursor = l;
	} else if (stream) {
		f->cursor = store_events_max_seq();
	}
	return 0;
bad:
	if (stream && !strcmp(field, "limit"))
		hint = "not for a stream";
	return crsd_resp_error(out, 400, field, "%s: bad value (%s)", field, hint);
}

/* A stored event as one JSON line with its seq; NULL if it is not an object. */
static struct json_object *event_obj(int64_t seq, const char *json)
{
	struct json_object *o = json_tokener_parse(json);

	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
	}
	json_object_object_add(o, "seq", json_object_new_int64(seq));
	return o;
}

struct collect {
	struct json_object *a;
	int64_t last;
};

static void collect_cb(int64_t seq, const char *json, void *arg)
{
	struct collect *c = arg;

	json_object_array_add(c->a, event_obj(seq, json));
	c->last = seq;
}

static int query(struct crsd_req *r, struct crsd_resp *out)
{
	struct crsd_event_filter f;
	struct filter_bufs b;
	struct collect c = { 0 };
	struct json_object *o;

	if (parse_filter(r, out, &f, &b, false))
		return out->status;
	c.a = json_object_new_array();
	if (store_events_query(&f, collect_cb, &c)) {
		json_object_put(c.a);
		return crsd_resp_error(out, 500, NULL, "store error");
	}
	o = json_object_new_object();
	json_object_object_add(o, "next_cursor", (int)json_object_array_length(c.a) == f.limit ?
			       json_object_new_int64(c.last) : NULL);
	json_object_object_add(o, "events", c.a);
	return crsd_resp_json(out, 200, o);
}

/* ------------------------------------------------------------- streams */

struct crsd_stream {
	struct crsd_event_filter f;
	struct filter_bufs b;
	char *pending;
	size_t len, off;
	int64_t last_out;	/* CLOCK_MONOTONIC ns of the last bytes sent */
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct sse {
	FILE *f;
	int64_t last;
};

static void sse_cb(int64_t seq, const char *json, void *arg)
{
	struct sse *s = arg;
	struct json_object *o = event_obj(seq, json);

	fprintf(s->f, "id: %lld\nevent: event\ndata: %s\n\n", (long long)seq,
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	s->last = seq;
}

/* Fill st->pending with the next events (or a keepalive); false to end. */
static bool refill(struct crsd_stream *st)
{
	for (;;) {
		struct sse s = { 0 };
		struct timespec until;
		uint64_t gen;
		int64_t t;

		pthread_mutex_lock(&mu);
		gen = generation;
		if (stopping) {
			pthread_mutex_unlock(&mu);
			return false;
		}
		pthread_mutex_unlock(&mu);

		free(st->pending);
		st->pending = NULL;
		st->len = st->off = 0;
		s.f = open_memstream(&st->pending, &st->len);
		if (!s.f)
			return false;
		s.last = st->f.cursor;
		if (store_events_query(&st->f, sse_cb, &s)) {
			fclose(s.f);
			return false;
		}
		if (s.last == st->f.cursor && mono_ns() - st->last_out >= KEEPALIVE_NS)
			fputs(": keepalive\n\n", s.f);
		if (fclose(s.f))
			return false;
		st->f.cursor = s.last;
		if (st->len)
			return true;

		/* Nothing yet: wait for a notification, at most 500 ms. */
		t = mono_ns() + 500000000;
		until.tv_sec = t / 1000000000;
		until.tv_nsec = t % 1000000000;
		pthread_mutex_lock(&mu);
		while (generation == gen && !stopping &&
		       pthread_cond_timedwait(&cv, &mu, &until) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&mu);
	}
}

ssize_t crsd_stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct crsd_stream *st = cls;
	size_t n;

	if (st->off == st->len && !refill(st))
		return -1;	/* MHD_CONTENT_READER_END_OF_STREAM */
	n = st->len - st->off;
	if (n > max)
		n = max;
	memcpy(buf, st->pending + st->off, n);
	st->off += n;
	st->last_out = mono_ns();
	return (ssize_t)n;
}

void crsd_stream_free(void *cls)
{
	struct crsd_stream *st = cls;

	free(st->pending);
	free(st);
	pthread_mutex_lock(&mu);
	n_streams--;
	pthread_mutex_unlock(&mu);
}

static int stream(struct crsd_req *r, struct crsd_resp *out)
{
	struct crsd_stream *st = calloc(1, sizeof(*st));
	bool full;

	pthread_once(&cv_once, cv_init);
	if (!st)
		return crsd_resp_error(out, 500, NULL, "out of memory");
	if (parse_filter(r, out, &st->f, &st->b, true)) {
		free(st);
		return out->status;
	}
	pthread_mutex_lock(&mu);
	full = n_streams >= STREAMS_MAX || stopping;
	if (!full)
		n_streams++;
	pthread_mutex_unlock(&mu);
	if (full) {
		free(st);
		return crsd_resp_error(out, 503, NULL, "too many event streams (at most %d)",
				       STREAMS_MAX);
	}
	/* A first byte at once, so that clients see the stream is open. */
	st->pending = strdup(": crsd event stream\n\n");
	st->len = st->pending ? strlen(st->pending) : 0;
	st->last_out = mono_ns();
	out->stream = st;
	out->status = 200;
	out->ctype = "text/event-stream";
	return 200;
}

int api_events(struct crsd_req *r, struct crsd_resp *out, bool is_stream)
{
	if (strcmp(r->method, "GET"))
		return crsd_method_not_allowed(out, "GET");
	return is_stream ? stream(r, out) : query(r, out);
}
