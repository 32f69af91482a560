// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * GET /api/v1/events: stored events, oldest first, filtered by container,
 * image, policy, type (rule type), action, since/until (RFC 3339 UTC or
 * Unix seconds; since inclusive, until exclusive), at most limit (1..1000,
 * default 100) after cursor (the seq of the last event already seen).
 * Events reach the store from the kernel link (not built yet; see
 * docs/crsd.md); retention is pruned by main.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "crsd.h"

#define LIMIT_DEFAULT	100
#define LIMIT_MAX	1000

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

struct collect {
	struct json_object *a;
	int64_t last;
};

static void cb(int64_t seq, const char *json, void *arg)
{
	struct collect *c = arg;
	struct json_object *o = json_tokener_parse(json);

	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
	}
	json_object_object_add(o, "seq", json_object_new_int64(seq));
	json_object_array_add(c->a, o);
	c->last = seq;
}

int api_events(struct crsd_req *r, struct crsd_resp *out)
{
	static const char *const names[] = { "container", "image", "policy", "type", "action" };
	char bufs[5][512], tbuf[64];
	const char **dst[5];
	struct crsd_event_filter f = { .limit = LIMIT_DEFAULT };
	struct collect c = { .a = json_object_new_array() };
	struct json_object *o;
	const char *v, *field;
	bool bad = false;
	size_t i;
	char *end;

	dst[0] = &f.container;
	dst[1] = &f.image;
	dst[2] = &f.policy;
	dst[3] = &f.type;
	dst[4] = &f.action;
	for (i = 0; i < 5; i++) {
		*dst[i] = crsd_query(r, names[i], bufs[i], sizeof(bufs[i]), &bad);
		if (bad)
			goto bad_arg;
	}
	if (f.type && strcmp(f.type, "file") && strcmp(f.type, "execute") &&
	    strcmp(f.type, "network") && strcmp(f.type, "listener") && strcmp(f.type, "syscall")) {
		i = 3;
		goto bad_arg;
	}
	if (f.action && strcmp(f.action, "allow") && strcmp(f.action, "deny")) {
		i = 4;
		goto bad_arg;
	}
	field = "since";
	v = crsd_query(r, "since", tbuf, sizeof(tbuf), &bad);
	if (bad || (v && (f.since = parse_time(v)) < 0))
		goto bad_field;
	field = "until";
	v = crsd_query(r, "until", tbuf, sizeof(tbuf), &bad);
	if (bad || (v && (f.until = parse_time(v)) < 0))
		goto bad_field;
	field = "limit";
	v = crsd_query(r, "limit", tbuf, sizeof(tbuf), &bad);
	if (v) {
		long l = strtol(v, &end, 10);

		if (*end || end == v || l < 1 || l > LIMIT_MAX)
			goto bad_field;
		f.limit = (int)l;
	}
	field = "cursor";
	v = crsd_query(r, "cursor", tbuf, sizeof(tbuf), &bad);
	if (v) {
		long long l = strtoll(v, &end, 10);

		if (*end || end == v || l < 0)
			goto bad_field;
		f.cursor = l;
	}
	if (bad) {
		json_object_put(c.a);
		return crsd_resp_error(out, 400, NULL, "malformed query string");
	}
	if (store_events_query(&f, cb, &c)) {
		json_object_put(c.a);
		return crsd_resp_error(out, 500, NULL, "store error");
	}
	o = json_object_new_object();
	json_object_object_add(o, "next_cursor", (int)json_object_array_length(c.a) == f.limit ?
			       json_object_new_int64(c.last) : NULL);
	json_object_object_add(o, "events", c.a);
	return crsd_resp_json(out, 200, o);
bad_arg:
	field = names[i];
bad_field:
	json_object_put(c.a);
	return crsd_resp_error(out, 400, field, "%s: bad value (%s)", field,
			       !strcmp(field, "limit") ? "1..1000" :
			       !strcmp(field, "cursor") ? "a next_cursor value" :
			       !strcmp(field, "since") || !strcmp(field, "until") ?
			       "RFC 3339 UTC or Unix seconds" : "see docs/crsd.md");
}
