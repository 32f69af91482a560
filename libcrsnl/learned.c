// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Learned sets in userspace: names, and the profile document (the JSON form
 * of a dump, docs/learning.md "crs-tool").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "crsnl_int.h"

const char *crs_learn_name(uint32_t learn)
{
	switch (learn) {
	case CRS_LEARN_OFF:	return "off";
	case CRS_LEARN_ON:	return "on";
	case CRS_LEARN_POLICY:	return "policy";
	}
	return NULL;
}

int crs_learn_parse(const char *s, uint32_t *out)
{
	static const uint32_t v[] = { CRS_LEARN_OFF, CRS_LEARN_ON, CRS_LEARN_POLICY };
	size_t i;

	for (i = 0; i < CRS_ARRAY_SIZE(v); i++)
		if (s && !strcmp(s, crs_learn_name(v[i]))) {
			*out = v[i];
			return 0;
		}
	return -EINVAL;
}

const char *crs_learn_state_name(enum crs_learn_state s)
{
	static const char *const names[] = {
		[CRS_LEARN_STATE_OFF] = "off",
		[CRS_LEARN_STATE_RECORDING] = "recording",
		[CRS_LEARN_STATE_FULL] = "full",
		[CRS_LEARN_STATE_IDLE] = "idle",
	};

	return (unsigned int)s < CRS_ARRAY_SIZE(names) ? names[s] : NULL;
}

const char *crs_outcome_str(uint32_t outcome, char *buf, size_t len)
{
	const char *s;

	switch (outcome) {
	case 0:					s = "none"; break;
	case CRS_OBS_ALLOWED:			s = "allowed"; break;
	case CRS_OBS_DENIED:			s = "denied"; break;
	case CRS_OBS_ALLOWED | CRS_OBS_DENIED:	s = "allowed,denied"; break;
	default:
		snprintf(buf, len, "0x%x", outcome);
		return buf;
	}
	snprintf(buf, len, "%s", s);
	return buf;
}

void crs_learned_free(struct crs_learned *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->obs[i].program);
		free(l->obs[i].path);
	}
	free(l->obs);
	free(l);
}

/* Names as policies write them: "read", "read,write", "exec"; "allowed,denied". */
static struct json_object *obs_json(const struct crs_observation *o)
{
	struct json_object *j = json_object_new_object();
	const char *type = crs_rule_type_name(o->type);
	char acc[32], out[32];
	int e = 0;

	if (!j)
		return NULL;
	e |= crs_json_add(j, "type", type ? json_object_new_string(type) : json_object_new_int(o->type));
	e |= crs_json_add(j, "program", json_object_new_string(o->program ? o->program : ""));
	e |= crs_json_add(j, "outcome", json_object_new_string(crs_outcome_str(o->outcome, out,
									sizeof(out))));
	e |= crs_json_add(j, "path", json_object_new_string(o->path ? o->path : ""));
	if (o->type == CRS_RULE_FILE)
		e |= crs_json_add(j, "access", json_object_new_string(crs_access_str(o->access, acc,
									   sizeof(acc))));
	if (e) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

char *crs_learned_to_json(const struct crs_learned *l, bool pretty)
{
	struct json_object *root = json_object_new_object(), *d, *arr;
	const char *state = crs_learn_state_name(l->info.state);
	char *s = NULL;
	size_t i;
	int e = 0;

	if (!root)
		return NULL;
	e |= crs_json_add(root, "version", json_object_new_int(1));
	e |= crs_json_add(root, "cgroup_id", json_object_new_uint64(l->cgroup_id));
	e |= crs_json_add(root, "epoch", json_object_new_uint64(l->info.epoch));
	e |= crs_json_add(root, "generation", json_object_new_uint64(l->info.generation));
	e |= crs_json_add(root, "state", state ? json_object_new_string(state)
				      : json_object_new_int(l->info.state));
	e |= crs_json_add(root, "max", json_object_new_uint64(l->info.max));
	e |= crs_json_add(root, "records", json_object_new_uint64(l->info.records));
	d = json_object_new_object();
	e |= crs_json_add(root, "dropped", d);
	if (d) {
		e |= crs_json_add(d, "full", json_object_new_uint64(l->info.dropped_full));
		e |= crs_json_add(d, "long", json_object_new_uint64(l->info.dropped_long));
	}
	e |= crs_json_add(root, "complete", json_object_new_boolean(!l->info.dropped_full &&
							   !l->info.dropped_long));
	arr = json_object_new_array();
	e |= crs_json_add(root, "observations", arr);
	for (i = 0; arr && !e && i < l->n; i++) {
		struct json_object *o = obs_json(&l->obs[i]);

		if (!o || json_object_array_add(arr, o)) {
			json_object_put(o);
			e = -ENOMEM;
		}
	}
	if (!e)
		s = crs_json_string(root, pretty);
	json_object_put(root);
	return s;
}
