// SPDX-License-Identifier: GPL-2.0
/*
 * crs_bench - hot-path workloads for `make bench` (run in the guest).
 *
 *   crs_bench open N         N x openat+close of a small file; prints ns/op
 *   crs_bench exec N         N x fork+execve(self, "noop")+wait; prints ns/op
 *   crs_bench policy N       a policy with N file rules (exact, subtree and a
 *                            few globs, none matching the benchmark paths) on stdout
 *   crs_bench getppid N [CG] N x getppid; joins cgroup directory CG first
 *   crs_bench mixed N [CG]   N x (getppid, getuid, personality query, close(-1),
 *                            lseek(-1)): five syscalls, one of them (personality)
 *                            named by the bench's syscall rules; ns per iteration
 *   crs_bench syscall-policy  a policy with 5 syscall deny rules on stdout
 *   crs_bench allowlist       a 60-syscall allowlist (default deny) on stdout
 *   crs_bench tcp N [CG]     N x (socket, connect to a loopback listener, accept,
 *                            close both: RST, no TIME_WAIT); the listener is made
 *                            before joining cgroup directory CG, so only the
 *                            connecting side is policed; ns per connection
 *   crs_bench udp N [CG]     N x sendto 127.0.0.1 on an unconnected UDP socket
 *                            (+ recv on a receiver made before joining CG); ns/op
 *   crs_bench udp-in N RCG [SCG]  inbound: the receiver socket is made in cgroup
 *                            RCG, then the sender (joining SCG first) does N x
 *                            sendto+recv: the LOCAL_IN decision is the receiver's
 *   crs_bench net-policy N   a policy with N network rules on stdout: N-2 outbound
 *                            denies for 10.x.y.z at prefix lengths /32 /28 /24
 *                            /20 /16 (none matching 127.0.0.1), then outbound and
 *                            inbound allows for 127.0.0.0/8, which the tcp/udp
 *                            loops hit after probing every longer prefix length
 *   crs_bench net-check CG   in cgroup CG (under a net-policy table): a UDP connect
 *                            to 10.0.0.0:53 (its first rule) must fail with EACCES
 *                            and one to 127.0.0.1:7501 must work
 *   crs_bench mkfiles N DIR  creates DIR/f0 .. DIR/f(N-1)
 *   crs_bench learnfill N DIR  opens each of those once (every open a new
 *                            observation for a learning cgroup); prints ns per open
 *   crs_bench noop           exit 0 at once (the exec target)
 *
 * Timing uses CLOCK_MONOTONIC; under `--bench` (QEMU -icount) the guest
 * clock counts instructions, so results repeat. Only ratios against a
 * baseline from the same boot mean anything.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BENCH_FILE "/tmp/crs-bench-file"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int bench_open(long n)
{
	double t0;
	long i;
	int fd = open(BENCH_FILE, O_CREAT | O_WRONLY, 0644);

	if (fd < 0) {
		perror(BENCH_FILE);
		return 1;
	}
	close(fd);
	/* warm up caches (dentry, program path cache) */
	for (i = 0; i < 1000; i++)
		close(open(BENCH_FILE, O_RDONLY));
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		fd = open(BENCH_FILE, O_RDONLY);
		if (fd < 0) {
			perror("open");
			return 1;
		}
		close(fd);
	}
	printf("%.1f\n", (now_ns() - t0) / n);
	return 0;
}

/* The files of learnfill, made outside the learning cgroup. */
static int bench_mkfiles(long n, const char *dir)
{
	char path[4096];
	long i;
	int fd;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		fd = open(path, O_CREAT | O_WRONLY, 0644);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	return 0;
}

/* Distinct files, each opened once: the learned set's insert path. */
static int bench_learnfill(long n, const char *dir)
{
	char path[4096];
	double t0;
	long i;
	int fd;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/f%ld", dir, i);
		fd = open(path, O_RDONLY);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		close(fd);
	}
	printf("%.1f\n", (now_ns() - t0) / n);
	return 0;
}

