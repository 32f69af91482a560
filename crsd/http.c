// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The HTTP side: one libmicrohttpd daemon on the Unix socket (root-owned,
 * 0660; the socket's permissions are the access control) and, only if asked
 * for, one on TCP that requires "Authorization: Bearer TOKEN" (compared in
 * constant time), over TLS when given a certificate and its key
 * (libmicrohttpd's own TLS, GnuTLS; TLS 1.2 and 1.3 only). Each has a polling thread and a thread per connection
 * (at most --max-connections), so a slow request or an event stream holds
 * up only its own connection.
 *
 * Per request, before any handler runs: rate limit (429), bearer token or
 * console session cookie on TCP (401; the console's files and its login need
 * neither), a cross-site Origin on a change (403), the CSRF header on a
 * change made with a session cookie (403), content type of bodies (415),
 * body size (413, from Content-Length up front or while the body arrives). The URL reaches us
 * undecoded (our unescape callback is the identity) and every segment is
 * percent-decoded here, once, rejecting NUL and bad escapes.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <microhttpd.h>
#include "crsd.h"

#define MAX_SEGS	8
/* On every response: the console's page loads only its own files. */
#define CSP	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
		"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

struct listener {
	struct MHD_Daemon *d;
	int fd;
	bool tcp;
	/* Token bucket: a TCP flood (even unauthenticated) cannot starve the socket. */
	pthread_mutex_t rate_lock;
	double tokens;
	struct timespec last_refill;
};

struct conn {
	char *buf;
	size_t len, cap;
	bool too_big;
	bool started;
	enum crsd_auth auth;
	char session[CRSD_SESSION_ID_LEN + 1];
};

static struct crsd_http_opts opts;
static struct listener unix_l = { .fd = -1, .rate_lock = PTHREAD_MUTEX_INITIALIZER };
static struct listener tcp_l = { .fd = -1, .tcp = true, .rate_lock = PTHREAD_MUTEX_INITIALIZER };
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static struct crsd_http_stats stats;

#define INC(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)

void http_stats(struct crsd_http_stats *s)
{
	size_t i;

	s->requests = __atomic_load_n(&stats.requests, __ATOMIC_RELAXED);
	for (i = 0; i < 6; i++)
		s->by_class[i] = __atomic_load_n(&stats.by_class[i], __ATOMIC_RELAXED);
	s->rejected_rate = __atomic_load_n(&stats.rejected_rate, __ATOMIC_RELAXED);
	s->rejected_auth = __atomic_load_n(&stats.rejected_auth, __ATOMIC_RELAXED);
	s->rejected_size = __atomic_load_n(&stats.rejected_size, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------- helpers */

const char *crsd_header(struct crsd_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *crsd_query(struct crsd_req *r, const char *key, char *buf, size_t len,
		       bool *bad)
{
	const char *raw = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);

	if (!raw)
		return NULL;
	if (crsd_pct_decode(raw, strlen(raw), buf, len) < 0) {
		*bad = true;
		return NULL;
	}
	return buf;
}

int crsd_method_not_allowed(struct crsd_resp *out, const char *allow)
{
	out->allow = allow;
	return crsd_resp_error(out, 405, NULL, "method not allowed (allowed: %s)", allow);
}

/* The URL is left as sent: we decode it, per segment (see route()). */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
	return strlen(s);
}

/* Token bucket per listener: rate per second, burst deep. */
static bool rate_ok(struct listener *l)
{
	struct timespec now;
	double dt;
	bool ok;

	if (!opts.rate)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&l->rate_lock);
	dt = (now.tv_sec - l->last_refill.tv_sec) +
	     (now.tv_nsec - l->last_refill.tv_nsec) / 1e9;
	l->last_refill = now;
	l->tokens += dt * opts.rate;
	if (l->tokens > opts.burst)
		l->tokens = opts.burst;
	ok = l->tokens >= 1.0;
	if (ok)
		l->tokens -= 1.0;
	pthread_mutex_unlock(&l->rate_lock);
	return ok;
}

/* The TCP token, replaced on SIGHUP (http_set_token). */
static pthread_rwlock_t token_lock = PTHREAD_RWLOCK_INITIALIZER;
static char *token;

void http_set_token(char *t)
{
	pthread_rwlock_wrlock(&token_lock);
	free(token);
	token = t;
	pthread_rwlock_unlock(&token_lock);
	/* Sessions were opened with the old token: they end with it. */
	console_sessions_clear();
}

/* Constant time in the token's length whatever the candidate is. */
bool http_token_eq(const char *s)
{
	bool ok;

	pthread_rwlock_rdlock(&token_lock);
	ok = token && crsd_secret_eq(token, s);
	pthread_rwlock_unlock(&token_lock);
	return ok;
}

static bool token_ok(const char *hdr)
{
	if (!hdr || strncasecmp(hdr, "Bearer ", 7))
		return false;
	hdr += 7;
	while (*hdr == ' ')
		hdr++;
	return http_token_eq(hdr);
}

/* What a TCP request may reach without a token or a session. */
static bool is_public(const char *url, const char *method)
{
	if (!strcmp(method, "GET") || !strcmp(method, "HEAD"))
		return !strcmp(url, "/") || !strncmp(url, "/ui/", 4);
	return !strcmp(method, "POST") && !strcmp(url, "/api/v1/session");
}

/*
 * Origin, when a browser sends it, must name the host the request was sent
 * to (Host), with the listener's scheme on TCP: a change from another site
 * is refused whatever it carries.
 */
static bool origin_ok(struct listener *l, struct MHD_Connection *c)
{
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	bool tls = l->tcp && opts.tls_cert;

	if (!origin)
		return true;
	if (!host)
		return false;
	if (!strncmp(origin, "https://", 8) && (tls || !l->tcp))
		origin += 8;
	else if (!strncmp(origin, "http://", 7) && !tls)
		origin += 7;
	else
		return false;
	return !strcasecmp(origin, host);
}

/* "application/json; charset=utf-8" matches "application/json". */
static bool ctype_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	while (*ct == ' ')
		ct++;
	if (strncasecmp(ct, want, n))
		return false;
	ct += n;
	while (*ct == ' ')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static bool has_body_method(const char *m)
{
	return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH");
}

/* ------------------------------------------------------------- routing */

static bool seg_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f || *s == '/')
			return false;
	return true;
}

