// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * /api/v1/images: which policy each image reference gets.
 *   GET    /api/v1/images                   every assignment
 *   GET    /api/v1/images/{image}/policy    one
 *   PUT    /api/v1/images/{image}/policy    {"policy": "ID"}
 *   DELETE /api/v1/images/{image}/policy
 * {image} is an OCI reference, raw ("docker.io/library/nginx:1.25") or
 * percent-encoded; it is decoded once here and must then be a valid
 * reference (the grammar of the OCI distribution spec, checked in imageref.c).
 * References are normalized as docker does, so that what a user assigns and
 * what a runtime reports meet: no registry -> docker.io, a single docker.io
 * component -> library/NAME, index.docker.io -> docker.io, no tag and no
 * digest -> :latest. "nginx" is "docker.io/library/nginx:latest".
 * Every change to the assignments rewrites the instrumented-images file
 * (instrumented.c) that crsd-hook reads when crsd is down.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "crsd.h"

/* Decoded, checked, normalized image from the raw path; on failure out holds the 400. */
bool crsd_image_arg(const char *raw, char *img, size_t len, struct crsd_resp *out)
{
	char dec[1024];
	const char *why;

	if (crsd_pct_decode(raw, strlen(raw), dec, sizeof(dec)) < 0) {
		crsd_resp_error(out, 400, "image", "image: malformed or too long");
		return false;
	}
	why = crsd_image_normalize(dec, img, len);
	if (why) {
		crsd_resp_error(out, 400, "image", "image: %s", why);
		return false;
	}
	return true;
}

static struct json_object *assignment(const char *image, const char *policy_id,
				      const char *policy_name, int64_t assigned)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "image", json_object_new_string(image));
	json_object_object_add(o, "policy", json_object_new_string(policy_id));
	if (policy_name)
		json_object_object_add(o, "policy_name", json_object_new_string(policy_name));
	json_object_object_add(o, "assigned", crsd_json_time(assigned));
	return o;
}

static void list_cb(const char *image, const char *policy_id, const char *policy_name,
		    int64_t assigned, void *arg)
{
	json_object_array_add(arg, assignment(image, policy_id, policy_name, assigned));
}

int api_images_list(struct crsd_req *r, struct crsd_resp *out)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array();

	if (store_image_list(list_cb, a)) {
		json_object_put(a);
		json_object_put(o);
		return crsd_resp_error(out, 500, NULL, "store error");
	}
	json_object_object_add(o, "images", a);
	return crsd_resp_json(out, 200, o);
}

static int put(struct crsd_req *r, struct crsd_resp *out, const char *img)
{
	struct json_object *body = crsd_parse_body(r, out), *v = NULL;
	char policy[CRSD_ID_MAX + 1];
	bool created = false;
	int64_t assigned = 0;
	int ret;

	if (!body)
		return out->status;
	json_object_object_foreach(body, key, val) {
		(void)val;
		if (strcmp(key, "policy")) {
			crsd_resp_error(out, 400, key, "%s: unknown field", key);
			json_object_put(body);	/* key lives in body */
			return out->status;
		}
	}
	if (!json_object_object_get_ex(body, "policy", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		json_object_put(body);
		return crsd_resp_error(out, 400, "policy", "policy: expected a policy id (string)");
	}
	snprintf(policy, sizeof(policy), "%s", json_object_get_string(v));
	if (!crsd_id_valid(json_object_get_string(v), false)) {
		json_object_put(body);
		return crsd_resp_error(out, 400, "policy", "policy: malformed id");
	}
	json_object_put(body);
	ret = store_image_set(img, policy, &created);
	if (ret == -ENOENT)
		return crsd_resp_error(out, 400, "policy", "policy: no policy %s", policy);
	if (ret)
		return crsd_resp_error(out, 500, NULL, "store error (%s)", strerror(-ret));
	instrumented_write();
	store_image_get(img, policy, sizeof(policy), &assigned);
	return crsd_resp_json(out, created ? 201 : 200, assignment(img, policy, NULL, assigned));
}

int api_images(struct crsd_req *r, struct crsd_resp *out, const char *raw_image)
{
	char img[1024], policy[CRSD_ID_MAX + 1];
	int64_t assigned;
	int ret;

	if (strcmp(r->method, "GET") && strcmp(r->method, "PUT") && strcmp(r->method, "DELETE"))
		return crsd_method_not_allowed(out, "GET, PUT, DELETE");
	if (!crsd_image_arg(raw_image, img, sizeof(img), out))
		return out->status;
	if (!strcmp(r->method, "PUT"))
		return put(r, out, img);
	if (!strcmp(r->method, "GET")) {
		ret = store_image_get(img, policy, sizeof(policy), &assigned);
		if (ret == -ENOENT)
			return crsd_resp_error(out, 404, NULL, "image %s has no policy", img);
		if (ret)
			return crsd_resp_error(out, 500, NULL, "store error");
		return crsd_resp_json(out, 200, assignment(img, policy, NULL, assigned));
	}
	ret = store_image_delete(img);
	if (ret == -ENOENT)
		return crsd_resp_error(out, 404, NULL, "image %s has no policy", img);
	if (ret)
		return crsd_resp_error(out, 500, NULL, "store error");
	instrumented_write();
	out->body = strdup("");
	out->status = 204;
	return 204;
}
