// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Learning routes (docs/learning.md section 4, docs/crsd.md):
 *   GET    /api/v1/containers/{id}/profile?limit=&cursor=
 *   DELETE /api/v1/containers/{id}/profile
 *   POST   /api/v1/containers/{id}/policy-template
 *   GET    /api/v1/images/{image}/profile?limit=&cursor=
 *   DELETE /api/v1/images/{image}/profile
 *   POST   /api/v1/images/{image}/policy-template
 * A profile is served as libcrsnl's profile document (crs-tool learned
 * --json) with crsd's keys added. A template assembles the whole profile
 * as that document, parses it (crs_learned_parse) and hands it to
 * crs_template_build(); the policy goes into the store as a new policy or
 * over the merge policy (its revision checked), and the report says what
 * was added. A template from a profile that dropped observations is
 * incomplete: enforce mode needs force=true (the "incomplete gate").
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "crsd.h"

#define LIMIT_DEFAULT	1000
#define LIMIT_MAX	10000
#define SYNC_MS		5000
/* a cursor is a key: type, program and object (two paths at most) */
#define CURSOR_MAX	16384

/* What a profile route works on. */
struct target {
	const char *scope;		/* "container" or "image" */
	const char *key;		/* the container's id or the image */
	struct crsd_container_row c;	/* the container (scope "container") */
	bool has_c;
};

struct obs_page {
	struct json_object *arr;
	char *last;			/* the page's last key */
	bool extra;			/* crsd's keys (key, first_seen, last_seen) */
	int64_t n;
};

/* A stored observation as the profile document has it: access and outcome from the columns. */
static void obs_cb(const struct crsd_obs_row *row, void *arg)
{
	struct obs_page *p = arg;
	struct json_object *o = json_tokener_parse(row->json), *v;
	char buf[64];

	free(p->last);
	p->last = strdup(row->key);
	p->n++;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return;
	}
	if (json_object_object_get_ex(o, "access", &v))
		json_object_object_add(o, "access", json_object_new_string(
					       crs_access_str(row->access, buf, sizeof(buf))));
	json_object_object_add(o, "outcome", json_object_new_string(
				       crs_outcome_str(row->outcome, buf, sizeof(buf))));
	if (p->extra) {
		json_object_object_add(o, "key", json_object_new_string(row->key));
		json_object_object_add(o, "first_seen", crsd_json_time(row->first_seen));
		json_object_object_add(o, "last_seen", crsd_json_time(row->last_seen));
	}
	json_object_array_add(p->arr, o);
}

/*
 * The profile document of t: the header and observations after `after`,
 * at most limit (0: all). p may be NULL (never stored: empty). *count gets
 * the number of observations in the page.
 */