static int bench_exec(long n, const char *self)
{
	double t0;
	long i;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		pid_t pid = fork();
		int st;

		if (pid == 0) {
			execl(self, self, "noop", (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "exec iteration %ld failed\n", i);
			return 1;
		}
	}
	printf("%.1f\n", (now_ns() - t0) / n);
	return 0;
}

static int gen_policy(long n)
{
	long i;

	printf("{\"name\":\"bench-%ld\",\"mode\":\"enforce\",\"rules\":[", n);
	for (i = 0; i < n; i++) {
		const char *sep = i ? "," : "";

		if (i % 100 == 99)	/* 1% globs */
			printf("%s{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/glob%ld/*/x*\","
			       "\"access\":[\"write\"]}", sep, i);
		else if (i % 2)
			printf("%s{\"type\":\"file\",\"action\":\"deny\",\"path\":\"/srv/d%ld/**\","
			       "\"access\":[\"read\",\"write\"]}", sep, i);
		else
			printf("%s{\"type\":\"file\",\"program\":\"/usr/bin/p%ld\",\"action\":\"deny\","
			       "\"path\":\"/data/f%ld\",\"access\":[\"read\"]}", sep, i, i);
	}
	printf("]}\n");
	return 0;
}

/* Join a cgroup ourselves, so nothing else (the shell) runs under its table. */
static int join(const char *cg)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

static int bench_syscalls(long n, bool mixed)
{
	double t0;
	long i;

	for (i = 0; i < 1000; i++)
		syscall(SYS_getppid);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		syscall(SYS_getppid);
		if (!mixed)
			continue;
		syscall(SYS_getuid);
		syscall(SYS_personality, 0xffffffffUL);
		syscall(SYS_close, -1);
		syscall(SYS_lseek, -1, 0, SEEK_SET);
	}
	printf("%.1f\n", (now_ns() - t0) / n);
	return 0;
}

static int syscall_policy(void)
{
	static const char *const rules[] = {
		"{\"type\":\"syscall\",\"action\":\"deny\",\"syscall\":\"ptrace\","
		"\"args\":[{\"index\":0,\"op\":\"eq\",\"value\":16}]}",
		"{\"type\":\"syscall\",\"action\":\"deny\",\"syscall\":\"mount\"}",
		"{\"type\":\"syscall\",\"action\":\"deny\",\"syscall\":\"unshare\","
		"\"args\":[{\"index\":0,\"op\":\"mask_any\",\"value\":1073741824}]}",
		"{\"type\":\"syscall\",\"action\":\"deny\",\"syscall\":\"personality\","
		"\"args\":[{\"index\":0,\"op\":\"eq\",\"value\":8}]}",
		"{\"type\":\"syscall\",\"action\":\"deny\",\"syscall\":\"keyctl\"}",
	};
	size_t i;

	printf("{\"name\":\"bench-syscalls\",\"mode\":\"enforce\",\"rules\":[");
	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		printf("%s%s", i ? "," : "", rules[i]);
	printf("]}\n");
	return 0;
}

/* What the bench loop needs after joining, plus harmless ones up to 60. */
static int allowlist(void)
{
	static const char *const calls[] = {
		"getppid", "getuid", "personality", "close", "lseek", "write", "exit_group",
		"exit", "rt_sigreturn", "fstat", "newfstatat", "brk", "mmap", "munmap",
		"getpid", "gettid", "getgid", "geteuid", "getegid", "getpgrp", "getsid",
		"getpgid", "getcwd", "uname", "sched_yield", "getrusage", "times", "sysinfo",
		"getpriority", "umask", "getrlimit", "prlimit64", "clock_gettime",
		"clock_getres", "gettimeofday", "time", "nanosleep", "clock_nanosleep",
		"read", "pread64", "pwrite64", "readv", "writev", "dup", "dup2", "dup3",
		"fcntl", "ioctl", "rt_sigaction", "rt_sigprocmask", "sigaltstack",
		"getrandom", "madvise", "mprotect", "futex", "set_robust_list",
		"get_robust_list", "rseq", "set_tid_address", "capget",
	};
	size_t i;

	printf("{\"name\":\"bench-allowlist\",\"mode\":\"enforce\","
	       "\"default_actions\":{\"syscall\":\"deny\"},\"rules\":[");
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		printf("%s{\"type\":\"syscall\",\"action\":\"allow\",\"syscall\":\"%s\"}",
		       i ? "," : "", calls[i]);
	printf("]}\n");
	return 0;
}


