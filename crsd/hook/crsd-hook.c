// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crsd-hook: the OCI runtime hook that tells crsd about containers.
 *
 *   crsd-hook [--socket PATH] [--instrumented-file PATH] [--wait SEC]
 *             [--strict] create | delete
 *
 * Reads the OCI state ({"id", "pid", "bundle", "annotations", ...}) on
 * standard input. "create" (the createRuntime stage: the container's
 * process and cgroup exist, the user's program has not started) registers
 * the container with crsd (POST /api/v1/containers: id, image, the cgroup
 * v2 directory of pid, its id, pid) and then waits up to --wait seconds
 * (default 5) until crsd has reconciled it, so that its policy is in
 * crs.ko before the container starts. "delete" (poststop) unregisters it.
 *
 * The image comes from the first of these annotations, in the state or
 * else in the bundle's config.json: io.crs.image (set it yourself, e.g.
 * podman run --annotation io.crs.image=nginx:1.25),
 * io.kubernetes.cri.image-name (containerd), io.kubernetes.cri-o.ImageName
 * (CRI-O).
 *
 * crsd down (connect fails, no answer within 10 s, or a 5xx): the hook
 * reads crsd's instrumented-images file (--instrumented-file, default
 * /var/lib/crsd/instrumented-images: the images with a policy, one
 * normalized reference a line). An image listed there is refused (exit 1:
 * fail closed); one not listed starts, with a notice. The file is trusted
 * only if it is a regular file (never through a symlink) owned by root (or
 * by the hook's own user), not writable by group or others, and at most
 * 16 MiB; otherwise nothing can be proved and the container is refused. A
 * missing or unreadable file (a host where crsd never ran) lets it start
 * with a warning.
 *
 * Otherwise the hook fails open: without an image, if crsd refuses the
 * container or its policy could not be applied, it says why on standard
 * error and exits 0 so the container still runs (unconfined).
 *
 * --strict fails closed on any doubt: each of those cases, crsd down
 * whatever the file says, exits 1 and the runtime refuses the container.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <json-c/json.h>
#include "crsnl.h"
/* crsd_image_normalize() (imageref.c), as crsd spells images; crsd_oci_image() (oci.c) */
#include "../crsd.h"

#define INSTRUMENTED_MAX	(16 << 20)	/* 65536 images of 255 characters */

static const char *sock_path = "/run/crsd.sock";
static const char *instrumented_path = "/var/lib/crsd/instrumented-images";
static bool strict;
static const char *consequence = "";	/* what failing open means */

static const char usage[] =
	"Usage: crsd-hook [--socket PATH] [--instrumented-file PATH] [--wait SEC]\n"
	"                 [--strict] create|delete\n"
	"OCI hook: reads the container state on standard input and registers\n"
	"(create, at createRuntime) or unregisters (delete, at poststop) the\n"
	"container with crsd. See docs/crsd.md.\n";

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "crsd-hook: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", strict ? "" : consequence);
	return strict ? 1 : 0;
}

/*
 * One HTTP/1.1 request over the Unix socket; the status code, or -errno.
 * The response body (NUL-terminated, at most len - 1 bytes) into resp.
 */
static int http(const char *method, const char *path, const char *body, char *resp, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char head[512], buf[8192];
	size_t got = 0, blen = body ? strlen(body) : 0;
	const char *p;
	int fd, n, code;

	if (strlen(sock_path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		n = -errno;
		close(fd);
		return n;
	}
	n = snprintf(head, sizeof(head),
		     "%s %s HTTP/1.1\r\nHost: crsd\r\nConnection: close\r\n%s"
		     "Content-Length: %zu\r\n\r\n", method, path,
		     body ? "Content-Type: application/json\r\n" : "", blen);
	if (n < 0 || (size_t)n >= sizeof(head) ||
	    send(fd, head, n, MSG_NOSIGNAL) != n ||
	    (blen && send(fd, body, blen, MSG_NOSIGNAL) != (ssize_t)blen)) {
		close(fd);
		return -EIO;
	}
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&pfd, 1, 10000) <= 0)
			break;
		r = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (r <= 0)
			break;
		got += r;
		if (got == sizeof(buf) - 1)
			break;
	}
	close(fd);
	buf[got] = '\0';
	if (sscanf(buf, "HTTP/1.%*d %d", &code) != 1)
		return -EPROTO;
	p = strstr(buf, "\r\n\r\n");
	snprintf(resp, len, "%s", p ? p + 4 : "");
	return code;
}

enum listed { LISTED, NOT_LISTED, NO_FILE, UNTRUSTED };

/*
 * Is the normalized image img in the instrumented-images file? NO_FILE:
 * missing or unreadable; UNTRUSTED: a symlink, not a regular file, owned
 * by someone else, writable by group or others, or too large. why says so.
 */
