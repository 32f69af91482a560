// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The policy model: JSON objects -> struct crs_policy with strict
 * validation (docs/policy.md), the same semantic checks for policies built
 * in memory, comparison and freeing.
 *
 * Every error names the field by its JSON path ("rules[3].path: ...") and
 * returns -EINVAL, or -E2BIG for crs.ko's rule and glob rule limits (the
 * errno the kernel itself would give).
 * Checks run in a fixed order: at the top level unknown fields first, then
 * name, description, mode, learning, default_actions, ignored_syscalls,
 * rules; in a rule its type first (everything else depends on it), then
 * unknown fields, name, enabled, action, program, then path and access (file,
 * execute), syscall and args (syscall rules) or direction, protocol, address
 * and port (network, listener rules); fields of another kind are errors
 * naming them.
 *
 * Syscall rules: "syscall" is a name known to the x86_64 or the i386 table
 * (crs_syscall_lookup) or an x86_64 number; the canonical form is the name.
 * "args" holds at most CRS_MAX_ARGS matchers { index, op, value }; values are
 * JSON integers from -2^63 to 2^64-1, negative ones kept as two's complement.
 *
 * Network and listener rules: "direction" (network rules only, required),
 * "protocol" (default "any"; no "icmp" on listener rules), "address" ("*",
 * an address or a CIDR prefix, host bits zero; IPv4-mapped IPv6 becomes
 * IPv4) and "port" (an integer, "N", "N-M" or "*"; only "*" with "icmp").
 * Inbound rules have no program to match: "program" must be "*".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include "crsnl_int.h"

#define STR_(x) #x
#define STR(x) STR_(x)

/* ------------------------------------------------------------ field paths */

void crs_path_push_key(char *path, size_t size, const char *key, size_t len)
{
	size_t o = strnlen(path, size);

	if (o && o + 1 < size) {
		path[o++] = '.';
		path[o] = '\0';
	}
	crs_str_render(path, size, key, len, 64, false);
}

void crs_path_push_index(char *path, size_t size, size_t idx)
{
	size_t o = strnlen(path, size);

	if (o < size)
		snprintf(path + o, size - o, "[%zu]", idx);
}

struct vctx {
	struct crs_err *err;
	char path[CRS_FIELD_PATH_MAX];
};

static size_t push(struct vctx *v, const char *key)
{
	size_t mark = strlen(v->path);

	crs_path_push_key(v->path, sizeof(v->path), key, strlen(key));
	return mark;
}

static size_t push_index(struct vctx *v, size_t idx)
{
	size_t mark = strlen(v->path);

	crs_path_push_index(v->path, sizeof(v->path), idx);
	return mark;
}

static void pop(struct vctx *v, size_t mark)
{
	v->path[mark] = '\0';
}

static int vfail(struct vctx *v, int error, const char *fmt, va_list ap)
{
	char msg[sizeof(v->err->msg)];

	if (!v->err)
		return error;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	return crs_err_set(v->err, error, "%s: %s", v->path[0] ? v->path : "top level", msg);
}

/* "<path>: <message>"; returns -EINVAL. */
__attribute__((format(printf, 2, 3)))
static int fail(struct vctx *v, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(v, -EINVAL, fmt, ap);
	va_end(ap);
	return r;
}

/* The same for a limit of crs.ko exceeded: -E2BIG, as the kernel says. */
__attribute__((format(printf, 2, 3)))
static int fail_limit(struct vctx *v, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(v, -E2BIG, fmt, ap);
	va_end(ap);
	return r;
}

static int oom(struct vctx *v)
{
	return crs_err_set(v->err, -ENOMEM, "out of memory");
}

/* --------------------------------------------------------------- patterns */

int crs_pattern_check(const char *s, size_t len, const char **why)
{
	const char *dummy;
	size_t i, comp, stars = 0;

	if (!why)
		why = &dummy;
	if (!s) {
		*why = "missing";
		return -EINVAL;
	}
	if (memchr(s, '\0', len)) {
		*why = "must not contain a NUL byte";
		return -EINVAL;
	}
	if (!len) {
		*why = "must not be empty";
		return -EINVAL;
	}
	if (len > CRS_PATTERN_MAX) {
		*why = "longer than " STR(CRS_PATTERN_MAX) " bytes";
		return -EINVAL;
	}
	if ((len == 1 && s[0] == '*') || (len == 3 && !memcmp(s, "/**", 3)))
		return CRS_PATTERN_ANY;
	if (s[0] != '/') {
		*why = "must start with \"/\" (or be \"*\")";
		return -EINVAL;
	}
	if (len > 1 && s[len - 1] == '/') {
		*why = "must not end with \"/\"";
		return -EINVAL;
	}
	/* Components s[comp..i) between slashes. */
	for (comp = 1, i = 1; i <= len; i++) {
		size_t clen;

		if (i < len && s[i] != '/')
			continue;
		clen = i - comp;
		if (!clen && len > 1) {
			*why = "must not contain \"//\"";
			return -EINVAL;
		}
		if ((clen == 1 && s[comp] == '.') ||
		    (clen == 2 && s[comp] == '.' && s[comp + 1] == '.')) {
			*why = "must not contain \".\" or \"..\" components";
			return -EINVAL;
		}
		if (clen == 2 && s[comp] == '*' && s[comp + 1] == '*') {
			if (i != len) {
				*why = "\"**\" is only allowed as the last component";
				return -EINVAL;
			}
		} else if (clen >= 2 && memmem(s + comp, clen, "**", 2)) {
			*why = "\"**\" must be a whole component (\"*\" matches within one)";
			return -EINVAL;
		}
		comp = i + 1;
	}
	for (i = 0; i < len; i++)
		stars += s[i] == '*';
	if (!stars)
		return CRS_PATTERN_EXACT;
	if (stars == 2 && len >= 3 && !memcmp(s + len - 3, "/**", 3))
		return CRS_PATTERN_SUBTREE;
	return CRS_PATTERN_GLOB;
}

