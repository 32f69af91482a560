// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * JSON text <-> json-c objects for policies: strict tokenizing with line and
 * column on errors, trailing data, duplicate keys; canonical output.
 *
 * Duplicate keys: json-c keeps the last value of a repeated key and has no
 * option to report it, so after json-c has accepted the text a small
 * scanner walks it again (it is valid JSON by then), collects each
 * object's keys (escapes decoded, so "a" and "\u0061" are the same key) and
 * reports the first repeated key in document order.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "crsnl_int.h"

/* 1-based line and column (in characters, i.e. UTF-8 code points) of off. */
static void linecol(const char *s, size_t off, int *line, int *col)
{
	size_t i, start = 0;
	int l = 1, c = 1;

	for (i = 0; i < off; i++) {
		if (s[i] == '\n') {
			l++;
			start = i + 1;
		}
	}
	for (i = start; i < off; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			c++;
	*line = l;
	*col = c;
}

static int syntax_error(struct crs_err *err, const char *s, size_t off,
			const char *what)
{
	int line, col;

	linecol(s, off, &line, &col);
	if (err) {
		err->line = line;
		err->column = col;
	}
	return crs_err_set(err, -EINVAL, "line %d, column %d: %s", line, col, what);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* ------------------------------------------------------ duplicate keys */

struct key {
	char *k;
	size_t len;
	size_t off;	/* of the opening quote */
};

struct scan {
	const char *s;
	size_t n, pos;
	char path[CRS_FIELD_PATH_MAX];
	/* the earliest duplicate so far */
	bool found;
	size_t dup_off;
	char dup_path[CRS_FIELD_PATH_MAX];
	/* the first integer outside [-2^63, 2^64 - 1] (json-c would clamp it) */
	bool big;
	size_t big_off;
};

/*
 * An integer token (no fraction, no exponent) beyond what json-c stores
 * exactly: int64 for negative numbers, uint64 for the others. JSON has no
 * leading zeros, so the digit count and then strcmp order decide.
 */
static bool int_out_of_range(const char *t, size_t len)
{
	const char *lim = "18446744073709551615";
	size_t i, n;

	for (i = 0; i < len; i++)
		if (t[i] == '.' || t[i] == 'e' || t[i] == 'E')
			return false;
	if (len && t[0] == '-') {
		t++;
		len--;
		lim = "9223372036854775808";
	}
	n = strlen(lim);
	if (!len || t[0] < '0' || t[0] > '9')
		return false;
	if (len != n)
		return len > n;
	return memcmp(t, lim, n) > 0;
}

static void skip_ws(struct scan *sc)
{
	while (sc->pos < sc->n && is_ws(sc->s[sc->pos]))
		sc->pos++;
}

static int hex4(const char *p, unsigned int *v)
{
	unsigned int r = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		r <<= 4;
		if (c >= '0' && c <= '9')
			r |= c - '0';
		else if (c >= 'a' && c <= 'f')
			r |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			r |= c - 'A' + 10;
		else
			return -1;
	}
	*v = r;
	return 0;
}

static size_t put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = 0xc0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = 0xe0 | (cp >> 12);
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | (cp >> 18);
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/*
 * At an opening quote: decode the string into *out (malloc'd, *len bytes)
 * when out is given, and step past the closing quote. -1 if malformed.
 */
static int scan_string(struct scan *sc, char **out, size_t *len)
{
	size_t start = ++sc->pos, end, o = 0;
	char *buf;

	for (end = start; end < sc->n && sc->s[end] != '"'; end++)
		if (sc->s[end] == '\\')
			end++;
	if (end >= sc->n)
		return -1;
	sc->pos = end + 1;
	if (!out)
		return 0;
	buf = malloc(end - start + 1);
	if (!buf)
		return -ENOMEM;
	for (size_t i = start; i < end; i++) {
		unsigned int cp, lo;

		if (sc->s[i] != '\\') {
			buf[o++] = sc->s[i];
			continue;
		}
		i++;
		switch (sc->s[i]) {
		case 'b': buf[o++] = '\b'; break;
		case 'f': buf[o++] = '\f'; break;
		case 'n': buf[o++] = '\n'; break;
		case 'r': buf[o++] = '\r'; break;
		case 't': buf[o++] = '\t'; break;
		case 'u':
			/* "\uXXXX" (6 bytes) always decodes to at most 3 bytes,
			 * a surrogate pair (12 bytes) to 4: buf cannot overflow. */
			if (i + 4 >= end || hex4(sc->s + i + 1, &cp)) {
				free(buf);
				return -1;
			}
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && i + 6 < end &&
			    sc->s[i + 1] == '\\' && sc->s[i + 2] == 'u' &&
			    !hex4(sc->s + i + 3, &lo) && lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 6;
			}
			o += put_utf8(buf + o, cp);
			break;
		default:	/* '"', '\\', '/' */
			buf[o++] = sc->s[i];
			break;
		}
	}
	buf[o] = '\0';
	*out = buf;
	*len = o;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->k, y->k, n);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->off < y->off ? -1 : x->off > y->off;
}

