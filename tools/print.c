// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crs-tool: the one-line human form and the JSON form of a rule, shared by
 * "show" (rules as the kernel holds them) and "check" (as it would get them).
 */
#include <string.h>
#include <json-c/json.h>
#include "crs-tool.h"

static const char *or_number(const char *name, unsigned int v, char *buf, size_t len)
{
	if (name)
		return name;
	snprintf(buf, len, "%u", v);
	return buf;
}

void print_rule_line(const struct rule_view *r)
{
	char b1[16], b2[16], acc[64], prog[4 * CRS_PATTERN_MAX + 8], path[4 * CRS_PATTERN_MAX + 8];
	char name[4 * CRS_NAME_MAX + 8];
	int pk = crs_pattern_check(r->program, strlen(r->program), NULL);
	int ok = crs_pattern_check(r->path, strlen(r->path), NULL);

	printf("  %5u  %-7s  %-5s  %-10s  %-8s  program=%s",
	       r->index, or_number(crs_rule_type_name(r->type), r->type, b1, sizeof(b1)),
	       or_number(crs_action_name(r->action), r->action, b2, sizeof(b2)),
	       crs_access_str(r->access, acc, sizeof(acc)),
	       r->enabled ? "enabled" : "disabled",
	       printable(r->program, prog, sizeof(prog)));
	if (r->show_kinds && pk >= 0)
		printf(" (%s)", crs_pattern_kind_name(pk));
	printf("  path=%s", printable(r->path, path, sizeof(path)));
	if (r->show_kinds && ok >= 0)
		printf(" (%s)", crs_pattern_kind_name(ok));
	if (r->hits)
		printf("  hits=%llu", (unsigned long long)*r->hits);
	if (r->name && r->name[0])
		printf("  name=\"%s\"", printable(r->name, name, sizeof(name)));
	putchar('\n');
}

static struct json_object *enum_json(const char *name, unsigned int v)
{
	return name ? json_object_new_string(name) : json_object_new_int64(v);
}

struct json_object *rule_view_json(const struct rule_view *r)
{
	struct json_object *o = json_object_new_object();
	char acc[64];
	int k;

	if (!o)
		return NULL;
	json_object_object_add(o, "index", json_object_new_int64(r->index));
	json_object_object_add(o, "name", r->name && r->name[0] ? json_object_new_string(r->name) : NULL);
	json_object_object_add(o, "type", enum_json(crs_rule_type_name(r->type), r->type));
	json_object_object_add(o, "action", enum_json(crs_action_name(r->action), r->action));
	json_object_object_add(o, "enabled", json_object_new_boolean(r->enabled));
	json_object_object_add(o, "program", json_object_new_string(r->program));
	if (r->show_kinds) {
		k = crs_pattern_check(r->program, strlen(r->program), NULL);
		json_object_object_add(o, "program_kind", k >= 0 ?
				       json_object_new_string(crs_pattern_kind_name(k)) : NULL);
	}
	json_object_object_add(o, "path", json_object_new_string(r->path));
	if (r->show_kinds) {
		k = crs_pattern_check(r->path, strlen(r->path), NULL);
		json_object_object_add(o, "path_kind", k >= 0 ?
				       json_object_new_string(crs_pattern_kind_name(k)) : NULL);
	}
	json_object_object_add(o, "access", json_object_new_string(crs_access_str(r->access, acc, sizeof(acc))));
	if (r->hits)
		json_object_object_add(o, "hits", json_object_new_uint64(*r->hits));
	return o;
}

struct json_object *defaults_json(const enum crs_action *defaults)
{
	struct json_object *o = json_object_new_object();
	int t;

	for (t = 0; o && t <= CRS_RULE_TYPE_MAX; t++)
		json_object_object_add(o, crs_rule_type_name(t),
				       enum_json(crs_action_name(defaults[t]), defaults[t]));
	return o;
}

void print_defaults(const enum crs_action *defaults)
{
	char b[16];
	int t;

	for (t = 0; t <= CRS_RULE_TYPE_MAX; t++)
		printf("%s%s=%s", t ? " " : "", crs_rule_type_name(t),
		       or_number(crs_action_name(defaults[t]), defaults[t], b, sizeof(b)));
	putchar('\n');
}
