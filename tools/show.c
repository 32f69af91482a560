// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crs-tool show | status: what the kernel holds.
 */
#include <inttypes.h>
#include <string.h>
#include <json-c/json.h>
#include "crs-tool.h"

const char show_help[] =
	"Usage: crs-tool show [--cgroup PATH | --cgroup-id ID] [--json]\n"
	"\n"
	"Print every loaded table, or the one of a cgroup, as crs.ko holds it:\n"
	"\n"
	"  cgroup ID: policy \"NAME\" (generation G)\n"
	"    mode: MODE [container override: MODE]\n"
	"    log: deny,allow,...\n"
	"    defaults: file=ACTION execute=ACTION network=... listener=... syscall=...\n"
	"    decisions: allowed N, denied N, monitored N, by default N\n"
	"    learning: on|off (policy|container override), STATE, R of M records, D dropped\n"
	"    rules: N\n"
	"      INDEX  TYPE  ACTION  ACCESS  enabled|disabled  program=P  path=P  hits=N  name=\"N\"\n"
	"      INDEX  syscall  ACTION  -  enabled|disabled  program=P  syscall=NAME (x86_64 N, i386 N)\n"
	"             args: arg0 eq 16, ...  hits=N  name=\"N\"\n"
	"      INDEX  network  ACTION  outbound|inbound  enabled|disabled  program=P\n"
	"             PROTOCOL ADDRESS port PORTS  hits=N  name=\"N\"\n"
	"      INDEX  listener  ACTION  -  enabled|disabled  program=P  PROTOCOL ADDRESS port PORTS ...\n"
	"\n"
	"Decisions count allowed accesses, enforced denials, would-be denials let\n"
	"through in monitor mode, and decisions made by a default action.\n"
	"With --json, print a JSON array of tables (one object per table, with\n"
	"\"rules\" as an array) instead.\n";

const char status_help[] =
	"Usage: crs-tool status [--json]\n"
	"\n"
	"Print crs.ko's version and ABI, its limits, the number of tables, the\n"
	"module-wide counters (hook calls, decisions, events sent, dropped and\n"
	"unheard, path errors, program cache) and its probes with their missed\n"
	"counts, then the syscall probes: how many syscalls and dispatchers\n"
	"(allowlists) are probed now, their missed count, and per syscall the\n"
	"tables naming it and the entry points probed, and learning: the learned\n"
	"sets, the records they reserve of the module's total, and observations\n"
	"dropped. With --json, print them as a JSON object.\n";

static struct rule_view view_of(const struct crs_rule_info *r)
{
	struct rule_view v = {
		.index = r->index, .name = r->name, .type = r->type, .action = r->action,
		.enabled = r->flags & CRS_RULE_F_ENABLED, .program = r->program,
		.path = r->path, .access = r->access, .hits = &r->hits,
		.syscall = r->syscall, .nr = r->syscall_nr, .nr32 = r->syscall_nr32,
		.args = r->args, .n_args = r->n_args,
		.direction = r->direction, .protocol = r->protocol, .address = &r->address,
		.port_min = r->port_min, .port_max = r->port_max,
	};

	return v;
}

static const char *mode_str(int m, char *buf, size_t len)
{
	const char *n = crs_mode_name(m);

	if (n)
		return n;
	snprintf(buf, len, "%d", m);
	return buf;
}

/* The learned set's header, or null without one. */
static struct json_object *learning_json(const struct crs_table_info *t)
{
	const struct crs_learn_info *li = &t->learn;
	struct json_object *o;

