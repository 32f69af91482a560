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

/* "x86_64 101, i386 26" (a "-" for an ABI without the call). */
static const char *syscall_numbers(const struct rule_view *r, char *buf, size_t len)
{
	char a[16] = "-", b[16] = "-";

	if (r->nr != CRS_SYSCALL_NONE)
		snprintf(a, sizeof(a), "%u", r->nr);
	if (r->nr32 != CRS_SYSCALL_NONE)
		snprintf(b, sizeof(b), "%u", r->nr32);
	snprintf(buf, len, "x86_64 %s, i386 %s", a, b);
	return buf;
}

/* "arg0 eq 16": masks in hex, other values in decimal. */
void print_arg(const struct crs_syscall_arg *a)
{
	const char *op = crs_arg_op_name(a->op);

	printf("arg%u ", a->index);
	if (op)
		printf("%s ", op);
	else
		printf("op%u ", (unsigned int)a->op);
	if (a->op == CRS_ARG_MASK_ALL || a->op == CRS_ARG_MASK_ANY)
		printf("0x%llx", (unsigned long long)a->value);
	else
		printf("%llu", (unsigned long long)a->value);
}

static void print_syscall_rule_line(const struct rule_view *r)
{
	char b1[16], b2[16], prog[4 * CRS_PATTERN_MAX + 8], nums[64];
	char name[4 * CRS_NAME_MAX + 8], sc[4 * CRS_SYSCALL_NAME_MAX + 8];
	int pk = crs_pattern_check(r->program, strlen(r->program), NULL);
	size_t i;

	printf("  %5u  %-8s  %-5s  %-10s  %-8s  program=%s",
	       r->index, or_number(crs_rule_type_name(r->type), r->type, b1, sizeof(b1)),
	       or_number(crs_action_name(r->action), r->action, b2, sizeof(b2)), "-",
	       r->enabled ? "enabled" : "disabled",
	       printable(r->program, prog, sizeof(prog)));
	if (r->show_kinds && pk >= 0)
		printf(" (%s)", crs_pattern_kind_name(pk));
	printf("  syscall=%s (%s)", printable(r->syscall ? r->syscall : "", sc, sizeof(sc)),
	       syscall_numbers(r, nums, sizeof(nums)));
	for (i = 0; r->args && i < r->n_args && i < CRS_MAX_ARGS; i++) {
		fputs(i ? ", " : "  args: ", stdout);
		print_arg(&r->args[i]);
	}
	if (r->hits)
		printf("  hits=%llu", (unsigned long long)*r->hits);
	if (r->name && r->name[0])
		printf("  name=\"%s\"", printable(r->name, name, sizeof(name)));
	putchar('\n');
}

const char *port_range_str(uint16_t lo, uint16_t hi, char *buf, size_t len)
{
	if (lo == 0 && hi == 65535)
		snprintf(buf, len, "*");
	else if (lo == hi)
		snprintf(buf, len, "%u", lo);
	else
		snprintf(buf, len, "%u-%u", lo, hi);
	return buf;
}

/*
 * INDEX network ACTION DIRECTION enabled program=P  PROTOCOL ADDRESS port PORTS
 * (a listener rule has "-" for the direction; its address is the local one).
 */
