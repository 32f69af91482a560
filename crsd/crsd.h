/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crsd - the CRS daemon: desired state (policies, image assignments,
 * containers, overrides, events) in SQLite, served over an HTTP API
 * (docs/crsd.md). One file per concern:
 *   main.c            options, signals, start and clean shutdown
 *   http.c            libmicrohttpd daemons, bodies, limits, auth, routing
 *   json.c            JSON helpers: bodies with line/column, merge patch,
 *                     error bodies, percent-decoding
 *   store.c           SQLite (WAL, synchronous=FULL), schema, every query
 *   api_policies.c    /api/v1/policies
 *   api_images.c      /api/v1/images
 *   imageref.c        OCI image reference validation and normalization
 *                     (also compiled into crsd-hook)
 *   instrumented.c    the instrumented-images file crsd-hook reads when
 *                     crsd is down
 *   api_containers.c  /api/v1/containers (store side: list, overrides)
 *   api_events.c      /api/v1/events: queries and the live SSE stream
 *   api_status.c      /api/v1/status, /metrics
 *   reconcile.c       crs.ko brought to the stored state (tables, overrides,
 *                     learning)
 *   learn.c           learning: polls the learned sets of crs.ko, stores
 *                     profiles per container and per image
 *   api_learn.c       profiles and policy templates (the learning routes)
 *   kernel.c          the link to crs.ko through libcrsnl (optional): status,
 *                     counters, and the thread storing its events
 *   export.c          stored events also to a JSON-lines file and/or syslog
 *   oci.c             images from OCI annotations, bounded JSON file reads
 *                     (also compiled into crsd-hook)
 *   discover.c        at start: containers that run without crsd knowing,
 *                     from cgroup names and runtime state; vanished ones
 *   console.c         the web console: its files (embedded at build time
 *                     from ui/), login sessions, /api/v1/session
 */
#ifndef CRSD_H
#define CRSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <json-c/json.h>
#include "crsnl.h"

#define CRSD_ID_MAX		64	/* policy and container ids */
#define CRSD_IMAGE_MAX		255	/* OCI: whole reference, as docker limits names */
#define CRSD_CGROUP_MAX		4096

/* ------------------------------------------------------------ requests */

/* How a request was let in (http.c's precheck). */
enum crsd_auth {
	CRSD_AUTH_NONE,			/* TCP, unauthenticated: console files, login only */
	CRSD_AUTH_SOCKET,		/* the Unix socket: its permissions */
	CRSD_AUTH_TOKEN,		/* TCP, Authorization: Bearer */
	CRSD_AUTH_SESSION,		/* TCP, a console session's cookie (and CSRF header) */
};

struct crsd_req {
	const char *method;
	const char *path;		/* raw (still percent-encoded), no query */
	void *conn;			/* struct MHD_Connection * */
	const char *body;		/* NUL-terminated; NULL if none */
	size_t len;
	enum crsd_auth auth;
	bool tls;			/* on the TLS listener */
	const char *session;		/* the session's id with CRSD_AUTH_SESSION */
};

struct crsd_resp {
	int status;
	char *body;			/* malloc'd */
	const char *ctype;		/* NULL: application/json */
	char location[256];		/* Location header if set */
	char etag[32];			/* ETag header if set */
	const char *allow;		/* Allow header (405) */
	struct crsd_stream *stream;	/* a streamed body instead (api_events.c) */
	const void *static_body;	/* or a console file's bytes (not freed) */
	size_t static_len;
	char cookie[192];		/* Set-Cookie header if set */
};

/* Query argument (percent-decoded into buf) or NULL; -1 in *bad if malformed. */
const char *crsd_query(struct crsd_req *r, const char *key, char *buf, size_t len,
		       bool *bad);
/* Request header or NULL. */
const char *crsd_header(struct crsd_req *r, const char *name);