static enum listed instrumented(const char *img, char *why, size_t wlen)
{
	struct stat st;
	char *buf, *line, *next;
	size_t got = 0;
	enum listed ret = NOT_LISTED;
	int fd, e;

	/* O_NOFOLLOW: never through a symlink; O_NONBLOCK: a FIFO cannot stall us. */
	fd = open(instrumented_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		snprintf(why, wlen, "%s: %s", instrumented_path,
			 e == ELOOP ? "a symbolic link" : strerror(e));
		return e == ELOOP ? UNTRUSTED : NO_FILE;
	}
	if (fstat(fd, &st)) {
		snprintf(why, wlen, "%s: %s", instrumented_path, strerror(errno));
		close(fd);
		return NO_FILE;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 022) || st.st_size > INSTRUMENTED_MAX) {
		snprintf(why, wlen, "%s: untrusted (%s)", instrumented_path,
			 !S_ISREG(st.st_mode) ? "not a regular file" :
			 (st.st_mode & 022) ? "writable by group or others" :
			 st.st_size > INSTRUMENTED_MAX ? "larger than 16 MiB" : "not owned by root");
		close(fd);
		return UNTRUSTED;
	}
	buf = malloc(INSTRUMENTED_MAX + 2);
	if (!buf) {
		snprintf(why, wlen, "%s: out of memory", instrumented_path);
		close(fd);
		return NO_FILE;
	}
	for (;;) {	/* at most INSTRUMENTED_MAX + 1 bytes, whatever fstat said */
		ssize_t r = read(fd, buf + got, INSTRUMENTED_MAX + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(why, wlen, "%s: %s", instrumented_path, strerror(errno));
			ret = NO_FILE;
			break;
		}
		if (!r)
			break;
		got += r;
		if (got > INSTRUMENTED_MAX) {
			snprintf(why, wlen, "%s: untrusted (larger than 16 MiB)",
				 instrumented_path);
			ret = UNTRUSTED;
			break;
		}
	}
	close(fd);
	buf[got] = '\0';
	for (line = buf; ret == NOT_LISTED && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (*line != '#' && !strcmp(line, img))
			ret = LISTED;
	}
	free(buf);
	if (ret == NOT_LISTED)
		snprintf(why, wlen, "not in %s", instrumented_path);
	return ret;
}

/*
 * crsd cannot be reached (reason): refuse the container if its image is
 * instrumented, or if that cannot be ruled out; else let it start.
 */
static int crsd_down(const char *id, const char *image, const char *reason)
{
	char img[CRSD_IMAGE_MAX + 1], why[512];
	enum listed l;

	if (crsd_image_normalize(image, img, sizeof(img))) {
		/* crsd would refuse it too: no assignment can name it. */
		return fail("%s: crsd unreachable at %s (%s); image %s is not a valid reference, "
			    "so not instrumented", id, sock_path, reason, image);
	}
	l = instrumented(img, why, sizeof(why));
	if (l == LISTED) {
		fprintf(stderr, "crsd-hook: %s: crsd unreachable at %s (%s); image %s is "
			"instrumented: refusing to start\n", id, sock_path, reason, img);
		return 1;
	}
	if (l == UNTRUSTED) {
		fprintf(stderr, "crsd-hook: %s: crsd unreachable at %s (%s); %s, so image %s "
			"may be instrumented: refusing to start\n", id, sock_path, reason, why, img);
		return 1;
	}
	if (l == NO_FILE)
		return fail("%s: crsd unreachable at %s (%s); cannot tell whether image %s is "
			    "instrumented: %s", id, sock_path, reason, img, why);
	if (strict) {
		fprintf(stderr, "crsd-hook: %s: crsd unreachable at %s (%s); image %s is not "
			"instrumented, but --strict: refusing to start\n", id, sock_path, reason, img);
		return 1;
	}
	fprintf(stderr, "crsd-hook: %s: crsd unreachable at %s (%s); image %s is not "
		"instrumented (%s): starting it\n", id, sock_path, reason, img, why);
	return 0;
}

/* The cgroup v2 directory of pid: /sys/fs/cgroup + the "0::" line. */
static int cgroup_of(int pid, char *out, size_t len)
{
	char path[64], line[4096];
	FILE *f;
	int r = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, len, "/sys/fs/cgroup%s", strcmp(line + 3, "/") ? line + 3 : "");
		r = 0;
		break;
	}
	fclose(f);
	return r;
}