static int route(struct crsd_req *r, struct crsd_resp *out)
{
	static const char images[] = "/api/v1/images/";
	/* the image routes by suffix: api_images, the profile, its template */
	static const char *const image_routes[] = { "/policy", "/profile", "/policy-template" };
	char copy[2048], *segv[MAX_SEGS], *save = NULL, *tok;
	char dec[MAX_SEGS][512];
	size_t plen = strlen(r->path);
	int n = 0, i;

	if (r->path[0] != '/' || plen >= sizeof(copy))
		return crsd_resp_error(out, 404, NULL, "no such resource");
	/* The console: / is its page, /ui/NAME its files (names without '/'). */
	if (!strcmp(r->path, "/"))
		return console_asset(r, out, "index.html");
	if (!strncmp(r->path, "/ui/", 4))
		return console_asset(r, out, r->path + 4);
	if (!strcmp(r->path, "/metrics")) {
		if (strcmp(r->method, "GET"))
			return crsd_method_not_allowed(out, "GET");
		return api_metrics(r, out);
	}
	/*
	 * Image references contain '/': the route is prefix + ref + "/policy",
	 * or (learning) "/profile" or "/policy-template".
	 */
	if (!strncmp(r->path, images, sizeof(images) - 1)) {
		const char *ref = r->path + sizeof(images) - 1;
		size_t rl = strlen(ref), sl;
		char raw[1024];

		for (i = 0; i < (int)(sizeof(image_routes) / sizeof(image_routes[0])); i++) {
			sl = strlen(image_routes[i]);
			if (rl <= sl || strcmp(ref + rl - sl, image_routes[i]))
				continue;
			if (rl - sl >= sizeof(raw))
				return crsd_resp_error(out, 400, "image",
						       "image reference too long");
			memcpy(raw, ref, rl - sl);
			raw[rl - sl] = '\0';
			if (i == 0)
				return api_images(r, out, raw);
			return api_image_profile(r, out, raw, i == 2);
		}
		return crsd_resp_error(out, 404, NULL, "no such resource");
	}
	memcpy(copy, r->path, plen + 1);
	for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (n == MAX_SEGS)
			return crsd_resp_error(out, 404, NULL, "no such resource");
		if (crsd_pct_decode(tok, strlen(tok), dec[n], sizeof(dec[n])) < 0 ||
		    !seg_ok(dec[n]))
			return crsd_resp_error(out, 400, NULL, "malformed path");
		segv[n] = dec[n];
		n++;
	}
	/* Empty segments ("//", trailing "/") are not our routes. */
	if (plen > 1 && (r->path[plen - 1] == '/' || strstr(r->path, "//")))
		return crsd_resp_error(out, 404, NULL, "no such resource");
	if (n < 3 || strcmp(segv[0], "api") || strcmp(segv[1], "v1"))
		return crsd_resp_error(out, 404, NULL, "no such resource");
	for (i = 0; i < n; i++)
		if (!strcmp(segv[i], "..") || !strcmp(segv[i], "."))
			return crsd_resp_error(out, 400, NULL, "malformed path");
	if (!strcmp(segv[2], "policies"))
		return api_policies(r, out, segv + 3, n - 3);
	if (!strcmp(segv[2], "images") && n == 3) {
		if (strcmp(r->method, "GET"))
			return crsd_method_not_allowed(out, "GET");
		return api_images_list(r, out);
	}
	if (!strcmp(segv[2], "containers"))
		return api_containers(r, out, segv + 3, n - 3);
	if (!strcmp(segv[2], "events") && n == 3)
		return api_events(r, out, false);
	if (!strcmp(segv[2], "events") && n == 4 && !strcmp(segv[3], "stream"))
		return api_events(r, out, true);
	if (!strcmp(segv[2], "session") && n == 3)
		return api_session(r, out);
	if (!strcmp(segv[2], "status") && n == 3) {
		if (strcmp(r->method, "GET"))
			return crsd_method_not_allowed(out, "GET");
		return api_status(r, out);
	}
	return crsd_resp_error(out, 404, NULL, "no such resource");
}

