// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The store: one SQLite database in WAL mode with synchronous=FULL, so a
 * write is on disk (the WAL fsync'd) before its request is answered and
 * kill -9 or a power cut at any moment loses nothing acknowledged. One
 * connection, serialized by a mutex (both HTTP daemons call in). Every
 * change that spans rows is one transaction.
 *
 * Schema version 3 (table schema_version holds it; a newer database than
 * this crsd knows is refused rather than misread; an older one is
 * upgraded in the transaction that opens it).
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sqlite3.h>
#include "crsd.h"

#define SCHEMA_VERSION	3

static sqlite3 *db;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static const char schema_v1[] =
	"CREATE TABLE policies ("
	"  id TEXT PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  json TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  revision INTEGER NOT NULL);"
	"CREATE TABLE image_policy ("
	"  image TEXT PRIMARY KEY,"
	"  policy_id TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,"
	"  assigned INTEGER NOT NULL);"
	"CREATE INDEX image_policy_policy ON image_policy(policy_id);"
	"CREATE TABLE containers ("
	"  id TEXT PRIMARY KEY,"
	"  image TEXT NOT NULL,"
	"  cgroup TEXT NOT NULL,"
	"  cgroup_id INTEGER NOT NULL DEFAULT 0,"
	"  pid INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL);"
	"CREATE INDEX containers_image ON containers(image);"
	"CREATE TABLE overrides ("
	"  container_id TEXT PRIMARY KEY REFERENCES containers(id) ON DELETE CASCADE,"
	"  mode TEXT,"
	"  log INTEGER,"
	"  passive INTEGER,"
	"  updated INTEGER NOT NULL);"
	"CREATE TABLE events ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time_ns INTEGER NOT NULL,"
	"  container_id TEXT,"
	"  image TEXT,"
	"  policy_id TEXT,"
	"  type TEXT,"
	"  action TEXT,"
	"  json TEXT NOT NULL);"
	"CREATE INDEX events_time ON events(time_ns);";

/*
 * Version 2: each policy's summary for the list (mode, rule counts), kept
 * by triggers from the JSON, so listing N policies parses none of them.
 */
#define SUMMARY_OF(J) \
	"json_object('mode', json_extract(" J ", '$.mode'), " \
	"'rules', json_array_length(" J ", '$.rules'), " \
	"'rule_types', json((SELECT json_group_object(t, n) FROM " \
	"(SELECT json_extract(value, '$.type') AS t, count(*) AS n " \
	"FROM json_each(" J ", '$.rules') GROUP BY t))))"
static const char schema_v2[] =
	"ALTER TABLE policies ADD COLUMN summary TEXT;"
	"CREATE TRIGGER policies_summary_insert AFTER INSERT ON policies BEGIN "
	"  UPDATE policies SET summary = " SUMMARY_OF("NEW.json") " WHERE id = NEW.id; END;"
	"CREATE TRIGGER policies_summary_update AFTER UPDATE OF json ON policies BEGIN "
	"  UPDATE policies SET summary = " SUMMARY_OF("NEW.json") " WHERE id = NEW.id; END;"
	"UPDATE policies SET summary = " SUMMARY_OF("policies.json") ";"
	"INSERT INTO schema_version VALUES (2);";

/*
 * Version 3: learning (docs/learning.md section 4). The per-container
 * learning override, a policy's "generated from a profile that dropped
 * observations" flag, and the profiles (per container and per image) with
 * their observations, keyed by libcrsnl's crs_obs_key(). dropped_long and
 * kernel_dropped_long split the drops by kind (the profile document has
 * "dropped": {"full", "long"}).
 */
static const char schema_v3[] =
	"ALTER TABLE overrides ADD COLUMN learning INTEGER;"
	"ALTER TABLE policies ADD COLUMN incomplete INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE policies ADD COLUMN incomplete_dropped INTEGER NOT NULL DEFAULT 0;"
	"CREATE TABLE profiles ("
	"  id INTEGER PRIMARY KEY,"
	"  scope TEXT NOT NULL CHECK(scope IN ('container', 'image')),"
	"  key TEXT NOT NULL,"
	"  image TEXT NOT NULL,"
	"  dropped INTEGER NOT NULL DEFAULT 0,"
	"  dropped_long INTEGER NOT NULL DEFAULT 0,"
	"  kernel_epoch INTEGER,"
	"  kernel_generation INTEGER,"
	"  kernel_dropped INTEGER,"
	"  kernel_dropped_long INTEGER,"
	"  updated INTEGER NOT NULL,"
	"  synced INTEGER,"
	"  UNIQUE(scope, key));"
	"CREATE TABLE observations ("
	"  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,"
	"  key TEXT NOT NULL,"
	"  type TEXT NOT NULL,"
	"  program TEXT,"
	"  json TEXT NOT NULL,"
	"  access INTEGER NOT NULL,"
	"  outcome INTEGER NOT NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  PRIMARY KEY(profile_id, key)) WITHOUT ROWID;"
	"INSERT INTO schema_version VALUES (3);";

static int exec_sql(const char *sql, char *errbuf, size_t len)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		if (errbuf)
			snprintf(errbuf, len, "%s", msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -EIO;
	}
	return 0;
}

static sqlite3_stmt *prep(const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "crsd: store: %s: %s\n", sql, sqlite3_errmsg(db));
		return NULL;
	}
	return st;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