	if (!t->has_learn)
		return NULL;
	o = json_object_new_object();
	if (!o)
		return NULL;
	json_object_object_add(o, "state", json_object_new_string(crs_learn_state_name(li->state)
								   ?: "?"));
	json_object_object_add(o, "epoch", json_object_new_uint64(li->epoch));
	json_object_object_add(o, "generation", json_object_new_uint64(li->generation));
	json_object_object_add(o, "records", json_object_new_uint64(li->records));
	json_object_object_add(o, "max", json_object_new_uint64(li->max));
	json_object_object_add(o, "bytes", json_object_new_uint64(li->bytes));
	json_object_object_add(o, "dropped_full", json_object_new_uint64(li->dropped_full));
	json_object_object_add(o, "dropped_long", json_object_new_uint64(li->dropped_long));
	return o;
}

static struct json_object *table_json(const struct crs_table_info *t)
{
	struct json_object *o = json_object_new_object(), *hits, *rules;
	char b[64];
	uint32_t i;

	if (!o)
		return NULL;
	json_object_object_add(o, "cgroup_id", json_object_new_uint64(t->cgroup_id));
	json_object_object_add(o, "generation", json_object_new_uint64(t->generation));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "mode", json_object_new_string(mode_str(t->mode, b, sizeof(b))));
	json_object_object_add(o, "container_mode",
			       json_object_new_string(mode_str(t->container_mode, b, sizeof(b))));
	json_object_object_add(o, "log", json_object_new_string(crs_log_str(t->container_log, b, sizeof(b))));
	json_object_object_add(o, "defaults", defaults_json(t->defaults));
	json_object_object_add(o, "flags", json_object_new_int64(t->flags));
	hits = json_object_new_object();
	if (hits) {
		json_object_object_add(hits, "allowed", json_object_new_uint64(t->allowed));
		json_object_object_add(hits, "denied", json_object_new_uint64(t->denied));
		json_object_object_add(hits, "monitored", json_object_new_uint64(t->monitored));
		json_object_object_add(hits, "default", json_object_new_uint64(t->by_default));
	}
	json_object_object_add(o, "decisions", hits);
	json_object_object_add(o, "learn", json_object_new_string(crs_learn_name(t->container_learn)
								  ?: "?"));
	json_object_object_add(o, "learning", learning_json(t));
	json_object_object_add(o, "nrules", json_object_new_int64(t->nrules));
	rules = json_object_new_array();
	for (i = 0; rules && i < t->nrules; i++) {
		struct rule_view v = view_of(&t->rules[i]);

		json_object_array_add(rules, rule_view_json(&v));
	}
	json_object_object_add(o, "rules", rules);
	return o;
}

static void print_table(const struct crs_table_info *t)
{
	char name[4 * CRS_NAME_MAX + 8], b[64];
	uint32_t i;

	printf("cgroup %" PRIu64 ": policy \"%s\" (generation %" PRIu64 ")\n",
	       t->cgroup_id, printable(t->name, name, sizeof(name)), t->generation);
	printf("  mode: %s", mode_str(t->mode, b, sizeof(b)));
	if (t->container_mode != CRS_MODE_POLICY)
		printf(" [container override: %s]", mode_str(t->container_mode, b, sizeof(b)));
	printf("\n  log: %s\n  defaults: ", crs_log_str(t->container_log, b, sizeof(b)));
	print_defaults(t->defaults);
	printf("  decisions: allowed %" PRIu64 ", denied %" PRIu64 ", monitored %" PRIu64
	       ", by default %" PRIu64 "\n", t->allowed, t->denied, t->monitored, t->by_default);
	printf("  learning: ");
	print_learning(t->container_learn, t->flags & CRS_TABLE_F_LEARN, &t->learn, t->has_learn);
	printf("  rules: %u\n", t->nrules);
	for (i = 0; i < t->nrules; i++) {
		struct rule_view v = view_of(&t->rules[i]);

		print_rule_line(&v);
	}
}

