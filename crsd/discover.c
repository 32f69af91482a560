// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Container discovery at start, before the first reconcile pass: crsd may
 * have been down (or newly installed) while containers started and
 * stopped, and crsd-hook could not tell it.
 *
 * First, stored containers whose cgroup directory is gone (their poststop
 * hook was missed) are removed. Only cgroups under the cgroup root are
 * judged: a path elsewhere is not ours to call gone.
 *
 * Then the cgroup v2 tree is walked (at most 16 levels, 100000
 * directories, symlinks not followed) for the cgroups of the common
 * runtimes:
 *   systemd driver:  docker-ID.scope, libpod-ID.scope, crio-ID.scope,
 *                    cri-containerd-ID.scope (ID: 64 lowercase hex digits)
 *   cgroupfs driver: a directory named ID below a "docker", "kubepods*"
 *                    or "libpod_parent" directory
 *   crun/runc alone: /ID directly under the root, when a runtime's state
 *                    directory has a container ID
 * A matched cgroup is not descended into. A container the store does not
 * know is registered with the image of its bundle's config.json (the
 * annotations crsd-hook reads, oci.c). The bundle comes from the runtime's
 * state, looked up in each state directory DIR as
 *   DIR/ID/status      crun: {"bundle": PATH, ...}
 *   DIR/ID/state.json  runc: {"config": {"labels": ["bundle=PATH", ...]}}
 * and one level down (DIR/NS/ID/...), which is how containerd's and
 * docker's runc roots are laid out (/run/containerd/runc/k8s.io/ID).
 * A container whose image cannot be found is logged and skipped.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "crsd.h"

#define MAX_DEPTH	16
#define MAX_DIRS	100000
#define MAX_NS		64		/* subdirectories of a state directory */

struct ctx {
	const char *root;
	const char *const *dirs;
	size_t n_dirs;
	unsigned seen;
	unsigned registered, skipped, known;
	bool truncated;
};

static bool hex64(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* "docker-ID.scope" and the like: the ID into id, else false. */
static bool scope_id(const char *name, char *id)
{
	static const char *const prefixes[] = {
		"docker-", "libpod-", "crio-", "cri-containerd-",
	};
	size_t n = strlen(name), i, pl;

	if (n < 6 || strcmp(name + n - 6, ".scope"))
		return false;
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		pl = strlen(prefixes[i]);
		if (n > pl + 6 && !strncmp(name, prefixes[i], pl) &&
		    hex64(name + pl, n - pl - 6)) {
			memcpy(id, name + pl, 64);
			id[64] = '\0';
			return true;
		}
	}
	return false;
}

/* rel (relative to the root) has a docker, kubepods* or libpod_parent component. */
static bool runtime_parent(const char *rel)
{
	const char *p = rel, *e;
	size_t n;

	while (*p) {
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if ((n == 6 && !strncmp(p, "docker", 6)) ||
		    (n >= 8 && !strncmp(p, "kubepods", 8)) ||
		    (n == 13 && !strncmp(p, "libpod_parent", 13)))
			return true;
		p += n;
		while (*p == '/')
			p++;
	}
	return false;
}

/* -1 and why: the file is there but says no bundle; -ENOENT: no such file. */
static int state_file_bundle(const char *dir, const char *id, char *bundle, size_t len,
			     char *why, size_t wlen)
{
	char path[CRSD_CGROUP_MAX + 128];
	struct json_object *o, *v, *cfg, *labels;
	struct stat st;
	const char *b = NULL;
	size_t i, n;
	int crun;

	for (crun = 1; crun >= 0; crun--) {
		if ((size_t)snprintf(path, sizeof(path), "%s/%s/%s", dir, id,
				     crun ? "status" : "state.json") >= sizeof(path))
			return -ENOENT;
		if (lstat(path, &st))
			continue;
		o = crsd_json_file(path, CRSD_OCI_FILE_MAX, why, wlen);
		if (!o)
			return -1;
		if (crun) {
			if (json_object_object_get_ex(o, "bundle", &v) &&
			    json_object_is_type(v, json_type_string))
				b = json_object_get_string(v);
		} else if (json_object_object_get_ex(o, "config", &cfg) &&
			   json_object_object_get_ex(cfg, "labels", &labels) &&
			   json_object_is_type(labels, json_type_array)) {
			n = json_object_array_length(labels);
			for (i = 0; i < n && !b; i++) {
				const char *l = json_object_get_string(
					json_object_array_get_idx(labels, i));

				if (l && !strncmp(l, "bundle=", 7))
					b = l + 7;
			}
		}
		if (!b || !*b || strlen(b) >= len) {
			snprintf(why, wlen, "%s: no bundle in it", path);
			json_object_put(o);
			return -1;
		}
		strcpy(bundle, b);
		json_object_put(o);
		return 0;
	}
	return -ENOENT;
}