static void copy(char *dst, size_t len, const char *s)
{
	snprintf(dst, len, "%s", s ? s : "");
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return 0;
	if (rc == SQLITE_CONSTRAINT)
		return -EEXIST;
	fprintf(stderr, "crsd: store: %s\n", sqlite3_errmsg(db));
	return -EIO;
}

/*
 * Bind fmt's arguments to ?1, ?2, ... in order: 't' a const char * (NULL
 * binds NULL), 'i' an int64_t, 'o' a bool then an int64_t (NULL unless
 * the bool is true).
 */
static void bind_v(sqlite3_stmt *st, const char *fmt, va_list ap)
{
	int i;

	for (i = 0; fmt[i]; i++) {
		bool set = true;
		int64_t v;

		if (fmt[i] == 't') {
			bind_text(st, i + 1, va_arg(ap, const char *));
			continue;
		}
		if (fmt[i] == 'o')
			set = va_arg(ap, int);
		v = va_arg(ap, int64_t);
		if (set)
			sqlite3_bind_int64(st, i + 1, v);
		else
			sqlite3_bind_null(st, i + 1);
	}
}

static void bind_args(sqlite3_stmt *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bind_v(st, fmt, ap);
	va_end(ap);
}

/* prep() with fmt's arguments bound (bind_v); NULL if it cannot be prepared. */
static sqlite3_stmt *prep_bind(const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = prep(sql);
	va_list ap;

	if (st) {
		va_start(ap, fmt);
		bind_v(st, fmt, ap);
		va_end(ap);
	}
	return st;
}

/*
 * Run a statement that returns no rows, with fmt's arguments bound
 * (bind_v): 0, -EEXIST (a constraint) or -EIO.
 */
static int run(const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = prep(sql);
	va_list ap;
	int r;

	if (!st)
		return -EIO;
	va_start(ap, fmt);
	bind_v(st, fmt, ap);
	va_end(ap);
	r = step_done(st);
	sqlite3_finalize(st);
	return r;
}

/* After run(): -ENOENT if it succeeded but changed no row. */
static int changed(int r)
{
	return !r && sqlite3_changes(db) == 0 ? -ENOENT : r;
}

/*
 * The first row of a query (fmt's arguments bound, bind_v) through fn:
 * -EIO if it cannot be prepared, -ENOENT without a row, else fn's return.
 */
static int one_row(int (*fn)(sqlite3_stmt *st, void *arg), void *arg,
		   const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = prep(sql);
	va_list ap;
	int r = -ENOENT;

	if (!st)
		return -EIO;
	va_start(ap, fmt);
	bind_v(st, fmt, ap);
	va_end(ap);
	if (sqlite3_step(st) == SQLITE_ROW)
		r = fn(st, arg);
	sqlite3_finalize(st);
	return r;
}

/* one_row(): the first column as an int64_t. */
static int col0_int64(sqlite3_stmt *st, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(st, 0);
	return 0;
}

/*
 * fn on every row of a query (fmt's arguments bound, bind_v): 0, or -EIO
 * if it cannot be prepared or fails.
 */
static int each_row(void (*fn)(sqlite3_stmt *st, void *arg), void *arg,
		    const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = prep(sql);
	va_list ap;
	int rc;

	if (!st)
		return -EIO;
	va_start(ap, fmt);
	bind_v(st, fmt, ap);
	va_end(ap);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn(st, arg);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

/* A list's callback and its argument, for each_row()'s row functions. */
struct list_cb {
	union {
		void (*policy)(const struct crsd_policy_row *row, void *arg);
		void (*image)(const char *image, const char *policy_id,
			      const char *policy_name, int64_t assigned, void *arg);
		void (*container)(const struct crsd_container_row *row, void *arg);
		void (*event)(int64_t seq, const char *json, void *arg);
	};
	void *arg;
};

/* Takes the lock and starts a transaction: 0, or -EIO with the lock released. */
static int lock_begin(void)
{
	pthread_mutex_lock(&lock);
	if (exec_sql("BEGIN IMMEDIATE", NULL, 0)) {
		pthread_mutex_unlock(&lock);
		return -EIO;
	}
	return 0;
}

/* Ends lock_begin()'s transaction: COMMIT if r is 0, else (or if that fails) ROLLBACK. */
static int finish(int r)
{
	if (!r && exec_sql("COMMIT", NULL, 0))
		r = -EIO;
	if (r)
		exec_sql("ROLLBACK", NULL, 0);
	return r;
}

/* finish(), then release the lock. */
static int finish_unlock(int r)
{
	r = finish(r);
	pthread_mutex_unlock(&lock);
	return r;
}

/* count(*) of a query with at most one argument; 0 if it fails. */
static int count_where(const char *sql, const char *arg)
{
	int64_t n = 0;

	one_row(col0_int64, &n, sql, "t", arg);
	return (int)n;
}

int store_open(const char *path, char *errbuf, size_t len)
{
	sqlite3_stmt *st;
	int64_t v = 0;
	int version;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		snprintf(errbuf, len, "%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		db = NULL;
		return -EIO;
	}
	sqlite3_busy_timeout(db, 5000);
	/* WAL, and fsync the WAL on every commit: acknowledged means on disk. */
	if (exec_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
		     "PRAGMA foreign_keys=ON;", errbuf, len))
		goto fail;
	st = prep("SELECT journal_mode FROM pragma_journal_mode");
	if (st && sqlite3_step(st) == SQLITE_ROW && strcmp(col_text(st, 0), "wal")) {
		snprintf(errbuf, len, "%s: cannot use WAL mode (journal_mode is %s)", path,
			 col_text(st, 0));
		sqlite3_finalize(st);
		goto fail;
	}
	sqlite3_finalize(st);
	if (exec_sql("BEGIN IMMEDIATE;"
		     "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);",
		     errbuf, len))
		goto fail;
	one_row(col0_int64, &v, "SELECT max(version) FROM schema_version", "");
	version = (int)v;
	if (version > SCHEMA_VERSION) {
		exec_sql("ROLLBACK", NULL, 0);
		snprintf(errbuf, len, "%s: schema version %d is newer than this crsd's (%d)",
			 path, version, SCHEMA_VERSION);
		goto fail;
	}
	if ((version < 1 && (exec_sql(schema_v1, errbuf, len) ||
			     exec_sql("INSERT INTO schema_version VALUES (1)", errbuf, len))) ||
	    (version < 2 && exec_sql(schema_v2, errbuf, len)) ||
	    (version < 3 && exec_sql(schema_v3, errbuf, len))) {
		exec_sql("ROLLBACK", NULL, 0);
		goto fail;
	}
	if (version && version < SCHEMA_VERSION)
		fprintf(stderr, "crsd: store: %s: schema version %d upgraded to %d\n",
			path, version, SCHEMA_VERSION);
	if (exec_sql("COMMIT", errbuf, len))
		goto fail;
	return 0;
fail:
	sqlite3_close(db);
	db = NULL;
	return -EIO;
}