int show_main(int argc, char **argv)
{
	struct common_opts o = { .want_cgroup = true };
	struct crs_table_info *t = NULL;
	struct json_object *a;
	struct crs_nl *nl;
	struct crs_err err;
	uint64_t id = 0;
	size_t n = 0, i;
	int r, first;

	r = parse_options("show", argc, argv, &o, &first);
	if (r >= 0)
		return r;
	if (argc != first)
		return usage_error("show", "unexpected argument '%s'", argv[first]);
	if (o.cgroup_path || o.cgroup_id_str) {
		r = resolve_cgroup("show", &o, &id);
		if (r >= 0)
			return r;
	}
	r = open_kernel(&nl);
	if (r >= 0)
		return r;
	if (crs_nl_get_tables(nl, id, &t, &n, &err)) {
		crs_nl_close(nl);
		return kernel_failed(&err);
	}
	crs_nl_close(nl);
	if (o.json) {
		a = json_object_new_array();
		for (i = 0; a && i < n; i++)
			json_object_array_add(a, table_json(&t[i]));
		r = print_json(a);
	} else {
		for (i = 0; i < n; i++) {
			if (i)
				putchar('\n');
			print_table(&t[i]);
		}
		r = fflush(stdout) ? EXIT_FAILED : EXIT_OK;
	}
	crs_table_info_free(t, n);
	return r;
}

static struct json_object *status_json(const struct crs_status *st)
{
	struct json_object *o = json_object_new_object(), *probes, *p;
	size_t i;

	if (!o)
		return NULL;
#define U64(k, v) json_object_object_add(o, k, json_object_new_uint64(v))
	json_object_object_add(o, "version", json_object_new_string(st->version));
	U64("abi", st->abi);
	U64("tool_abi", CRS_ABI_VERSION);
	U64("tables", st->tables);
	U64("max_tables", st->max_tables);
	U64("max_rules", st->max_rules);
	U64("max_glob_rules", st->max_glob_rules);
	U64("pattern_max", st->pattern_max);
	U64("hook_calls", st->hook_calls);
	U64("policed", st->policed);
	U64("allowed", st->allowed);
	U64("denied", st->denied);
	U64("monitored", st->monitored);
	U64("events_sent", st->events_sent);
	U64("events_dropped", st->events_dropped);
	U64("events_no_listener", st->events_no_listener);
	U64("path_errors", st->path_errors);
	U64("prog_cache_hits", st->prog_cache_hits);
	U64("prog_cache_misses", st->prog_cache_misses);
	U64("syscall_probes", st->syscall_probes);
	U64("dispatch_probes", st->dispatch_probes);
	U64("syscall_missed", st->syscall_missed);
	U64("learn_sets", st->learn_sets);
	U64("learn_reserved", st->learn_reserved);
	U64("max_learn_total", st->max_learn_total);
	U64("learn_dropped", st->learn_dropped);
	U64("learn_hints_sent", st->learn_hints_sent);
	U64("learn_hints_dropped", st->learn_hints_dropped);
	U64("learn_hinted", st->learn_hinted);
#undef U64
	probes = json_object_new_array();
	for (i = 0; probes && i < st->n_probes; i++) {
		p = json_object_new_object();
		if (!p)
			break;
		json_object_object_add(p, "symbol", json_object_new_string(st->probes[i].symbol));
		json_object_object_add(p, "missed", json_object_new_uint64(st->probes[i].missed));
		json_object_object_add(p, "ftrace", json_object_new_boolean(st->probes[i].ftrace));
		json_object_array_add(probes, p);
	}
	json_object_object_add(o, "probes", probes);
	probes = json_object_new_array();
	for (i = 0; probes && i < st->n_syscalls; i++) {
		p = json_object_new_object();
		if (!p)
			break;
		json_object_object_add(p, "syscall", json_object_new_string(st->syscalls[i].name));
		json_object_object_add(p, "tables", json_object_new_int64(st->syscalls[i].refs));
		json_object_object_add(p, "entries", json_object_new_int64(st->syscalls[i].entries));
		json_object_object_add(p, "missed", json_object_new_uint64(st->syscalls[i].missed));
		json_object_object_add(p, "ftrace", json_object_new_boolean(st->syscalls[i].ftrace));
		json_object_array_add(probes, p);
	}
	json_object_object_add(o, "syscalls", probes);
	json_object_object_add(o, "syscalls_listed", json_object_new_uint64(st->n_syscalls_total));
	return o;
}

