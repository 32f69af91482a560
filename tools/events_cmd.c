// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crs-tool events: follow the kernel's events.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include "crs-tool.h"

const char events_help[] =
	"Usage: crs-tool events [--json] [--count N] [--timeout SEC]\n"
	"\n"
	"Follow the events crs.ko raises (what each cgroup's log mask selects;\n"
	"by default denials and would-be denials), one line per event, flushed\n"
	"as it arrives:\n"
	"\n"
	"  TIME MODE OUTCOME TYPE ACCESS PATH program=P pid=N tid=N uid=N cgroup=ID rule=INDEX|default [\"NAME\"]\n"
	"\n"
	"and for syscall rules, the call with its six argument registers in hex,\n"
	"its ABI (x86_64, ia32, x32) and number in that ABI:\n"
	"\n"
	"  TIME MODE OUTCOME syscall NAME(0xA0, ..., 0xA5) ARCH/NR program=P pid=N ... rule=...\n"
	"\n"
	"and for network and listener rules, the direction (network rules), the\n"
	"protocol and the local and remote ends (IPv6 addresses in brackets):\n"
	"\n"
	"  TIME MODE OUTCOME network DIRECTION PROTOCOL local=A:P remote=A:P program=P ...\n"
	"  TIME MODE OUTCOME listener PROTOCOL local=A:P program=P ...\n"
	"\n"
	"TIME is RFC 3339 UTC with nanoseconds; OUTCOME is deny, allow, or\n"
	"\"allow(would-deny)\" in monitor mode; cgroup is the task's own cgroup\n"
	"(\"table=ID\" follows when the deciding table is an ancestor's).\n"
	"Non-printable bytes are shown as \\xNN.\n"
	"\n"
	"With --json, each line is a JSON object with the fields seq, time,\n"
	"time_ns, cgroup_id, table_cgroup_id, pid, tid, uid, program, type,\n"
	"rule_index (null for a default action), rule_name (null if none), path,\n"
	"access, action, verdict, mode, default, truncated (see docs/crs-tool.md);\n"
	"syscall events have syscall, syscall_nr, arch and args (six numbers)\n"
	"instead of path and access; network events direction, protocol, local\n"
	"and remote ({ \"address\", \"port\" } or null), listener events the same\n"
	"without direction.\n"
	"\n"
	"--count N      exit after N events;\n"
	"--timeout SEC  exit after SEC seconds (fractions allowed).\n"
	"Both exit with status 0, as do SIGINT and SIGTERM. Lost events (the\n"
	"receive queue overflowed, or gaps in the kernel's sequence numbers) are\n"
	"reported on standard error and following goes on.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

struct follow {
	bool json;
	long long left;		/* events still wanted, -1 for no limit */
	bool have_seq;
	uint64_t last_seq;
	bool write_failed;
};

/* " local=10.0.0.1:80", " remote=[2001:db8::1]:443"; "?" for an unknown family. */
static void print_end(const char *what, int family, const uint8_t *addr, uint16_t port)
{
	char text[INET6_ADDRSTRLEN] = "?";

	if (family == AF_INET || family == AF_INET6)
		inet_ntop(family, addr, text, sizeof(text));
	if (family == AF_INET6)
		printf(" %s=[%s]:%u", what, text, port);
	else
		printf(" %s=%s:%u", what, text, port);
}