void store_close(void)
{
	pthread_mutex_lock(&lock);
	if (db) {
		sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		sqlite3_close(db);
		db = NULL;
	}
	pthread_mutex_unlock(&lock);
}

int store_schema_version(void)
{
	return SCHEMA_VERSION;
}

/* ------------------------------------------------------------ policies */

/* "p" and 9 characters of [a-z0-9]: short, lowercase, unguessable enough. */
static void new_id(char *id)
{
	static const char set[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[9];
	size_t i;

	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		uint64_t t = (uint64_t)crsd_now_ns();

		for (i = 0; i < sizeof(rnd); i++)
			rnd[i] = (unsigned char)(t >> (i * 7)) ^ (unsigned char)rand();
	}
	id[0] = 'p';
	for (i = 0; i < sizeof(rnd); i++)
		id[i + 1] = set[rnd[i] % 36];
	id[10] = '\0';
}

static int name_taken_row(sqlite3_stmt *st, void *except_id)
{
	return !except_id || strcmp(col_text(st, 0), except_id);
}

/* 1 if another policy has the name, 0 if not, -EIO. */
static int name_taken(const char *name, const char *except_id)
{
	int r = one_row(name_taken_row, (void *)except_id,
			"SELECT id FROM policies WHERE name = ?1", "t", name);

	return r == -ENOENT ? 0 : r;
}

#define POLICY_SELECT "SELECT id, name, json, created, updated, revision, incomplete, " \
	"incomplete_dropped FROM policies "

/* dup: name and json strdup'd (NULL if out of memory), else borrowed from st. */
static void policy_row(sqlite3_stmt *st, struct crsd_policy_row *row, bool dup)
{
	copy(row->id, sizeof(row->id), col_text(st, 0));
	row->name = dup ? strdup(col_text(st, 1)) : (char *)col_text(st, 1);
	row->json = dup ? strdup(col_text(st, 2)) : (char *)col_text(st, 2);
	row->created = sqlite3_column_int64(st, 3);
	row->updated = sqlite3_column_int64(st, 4);
	row->revision = sqlite3_column_int64(st, 5);
	row->incomplete = sqlite3_column_int(st, 6);
	row->incomplete_dropped = sqlite3_column_int64(st, 7);
}

static int policy_get_row(sqlite3_stmt *st, void *out)
{
	struct crsd_policy_row *row = out;

	if (!row)
		return 0;
	policy_row(st, row, true);
	return row->name && row->json ? 0 : -ENOMEM;
}

static int policy_get_locked(const char *id, struct crsd_policy_row *out)
{
	return one_row(policy_get_row, out, POLICY_SELECT "WHERE id = ?1", "t", id);
}

int store_policy_create(const char *name, const char *json, int64_t incomplete_dropped,
			struct crsd_policy_row *out)
{
	char id[16];
	int64_t now = crsd_now_ns();
	int r, tries;

	pthread_mutex_lock(&lock);
	r = name_taken(name, NULL);
	if (r) {
		r = r > 0 ? -EEXIST : r;
		goto out;
	}
	for (tries = 0; tries < 8; tries++) {
		new_id(id);
		if (policy_get_locked(id, NULL) == -ENOENT)
			break;
	}
	r = run("INSERT INTO policies (id, name, json, created, updated, revision, incomplete, "
		"incomplete_dropped) VALUES (?1, ?2, ?3, ?4, ?4, 1, ?5 > 0, ?5)", "tttii",
		id, name, json, now, incomplete_dropped);
	if (!r && out)
		r = policy_get_locked(id, out);
out:
	pthread_mutex_unlock(&lock);
	return r;
}

int store_policy_get(const char *id, struct crsd_policy_row *out)
{
	int r;

	pthread_mutex_lock(&lock);
	r = policy_get_locked(id, out);
	pthread_mutex_unlock(&lock);
	return r;
}