const char *crs_pattern_kind_name(int kind)
{
	switch (kind) {
	case CRS_PATTERN_ANY:
		return "any";
	case CRS_PATTERN_GLOB:
		return "glob";
	case CRS_PATTERN_SUBTREE:
		return "subtree";
	case CRS_PATTERN_EXACT:
		return "exact";
	}
	return NULL;
}

/* ------------------------------------------------------ semantic checks */

static int check_name(struct vctx *v, const char *field, const char *s, bool required)
{
	size_t mark = push(v, field);
	int r = 0;

	if (!s) {
		if (required)
			r = fail(v, "missing required field");
	} else if (!*s) {
		r = fail(v, required ? "must not be empty"
				     : "must not be empty (omit the field for no name)");
	} else if (strlen(s) > CRS_NAME_MAX) {
		r = fail(v, "longer than %d bytes", CRS_NAME_MAX);
	}
	pop(v, mark);
	return r;
}

static int check_pattern(struct vctx *v, const char *field, const char *s, int *kind)
{
	size_t mark = push(v, field);
	const char *why;
	int k;

	if (!s) {
		k = fail(v, "missing required field");
	} else {
		k = crs_pattern_check(s, strlen(s), &why);
		if (k < 0)
			k = fail(v, "%s", why);
	}
	pop(v, mark);
	if (k >= 0 && kind)
		*kind = k;
	return k < 0 ? k : 0;
}

/* Rules counted against crs.ko's per-table limits while checking. */
struct rule_counts {
	size_t globs;		/* file and execute rules with a glob path */
	size_t net;		/* network and listener rules */
};

static bool net_type(enum crs_rule_type t)
{
	return t == CRS_RULE_NETWORK || t == CRS_RULE_LISTENER;
}

/* A rule's syscall name and matchers (v->path is the rule's). */
static int check_syscall_rule(struct vctx *v, const struct crs_policy_rule *r)
{
	size_t mark, m2, i;
	char shown[96] = "";
	int e = 0;

	mark = push(v, "syscall");
	if (!r->syscall) {
		e = fail(v, "missing required field");
	} else if (crs_syscall_lookup(r->syscall, NULL, NULL)) {
		crs_str_render(shown, sizeof(shown), r->syscall, strlen(r->syscall), 64, true);
		e = fail(v, "unknown system call %s", shown);
	}
	pop(v, mark);
	if (e)
		return e;
	mark = push(v, "args");
	if (r->n_args > CRS_MAX_ARGS)
		e = fail(v, "more than %d argument matchers", CRS_MAX_ARGS);
	for (i = 0; !e && i < r->n_args; i++) {
		m2 = push_index(v, i);
		if (r->args[i].index >= CRS_MAX_ARGS) {
			push(v, "index");
			e = fail(v, "must be 0 to %d", CRS_MAX_ARGS - 1);
		} else if (!crs_arg_op_name(r->args[i].op)) {
			push(v, "op");
			e = fail(v, "unknown operator %d", (int)r->args[i].op);
		}
		pop(v, m2);
	}
	pop(v, mark);
	if (e)
		return e;
	mark = push(v, r->path ? "path" : "access");
	if (r->path || r->access)
		e = fail(v, "not allowed on syscall rules");
	pop(v, mark);
	return e;
}

/* The error of a bad address a (masked: a with host bits cleared, if so). */
static int address_error(struct vctx *v, const char *why, const struct crs_net_addr *masked)
{
	char buf[64];

	if (masked && masked->family)
		return fail(v, "%s; did you mean %s?", why,
			    crs_net_addr_str(masked, buf, sizeof(buf)));
	return fail(v, "%s", why);
}

/* The fields of network and listener rules on a rule of another type. */
static int check_no_net_fields(struct vctx *v, const struct crs_policy_rule *r)
{
	const char *f = NULL;
	size_t mark;
	int e;

	if (r->direction)
		f = "direction";
	else if (r->protocol)
		f = "protocol";
	else if (r->address.family || r->address.prefix_len)
		f = "address";
	else if (r->port_min || r->port_max)
		f = "port";
	if (!f)
		return 0;
	mark = push(v, f);
	e = fail(v, "not allowed on %s rules", crs_rule_type_name(r->type));
	pop(v, mark);
	return e;
}

/* A network or listener rule (v->path is the rule's; program checked already). */
static int check_net_rule(struct vctx *v, const struct crs_policy_rule *r,
			  struct rule_counts *n)
{
	const char *f = NULL, *why;
	struct crs_net_addr masked;
	size_t mark;
	int e = 0;