static int create(struct json_object *state, const char *id, int wait_s)
{
	struct json_object *req, *bundle;
	const char *image = crsd_oci_image(state);
	char cgroup[4200], resp[4096], path[256], reason[64], imgcopy[1024], why[4400];
	uint64_t cgid = 0;
	int pid, code, r;
	time_t deadline;

	pid = json_object_get_int(json_object_object_get(state, "pid"));
	if (image && strlen(image) >= sizeof(imgcopy))
		return fail("%s: image annotation too long", id);
	if (image)
		strcpy(imgcopy, image);
	else if (!json_object_object_get_ex(state, "bundle", &bundle) ||
		 crsd_bundle_image(json_object_get_string(bundle), imgcopy, sizeof(imgcopy),
				   why, sizeof(why)))
		return fail("%s: no image annotation (%s, %s, %s)", id, crsd_image_keys[0],
			    crsd_image_keys[1], crsd_image_keys[2]);
	image = imgcopy;
	if (pid <= 0 || (r = cgroup_of(pid, cgroup, sizeof(cgroup))))
		return fail("%s: no cgroup v2 directory for pid %d", id, pid);
	crs_cgroup_id(cgroup, &cgid);	/* 0 if it fails: crsd resolves the path */
	req = json_object_new_object();
	json_object_object_add(req, "id", json_object_new_string(id));
	json_object_object_add(req, "image", json_object_new_string(image));
	json_object_object_add(req, "cgroup", json_object_new_string(cgroup));
	json_object_object_add(req, "cgroup_id", json_object_new_int64((int64_t)cgid));
	json_object_object_add(req, "pid", json_object_new_int(pid));
	code = http("POST", "/api/v1/containers",
		    json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN),
		    resp, sizeof(resp));
	json_object_put(req);
	if (code < 0 || code >= 500) {
		if (code < 0)
			snprintf(reason, sizeof(reason), "%s", strerror(-code));
		else
			snprintf(reason, sizeof(reason), "HTTP %d", code);
		return crsd_down(id, imgcopy, reason);
	}
	if (code != 200 && code != 201)
		return fail("%s: crsd refused the container (%d): %s", id, code, resp);

	/* Until reconciled: the policy is in crs.ko before the container runs. */
	snprintf(path, sizeof(path), "/api/v1/containers/%s", id);
	deadline = time(NULL) + wait_s;
	for (;;) {
		struct json_object *o = json_tokener_parse(resp), *k, *s;
		const char *st = NULL;
		bool done;

		if (json_object_object_get_ex(o, "kernel", &k) &&
		    json_object_object_get_ex(k, "state", &s))
			st = json_object_get_string(s);
		done = st && strcmp(st, "pending");
		if (done && strcmp(st, "applied") && strcmp(st, "no policy")) {
			json_object_object_get_ex(k, "error", &s);
			r = fail("%s: crsd could not apply its policy: %s%s%s", id, st,
				 s ? ": " : "", s ? json_object_get_string(s) : "");
			json_object_put(o);
			return r;
		}
		json_object_put(o);
		if (done)
			return 0;
		if (time(NULL) >= deadline)
			return fail("%s: crsd did not reconcile it within %d s", id, wait_s);
		usleep(50000);
		code = http("GET", path, NULL, resp, sizeof(resp));
		if (code < 0 || code >= 500) {	/* crsd went away: as if never reached */
			if (code < 0)
				snprintf(reason, sizeof(reason), "%s", strerror(-code));
			else
				snprintf(reason, sizeof(reason), "HTTP %d", code);
			return crsd_down(id, imgcopy, reason);
		}
		if (code != 200)
			return fail("%s: crsd: GET %s: %d", id, path, code);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "instrumented-file", required_argument, NULL, 'i' },
		{ "wait", required_argument, NULL, 'w' },
		{ "strict", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct json_object *state, *idv;
	char resp[4096], path[256];
	const char *id;
	int c, wait_s = 5, r, code;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock_path = optarg; break;
		case 'i': instrumented_path = optarg; break;
		case 'w': wait_s = atoi(optarg); break;
		case 'S': strict = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind + 1 != argc ||
	    (strcmp(argv[optind], "create") && strcmp(argv[optind], "delete"))) {
		fputs(usage, stderr);
		return 2;
	}
	state = json_object_from_fd(0);
	if (!state || !json_object_object_get_ex(state, "id", &idv) ||
	    !json_object_is_type(idv, json_type_string)) {
		json_object_put(state);
		return fail("no OCI state (with an id) on standard input");
	}
	id = json_object_get_string(idv);
	if (!*id || strlen(id) > 64 ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyz"
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != strlen(id)) {
		r = fail("container id %s: not one crsd accepts", id);
		json_object_put(state);
		return r;
	}
	if (!strcmp(argv[optind], "create")) {
		consequence = " (the container runs without crsd's policy)";
		r = create(state, id, wait_s);
	} else {
		snprintf(path, sizeof(path), "/api/v1/containers/%s", id);
		code = http("DELETE", path, NULL, resp, sizeof(resp));
		r = 0;
		if (code < 0)
			r = fail("%s: crsd at %s: %s", id, sock_path, strerror(-code));
		else if (code != 204 && code != 404)
			r = fail("%s: crsd: DELETE: %d %s", id, code, resp);
	}
	json_object_put(state);
	return r;
}