int store_policy_update(const char *id, const char *name, const char *json,
			int64_t if_revision, const struct crsd_policy_write *w,
			struct crsd_policy_row *out)
{
	struct crsd_policy_row cur = {0};
	int64_t dropped = 0;
	int r;

	if (lock_begin())
		return -EIO;
	r = policy_get_locked(id, &cur);
	if (!r && if_revision > 0 && cur.revision != if_revision)
		r = -ESTALE;
	if (!r && w && w->enforce && !w->force && cur.incomplete) {
		r = -EACCES;	/* the incomplete gate: the caller says why */
		if (out)
			out->incomplete_dropped = cur.incomplete_dropped;
	}
	if (!r) {
		r = name_taken(name, id);
		r = r > 0 ? -EEXIST : r;
	}
	if (!r) {
		/* force clears the flag; a template from a lossy profile sets it */
		int64_t inc = cur.incomplete, drop = cur.incomplete_dropped;

		if (w && w->force)
			inc = drop = 0;
		else if (w && w->incomplete_dropped > 0)
			inc = 1, drop = w->incomplete_dropped;
		dropped = cur.incomplete && !inc ? cur.incomplete_dropped : 0;
		r = run("UPDATE policies SET name = ?2, json = ?3, updated = ?4, "
			"revision = revision + 1, incomplete = ?5, incomplete_dropped = ?6 "
			"WHERE id = ?1", "tttiii", id, name, json, crsd_now_ns(), inc, drop);
	}
	r = finish(r);
	store_policy_row_free(&cur);
	if (!r && dropped)
		fprintf(stderr, "crsd: audit: policy %s: incomplete flag (%lld observations "
			"dropped) cleared by force=true\n", id, (long long)dropped);
	if (!r && out)
		r = policy_get_locked(id, out);
	pthread_mutex_unlock(&lock);
	return r;
}

int store_policy_clear_incomplete(const char *id)
{
	int64_t dropped = 0;
	int r;

	if (lock_begin())
		return -EIO;
	r = one_row(col0_int64, &dropped, "SELECT incomplete_dropped FROM policies "
		    "WHERE id = ?1 AND incomplete", "t", id);
	if (!r)
		r = run("UPDATE policies SET incomplete = 0, incomplete_dropped = 0 "
			"WHERE id = ?1", "t", id);
	r = finish_unlock(r == -ENOENT ? 0 : r);
	if (!r && dropped)
		fprintf(stderr, "crsd: audit: policy %s: incomplete flag (%lld observations "
			"dropped) cleared by force=true\n", id, (long long)dropped);
	return r;
}

int store_policy_delete(const char *id, bool force, int64_t if_revision,
			int *n_images, int *n_containers)
{
	struct crsd_policy_row cur = { 0 };
	int r;

	if (lock_begin())
		return -EIO;
	r = policy_get_locked(id, &cur);
	store_policy_row_free(&cur);
	if (!r && if_revision > 0 && cur.revision != if_revision)
		r = -ESTALE;
	if (!r) {
		*n_images = count_where("SELECT count(*) FROM image_policy WHERE policy_id = ?1",
					id);
		*n_containers = count_where("SELECT count(*) FROM containers c JOIN image_policy i "
					    "ON c.image = i.image WHERE i.policy_id = ?1", id);
		if ((*n_images || *n_containers) && !force)
			r = -EBUSY;
	}
	/* image_policy rows go with it (ON DELETE CASCADE). */
	if (!r)
		r = run("DELETE FROM policies WHERE id = ?1", "t", id);
	return finish_unlock(r);
}

static void policy_list_row(sqlite3_stmt *st, void *arg)
{
	const struct list_cb *l = arg;
	struct crsd_policy_row row;

	policy_row(st, &row, false);
	row.summary = col_text(st, 8);
	l->policy(&row, l->arg);
}

#define POLICY_LIST_SELECT "SELECT id, name, '', created, updated, revision, incomplete, " \
	"incomplete_dropped, summary FROM policies "

int store_policy_list(void (*cb)(const struct crsd_policy_row *row, void *arg), void *arg)
{
	struct list_cb l = { .policy = cb, .arg = arg };
	int r;

	pthread_mutex_lock(&lock);
	r = each_row(policy_list_row, &l, POLICY_LIST_SELECT "ORDER BY name", "");
	pthread_mutex_unlock(&lock);
	return r;
}

void store_policy_row_free(struct crsd_policy_row *row)
{
	free(row->name);
	free(row->json);
	row->name = row->json = NULL;
}

/* -------------------------------------------------------------- images */

int store_image_set(const char *image, const char *policy_id, bool *created)
{
	int r;

	if (lock_begin())
		return -EIO;
	r = policy_get_locked(policy_id, NULL);
	if (!r) {
		*created = !count_where("SELECT count(*) FROM image_policy WHERE image = ?1",
					image);
		r = run("INSERT INTO image_policy (image, policy_id, assigned) VALUES (?1, ?2, ?3) "
			"ON CONFLICT(image) DO UPDATE SET policy_id = excluded.policy_id, "
			"assigned = excluded.assigned", "tti", image, policy_id, crsd_now_ns());
	}
	return finish_unlock(r);
}

struct image_get {
	char *policy_id;
	size_t len;
	int64_t *assigned;
};

static int image_get_row(sqlite3_stmt *st, void *arg)
{
	struct image_get *g = arg;

	copy(g->policy_id, g->len, col_text(st, 0));
	*g->assigned = sqlite3_column_int64(st, 1);
	return 0;
}