/* ---------------------------------------------------------- network loops */

#define NET_PORT_TCP	7500
#define NET_PORT_UDP	7501
#define NET_PORT_UDP_IN	7502

static struct sockaddr_in lo_addr(int port)
{
	struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int lo_socket(int type, int port)
{
	struct sockaddr_in a = lo_addr(port);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0) {
		perror("socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(fd, 128))) {
		perror("bind/listen on 127.0.0.1");
		close(fd);
		return -1;
	}
	return fd;
}

static int tcp_once(int lfd, const struct sockaddr_in *a)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), s;

	if (c < 0)
		return -1;
	/* close with RST: no TIME_WAIT, so ports never run out */
	setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (connect(c, (const struct sockaddr *)a, sizeof(*a))) {
		perror("connect");
		close(c);
		return -1;
	}
	s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0) {
		perror("accept");
		close(c);
		return -1;
	}
	close(c);
	close(s);
	return 0;
}

static int bench_tcp(long n, const char *cg)
{
	struct sockaddr_in a = lo_addr(NET_PORT_TCP);
	int lfd = lo_socket(SOCK_STREAM, NET_PORT_TCP);
	double t0;
	long i;

	if (lfd < 0 || (cg && join(cg)))
		return 1;
	for (i = 0; i < 200; i++)
		if (tcp_once(lfd, &a))
			return 1;
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (tcp_once(lfd, &a))
			return 1;
	printf("%.1f\n", (now_ns() - t0) / n);
	close(lfd);
	return 0;
}

/* N x (sendto the receiver, recv it); the receiver @r exists already. */
static int udp_loop(long n, int r, int port)
{
	struct sockaddr_in a = lo_addr(port);
	char buf[64] = "crs-bench";
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	double t0 = 0;
	long i;

	if (s < 0) {
		perror("socket");
		return 1;
	}
	for (i = -1000; i < n; i++) {
		if (i == 0)
			t0 = now_ns();
		if (sendto(s, buf, 16, 0, (struct sockaddr *)&a, sizeof(a)) != 16) {
			perror("sendto");
			return 1;
		}
		if (recv(r, buf, sizeof(buf), 0) != 16) {
			perror("recv");
			return 1;
		}
	}
	printf("%.1f\n", (now_ns() - t0) / n);
	close(s);
	return 0;
}

static int bench_udp(long n, const char *cg)
{
	int r = lo_socket(SOCK_DGRAM, NET_PORT_UDP);

	if (r < 0 || (cg && join(cg)))
		return 1;
	return udp_loop(n, r, NET_PORT_UDP);
}

static int bench_udp_in(long n, const char *rcg, const char *scg)
{
	int r;

	if (join(rcg))
		return 1;
	r = lo_socket(SOCK_DGRAM, NET_PORT_UDP_IN);	/* its cgroup: rcg */
	if (r < 0 || (scg && join(scg)))
		return 1;
	return udp_loop(n, r, NET_PORT_UDP_IN);
}

static int net_check(const char *cg)
{
	struct sockaddr_in a = lo_addr(53), b = lo_addr(NET_PORT_UDP);
	int s;

	if (join(cg))
		return 1;
	a.sin_addr.s_addr = htonl(10U << 24);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) == 0 || errno != EACCES) {
		fprintf(stderr, "net-check: connect 10.0.0.0:53: %s (want EACCES)\n", strerror(errno));
		return 1;
	}
	if (connect(s, (struct sockaddr *)&b, sizeof(b))) {
		perror("net-check: connect 127.0.0.1");
		return 1;
	}
	close(s);
	return 0;
}

