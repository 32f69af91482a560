// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crsd: options, start, the main thread's loop (signals and event
 * retention), clean shutdown. The API is in docs/crsd.md.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "crsd.h"

const char *crsd_db_path = "/var/lib/crsd/crsd.db";
int64_t crsd_started_ns;

static const char usage[] =
	"Usage: crsd [OPTIONS]\n"
	"\n"
	"The CRS daemon: policies, image assignments, containers, overrides and\n"
	"events over an HTTP API (docs/crsd.md).\n"
	"\n"
	"  --socket PATH          Unix socket of the API (default /run/crsd.sock;\n"
	"                         created 0660, owned by crsd's user)\n"
	"  --socket-group GROUP   group of the socket (its members may use the API)\n"
	"  --db PATH              SQLite database (default /var/lib/crsd/crsd.db)\n"
	"  --instrumented-file PATH\n"
	"                         images with a policy, for crsd-hook when crsd is down\n"
	"                         (default: instrumented-images beside the database)\n"
	"  --listen HOST:PORT     also listen on TCP (needs --token-file); port 0 picks one\n"
	"  --token-file PATH      bearer token for TCP clients (file mode 0600 or stricter,\n"
	"                         at least 16 characters); SIGHUP reloads it\n"
	"  --tls-cert PATH        TLS on the TCP listener: certificate (chain), PEM\n"
	"  --tls-key PATH         and its private key, PEM (mode 0600 or stricter)\n"
	"  --max-body BYTES       largest request body (default 1048576)\n"
	"  --rate N               requests per second over all clients, 0 = no limit\n"
	"                         (default 200)\n"
	"  --burst N              requests above the rate a burst may use (default 400)\n"
	"  --max-connections N    concurrent connections per listener (default 64)\n"
	"  --session-idle SEC     a web console session ends unused this long (default 3600)\n"
	"  --session-max-age SEC  and this long after its login at the latest (default 43200)\n"
	"  --events-max N         events kept (default 100000)\n"
	"  --events-max-age SEC   age of the oldest event kept (default 604800)\n"
	"  --events-jsonl PATH    also append each stored event to PATH as one JSON line\n"
	"                         (created 0600; SIGHUP reopens it)\n"
	"  --events-syslog        also send each stored event to syslog (LOG_DAEMON)\n"
	"  --no-kernel            do not connect to crs.ko (no reconcile, no events)\n"
	"  --learn-poll-ms MS     how often learned sets are read from crs.ko\n"
	"                         (default 10000, 50 to 3600000)\n"
	"  -h, --help, --version\n"
	"\n"
	"Test options (container discovery at start):\n"
	"  --cgroup-root DIR      the cgroup v2 tree to scan (default /sys/fs/cgroup)\n"
	"  --runtime-state-dir DIR\n"
	"                         a runtime's state root, repeatable; replaces the\n"
	"                         defaults /run/crun, /run/runc, /run/containerd/runc,\n"
	"                         /run/docker/runtime-runc\n";

enum {
	OPT_SOCKET = 256, OPT_SOCKET_GROUP, OPT_DB, OPT_LISTEN, OPT_TOKEN, OPT_MAX_BODY,
	OPT_RATE, OPT_BURST, OPT_MAX_CONNS, OPT_EV_MAX, OPT_EV_AGE, OPT_NO_KERNEL, OPT_VERSION,
	OPT_INSTRUMENTED, OPT_EV_JSONL, OPT_EV_SYSLOG, OPT_TLS_CERT, OPT_TLS_KEY,
	OPT_CGROUP_ROOT, OPT_STATE_DIR, OPT_SESSION_IDLE, OPT_SESSION_MAX_AGE,
	OPT_LEARN_POLL,
};

#define STATE_DIRS_MAX	16

