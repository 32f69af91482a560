// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crs-tool load | unload | check: policies onto and off cgroups.
 */
#include <errno.h>
#include <string.h>
#include <json-c/json.h>
#include "crs-tool.h"

const char load_help[] =
	"Usage: crs-tool load (--cgroup PATH | --cgroup-id ID) POLICY.json\n"
	"\n"
	"Validate POLICY.json (\"-\" reads standard input) and load it as the table\n"
	"of the cgroup v2 directory PATH: it applies to the cgroup's tasks and to\n"
	"those of every descendant cgroup without a table of its own. A table\n"
	"already there is replaced atomically; on any error it stays in force.\n"
	"Prints nothing on success.\n"
	"\n"
	"Exit status: 0 loaded; 1 the kernel refused (its reason is printed);\n"
	"2 usage error; 3 the policy is invalid (the field is named);\n"
	"4 crs.ko is not loaded.\n";

const char unload_help[] =
	"Usage: crs-tool unload (--cgroup PATH | --cgroup-id ID)\n"
	"\n"
	"Remove the table of a cgroup (and its container overrides): its tasks\n"
	"fall back to the nearest ancestor with a table, or to no checks.\n"
	"--cgroup-id also reaches tables of cgroups that no longer exist.\n";

const char check_help[] =
	"Usage: crs-tool check [--json] POLICY.json\n"
	"\n"
	"Validate POLICY.json without the kernel and print the table as crs.ko\n"
	"would receive it: a header (name, mode, defaults), then one line per\n"
	"rule, in policy order:\n"
	"\n"
	"  INDEX  TYPE  ACTION  ACCESS  enabled|disabled  program=P (kind)  path=P (kind)  name=\"N\"\n"
	"  INDEX  syscall  ACTION  -  enabled|disabled  program=P (kind)  syscall=NAME (x86_64 N, i386 N)\n"
	"         args: arg0 eq 16, arg2 mask_any 0x1000  name=\"N\"\n"
	"  INDEX  network  ACTION  outbound|inbound  enabled|disabled  program=P (kind)\n"
	"         PROTOCOL ADDRESS port PORTS  name=\"N\"\n"
	"  INDEX  listener  ACTION  -  enabled|disabled  program=P (kind)  PROTOCOL ADDRESS port PORTS\n"
	"\n"
	"Addresses and ports are in their canonical form (\"*\", 10.0.0.0/8, 2001:db8::1;\n"
	"443, 1000-2000, *). The kind of a pattern is any, glob, subtree or exact (docs/policy.md).\n"
	"With --json, print that table as a JSON object instead.\n"
	"\n"
	"Exit status: 0 valid; 2 usage error; 3 invalid (the field is named).\n";

static const char *policy_path(const char *arg)
{
	return strcmp(arg, "-") ? arg : "/dev/stdin";
}

/* Policy file -> *p; an exit code on failure (EXIT_POLICY if it is invalid). */
static int read_policy(const char *arg, struct crs_policy **p)
{
	const char *path = policy_path(arg);
	struct crs_err err;
	int r;

	r = crs_policy_parse_file(path, p, &err);
	if (!r)
		return -1;
	if (r == -EINVAL || r == -E2BIG || r == -EFBIG) {
		if (!strncmp(err.msg, path, strlen(path)))
			errorf("%s", err.msg);
		else
			errorf("%s: %s", strcmp(arg, "-") ? arg : "(stdin)", err.msg);
		return EXIT_POLICY;
	}
	errorf("%s", err.msg);	/* cannot open/read: names the file */
	return EXIT_FAILED;
}

int load_main(int argc, char **argv)
{
	struct common_opts o = { .want_cgroup = true };
	struct crs_policy *p = NULL;
	struct crs_nl *nl = NULL;
	struct crs_err err;
	uint64_t id;
	int r, first;

	r = parse_options("load", argc, argv, &o, &first);
	if (r >= 0)
		return r;
	if (argc - first != 1)
		return usage_error("load", argc - first ? "one policy file, please"
						      : "no policy file given");
	r = read_policy(argv[first], &p);
	if (r >= 0)
		return r;
	r = resolve_cgroup("load", &o, &id);
	if (r < 0)
		r = open_kernel(&nl);
	if (r < 0) {
		r = EXIT_OK;
		if (crs_nl_set_table(nl, id, p, &err))
			r = kernel_failed(&err);
	}
	crs_nl_close(nl);
	crs_policy_free(p);
	return r;
}