/* The bundle of container id from the first state directory that has it. */
static int find_bundle(struct ctx *c, const char *id, char *bundle, size_t len,
		       char *why, size_t wlen)
{
	char sub[CRSD_CGROUP_MAX];
	struct dirent *de;
	size_t i;
	int r, n;
	DIR *d;

	for (i = 0; i < c->n_dirs; i++) {
		r = state_file_bundle(c->dirs[i], id, bundle, len, why, wlen);
		if (r != -ENOENT)
			return r;
		d = opendir(c->dirs[i]);
		if (!d)
			continue;
		for (n = 0; n < MAX_NS && (de = readdir(d)); ) {
			if (de->d_name[0] == '.' || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN))
				continue;
			n++;
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", c->dirs[i], de->d_name) >=
			    sizeof(sub))
				continue;
			r = state_file_bundle(sub, id, bundle, len, why, wlen);
			if (r != -ENOENT) {
				closedir(d);
				return r;
			}
		}
		closedir(d);
	}
	return -ENOENT;
}

/* The first pid in cgroup.procs, 0 if none. */
static int64_t first_pid(const char *cgroup)
{
	char path[CRSD_CGROUP_MAX + 16], buf[32];
	long long pid = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "%lld", &pid) != 1 || pid <= 0 || pid > 0x7fffffff)
		return 0;
	return pid;
}

