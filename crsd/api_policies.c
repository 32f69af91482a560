// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /api/v1/policies: create, list, get, replace, merge-patch, delete.
 * Every document is parsed and validated by libcrsnl (crs_policy_parse,
 * exactly what crs-tool check does) and stored in its canonical form
 * (crs_policy_to_json). Ids are server-assigned: "p" and 9 characters of
 * [a-z0-9]. Names are unique. Revisions count from 1; ETag is "REV" and
 * If-Match on PUT, PATCH and DELETE guards against lost updates.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "crsd.h"

bool crsd_id_valid(const char *s, bool upper)
{
	size_t i, n = strlen(s);

	if (!n || n > CRSD_ID_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    (upper && c >= 'A' && c <= 'Z'))
			continue;
		if (i && (c == '_' || c == '-' || c == '.'))
			continue;
		return false;
	}
	return true;
}

static struct json_object *policy_doc(const char *json)
{
	struct json_object *o = json_tokener_parse(json);

	return o ? o : json_object_new_object();
}

/* full: with the document; else the list's summary (store_policy_list). */
static struct json_object *policy_obj(const struct crsd_policy_row *row, bool full)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(row->id));
	json_object_object_add(o, "name", json_object_new_string(row->name));
	json_object_object_add(o, "revision", json_object_new_int64(row->revision));
	json_object_object_add(o, "created", crsd_json_time(row->created));
	json_object_object_add(o, "updated", crsd_json_time(row->updated));
	/* made from a profile that dropped observations: enforce needs force=true */
	json_object_object_add(o, "incomplete", json_object_new_boolean(row->incomplete));
	if (full) {
		json_object_object_add(o, "policy", policy_doc(row->json));
	} else {
		struct json_object *sum = policy_doc(row->summary), *v;
		static const char *const keys[] = { "mode", "rules", "rule_types" };
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (json_object_object_get_ex(sum, keys[i], &v))
				json_object_object_add(o, keys[i], json_object_get(v));
		json_object_put(sum);
	}
	return o;
}

static int reply_row(struct crsd_resp *out, int status, const struct crsd_policy_row *row)
{
	snprintf(out->etag, sizeof(out->etag), "\"%lld\"", (long long)row->revision);
	return crsd_resp_json(out, status, policy_obj(row, true));
}

static void list_cb(const struct crsd_policy_row *row, void *arg)
{
	json_object_array_add(arg, policy_obj(row, false));
}

/* If-Match: "3", W/"3", 3 -> 3; "*" or absent -> 0; anything else -> -1. */
static int64_t if_match(struct crsd_req *r)
{
	const char *h = crsd_header(r, "If-Match");
	char *end;
	long long v;

	if (!h || !strcmp(h, "*"))
		return 0;
	if (!strncmp(h, "W/", 2))
		h += 2;
	if (*h == '"')
		h++;
	v = strtoll(h, &end, 10);
	if (end == h || v <= 0 || (*end && strcmp(end, "\"")))
		return -1;
	return v;
}

/* ?force=: true/1, false/0 or absent; -1 (400 in out) otherwise. */
int crsd_force_arg(struct crsd_req *r, struct crsd_resp *out)
{
	char buf[16];
	bool bad = false;
	const char *f = crsd_query(r, "force", buf, sizeof(buf), &bad);

	if (!bad && (!f || !strcmp(f, "false") || !strcmp(f, "0")))
		return 0;
	if (!bad && (!strcmp(f, "true") || !strcmp(f, "1")))
		return 1;
	crsd_resp_error(out, 400, "force", "force: expected true or false");
	return -1;
}

/* The incomplete gate's 409 (docs/learning.md "Incomplete and force"). */
int crsd_incomplete_error(struct crsd_resp *out, const char *id, int64_t dropped)
{
	return crsd_resp_error(out, 409, "mode", "policy %s was generated from a profile that "
			       "dropped %lld observations; add force=true to enforce it",
			       id, (long long)dropped);
}

