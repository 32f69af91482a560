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
	"       crs-tool learned (--cgroup PATH | --cgroup-id ID) --follow [--count N]\n"
	"                        [--timeout SEC]\n"
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
	"recorded in between is lost).\n"
	"\n"
	"--follow prints JSON lines, each a profile document on one line: first the\n"
	"set as it is (if there is one), then what crs.ko's hints say as they come:\n"
	"the set's header and the observations recorded since (a set that fills\n"
	"says so in a hint of its own). An access or outcome added to an old\n"
	"observation is not hinted: 'learned --json' shows it. Lost hints (the\n"
	"receive queue overflowed) are reported on standard error and following\n"
	"goes on. --count N: exit after N hint lines; --timeout SEC: after SEC\n"
	"seconds; both, and SIGINT or SIGTERM, exit with status 0.\n";

/*
 * Takes "--max N" / "--max=N" (when allowed), "--clear" and "--follow" (when
 * allowed) out of argv.
 */
static int take_opts(const char *cmd, int *argc, char **argv, uint32_t *max, bool *clear,
		     bool *follow)
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
		if (follow && !strcmp(argv[i], "--follow")) {
			*follow = true;
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

	r = take_opts("learn", &argc, argv, &max, NULL, NULL);
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

/* learned --follow: what the hints say, past what was printed already. */
struct hint_follow {
	uint64_t cgroup_id;
	uint64_t epoch;		/* the set printed last */
	uint32_t printed;	/* its entries before this index were printed */
	enum crs_learn_state state;
	long long left;		/* hint lines still wanted, -1 for no limit */
	bool write_failed;
};

/* One profile document on one line; false if it could not be written. */
static bool print_line(const struct crs_learned *l)
{
	char *s = crs_learned_to_json(l, false);
	bool ok = s && puts(s) >= 0 && !fflush(stdout);

	free(s);
	return ok;
}

static void on_hint(const struct crs_learned *h, void *arg)
{
	struct hint_follow *f = arg;
	struct crs_learned part = *h;
	size_t skip = 0;

	if (h->cgroup_id != f->cgroup_id || !f->left || f->write_failed)
		return;
	if (h->info.epoch != f->epoch) {	/* a new set: all of it is news */
		f->epoch = h->info.epoch;
		f->printed = 0;
	}
	while (skip < h->n && h->obs[skip].index < f->printed)
		skip++;		/* in the dump printed first already */
	if (skip == h->n && h->info.state == f->state)
		return;
	part.obs = h->obs + skip;
	part.n = h->n - skip;
	if (part.n)
		f->printed = part.obs[part.n - 1].index + 1;
	f->state = h->info.state;
	if (!print_line(&part))
		f->write_failed = true;
	if (f->left > 0)
		f->left--;
}

/*
 * Subscribe first, then dump: whatever is recorded in between comes in a
 * hint as well, and is printed once (by index).
 */
static int follow_learned(struct crs_nl *nl, const struct common_opts *o, uint64_t id)
{
	struct hint_follow f = { .cgroup_id = id, .left = o->count };
	struct crs_learned *l = NULL;
	struct crs_events *ev;
	struct crs_err err;
	int r, wait_ms;

	r = crs_hints_open(&ev, &err);
	if (r) {
		errorf("%s", err.msg);
		return r == -ENOENT ? EXIT_NOMODULE : EXIT_FAILED;
	}
	r = crs_nl_get_learned(nl, id, &l, &err);
	if (r && r != -ENOENT) {
		crs_events_close(ev);
		return kernel_failed(&err);
	}
	if (l) {
		/* the last message's count: every entry below it was dumped */
		f.epoch = l->info.epoch;
		f.state = l->info.state;
		f.printed = l->info.records;
		f.write_failed = !print_line(l);
		crs_learned_free(l);
	}
	follow_start(o);
	r = EXIT_OK;
	while (f.left != 0 && !f.write_failed && (wait_ms = follow_wait_ms()) != FOLLOW_DONE) {
		r = crs_hints_recv(ev, wait_ms, on_hint, &f);
		if (r >= 0 || r == -EAGAIN || r == -EINTR) {
			r = EXIT_OK;
			continue;
		}
		if (r == -ENOBUFS) {
			errorf("hints lost: the receive queue overflowed ('crs-tool learned "
			       "--json' has everything)");
			r = EXIT_OK;
			continue;
		}
		errorf("receiving hints: %s", strerror(-r));
		r = EXIT_FAILED;
		break;
	}
	crs_events_close(ev);
	if (f.write_failed && r == EXIT_OK) {
		errorf("cannot write hints");
		r = EXIT_FAILED;
	}
	return r;
}

int learned_main(int argc, char **argv)
{
	struct common_opts o = { .want_cgroup = true, .want_events = true };
	struct crs_table_info *t = NULL;
	struct crs_learned *l = NULL;
	bool clear = false, follow = false;
	struct crs_nl *nl;
	struct crs_err err;
	size_t nt = 0, i;
	uint64_t id;
	int r, first;

	r = take_opts("learned", &argc, argv, NULL, &clear, &follow);
	if (r >= 0)
		return r;
	r = parse_options("learned", argc, argv, &o, &first);
	if (r >= 0)
		return r;
	if (argc != first)
		return usage_error("learned", "unexpected argument '%s'", argv[first]);
	if (follow && clear)
		return usage_error("learned", "--clear and --follow do not go together");
	if (!follow && (o.count >= 0 || o.timeout >= 0))
		return usage_error("learned", "--count and --timeout go with --follow");
	r = resolve_cgroup("learned", &o, &id);
	if (r >= 0)
		return r;
	r = open_kernel(&nl);
	if (r >= 0)
		return r;
	if (follow) {
		r = follow_learned(nl, &o, id);
		crs_nl_close(nl);
		return r;
	}
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
