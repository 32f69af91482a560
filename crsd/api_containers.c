// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /api/v1/containers, store side: the containers crsd knows of (registered
 * by the OCI hook: POST /api/v1/containers), the policy each gets through
 * its image, and per-container overrides of mode, log mask and passive.
 * Nothing here talks to the kernel: reconcile.c applies what is stored, and
 * "kernel" in a container object says how that went.
 *
 * Effective mode: "none" if the image has no policy ("monitor" when the
 * container learns: it gets the learning-only table); else the override's
 * mode, or the policy's; and a passive container, or one whose policy is
 * incomplete (made from a profile that dropped observations), never
 * enforces (enforce becomes monitor).
 *
 * Learning: the override ("learning": true|false|null), else the policy's
 * "learning". Making an incomplete policy enforce through an override
 * needs ?force=true (which clears the policy's flag).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "crsd.h"

static const char *policy_mode(const char *json, char *buf, size_t len)
{
	struct json_object *o = json ? json_tokener_parse(json) : NULL, *m;

	snprintf(buf, len, "none");
	if (o && json_object_object_get_ex(o, "mode", &m))
		snprintf(buf, len, "%s", json_object_get_string(m));
	json_object_put(o);
	return buf;
}

bool crsd_learning(const struct crsd_container_row *c)
{
	struct json_object *o, *v;
	bool on = false;

	if (c->ov.has_learning)
		return c->ov.learning;
	o = c->policy_json ? json_tokener_parse(c->policy_json) : NULL;
	if (o && json_object_object_get_ex(o, "learning", &v))
		on = json_object_get_boolean(v);
	json_object_put(o);
	return on;
}

const char *crsd_base_mode(const struct crsd_container_row *c)
{
	static __thread char buf[16];

	if (!c->policy_json)
		return c->ov.has_learning && c->ov.learning ? "monitor" : "none";
	return c->ov.has_mode ? c->ov.mode : policy_mode(c->policy_json, buf, sizeof(buf));
}

const char *crsd_effective_mode(const struct crsd_container_row *c)
{
	const char *m = crsd_base_mode(c);

	if (((c->ov.has_passive && c->ov.passive) || c->policy_incomplete) &&
	    !strcmp(m, "enforce"))
		return "monitor";
	return m;
}

static struct json_object *log_array(uint32_t log)
{
	static const struct { uint32_t bit; const char *name; } bits[] = {
		{ CRS_LOG_DENY, "deny" }, { CRS_LOG_ALLOW, "allow" },
		{ CRS_LOG_ALERT, "alert" }, { CRS_LOG_BEHAVIOR, "behavior" },
	};
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (log & bits[i].bit)
			json_object_array_add(a, json_object_new_string(bits[i].name));
	return a;
}

static struct json_object *overrides_obj(const struct crsd_override *ov)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "mode", ov->has_mode ? json_object_new_string(ov->mode) : NULL);
	json_object_object_add(o, "log", ov->has_log ? log_array(ov->log) : NULL);
	json_object_object_add(o, "passive",
			       ov->has_passive ? json_object_new_boolean(ov->passive) : NULL);
	json_object_object_add(o, "learning",
			       ov->has_learning ? json_object_new_boolean(ov->learning) : NULL);
	return o;
}

static struct json_object *container_obj(const struct crsd_container_row *c)
{
	struct json_object *o = json_object_new_object();
	char buf[16];

	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "image", json_object_new_string(c->image));
	json_object_object_add(o, "cgroup", json_object_new_string(c->cgroup));
	json_object_object_add(o, "cgroup_id", json_object_new_int64(c->cgroup_id));
	json_object_object_add(o, "pid", json_object_new_int64(c->pid));
	json_object_object_add(o, "created", crsd_json_time(c->created));
	json_object_object_add(o, "policy", c->policy_id[0] ?
			       json_object_new_string(c->policy_id) : NULL);
	json_object_object_add(o, "policy_mode", json_object_new_string(
				       policy_mode(c->policy_json, buf, sizeof(buf))));
	json_object_object_add(o, "effective_mode",
			       json_object_new_string(crsd_effective_mode(c)));
	json_object_object_add(o, "log", log_array(c->ov.has_log ? c->ov.log : CRS_LOG_DEFAULT));
	json_object_object_add(o, "passive",
			       json_object_new_boolean(c->ov.has_passive && c->ov.passive));
	json_object_object_add(o, "overrides", overrides_obj(&c->ov));
	json_object_object_add(o, "learning", learn_container_json(c->id, crsd_learning(c)));
	json_object_object_add(o, "kernel", reconcile_container_json(c->id));
	return o;
}