/* Body -> validated policy -> canonical JSON; on failure out holds the 400. */
static char *canonical(const char *text, size_t len, struct crsd_resp *out, char **name,
		       bool *enforce)
{
	struct crs_policy *p = NULL;
	struct crs_err err;
	char *json;

	if (!text || !len) {
		crsd_resp_error(out, 400, NULL, "request body: expected a policy (JSON object)");
		return NULL;
	}
	if (crs_policy_parse(text, len, &p, &err)) {
		crsd_resp_crs_err(out, 400, &err);
		return NULL;
	}
	json = crs_policy_to_json(p, false);
	*name = strdup(p->name);
	if (enforce)
		*enforce = p->mode == CRS_MODE_ENFORCE;
	crs_policy_free(p);
	if (!json || !*name) {
		free(json);
		free(*name);
		crsd_resp_error(out, 500, NULL, "out of memory");
		return NULL;
	}
	return json;
}

static int store_error(struct crsd_resp *out, int r, const char *id, const char *name)
{
	switch (r) {
	case -ENOENT:
		return crsd_resp_error(out, 404, NULL, "no policy %s", id);
	case -EEXIST:
		return crsd_resp_error(out, 409, "name", "a policy named \"%s\" exists", name);
	case -ESTALE:
		return crsd_resp_error(out, 412, NULL,
				       "policy %s has changed (If-Match does not match)", id);
	default:
		return crsd_resp_error(out, 500, NULL, "store error (%s)", strerror(-r));
	}
}

static int create(struct crsd_req *r, struct crsd_resp *out)
{
	struct crsd_policy_row row = { 0 };
	char *name = NULL, *json = canonical(r->body, r->len, out, &name, NULL);
	int ret;

	if (!json)
		return out->status;
	ret = store_policy_create(name, json, 0, &row);
	if (ret) {
		store_error(out, ret, "", name);
	} else {
		snprintf(out->location, sizeof(out->location), "/api/v1/policies/%s", row.id);
		reply_row(out, 201, &row);
	}
	store_policy_row_free(&row);
	free(json);
	free(name);
	return out->status;
}

static int update(struct crsd_req *r, struct crsd_resp *out, const char *id, bool patch)
{
	struct crsd_policy_row row = { 0 }, cur = { 0 };
	struct crsd_policy_write w = { 0 };
	char *name = NULL, *json = NULL;
	int64_t rev = if_match(r);
	int ret, force = crsd_force_arg(r, out);

	if (force < 0)
		return out->status;
	w.force = force;
	if (rev < 0)
		return crsd_resp_error(out, 412, NULL, "If-Match: expected a revision, \"N\"");
	if (patch) {
		struct json_object *p = crsd_parse_body(r, out), *doc;
		const char *merged;

		if (!p)
			return out->status;
		ret = store_policy_get(id, &cur);
		if (ret) {
			json_object_put(p);
			return store_error(out, ret, id, "");
		}
		if (rev && rev != cur.revision) {
			json_object_put(p);
			store_policy_row_free(&cur);
			return store_error(out, -ESTALE, id, "");
		}
		/* The write below succeeds only if nobody changed it meanwhile. */
		rev = cur.revision;
		doc = crsd_merge_patch(policy_doc(cur.json), p);
		json_object_put(p);
		merged = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
		json = canonical(merged, strlen(merged), out, &name, &w.enforce);
		json_object_put(doc);
		store_policy_row_free(&cur);
	} else {
		json = canonical(r->body, r->len, out, &name, &w.enforce);
	}
	if (!json)
		return out->status;
	ret = store_policy_update(id, name, json, rev, &w, &row);
	if (ret == -EACCES)
		crsd_incomplete_error(out, id, row.incomplete_dropped);
	else if (ret == -ESTALE && patch && !if_match(r))
		crsd_resp_error(out, 409, NULL, "policy %s changed during the patch; retry", id);
	else if (ret)
		store_error(out, ret, id, name);
	else
		reply_row(out, 200, &row);
	store_policy_row_free(&row);
	free(json);
	free(name);
	return out->status;
}