int store_image_get(const char *image, char *policy_id, size_t len, int64_t *assigned)
{
	struct image_get g = { policy_id, len, assigned };
	int r;

	pthread_mutex_lock(&lock);
	r = one_row(image_get_row, &g, "SELECT policy_id, assigned FROM image_policy "
		    "WHERE image = ?1", "t", image);
	pthread_mutex_unlock(&lock);
	return r;
}

int store_image_delete(const char *image)
{
	int r;

	pthread_mutex_lock(&lock);
	r = changed(run("DELETE FROM image_policy WHERE image = ?1", "t", image));
	pthread_mutex_unlock(&lock);
	return r;
}

static void image_list_row(sqlite3_stmt *st, void *arg)
{
	const struct list_cb *l = arg;

	l->image(col_text(st, 0), col_text(st, 1), col_text(st, 2),
		 sqlite3_column_int64(st, 3), l->arg);
}

int store_image_list(void (*cb)(const char *image, const char *policy_id,
				const char *policy_name, int64_t assigned, void *arg),
		     void *arg)
{
	struct list_cb l = { .image = cb, .arg = arg };
	int r;

	pthread_mutex_lock(&lock);
	r = each_row(image_list_row, &l, "SELECT i.image, i.policy_id, p.name, i.assigned "
		     "FROM image_policy i JOIN policies p ON p.id = i.policy_id "
		     "ORDER BY i.image", "");
	pthread_mutex_unlock(&lock);
	return r;
}

/* ---------------------------------------------------------- containers */

int store_container_put(const char *id, const char *image, const char *cgroup,
			int64_t cgroup_id, int64_t pid, bool *created)
{
	if (lock_begin())
		return -EIO;
	*created = !count_where("SELECT count(*) FROM containers WHERE id = ?1", id);
	return finish_unlock(run("INSERT INTO containers (id, image, cgroup, cgroup_id, pid, "
				 "created) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) "
				 "DO UPDATE SET image = excluded.image, cgroup = excluded.cgroup, "
				 "cgroup_id = excluded.cgroup_id, pid = excluded.pid", "tttiii",
				 id, image, cgroup, cgroup_id, pid, crsd_now_ns()));
}

/* Its overrides go with it (ON DELETE CASCADE), and its profile (not its image's). */
int store_container_delete(const char *id)
{
	int r;

	if (lock_begin())
		return -EIO;
	r = changed(run("DELETE FROM containers WHERE id = ?1", "t", id));
	if (!r)
		r = run("DELETE FROM profiles WHERE scope = 'container' AND key = ?1", "t", id);
	return finish_unlock(r);
}

#define CONTAINER_SELECT \
	"SELECT c.id, c.image, c.cgroup, c.cgroup_id, c.pid, c.created, " \
	"i.policy_id, p.json, o.mode, o.log, o.passive, o.updated, o.learning, " \
	"p.incomplete, p.incomplete_dropped " \
	"FROM containers c LEFT JOIN image_policy i ON i.image = c.image " \
	"LEFT JOIN policies p ON p.id = i.policy_id " \
	"LEFT JOIN overrides o ON o.container_id = c.id "

static void container_row(sqlite3_stmt *st, struct crsd_container_row *c, bool dup)
{
	memset(c, 0, sizeof(*c));
	copy(c->id, sizeof(c->id), col_text(st, 0));
	copy(c->image, sizeof(c->image), col_text(st, 1));
	c->cgroup = dup ? strdup(col_text(st, 2)) : (char *)col_text(st, 2);
	c->cgroup_id = sqlite3_column_int64(st, 3);
	c->pid = sqlite3_column_int64(st, 4);
	c->created = sqlite3_column_int64(st, 5);
	copy(c->policy_id, sizeof(c->policy_id), col_text(st, 6));
	if (sqlite3_column_type(st, 7) != SQLITE_NULL)
		c->policy_json = dup ? strdup(col_text(st, 7)) : (char *)col_text(st, 7);
	if (sqlite3_column_type(st, 8) != SQLITE_NULL) {
		c->ov.has_mode = true;
		copy(c->ov.mode, sizeof(c->ov.mode), col_text(st, 8));
	}
	if (sqlite3_column_type(st, 9) != SQLITE_NULL) {
		c->ov.has_log = true;
		c->ov.log = (uint32_t)sqlite3_column_int64(st, 9);
	}
	if (sqlite3_column_type(st, 10) != SQLITE_NULL) {
		c->ov.has_passive = true;
		c->ov.passive = sqlite3_column_int(st, 10);
	}
	c->ov.updated = sqlite3_column_int64(st, 11);
	if (sqlite3_column_type(st, 12) != SQLITE_NULL) {
		c->ov.has_learning = true;
		c->ov.learning = sqlite3_column_int(st, 12);
	}
	c->policy_incomplete = sqlite3_column_int(st, 13);
	c->policy_incomplete_dropped = sqlite3_column_int64(st, 14);
}

static int container_get_row(sqlite3_stmt *st, void *out)
{
	struct crsd_container_row *c = out;

	container_row(st, c, true);
	return c->cgroup ? 0 : -ENOMEM;
}

int store_container_get(const char *id, struct crsd_container_row *out)
{
	int r;

	pthread_mutex_lock(&lock);
	r = one_row(container_get_row, out, CONTAINER_SELECT "WHERE c.id = ?1", "t", id);
	pthread_mutex_unlock(&lock);
	return r;
}