	if (r->path)
		f = "path";
	else if (r->access)
		f = "access";
	else if (r->syscall)
		f = "syscall";
	else if (r->n_args)
		f = "args";
	if (f) {
		mark = push(v, f);
		e = fail(v, "not allowed on %s rules", crs_rule_type_name(r->type));
		pop(v, mark);
		return e;
	}
	mark = push(v, "direction");
	if (r->type == CRS_RULE_LISTENER && r->direction)
		e = fail(v, "not allowed on listener rules");
	else if (!crs_direction_name(r->direction))
		e = fail(v, "unknown direction %d", (int)r->direction);
	pop(v, mark);
	if (e)
		return e;
	mark = push(v, "protocol");
	if (!crs_proto_name(r->protocol))
		e = fail(v, "unknown protocol %d", (int)r->protocol);
	else if (r->type == CRS_RULE_LISTENER && r->protocol == CRS_PROTO_ICMP)
		e = fail(v, "must be \"tcp\", \"udp\" or \"any\" on listener rules "
			 "(nothing listens on ICMP)");
	pop(v, mark);
	if (e)
		return e;
	mark = push(v, "address");
	if (crs_net_addr_check(&r->address, &why, &masked))
		e = address_error(v, why, &masked);
	pop(v, mark);
	if (e)
		return e;
	mark = push(v, "port");
	if (r->port_min > r->port_max)
		e = fail(v, "empty range %u-%u (the first port must not be greater than "
			 "the second)", r->port_min, r->port_max);
	else if (r->protocol == CRS_PROTO_ICMP && (r->port_min != 0 || r->port_max != 65535))
		e = fail(v, "ICMP has no ports; must be \"*\" with protocol \"icmp\"");
	pop(v, mark);
	if (e)
		return e;
	if (r->type == CRS_RULE_NETWORK && r->direction == CRS_DIR_INBOUND &&
	    strcmp(r->program, "*")) {
		mark = push(v, "program");
		e = fail(v, "inbound rules match packets before any program receives them; "
			 "must be \"*\"");
		pop(v, mark);
		return e;
	}
	if (++n->net > CRS_MAX_NET_RULES) {
		mark = push(v, "type");
		e = fail_limit(v, "more than %d network and listener rules", CRS_MAX_NET_RULES);
		pop(v, mark);
	}
	return e;
}

/* Path of rule i is in v->path on entry. */
static int check_rule(struct vctx *v, const struct crs_policy_rule *r, struct rule_counts *n)
{
	size_t mark;
	int kind = 0, e;

	mark = push(v, "type");
	if (!crs_rule_type_name(r->type))
		e = fail(v, "unknown rule type %d", (int)r->type);
	else
		e = 0;
	pop(v, mark);
	if (e)
		return e;
	e = check_name(v, "name", r->name, false);
	if (e)
		return e;
	if ((unsigned int)r->action > CRS_ACTION_MAX) {
		mark = push(v, "action");
		return fail(v, "unknown action %d", (int)r->action);
	}
	e = check_pattern(v, "program", r->program, NULL);
	if (e)
		return e;
	if (net_type(r->type))
		return check_net_rule(v, r, n);
	e = check_no_net_fields(v, r);
	if (e)
		return e;
	if (r->type == CRS_RULE_SYSCALL)
		return check_syscall_rule(v, r);
	if (r->syscall || r->n_args) {
		mark = push(v, r->syscall ? "syscall" : "args");
		e = fail(v, "not allowed on %s rules", crs_rule_type_name(r->type));
		pop(v, mark);
		return e;
	}
	e = check_pattern(v, "path", r->path, &kind);
	if (e)
		return e;
	if (kind == CRS_PATTERN_GLOB && ++n->globs > CRS_MAX_GLOB_RULES) {
		mark = push(v, "path");
		e = fail_limit(v, "more than %d rules with a glob path", CRS_MAX_GLOB_RULES);
		pop(v, mark);
		return e;
	}
	mark = push(v, "access");
	if (r->type == CRS_RULE_FILE && !r->access)
		e = fail(v, "must not be empty");
	else if (r->type == CRS_RULE_FILE && (r->access & ~(CRS_ACCESS_READ | CRS_ACCESS_WRITE)))
		e = fail(v, "file rules take only \"read\" and \"write\"");
	else if (r->type == CRS_RULE_EXECUTE && r->access != CRS_ACCESS_EXEC)
		e = fail(v, "must be CRS_ACCESS_EXEC for execute rules");
	pop(v, mark);
	return e;
}

static int check_syscall_name(struct vctx *v, const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n > CRS_SYSCALL_NAME_MAX)
		return fail(v, "not a system call name (1 to %d characters)", CRS_SYSCALL_NAME_MAX);
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' ||
		      (i && s[i] >= '0' && s[i] <= '9')))
			return fail(v, "not a system call name (lower case letters, digits, '_')");
	return 0;
}

static int check_top(struct vctx *v, const struct crs_policy *p)
{
	size_t mark, i, j;
	int e, t;

	e = check_name(v, "name", p->name, true);
	if (e)
		return e;
	if (p->mode != CRS_MODE_ENFORCE && p->mode != CRS_MODE_MONITOR &&
	    p->mode != CRS_MODE_DISABLED) {
		mark = push(v, "mode");
		e = fail(v, "must be \"enforce\", \"monitor\" or \"disabled\"");
		pop(v, mark);
		return e;
	}
	for (t = 0; t <= CRS_RULE_TYPE_MAX; t++) {
		if ((unsigned int)p->defaults[t] <= CRS_ACTION_MAX)
			continue;
		mark = push(v, "default_actions");
		push(v, crs_rule_type_name(t));
		e = fail(v, "must be \"allow\" or \"deny\"");
		pop(v, mark);
		return e;
	}
	if (p->n_ignored_syscalls > CRS_SYSCALLS_MAX) {
		mark = push(v, "ignored_syscalls");
		e = fail(v, "more than %d entries", CRS_SYSCALLS_MAX);
		pop(v, mark);
		return e;
	}
	for (i = 0; i < p->n_ignored_syscalls; i++) {
		mark = push(v, "ignored_syscalls");
		push_index(v, i);
		if (!p->ignored_syscalls || !p->ignored_syscalls[i]) {
			e = fail(v, "missing");
			pop(v, mark);
			return e;
		}
		e = check_syscall_name(v, p->ignored_syscalls[i]);
		if (!e && crs_syscall_lookup(p->ignored_syscalls[i], NULL, NULL))
			e = fail(v, "unknown system call \"%s\"", p->ignored_syscalls[i]);
		for (j = 0; !e && j < i; j++)
			if (!strcmp(p->ignored_syscalls[i], p->ignored_syscalls[j]))
				e = fail(v, "\"%s\" is listed twice", p->ignored_syscalls[i]);
		pop(v, mark);
		if (e)
			return e;
	}
	return 0;
}

