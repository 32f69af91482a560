// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crs-tool learn | learned: behavioral learning (docs/learning.md).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "crs-tool.h"

const char learn_help[] =
	"Usage: crs-tool learn (--cgroup PATH | --cgroup-id ID) on|off|policy [--max N]\n"
	"\n"
	"Switch learning on a cgroup with a table:\n"
	"  on      record what the cgroup's programs do (file opens and execs,\n"
	"          connections, listeners, inbound peers and syscalls, allowed\n"
	"          or denied), whatever the policy says;\n"
	"  off     stop recording; what was learned is kept for 'learned';\n"
	"  policy  follow the policy's \"learning\" (the default).\n"
	"Learning needs a mode other than disabled. --max N sizes the learned set\n"
	"when one is created (64 to 262144 records, default 16384); an existing\n"
	"set must be cleared ('learned --clear') before it can be resized.\n";

const char learned_help[] =
	"Usage: crs-tool learned (--cgroup PATH | --cgroup-id ID) [--json] [--clear]\n"
	"\n"
	"Print what a cgroup learned:\n"
	"\n"
	"  cgroup ID: learning on (policy), recording, R of M records, D dropped\n"
	"    file|execute  ACCESS  OUTCOME  program=P  path=P [pid_off=N]\n"
	"    network  DIRECTION PROTOCOL  OUTCOME  program=P|-  address=A  port=N [auto_port]\n"
	"    listener PROTOCOL  OUTCOME  program=P  address=A  port=N [auto_port]\n"
	"    syscall  ARCH  OUTCOME  program=P  syscall=NAME (NR)\n"
	"\n"
	"Records count programs too. With --json, print the profile document\n"
	"(docs/learning.md). --clear forgets the set after printing it (anything\n"
	"recorded in between is lost).\n";

/* Takes "--max N" / "--max=N" (when allowed) and "--clear" out of argv. */
static int take_opts(const char *cmd, int *argc, char **argv, uint32_t *max, bool *clear)
{
	int i, j = 1;

	for (i = 1; i < *argc; i++) {
		const char *v = NULL;
		char *end;
		unsigned long n;

		if (clear && !strcmp(argv[i], "--clear")) {
			*clear = true;
			continue;
		}
		if (max && !strcmp(argv[i], "--max")) {
			if (i + 1 >= *argc)
				return usage_error(cmd, "--max needs a number");
			v = argv[++i];
		} else if (max && !strncmp(argv[i], "--max=", 6)) {
			v = argv[i] + 6;
		}
		if (!v) {
			argv[j++] = argv[i];
			continue;
		}
		errno = 0;
		n = strtoul(v, &end, 10);
		if (errno || *end || end == v || n < CRS_MIN_LEARN_RECORDS ||
		    n > CRS_MAX_LEARN_RECORDS)
			return usage_error(cmd, "--max must be %u to %u, not '%s'",
					   CRS_MIN_LEARN_RECORDS, CRS_MAX_LEARN_RECORDS, v);
		*max = n;
	}
	*argc = j;
	argv[j] = NULL;
	return -1;
}

int learn_main(int argc, char **argv)
{
	struct common_opts o = { .want_cgroup = true };
	uint32_t learn, max = 0;
	struct crs_nl *nl;
	struct crs_err err;
	uint64_t id;
	int r, first;

	r = take_opts("learn", &argc, argv, &max, NULL);
	if (r >= 0)
		return r;
	r = parse_options("learn", argc, argv, &o, &first);
	if (r >= 0)
		return r;
	if (argc - first != 1)
		return usage_error("learn", argc == first ? "no on|off|policy given"
							  : "too many arguments");
	if (crs_learn_parse(argv[first], &learn))
		return usage_error("learn", "'%s' is not on, off or policy", argv[first]);
	r = resolve_cgroup("learn", &o, &id);
	if (r >= 0)
		return r;
	r = open_kernel(&nl);
	if (r >= 0)
		return r;
	r = EXIT_OK;
	if (crs_nl_set_learning(nl, id, learn, max, &err))
		r = kernel_failed(&err);
	crs_nl_close(nl);
	return r;
}

/*
 * "on (policy), recording, 812 of 16384 records, 0 dropped": the
 * switch as it works out, where it comes from, and the set.
 */
