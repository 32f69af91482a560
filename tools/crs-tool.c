// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crs-tool: drive crs.ko directly, without crsd.
 *
 * A table of subcommands, each a function taking its own argc/argv (like
 * wg(8)); this file holds the table, the help texts' dispatcher and the
 * helpers the subcommands share.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "crs-tool.h"

#ifndef CRS_VERSION
#define CRS_VERSION "unknown"
#endif

const struct command commands[] = {
	{ "load",   load_main,   "load a policy as a cgroup's table",           load_help },
	{ "unload", unload_main, "remove a cgroup's table",                     unload_help },
	{ "show",   show_main,   "show loaded tables, their rules and counters", show_help },
	{ "mode",   mode_main,   "override a container's mode",                 mode_help },
	{ "log",    log_main,    "choose which decisions raise events",         log_help },
	{ "learn",  learn_main,  "switch learning on a cgroup",                 learn_help },
	{ "learned", learned_main, "print what a cgroup learned",               learned_help },
	{ "template", template_main, "make a policy from a learned profile",    template_help },
	{ "events", events_main, "follow events",                               events_help },
	{ "status", status_main, "module version, limits, counters and probes", status_help },
	{ "check",  check_main,  "validate a policy and show the compiled table", check_help },
	{ "help",   help_main,   "list commands, or show one command's help",   help_help },
	{ NULL, NULL, NULL, NULL }
};

static const char main_usage[] =
	"Usage: crs-tool COMMAND [OPTIONS] [ARGS]\n"
	"       crs-tool COMMAND --help\n"
	"       crs-tool --version\n";

