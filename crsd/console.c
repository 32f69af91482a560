// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The web console (docs/console.md): its files, embedded at build time from
 * ui/ (scripts/gen-ui-assets.sh), served at / and /ui/NAME with strong ETags;
 * and the sessions a browser logs in with on TCP.
 *
 * A session is made by POST /api/v1/session with the bearer token in the
 * body. Its id goes to the browser in the cookie crsd_session (HttpOnly,
 * SameSite=Strict, Secure over TLS); its CSRF token goes in the response
 * body, for the page's script to send back as X-CRSD-CSRF with every change
 * (http.c checks both). Sessions live in memory only: at most
 * CRSD_SESSIONS_MAX (a new one evicts the least recently used), each ending
 * after --session-idle seconds unused or --session-max-age after login
 * (times in ms of CLOCK_BOOTTIME), at logout, when the token changes and
 * when crsd stops.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/random.h>
#include <microhttpd.h>
#include "crsd.h"

struct session {
	char id[CRSD_SESSION_ID_LEN + 1];	/* "" if the slot is free */
	char csrf[CRSD_SESSION_ID_LEN + 1];
	int64_t created, used;			/* ms, CLOCK_BOOTTIME */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct session sessions[CRSD_SESSIONS_MAX];
static unsigned idle_s = CRSD_SESSION_IDLE, max_age_s = CRSD_SESSION_MAX_AGE;

void console_session_limits(unsigned idle, unsigned max_age)
{
	idle_s = idle;
	max_age_s = max_age;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool crsd_secret_eq(const char *a, const char *b)
{
	size_t al = strlen(a), bl = strlen(b), i;
	unsigned char diff = al != bl;

	for (i = 0; i < al; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)(bl ? b[i % bl] : 0);
	return !diff;
}

/* 32 random bytes as 64 hex digits. */
static int random_hex(char out[CRSD_SESSION_ID_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[CRSD_SESSION_ID_LEN / 2];
	size_t i;

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return -errno;
	for (i = 0; i < sizeof(b); i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[CRSD_SESSION_ID_LEN] = '\0';
	return 0;
}

static bool live(const struct session *s, int64_t now)
{
	return s->id[0] && now - s->used < (int64_t)idle_s * 1000 &&
	       now - s->created < (int64_t)max_age_s * 1000;
}

static int session_new(char id[CRSD_SESSION_ID_LEN + 1], char csrf[CRSD_SESSION_ID_LEN + 1])
{
	struct session *s, *victim = NULL;
	int64_t now = now_ms();

	if (random_hex(id) || random_hex(csrf))
		return -EIO;
	pthread_mutex_lock(&lock);
	/* A free or expired slot, else the least recently used one. */
	for (s = sessions; s < sessions + CRSD_SESSIONS_MAX; s++) {
		if (!live(s, now)) {
			victim = s;
			break;
		}
		if (!victim || s->used < victim->used)
			victim = s;
	}
	memcpy(victim->id, id, sizeof(victim->id));
	memcpy(victim->csrf, csrf, sizeof(victim->csrf));
	victim->created = victim->used = now;
	pthread_mutex_unlock(&lock);
	return 0;
}

bool console_session_check(const char *id, char csrf[CRSD_SESSION_ID_LEN + 1])
{
	int64_t now = now_ms();
	bool found = false;
	size_t i;

	if (strlen(id) != CRSD_SESSION_ID_LEN)
		return false;
	pthread_mutex_lock(&lock);
	for (i = 0; i < CRSD_SESSIONS_MAX; i++) {
		struct session *s = &sessions[i];

		if (!live(s, now)) {
			memset(s, 0, sizeof(*s));
			continue;
		}
		if (!found && crsd_secret_eq(s->id, id)) {
			found = true;
			s->used = now;
			if (csrf)
				memcpy(csrf, s->csrf, CRSD_SESSION_ID_LEN + 1);
		}
	}
	pthread_mutex_unlock(&lock);
	return found;
}

static void session_delete(const char *id)
{
	size_t i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < CRSD_SESSIONS_MAX; i++)
		if (sessions[i].id[0] && crsd_secret_eq(sessions[i].id, id))
			memset(&sessions[i], 0, sizeof(sessions[i]));
	pthread_mutex_unlock(&lock);
}

void console_sessions_clear(void)
{
	pthread_mutex_lock(&lock);
	memset(sessions, 0, sizeof(sessions));
	pthread_mutex_unlock(&lock);
}

/* ---------------------------------------------------------------- files */

int console_asset(struct crsd_req *r, struct crsd_resp *out, const char *name)
{
	const char *inm;
	size_t i;

	for (i = 0; i < crsd_n_assets; i++)
		if (!strcmp(crsd_assets[i].name, name))
			break;
	if (i == crsd_n_assets)
		return crsd_resp_error(out, 404, NULL, "no such resource");
	if (strcmp(r->method, "GET"))
		return crsd_method_not_allowed(out, "GET");
	snprintf(out->etag, sizeof(out->etag), "%s", crsd_assets[i].etag);
	inm = crsd_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
	out->ctype = crsd_assets[i].ctype;
	if (inm && !strcmp(inm, crsd_assets[i].etag)) {
		out->status = 304;
		return 304;
	}
	out->static_body = crsd_assets[i].data;
	out->static_len = crsd_assets[i].len;
	out->status = 200;
	return 200;
}

/* -------------------------------------------------------------- session */

static const char *auth_name(enum crsd_auth a)
{
	switch (a) {
	case CRSD_AUTH_SOCKET:
		return "socket";
	case CRSD_AUTH_TOKEN:
		return "token";
	case CRSD_AUTH_SESSION:
		return "session";
	default:
		return "none";
	}
}

static int login(struct crsd_req *r, struct crsd_resp *out)
{
	char id[CRSD_SESSION_ID_LEN + 1], csrf[CRSD_SESSION_ID_LEN + 1];
	struct json_object *body, *tok, *o;
	const char *key;

	if (r->auth == CRSD_AUTH_SOCKET)
		return crsd_resp_error(out, 400, NULL,
				       "the Unix socket needs no login (its permissions decide)");
	body = crsd_parse_body(r, out);
	if (!body)
		return out->status;
	json_object_object_foreach(body, k, v) {
		(void)v;
		if (strcmp(k, "token")) {
			crsd_resp_error(out, 400, k, "%s: unknown field", k);
			json_object_put(body);
			return out->status;
		}
	}
	if (!json_object_object_get_ex(body, "token", &tok) ||
	    !json_object_is_type(tok, json_type_string)) {
		json_object_put(body);
		return crsd_resp_error(out, 400, "token", "token: a string is required");
	}
	key = json_object_get_string(tok);
	if (!http_token_eq(key)) {
		json_object_put(body);
		return crsd_resp_error(out, 401, "token", "token: not crsd's token");
	}
	json_object_put(body);
	if (session_new(id, csrf))
		return crsd_resp_error(out, 500, NULL, "no randomness for a session id");
	snprintf(out->cookie, sizeof(out->cookie),
		 CRSD_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict%s", id,
		 r->tls ? "; Secure" : "");
	o = json_object_new_object();
	json_object_object_add(o, "auth", json_object_new_string("session"));
	json_object_object_add(o, "csrf", json_object_new_string(csrf));
	json_object_object_add(o, "idle_timeout", json_object_new_int64(idle_s));
	json_object_object_add(o, "max_age", json_object_new_int64(max_age_s));
	return crsd_resp_json(out, 201, o);
}

int api_session(struct crsd_req *r, struct crsd_resp *out)
{
	char csrf[CRSD_SESSION_ID_LEN + 1];
	struct json_object *o;

	if (!strcmp(r->method, "POST"))
		return login(r, out);
	if (!strcmp(r->method, "GET")) {
		o = json_object_new_object();
		json_object_object_add(o, "auth", json_object_new_string(auth_name(r->auth)));
		if (r->auth == CRSD_AUTH_SESSION && console_session_check(r->session, csrf))
			json_object_object_add(o, "csrf", json_object_new_string(csrf));
		return crsd_resp_json(out, 200, o);
	}
	if (!strcmp(r->method, "DELETE")) {
		if (r->auth != CRSD_AUTH_SESSION)
			return crsd_resp_error(out, 404, NULL, "no session to end");
		session_delete(r->session);
		snprintf(out->cookie, sizeof(out->cookie),
			 CRSD_SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
			 r->tls ? "; Secure" : "");
		out->body = strdup("");
		out->status = 204;
		return 204;
	}
	return crsd_method_not_allowed(out, "GET, POST, DELETE");
}