static struct json_object *profile_doc(const struct target *t, const struct crsd_profile *p,
				       const char *after, int64_t limit, bool extra,
				       int64_t *count, char **next)
{
	struct json_object *o = json_object_new_object(), *d = json_object_new_object();
	struct json_object *lj = t->has_c ? learn_container_json(t->key, crsd_learning(&t->c))
					  : NULL, *v;
	struct obs_page page = { .arr = json_object_new_array(), .extra = extra };
	const char *state = "off";
	int64_t max = 0;

	if (lj && json_object_object_get_ex(lj, "state", &v) && v)
		state = json_object_get_string(v);
	if (lj && json_object_object_get_ex(lj, "max", &v) && v)
		max = json_object_get_int64(v);
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "scope", json_object_new_string(t->scope));
	if (t->has_c)
		json_object_object_add(o, "container", json_object_new_string(t->c.id));
	json_object_object_add(o, "image", json_object_new_string(
				       t->has_c ? t->c.image : t->key));
	json_object_object_add(o, "cgroup_id", json_object_new_int64(t->has_c ?
								      t->c.cgroup_id : 0));
	json_object_object_add(o, "epoch", json_object_new_int64(p && p->has_kernel ?
								  p->epoch : 0));
	json_object_object_add(o, "generation", json_object_new_int64(p && p->has_kernel ?
								       p->generation : 0));
	json_object_object_add(o, "state", json_object_new_string(state));
	json_object_object_add(o, "max", json_object_new_int64(max));
	json_object_object_add(o, "records", json_object_new_int64(p ? p->observations : 0));
	json_object_object_add(d, "full", json_object_new_int64(p ? p->dropped - p->dropped_long
								 : 0));
	json_object_object_add(d, "long", json_object_new_int64(p ? p->dropped_long : 0));
	json_object_object_add(o, "dropped", d);
	json_object_object_add(o, "complete", json_object_new_boolean(!p || !p->dropped));
	if (extra) {
		json_object_object_add(o, "learning", lj ? json_object_get(lj) : NULL);
		json_object_object_add(o, "observations_total",
				       json_object_new_int64(p ? p->observations : 0));
		json_object_object_add(o, "updated", p ? crsd_json_time(p->updated) : NULL);
		json_object_object_add(o, "synced", p && p->synced ? crsd_json_time(p->synced)
								  : NULL);
	}
	json_object_put(lj);
	if (p && store_profile_observations(p->id, after, limit ? limit : INT64_MAX, obs_cb,
					    &page)) {
		json_object_put(page.arr);
		json_object_put(o);
		free(page.last);
		return NULL;
	}
	json_object_object_add(o, "observations", page.arr);
	if (count)
		*count = page.n;
	if (next)
		*next = limit && page.n == limit && page.last ? strdup(page.last) : NULL;
	free(page.last);
	return o;
}

/* limit 1 to 10000 (default 1000) and cursor (a key); false with the 400 in out. */
static bool paging(struct crsd_req *r, struct crsd_resp *out, int64_t *limit, char *cursor,
		   size_t clen, bool *has_cursor)
{
	char buf[32];
	bool bad = false;
	const char *s = crsd_query(r, "limit", buf, sizeof(buf), &bad);
	char *end;

	*limit = LIMIT_DEFAULT;
	if (s) {
		long long v = strtoll(s, &end, 10);

		if (!*s || *end || v < 1 || v > LIMIT_MAX)
			bad = true;
		*limit = v;
	}
	if (bad) {
		crsd_resp_error(out, 400, "limit", "limit: expected 1 to %d", LIMIT_MAX);
		return false;
	}
	*has_cursor = crsd_query(r, "cursor", cursor, clen, &bad) != NULL;
	if (bad) {
		crsd_resp_error(out, 400, "cursor", "cursor: malformed");
		return false;
	}
	return true;
}

static int get_profile(struct crsd_req *r, struct crsd_resp *out, const struct target *t)
{
	struct crsd_profile p;
	struct json_object *o;
	char *cursor = malloc(CURSOR_MAX), *next = NULL;
	bool has_cursor = false;
	int64_t limit;
	int ret;

	if (!cursor)
		return crsd_resp_error(out, 500, NULL, "out of memory");
	if (!paging(r, out, &limit, cursor, CURSOR_MAX, &has_cursor)) {
		free(cursor);
		return out->status;
	}
	ret = store_profile_get(t->scope, t->key, &p);
	if (ret == -ENOENT && !t->has_c)
		ret = crsd_resp_error(out, 404, NULL, "image %s has no profile", t->key);
	else if (ret && ret != -ENOENT)
		ret = crsd_resp_error(out, 500, NULL, "store error");
	if (ret > 0) {
		free(cursor);
		return ret;
	}
	o = profile_doc(t, ret ? NULL : &p, has_cursor ? cursor : NULL, limit, true, NULL, &next);
	free(cursor);
	if (!o)
		return crsd_resp_error(out, 500, NULL, "store error");
	json_object_object_add(o, "next_cursor", next ? json_object_new_string(next) : NULL);
	free(next);
	return crsd_resp_json(out, 200, o);
}