static int scan_value(struct scan *sc, int depth);

static void note_dup(struct scan *sc, const struct key *k)
{
	size_t plen = strlen(sc->path);

	if (sc->found && sc->dup_off <= k->off)
		return;
	sc->found = true;
	sc->dup_off = k->off;
	crs_path_push_key(sc->path, sizeof(sc->path), k->k, k->len);
	snprintf(sc->dup_path, sizeof(sc->dup_path), "%s", sc->path);
	sc->path[plen] = '\0';
}

static int scan_object(struct scan *sc, int depth)
{
	struct key *keys = NULL, *nk;
	size_t nkeys = 0, cap = 0, i, plen = strlen(sc->path);
	int r = -1;

	sc->pos++;
	for (;;) {
		struct key k;

		skip_ws(sc);
		if (sc->pos >= sc->n)
			goto out;
		if (sc->s[sc->pos] == '}' && !nkeys) {
			sc->pos++;
			break;
		}
		if (sc->s[sc->pos] != '"')
			goto out;
		k.off = sc->pos;
		r = scan_string(sc, &k.k, &k.len);
		if (r)
			goto out;
		r = -1;
		if (nkeys == cap) {
			cap = cap ? 2 * cap : 8;
			nk = realloc(keys, cap * sizeof(*keys));
			if (!nk) {
				free(k.k);
				r = -ENOMEM;
				goto out;
			}
			keys = nk;
		}
		keys[nkeys++] = k;
		skip_ws(sc);
		if (sc->pos >= sc->n || sc->s[sc->pos] != ':')
			goto out;
		sc->pos++;
		crs_path_push_key(sc->path, sizeof(sc->path), k.k, k.len);
		r = scan_value(sc, depth + 1);
		sc->path[plen] = '\0';
		if (r)
			goto out;
		r = -1;
		skip_ws(sc);
		if (sc->pos >= sc->n)
			goto out;
		if (sc->s[sc->pos] == ',') {
			sc->pos++;
			continue;
		}
		if (sc->s[sc->pos] != '}')
			goto out;
		sc->pos++;
		break;
	}
	if (nkeys > 1) {
		qsort(keys, nkeys, sizeof(*keys), key_cmp);
		for (i = 1; i < nkeys; i++)
			if (keys[i].len == keys[i - 1].len &&
			    !memcmp(keys[i].k, keys[i - 1].k, keys[i].len))
				note_dup(sc, &keys[i]);
	}
	r = 0;
out:
	for (i = 0; i < nkeys; i++)
		free(keys[i].k);
	free(keys);
	return r;
}

static int scan_array(struct scan *sc, int depth)
{
	size_t plen = strlen(sc->path), idx = 0;
	int r;

	sc->pos++;
	skip_ws(sc);
	if (sc->pos < sc->n && sc->s[sc->pos] == ']') {
		sc->pos++;
		return 0;
	}
	for (;; idx++) {
		crs_path_push_index(sc->path, sizeof(sc->path), idx);
		r = scan_value(sc, depth + 1);
		sc->path[plen] = '\0';
		if (r)
			return r;
		skip_ws(sc);
		if (sc->pos >= sc->n)
			return -1;
		if (sc->s[sc->pos] == ']') {
			sc->pos++;
			return 0;
		}
		if (sc->s[sc->pos] != ',')
			return -1;
		sc->pos++;
	}
}

static int scan_value(struct scan *sc, int depth)
{
	if (depth > 2 * JSON_TOKENER_DEFAULT_DEPTH)
		return -1;
	skip_ws(sc);
	if (sc->pos >= sc->n)
		return -1;
	switch (sc->s[sc->pos]) {
	case '{':
		return scan_object(sc, depth);
	case '[':
		return scan_array(sc, depth);
	case '"':
		return scan_string(sc, NULL, NULL);
	default: {	/* number, true, false, null */
		size_t start = sc->pos;

		while (sc->pos < sc->n && !is_ws(sc->s[sc->pos]) &&
		       !strchr(",]}", sc->s[sc->pos]))
			sc->pos++;
		if (!sc->big && int_out_of_range(sc->s + start, sc->pos - start)) {
			sc->big = true;
			sc->big_off = start;
		}
		return 0;
	}
	}
}

