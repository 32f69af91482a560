// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * JSON helpers for the API: response and error bodies, request bodies parsed
 * strictly (line and column on errors), RFC 7396 merge patch, and
 * percent-decoding of path segments and query values.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "crsd.h"

#define BODY_DEPTH	64
#define FIELD_MAX	256

int64_t crsd_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct json_object *crsd_json_time(int64_t ns)
{
	char buf[64];

	return json_object_new_string(crs_time_rfc3339((uint64_t)ns, buf, sizeof(buf)));
}

int crsd_resp_json(struct crsd_resp *out, int status, struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t n = strlen(s);

	free(out->body);
	out->body = malloc(n + 2);
	if (out->body) {
		memcpy(out->body, s, n);
		out->body[n] = '\n';
		out->body[n + 1] = '\0';
	}
	out->status = status;
	json_object_put(o);
	return status;
}

static int resp_error_full(struct crsd_resp *out, int status, const char *field,
			   int line, int column, const char *msg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	if (field && *field)
		json_object_object_add(o, "field", json_object_new_string(field));
	if (line > 0) {
		json_object_object_add(o, "line", json_object_new_int(line));
		json_object_object_add(o, "column", json_object_new_int(column));
	}
	return crsd_resp_json(out, status, o);
}

int crsd_resp_error(struct crsd_resp *out, int status, const char *field,
		    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return resp_error_full(out, status, field, 0, 0, msg);
}

/*
 * libcrsnl names the field as the prefix of its message: "rules[2].path:
 * must not ...", "mode: must be ...". A prefix made only of field-path
 * characters is the field; "line 2, column 9: ..." (syntax) is not.
 */
int crsd_resp_crs_err(struct crsd_resp *out, int status, const struct crs_err *err)
{
	char field[FIELD_MAX + 1];
	const char *colon = strstr(err->msg, ": ");
	size_t n = colon ? (size_t)(colon - err->msg) : 0, i;

	field[0] = '\0';
	if (n > 0 && n <= FIELD_MAX) {
		for (i = 0; i < n; i++) {
			char c = err->msg[i];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '_' || c == '.' ||
			      c == '[' || c == ']' || c == '-'))
				break;
		}
		if (i == n) {
			memcpy(field, err->msg, n);
			field[n] = '\0';
		}
	}
	return resp_error_full(out, status, field, err->line, err->column,
			       err->msg[0] ? err->msg : "invalid");
}

/* 1-based line and column (in UTF-8 characters) of byte offset off. */
static void linecol(const char *s, size_t off, int *line, int *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80) {
			(*col)++;
		}
	}
}

struct json_object *crsd_parse_body(struct crsd_req *r, struct crsd_resp *out)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error jerr;
	size_t end;
	int line, col;
	char msg[256];

	if (!r->body || !r->len) {
		resp_error_full(out, 400, NULL, 0, 0, "request body: expected a JSON object");
		return NULL;
	}
	if (memchr(r->body, '\0', r->len)) {
		linecol(r->body, (const char *)memchr(r->body, '\0', r->len) - r->body,
			&line, &col);
		resp_error_full(out, 400, NULL, line, col, "request body: NUL byte");
		return NULL;
	}
	tok = json_tokener_new_ex(BODY_DEPTH);
	if (!tok) {
		crsd_resp_error(out, 500, NULL, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, r->body, (int)r->len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue) {
		linecol(r->body, r->len, &line, &col);
		resp_error_full(out, 400, NULL, line, col,
				"request body: unexpected end of JSON");
		return NULL;
	}
	if (jerr != json_tokener_success) {
		linecol(r->body, end, &line, &col);
		snprintf(msg, sizeof(msg), "request body: line %d, column %d: %s", line, col,
			 json_tokener_error_desc(jerr));
		resp_error_full(out, 400, NULL, line, col, msg);
		return NULL;
	}
	for (; end < r->len; end++) {
		if (!strchr(" \t\r\n", r->body[end])) {
			json_object_put(o);
			linecol(r->body, end, &line, &col);
			snprintf(msg, sizeof(msg),
				 "request body: line %d, column %d: data after the JSON value",
				 line, col);
			resp_error_full(out, 400, NULL, line, col, msg);
			return NULL;
		}
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		resp_error_full(out, 400, NULL, 0, 0, "request body: expected a JSON object");
		return NULL;
	}
	return o;
}

struct json_object *crsd_merge_patch(struct json_object *target, struct json_object *patch)
{
	if (!json_object_is_type(patch, json_type_object)) {
		json_object_put(target);
		return json_object_get(patch);
	}
	if (!json_object_is_type(target, json_type_object)) {
		json_object_put(target);
		target = json_object_new_object();
	}
	json_object_object_foreach(patch, key, val) {
		if (!val) {	/* json-c represents null as NULL */
			json_object_object_del(target, key);
		} else {
			struct json_object *cur = json_object_object_get(target, key);

			json_object_get(cur);	/* keep it across the replace below */
			json_object_object_add(target, key, crsd_merge_patch(cur, val));
		}
	}
	return target;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int crsd_pct_decode(const char *src, size_t len, char *dst, size_t dsize)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)src[i];

		if (c == '%') {
			int h, l;

			if (i + 2 >= len)
				return -1;
			h = hexval(src[i + 1]);
			l = hexval(src[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h * 16 + l;
			i += 2;
		}
		if (c == 0)
			return -1;
		if (o + 1 >= dsize)
			return -1;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return (int)o;
}