static void print_human(const struct crs_event *e)
{
	char t[64], acc[64], b1[16], b2[16], b3[16];
	char prog[4 * sizeof(e->program)], path[4 * sizeof(e->path)];
	char rname[4 * sizeof(e->rule_name)];
	const char *mode = crs_mode_name(e->mode), *type = crs_rule_type_name(e->type);
	const char *outcome;

	if (!mode) {
		snprintf(b1, sizeof(b1), "%u", (unsigned int)e->mode);
		mode = b1;
	}
	if (!type) {
		snprintf(b2, sizeof(b2), "%u", (unsigned int)e->type);
		type = b2;
	}
	if (e->action == CRS_ACTION_DENY)
		outcome = "deny";
	else if (e->verdict == CRS_ACTION_DENY)
		outcome = "allow(would-deny)";
	else
		outcome = "allow";
	if (e->type == CRS_RULE_SYSCALL) {
		const char *arch = crs_arch_name(e->arch);
		char sc[4 * sizeof(e->syscall)];
		int i;

		if (!arch) {
			snprintf(b3, sizeof(b3), "arch%u", (unsigned int)e->arch);
			arch = b3;
		}
		/* TIME MODE OUTCOME syscall NAME(ARG, ...) ARCH/NR ... */
		printf("%s %s %s %s %s(", crs_time_rfc3339(e->time_ns, t, sizeof(t)), mode,
		       outcome, type, e->syscall[0] ? printable(e->syscall, sc, sizeof(sc)) : "?");
		for (i = 0; i < 6; i++)
			printf("%s0x%" PRIx64, i ? ", " : "", e->args[i]);
		printf(") %s/%" PRIu32, arch, e->syscall_nr);
		printf(" program=%s pid=%" PRIu32 " tid=%" PRIu32 " uid=%" PRIu32 " cgroup=%" PRIu64,
		       printable(e->program, prog, sizeof(prog)), e->pid, e->tid, e->uid,
		       e->cgroup_id);
	} else if (e->type == CRS_RULE_NETWORK || e->type == CRS_RULE_LISTENER) {
		const char *proto = crs_proto_name(e->protocol);
		const char *dir = crs_direction_name(e->direction);

		if (!proto) {
			snprintf(b3, sizeof(b3), "proto%u", (unsigned int)e->protocol);
			proto = b3;
		}
		/* TIME MODE OUTCOME network DIRECTION PROTOCOL local=A:P remote=A:P ... */
		printf("%s %s %s %s", crs_time_rfc3339(e->time_ns, t, sizeof(t)), mode, outcome,
		       type);
		if (e->type == CRS_RULE_NETWORK) {
			if (dir)
				printf(" %s", dir);
			else
				printf(" direction%u", (unsigned int)e->direction);
		}
		printf(" %s", proto);
		if (e->has_local)
			print_end("local", e->family, e->local_addr, e->local_port);
		if (e->has_remote)
			print_end("remote", e->family, e->remote_addr, e->remote_port);
		printf(" program=%s pid=%" PRIu32 " tid=%" PRIu32 " uid=%" PRIu32 " cgroup=%" PRIu64,
		       printable(e->program, prog, sizeof(prog)), e->pid, e->tid, e->uid,
		       e->cgroup_id);
	} else {
		printf("%s %s %s %s %s %s program=%s pid=%" PRIu32 " tid=%" PRIu32 " uid=%" PRIu32
		       " cgroup=%" PRIu64,
		       crs_time_rfc3339(e->time_ns, t, sizeof(t)), mode, outcome, type,
		       crs_access_str(e->access, acc, sizeof(acc)),
		       printable(e->path, path, sizeof(path)),
		       printable(e->program, prog, sizeof(prog)), e->pid, e->tid, e->uid,
		       e->cgroup_id);
	}
	if (e->table_cgroup_id && e->table_cgroup_id != e->cgroup_id)
		printf(" table=%" PRIu64, e->table_cgroup_id);
	if (e->rule_index == CRS_RULE_INDEX_NONE) {
		printf(" rule=default");
	} else {
		snprintf(b3, sizeof(b3), "%" PRIu32, e->rule_index);
		printf(" rule=%s", b3);
	}
	if (e->rule_name[0])
		printf(" \"%s\"", printable(e->rule_name, rname, sizeof(rname)));
	if (e->flags & CRS_EVENT_F_TRUNCATED)
		printf(" (truncated)");
	putchar('\n');
}

static void on_event(const struct crs_event *e, void *arg)
{
	struct follow *f = arg;
	char *s;

	if (!f->left || f->write_failed)
		return;		/* the rest of a batch past --count */
	if (f->have_seq && e->seq > f->last_seq + 1)
		errorf("%" PRIu64 " events lost (sequence %" PRIu64 " follows %" PRIu64 ")",
		       e->seq - f->last_seq - 1, e->seq, f->last_seq);
	f->have_seq = true;
	f->last_seq = e->seq;
	if (f->json) {
		s = crs_event_to_json(e);
		if (!s) {
			errorf("out of memory");
			f->write_failed = true;
			return;
		}
		printf("%s\n", s);
		free(s);
	} else {
		print_human(e);
	}
	if (fflush(stdout))
		f->write_failed = true;
	if (f->left > 0)
		f->left--;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double follow_deadline = -1;

void follow_start(const struct common_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	follow_deadline = o->timeout >= 0 ? now() + o->timeout : -1;
}

int follow_wait_ms(void)
{
	double left;

	if (stop)
		return FOLLOW_DONE;
	if (follow_deadline < 0)
		return -1;
	left = follow_deadline - now();
	if (left <= 0)
		return FOLLOW_DONE;
	return left * 1000 > 1e9 ? 1000000000 : (int)(left * 1000) + 1;
}

int events_main(int argc, char **argv)
{
	struct common_opts o = { .want_events = true };
	struct follow f = { 0 };
	struct crs_events *ev;
	struct crs_err err;
	int r, first, wait_ms;

	r = parse_options("events", argc, argv, &o, &first);
	if (r >= 0)
		return r;
	if (argc != first)
		return usage_error("events", "unexpected argument '%s'", argv[first]);
	f.json = o.json;
	f.left = o.count;
	r = crs_events_open(&ev, &err);
	if (r) {
		errorf("%s", err.msg);
		return r == -ENOENT ? EXIT_NOMODULE : EXIT_FAILED;
	}
	follow_start(&o);
	r = EXIT_OK;
	while (f.left != 0 && !f.write_failed && (wait_ms = follow_wait_ms()) != FOLLOW_DONE) {
		r = crs_events_recv(ev, wait_ms, on_event, &f);
		if (r >= 0 || r == -EAGAIN || r == -EINTR) {
			r = EXIT_OK;
			continue;
		}
		if (r == -ENOBUFS) {
			errorf("events lost: the receive queue overflowed");
			f.have_seq = false;	/* the gap is reported already */
			r = EXIT_OK;
			continue;
		}
		errorf("receiving events: %s", strerror(-r));
		r = EXIT_FAILED;
		break;
	}
	crs_events_close(ev);
	if (f.write_failed && r == EXIT_OK) {
		errorf("cannot write events");
		r = EXIT_FAILED;
	}
	return r;
}