int crs_policy_validate(const struct crs_policy *p, struct crs_err *err)
{
	struct vctx v = { .err = err };
	struct rule_counts counts = { 0 };
	size_t i, mark;
	int e;

	crs_err_reset(err);
	if (!p)
		return crs_err_set(err, -EINVAL, "no policy");
	e = check_top(&v, p);
	if (e)
		return e;
	if (p->n_rules > CRS_MAX_RULES) {
		mark = push(&v, "rules");
		e = fail_limit(&v, "more than %d rules", CRS_MAX_RULES);
		pop(&v, mark);
		return e;
	}
	if (p->n_rules && !p->rules)
		return crs_err_set(err, -EINVAL, "rules: missing");
	for (i = 0; i < p->n_rules; i++) {
		mark = push(&v, "rules");
		push_index(&v, i);
		e = check_rule(&v, &p->rules[i], &counts);
		pop(&v, mark);
		if (e)
			return e;
	}
	return 0;
}

/* --------------------------------------------------------- JSON -> model */

/* An object's fields must all be in allowed (NULL-terminated). */
static int check_fields(struct vctx *v, struct json_object *o, const char *const *allowed)
{
	struct json_object_iterator it = json_object_iter_begin(o);
	struct json_object_iterator end = json_object_iter_end(o);
	const char *const *a;
	size_t mark;
	int e;

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *k = json_object_iter_peek_name(&it);

		for (a = allowed; *a; a++)
			if (!strcmp(*a, k))
				break;
		if (*a)
			continue;
		mark = push(v, k);
		e = fail(v, "unknown field");
		pop(v, mark);
		return e;
	}
	return 0;
}

/*
 * Field key of o: *val set to it (NULL if absent or JSON null). Returns 1
 * if present (even as null), 0 if absent. The field's path is pushed when
 * present; the caller pops to mark.
 */
static int field(struct vctx *v, struct json_object *o, const char *key,
		 struct json_object **val, size_t *mark)
{
	*val = NULL;
	*mark = strlen(v->path);
	if (!json_object_object_get_ex(o, key, val))
		return 0;
	push(v, key);
	return 1;
}

static int want_string(struct vctx *v, struct json_object *o, const char **s)
{
	if (!json_object_is_type(o, json_type_string))
		return fail(v, "expected a string");
	*s = json_object_get_string(o);
	if (strlen(*s) != (size_t)json_object_get_string_len(o))
		return fail(v, "must not contain a NUL byte");
	return 0;
}

static int want_bool(struct vctx *v, struct json_object *o, bool *b)
{
	if (!json_object_is_type(o, json_type_boolean))
		return fail(v, "expected a boolean (true or false)");
	*b = json_object_get_boolean(o);
	return 0;
}

/* Optional string field, duplicated into *out (left NULL if absent). */
static int opt_string(struct vctx *v, struct json_object *o, const char *key, char **out)
{
	struct json_object *val;
	const char *s;
	size_t mark;
	int e = 0;

	if (!field(v, o, key, &val, &mark))
		return 0;
	e = want_string(v, val, &s);
	if (!e) {
		*out = strdup(s);
		if (!*out)
			e = oom(v);
	}
	pop(v, mark);
	return e;
}

static int opt_bool(struct vctx *v, struct json_object *o, const char *key, bool *out)
{
	struct json_object *val;
	size_t mark;
	int e;

	if (!field(v, o, key, &val, &mark))
		return 0;
	e = want_bool(v, val, out);
	pop(v, mark);
	return e;
}

static int want_action(struct vctx *v, struct json_object *val, enum crs_action *out)
{
	const char *s;
	int e = want_string(v, val, &s);

	if (e)
		return e;
	if (crs_action_parse(s, out))
		return fail(v, "must be \"allow\" or \"deny\"");
	return 0;
}

static int parse_defaults(struct vctx *v, struct json_object *root, struct crs_policy *p)
{
	static const char *const fields[] = {
		"file", "execute", "network", "listener", "syscall", NULL
	};
	struct json_object *d, *val;
	size_t mark, m2;
	int e = 0, t;

	for (t = 0; t <= CRS_RULE_TYPE_MAX; t++)
		p->defaults[t] = CRS_ACTION_ALLOW;
	if (!field(v, root, "default_actions", &d, &mark))
		return 0;
	if (!json_object_is_type(d, json_type_object)) {
		e = fail(v, "expected an object");
		goto out;
	}
	e = check_fields(v, d, fields);
	for (t = 0; !e && t <= CRS_RULE_TYPE_MAX; t++) {
		enum crs_rule_type rt;

		if (crs_rule_type_parse(fields[t], &rt))
			continue;
		if (!field(v, d, fields[t], &val, &m2))
			continue;
		e = want_action(v, val, &p->defaults[rt]);
		pop(v, m2);
	}
out:
	pop(v, mark);
	return e;
}