static void container_list_row(sqlite3_stmt *st, void *arg)
{
	const struct list_cb *l = arg;
	struct crsd_container_row row;

	container_row(st, &row, false);
	l->container(&row, l->arg);
}

int store_container_list(const char *policy_id,
			 void (*cb)(const struct crsd_container_row *row, void *arg),
			 void *arg)
{
	struct list_cb l = { .container = cb, .arg = arg };
	int r;

	pthread_mutex_lock(&lock);
	r = each_row(container_list_row, &l,
		     policy_id ? CONTAINER_SELECT "WHERE i.policy_id = ?1 ORDER BY c.id"
			       : CONTAINER_SELECT "ORDER BY c.id",
		     policy_id ? "t" : "", policy_id);
	pthread_mutex_unlock(&lock);
	return r;
}

void store_container_row_free(struct crsd_container_row *row)
{
	free(row->cgroup);
	free(row->policy_json);
	row->cgroup = row->policy_json = NULL;
}

int store_override_set(const char *container_id, const struct crsd_override *ov)
{
	int r = -ENOENT;

	if (lock_begin())
		return -EIO;
	if (count_where("SELECT count(*) FROM containers WHERE id = ?1", container_id))
		r = run("INSERT OR REPLACE INTO overrides (container_id, mode, log, passive, "
			"updated, learning) VALUES (?1, ?2, ?3, ?4, ?5, ?6)", "ttooio", container_id,
			ov->has_mode ? ov->mode : NULL, ov->has_log, (int64_t)ov->log,
			ov->has_passive, (int64_t)ov->passive, crsd_now_ns(),
			ov->has_learning, (int64_t)ov->learning);
	return finish_unlock(r);
}

int store_override_delete(const char *container_id)
{
	int r = -ENOENT;

	pthread_mutex_lock(&lock);
	if (count_where("SELECT count(*) FROM containers WHERE id = ?1", container_id))
		r = run("DELETE FROM overrides WHERE container_id = ?1", "t", container_id);
	pthread_mutex_unlock(&lock);
	return r;
}

/* -------------------------------------------------------------- events */

static void event_row(sqlite3_stmt *st, void *arg)
{
	const struct list_cb *l = arg;

	l->event(sqlite3_column_int64(st, 0), col_text(st, 1), l->arg);
}

int store_events_query(const struct crsd_event_filter *f,
		       void (*cb)(int64_t seq, const char *json, void *arg), void *arg)
{
	struct list_cb l = { .event = cb, .arg = arg };
	int r;

	pthread_mutex_lock(&lock);
	r = each_row(event_row, &l, "SELECT seq, json FROM events WHERE seq > ?1 "
		     "AND (?2 IS NULL OR container_id = ?2) AND (?3 IS NULL OR image = ?3) "
		     "AND (?4 IS NULL OR policy_id = ?4) AND (?5 IS NULL OR type = ?5) "
		     "AND (?6 IS NULL OR action = ?6) AND (?7 = 0 OR time_ns >= ?7) "
		     "AND (?8 = 0 OR time_ns < ?8) ORDER BY seq LIMIT ?9", "itttttiii",
		     f->cursor, f->container, f->image, f->policy, f->type, f->action,
		     f->since, f->until, (int64_t)f->limit);
	pthread_mutex_unlock(&lock);
	return r;
}

int64_t store_events_max_seq(void)
{
	int64_t seq = 0;

	pthread_mutex_lock(&lock);
	one_row(col0_int64, &seq, "SELECT max(seq) FROM events", "");
	pthread_mutex_unlock(&lock);
	return seq;
}

/*
 * The container of a cgroup (the event's own, else the one whose table
 * decided), its image and that image's policy now; "" where unknown.
 */
static void attribute(const struct crsd_event_in *e, char *ctr, char *img, char *pol)
{
	sqlite3_stmt *st = prep("SELECT c.id, c.image, i.policy_id FROM containers c "
				"LEFT JOIN image_policy i ON i.image = c.image "
				"WHERE c.cgroup_id = ?1 AND c.cgroup_id != 0 LIMIT 1");
	uint64_t ids[2] = { e->cgroup_id, e->table_cgroup_id };
	size_t i;

	ctr[0] = img[0] = pol[0] = '\0';
	if (!st)
		return;
	for (i = 0; i < 2; i++) {
		sqlite3_reset(st);
		bind_args(st, "i", (int64_t)ids[i]);
		if (sqlite3_step(st) == SQLITE_ROW) {
			copy(ctr, CRSD_ID_MAX + 1, col_text(st, 0));
			copy(img, CRSD_IMAGE_MAX + 1, col_text(st, 1));
			copy(pol, CRSD_ID_MAX + 1, col_text(st, 2));
			break;
		}
	}
	sqlite3_finalize(st);
}

static struct json_object *str_or_null(const char *s)
{
	return *s ? json_object_new_string(s) : NULL;
}