static int net_policy(long n)
{
	static const int plen[] = { 32, 28, 24, 20, 16 };
	long i;

	printf("{\"name\":\"bench-net-%ld\",\"mode\":\"enforce\",\"rules\":[", n);
	for (i = 0; i < n - 2; i++) {
		int l = plen[i % 5];
		uint32_t a = (10U << 24) | (uint32_t)(i * 65537 % (1 << 24));

		a &= l ? ~0U << (32 - l) : 0;
		printf("%s{\"type\":\"network\",\"direction\":\"outbound\",\"action\":\"deny\","
		       "\"protocol\":\"%s\",\"address\":\"%u.%u.%u.%u/%d\",\"port\":\"%s\"}",
		       i ? "," : "", i % 3 == 0 ? "udp" : i % 3 == 1 ? "tcp" : "any",
		       a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255, l,
		       i % 2 ? "*" : "1-1024");
	}
	printf("%s{\"type\":\"network\",\"direction\":\"outbound\",\"action\":\"allow\","
	       "\"address\":\"127.0.0.0/8\",\"port\":\"7000-7999\"}", n > 2 ? "," : "");
	printf(",{\"type\":\"network\",\"direction\":\"inbound\",\"action\":\"allow\","
	       "\"address\":\"127.0.0.0/8\",\"port\":\"7000-7999\"}");
	printf("]}\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "noop"))
		return 0;
	if (argc == 2 && !strcmp(argv[1], "syscall-policy"))
		return syscall_policy();
	if (argc == 2 && !strcmp(argv[1], "allowlist"))
		return allowlist();
	if (argc >= 3 && (!strcmp(argv[1], "getppid") || !strcmp(argv[1], "mixed"))) {
		if (argc == 4 && join(argv[3]))
			return 1;
		return bench_syscalls(atol(argv[2]), !strcmp(argv[1], "mixed"));
	}
	if (argc >= 3 && (!strcmp(argv[1], "tcp") || !strcmp(argv[1], "udp")))
		return (argv[1][0] == 't' ? bench_tcp : bench_udp)(atol(argv[2]),
								    argc >= 4 ? argv[3] : NULL);
	if (argc >= 4 && !strcmp(argv[1], "udp-in"))
		return bench_udp_in(atol(argv[2]), argv[3], argc >= 5 ? argv[4] : NULL);
	if (argc == 3 && !strcmp(argv[1], "net-check"))
		return net_check(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "mkfiles"))
		return bench_mkfiles(atol(argv[2]), argv[3]);
	if (argc == 4 && !strcmp(argv[1], "learnfill"))
		return bench_learnfill(atol(argv[2]), argv[3]);
	if (argc == 3 && !strcmp(argv[1], "net-policy"))
		return net_policy(atol(argv[2]));
	if (argc != 3) {
		fprintf(stderr, "usage: crs_bench open|exec|policy N | getppid|mixed N [CGROUP] |"
			" syscall-policy | allowlist | noop |\n"
			"       tcp|udp N [CGROUP] | udp-in N RECV_CGROUP [SEND_CGROUP] | net-policy N\n");
		return 2;
	}
	if (!strcmp(argv[1], "open"))
		return bench_open(atol(argv[2]));
	if (!strcmp(argv[1], "exec")) {
		char self[4096];
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

		if (n < 0) {
			perror("/proc/self/exe");
			return 1;
		}
		self[n] = '\0';
		return bench_exec(atol(argv[2]), self);
	}
	if (!strcmp(argv[1], "policy"))
		return gen_policy(atol(argv[2]));
	fprintf(stderr, "unknown workload %s\n", argv[1]);
	return 2;
}
