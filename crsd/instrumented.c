// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The instrumented-images file: every normalized image reference that has
 * a policy assignment, one a line, after a "#" comment line. crsd-hook
 * reads it only when crsd cannot be reached, to refuse a container whose
 * image has a policy (fail closed) and let the others start.
 *
 * Rewritten at start and after every change to the assignments: the list
 * goes to a temporary file in the same directory, which is fsync'd,
 * renamed over the file, and then the directory is fsync'd, so a reader
 * sees the old list or the new one, never a part, and a crash keeps one of
 * them. Mode 0644, owned by crsd's user (root in production: the hook
 * refuses a file owned by anyone else). One writer at a time: each write
 * reads the store afresh under the mutex, so the last rename holds the
 * latest list.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "crsd.h"

static const char *file_path;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static bool dirty;

void instrumented_init(const char *path)
{
	file_path = path;
}

static void line_cb(const char *image, const char *policy_id, const char *policy_name,
		    int64_t assigned, void *arg)
{
	fprintf(arg, "%s\n", image);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= w;
	}
	return 0;
}

static int write_locked(void)
{
	char *buf = NULL, *tmp = NULL, *dcopy = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int fd = -1, dfd = -1, r;

	if (!f)
		return -ENOMEM;
	fprintf(f, "# crsd: images with a policy (crsd-hook refuses them while crsd is down); "
		"written by crsd, do not edit\n");
	r = store_image_list(line_cb, f) ? -EIO : 0;
	if (fclose(f) && !r)
		r = -ENOMEM;
	if (r)
		goto out;
	if (asprintf(&tmp, "%s.XXXXXX", file_path) < 0) {
		tmp = NULL;
		r = -ENOMEM;
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		free(tmp);
		tmp = NULL;
		goto out;
	}
	if (fchmod(fd, 0644) || (r = write_all(fd, buf, len)) || fsync(fd)) {
		r = r ? r : -errno;
		goto out;
	}
	r = close(fd) ? -errno : 0;
	fd = -1;
	if (r)
		goto out;
	if (rename(tmp, file_path)) {
		r = -errno;
		goto out;
	}
	free(tmp);
	tmp = NULL;
	dcopy = strdup(file_path);
	if (!dcopy) {
		r = -ENOMEM;
		goto out;
	}
	dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd))
		r = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(dcopy);
	free(buf);
	return r;
}

int instrumented_write(void)
{
	int r;

	if (!file_path)
		return 0;
	pthread_mutex_lock(&mu);
	r = write_locked();
	if (r && !dirty)
		fprintf(stderr, "crsd: %s: not updated: %s; crsd-hook may let an instrumented "
			"container start while crsd is down (retried every 60 s)\n",
			file_path, strerror(-r));
	else if (!r && dirty)
		fprintf(stderr, "crsd: %s: updated after an earlier failure\n", file_path);
	dirty = r != 0;
	pthread_mutex_unlock(&mu);
	return r;
}

void instrumented_retry(void)
{
	bool d;

	pthread_mutex_lock(&mu);
	d = dirty;
	pthread_mutex_unlock(&mu);
	if (d)
		instrumented_write();
}