static const struct option longopts[] = {
	{ "socket", required_argument, NULL, OPT_SOCKET },
	{ "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
	{ "db", required_argument, NULL, OPT_DB },
	{ "instrumented-file", required_argument, NULL, OPT_INSTRUMENTED },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "token-file", required_argument, NULL, OPT_TOKEN },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "max-body", required_argument, NULL, OPT_MAX_BODY },
	{ "rate", required_argument, NULL, OPT_RATE },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONNS },
	{ "session-idle", required_argument, NULL, OPT_SESSION_IDLE },
	{ "session-max-age", required_argument, NULL, OPT_SESSION_MAX_AGE },
	{ "events-max", required_argument, NULL, OPT_EV_MAX },
	{ "events-max-age", required_argument, NULL, OPT_EV_AGE },
	{ "events-jsonl", required_argument, NULL, OPT_EV_JSONL },
	{ "events-syslog", no_argument, NULL, OPT_EV_SYSLOG },
	{ "no-kernel", no_argument, NULL, OPT_NO_KERNEL },
	{ "learn-poll-ms", required_argument, NULL, OPT_LEARN_POLL },
	{ "cgroup-root", required_argument, NULL, OPT_CGROUP_ROOT },
	{ "runtime-state-dir", required_argument, NULL, OPT_STATE_DIR },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int number(const char *opt, const char *s, unsigned long long max,
		  unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || *out > max) {
		fprintf(stderr, "crsd: %s: expected a number up to %llu\n", opt, max);
		return -1;
	}
	return 0;
}

/* The token: the file's first line, trailing whitespace removed. */
static char *read_token(const char *path)
{
	char buf[4097];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "crsd: --token-file %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
		fprintf(stderr, "crsd: --token-file %s: must be a regular file readable by "
			"its owner only (mode 0600 or 0400)\n", path);
		close(fd);
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	n = strlen(buf);
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n < 16) {
		fprintf(stderr, "crsd: --token-file %s: the token must be at least 16 characters\n",
			path);
		return NULL;
	}
	return strdup(buf);
}

/*
 * A PEM file for TLS, at most 1 MiB, holding a "-----BEGIN CERTIFICATE-----"
 * block, or for a key "-----BEGIN ... PRIVATE KEY-----". A key must be a
 * regular file that only its owner can read. NULL (said why) if not.
 */