/* json.c */
int crsd_resp_json(struct crsd_resp *out, int status, struct json_object *o);
int crsd_resp_error(struct crsd_resp *out, int status, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int crsd_resp_crs_err(struct crsd_resp *out, int status, const struct crs_err *err);
/* Parse a request body as JSON; on failure fills a 400 into out and returns NULL. */
struct json_object *crsd_parse_body(struct crsd_req *r, struct crsd_resp *out);
/* RFC 7396: returns the patched document (target consumed, patch borrowed). */
struct json_object *crsd_merge_patch(struct json_object *target, struct json_object *patch);
/* Percent-decode src[0..len) into dst (size dsize); -1 on bad escapes, NUL or overflow. */
int crsd_pct_decode(const char *src, size_t len, char *dst, size_t dsize);
/* "2024-05-01T12:00:00.123456789Z" */
struct json_object *crsd_json_time(int64_t ns);
int64_t crsd_now_ns(void);

/* --------------------------------------------------------------- store */

struct crsd_policy_row {
	char id[CRSD_ID_MAX + 1];
	char *name;
	char *json;
	int64_t created, updated, revision;
	/* store_policy_list only (json is "" there): {"mode", "rules": N,
	 * "rule_types": {"file": N, ...}}, kept by the store beside the JSON */
	const char *summary;
	bool incomplete;		/* made from a profile that dropped observations */
	int64_t incomplete_dropped;
};

/* How a policy write treats the incomplete flag (store_policy_update). */
struct crsd_policy_write {
	bool enforce;			/* the new document's mode is enforce */
	bool force;			/* force=true: pass the gate, clear the flag */
	int64_t incomplete_dropped;	/* > 0: set the flag (a lossy template) */
};

struct crsd_override {
	bool has_mode, has_log, has_passive, has_learning;
	bool learning;
	char mode[16];			/* enforce | monitor | disabled */
	uint32_t log;
	bool passive;
	int64_t updated;
};

struct crsd_container_row {
	char id[CRSD_ID_MAX + 1];
	char image[CRSD_IMAGE_MAX + 1];
	char *cgroup;
	int64_t cgroup_id, pid, created;
	char policy_id[CRSD_ID_MAX + 1];	/* "" if the image has none */
	char *policy_json;			/* NULL if none */
	struct crsd_override ov;
	bool policy_incomplete;
	int64_t policy_incomplete_dropped;
};

struct crsd_event_filter {
	const char *container, *image, *policy, *type, *action;
	int64_t since, until;		/* ns; 0 = unbounded */
	int64_t cursor;			/* seq: only events after it */
	int limit;
};

int store_open(const char *path, char *errbuf, size_t len);
void store_close(void);
int store_schema_version(void);

/* Policies: 0, -ENOENT, -EEXIST (name taken), -ESTALE (revision mismatch), -EBUSY (in use). */
/* incomplete_dropped > 0: made from a profile that dropped that many observations. */
int store_policy_create(const char *name, const char *json, int64_t incomplete_dropped,
			struct crsd_policy_row *out);
int store_policy_get(const char *id, struct crsd_policy_row *out);
/*
 * w may be NULL. -EACCES: w->enforce without w->force on an incomplete
 * policy (out->incomplete_dropped says how many were dropped).
 */
int store_policy_update(const char *id, const char *name, const char *json,
			int64_t if_revision, const struct crsd_policy_write *w,
			struct crsd_policy_row *out);
/* force=true on an override: the flag goes (logged). */
int store_policy_clear_incomplete(const char *id);
int store_policy_delete(const char *id, bool force, int64_t if_revision,
			int *n_images, int *n_containers);
/* cb for each policy (ordered by name); rows are only valid during cb. */
int store_policy_list(void (*cb)(const struct crsd_policy_row *row, void *arg), void *arg);
void store_policy_row_free(struct crsd_policy_row *row);

/* Images: 0, -ENOENT (no such policy / assignment). *created: new assignment. */
int store_image_set(const char *image, const char *policy_id, bool *created);
int store_image_get(const char *image, char *policy_id, size_t len, int64_t *assigned);
int store_image_delete(const char *image);
int store_image_list(void (*cb)(const char *image, const char *policy_id,
				const char *policy_name, int64_t assigned, void *arg),
		     void *arg);

/* Containers. */
int store_container_put(const char *id, const char *image, const char *cgroup,
			int64_t cgroup_id, int64_t pid, bool *created);
int store_container_delete(const char *id);
int store_container_get(const char *id, struct crsd_container_row *out);
/* policy_id NULL: all containers. */
int store_container_list(const char *policy_id,
			 void (*cb)(const struct crsd_container_row *row, void *arg),
			 void *arg);
void store_container_row_free(struct crsd_container_row *row);
int store_override_set(const char *container_id, const struct crsd_override *ov);
int store_override_delete(const char *container_id);

/* Events. */
int store_events_query(const struct crsd_event_filter *f,
		       void (*cb)(int64_t seq, const char *json, void *arg), void *arg);
int store_events_prune(int64_t max_count, int64_t max_age_ns);
int64_t store_events_max_seq(void);
/* An event from the kernel, before attribution (store_events_insert). */
struct crsd_event_in {
	int64_t time_ns;
	uint64_t cgroup_id, table_cgroup_id;
	const char *type, *action;	/* rule type and action names */
	char *json;			/* crs_event_to_json() */
	/* Set by store_events_insert(lines = true): the API's JSON for it, malloc'd. */
	char *line;
};
/*
 * Attribute each to its container, image and policy, and store: one
 * transaction. With lines, each stored event's line is set (the object the
 * API returns, seq included; NULL if it was not stored): the caller frees it.
 */
int store_events_insert(struct crsd_event_in *ev, size_t n, bool lines);

struct crsd_counts {
	int64_t policies, images, containers, overrides, events, profiles, observations;
};
int store_counts(struct crsd_counts *c);

/* Profiles (learning). One observation of a dump, as learn.c hands it over. */
struct crsd_obs_in {
	char *key;			/* crs_obs_key() */
	const char *type, *program;	/* program NULL: none (inbound) */
	char *json;			/* its element of crs_learned_to_json()'s "observations" */
	uint32_t access, outcome;
};
/*
 * One dump of a container's set into its profile and its image's, one
 * transaction: access and outcome OR-ed, first_seen/last_seen, the drops
 * (docs/learning.md section 4). A container no longer in the store: the
 * image's profile only, without drops.
 */
int store_learn_ingest(const char *container_id, const char *image,
		       const struct crs_learn_info *info, const struct crsd_obs_in *obs,
		       size_t n);
struct crsd_profile {
	int64_t id;
	char image[CRSD_IMAGE_MAX + 1];
	int64_t dropped, dropped_long;	/* accumulated */
	bool has_kernel;		/* epoch and generation of the last dump */
	int64_t epoch, generation;
	int64_t updated, synced;	/* ns; synced 0: never */
	int64_t observations;
};
struct crsd_obs_row {
	const char *key, *json;
	uint32_t access, outcome;
	int64_t first_seen, last_seen;
};
/* scope "container" (key: its id) or "image" (key: the normalized image). 0, -ENOENT. */
int store_profile_get(const char *scope, const char *key, struct crsd_profile *p);
/* Sorted by key, after `after` (NULL: from the start), at most limit. */
int store_profile_observations(int64_t profile_id, const char *after, int64_t limit,
			       void (*cb)(const struct crsd_obs_row *row, void *arg), void *arg);
int store_profile_delete(const char *scope, const char *key);

/* -------------------------------------------------------- instrumented */

/* Where the file is (before the first write). */
void instrumented_init(const char *path);
/*
 * Rewrite it from the store: one normalized image with a policy a line,
 * atomically (temporary file, fsync, rename, fsync of the directory), mode
 * 0644. 0 or -errno; a failure is logged and retried by instrumented_retry().
 */
int instrumented_write(void);
/* Rewrite it if the last write failed. */
void instrumented_retry(void);

/* ---------------------------------------------------------------- api */

int api_policies(struct crsd_req *r, struct crsd_resp *out, char **seg, int nseg);
int api_images(struct crsd_req *r, struct crsd_resp *out, const char *raw_image);
int api_images_list(struct crsd_req *r, struct crsd_resp *out);
int api_containers(struct crsd_req *r, struct crsd_resp *out, char **seg, int nseg);
int api_policy_containers(struct crsd_req *r, struct crsd_resp *out, const char *policy_id);
int api_events(struct crsd_req *r, struct crsd_resp *out, bool stream);
/* Streams: libmicrohttpd content reader and its free callback. */
ssize_t crsd_stream_read(void *cls, uint64_t pos, char *buf, size_t max);
void crsd_stream_free(void *cls);
/* New events are in the store: wake the streams. */
void crsd_events_notify(void);
/* End every stream (before http_stop). */
void crsd_events_shutdown(void);
int api_status(struct crsd_req *r, struct crsd_resp *out);
int api_metrics(struct crsd_req *r, struct crsd_resp *out);

/* Ids: [a-z0-9][a-z0-9_.-]* for policies; containers also allow A-Z. */
bool crsd_id_valid(const char *s, bool upper);
/* OCI image reference; NULL if valid, else a static reason. */
const char *crsd_image_check(const char *s);
/* Checked and normalized ("nginx" -> "docker.io/library/nginx:latest") into out. */
const char *crsd_image_normalize(const char *s, char *out, size_t len);
/* Effective mode of a container row: "none" without a policy. */
const char *crsd_effective_mode(const struct crsd_container_row *c);
/* The same before passive is taken into account. */
const char *crsd_base_mode(const struct crsd_container_row *c);
/* api_policies.c, shared with api_learn.c and api_containers.c */
int crsd_force_arg(struct crsd_req *r, struct crsd_resp *out);
int crsd_incomplete_error(struct crsd_resp *out, const char *id, int64_t dropped);
struct json_object *crsd_policy_obj(const struct crsd_policy_row *row);
/* If-Match: the revision, 0 if absent or "*", -1 if malformed. */
int64_t crsd_if_match(struct crsd_req *r);
/* 405 with Allow. */
int crsd_method_not_allowed(struct crsd_resp *out, const char *allow);

/* ------------------------------------------------------------ console */

/* The console's files, generated from ui/ (scripts/gen-ui-assets.sh). */
struct crsd_asset {
	const char *name;		/* "index.html": served at /ui/NAME */
	const char *ctype;
	const char *etag;		/* strong, quoted */
	const unsigned char *data;
	size_t len;
};
extern const struct crsd_asset crsd_assets[];
extern const size_t crsd_n_assets;

#define CRSD_SESSION_COOKIE	"crsd_session"
#define CRSD_SESSIONS_MAX	64
#define CRSD_SESSION_IDLE	3600		/* s, default of --session-idle */
#define CRSD_SESSION_MAX_AGE	(12 * 3600)	/* s, default of --session-max-age */
#define CRSD_SESSION_ID_LEN	64		/* hex digits, for the id and the CSRF token */

/* GET / and /ui/NAME. */
int console_asset(struct crsd_req *r, struct crsd_resp *out, const char *name);
/* /api/v1/session: log in with the token (POST), who am I (GET), log out (DELETE). */
int api_session(struct crsd_req *r, struct crsd_resp *out);
/* A live session with that id: true, its CSRF token into csrf (if not NULL), used now. */
bool console_session_check(const char *id, char csrf[CRSD_SESSION_ID_LEN + 1]);
/* Every session ends (the token changed). */
void console_sessions_clear(void);
/* How long sessions last: unused, and at most after login (s). */
void console_session_limits(unsigned idle, unsigned max_age);
/* Equal strings, in a time that does not depend on where they differ. */
bool crsd_secret_eq(const char *a, const char *b);

/* --------------------------------------------------------------- http */

struct crsd_http_opts {
	const char *socket_path;
	int socket_gid;			/* group of the socket, -1: crsd's */
	const char *listen;		/* HOST:PORT or NULL */
	const char *token;		/* required with listen */
	/* TLS on the TCP listener: PEM text of the certificate (chain) and key, or NULL. */
	const char *tls_cert, *tls_key;
	const char *tls_cert_path, *tls_key_path;	/* for messages */
	size_t max_body;
	unsigned rate;			/* requests per second, 0 = unlimited */
	unsigned burst;
	unsigned max_conns;
	unsigned session_idle, session_max_age;	/* console sessions, s */
};

/* Whether libmicrohttpd was built with TLS. */
bool http_tls_supported(void);
int http_start(const struct crsd_http_opts *o);
void http_stop(void);
/* Replace the TCP bearer token (takes t; NULL refuses every TCP request); ends every session. */
void http_set_token(char *t);
/* Whether s is the TCP bearer token (constant time). */
bool http_token_eq(const char *s);

struct crsd_http_stats {
	uint64_t requests, by_class[6];	/* 1xx..5xx */
	uint64_t rejected_rate, rejected_auth, rejected_size;
};
void http_stats(struct crsd_http_stats *s);

/* ------------------------------------------------------------- kernel */

/* events: also start the thread that stores crs.ko's events. */
void kernel_init(bool events);
void kernel_fini(void);
/* {"available": bool, "error": "...", "version": ..., counters} */
struct json_object *kernel_status_json(void);
/* Prometheus lines for the kernel counters, appended to buf (open_memstream). */
void kernel_metrics(FILE *f);

/* ---------------------------------------------------------------- oci */

#define CRSD_IMAGE_KEYS		3
#define CRSD_OCI_FILE_MAX	(4 << 20)	/* config.json, runtime state */
/* io.crs.image, io.kubernetes.cri.image-name, io.kubernetes.cri-o.ImageName */
extern const char *const crsd_image_keys[CRSD_IMAGE_KEYS];
/* The first image annotation in o's "annotations" (borrowed from o), or NULL. */
const char *crsd_oci_image(struct json_object *o);
/* A regular file of at most max bytes holding a JSON object; NULL and why if not. */
struct json_object *crsd_json_file(const char *path, size_t max, char *why, size_t wlen);
/* The image annotation of BUNDLE/config.json into out; -1 and why if none. */
int crsd_bundle_image(const char *bundle, char *out, size_t len, char *why, size_t wlen);

/* ----------------------------------------------------------- discover */

/*
 * At start, before reconcile: remove stored containers whose cgroup (under
 * cgroup_root) is gone, then register the containers found in cgroup_root
 * that the store does not know, with the image of their runtime state's
 * bundle. state_dirs: the runtimes' state roots (see discover.c).
 */
void discover_run(const char *cgroup_root, const char *const *state_dirs, size_t n_dirs);

/* ------------------------------------------------------------- export */

/* Open the JSON-lines file (jsonl may be NULL), syslog; -1 (logged) if it cannot. */
int export_init(const char *jsonl, bool use_syslog);
bool export_enabled(void);
/* Events the store committed (their line set), in seq order: queued, never blocking. */
void export_events(const struct crsd_event_in *ev, size_t n);
/* SIGHUP: reopen the file (logrotate). */
void export_reopen(void);
/* Write out what is queued, close. */
void export_fini(void);
/* {"jsonl": {"path", "exported", "failed", "reopened"} | null, "syslog": {"sent"} | null, "dropped"} */
struct json_object *export_status_json(void);
void export_metrics(FILE *f);

/* ---------------------------------------------------------- reconcile */

void reconcile_start(void);
void reconcile_stop(void);
/* The API changed something: reconcile soon. */
void reconcile_kick(void);
/*
 * {"state": "applied"|"pending"|"no policy"|"error"|"unavailable"|"disabled",
 *  "error"?, "since"?}
 */
struct json_object *reconcile_container_json(const char *id);
struct json_object *reconcile_status_json(void);
/* A container's table pushed by crsd (a policy's or the learning-only one). */
struct crsd_table_ref {
	char id[CRSD_ID_MAX + 1];
	char image[CRSD_IMAGE_MAX + 1];
	uint64_t cgid;
	bool learning;		/* learning switched on (or not known) */
};
/* The containers with a table from crsd now: malloc'd array (free()), count in *n. */
struct crsd_table_ref *reconcile_tables(size_t *n);

/* -------------------------------------------------------------- learn */

/* The learning thread (with the kernel): poll every poll_ms. */
void learn_start(unsigned poll_ms);
void learn_stop(void);
/*
 * Dump the sets of every learning container now and wait until stored, at
 * most timeout_ms: true if a full pass finished (false without the thread).
 */
bool learn_sync(unsigned timeout_ms);
/*
 * Dump one set into the store now, on the caller's socket (reconcile,
 * before it deletes a set): 0, -ENOENT (no set), or -errno.
 */
int learn_ingest(struct crs_nl *nl, const char *id, const char *image, uint64_t cgid);
/* The profile of container id was deleted: free its kernel set (DEL_LEARNED) soon. */
void learn_discard(const char *id, uint64_t cgid);
/* {"effective", "state", "records", "max", "dropped"} for a container object. */
struct json_object *learn_container_json(const char *id, bool effective);
/* {"containers", "observations", "hints", "overruns", "dumps", "dump_failures", ...} */
struct json_object *learn_status_json(void);
void learn_metrics(FILE *f);
/* Whether the container's learning is on: the override, else the policy's. */
bool crsd_learning(const struct crsd_container_row *c);

/* The {image} of a route: decoded, checked, normalized; on failure out holds the 400. */
bool crsd_image_arg(const char *raw, char *img, size_t len, struct crsd_resp *out);

/* api_learn.c */
int api_container_profile(struct crsd_req *r, struct crsd_resp *out, const char *id,
			  bool template);
int api_image_profile(struct crsd_req *r, struct crsd_resp *out, const char *raw_image,
		      bool template);

#endif /* CRSD_H */