void print_learning(uint32_t override, bool policy_flag, const struct crs_learn_info *li,
		    bool has_set)
{
	bool on = override == CRS_LEARN_ON || (override == CRS_LEARN_POLICY && policy_flag);

	printf("%s (%s)", on ? "on" : "off",
	       override == CRS_LEARN_POLICY ? "policy" : "container override");
	if (!has_set) {
		printf(", no learned set\n");
		return;
	}
	printf(", %s, %u of %u records, %" PRIu64 " dropped", crs_learn_state_name(li->state)
	       ?: "?", li->records, li->max, li->dropped_full + li->dropped_long);
	if (li->dropped_full + li->dropped_long)
		printf(" (%" PRIu64 " full, %" PRIu64 " too long)", li->dropped_full,
		       li->dropped_long);
	printf("\n");
}

/*
 * One observation in show's columns: type, then what takes the access
 * column there (access; direction and protocol; protocol; arch), outcome,
 * program (none for inbound) and the object.
 */
static void print_obs_line(const struct crs_observation *ob)
{
	char acc[32], out[32], p1[4 * CRS_PATTERN_MAX + 8], p2[4 * CRS_PATTERN_MAX + 8];
	char addr[INET6_ADDRSTRLEN];
	const char *sys;

	crs_outcome_str(ob->outcome, out, sizeof(out));
	printf("  %-8s ", crs_rule_type_name(ob->type) ?: "?");
	switch (ob->type) {
	case CRS_RULE_NETWORK:
	case CRS_RULE_LISTENER:
		if (ob->type == CRS_RULE_NETWORK)
			snprintf(acc, sizeof(acc), "%s %s", crs_direction_name(ob->direction) ?: "?",
				 crs_proto_name(ob->protocol) ?: "?");
		else
			snprintf(acc, sizeof(acc), "%s", crs_proto_name(ob->protocol) ?: "?");
		if (!inet_ntop(ob->family, ob->addr, addr, sizeof(addr)))
			snprintf(addr, sizeof(addr), "?");
		printf("%-10s %-15s program=%s  address=%s  port=%u%s\n", acc, out,
		       ob->program ? printable(ob->program, p1, sizeof(p1)) : "-", addr,
		       ob->port, ob->flags & CRS_OBS_F_AUTOPORT ? "  auto_port" : "");
		break;
	case CRS_RULE_SYSCALL:
		sys = crs_syscall_name(ob->syscall_nr, ob->arch);
		printf("%-10s %-15s program=%s  syscall=%s (%u)\n",
		       crs_arch_name(ob->arch) ?: "?", out, printable(ob->program, p1, sizeof(p1)),
		       sys ?: "?", ob->syscall_nr);
		break;
	default:
		printf("%-10s %-15s program=%s  path=%s", crs_access_str(ob->access, acc, sizeof(acc)),
		       out, printable(ob->program, p1, sizeof(p1)),
		       printable(ob->path, p2, sizeof(p2)));
		if (ob->pid_off >= 0)
			printf("  pid_off=%d", ob->pid_off);
		putchar('\n');
	}
}

int learned_main(int argc, char **argv)
{
	struct common_opts o = { .want_cgroup = true };
	struct crs_table_info *t = NULL;
	struct crs_learned *l = NULL;
	bool clear = false;
	struct crs_nl *nl;
	struct crs_err err;
	size_t nt = 0, i;
	uint64_t id;
	int r, first;

	r = take_opts("learned", &argc, argv, NULL, &clear);
	if (r >= 0)
		return r;
	r = parse_options("learned", argc, argv, &o, &first);
	if (r >= 0)
		return r;
	if (argc != first)
		return usage_error("learned", "unexpected argument '%s'", argv[first]);
	r = resolve_cgroup("learned", &o, &id);
	if (r >= 0)
		return r;
	r = open_kernel(&nl);
	if (r >= 0)
		return r;
	if (crs_nl_get_learned(nl, id, &l, &err) ||
	    (!o.json && crs_nl_get_tables(nl, id, &t, &nt, &err))) {
		crs_learned_free(l);
		crs_nl_close(nl);
		return kernel_failed(&err);
	}
	if (o.json) {
		char *s = crs_learned_to_json(l, true);

		r = s && puts(s) >= 0 ? EXIT_OK : EXIT_FAILED;
		free(s);
	} else {
		printf("cgroup %" PRIu64 ": learning ", id);
		print_learning(nt ? t[0].container_learn : CRS_LEARN_POLICY,
			       nt && (t[0].flags & CRS_TABLE_F_LEARN), &l->info, true);
		for (i = 0; i < l->n; i++)
			print_obs_line(&l->obs[i]);
		r = fflush(stdout) ? EXIT_FAILED : EXIT_OK;
	}
	if (r == EXIT_OK && clear && crs_nl_del_learned(nl, id, &err))
		r = kernel_failed(&err);
	crs_table_info_free(t, nt);
	crs_learned_free(l);
	crs_nl_close(nl);
	return r;
}
