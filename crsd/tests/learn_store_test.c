// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * learn_store_test DB - the store's side of learning, fed as learn.c feeds
 * it (store_learn_ingest, one dump at a time), without crs.ko: two
 * containers of one image merge into the image's profile (access and
 * outcome OR-ed, first_seen kept, last_seen moved), drops counted by the
 * design's rule (growth within an epoch, the whole count for a new one,
 * the image getting the same delta), a container's profile going with the
 * container while its image's stays, and a dump of a container no longer
 * in the store reaching the image's profile only.
 * Prints "ok"/"not ok" per check; exit status 1 if any failed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../crsd.h"

/* main.c's, which this test replaces */
const char *crsd_db_path;
int64_t crsd_started_ns;

static int failed;

#define CHECK(cond, ...) do {						\
	if (cond) {							\
		printf("ok - ");					\
	} else {							\
		printf("not ok - ");					\
		failed = 1;						\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)


struct seen_obs {
	char key[64];
	uint32_t access, outcome;
	int64_t first, last;
	int n;
};

static void collect(const struct crsd_obs_row *row, void *arg)
{
	struct seen_obs *s = arg;

	snprintf(s[s[0].n].key, sizeof(s[0].key), "%s", row->key);
	s[s[0].n].access = row->access;
	s[s[0].n].outcome = row->outcome;
	s[s[0].n].first = row->first_seen;
	s[s[0].n].last = row->last_seen;
	s[0].n++;
}

static int observations(const char *scope, const char *key, struct seen_obs *s,
			struct crsd_profile *p)
{
	memset(s, 0, sizeof(*s) * 8);
	if (store_profile_get(scope, key, p))
		return -1;
	store_profile_observations(p->id, NULL, 8, collect, s);
	return s[0].n;
}

static struct crsd_obs_in ob(const char *key, const char *type, uint32_t access,
			     uint32_t outcome)
{
	struct crsd_obs_in o = { .type = type, .program = "/bin/cat", .access = access,
				 .outcome = outcome };

	o.key = strdup(key);
	o.json = strdup("{\"type\":\"file\",\"program\":\"/bin/cat\",\"outcome\":\"allowed\","
			"\"path\":\"/x\",\"access\":\"read\"}");
	return o;
}

static void ingest(const char *id, const char *image, uint64_t epoch, uint64_t gen,
		   uint64_t full, uint64_t lng, struct crsd_obs_in *o, size_t n)
{
	struct crs_learn_info info = { .state = CRS_LEARN_STATE_RECORDING, .epoch = epoch,
				       .generation = gen, .dropped_full = full,
				       .dropped_long = lng };
	size_t i;
	int r = store_learn_ingest(id, image, &info, o, n);

	CHECK(!r, "ingest %s epoch %llu generation %llu: %d", id, (unsigned long long)epoch,
	      (unsigned long long)gen, r);
	for (i = 0; i < n; i++) {
		free(o[i].key);
		free(o[i].json);
	}
}