static int parse_syscalls(struct vctx *v, struct json_object *root, struct crs_policy *p)
{
	struct json_object *a;
	size_t mark, n, i;
	int e = 0;

	if (!field(v, root, "ignored_syscalls", &a, &mark))
		return 0;
	if (!json_object_is_type(a, json_type_array)) {
		e = fail(v, "expected an array of strings");
		goto out;
	}
	n = json_object_array_length(a);
	if (n > CRS_SYSCALLS_MAX) {
		e = fail(v, "more than %d entries", CRS_SYSCALLS_MAX);
		goto out;
	}
	if (!n)
		goto out;
	p->ignored_syscalls = calloc(n, sizeof(*p->ignored_syscalls));
	if (!p->ignored_syscalls) {
		e = oom(v);
		goto out;
	}
	for (i = 0; !e && i < n; i++) {
		size_t m2 = push_index(v, i);
		const char *s;

		e = want_string(v, json_object_array_get_idx(a, i), &s);
		if (!e) {
			p->ignored_syscalls[i] = strdup(s);
			if (!p->ignored_syscalls[i])
				e = oom(v);
			else
				p->n_ignored_syscalls = i + 1;
		}
		pop(v, m2);
	}
out:
	pop(v, mark);
	return e;
}

static int parse_access(struct vctx *v, struct json_object *a, uint32_t *access)
{
	size_t n, i, mark;
	int e = 0;

	if (!json_object_is_type(a, json_type_array))
		return fail(v, "expected an array of \"read\" and/or \"write\"");
	n = json_object_array_length(a);
	if (!n)
		return fail(v, "must not be empty");
	for (i = 0; !e && i < n; i++) {
		const char *s;
		uint32_t bit = 0;

		mark = push_index(v, i);
		e = want_string(v, json_object_array_get_idx(a, i), &s);
		if (!e) {
			if (!strcmp(s, "read"))
				bit = CRS_ACCESS_READ;
			else if (!strcmp(s, "write"))
				bit = CRS_ACCESS_WRITE;
			if (!bit) {
				char shown[96] = "";

				crs_str_render(shown, sizeof(shown), s, strlen(s), 32, true);
				e = fail(v, "unknown access %s", shown);
			} else if (*access & bit) {
				e = fail(v, "duplicate access \"%s\"", s);
			}
			*access |= bit;
		}
		pop(v, mark);
	}
	return e;
}

/* A field of o that rules of type t must not have. */
static int not_allowed(struct vctx *v, struct json_object *o, const char *key,
		       enum crs_rule_type t)
{
	struct json_object *val;
	size_t mark;
	int e = 0;

	if (field(v, o, key, &val, &mark))
		e = fail(v, "not allowed on %s rules", crs_rule_type_name(t));
	pop(v, mark);
	return e;
}

/*
 * A JSON integer as an unsigned 64-bit value: negative numbers as two's
 * complement. json-c keeps integers above INT64_MAX as uint64; the
 * tokenizer has already refused those beyond 64 bits (json-c clamps them).
 */
static int want_int(struct vctx *v, struct json_object *o, uint64_t *out, bool *negative)
{
	int64_t i;

	if (!json_object_is_type(o, json_type_int))
		return fail(v, "expected an integer");
	i = json_object_get_int64(o);
	*negative = i < 0;
	*out = i < 0 ? (uint64_t)i : json_object_get_uint64(o);
	return 0;
}

static int parse_syscall(struct vctx *v, struct json_object *val, struct crs_policy_rule *r)
{
	const char *name, *s;
	char shown[96] = "";
	uint64_t nr = 0;
	bool neg = false;
	int e;

	if (json_object_is_type(val, json_type_int)) {
		e = want_int(v, val, &nr, &neg);
		if (e)
			return e;
		name = !neg && nr < CRS_SYSCALL_NR_MAX
			? crs_syscall_name((uint32_t)nr, CRS_ARCH_X86_64) : NULL;
		if (!name) {
			if (neg)
				return fail(v, "unknown x86_64 system call number %lld",
					    (long long)nr);
			return fail(v, "unknown x86_64 system call number %llu",
				    (unsigned long long)nr);
		}
	} else if (json_object_is_type(val, json_type_string)) {
		e = want_string(v, val, &name);
		if (e)
			return e;
	} else {
		return fail(v, "expected a system call name or x86_64 number");
	}
	if (crs_syscall_lookup(name, &r->syscall_nr, &r->syscall_nr32)) {
		s = name;
		crs_str_render(shown, sizeof(shown), s, strlen(s), 64, true);
		return fail(v, "unknown system call %s", shown);
	}
	r->syscall = strdup(name);
	if (!r->syscall)
		return oom(v);
	return 0;
}

static int parse_arg(struct vctx *v, struct json_object *o, struct crs_syscall_arg *a)
{
	static const char *const fields[] = { "index", "op", "value", NULL };
	static const char *const order[] = { "index", "op", "value" };
	struct json_object *val;
	char shown[96] = "";
	const char *s;
	uint64_t x = 0;
	size_t mark, i;
	bool neg = false;
	int e;

	if (!json_object_is_type(o, json_type_object))
		return fail(v, "expected an object { \"index\", \"op\", \"value\" }");
	e = check_fields(v, o, fields);
	for (i = 0; !e && i < CRS_ARRAY_SIZE(order); i++) {
		if (!field(v, o, order[i], &val, &mark)) {
			push(v, order[i]);
			e = fail(v, "missing required field");
		} else if (i == 0) {
			e = want_int(v, val, &x, &neg);
			if (!e && (neg || x >= CRS_MAX_ARGS))
				e = fail(v, "must be 0 to %d", CRS_MAX_ARGS - 1);
			a->index = (uint32_t)x;
		} else if (i == 1) {
			e = want_string(v, val, &s);
			if (!e && crs_arg_op_parse(s, &a->op)) {
				crs_str_render(shown, sizeof(shown), s, strlen(s), 32, true);
				e = fail(v, "unknown operator %s (eq, ne, lt, le, gt, ge, "
					 "mask_all, mask_any)", shown);
			}
		} else {
			e = want_int(v, val, &a->value, &neg);
		}
		pop(v, mark);
	}
	return e;
}