static void print_status(const struct crs_status *st)
{
	char v[4 * sizeof(st->version)];
	size_t i;

	printf("crs.ko %s, ABI %u (crs-tool ABI %d)\n",
	       printable(st->version, v, sizeof(v)), st->abi, CRS_ABI_VERSION);
	printf("tables:        %u (at most %u)\n", st->tables, st->max_tables);
	printf("limits:        %u rules per table, %u with a glob path, patterns of %u bytes\n",
	       st->max_rules, st->max_glob_rules, st->pattern_max);
	printf("hooks:         %" PRIu64 " calls, %" PRIu64 " under a table\n",
	       st->hook_calls, st->policed);
	printf("decisions:     %" PRIu64 " allowed, %" PRIu64 " denied, %" PRIu64 " monitored\n",
	       st->allowed, st->denied, st->monitored);
	printf("events:        %" PRIu64 " sent, %" PRIu64 " dropped, %" PRIu64 " without a listener\n",
	       st->events_sent, st->events_dropped, st->events_no_listener);
	printf("path errors:   %" PRIu64 "\n", st->path_errors);
	printf("program cache: %" PRIu64 " hits, %" PRIu64 " misses\n",
	       st->prog_cache_hits, st->prog_cache_misses);
	printf("learning:      %u sets, %u of %u records reserved, %" PRIu64 " dropped; "
	       "hints %" PRIu64 " sent, %" PRIu64 " dropped\n",
	       st->learn_sets, st->learn_reserved, st->max_learn_total, st->learn_dropped,
	       st->learn_hints_sent, st->learn_hints_dropped);
	if (st->n_probes)
		printf("probes:\n");
	for (i = 0; i < st->n_probes; i++)
		printf("  %-32s missed %" PRIu64 "%s\n", st->probes[i].symbol,
		       st->probes[i].missed, st->probes[i].ftrace ? " (ftrace)" : "");
	printf("syscall probes: %u syscalls, %u dispatchers (allowlists), missed %" PRIu64 "\n",
	       st->syscall_probes, st->dispatch_probes, st->syscall_missed);
	for (i = 0; i < st->n_syscalls; i++) {
		char n[4 * sizeof(st->syscalls[i].name)];

		printf("  %-32s tables %u, entry points %u, missed %" PRIu64 "%s\n",
		       printable(st->syscalls[i].name, n, sizeof(n)), st->syscalls[i].refs,
		       st->syscalls[i].entries, st->syscalls[i].missed,
		       st->syscalls[i].ftrace ? " (ftrace)" : "");
	}
	if (st->n_syscalls_total > st->n_syscalls)
		printf("  ... and %zu more\n", st->n_syscalls_total - st->n_syscalls);
}

int status_main(int argc, char **argv)
{
	struct common_opts o = { 0 };
	struct crs_status st;
	struct crs_nl *nl;
	struct crs_err err;
	int r, first;

	r = parse_options("status", argc, argv, &o, &first);
	if (r >= 0)
		return r;
	if (argc != first)
		return usage_error("status", "unexpected argument '%s'", argv[first]);
	r = open_kernel(&nl);
	if (r >= 0)
		return r;
	r = crs_nl_get_status(nl, &st, &err);
	crs_nl_close(nl);
	if (r)
		return kernel_failed(&err);
	if (st.abi != CRS_ABI_VERSION)
		errorf("warning: crs.ko speaks ABI %u, this crs-tool ABI %d", st.abi, CRS_ABI_VERSION);
	if (o.json)
		return print_json(status_json(&st));
	print_status(&st);
	return fflush(stdout) ? EXIT_FAILED : EXIT_OK;
}