/* As the API accepts it: absolute (it is, below an absolute root), no control characters. */
static bool cgroup_ok(const char *s)
{
	if (strlen(s) > CRSD_CGROUP_MAX)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Control characters (from directory names, state files) made '?' for the log. */
static char *printable(char *s)
{
	char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

/* A container cgroup: register id unless known. quiet: no state is not worth a word. */
static void candidate(struct ctx *c, const char *id, const char *cgroup, bool quiet)
{
	char bundle[CRSD_CGROUP_MAX], raw[1024], img[CRSD_IMAGE_MAX + 1], why[CRSD_CGROUP_MAX + 256];
	char cg[CRSD_CGROUP_MAX + 1];
	struct crsd_container_row row;
	const char *bad;
	uint64_t cgid = 0;
	bool created;
	int r;

	if (!store_container_get(id, &row)) {
		store_container_row_free(&row);
		c->known++;
		return;
	}
	snprintf(cg, sizeof(cg), "%s", cgroup);
	printable(cg);
	r = find_bundle(c, id, bundle, sizeof(bundle), why, sizeof(why));
	if (r == -ENOENT) {
		if (quiet)
			return;
		snprintf(why, sizeof(why), "no runtime state for it");
	}
	if (r || crsd_bundle_image(bundle, raw, sizeof(raw), why, sizeof(why))) {
		fprintf(stderr, "crsd: discovery: container %s in %s: %s; skipped\n", id, cg,
			printable(why));
		c->skipped++;
		return;
	}
	bad = crsd_image_normalize(raw, img, sizeof(img));
	if (bad) {
		fprintf(stderr, "crsd: discovery: container %s in %s: image %.300s: %s; skipped\n",
			id, cg, printable(raw), bad);
		c->skipped++;
		return;
	}
	if (!cgroup_ok(cgroup)) {
		fprintf(stderr, "crsd: discovery: container %s in %s: a cgroup path crsd does not "
			"accept (too long, or control characters); skipped\n", id, cg);
		c->skipped++;
		return;
	}
	crs_cgroup_id(cgroup, &cgid);	/* 0 if not a cgroup v2 directory: reconcile retries */
	if (store_container_put(id, img, cgroup, (int64_t)cgid, first_pid(cgroup), &created)) {
		fprintf(stderr, "crsd: discovery: container %s: store error; skipped\n", id);
		c->skipped++;
		return;
	}
	fprintf(stderr, "crsd: discovered container %s (image %s) in %s\n", id, img, cgroup);
	c->registered++;
}

/* path: a directory; rel: its path below the root ("" for the root). */
static void walk(struct ctx *c, const char *path, const char *rel, int depth)
{
	char child[CRSD_CGROUP_MAX + 1], id[65];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (depth > MAX_DEPTH)
		return;
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		bool scope;

		if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
			continue;
		if (de->d_type != DT_DIR) {
			if (de->d_type != DT_UNKNOWN ||
			    fstatat(dirfd(d), name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISDIR(st.st_mode))
				continue;
		}
		if (++c->seen > MAX_DIRS) {
			c->truncated = true;
			break;
		}
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", path, name) >= sizeof(child))
			continue;
		scope = scope_id(name, id);
		if (scope || (hex64(name, strlen(name)) && runtime_parent(rel))) {
			if (!scope)
				strcpy(id, name);
			candidate(c, id, child, false);
			continue;
		}
		if (depth == 0 && crsd_id_valid(name, true)) {
			size_t before = c->registered + c->skipped + c->known;

			candidate(c, name, child, true);
			if (c->registered + c->skipped + c->known != before)
				continue;
		}
		walk(c, child, child + strlen(c->root) + 1, depth + 1);
	}
	closedir(d);
}

struct stored {
	char id[CRSD_ID_MAX + 1];
	char *cgroup;
	uint64_t cgroup_id;
};

struct stored_list {
	struct stored *v;
	size_t n, cap;
};

static void stored_cb(const struct crsd_container_row *row, void *arg)
{
	struct stored_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct stored *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].cgroup = strdup(row->cgroup ? row->cgroup : "");
	if (!l->v[l->n].cgroup)
		return;
	snprintf(l->v[l->n].id, sizeof(l->v[l->n].id), "%s", row->id);
	l->v[l->n].cgroup_id = (uint64_t)row->cgroup_id;
	l->n++;
}

/*
 * Stored containers whose cgroup, under root, no longer exists. The table
 * crsd pushed for such a container outlives its cgroup in crs.ko (ids are
 * never reused, so nothing else can ever match it) and this crsd never
 * pushed it, so reconcile would not delete it: delete it here, if crs.ko
 * is loaded.
 */
static unsigned prune_gone(const char *root)
{
	struct stored_list l = { 0 };
	size_t rl = strlen(root), i;
	unsigned removed = 0;
	struct crs_nl *nl = NULL;
	struct crs_err err;
	struct stat st;

	store_container_list(NULL, stored_cb, &l);
	for (i = 0; i < l.n; i++) {
		const char *cg = l.v[i].cgroup;

		if (!strncmp(cg, root, rl) && cg[rl] == '/' && lstat(cg, &st) && errno == ENOENT &&
		    !store_container_delete(l.v[i].id)) {
			fprintf(stderr, "crsd: container %s: its cgroup %s is gone (stopped while "
				"crsd was down?); removed\n", l.v[i].id, cg);
			removed++;
			if (l.v[i].cgroup_id && (nl || !crs_nl_open(&nl, &err)) &&
			    !crs_nl_del_table(nl, l.v[i].cgroup_id, &err))
				fprintf(stderr, "crsd: container %s: its table on cgroup %llu deleted\n",
					l.v[i].id, (unsigned long long)l.v[i].cgroup_id);
		}
		free(l.v[i].cgroup);
	}
	if (nl)
		crs_nl_close(nl);
	free(l.v);
	return removed;
}

void discover_run(const char *cgroup_root, const char *const *state_dirs, size_t n_dirs)
{
	struct ctx c = { .root = cgroup_root, .dirs = state_dirs, .n_dirs = n_dirs };
	unsigned removed;
	struct stat st;
	int e;

	/* Without the tree (not mounted?), a missing cgroup proves nothing. */
	e = stat(cgroup_root, &st) ? errno : S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
	if (e) {
		fprintf(stderr, "crsd: discovery: %s: %s; no containers discovered or removed\n",
			cgroup_root, strerror(e));
		return;
	}
	removed = prune_gone(cgroup_root);
	walk(&c, cgroup_root, "", 0);
	if (c.truncated)
		fprintf(stderr, "crsd: discovery: stopped after %u cgroups\n", MAX_DIRS);
	fprintf(stderr, "crsd: discovery: %u registered, %u skipped, %u already known, "
		"%u removed\n", c.registered, c.skipped, c.known, removed);
}