int main(int argc, char **argv)
{
	const char *img = "docker.io/library/app:1";
	struct crsd_obs_in o[3];
	struct seen_obs s[8];
	struct crsd_profile p;
	char err[256];
	bool created;
	int64_t first_a;
	int n;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DB\n", argv[0]);
		return 2;
	}
	unlink(argv[1]);
	if (store_open(argv[1], err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	store_container_put("c1", img, "/sys/fs/cgroup/c1", 101, 0, &created);
	store_container_put("c2", img, "/sys/fs/cgroup/c2", 102, 0, &created);

	o[0] = ob("a", "file", CRS_ACCESS_READ, CRS_OBS_ALLOWED);
	o[1] = ob("b", "execute", CRS_ACCESS_EXEC, CRS_OBS_ALLOWED);
	ingest("c1", img, 10, 1, 0, 0, o, 2);
	n = observations("image", img, s, &p);
	first_a = s[0].first;
	usleep(2000);
	o[0] = ob("a", "file", CRS_ACCESS_WRITE, CRS_OBS_DENIED);
	o[1] = ob("c", "file", CRS_ACCESS_READ, CRS_OBS_ALLOWED);
	ingest("c2", img, 20, 4, 2, 0, o, 2);

	n = observations("container", "c1", s, &p);
	CHECK(n == 2 && !strcmp(s[0].key, "a") && s[0].access == CRS_ACCESS_READ &&
	      !p.dropped && p.epoch == 10 && p.generation == 1,
	      "c1's profile: its own 2 observations, a read only, no drops (%d)", n);
	n = observations("container", "c2", s, &p);
	CHECK(n == 2 && p.dropped == 2 && p.dropped_long == 0 && p.epoch == 20,
	      "c2's profile: 2 observations, 2 dropped (%d, %lld)", n, (long long)p.dropped);
	n = observations("image", img, s, &p);
	CHECK(n == 3 && !strcmp(s[0].key, "a") && !strcmp(s[1].key, "b") &&
	      !strcmp(s[2].key, "c"), "the image's profile: a, b, c merged (%d)", n);
	CHECK(s[0].access == (CRS_ACCESS_READ | CRS_ACCESS_WRITE) &&
	      s[0].outcome == (CRS_OBS_ALLOWED | CRS_OBS_DENIED),
	      "a: access and outcome OR-ed over both containers (%u, %u)", s[0].access,
	      s[0].outcome);
	CHECK(s[0].first == first_a && s[0].last > s[0].first,
	      "a: first_seen kept, last_seen moved");
	CHECK(p.dropped == 2 && !p.has_kernel, "the image: c2's drops, no kernel state");

	/* The same epoch: only the growth counts; a new epoch: the whole count. */
	o[0] = ob("c", "file", CRS_ACCESS_READ, CRS_OBS_ALLOWED);
	ingest("c2", img, 20, 9, 5, 1, o, 1);
	observations("container", "c2", s, &p);
	CHECK(p.dropped == 6 && p.dropped_long == 1 && p.generation == 9,
	      "same epoch, drops 5 full + 1 long: c2 dropped 6 (%lld, long %lld)",
	      (long long)p.dropped, (long long)p.dropped_long);
	o[0] = ob("c", "file", CRS_ACCESS_READ, CRS_OBS_ALLOWED);
	ingest("c2", img, 20, 10, 5, 1, o, 1);
	observations("container", "c2", s, &p);
	CHECK(p.dropped == 6, "the same counts again: nothing added (%lld)", (long long)p.dropped);
	o[0] = ob("c", "file", CRS_ACCESS_READ, CRS_OBS_ALLOWED);
	ingest("c2", img, 30, 1, 2, 0, o, 1);
	observations("container", "c2", s, &p);
	CHECK(p.dropped == 8 && p.epoch == 30, "a new epoch with 2 dropped: 8 (%lld)",
	      (long long)p.dropped);
	observations("image", img, s, &p);
	CHECK(p.dropped == 8 && p.dropped_long == 1, "the image got the same deltas (%lld, %lld)",
	      (long long)p.dropped, (long long)p.dropped_long);

	/* The container goes: its profile with it, the image's stays. */
	CHECK(!store_container_delete("c1"), "c1 unregistered");
	CHECK(store_profile_get("container", "c1", &p) == -ENOENT, "c1's profile is gone");
	n = observations("image", img, s, &p);
	CHECK(n == 3, "the image's profile stays (%d)", n);
	/* Its final dump (reconcile, before DEL_TABLE): the image only, no drops. */
	o[0] = ob("d", "file", CRS_ACCESS_READ, CRS_OBS_ALLOWED);
	ingest("c1", img, 10, 2, 7, 0, o, 1);
	CHECK(store_profile_get("container", "c1", &p) == -ENOENT,
	      "a dump of a gone container makes no profile for it");
	n = observations("image", img, s, &p);
	CHECK(n == 4 && !strcmp(s[3].key, "d") && p.dropped == 8,
	      "it reached the image's profile (%d observations, dropped %lld)", n,
	      (long long)p.dropped);
	CHECK(store_profile_delete("image", img) == 0 &&
	      store_profile_get("image", img, &p) == -ENOENT, "the image's profile deleted");
	store_close();
	return failed;
}