/* ------------------------------------------------------------ plumbing */

static enum MHD_Result reply(struct MHD_Connection *c, struct crsd_resp *out)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len;
	char *body = out->body;

	if (out->static_body || out->status == 304) {
		len = out->static_body ? out->static_len : 0;
		resp = MHD_create_response_from_buffer(len, (void *)out->static_body,
						       MHD_RESPMEM_PERSISTENT);
		if (!resp)
			return MHD_NO;
		goto headers;
	}
	if (out->stream) {
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, crsd_stream_read,
							 out->stream, crsd_stream_free);
		if (!resp) {
			crsd_stream_free(out->stream);
			return MHD_NO;
		}
		out->stream = NULL;
		len = 1;
		goto headers;
	}
	if (!body) {
		body = strdup("{\"error\": \"out of memory\"}\n");
		out->status = 500;
		if (!body)
			return MHD_NO;
	}
	len = out->status == 204 ? 0 : strlen(body);
	resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	out->body = NULL;
headers:
	if (len)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					out->ctype ? out->ctype : "application/json");
	/* The console's files are revalidated (ETag); everything else is never stored. */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
				out->static_body || out->status == 304 ? "no-cache" : "no-store");
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	if (out->cookie[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, out->cookie);
	if (out->location[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, out->location);
	if (out->etag[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, out->etag);
	if (out->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, out->allow);
	if (out->status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
	if (out->status == 429)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	ret = MHD_queue_response(c, (unsigned int)out->status, resp);
	MHD_destroy_response(resp);
	if (out->status >= 100 && out->status < 600)
		INC(stats.by_class[out->status / 100]);
	return ret;
}

/* Checks made before the body is read; nonzero: out holds the rejection. */
static int precheck(struct listener *l, struct MHD_Connection *c, const char *url,
		    const char *method, struct conn *cn, struct crsd_resp *out)
{
	char csrf[CRSD_SESSION_ID_LEN + 1] = "";
	const char *cl, *ct, *sid;
	bool change = strcmp(method, "GET") && strcmp(method, "HEAD");

	if (!rate_ok(l)) {
		INC(stats.rejected_rate);
		return crsd_resp_error(out, 429, NULL, "too many requests");
	}
	cn->auth = l->tcp ? CRSD_AUTH_NONE : CRSD_AUTH_SOCKET;
	if (l->tcp && token_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							   MHD_HTTP_HEADER_AUTHORIZATION)))
		cn->auth = CRSD_AUTH_TOKEN;
	sid = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, CRSD_SESSION_COOKIE);
	if (cn->auth == CRSD_AUTH_NONE && sid && console_session_check(sid, csrf)) {
		cn->auth = CRSD_AUTH_SESSION;
		snprintf(cn->session, sizeof(cn->session), "%s", sid);
	}
	if (cn->auth == CRSD_AUTH_NONE && !is_public(url, method)) {
		INC(stats.rejected_auth);
		return crsd_resp_error(out, 401, NULL, "a valid bearer token is required");
	}
	if (change && !origin_ok(l, c)) {
		INC(stats.rejected_auth);
		return crsd_resp_error(out, 403, NULL, "cross-origin request refused "
				       "(Origin does not match Host)");
	}
	if (change && cn->auth == CRSD_AUTH_SESSION) {
		const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CRSD-CSRF");

		if (!h || !crsd_secret_eq(csrf, h)) {
			INC(stats.rejected_auth);
			return crsd_resp_error(out, 403, NULL, "a change made with a session "
					       "needs its X-CRSD-CSRF header");
		}
	}
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl) {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(cl, &end, 10);
		if (errno || *end || end == cl || v > opts.max_body) {
			INC(stats.rejected_size);
			return crsd_resp_error(out, 413, NULL,
					       "request body too large (at most %zu bytes)",
					       opts.max_body);
		}
	}
	if (has_body_method(method)) {
		ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
		if (!ct || !(ctype_is(ct, "application/json") ||
			     (!strcmp(method, "PATCH") &&
			      ctype_is(ct, "application/merge-patch+json"))))
			return crsd_resp_error(out, 415, NULL,
					       "Content-Type must be application/json%s",
					       strcmp(method, "PATCH") ? "" :
					       " or application/merge-patch+json");
	}
	return 0;
}

