// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * rawhttp SOCKET: send standard input, byte for byte, to the Unix socket
 * and copy what comes back to standard output, until the peer closes or
 * 3 s pass without data. For requests curl will not send (api_test.sh).
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[65536];
	ssize_t n;
	int fd;

	if (argc != 2 || strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "usage: rawhttp SOCKET < request\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("rawhttp: connect");
		return 1;
	}
	while ((n = read(0, buf, sizeof(buf))) > 0) {
		char *p = buf;

		while (n > 0) {
			ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

			if (w <= 0)
				goto drain;	/* the server closed early: read its answer */
			p += w;
			n -= w;
		}
	}
	shutdown(fd, SHUT_WR);
drain:
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 3000) <= 0)
			break;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		fwrite(buf, 1, n, stdout);
	}
	close(fd);
	return 0;
}