static void print_net_rule_line(const struct rule_view *r)
{
	char b1[16], b2[16], b3[16], b4[16], ports[16], addr[64];
	char prog[4 * CRS_PATTERN_MAX + 8], name[4 * CRS_NAME_MAX + 8];
	int pk = crs_pattern_check(r->program, strlen(r->program), NULL);
	struct crs_net_addr any = { 0 };

	printf("  %5u  %-8s  %-5s  %-10s  %-8s  program=%s",
	       r->index, or_number(crs_rule_type_name(r->type), r->type, b1, sizeof(b1)),
	       or_number(crs_action_name(r->action), r->action, b2, sizeof(b2)),
	       r->type == CRS_RULE_NETWORK
	       ? or_number(crs_direction_name(r->direction), r->direction, b3, sizeof(b3)) : "-",
	       r->enabled ? "enabled" : "disabled",
	       printable(r->program, prog, sizeof(prog)));
	if (r->show_kinds && pk >= 0)
		printf(" (%s)", crs_pattern_kind_name(pk));
	printf("  %s %s port %s",
	       or_number(crs_proto_name(r->protocol), r->protocol, b4, sizeof(b4)),
	       crs_net_addr_str(r->address ? r->address : &any, addr, sizeof(addr)),
	       port_range_str(r->port_min, r->port_max, ports, sizeof(ports)));
	if (r->hits)
		printf("  hits=%llu", (unsigned long long)*r->hits);
	if (r->name && r->name[0])
		printf("  name=\"%s\"", printable(r->name, name, sizeof(name)));
	putchar('\n');
}

void print_rule_line(const struct rule_view *r)
{
	char b1[16], b2[16], acc[64], prog[4 * CRS_PATTERN_MAX + 8], path[4 * CRS_PATTERN_MAX + 8];
	char name[4 * CRS_NAME_MAX + 8];
	int pk, ok;

	if (r->type == CRS_RULE_SYSCALL) {
		print_syscall_rule_line(r);
		return;
	}
	if (r->type == CRS_RULE_NETWORK || r->type == CRS_RULE_LISTENER) {
		print_net_rule_line(r);
		return;
	}
	pk = crs_pattern_check(r->program, strlen(r->program), NULL);
	ok = crs_pattern_check(r->path, strlen(r->path), NULL);
	printf("  %5u  %-8s  %-5s  %-10s  %-8s  program=%s",
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
	if (r->type == CRS_RULE_NETWORK || r->type == CRS_RULE_LISTENER) {
		struct crs_net_addr any = { 0 };
		char addr[64], ports[16];

		if (r->type == CRS_RULE_NETWORK)
			json_object_object_add(o, "direction", enum_json(crs_direction_name(r->direction),
									 r->direction));
		json_object_object_add(o, "protocol", enum_json(crs_proto_name(r->protocol),
								r->protocol));
		json_object_object_add(o, "address", json_object_new_string(
			crs_net_addr_str(r->address ? r->address : &any, addr, sizeof(addr))));
		/* as in policies: a number for one port, else "N-M" or "*" */
		if (r->port_min == r->port_max)
			json_object_object_add(o, "port", json_object_new_int64(r->port_min));
		else
			json_object_object_add(o, "port", json_object_new_string(
				port_range_str(r->port_min, r->port_max, ports, sizeof(ports))));
		if (r->hits)
			json_object_object_add(o, "hits", json_object_new_uint64(*r->hits));
		return o;
	}
	if (r->type == CRS_RULE_SYSCALL) {
		struct json_object *args = json_object_new_array(), *a;
		size_t i;

		json_object_object_add(o, "syscall", r->syscall ? json_object_new_string(r->syscall) : NULL);
		json_object_object_add(o, "syscall_nr", r->nr == CRS_SYSCALL_NONE ? NULL :
				       json_object_new_int64(r->nr));
		json_object_object_add(o, "syscall_nr32", r->nr32 == CRS_SYSCALL_NONE ? NULL :
				       json_object_new_int64(r->nr32));
		for (i = 0; args && r->args && i < r->n_args && i < CRS_MAX_ARGS; i++) {
			a = json_object_new_object();
			if (!a)
				break;
			json_object_object_add(a, "index", json_object_new_int64(r->args[i].index));
			json_object_object_add(a, "op", enum_json(crs_arg_op_name(r->args[i].op),
								  r->args[i].op));
			json_object_object_add(a, "value", json_object_new_uint64(r->args[i].value));
			json_object_array_add(args, a);
		}
		json_object_object_add(o, "args", args);
		if (r->hits)
			json_object_object_add(o, "hits", json_object_new_uint64(*r->hits));
		return o;
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