static int delete_profile(struct crsd_resp *out, const struct target *t)
{
	int ret;

	if (t->has_c) {
		/* The store's profile now; the kernel's set (DEL_LEARNED) by the learn thread. */
		learn_discard(t->key, (uint64_t)t->c.cgroup_id);
		ret = 0;
	} else {
		ret = store_profile_delete("image", t->key);
	}
	if (ret == -ENOENT)
		return crsd_resp_error(out, 404, NULL, "image %s has no profile", t->key);
	if (ret)
		return crsd_resp_error(out, 500, NULL, "store error");
	out->body = strdup("");
	out->status = 204;
	return 204;
}

/* ------------------------------------------------------------ templates */

struct topts {
	struct crs_template_opts o;
	const char *merge_id;		/* borrowed from the body */
	bool dry_run, force;
};

static int bad(struct crsd_resp *out, const char *field, const char *what)
{
	return crsd_resp_error(out, 400, field, "%s: %s", field, what);
}

static bool get_bool(struct json_object *v, bool *out)
{
	if (!json_object_is_type(v, json_type_boolean))
		return false;
	*out = json_object_get_boolean(v);
	return true;
}

/* "LO-HI", 1 <= LO <= HI <= 65535. */
static bool port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
	unsigned a, b;
	int n = 0;

	if (sscanf(s, "%5u-%5u%n", &a, &b, &n) != 2 || s[n] || !a || a > b || b > 65535)
		return false;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return true;
}

/* The body's options; 0, or the 400 in out. */
static int template_opts(struct json_object *b, struct topts *t, struct crsd_resp *out)
{
	t->o.mode = -1;
	t->o.defaults = CRS_TEMPLATE_DEFAULTS_AUTO;
	if (!b)
		return 0;
	json_object_object_foreach(b, key, val) {
		if (!strcmp(key, "merge_policy_id")) {
			if (!val)
				continue;
			if (!json_object_is_type(val, json_type_string) ||
			    !crsd_id_valid(json_object_get_string(val), false))
				return bad(out, key, "expected a policy id");
			t->merge_id = json_object_get_string(val);
		} else if (!strcmp(key, "name")) {
			const char *s = json_object_get_string(val);

			if (!json_object_is_type(val, json_type_string) || !*s ||
			    strlen(s) > CRS_NAME_MAX)
				return bad(out, key, "expected a name (1 to 128 bytes)");
			t->o.name = s;
		} else if (!strcmp(key, "mode")) {
			enum crs_mode m;

			if (!json_object_is_type(val, json_type_string) ||
			    crs_mode_parse(json_object_get_string(val), &m) || m == CRS_MODE_POLICY)
				return bad(out, key, "expected \"enforce\", \"monitor\" or \"disabled\"");
			t->o.mode = (int)m;
		} else if (!strcmp(key, "defaults")) {
			const char *s = json_object_is_type(val, json_type_string) ?
					json_object_get_string(val) : "";

			if (json_object_is_type(val, json_type_object)) {
				/*
				 * per type: {"file": "deny", "syscall": "keep", ...};
				 * types not named: AUTO (deny new, keep on merge)
				 */
				t->o.defaults = CRS_TEMPLATE_DEFAULTS_AUTO;
				memset(t->o.type_defaults, 0, sizeof(t->o.type_defaults));
				json_object_object_foreach(val, dk, dv) {
					enum crs_rule_type ty;
					const char *a = json_object_is_type(dv, json_type_string) ?
							json_object_get_string(dv) : "";
					char f[64];

					snprintf(f, sizeof(f), "defaults.%s", dk);
					if (crs_rule_type_parse(dk, &ty))
						return crsd_resp_error(out, 400, "defaults", "%s: not a "
								       "rule type", f);
					if (strcmp(a, "deny") && strcmp(a, "keep"))
						return crsd_resp_error(out, 400, "defaults", "%s: expected "
								       "\"deny\" or \"keep\"", f);
					t->o.type_defaults[ty] = !strcmp(a, "keep") ?
								 CRS_TEMPLATE_DEFAULTS_KEEP :
								 CRS_TEMPLATE_DEFAULTS_DENY;
				}
				continue;
			}
			if (!strcmp(s, "deny"))
				t->o.defaults = CRS_TEMPLATE_DEFAULTS_DENY;
			else if (!strcmp(s, "keep"))
				t->o.defaults = CRS_TEMPLATE_DEFAULTS_KEEP;
			else
				return bad(out, key, "expected \"deny\", \"keep\" or per type");
		} else if (!strcmp(key, "include_denied")) {
			if (!get_bool(val, &t->o.include_denied))
				return bad(out, key, "expected true or false");
		} else if (!strcmp(key, "dry_run")) {
			if (!get_bool(val, &t->dry_run))
				return bad(out, key, "expected true or false");
		} else if (!strcmp(key, "force")) {
			if (!get_bool(val, &t->force))
				return bad(out, key, "expected true or false");
		} else if (!strcmp(key, "generalize")) {
			bool on;

			if (get_bool(val, &on)) {
				t->o.exact = !on;
				continue;
			}
			if (!json_object_is_type(val, json_type_object))
				return bad(out, key, "expected false, true or {\"collapse_after\", "
					   "\"ephemeral_ports\"}");
			json_object_object_foreach(val, gk, gv) {
				if (!strcmp(gk, "collapse_after")) {
					int64_t n = json_object_get_int64(gv);

					if (!json_object_is_type(gv, json_type_int) || n < 1 ||
					    n > 1000000)
						return bad(out, "generalize.collapse_after",
							   "expected 1 to 1000000");
					t->o.collapse_after = (uint32_t)n;
				} else if (!strcmp(gk, "ephemeral_ports")) {
					if (!json_object_is_type(gv, json_type_string) ||
					    !port_range(json_object_get_string(gv), &t->o.ephemeral_lo,
							&t->o.ephemeral_hi))
						return bad(out, "generalize.ephemeral_ports",
							   "expected \"LO-HI\" (1 to 65535)");
				} else {
					crsd_resp_error(out, 400, "generalize", "generalize.%s: "
							"unknown field", gk);
					return out->status;
				}
			}
		} else {
			return crsd_resp_error(out, 400, key, "%s: unknown field", key);
		}
	}
	if (t->merge_id && t->o.name)
		return bad(out, "name", "only for a new policy (not with merge_policy_id)");
	return 0;
}