static void list_cb(const struct crsd_container_row *row, void *arg)
{
	json_object_array_add(arg, container_obj(row));
}

static int list(struct crsd_resp *out, const char *policy_id)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	if (store_container_list(policy_id, list_cb, a)) {
		json_object_put(a);
		json_object_put(o);
		return crsd_resp_error(out, 500, NULL, "store error");
	}
	json_object_object_add(o, "containers", a);
	return crsd_resp_json(out, 200, o);
}

int api_policy_containers(struct crsd_req *r, struct crsd_resp *out, const char *policy_id)
{
	int ret = store_policy_get(policy_id, NULL);

	if (ret == -ENOENT)
		return crsd_resp_error(out, 404, NULL, "no policy %s", policy_id);
	if (ret)
		return crsd_resp_error(out, 500, NULL, "store error");
	return list(out, policy_id);
}

static int get_one(struct crsd_resp *out, const char *id, int status)
{
	struct crsd_container_row c;
	int ret = store_container_get(id, &c);

	if (ret == -ENOENT)
		return crsd_resp_error(out, 404, NULL, "no container %s", id);
	if (ret)
		return crsd_resp_error(out, 500, NULL, "store error");
	crsd_resp_json(out, status, container_obj(&c));
	store_container_row_free(&c);
	return status;
}