/* The fields of network and listener rules, on a rule of another type. */
static int no_net_fields(struct vctx *v, struct json_object *o, enum crs_rule_type t)
{
	static const char *const keys[] = { "direction", "protocol", "address", "port" };
	size_t i;
	int e = 0;

	for (i = 0; !e && i < CRS_ARRAY_SIZE(keys); i++)
		e = not_allowed(v, o, keys[i], t);
	return e;
}

/*
 * "port": an integer 0..65535, or "N", "N-M" (N <= M) or "*" (0-65535).
 * Decimal digits only in strings, at most 5 of them per number.
 */
static int want_ports(struct vctx *v, struct json_object *val, uint16_t *lo, uint16_t *hi)
{
	static const char expected[] = "must be a port number (0 to 65535), \"N-M\" or \"*\"";
	unsigned long a, b;
	const char *s, *dash;
	char shown[96] = "";
	uint64_t x = 0;
	size_t n1, n2;
	bool neg = false;
	int e;

	if (json_object_is_type(val, json_type_int)) {
		e = want_int(v, val, &x, &neg);
		if (e)
			return e;
		if (neg)
			return fail(v, "%lld is out of range (0 to 65535)", (long long)x);
		if (x > 65535)
			return fail(v, "%llu is out of range (0 to 65535)", (unsigned long long)x);
		*lo = *hi = (uint16_t)x;
		return 0;
	}
	if (!json_object_is_type(val, json_type_string))
		return fail(v, "expected a port number, \"N-M\" or \"*\"");
	e = want_string(v, val, &s);
	if (e)
		return e;
	if (!strcmp(s, "*")) {
		*lo = 0;
		*hi = 65535;
		return 0;
	}
	crs_str_render(shown, sizeof(shown), s, strlen(s), 32, true);
	dash = strchr(s, '-');
	n1 = dash ? (size_t)(dash - s) : strlen(s);
	n2 = dash ? strlen(dash + 1) : 0;
	if (!n1 || n1 > 5 || strspn(s, "0123456789") != n1 ||
	    (dash && (!n2 || n2 > 5 || strspn(dash + 1, "0123456789") != n2)))
		return fail(v, "%s: %s", shown, expected);
	a = strtoul(s, NULL, 10);
	b = dash ? strtoul(dash + 1, NULL, 10) : a;
	if (a > 65535 || b > 65535)
		return fail(v, "%lu is out of range (0 to 65535)", a > 65535 ? a : b);
	if (a > b)
		return fail(v, "empty range %s (the first port must not be greater than the "
			    "second)", shown);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

/* direction, protocol, address, port; then the checks of crs_policy_validate(). */
static int parse_net_rule(struct vctx *v, struct json_object *o,
			  struct crs_policy_rule *r, struct rule_counts *n)
{
	static const char *const other[] = { "path", "access", "syscall", "args" };
	struct crs_net_addr masked;
	struct json_object *val;
	const char *s = NULL, *why;
	size_t mark, i;
	int e = 0;

	for (i = 0; !e && i < CRS_ARRAY_SIZE(other); i++)
		e = not_allowed(v, o, other[i], r->type);
	if (e)
		return e;

	if (r->type == CRS_RULE_LISTENER) {
		e = not_allowed(v, o, "direction", r->type);
	} else {
		if (!field(v, o, "direction", &val, &mark)) {
			push(v, "direction");
			e = fail(v, "missing required field (\"outbound\" or \"inbound\")");
		} else {
			e = want_string(v, val, &s);
			if (!e && crs_direction_parse(s, &r->direction))
				e = fail(v, "must be \"outbound\" or \"inbound\"");
		}
		pop(v, mark);
	}
	if (e)
		return e;

	r->protocol = CRS_PROTO_ANY;
	if (field(v, o, "protocol", &val, &mark)) {
		e = want_string(v, val, &s);
		if (!e && crs_proto_parse(s, &r->protocol))
			e = fail(v, r->type == CRS_RULE_LISTENER
				 ? "must be \"tcp\", \"udp\" or \"any\""
				 : "must be \"tcp\", \"udp\", \"icmp\" or \"any\"");
	}
	pop(v, mark);
	if (e)
		return e;

	if (field(v, o, "address", &val, &mark)) {
		if (!json_object_is_type(val, json_type_string))
			e = fail(v, "expected a string (\"*\", an IPv4 or IPv6 address or "
				 "prefix)");
		else
			e = want_string(v, val, &s);
		if (!e && crs_net_addr_parse_masked(s, &r->address, &why, &masked))
			e = address_error(v, why, &masked);
	}
	pop(v, mark);
	if (e)
		return e;

	r->port_min = 0;
	r->port_max = 65535;
	if (field(v, o, "port", &val, &mark))
		e = want_ports(v, val, &r->port_min, &r->port_max);
	pop(v, mark);
	if (e)
		return e;
	return check_rule(v, r, n);
}

static int parse_syscall_rule(struct vctx *v, struct json_object *o,
			      struct crs_policy_rule *r, struct rule_counts *counts)
{
	struct json_object *val;
	size_t mark, m2, n, i;
	int e;

	e = not_allowed(v, o, "path", r->type);
	if (!e)
		e = not_allowed(v, o, "access", r->type);
	if (!e)
		e = no_net_fields(v, o, r->type);
	if (e)
		return e;
	if (!field(v, o, "syscall", &val, &mark)) {
		push(v, "syscall");
		e = fail(v, "missing required field");
	} else {
		e = parse_syscall(v, val, r);
	}
	pop(v, mark);
	if (e)
		return e;
	if (field(v, o, "args", &val, &mark)) {
		if (!json_object_is_type(val, json_type_array)) {
			e = fail(v, "expected an array of argument matchers");
		} else if ((n = json_object_array_length(val)) > CRS_MAX_ARGS) {
			e = fail(v, "more than %d argument matchers", CRS_MAX_ARGS);
		} else {
			for (i = 0; !e && i < n; i++) {
				m2 = push_index(v, i);
				e = parse_arg(v, json_object_array_get_idx(val, i), &r->args[i]);
				r->n_args = i + 1;
				pop(v, m2);
			}
		}
	}
	pop(v, mark);
	if (e)
		return e;
	return check_rule(v, r, counts);
}

static int parse_rule(struct vctx *v, struct json_object *o, struct crs_policy_rule *r,
		      struct rule_counts *counts)
{
	static const char *const fields[] = {
		"name", "enabled", "type", "action", "program", "path", "access",
		"syscall", "args", "direction", "protocol", "address", "port", NULL
	};
	struct json_object *val;
	const char *s;
	size_t mark;
	int e;

	r->enabled = true;
	if (!json_object_is_type(o, json_type_object))
		return fail(v, "expected an object");

	/* type first: everything else depends on it */
	if (!field(v, o, "type", &val, &mark)) {
		push(v, "type");
		e = fail(v, "missing required field");
		pop(v, mark);
		return e;
	}
	e = want_string(v, val, &s);
	if (!e && crs_rule_type_parse(s, &r->type))
		e = fail(v, "must be \"file\", \"execute\", \"network\", \"listener\" "
			 "or \"syscall\"");
	pop(v, mark);
	if (e)
		return e;

	e = check_fields(v, o, fields);
	if (!e)
		e = opt_string(v, o, "name", &r->name);
	if (!e)
		e = opt_bool(v, o, "enabled", &r->enabled);
	if (e)
		return e;

	if (!field(v, o, "action", &val, &mark)) {
		push(v, "action");
		e = fail(v, "missing required field");
	} else {
		e = want_action(v, val, &r->action);
	}
	pop(v, mark);
	if (e)
		return e;

	e = opt_string(v, o, "program", &r->program);
	if (!e && !r->program) {
		r->program = strdup("*");
		if (!r->program)
			e = oom(v);
	}
	if (e)
		return e;
	if (r->type == CRS_RULE_SYSCALL)
		return parse_syscall_rule(v, o, r, counts);
	if (net_type(r->type))
		return parse_net_rule(v, o, r, counts);
	e = not_allowed(v, o, "syscall", r->type);
	if (!e)
		e = not_allowed(v, o, "args", r->type);
	if (!e)
		e = no_net_fields(v, o, r->type);
	if (!e)
		e = opt_string(v, o, "path", &r->path);
	if (e)
		return e;

	if (field(v, o, "access", &val, &mark)) {
		if (r->type == CRS_RULE_EXECUTE)
			e = fail(v, "not allowed on execute rules");
		else
			e = parse_access(v, val, &r->access);
	} else if (r->type == CRS_RULE_FILE) {
		push(v, "access");
		e = fail(v, "missing required field (\"read\" and/or \"write\")");
	}
	pop(v, mark);
	if (e)
		return e;
	if (r->type == CRS_RULE_EXECUTE)
		r->access = CRS_ACCESS_EXEC;

	/* names, patterns and limits: the checks crs_policy_validate() makes */
	return check_rule(v, r, counts);
}

static int parse_rules(struct vctx *v, struct json_object *root, struct crs_policy *p)
{
	struct rule_counts counts = { 0 };
	struct json_object *a;
	size_t mark, n, i;
	int e = 0;

	if (!field(v, root, "rules", &a, &mark))
		return 0;
	if (!json_object_is_type(a, json_type_array)) {
		e = fail(v, "expected an array");
		goto out;
	}
	n = json_object_array_length(a);
	if (n > CRS_MAX_RULES) {
		e = fail_limit(v, "more than %d rules", CRS_MAX_RULES);
		goto out;
	}
	if (!n)
		goto out;
	p->rules = calloc(n, sizeof(*p->rules));
	if (!p->rules) {
		e = oom(v);
		goto out;
	}
	for (i = 0; !e && i < n; i++) {
		size_t m2 = push_index(v, i);

		p->n_rules = i + 1;	/* so that crs_policy_free() sees it */
		e = parse_rule(v, json_object_array_get_idx(a, i), &p->rules[i], &counts);
		pop(v, m2);
	}
out:
	pop(v, mark);
	return e;
}

static int parse_policy(struct vctx *v, struct json_object *root, struct crs_policy *p)
{
	static const char *const fields[] = {
		"name", "description", "mode", "learning", "default_actions",
		"ignored_syscalls", "rules", NULL
	};
	struct json_object *val;
	const char *s;
	size_t mark;
	int e;

	if (!json_object_is_type(root, json_type_object))
		return fail(v, "expected an object");
	e = check_fields(v, root, fields);
	if (e)
		return e;

	if (!field(v, root, "name", &val, &mark)) {
		push(v, "name");
		e = fail(v, "missing required field");
	} else if (!(e = want_string(v, val, &s))) {
		p->name = strdup(s);
		if (!p->name)
			e = oom(v);
	}
	pop(v, mark);
	if (!e)
		e = check_name(v, "name", p->name, true);
	if (!e)
		e = opt_string(v, root, "description", &p->description);
	if (e)
		return e;

	p->mode = CRS_MODE_ENFORCE;
	if (field(v, root, "mode", &val, &mark)) {
		e = want_string(v, val, &s);
		if (!e && (crs_mode_parse(s, &p->mode) || p->mode == CRS_MODE_POLICY))
			e = fail(v, "must be \"enforce\", \"monitor\" or \"disabled\"");
	}
	pop(v, mark);
	if (!e)
		e = opt_bool(v, root, "learning", &p->learning);
	if (!e)
		e = parse_defaults(v, root, p);
	if (!e)
		e = parse_syscalls(v, root, p);
	if (!e)
		e = check_top(v, p);	/* syscall names, duplicates */
	if (!e)
		e = parse_rules(v, root, p);
	return e;
}

int crs_policy_parse(const char *json, size_t len, struct crs_policy **out,
		     struct crs_err *err)
{
	struct vctx v = { .err = err };
	struct json_object *root;
	struct crs_policy *p;
	int e;

	crs_err_reset(err);
	if (!out)
		return crs_err_set(err, -EINVAL, "no output pointer");
	*out = NULL;
	e = crs_json_tokenize(json, len, &root, err);
	if (e)
		return e;
	p = calloc(1, sizeof(*p));
	if (!p) {
		json_object_put(root);
		return oom(&v);
	}
	e = parse_policy(&v, root, p);
	json_object_put(root);
	if (e) {
		crs_policy_free(p);
		return e;
	}
	*out = p;
	return 0;
}

int crs_policy_parse_file(const char *path, struct crs_policy **out, struct crs_err *err)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *nb;
	FILE *f;
	int e;

	crs_err_reset(err);
	if (out)
		*out = NULL;
	if (!path || !out)
		return crs_err_set(err, -EINVAL, "no policy file");
	f = fopen(path, "re");
	if (!f) {
		e = -errno;
		return crs_err_set(err, e, "cannot open %s: %s", path, strerror(-e));
	}
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 65536;
			if (cap > (size_t)CRS_POLICY_FILE_MAX + 4096)
				cap = (size_t)CRS_POLICY_FILE_MAX + 4096;
			if (cap - len == 0) {
				e = crs_err_set(err, -EFBIG, "%s: larger than %u bytes",
						path, CRS_POLICY_FILE_MAX);
				goto out;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				e = crs_err_set(err, -ENOMEM, "out of memory");
				goto out;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		e = crs_err_set(err, -EIO, "cannot read %s", path);
		goto out;
	}
	e = crs_policy_parse(buf ? buf : "", len, out, err);
out:
	fclose(f);
	free(buf);
	return e;
}