struct json_object *crsd_policy_obj(const struct crsd_policy_row *row)
{
	return policy_obj(row, true);
}

int64_t crsd_if_match(struct crsd_req *r)
{
	return if_match(r);
}

static int delete(struct crsd_req *r, struct crsd_resp *out, const char *id)
{
	char buf[16];
	bool bad = false, force = false;
	const char *f = crsd_query(r, "force", buf, sizeof(buf), &bad);
	int64_t rev = if_match(r);
	int n_img = 0, n_ctr = 0, ret;

	if (f) {
		if (!strcmp(f, "true") || !strcmp(f, "1"))
			force = true;
		else if (strcmp(f, "false") && strcmp(f, "0"))
			bad = true;
	}
	if (bad)
		return crsd_resp_error(out, 400, "force", "force: expected true or false");
	if (rev < 0)
		return crsd_resp_error(out, 412, NULL, "If-Match: expected a revision, \"N\"");
	ret = store_policy_delete(id, force, rev, &n_img, &n_ctr);
	if (ret == -EBUSY) {
		struct json_object *o = json_object_new_object();
		char msg[256];

		snprintf(msg, sizeof(msg),
			 "policy %s is in use (%d image(s), %d container(s)); "
			 "unassign it or delete with ?force=true", id, n_img, n_ctr);
		json_object_object_add(o, "error", json_object_new_string(msg));
		json_object_object_add(o, "images", json_object_new_int(n_img));
		json_object_object_add(o, "containers", json_object_new_int(n_ctr));
		return crsd_resp_json(out, 409, o);
	}
	if (ret)
		return store_error(out, ret, id, "");
	if (n_img)	/* forced: its assignments went with it */
		instrumented_write();
	out->status = 204;
	out->body = strdup("");
	return 204;
}

int api_policies(struct crsd_req *r, struct crsd_resp *out, char **seg, int nseg)
{
	const char *m = r->method;

	if (nseg == 0) {
		if (!strcmp(m, "GET")) {
			struct json_object *o = json_object_new_object();
			struct json_object *a = json_object_new_array();

			if (store_policy_list(list_cb, a)) {
				json_object_put(a);
				json_object_put(o);
				return crsd_resp_error(out, 500, NULL, "store error");
			}
			json_object_object_add(o, "policies", a);
			return crsd_resp_json(out, 200, o);
		}
		if (!strcmp(m, "POST"))
			return create(r, out);
		return crsd_method_not_allowed(out, "GET, POST");
	}
	if (!crsd_id_valid(seg[0], false))
		return crsd_resp_error(out, 404, NULL, "no policy %s", "(malformed id)");
	if (nseg == 1) {
		if (!strcmp(m, "GET")) {
			struct crsd_policy_row row = { 0 };
			int ret = store_policy_get(seg[0], &row);

			if (ret)
				return store_error(out, ret, seg[0], "");
			reply_row(out, 200, &row);
			store_policy_row_free(&row);
			return 200;
		}
		if (!strcmp(m, "PUT"))
			return update(r, out, seg[0], false);
		if (!strcmp(m, "PATCH"))
			return update(r, out, seg[0], true);
		if (!strcmp(m, "DELETE"))
			return delete(r, out, seg[0]);
		return crsd_method_not_allowed(out, "GET, PUT, PATCH, DELETE");
	}
	if (nseg == 2 && !strcmp(seg[1], "containers")) {
		if (strcmp(m, "GET"))
			return crsd_method_not_allowed(out, "GET");
		return api_policy_containers(r, out, seg[0]);
	}
	return crsd_resp_error(out, 404, NULL, "no such resource");
}
