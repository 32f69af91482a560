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
 *   crs_bench noop           exit 0 at once (the exec target)
 *
 * Timing uses CLOCK_MONOTONIC; under `--bench` (QEMU -icount) the guest
 * clock counts instructions, so results repeat. Only ratios against a
 * baseline from the same boot mean anything.
 */
#include <fcntl.h>
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
	if (argc != 3) {
		fprintf(stderr, "usage: crs_bench open|exec|policy N | getppid|mixed N [CGROUP] |"
			" syscall-policy | allowlist | noop\n");
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