/*
 * s[0..n) has been accepted by json-c. 0 or -EINVAL naming the first
 * duplicate key or integer out of 64-bit range, whichever comes first; -ENOMEM. Should the scanner disagree with json-c about
 * the syntax, it gives up silently: duplicates are then not detected, but
 * nothing worse happens.
 */
static int check_duplicates(const char *s, size_t n, struct crs_err *err)
{
	struct scan *sc;
	int line, col, r;

	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return crs_err_set(err, -ENOMEM, "out of memory");
	sc->s = s;
	sc->n = n;
	r = scan_value(sc, 0);
	if (r == -ENOMEM) {
		free(sc);
		return crs_err_set(err, -ENOMEM, "out of memory");
	}
	r = 0;
	if (sc->big && (!sc->found || sc->big_off < sc->dup_off)) {
		r = syntax_error(err, s, sc->big_off,
				 "integer out of range (-2^63 to 2^64-1)");
	} else if (sc->found) {
		linecol(s, sc->dup_off, &line, &col);
		if (err) {
			err->line = line;
			err->column = col;
		}
		r = crs_err_set(err, -EINVAL, "%s: duplicate field (line %d, column %d)",
				sc->dup_path, line, col);
	}
	free(sc);
	return r;
}

/* ---------------------------------------------------------- tokenizing */

int crs_json_tokenize(const char *json, size_t len, struct json_object **out,
		      struct crs_err *err)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	const char *nul;
	size_t end, stop, i;
	int r;

	*out = NULL;
	if (!json)
		return crs_err_set(err, -EINVAL, "no policy text");
	/* A UTF-8 byte order mark is not JSON, but editors write it. */
	if (len >= 3 && !memcmp(json, "\xef\xbb\xbf", 3)) {
		json += 3;
		len -= 3;
	}
	if (len > INT_MAX || len > CRS_POLICY_FILE_MAX)
		return crs_err_set(err, -EFBIG, "policy is too large (%zu bytes, at most %u)",
				   len, CRS_POLICY_FILE_MAX);
	/*
	 * A policy is an object: say so rather than let json-c wait for the
	 * end of a top-level "null" or number.
	 */
	for (i = 0; i < len && is_ws(json[i]); i++)
		;
	if (i < len && json[i] != '{')
		return crs_err_set(err, -EINVAL, "top level: expected an object");
	/*
	 * NUL bytes are never valid JSON; json-c treats one as the end of the
	 * input, so give it only the text before the first.
	 */
	nul = memchr(json, '\0', len);
	stop = nul ? (size_t)(nul - json) : len;

	tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	if (!tok)
		return crs_err_set(err, -ENOMEM, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
				    JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, json, (int)stop);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (end > stop)
		end = stop;

	if (jerr == json_tokener_continue) {
		json_object_put(obj);
		return syntax_error(err, json, stop,
				    stop < len ? "unexpected NUL byte" : "unexpected end of input");
	}
	if (jerr != json_tokener_success) {
		json_object_put(obj);
		return syntax_error(err, json, end, json_tokener_error_desc(jerr));
	}
	while (end < stop && is_ws(json[end]))
		end++;
	if (end < stop || stop < len) {
		json_object_put(obj);
		return syntax_error(err, json, end, end < stop
				    ? "unexpected data after the end of the policy object"
				    : "unexpected NUL byte");
	}
	r = check_duplicates(json, len, err);
	if (r) {
		json_object_put(obj);
		return r;
	}
	*out = obj;
	return 0;
}

/* ------------------------------------------------------------- output */