static char *read_pem(const char *opt, const char *path, bool key)
{
	const size_t max = 1 << 20;
	struct stat st;
	char *buf, *begin;
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 || fstat(fd, &st)) {
		fprintf(stderr, "crsd: %s %s: %s\n", opt, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || (key && (st.st_mode & 077))) {
		fprintf(stderr, "crsd: %s %s: must be a regular file%s\n", opt, path,
			key ? " readable by its owner only (mode 0600 or 0400)" : "");
		close(fd);
		return NULL;
	}
	buf = malloc(max + 1);
	while (buf && got <= max) {
		n = read(fd, buf + got, max + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	if (!buf || got > max) {
		fprintf(stderr, "crsd: %s %s: %s\n", opt, path,
			buf ? "larger than 1 MiB" : "out of memory");
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	begin = strstr(buf, key ? "-----BEGIN " : "-----BEGIN CERTIFICATE-----");
	if (strlen(buf) != got || !begin ||
	    (key && !strstr(begin, "PRIVATE KEY-----"))) {
		fprintf(stderr, "crsd: %s %s: no PEM %s in it\n", opt, path,
			key ? "private key" : "certificate");
		explicit_bzero(buf, got);
		free(buf);
		return NULL;
	}
	return buf;
}

static void make_parent(const char *path)
{
	char *copy = strdup(path);

	if (copy) {
		mkdir(dirname(copy), 0700);	/* one level: /var/lib/crsd */
		free(copy);
	}
}

int main(int argc, char **argv)
{
	struct crsd_http_opts ho = {
		.socket_path = "/run/crsd.sock", .socket_gid = -1, .max_body = 1 << 20,
		.rate = 200, .burst = 400, .max_conns = 64,
		.session_idle = CRSD_SESSION_IDLE, .session_max_age = CRSD_SESSION_MAX_AGE,
	};
	unsigned long long v, ev_max = 100000, ev_age = 7 * 86400;
	const char *token_file = NULL, *instrumented = NULL, *ev_jsonl = NULL;
	char *tls_cert = NULL, *tls_key = NULL;
	static const char *const default_state_dirs[] = {
		"/run/crun", "/run/runc", "/run/containerd/runc", "/run/docker/runtime-runc",
	};
	const char *state_dirs[STATE_DIRS_MAX];
	size_t n_state_dirs = 0;
	char cgroup_root[CRSD_CGROUP_MAX + 1] = "/sys/fs/cgroup";
	char *instrumented_default = NULL;
	bool no_kernel = false, ev_syslog = false;
	unsigned learn_poll_ms = 10000;
	char errbuf[512];
	sigset_t set;
	int c, sig;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SOCKET: ho.socket_path = optarg; break;
		case OPT_SOCKET_GROUP: {
			struct group *g = getgrnam(optarg);

			if (!g) {
				fprintf(stderr, "crsd: --socket-group %s: no such group\n", optarg);
				return 2;
			}
			ho.socket_gid = (int)g->gr_gid;
			break;
		}
		case OPT_DB: crsd_db_path = optarg; break;
		case OPT_INSTRUMENTED: instrumented = optarg; break;
		case OPT_LISTEN: ho.listen = optarg; break;
		case OPT_TOKEN: token_file = optarg; break;
		case OPT_TLS_CERT: ho.tls_cert_path = optarg; break;
		case OPT_TLS_KEY: ho.tls_key_path = optarg; break;
		case OPT_MAX_BODY:
			if (number("--max-body", optarg, 64 << 20, &v))
				return 2;
			ho.max_body = v;
			break;
		case OPT_RATE:
			if (number("--rate", optarg, 1000000, &v))
				return 2;
			ho.rate = v;
			break;
		case OPT_BURST:
			if (number("--burst", optarg, 1000000, &v))
				return 2;
			ho.burst = v ? v : 1;
			break;
		case OPT_MAX_CONNS:
			if (number("--max-connections", optarg, 10000, &v) || !v)
				return 2;
			ho.max_conns = v;
			break;
		case OPT_SESSION_IDLE:
			if (number("--session-idle", optarg, 366 * 86400, &v) || !v)
				return 2;
			ho.session_idle = v;
			break;
		case OPT_SESSION_MAX_AGE:
			if (number("--session-max-age", optarg, 366 * 86400, &v) || !v)
				return 2;
			ho.session_max_age = v;
			break;
		case OPT_EV_MAX:
			if (number("--events-max", optarg, 1ULL << 40, &v))
				return 2;
			ev_max = v;
			break;
		case OPT_EV_AGE:
			if (number("--events-max-age", optarg, 100ULL * 365 * 86400, &v))
				return 2;
			ev_age = v;
			break;
		case OPT_LEARN_POLL:
			if (number("--learn-poll-ms", optarg, 3600000, &v))
				return 2;
			if (v < 50) {
				fprintf(stderr, "crsd: --learn-poll-ms: 50 to 3600000\n");
				return 2;
			}
			learn_poll_ms = (unsigned)v;
			break;
		case OPT_EV_JSONL: ev_jsonl = optarg; break;
		case OPT_EV_SYSLOG: ev_syslog = true; break;
		case OPT_NO_KERNEL: no_kernel = true; break;
		case OPT_CGROUP_ROOT: {
			size_t n = strlen(optarg);

			while (n > 1 && optarg[n - 1] == '/')
				n--;
			if (optarg[0] != '/' || n < 2 || n > 1024) {
				fprintf(stderr, "crsd: --cgroup-root %s: expected an absolute path "
					"other than /\n", optarg);
				return 2;
			}
			memcpy(cgroup_root, optarg, n);
			cgroup_root[n] = '\0';
			break;
		}
		case OPT_STATE_DIR:
			if (n_state_dirs == STATE_DIRS_MAX || optarg[0] != '/' ||
			    strlen(optarg) > 1024) {
				fprintf(stderr, "crsd: --runtime-state-dir %s: expected an absolute "
					"path, at most %d of them\n", optarg, STATE_DIRS_MAX);
				return 2;
			}
			state_dirs[n_state_dirs++] = optarg;
			break;
		case OPT_VERSION: printf("crsd %s\n", CRS_VERSION); return 0;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fputs(usage, stderr);
		return 2;
	}
	if (ho.listen && !token_file) {
		fprintf(stderr, "crsd: --listen requires --token-file (TCP clients must present "
			"a bearer token)\n");
		return 2;
	}
	if ((ho.tls_cert_path || ho.tls_key_path) &&
	    (!ho.listen || !ho.tls_cert_path || !ho.tls_key_path)) {
		fprintf(stderr, "crsd: --tls-cert and --tls-key go together, and with --listen "
			"(TLS is for the TCP listener)\n");
		return 2;
	}
	if (token_file && !(ho.token = read_token(token_file)))
		return 2;
	if (ho.max_body < 1024) {
		fprintf(stderr, "crsd: --max-body: at least 1024\n");
		return 2;
	}

	if (ho.tls_cert_path) {
		if (!http_tls_supported()) {
			fprintf(stderr, "crsd: --tls-cert: this libmicrohttpd was built without "
				"TLS support\n");
			return 1;
		}
		ho.tls_cert = tls_cert = read_pem("--tls-cert", ho.tls_cert_path, false);
		ho.tls_key = tls_key = tls_cert ? read_pem("--tls-key", ho.tls_key_path, true) :
					   NULL;
		if (!tls_key) {
			free(tls_cert);
			free((char *)ho.token);
			return 1;
		}
	}

	umask(077);	/* the database and its WAL: crsd's user only */
	crsd_started_ns = crsd_now_ns();
	/* Threads started below inherit this mask; the main thread waits for them. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	make_parent(crsd_db_path);
	if (store_open(crsd_db_path, errbuf, sizeof(errbuf))) {
		fprintf(stderr, "crsd: store: %s\n", errbuf);
		return 1;
	}
	if (!instrumented) {
		char *copy = strdup(crsd_db_path);

		if (!copy || asprintf(&instrumented_default, "%s/instrumented-images",
				      dirname(copy)) < 0) {
			fprintf(stderr, "crsd: out of memory\n");
			return 1;
		}
		free(copy);
		instrumented = instrumented_default;
	}
	/* Without it crsd-hook could not fail closed while crsd is down. */
	instrumented_init(instrumented);
	if (instrumented_write()) {
		fprintf(stderr, "crsd: refusing to start without %s\n", instrumented);
		store_close();
		return 1;
	}
	store_events_prune((int64_t)ev_max, (int64_t)ev_age * 1000000000);
	if (export_init(ev_jsonl, ev_syslog)) {
		store_close();
		return 1;
	}
	/* Containers that started or stopped while crsd was down: before reconcile. */
	if (n_state_dirs)
		discover_run(cgroup_root, state_dirs, n_state_dirs);
	else
		discover_run(cgroup_root, default_state_dirs,
			     sizeof(default_state_dirs) / sizeof(default_state_dirs[0]));
	if (!no_kernel) {
		kernel_init(true);
		reconcile_start();
		learn_start(learn_poll_ms);
	}
	if (http_start(&ho)) {
		learn_stop();
		reconcile_stop();
		kernel_fini();
		export_fini();
		store_close();
		free((char *)ho.token);
		free(instrumented_default);
		free(tls_cert);
		free(tls_key);
		return 1;
	}
	fprintf(stderr, "crsd: ready (store %s)\n", crsd_db_path);
	for (;;) {
		struct timespec ts = { .tv_sec = 60 };

		sig = sigtimedwait(&set, NULL, &ts);
		if (sig < 0) {
			if (errno == EAGAIN) {
				store_events_prune((int64_t)ev_max, (int64_t)ev_age * 1000000000);
				instrumented_retry();
			}
			continue;
		}
		if (sig == SIGHUP) {
			export_reopen();	/* logrotate */
			/* Token rotation: the old token stops working now. */
			if (token_file) {
				char *t = read_token(token_file);

				if (t) {
					http_set_token(t);
					fprintf(stderr, "crsd: SIGHUP: token reloaded from %s\n",
						token_file);
				} else {
					fprintf(stderr, "crsd: SIGHUP: token not reloaded; "
						"the old one stays\n");
				}
			}
			continue;
		}
		break;
	}
	fprintf(stderr, "crsd: signal %d, shutting down\n", sig);
	crsd_events_shutdown();
	http_stop();
	learn_stop();
	reconcile_stop();
	kernel_fini();
	export_fini();	/* after the event thread: what it stored is written out */
	store_close();
	free((char *)ho.token);
	free(instrumented_default);
	free(tls_cert);
	if (tls_key) {
		explicit_bzero(tls_key, strlen(tls_key));
		free(tls_key);
	}
	return 0;
}