/*
 * Audit: one line per routed request that may change state, with who sent
 * it: the peer's uid and pid on the socket (SO_PEERCRED), the address on
 * TCP. Requests refused before routing (rate, token, size, type) are only
 * counted: logging each would let a flood fill the log.
 */
static void audit(struct listener *l, struct MHD_Connection *c, const struct crsd_req *r,
		  int status)
{
	const union MHD_ConnectionInfo *ci;
	char who[96] = "?", path[301];
	size_t i;

	if (!strcmp(r->method, "GET"))
		return;
	if (!l->tcp) {
		struct ucred cred;
		socklen_t len = sizeof(cred);

		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci && !getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
			snprintf(who, sizeof(who), "uid %u pid %d", (unsigned)cred.uid,
				 (int)cred.pid);
	} else {
		char addr[INET6_ADDRSTRLEN] = "?";

		ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr) {
			const struct sockaddr *sa = ci->client_addr;

			if (sa->sa_family == AF_INET)
				inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
					  addr, sizeof(addr));
			else if (sa->sa_family == AF_INET6)
				inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
					  addr, sizeof(addr));
		}
		snprintf(who, sizeof(who), "tcp %s%s", addr,
			 r->auth == CRSD_AUTH_SESSION ? " (console session)" : "");
	}
	/* The path as sent, made printable (it is the client's). */
	for (i = 0; r->path[i] && i < sizeof(path) - 1; i++)
		path[i] = (unsigned char)r->path[i] < 0x20 || r->path[i] == 0x7f ? '?' : r->path[i];
	path[i] = '\0';
	fprintf(stderr, "crsd: audit: %s: %s %s%s -> %d\n", who, r->method, path,
		r->path[i] ? "..." : "", status);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
			       const char *method, const char *version,
			       const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct listener *l = cls;
	struct conn *cn = *con_cls;
	struct crsd_resp out = { 0 };
	struct crsd_req r;
	enum MHD_Result ret;

	if (!cn) {
		cn = calloc(1, sizeof(*cn));
		if (!cn)
			return MHD_NO;
		*con_cls = cn;
		INC(stats.requests);
		if (precheck(l, c, url, method, cn, &out))
			return reply(c, &out);
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;

		*upload_size = 0;
		if (cn->too_big)
			return MHD_YES;
		if (cn->len + n > opts.max_body) {
			cn->too_big = true;
			free(cn->buf);
			cn->buf = NULL;
			cn->len = 0;
			return MHD_YES;
		}
		if (cn->len + n + 1 > cn->cap) {
			size_t cap = (cn->len + n + 1) * 2;
			char *b;

			if (cap > opts.max_body + 1)
				cap = opts.max_body + 1;
			b = realloc(cn->buf, cap);
			if (!b)
				return MHD_NO;
			cn->buf = b;
			cn->cap = cap;
		}
		memcpy(cn->buf + cn->len, upload_data, n);
		cn->len += n;
		cn->buf[cn->len] = '\0';
		return MHD_YES;
	}
	if (cn->too_big) {
		INC(stats.rejected_size);
		crsd_resp_error(&out, 413, NULL, "request body too large (at most %zu bytes)",
				opts.max_body);
		return reply(c, &out);
	}
	r.method = strcmp(method, "HEAD") ? method : "GET";
	r.path = url;
	r.conn = c;
	r.body = cn->buf;
	r.len = cn->len;
	r.auth = cn->auth;
	r.tls = l->tcp && opts.tls_cert;
	r.session = cn->auth == CRSD_AUTH_SESSION ? cn->session : NULL;
	route(&r, &out);
	if (!out.status)
		crsd_resp_error(&out, 500, NULL, "internal error");
	if (strcmp(r.method, "GET") && out.status >= 200 && out.status < 300)
		reconcile_kick();	/* acknowledged changes reach the kernel soon */
	audit(l, c, &r, out.status);
	ret = reply(c, &out);
	free(out.body);
	return ret;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct conn *cn = *con_cls;

	if (cn) {
		free(cn->buf);
		free(cn);
		*con_cls = NULL;
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	fprintf(stderr, "crsd: http: ");
	vfprintf(stderr, fmt, ap);
}

