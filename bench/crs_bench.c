// SPDX-License-Identifier: GPL-2.0
/*
 * crs_bench - hot-path workloads for `make bench` (run in the guest).
 *
 *   crs_bench open N         N x openat+close of a small file; prints ns/op
 *   crs_bench exec N         N x fork+execve(self, "noop")+wait; prints ns/op
 *   crs_bench policy N       a policy with N file rules (exact, subtree and a
 *                            few globs, none matching the benchmark paths) on stdout
 *   crs_bench noop           exit 0 at once (the exec target)
 *
 * Timing uses CLOCK_MONOTONIC; under `--bench` (QEMU -icount) the guest
 * clock counts instructions, so results repeat. Only ratios against a
 * baseline from the same boot mean anything.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "noop"))
		return 0;
	if (argc != 3) {
		fprintf(stderr, "usage: crs_bench open|exec|policy N | noop\n");
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