static bool int_field(struct json_object *v, int64_t *out)
{
	if (!v) {
		*out = 0;
		return true;
	}
	if (!json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return *out >= 0;
}

/* The OCI hook: {"id", "image", "cgroup", "cgroup_id"?, "pid"?}. */
static int put_container(struct crsd_req *r, struct crsd_resp *out)
{
	struct json_object *b = crsd_parse_body(r, out), *id = NULL, *img = NULL, *cg = NULL;
	char image[CRSD_IMAGE_MAX + 1];
	int64_t cgid, pid;
	const char *why, *s;
	bool created;
	int ret;

	if (!b)
		return out->status;
	json_object_object_foreach(b, key, val) {
		(void)val;
		if (strcmp(key, "id") && strcmp(key, "image") && strcmp(key, "cgroup") &&
		    strcmp(key, "cgroup_id") && strcmp(key, "pid")) {
			crsd_resp_error(out, 400, key, "%s: unknown field", key);
			goto out;
		}
	}
	if (!json_object_object_get_ex(b, "id", &id) ||
	    !json_object_is_type(id, json_type_string) ||
	    !crsd_id_valid(json_object_get_string(id), true)) {
		crsd_resp_error(out, 400, "id", "id: expected [A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
		goto out;
	}
	if (!json_object_object_get_ex(b, "image", &img) ||
	    !json_object_is_type(img, json_type_string)) {
		crsd_resp_error(out, 400, "image", "image: expected an image reference");
		goto out;
	}
	why = crsd_image_normalize(json_object_get_string(img), image, sizeof(image));
	if (why) {
		crsd_resp_error(out, 400, "image", "image: %s", why);
		goto out;
	}
	if (!json_object_object_get_ex(b, "cgroup", &cg) ||
	    !json_object_is_type(cg, json_type_string)) {
		crsd_resp_error(out, 400, "cgroup", "cgroup: expected an absolute path");
		goto out;
	}
	s = json_object_get_string(cg);
	if (s[0] != '/' || strlen(s) > CRSD_CGROUP_MAX || strstr(s, "/../") ||
	    (strlen(s) >= 3 && !strcmp(s + strlen(s) - 3, "/.."))) {
		crsd_resp_error(out, 400, "cgroup",
				"cgroup: expected an absolute path without \"..\"");
		goto out;
	}
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			crsd_resp_error(out, 400, "cgroup", "cgroup: control character");
			goto out;
		}
	if (!int_field(json_object_object_get(b, "cgroup_id"), &cgid)) {
		crsd_resp_error(out, 400, "cgroup_id",
				"cgroup_id: expected a non-negative integer");
		goto out;
	}
	if (!int_field(json_object_object_get(b, "pid"), &pid) || pid > 0x7fffffff) {
		crsd_resp_error(out, 400, "pid", "pid: expected a non-negative integer");
		goto out;
	}
	/*
	 * Without an id, take the cgroup's own now: events are attributed by
	 * cgroup id. A cgroup that does not exist yet keeps 0 (reconcile
	 * resolves the path when it applies the table).
	 */
	if (!cgid) {
		uint64_t own;

		if (!crs_cgroup_id(json_object_get_string(cg), &own) && own <= INT64_MAX)
			cgid = (int64_t)own;
	}
	ret = store_container_put(json_object_get_string(id), image,
				  json_object_get_string(cg), cgid, pid, &created);
	if (ret) {
		crsd_resp_error(out, 500, NULL, "store error (%s)", strerror(-ret));
		goto out;
	}
	snprintf(out->location, sizeof(out->location), "/api/v1/containers/%s",
		 json_object_get_string(id));
	reconcile_kick();	/* the answer says "pending" until it is applied */
	get_one(out, json_object_get_string(id), created ? 201 : 200);
out:
	json_object_put(b);
	return out->status;
}

/*
 * Overrides body: {"mode": "enforce"|"monitor"|"disabled"|"policy"|null,
 * "log": ["deny", ...] | "deny,alert" | null, "passive": bool|null}.
 * PUT replaces the whole set (absent = not overridden); PATCH changes only
 * the fields given (null removes one). "policy" is the same as null.
 */
/* An override that is true, false or null (not overridden); false with the 400 in out. */
static bool bool_or_null(const char *key, struct json_object *val, bool *has, bool *v,
			 struct crsd_resp *out)
{
	if (val && !json_object_is_type(val, json_type_boolean)) {
		crsd_resp_error(out, 400, key, "%s: expected true, false or null", key);
		return false;
	}
	*has = val != NULL;
	*v = val && json_object_get_boolean(val);
	return true;
}

static int put_overrides(struct crsd_req *r, struct crsd_resp *out, const char *id, bool patch)
{
	struct json_object *b = crsd_parse_body(r, out);
	struct crsd_override ov = { 0 };
	struct crsd_container_row c;
	char policy[CRSD_ID_MAX + 1];
	int64_t dropped;
	bool incomplete;
	int ret, force = crsd_force_arg(r, out);

	if (force < 0 || !b) {
		json_object_put(b);
		return out->status ? out->status : 400;
	}
	ret = store_container_get(id, &c);
	if (ret) {
		json_object_put(b);
		if (ret == -ENOENT)
			return crsd_resp_error(out, 404, NULL, "no container %s", id);
		return crsd_resp_error(out, 500, NULL, "store error");
	}
	if (patch)
		ov = c.ov;
	incomplete = c.policy_incomplete;
	dropped = c.policy_incomplete_dropped;
	snprintf(policy, sizeof(policy), "%s", c.policy_id);
	store_container_row_free(&c);
	json_object_object_foreach(b, key, val) {
		if (!strcmp(key, "mode")) {
			const char *m = val ? json_object_get_string(val) : NULL;

			if (val && !json_object_is_type(val, json_type_string))
				m = "";
			if (!m || !strcmp(m, "policy")) {
				ov.has_mode = false;
			} else if (!strcmp(m, "enforce") || !strcmp(m, "monitor") ||
				   !strcmp(m, "disabled")) {
				ov.has_mode = true;
				snprintf(ov.mode, sizeof(ov.mode), "%s", m);
			} else {
				crsd_resp_error(out, 400, "mode", "mode: must be \"enforce\", "
						"\"monitor\", \"disabled\", \"policy\" or null");
				goto out;
			}
		} else if (!strcmp(key, "log")) {
			uint32_t log = 0, bit;
			size_t i;

			if (!val) {
				ov.has_log = false;
				continue;
			}
			if (json_object_is_type(val, json_type_string)) {
				if (crs_log_parse(json_object_get_string(val), &log))
					goto bad_log;
			} else if (json_object_is_type(val, json_type_array)) {
				for (i = 0; i < json_object_array_length(val); i++) {
					struct json_object *e = json_object_array_get_idx(val, i);

					if (!json_object_is_type(e, json_type_string) ||
					    !*json_object_get_string(e) ||
					    strchr(json_object_get_string(e), ',') ||
					    crs_log_parse(json_object_get_string(e), &bit))
						goto bad_log;
					log |= bit;
				}
			} else {
				goto bad_log;
			}
			ov.has_log = true;
			ov.log = log;
		} else if (!strcmp(key, "passive")) {
			if (!bool_or_null(key, val, &ov.has_passive, &ov.passive, out))
				goto out;
		} else if (!strcmp(key, "learning")) {
			if (!bool_or_null(key, val, &ov.has_learning, &ov.learning, out))
				goto out;
		} else {
			crsd_resp_error(out, 400, key, "%s: unknown field", key);
			goto out;
		}
	}
	/* The incomplete gate: an override that would enforce such a policy. */
	if (incomplete && ov.has_mode && !strcmp(ov.mode, "enforce") &&
	    !(ov.has_passive && ov.passive)) {
		if (!force) {
			crsd_incomplete_error(out, policy, dropped);
			goto out;
		}
		if (store_policy_clear_incomplete(policy)) {
			crsd_resp_error(out, 500, NULL, "store error");
			goto out;
		}
	}
	ret = store_override_set(id, &ov);
	if (ret == -ENOENT) {
		crsd_resp_error(out, 404, NULL, "no container %s", id);
	} else if (ret) {
		crsd_resp_error(out, 500, NULL, "store error (%s)", strerror(-ret));
	} else {
		reconcile_kick();	/* the answer says "pending" until it is applied */
		get_one(out, id, 200);
	}
out:
	json_object_put(b);
	return out->status;
bad_log:
	crsd_resp_error(out, 400, "log", "log: expected a list of \"deny\", \"allow\", "
			"\"alert\", \"behavior\" (or \"all\", \"none\", \"default\")");
	json_object_put(b);
	return out->status;
}

int api_containers(struct crsd_req *r, struct crsd_resp *out, char **seg, int nseg)
{
	const char *m = r->method;
	int ret;

	if (nseg == 0) {
		if (!strcmp(m, "GET"))
			return list(out, NULL);
		if (!strcmp(m, "POST"))
			return put_container(r, out);
		return crsd_method_not_allowed(out, "GET, POST");
	}
	if (!crsd_id_valid(seg[0], true))
		return crsd_resp_error(out, 404, NULL, "no container (malformed id)");
	if (nseg == 1) {
		if (!strcmp(m, "GET"))
			return get_one(out, seg[0], 200);
		if (!strcmp(m, "DELETE")) {
			ret = store_container_delete(seg[0]);
			if (ret == -ENOENT)
				return crsd_resp_error(out, 404, NULL, "no container %s", seg[0]);
			if (ret)
				return crsd_resp_error(out, 500, NULL, "store error");
			out->body = strdup("");
			out->status = 204;
			return 204;
		}
		return crsd_method_not_allowed(out, "GET, DELETE");
	}
	if (nseg == 2 && (!strcmp(seg[1], "profile") || !strcmp(seg[1], "policy-template")))
		return api_container_profile(r, out, seg[0], !strcmp(seg[1], "policy-template"));
	if (nseg == 2 && !strcmp(seg[1], "overrides")) {
		if (!strcmp(m, "GET")) {
			struct crsd_container_row c;

			ret = store_container_get(seg[0], &c);
			if (ret == -ENOENT)
				return crsd_resp_error(out, 404, NULL, "no container %s", seg[0]);
			if (ret)
				return crsd_resp_error(out, 500, NULL, "store error");
			crsd_resp_json(out, 200, overrides_obj(&c.ov));
			store_container_row_free(&c);
			return 200;
		}
		if (!strcmp(m, "PUT"))
			return put_overrides(r, out, seg[0], false);
		if (!strcmp(m, "PATCH"))
			return put_overrides(r, out, seg[0], true);
		if (!strcmp(m, "DELETE")) {
			ret = store_override_delete(seg[0]);
			if (ret == -ENOENT)
				return crsd_resp_error(out, 404, NULL, "no container %s", seg[0]);
			if (ret)
				return crsd_resp_error(out, 500, NULL, "store error");
			out->body = strdup("");
			out->status = 204;
			return 204;
		}
		return crsd_method_not_allowed(out, "GET, PUT, PATCH, DELETE");
	}
	return crsd_resp_error(out, 404, NULL, "no such resource");
}