void errorf(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("crs-tool: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("crs-tool: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (cmd)
		fprintf(stderr, "Try 'crs-tool %s --help'.\n", cmd);
	else
		fprintf(stderr, "%sTry 'crs-tool help'.\n", main_usage);
	return EXIT_USAGE;
}

static const struct command *find_command(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int print_help(const char *cmd)
{
	const struct command *c = find_command(cmd);

	if (c)
		fputs(c->help, stdout);
	return EXIT_OK;
}

static void list_commands(FILE *f)
{
	const struct command *c;

	fputs(main_usage, f);
	fputs("\nCommands:\n", f);
	for (c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fputs("\nExit status: 0 success, 1 the operation failed, 2 usage error,\n"
	      "3 invalid policy, 4 crs.ko is not loaded.\n", f);
}

const char help_help[] =
	"Usage: crs-tool help [COMMAND]\n"
	"\n"
	"Without COMMAND, list the commands; with it, print that command's help\n"
	"(the same as 'crs-tool COMMAND --help').\n";

int help_main(int argc, char **argv)
{
	if (argc > 2)
		return usage_error("help", "too many arguments");
	if (argc == 2 && strcmp(argv[1], "--help") && strcmp(argv[1], "-h")) {
		if (!find_command(argv[1]))
			return usage_error(NULL, "unknown command '%s'", argv[1]);
		return print_help(argv[1]);
	}
	if (argc == 2)
		return print_help("help");
	list_commands(stdout);
	return EXIT_OK;
}

int parse_options(const char *cmd, int argc, char **argv, struct common_opts *o, int *first)
{
	enum { OPT_CGROUP = 0x100, OPT_CGROUP_ID, OPT_COUNT, OPT_TIMEOUT };
	static const struct option all[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, 'j' },
		{ "cgroup", required_argument, NULL, OPT_CGROUP },
		{ "cgroup-id", required_argument, NULL, OPT_CGROUP_ID },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c, idx;

	o->count = -1;
	o->timeout = -1;
	opterr = 0;
	optind = 1;
	while ((idx = -1, c = getopt_long(argc, argv, ":hj", all, &idx)) != -1) {
		switch (c) {
		case 'h':
			return print_help(cmd);
		case 'j':
			o->json = true;
			break;
		case OPT_CGROUP:
		case OPT_CGROUP_ID:
			if (!o->want_cgroup)
				goto unknown;
			if (o->cgroup_path || o->cgroup_id_str)
				return usage_error(cmd, "give --cgroup or --cgroup-id once");
			if (c == OPT_CGROUP)
				o->cgroup_path = optarg;
			else
				o->cgroup_id_str = optarg;
			break;
		case OPT_COUNT:
			if (!o->want_events)
				goto unknown;
			errno = 0;
			o->count = strtoll(optarg, &end, 10);
			if (errno || *end || end == optarg || o->count < 1)
				return usage_error(cmd, "--count needs a positive number, not '%s'", optarg);
			break;
		case OPT_TIMEOUT:
			if (!o->want_events)
				goto unknown;
			errno = 0;
			o->timeout = strtod(optarg, &end);
			if (errno || *end || end == optarg || !(o->timeout >= 0) ||
			    o->timeout > 1e9)
				return usage_error(cmd, "--timeout needs seconds, not '%s'", optarg);
			break;
		case ':':
			return usage_error(cmd, "option '%s' needs an argument", argv[optind - 1]);
		default:
			if (optopt > 0 && optopt < 0x100)
				return usage_error(cmd, "unknown option '-%c'", optopt);
			return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
		continue;
unknown:
		return usage_error(cmd, "option '--%s' is not valid here", all[idx].name);
	}
	*first = optind;
	return -1;
}

int resolve_cgroup(const char *cmd, const struct common_opts *o, uint64_t *id)
{
	unsigned long long v;
	char *end;
	int r;

	if (o->cgroup_id_str) {
		errno = 0;
		v = strtoull(o->cgroup_id_str, &end, 0);
		if (errno || *end || end == o->cgroup_id_str || !v || o->cgroup_id_str[0] == '-')
			return usage_error(cmd, "--cgroup-id needs a cgroup id, not '%s'",
					   o->cgroup_id_str);
		*id = v;
		return -1;
	}
	if (!o->cgroup_path)
		return usage_error(cmd, "--cgroup PATH is required");
	r = crs_cgroup_id(o->cgroup_path, id);
	if (r == -EMEDIUMTYPE)
		errorf("%s: not on a cgroup v2 file system", o->cgroup_path);
	else if (r == -ENOTDIR)
		errorf("%s: not a cgroup directory", o->cgroup_path);
	else if (r)
		errorf("%s: %s", o->cgroup_path, strerror(-r));
	return r ? EXIT_FAILED : -1;
}

int open_kernel(struct crs_nl **nl)
{
	struct crs_err err;
	int r = crs_nl_open(nl, &err);

	if (!r)
		return -1;
	errorf("%s", err.msg);
	return r == -ENOENT ? EXIT_NOMODULE : EXIT_FAILED;
}

int kernel_failed(const struct crs_err *err)
{
	if (err->rule >= 0)
		errorf("%s (rules[%d])", err->msg, err->rule);
	else
		errorf("%s", err->msg);
	return EXIT_FAILED;
}

const char *printable(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	if (!len)
		return buf;
	for (; *s && o + 5 < len; s++) {
		unsigned char c = *s;

		if (c == '\n') {
			memcpy(buf + o, "\\n", 2);
			o += 2;
		} else if (c == '\t') {
			memcpy(buf + o, "\\t", 2);
			o += 2;
		} else if (c == '\\') {
			memcpy(buf + o, "\\\\", 2);
			o += 2;
		} else if (c < 0x20 || c == 0x7f) {
			o += snprintf(buf + o, len - o, "\\x%02x", c);
		} else {
			buf[o++] = c;
		}
	}
	buf[o] = '\0';
	return buf;
}

int print_json(struct json_object *o)
{
	const char *s;
	int r = EXIT_OK;

	if (!o) {
		errorf("out of memory");
		return EXIT_FAILED;
	}
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	if (!s || printf("%s\n", s) < 0 || fflush(stdout)) {
		errorf("cannot write the output");
		r = EXIT_FAILED;
	}
	json_object_put(o);
	return r;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2)
		return usage_error(NULL, "no command given");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		list_commands(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("crs-tool %s (crs ABI %d)\n", CRS_VERSION, CRS_ABI_VERSION);
		return EXIT_OK;
	}
	c = find_command(argv[1]);
	if (!c)
		return usage_error(NULL, "unknown command '%s'", argv[1]);
	return c->fn(argc - 1, argv + 1);
}