int store_events_insert(struct crsd_event_in *ev, size_t n, bool lines)
{
	char ctr[CRSD_ID_MAX + 1], img[CRSD_IMAGE_MAX + 1], pol[CRSD_ID_MAX + 1];
	sqlite3_stmt *st;
	size_t i;
	int r = 0;

	if (lock_begin())
		return -EIO;
	st = prep("INSERT INTO events (time_ns, container_id, image, policy_id, type, action, "
		  "json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	for (i = 0; st && i < n && !r; i++) {
		struct json_object *o = json_tokener_parse(ev[i].json), *v;

		if (!json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			continue;
		}
		attribute(&ev[i], ctr, img, pol);
		/* "seq" is the store's; the kernel's sequence number stays as kernel_seq. */
		if (json_object_object_get_ex(o, "seq", &v)) {
			json_object_object_add(o, "kernel_seq", json_object_get(v));
			json_object_object_del(o, "seq");
		}
		json_object_object_add(o, "container", str_or_null(ctr));
		json_object_object_add(o, "image", str_or_null(img));
		json_object_object_add(o, "policy", str_or_null(pol));
		sqlite3_reset(st);
		bind_args(st, "itttttt", ev[i].time_ns, *ctr ? ctr : NULL, *img ? img : NULL,
			  *pol ? pol : NULL, ev[i].type, ev[i].action,
			  json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		r = step_done(st);
		if (!r && lines) {
			/* As the API shows it (api_events.c): the stored JSON and its seq. */
			json_object_object_add(o, "seq", json_object_new_int64(
						       sqlite3_last_insert_rowid(db)));
			ev[i].line = strdup(json_object_to_json_string_ext(
				o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		}
		json_object_put(o);
	}
	sqlite3_finalize(st);
	r = finish_unlock(st ? r : -EIO);
	if (r && lines) {	/* rolled back: nothing of it was stored */
		for (i = 0; i < n; i++) {
			free(ev[i].line);
			ev[i].line = NULL;
		}
	}
	return r;
}

/* One prune statement (NULL: not prepared, skipped): run unless r already failed. */
static int prune_step(sqlite3_stmt *st, int r, int *n)
{
	if (st) {
		if (!r)
			r = step_done(st);
		*n += sqlite3_changes(db);
		sqlite3_finalize(st);
	}
	return r;
}

int store_events_prune(int64_t max_count, int64_t max_age_ns)
{
	int r = 0, n = 0;

	pthread_mutex_lock(&lock);
	if (max_age_ns > 0)
		r = prune_step(prep_bind("DELETE FROM events WHERE time_ns < ?1", "i",
					 crsd_now_ns() - max_age_ns), r, &n);
	if (max_count > 0)
		r = prune_step(prep_bind("DELETE FROM events WHERE seq <= "
					 "(SELECT max(seq) FROM events) - ?1", "i", max_count),
			       r, &n);
	pthread_mutex_unlock(&lock);
	return r ? r : n;
}

int store_counts(struct crsd_counts *c)
{
	static const char *const q[] = {
		"SELECT count(*) FROM policies", "SELECT count(*) FROM image_policy",
		"SELECT count(*) FROM containers", "SELECT count(*) FROM overrides",
		"SELECT count(*) FROM events",
		"SELECT count(*) FROM profiles", "SELECT count(*) FROM observations",
	};
	int64_t *v[] = { &c->policies, &c->images, &c->containers, &c->overrides, &c->events,
			 &c->profiles, &c->observations };
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		*v[i] = count_where(q[i], NULL);
	pthread_mutex_unlock(&lock);
	return 0;
}

/* ------------------------------------------------------------ profiles */

/*
 * The profile (scope, key), created if missing; its id into *id. With
 * info (a container's profile), also the drops this dump adds, by the
 * design's rule: within one kernel epoch the growth of the kernel's
 * counters, for a new epoch the whole counts; and the kernel state is
 * recorded. Without info (the image's), *d_full and *d_long are added.
 */
struct prof_kernel {
	int64_t id, epoch, dropped, dropped_long;
	bool has_epoch;
};

static int prof_kernel_row(sqlite3_stmt *st, void *arg)
{
	struct prof_kernel *k = arg;

	k->id = sqlite3_column_int64(st, 0);
	k->has_epoch = sqlite3_column_type(st, 1) != SQLITE_NULL;
	k->epoch = sqlite3_column_int64(st, 1);
	k->dropped = sqlite3_column_int64(st, 2);
	k->dropped_long = sqlite3_column_int64(st, 3);
	return 0;
}

static int profile_upsert(const char *scope, const char *key, const char *image,
			  const struct crs_learn_info *info, int64_t *d_full, int64_t *d_long,
			  int64_t now, int64_t *id)
{
	struct prof_kernel k = { 0 };
	int r;

	r = run("INSERT INTO profiles (scope, key, image, updated) VALUES (?1, ?2, ?3, ?4) "
		"ON CONFLICT(scope, key) DO UPDATE SET image = excluded.image",
		"ttti", scope, key, image, now);
	if (!r)
		r = one_row(prof_kernel_row, &k, "SELECT id, kernel_epoch, kernel_dropped, "
			    "kernel_dropped_long FROM profiles WHERE scope = ?1 AND key = ?2",
			    "tt", scope, key);
	if (r)
		return r;
	*id = k.id;
	if (info) {
		int64_t full = (int64_t)info->dropped_full, lng = (int64_t)info->dropped_long;
		int64_t kfull = k.dropped - k.dropped_long;

		if (k.has_epoch && k.epoch == (int64_t)info->epoch) {
			*d_full = full > kfull ? full - kfull : 0;
			*d_long = lng > k.dropped_long ? lng - k.dropped_long : 0;
		} else {
			*d_full = full;
			*d_long = lng;
		}
		return run("UPDATE profiles SET dropped = dropped + ?2, dropped_long = "
			   "dropped_long + ?3, kernel_epoch = ?4, kernel_generation = ?5, "
			   "kernel_dropped = ?6, kernel_dropped_long = ?7, updated = ?8, "
			   "synced = ?8 WHERE id = ?1", "iiiiiiii", k.id, *d_full + *d_long,
			   *d_long, (int64_t)info->epoch, (int64_t)info->generation,
			   full + lng, lng, now);
	}
	return run("UPDATE profiles SET dropped = dropped + ?2, dropped_long = dropped_long + ?3, "
		   "updated = ?4, synced = ?4 WHERE id = ?1", "iiii", k.id, *d_full + *d_long,
		   *d_long, now);
}

static int obs_upsert(sqlite3_stmt *st, int64_t profile_id, const struct crsd_obs_in *o,
		      int64_t now)
{
	sqlite3_reset(st);
	bind_args(st, "itttiii", profile_id, o->key, o->type, o->program, (int64_t)o->access,
		  (int64_t)o->outcome, now);
	sqlite3_bind_text(st, 8, o->json, -1, SQLITE_TRANSIENT);
	return step_done(st);
}

int store_learn_ingest(const char *container_id, const char *image,
		       const struct crs_learn_info *info, const struct crsd_obs_in *obs,
		       size_t n)
{
	int64_t now = crsd_now_ns(), cid = 0, iid = 0, d_full = 0, d_long = 0;
	sqlite3_stmt *st = NULL;
	bool ctr;
	size_t i;
	int r;

	if (lock_begin())
		return -EIO;
	/* A container gone from the store: its image's profile only. */
	ctr = container_id && count_where("SELECT count(*) FROM containers WHERE id = ?1",
					  container_id);
	r = ctr ? profile_upsert("container", container_id, image, info, &d_full, &d_long,
				 now, &cid) : 0;
	if (!r)
		r = profile_upsert("image", image, image, NULL, &d_full, &d_long, now, &iid);
	if (!r) {
		st = prep("INSERT INTO observations (profile_id, key, type, program, access, "
			  "outcome, first_seen, last_seen, json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
			  "?7, ?7, ?8) ON CONFLICT(profile_id, key) DO UPDATE SET "
			  "access = access | excluded.access, outcome = outcome | excluded.outcome, "
			  "last_seen = excluded.last_seen, json = excluded.json");
		r = st ? 0 : -EIO;
	}
	for (i = 0; !r && i < n; i++) {
		if (ctr)
			r = obs_upsert(st, cid, &obs[i], now);
		if (!r)
			r = obs_upsert(st, iid, &obs[i], now);
	}
	sqlite3_finalize(st);
	return finish_unlock(r);
}

static int profile_row(sqlite3_stmt *st, void *arg)
{
	struct crsd_profile *p = arg;

	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(st, 0);
	copy(p->image, sizeof(p->image), col_text(st, 1));
	p->dropped = sqlite3_column_int64(st, 2);
	p->dropped_long = sqlite3_column_int64(st, 3);
	p->has_kernel = sqlite3_column_type(st, 4) != SQLITE_NULL;
	p->epoch = sqlite3_column_int64(st, 4);
	p->generation = sqlite3_column_int64(st, 5);
	p->updated = sqlite3_column_int64(st, 6);
	p->synced = sqlite3_column_int64(st, 7);
	p->observations = sqlite3_column_int64(st, 8);
	return 0;
}

int store_profile_get(const char *scope, const char *key, struct crsd_profile *p)
{
	int r;

	pthread_mutex_lock(&lock);
	r = one_row(profile_row, p, "SELECT id, image, dropped, dropped_long, kernel_epoch, "
		    "kernel_generation, updated, coalesce(synced, 0), (SELECT count(*) FROM "
		    "observations o WHERE o.profile_id = profiles.id) FROM profiles "
		    "WHERE scope = ?1 AND key = ?2", "tt", scope, key);
	pthread_mutex_unlock(&lock);
	return r;
}

struct obs_cb {
	void (*fn)(const struct crsd_obs_row *row, void *arg);
	void *arg;
};

static void obs_row(sqlite3_stmt *st, void *arg)
{
	const struct obs_cb *c = arg;
	struct crsd_obs_row row = {
		.key = col_text(st, 0), .json = col_text(st, 1),
		.access = (uint32_t)sqlite3_column_int64(st, 2),
		.outcome = (uint32_t)sqlite3_column_int64(st, 3),
		.first_seen = sqlite3_column_int64(st, 4),
		.last_seen = sqlite3_column_int64(st, 5),
	};

	c->fn(&row, c->arg);
}

int store_profile_observations(int64_t profile_id, const char *after, int64_t limit,
			       void (*cb)(const struct crsd_obs_row *row, void *arg), void *arg)
{
	struct obs_cb c = { cb, arg };
	int r;

	pthread_mutex_lock(&lock);
	r = each_row(obs_row, &c, "SELECT key, json, access, outcome, first_seen, last_seen "
		     "FROM observations WHERE profile_id = ?1 AND (?2 IS NULL OR key > ?2) "
		     "ORDER BY key LIMIT ?3", "iti", profile_id, after, limit);
	pthread_mutex_unlock(&lock);
	return r;
}

int store_profile_delete(const char *scope, const char *key)
{
	int r;

	pthread_mutex_lock(&lock);
	r = changed(run("DELETE FROM profiles WHERE scope = ?1 AND key = ?2", "tt", scope, key));
	pthread_mutex_unlock(&lock);
	return r;
}
