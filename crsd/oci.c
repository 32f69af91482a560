// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What crsd and crsd-hook read of the OCI world: a container's image from
 * its annotations (in the OCI state, or in the bundle's config.json), and
 * bounded reads of the runtimes' JSON files. Shared by crsd (discover.c)
 * and crsd-hook, which links this file, so both find the same image.
 * Needs only libc and json-c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "crsd.h"

/* In this order: set by the user, by containerd (CRI), by CRI-O. */
const char *const crsd_image_keys[CRSD_IMAGE_KEYS] = {
	"io.crs.image", "io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName",
};

const char *crsd_oci_image(struct json_object *o)
{
	struct json_object *a, *v;
	size_t i;

	if (!json_object_object_get_ex(o, "annotations", &a) ||
	    !json_object_is_type(a, json_type_object))
		return NULL;
	for (i = 0; i < CRSD_IMAGE_KEYS; i++)
		if (json_object_object_get_ex(a, crsd_image_keys[i], &v) &&
		    json_object_is_type(v, json_type_string))
			return json_object_get_string(v);
	return NULL;
}

struct json_object *crsd_json_file(const char *path, size_t max, char *why, size_t wlen)
{
	struct json_object *o = NULL;
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		snprintf(why, wlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(why, wlen, "%s: not a regular file", path);
		goto out;
	}
	buf = malloc(max + 1);
	if (!buf) {
		snprintf(why, wlen, "%s: out of memory", path);
		goto out;
	}
	while (got <= max) {	/* at most max + 1 bytes, whatever fstat said */
		n = read(fd, buf + got, max + 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, wlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (!n)
			break;
		got += n;
	}
	if (got > max) {
		snprintf(why, wlen, "%s: larger than %zu bytes", path, max);
		goto out;
	}
	buf[got] = '\0';
	o = json_tokener_parse(buf);	/* depth-limited (32) */
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
		snprintf(why, wlen, "%s: not a JSON object", path);
	}
out:
	free(buf);
	close(fd);
	return o;
}

int crsd_bundle_image(const char *bundle, char *out, size_t len, char *why, size_t wlen)
{
	char path[CRSD_CGROUP_MAX + 16];
	struct json_object *cfg;
	const char *img;
	int r = -1;

	if (!bundle || bundle[0] != '/') {
		snprintf(why, wlen, "bundle %s: not an absolute path", bundle ? bundle : "(none)");
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", bundle) >= sizeof(path)) {
		snprintf(why, wlen, "bundle path too long");
		return -1;
	}
	cfg = crsd_json_file(path, CRSD_OCI_FILE_MAX, why, wlen);
	if (!cfg)
		return -1;
	img = crsd_oci_image(cfg);
	if (!img)
		snprintf(why, wlen, "%s: no image annotation (%s, %s, %s)", path,
			 crsd_image_keys[0], crsd_image_keys[1], crsd_image_keys[2]);
	else if (strlen(img) >= len)
		snprintf(why, wlen, "%s: image annotation too long", path);
	else {
		strcpy(out, img);
		r = 0;
	}
	json_object_put(cfg);
	return r;
}
