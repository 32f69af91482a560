// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crs-tool mode | log: per-container overrides on a cgroup with a table.
 */
#include <string.h>
#include "crs-tool.h"

const char mode_help[] =
	"Usage: crs-tool mode (--cgroup PATH | --cgroup-id ID) enforce|monitor|disabled|policy\n"
	"\n"
	"Override the mode of the policy loaded on a cgroup, for that cgroup only:\n"
	"  enforce   deny and report;\n"
	"  monitor   allow, but report what would have been denied;\n"
	"  disabled  no checks, no events;\n"
	"  policy    drop the override: follow the policy's own mode again.\n"
	"The cgroup must have a table ('crs-tool load'). Reloading the policy\n"
	"keeps the override.\n";

const char log_help[] =
	"Usage: crs-tool log (--cgroup PATH | --cgroup-id ID) LIST\n"
	"\n"
	"Choose which decisions on a cgroup raise events. LIST is a comma\n"
	"separated list of:\n"
	"  deny      denials, and would-be denials in monitor mode (the default);\n"
	"  allow     accesses allowed by an explicit allow rule;\n"
	"  alert     reserved;\n"
	"  behavior  reserved (learning);\n"
	"or one of none, all, default (= deny).\n";

static int set_container(const char *cmd, int argc, char **argv, bool is_mode)
{
	struct common_opts o = { .want_cgroup = true };
	enum crs_mode mode = CRS_MODE_POLICY;
	uint32_t log = 0;
	struct crs_nl *nl;
	struct crs_err err;
	uint64_t id;
	int r, first;

	r = parse_options(cmd, argc, argv, &o, &first);
	if (r >= 0)
		return r;
	if (argc - first != 1)
		return usage_error(cmd, argc == first ? "no %s given" : "too many arguments",
				   is_mode ? "mode" : "log list");
	if (is_mode && crs_mode_parse(argv[first], &mode))
		return usage_error(cmd, "unknown mode '%s' (enforce, monitor, disabled or policy)",
				   argv[first]);
	if (!is_mode && crs_log_parse(argv[first], &log))
		return usage_error(cmd, "bad log list '%s' (deny, allow, alert, behavior; "
				   "none, all, default)", argv[first]);
	r = resolve_cgroup(cmd, &o, &id);
	if (r >= 0)
		return r;
	r = open_kernel(&nl);
	if (r >= 0)
		return r;
	r = EXIT_OK;
	if (crs_nl_set_container(nl, id, is_mode ? (int)mode : -1, is_mode ? -1 : (int64_t)log, &err))
		r = kernel_failed(&err);
	crs_nl_close(nl);
	return r;
}

int mode_main(int argc, char **argv)
{
	return set_container("mode", argc, argv, true);
}

int log_main(int argc, char **argv)
{
	return set_container("log", argc, argv, false);
}