/* o[k] = v, taking v (freed on failure); -ENOMEM if v is NULL or on failure. */
int crs_json_add(struct json_object *o, const char *k, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_object_add(o, k, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static int append(struct json_object *a, struct json_object *v)
{
	if (!v)
		return -ENOMEM;
	if (json_object_array_add(a, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

static struct json_object *str_or_null(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

/* An enum name, or the number when the value has no name. */
static struct json_object *name_or_int(const char *name, int v)
{
	return name ? json_object_new_string(name) : json_object_new_int(v);
}

/* { "index": 0, "op": "eq", "value": 16 }; values as unsigned 64-bit numbers. */
static struct json_object *arg_json(const struct crs_syscall_arg *a)
{
	struct json_object *o = json_object_new_object();
	int e = 0;

	if (!o)
		return NULL;
	e |= crs_json_add(o, "index", json_object_new_int64(a->index));
	e |= crs_json_add(o, "op", name_or_int(crs_arg_op_name(a->op), a->op));
	e |= crs_json_add(o, "value", json_object_new_uint64(a->value));
	if (e) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* A port range: 443, "1000-2000", or "*" for 0-65535. */
struct json_object *crs_port_json(uint16_t lo, uint16_t hi)
{
	char buf[16];

	if (lo == 0 && hi == 65535)
		return json_object_new_string("*");
	if (lo == hi)
		return json_object_new_int64(lo);
	snprintf(buf, sizeof(buf), "%u-%u", lo, hi);
	return json_object_new_string(buf);
}

struct json_object *crs_rule_json(const struct crs_policy_rule *r)
{
	struct json_object *o = json_object_new_object(), *acc;
	char abuf[64];
	size_t i;
	int e = 0;

	if (!o)
		return NULL;
	if (r->name)
		e |= crs_json_add(o, "name", json_object_new_string(r->name));
	e |= crs_json_add(o, "enabled", json_object_new_boolean(r->enabled));
	e |= crs_json_add(o, "type", name_or_int(crs_rule_type_name(r->type), r->type));
	e |= crs_json_add(o, "action", name_or_int(crs_action_name(r->action), r->action));
	e |= crs_json_add(o, "program", json_object_new_string(r->program ? r->program : "*"));
	if (r->path)
		e |= crs_json_add(o, "path", json_object_new_string(r->path));
	if (r->type == CRS_RULE_FILE) {
		acc = json_object_new_array();
		if (acc && (r->access & CRS_ACCESS_READ))
			e |= append(acc, json_object_new_string("read"));
		if (acc && (r->access & CRS_ACCESS_WRITE))
			e |= append(acc, json_object_new_string("write"));
		e |= crs_json_add(o, "access", acc);
	}
	if (r->type == CRS_RULE_NETWORK || r->type == CRS_RULE_LISTENER) {
		if (r->type == CRS_RULE_NETWORK)
			e |= crs_json_add(o, "direction", name_or_int(crs_direction_name(r->direction),
							     r->direction));
		e |= crs_json_add(o, "protocol", name_or_int(crs_proto_name(r->protocol), r->protocol));
		e |= crs_json_add(o, "address", json_object_new_string(
				 crs_net_addr_str(&r->address, abuf, sizeof(abuf))));
		e |= crs_json_add(o, "port", crs_port_json(r->port_min, r->port_max));
	}
	if (r->type == CRS_RULE_SYSCALL) {
		if (r->syscall)
			e |= crs_json_add(o, "syscall", json_object_new_string(r->syscall));
		acc = json_object_new_array();
		for (i = 0; acc && i < r->n_args && i < CRS_MAX_ARGS; i++)
			e |= append(acc, arg_json(&r->args[i]));
		e |= crs_json_add(o, "args", acc);
	}
	if (e) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *crs_policy_to_json_object(const struct crs_policy *p)
{
	struct json_object *o, *d, *a;
	int e = 0, t;
	size_t i;

	o = json_object_new_object();
	if (!o)
		return NULL;
	e |= crs_json_add(o, "name", json_object_new_string(p->name ? p->name : ""));
	if (p->description)
		e |= crs_json_add(o, "description", str_or_null(p->description));
	e |= crs_json_add(o, "mode", name_or_int(crs_mode_name(p->mode), p->mode));
	e |= crs_json_add(o, "learning", json_object_new_boolean(p->learning));
	d = json_object_new_object();
	for (t = 0; d && t <= CRS_RULE_TYPE_MAX; t++)
		e |= crs_json_add(d, crs_rule_type_name(t),
			 name_or_int(crs_action_name(p->defaults[t]), p->defaults[t]));
	e |= crs_json_add(o, "default_actions", d);
	a = json_object_new_array();
	for (i = 0; a && i < p->n_ignored_syscalls; i++)
		e |= append(a, json_object_new_string(p->ignored_syscalls[i]));
	e |= crs_json_add(o, "ignored_syscalls", a);
	a = json_object_new_array_ext(p->n_rules ? (int)p->n_rules : 1);
	for (i = 0; a && i < p->n_rules; i++)
		e |= append(a, crs_rule_json(&p->rules[i]));
	e |= crs_json_add(o, "rules", a);
	if (e) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

char *crs_json_string(struct json_object *o, bool pretty)
{
	int flags = JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *s;
	char *r;

	flags |= pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
			: JSON_C_TO_STRING_PLAIN;
	s = json_object_to_json_string_ext(o, flags);
	r = s ? strdup(s) : NULL;
	return r;
}

char *crs_policy_to_json(const struct crs_policy *p, bool pretty)
{
	struct json_object *o;
	char *s;

	if (!p)
		return NULL;
	o = crs_policy_to_json_object(p);
	if (!o)
		return NULL;
	s = crs_json_string(o, pretty);
	json_object_put(o);
	return s;
}