int unload_main(int argc, char **argv)
{
	struct common_opts o = { .want_cgroup = true };
	struct crs_nl *nl;
	struct crs_err err;
	uint64_t id;
	int r, first;

	r = parse_options("unload", argc, argv, &o, &first);
	if (r >= 0)
		return r;
	if (argc != first)
		return usage_error("unload", "unexpected argument '%s'", argv[first]);
	r = resolve_cgroup("unload", &o, &id);
	if (r >= 0)
		return r;
	r = open_kernel(&nl);
	if (r >= 0)
		return r;
	r = EXIT_OK;
	if (crs_nl_del_table(nl, id, &err))
		r = kernel_failed(&err);
	crs_nl_close(nl);
	return r;
}

static struct rule_view view_of(const struct crs_policy_rule *r, uint32_t index)
{
	struct rule_view v = {
		.index = index, .name = r->name, .type = r->type, .action = r->action,
		.enabled = r->enabled, .program = r->program ? r->program : "*",
		.path = r->path ? r->path : "", .access = r->access, .show_kinds = true,
		.syscall = r->syscall, .nr = r->syscall_nr, .nr32 = r->syscall_nr32,
		.args = r->args, .n_args = r->n_args,
		.direction = r->direction, .protocol = r->protocol, .address = &r->address,
		.port_min = r->port_min, .port_max = r->port_max,
	};

	return v;
}

static int check_json(const struct crs_policy *p)
{
	struct json_object *o = json_object_new_object(), *rules, *sys;
	size_t i;

	if (!o)
		return print_json(NULL);
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "description",
			       p->description ? json_object_new_string(p->description) : NULL);
	json_object_object_add(o, "mode", json_object_new_string(crs_mode_name(p->mode)));
	json_object_object_add(o, "learning", json_object_new_boolean(p->learning));
	json_object_object_add(o, "defaults", defaults_json(p->defaults));
	sys = json_object_new_array();
	for (i = 0; sys && i < p->n_ignored_syscalls; i++)
		json_object_array_add(sys, json_object_new_string(p->ignored_syscalls[i]));
	json_object_object_add(o, "ignored_syscalls", sys);
	rules = json_object_new_array();
	for (i = 0; rules && i < p->n_rules; i++) {
		struct rule_view v = view_of(&p->rules[i], i);

		json_object_array_add(rules, rule_view_json(&v));
	}
	json_object_object_add(o, "rules", rules);
	return print_json(o);
}

int check_main(int argc, char **argv)
{
	struct common_opts o = { 0 };
	struct crs_policy *p = NULL;
	char name[4 * CRS_NAME_MAX + 8];
	int r, first;
	size_t i;

	r = parse_options("check", argc, argv, &o, &first);
	if (r >= 0)
		return r;
	if (argc - first != 1)
		return usage_error("check", argc - first ? "one policy file, please"
						       : "no policy file given");
	r = read_policy(argv[first], &p);
	if (r >= 0)
		return r;
	if (o.json) {
		r = check_json(p);
	} else {
		printf("policy \"%s\": mode %s%s, %zu rule%s\n",
		       printable(p->name, name, sizeof(name)), crs_mode_name(p->mode),
		       p->learning ? ", learning" : "", p->n_rules, p->n_rules == 1 ? "" : "s");
		printf("defaults: ");
		print_defaults(p->defaults);
		if (p->n_ignored_syscalls) {
			printf("ignored syscalls:");
			for (i = 0; i < p->n_ignored_syscalls; i++)
				printf(" %s", p->ignored_syscalls[i]);
			putchar('\n');
		}
		for (i = 0; i < p->n_rules; i++) {
			struct rule_view v = view_of(&p->rules[i], i);

			print_rule_line(&v);
		}
		r = fflush(stdout) ? EXIT_FAILED : EXIT_OK;
	}
	crs_policy_free(p);
	return r;
}