/* -------------------------------------------------------------- sockets */

static int unix_listen(const char *path, int gid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat stt;
	mode_t old;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "crsd: %s: socket path too long\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	if (!lstat(path, &stt)) {
		int probe;

		if (!S_ISSOCK(stt.st_mode)) {
			fprintf(stderr, "crsd: %s exists and is not a socket\n", path);
			return -1;
		}
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && !connect(probe, (struct sockaddr *)&sa, sizeof(sa))) {
			close(probe);
			fprintf(stderr, "crsd: %s: another crsd is listening there\n", path);
			return -1;
		}
		if (probe >= 0)
			close(probe);
		unlink(path);	/* stale, from a crsd that died */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("crsd: socket");
		return -1;
	}
	/* Created 0660 from the start: no window where others may connect. */
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		umask(old);
		fprintf(stderr, "crsd: bind %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	umask(old);
	if (chmod(path, 0660) || (gid >= 0 && chown(path, (uid_t)-1, (gid_t)gid)) ||
	    listen(fd, 64)) {
		fprintf(stderr, "crsd: %s: %s\n", path, strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

/* "HOST:PORT", "[V6]:PORT", ":PORT" (all addresses). */
static int tcp_listen(const char *spec)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res, *ai;
	char host[256], port[16], name[INET6_ADDRSTRLEN];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const char *colon = strrchr(spec, ':');
	size_t hl;
	int fd = -1, one = 1, e;

	if (!colon || strlen(colon + 1) >= sizeof(port) || !colon[1])
		goto usage;
	hl = colon - spec;
	if (hl && spec[0] == '[') {
		if (spec[hl - 1] != ']')
			goto usage;
		spec++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		goto usage;
	memcpy(host, spec, hl);
	host[hl] = '\0';
	strcpy(port, colon + 1);
	e = getaddrinfo(hl ? host : NULL, port, &hints, &res);
	if (e) {
		fprintf(stderr, "crsd: --listen %s: %s\n", spec, gai_strerror(e));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 64))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		fprintf(stderr, "crsd: --listen %s: cannot bind: %s\n", spec, strerror(errno));
		return -1;
	}
	if (!getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &s6->sin6_addr, name, sizeof(name));
			fprintf(stderr, "crsd: listening on tcp [%s]:%u%s\n", name,
				ntohs(s6->sin6_port), opts.tls_cert ? " (TLS)" : "");
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &s4->sin_addr, name, sizeof(name));
			fprintf(stderr, "crsd: listening on tcp %s:%u%s\n", name,
				ntohs(s4->sin_port), opts.tls_cert ? " (TLS)" : "");
		}
	}
	return fd;