/* The whole profile of t, parsed by libcrsnl; NULL with the error in out. */
static struct crs_learned *load_profile(const struct target *t, const struct crsd_profile *p,
					int64_t *n, struct crsd_resp *out)
{
	struct json_object *doc = profile_doc(t, p, NULL, 0, false, n, NULL);
	struct crs_learned *l = NULL;
	struct crs_err err = { 0 };
	const char *s;

	if (!doc) {
		crsd_resp_error(out, 500, NULL, "store error");
		return NULL;
	}
	s = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	if (crs_learned_parse(s, strlen(s), &l, &err)) {
		/* what the store holds came from libcrsnl: this is crsd's fault */
		crsd_resp_error(out, 500, NULL, "stored profile: %s", err.msg);
		l = NULL;
	}
	json_object_put(doc);
	return l;
}

static int post_template(struct crsd_req *r, struct crsd_resp *out, const struct target *t)
{
	struct json_object *body = NULL, *rep = NULL, *prof;
	struct crsd_policy_row merge = { 0 }, row = { 0 };
	struct crs_policy *mp = NULL;
	struct crs_template *tpl = NULL;
	struct crs_learned *l = NULL;
	struct crs_err err = { 0 };
	struct crsd_profile p;
	struct topts o = { { 0 } };
	int64_t rev = crsd_if_match(r), n_obs = 0, dropped;
	char name[CRS_NAME_MAX + 1], *json = NULL;
	bool synced, have_p, enforce;
	int ret, qforce = crsd_force_arg(r, out);

	if (qforce < 0)
		return out->status;
	if (rev < 0)
		return crsd_resp_error(out, 412, NULL, "If-Match: expected a revision, \"N\"");
	if (r->body && r->len) {
		body = crsd_parse_body(r, out);
		if (!body)
			return out->status;
		if (!json_object_is_type(body, json_type_object)) {
			json_object_put(body);
			return crsd_resp_error(out, 400, NULL, "request body: expected a JSON object");
		}
	}
	if (template_opts(body, &o, out))
		goto done;
	o.force |= qforce;
	if (rev && !o.merge_id) {
		crsd_resp_error(out, 412, NULL, "If-Match applies to merge_policy_id's policy only");
		goto done;
	}
	if (o.merge_id) {
		ret = store_policy_get(o.merge_id, &merge);
		if (ret == -ENOENT) {
			crsd_resp_error(out, 400, "merge_policy_id", "merge_policy_id: no policy %s",
					o.merge_id);
			goto done;
		}
		if (ret) {
			crsd_resp_error(out, 500, NULL, "store error");
			goto done;
		}
		if (rev && rev != merge.revision) {
			crsd_resp_error(out, 412, NULL, "policy %s has changed (If-Match does not "
					"match)", o.merge_id);
			goto done;
		}
		if (crs_policy_parse(merge.json, strlen(merge.json), &mp, &err)) {
			crsd_resp_error(out, 500, NULL, "stored policy %s: %s", o.merge_id, err.msg);
			goto done;
		}
		o.o.merge = mp;
	}
	/* What the kernel holds now, stored first (at most 5 s). */
	synced = learn_sync(SYNC_MS);
	ret = store_profile_get(t->scope, t->key, &p);
	if (ret && ret != -ENOENT) {
		crsd_resp_error(out, 500, NULL, "store error");
		goto done;
	}
	have_p = !ret;
	if (!have_p && !t->has_c) {
		crsd_resp_error(out, 404, NULL, "image %s has no profile", t->key);
		goto done;
	}
	l = load_profile(t, have_p ? &p : NULL, &n_obs, out);
	if (!l)
		goto done;
	if (!o.merge_id && !o.o.name) {
		snprintf(name, sizeof(name), "learned-%s", t->key);
		o.o.name = name;
	}
	ret = crs_template_build(l, &o.o, &tpl, &err);
	if (ret == -EINVAL) {
		crsd_resp_crs_err(out, 400, &err);
		goto done;
	}
	if (ret) {
		crsd_resp_error(out, 500, NULL, "template: %s", err.msg[0] ? err.msg :
				strerror(-ret));
		goto done;
	}
	/* The incomplete gate: this template's profile, or the merge policy's flag. */
	enforce = tpl->policy->mode == CRS_MODE_ENFORCE;
	dropped = tpl->incomplete ? (int64_t)tpl->dropped : merge.incomplete_dropped;
	if (enforce && !o.force && (tpl->incomplete || merge.incomplete)) {
		crsd_incomplete_error(out, o.merge_id ? o.merge_id : tpl->policy->name, dropped);
		goto done;
	}
	json = crs_policy_to_json(tpl->policy, false);
	rep = json_tokener_parse(tpl->report);
	if (!json || !json_object_is_type(rep, json_type_object)) {
		crsd_resp_error(out, 500, NULL, "out of memory");
		goto done;
	}
	if (o.dry_run) {
		json_object_object_add(rep, "policy", json_tokener_parse(json));
		ret = 200;
	} else if (!o.merge_id) {
		ret = store_policy_create(tpl->policy->name, json,
					  tpl->incomplete && !o.force ? (int64_t)tpl->dropped : 0,
					  &row);
		if (ret == -EEXIST) {
			crsd_resp_error(out, 409, "name", "a policy named \"%s\" exists",
					tpl->policy->name);
			goto done;
		}
		if (!ret && tpl->incomplete && o.force)
			fprintf(stderr, "crsd: audit: policy %s: made from a profile that dropped "
				"%llu observations; incomplete flag not set (force=true)\n", row.id,
				(unsigned long long)tpl->dropped);
		snprintf(out->location, sizeof(out->location), "/api/v1/policies/%s", row.id);
		ret = ret ? ret : 201;
	} else {
		struct crsd_policy_write w = {
			.enforce = enforce, .force = o.force,
			.incomplete_dropped = tpl->incomplete && !o.force ? (int64_t)tpl->dropped : 0,
		};

		/* Fails if the policy moved since it was read (If-Match or not). */
		ret = store_policy_update(o.merge_id, tpl->policy->name, json, merge.revision,
					  &w, &row);
		if (ret == -EACCES) {
			crsd_incomplete_error(out, o.merge_id, row.incomplete_dropped);
			goto done;
		}
		if (ret == -ESTALE) {
			if (rev)
				crsd_resp_error(out, 412, NULL, "policy %s has changed (If-Match does "
						"not match)", o.merge_id);
			else
				crsd_resp_error(out, 409, NULL, "policy %s changed during the merge; "
						"retry", o.merge_id);
			goto done;
		}
		if (ret == -EEXIST) {
			crsd_resp_error(out, 409, "name", "a policy named \"%s\" exists",
					tpl->policy->name);
			goto done;
		}
		ret = ret ? ret : 200;
	}
	if (ret < 0) {
		crsd_resp_error(out, 500, NULL, "store error (%s)", strerror(-ret));
		goto done;
	}
	if (!o.dry_run) {
		json_object_object_add(rep, "policy", crsd_policy_obj(&row));
		snprintf(out->etag, sizeof(out->etag), "\"%lld\"", (long long)row.revision);
	}
	json_object_object_add(rep, "created", json_object_new_boolean(!o.dry_run && !o.merge_id));
	json_object_object_add(rep, "merged_into", o.merge_id && !o.dry_run ?
			       json_object_new_string(o.merge_id) : NULL);
	json_object_object_add(rep, "dry_run", json_object_new_boolean(o.dry_run));
	prof = json_object_new_object();
	json_object_object_add(prof, "scope", json_object_new_string(t->scope));
	json_object_object_add(prof, "observations", json_object_new_int64(n_obs));
	json_object_object_add(prof, "synced", json_object_new_boolean(synced));
	json_object_object_add(rep, "profile", prof);
	crsd_resp_json(out, ret, rep);
	rep = NULL;
done:
	json_object_put(rep);
	json_object_put(body);
	free(json);
	crs_template_free(tpl);
	crs_learned_free(l);
	crs_policy_free(mp);
	store_policy_row_free(&merge);
	store_policy_row_free(&row);
	return out->status;
}

