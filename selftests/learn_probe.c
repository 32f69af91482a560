// SPDX-License-Identifier: GPL-2.0
/*
 * learn_probe - the "behaviours it never showed" of the learning proof
 * (selftests/learn_e2e.sh, docs/learning.md section 7).
 *
 *   learn_probe --benign PORT    what it does while its container learns: read
 *                                /etc/hostname, listen on 127.0.0.1:PORT+1, fetch /
 *                                from 127.0.0.1:PORT, run /bin/true
 *   learn_probe CHECK [ARG]      one thing it never did, then print
 *                                "CHECK: ok" or "CHECK: ERRNO-NAME" and exit 0
 *     exec                       execve("/usr/bin/bash", ...): a shell
 *     shadow                     open("/etc/shadow", O_RDONLY)
 *     connect ADDR PORT          TCP connect to an address it never used
 *     bind PORT                  bind a TCP socket to 127.0.0.1:PORT and listen
 *     ptrace                     ptrace(PTRACE_TRACEME)
 *
 * The benign run makes every system call the first four checks need, so a
 * policy learned from it refuses those by their file, execute, network and
 * listener rules (EACCES), and ptrace, which it never called, by the syscall
 * allowlist (EPERM). The caller asserts the errno. A setup failure exits 2.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int report(const char *check, int err)
{
	if (!err)
		printf("%s: ok\n", check);
	else
		printf("%s: %s\n", check, strerrorname_np(err) ? strerrorname_np(err) : "E?");
	return 0;
}

static int tcp_to(const char *addr, int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, err;

	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
		fprintf(stderr, "learn_probe: bad address %s\n", addr);
		exit(2);
	}
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0) {
		perror("learn_probe: socket");
		exit(2);
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static int benign(int port)
{
	static const char req[] = "GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";
	char buf[4096];
	ssize_t n, total = 0;
	int fd;

	fd = open("/etc/hostname", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf)) < 0) {
		perror("learn_probe: /etc/hostname");
		return 1;
	}
	close(fd);
	fd = tcp_to("127.0.0.1", port);
	if (fd < 0) {
		perror("learn_probe: connect");
		return 1;
	}
	if (write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
		perror("learn_probe: write");
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += n;
	close(fd);
	if (n < 0 || total == 0) {
		fprintf(stderr, "learn_probe: no answer from port %d\n", port);
		return 1;
	}
	printf("benign: ok (%zd bytes)\n", total);
	return 0;
}

/* Listen on 127.0.0.1:port for a moment: the port it is allowed to bind. */
static int benign_listen(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		perror("learn_probe: listen");
		return 1;
	}
	close(fd);
	return 0;
}

/* Run /bin/true: the one program it may execute. */
static int benign_exec(void)
{
	pid_t child = fork();
	int st;

	if (child < 0) {
		perror("learn_probe: fork");
		return 1;
	}
	if (!child) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(child, &st, 0) != child || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "learn_probe: /bin/true failed (status 0x%x)\n", st);
		return 1;
	}
	return 0;
}


int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	int fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c, "--benign") && argc == 3)
		return benign_listen(atoi(argv[2]) + 1) || benign(atoi(argv[2])) || benign_exec();
	if (!strcmp(c, "exec") && argc == 2) {
		char *sh_argv[] = { "bash", "-c", "exit 0", NULL };

		execv("/usr/bin/bash", sh_argv);
		return report("exec", errno);
	}
	if (!strcmp(c, "shadow") && argc == 2) {
		fd = open("/etc/shadow", O_RDONLY);
		return report("shadow", fd < 0 ? errno : 0);
	}
	if (!strcmp(c, "connect") && argc == 4) {
		fd = tcp_to(argv[2], atoi(argv[3]));
		/* a refused connection still means the policy let it out */
		return report("connect", fd < 0 && errno != ECONNREFUSED ? errno : 0);
	}
	if (!strcmp(c, "bind") && argc == 3) {
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(argv[2])) };
		int err = 0;

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0) {
			perror("learn_probe: socket");
			return 2;
		}
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0)
			err = errno;
		return report("bind", err);
	}
	/* TRACEME: harmless if it were allowed (nobody attaches) */
	if (!strcmp(c, "ptrace") && argc == 2)
		return report("ptrace", ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 ? errno : 0);
	fprintf(stderr, "usage: learn_probe --benign PORT | exec | shadow | connect ADDR PORT | bind PORT | ptrace\n");
	return 2;
}