usage:
	fprintf(stderr, "crsd: --listen %s: expected HOST:PORT\n", spec);
	return -1;
}

bool http_tls_supported(void)
{
	return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

static int start(struct listener *l)
{
	bool tls = l->tcp && opts.tls_cert;
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)opts.tls_cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)opts.tls_key },
		{ MHD_OPTION_HTTPS_PRIORITIES, 0,
		  (void *)"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" },
		{ MHD_OPTION_END, 0, NULL },
	};

	/* A thread per connection: event streams block in their reader. */
	l->d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
				MHD_USE_POLL | MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0), 0,
				NULL, NULL, handler, l,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_LISTEN_SOCKET, (MHD_socket)l->fd,
				MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
				MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)opts.max_conns,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				(unsigned int)(l->tcp ? 16 : 0),
				MHD_OPTION_ARRAY, tls ? tls_opts : tls_opts + 3,
				MHD_OPTION_END);
	if (!l->d && tls) {
		fprintf(stderr, "crsd: --tls-cert %s, --tls-key %s: libmicrohttpd could not use "
			"them (not a certificate and its key?)\n", opts.tls_cert_path,
			opts.tls_key_path);
		return -1;
	}
	if (!l->d) {
		fprintf(stderr, "crsd: cannot start the HTTP daemon (%s)\n",
			l->tcp ? "tcp" : "unix");
		return -1;
	}
	return 0;
}

int http_start(const struct crsd_http_opts *o)
{
	opts = *o;
	console_session_limits(o->session_idle, o->session_max_age);
	if (o->token)
		http_set_token(strdup(o->token));
	unix_l.tokens = tcp_l.tokens = opts.burst;
	clock_gettime(CLOCK_MONOTONIC, &unix_l.last_refill);
	tcp_l.last_refill = unix_l.last_refill;
	unix_l.fd = unix_listen(o->socket_path, o->socket_gid);
	if (unix_l.fd < 0)
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s", o->socket_path);
	if (start(&unix_l))
		goto fail;
	fprintf(stderr, "crsd: listening on unix %s\n", o->socket_path);
	if (o->listen) {
		tcp_l.fd = tcp_listen(o->listen);
		if (tcp_l.fd < 0 || start(&tcp_l))
			goto fail;
	}
	return 0;
fail:
	http_stop();
	return -1;
}

void http_stop(void)
{
	struct listener *ls[] = { &tcp_l, &unix_l };
	size_t i;

	for (i = 0; i < 2; i++) {
		/* A running daemon owns its listening socket and closes it. */
		if (ls[i]->d)
			MHD_stop_daemon(ls[i]->d);
		else if (ls[i]->fd >= 0)
			close(ls[i]->fd);
		ls[i]->d = NULL;
		ls[i]->fd = -1;
	}
	if (sock_path[0])
		unlink(sock_path);
	sock_path[0] = '\0';
	http_set_token(NULL);
}