/* POST for a template, GET or DELETE for a profile; false with the 405 in out. */
static bool method_ok(struct crsd_req *r, struct crsd_resp *out, bool template)
{
	if (template ? !strcmp(r->method, "POST")
		     : !strcmp(r->method, "GET") || !strcmp(r->method, "DELETE"))
		return true;
	crsd_method_not_allowed(out, template ? "POST" : "GET, DELETE");
	return false;
}

/* The method is checked (method_ok). */
static int dispatch(struct crsd_req *r, struct crsd_resp *out, const struct target *t,
		    bool template)
{
	if (template)
		return post_template(r, out, t);
	if (!strcmp(r->method, "GET"))
		return get_profile(r, out, t);
	return delete_profile(out, t);
}

int api_container_profile(struct crsd_req *r, struct crsd_resp *out, const char *id,
			  bool template)
{
	struct target t = { .scope = "container", .key = id, .has_c = true };
	int ret;

	if (!method_ok(r, out, template))
		return out->status;
	ret = store_container_get(id, &t.c);
	if (ret == -ENOENT)
		return crsd_resp_error(out, 404, NULL, "no container %s", id);
	if (ret)
		return crsd_resp_error(out, 500, NULL, "store error");
	dispatch(r, out, &t, template);
	store_container_row_free(&t.c);
	return out->status;
}

int api_image_profile(struct crsd_req *r, struct crsd_resp *out, const char *raw_image,
		      bool template)
{
	char img[1024];
	struct target t = { .scope = "image", .key = img };

	if (!method_ok(r, out, template))
		return out->status;
	if (!crsd_image_arg(raw_image, img, sizeof(img), out))
		return out->status;
	return dispatch(r, out, &t, template);
}