/* ----------------------------------------------------- free and compare */

void crs_rule_free_strings(struct crs_policy_rule *r)
{
	free(r->name);
	free(r->program);
	free(r->path);
	free(r->syscall);
	r->name = r->program = r->path = r->syscall = NULL;
}

void crs_policy_free(struct crs_policy *p)
{
	size_t i;

	if (!p)
		return;
	free(p->name);
	free(p->description);
	for (i = 0; p->ignored_syscalls && i < p->n_ignored_syscalls; i++)
		free(p->ignored_syscalls[i]);
	free(p->ignored_syscalls);
	for (i = 0; p->rules && i < p->n_rules; i++)
		crs_rule_free_strings(&p->rules[i]);
	free(p->rules);
	free(p);
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/* The bytes of the family's length only (family 0 has none). */
static bool net_addr_eq(const struct crs_net_addr *a, const struct crs_net_addr *b)
{
	return a->family == b->family && a->prefix_len == b->prefix_len &&
	       !memcmp(a->addr, b->addr, crs_net_addr_len(a->family));
}

/* Equal as policy documents see them: the address by its family's bytes only. */
bool crs_rule_equal(const struct crs_policy_rule *x, const struct crs_policy_rule *y)
{
	size_t j;

	if (!str_eq(x->name, y->name) || x->enabled != y->enabled ||
	    x->type != y->type || x->action != y->action ||
	    !str_eq(x->program, y->program) || !str_eq(x->path, y->path) ||
	    x->access != y->access || !str_eq(x->syscall, y->syscall) ||
	    x->n_args != y->n_args || x->direction != y->direction ||
	    x->protocol != y->protocol || x->port_min != y->port_min ||
	    x->port_max != y->port_max || !net_addr_eq(&x->address, &y->address))
		return false;
	for (j = 0; j < x->n_args && j < CRS_MAX_ARGS; j++)
		if (x->args[j].index != y->args[j].index ||
		    x->args[j].op != y->args[j].op ||
		    x->args[j].value != y->args[j].value)
			return false;
	return true;
}

bool crs_policy_equal(const struct crs_policy *a, const struct crs_policy *b)
{
	size_t i;
	int t;

	if (!a || !b)
		return a == b;
	if (!str_eq(a->name, b->name) || !str_eq(a->description, b->description) ||
	    a->mode != b->mode || a->learning != b->learning ||
	    a->n_ignored_syscalls != b->n_ignored_syscalls || a->n_rules != b->n_rules)
		return false;
	for (t = 0; t <= CRS_RULE_TYPE_MAX; t++)
		if (a->defaults[t] != b->defaults[t])
			return false;
	for (i = 0; i < a->n_ignored_syscalls; i++)
		if (!str_eq(a->ignored_syscalls[i], b->ignored_syscalls[i]))
			return false;
	for (i = 0; i < a->n_rules; i++)
		if (!crs_rule_equal(&a->rules[i], &b->rules[i]))
			return false;
	return true;
}
