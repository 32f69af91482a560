// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Learned sets in userspace: names, and the profile document (the JSON form
 * of a dump, docs/learning.md "crs-tool").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include "crsnl_int.h"

const char *crs_learn_name(uint32_t learn)
{
	switch (learn) {
	case CRS_LEARN_OFF:	return "off";
	case CRS_LEARN_ON:	return "on";
	case CRS_LEARN_POLICY:	return "policy";
	}
	return NULL;
}

int crs_learn_parse(const char *s, uint32_t *out)
{
	static const uint32_t v[] = { CRS_LEARN_OFF, CRS_LEARN_ON, CRS_LEARN_POLICY };
	size_t i;

	for (i = 0; i < CRS_ARRAY_SIZE(v); i++)
		if (s && !strcmp(s, crs_learn_name(v[i]))) {
			*out = v[i];
			return 0;
		}
	return -EINVAL;
}

const char *crs_learn_state_name(enum crs_learn_state s)
{
	static const char *const names[] = {
		[CRS_LEARN_STATE_OFF] = "off",
		[CRS_LEARN_STATE_RECORDING] = "recording",
		[CRS_LEARN_STATE_FULL] = "full",
		[CRS_LEARN_STATE_IDLE] = "idle",
	};

	return (unsigned int)s < CRS_ARRAY_SIZE(names) ? names[s] : NULL;
}

const char *crs_outcome_str(uint32_t outcome, char *buf, size_t len)
{
	const char *s;

	switch (outcome) {
	case 0:					s = "none"; break;
	case CRS_OBS_ALLOWED:			s = "allowed"; break;
	case CRS_OBS_DENIED:			s = "denied"; break;
	case CRS_OBS_ALLOWED | CRS_OBS_DENIED:	s = "allowed,denied"; break;
	default:
		snprintf(buf, len, "0x%x", outcome);
		return buf;
	}
	snprintf(buf, len, "%s", s);
	return buf;
}

void crs_learned_free(struct crs_learned *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->obs[i].program);
		free(l->obs[i].path);
	}
	free(l->obs);
	free(l);
}

/* A /32 or /128 address as policies write it ("10.0.0.1", "2001:db8::1"). */
static struct json_object *addr_json(int family, const uint8_t *addr)
{
	struct crs_net_addr a = { .family = family };
	char buf[64];

	if (family != AF_INET && family != AF_INET6)
		return json_object_new_string("?");	/* not from the kernel */
	a.prefix_len = family == AF_INET ? 32 : 128;
	memcpy(a.addr, addr, crs_net_addr_len(family));
	return json_object_new_string(crs_net_addr_str(&a, buf, sizeof(buf)));
}

static struct json_object *name_or_int(const char *name, int v)
{
	return name ? json_object_new_string(name) : json_object_new_int(v);
}

/* Names as policies write them: "read", "read,write", "exec"; "allowed,denied". */
struct json_object *crs_obs_json(const struct crs_observation *o)
{
	struct json_object *j = json_object_new_object();
	char acc[32], out[32];
	const char *sc;
	int e = 0;

	if (!j)
		return NULL;
	e |= crs_json_add(j, "type", name_or_int(crs_rule_type_name(o->type), o->type));
	if (o->program)
		e |= crs_json_add(j, "program", json_object_new_string(o->program));
	else if (json_object_object_add(j, "program", NULL))	/* JSON null */
		e = -ENOMEM;
	e |= crs_json_add(j, "outcome", json_object_new_string(crs_outcome_str(o->outcome, out,
									sizeof(out))));
	switch (o->type) {
	case CRS_RULE_FILE:
	case CRS_RULE_EXECUTE:
		e |= crs_json_add(j, "path", json_object_new_string(o->path ? o->path : ""));
		if (o->type == CRS_RULE_FILE)
			e |= crs_json_add(j, "access",
					  json_object_new_string(crs_access_str(o->access, acc,
										sizeof(acc))));
		/*
		 * Offset 0 is the leading '/', never a digit: a set parsed by a
		 * reader that leaves pid_off 0 (calloc) for "none" shows none.
		 */
		if (o->type == CRS_RULE_FILE && o->pid_off > 0 && o->path &&
		    (size_t)o->pid_off < strlen(o->path))
			e |= crs_json_add(j, "pid_offset", json_object_new_int(o->pid_off));
		break;
	case CRS_RULE_NETWORK:
	case CRS_RULE_LISTENER:
		if (o->type == CRS_RULE_NETWORK)
			e |= crs_json_add(j, "direction",
					  name_or_int(crs_direction_name(o->direction), o->direction));
		e |= crs_json_add(j, "protocol", name_or_int(crs_proto_name(o->protocol),
							     o->protocol));
		e |= crs_json_add(j, "address", addr_json(o->family, o->addr));
		e |= crs_json_add(j, "port", json_object_new_int(o->port));
		e |= crs_json_add(j, "auto_port",
				  json_object_new_boolean(!!(o->flags & CRS_OBS_F_AUTOPORT)));
		break;
	case CRS_RULE_SYSCALL:
		sc = crs_syscall_name(o->syscall_nr, o->arch);
		e |= crs_json_add(j, "syscall", sc ? json_object_new_string(sc)
						   : json_object_new_int64(o->syscall_nr));
		e |= crs_json_add(j, "arch", name_or_int(crs_arch_name(o->arch), o->arch));
		break;
	default:
		break;
	}
	if (e) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

char *crs_learned_to_json(const struct crs_learned *l, bool pretty)
{
	struct json_object *root = json_object_new_object(), *d, *arr;
	const char *state = crs_learn_state_name(l->info.state);
	char *s = NULL;
	size_t i;
	int e = 0;

	if (!root)
		return NULL;
	e |= crs_json_add(root, "version", json_object_new_int(1));
	e |= crs_json_add(root, "cgroup_id", json_object_new_uint64(l->cgroup_id));
	e |= crs_json_add(root, "epoch", json_object_new_uint64(l->info.epoch));
	e |= crs_json_add(root, "generation", json_object_new_uint64(l->info.generation));
	e |= crs_json_add(root, "state", state ? json_object_new_string(state)
				      : json_object_new_int(l->info.state));
	e |= crs_json_add(root, "max", json_object_new_uint64(l->info.max));
	e |= crs_json_add(root, "records", json_object_new_uint64(l->info.records));
	d = json_object_new_object();
	e |= crs_json_add(root, "dropped", d);
	if (d) {
		e |= crs_json_add(d, "full", json_object_new_uint64(l->info.dropped_full));
		e |= crs_json_add(d, "long", json_object_new_uint64(l->info.dropped_long));
	}
	e |= crs_json_add(root, "complete", json_object_new_boolean(!l->info.dropped_full &&
							   !l->info.dropped_long));
	arr = json_object_new_array();
	e |= crs_json_add(root, "observations", arr);
	for (i = 0; arr && !e && i < l->n; i++) {
		struct json_object *o = crs_obs_json(&l->obs[i]);

		if (!o || json_object_array_add(arr, o)) {
			json_object_put(o);
			e = -ENOMEM;
		}
	}
	if (!e)
		s = crs_json_string(root, pretty);
	json_object_put(root);
	return s;
}

/* ------------------------------------------------------ profile parsing */

struct pctx {
	struct crs_err *err;
	char path[CRS_FIELD_PATH_MAX];
};

__attribute__((format(printf, 3, 4)))
static int pfail(struct pctx *c, const char *key, const char *fmt, ...)
{
	char msg[sizeof(c->err->msg)], where[CRS_FIELD_PATH_MAX];
	va_list ap;

	snprintf(where, sizeof(where), "%s", c->path);
	if (key)
		crs_path_push_key(where, sizeof(where), key, strlen(key));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return crs_err_set(c->err, -EINVAL, "%s: %s", where[0] ? where : "top level", msg);
}

/* o[key] if present; -EINVAL if required and absent. */
static int pget(struct pctx *c, struct json_object *o, const char *key, bool required,
		struct json_object **v, bool *present)
{
	*present = json_object_object_get_ex(o, key, v);
	if (!*present && required)
		return pfail(c, key, "missing required field");
	return 0;
}

static int pstring(struct pctx *c, struct json_object *o, const char *key, bool required,
		   const char **out)
{
	struct json_object *v;
	bool present;
	int e = pget(c, o, key, required, &v, &present);

	*out = NULL;
	if (e || !present)
		return e;
	if (!json_object_is_type(v, json_type_string))
		return pfail(c, key, "must be a string");
	*out = json_object_get_string(v);
	if (strlen(*out) != (size_t)json_object_get_string_len(v))
		return pfail(c, key, "must not contain NUL bytes");
	return 0;
}

/* An integer in [0, max]. */
static int puint(struct pctx *c, struct json_object *o, const char *key, bool required,
		 uint64_t max, uint64_t *out)
{
	struct json_object *v;
	bool present;
	int64_t i;
	int e = pget(c, o, key, required, &v, &present);

	if (e || !present)
		return e;
	if (!json_object_is_type(v, json_type_int))
		return pfail(c, key, "must be an integer");
	i = json_object_get_int64(v);
	if (i < 0)
		return pfail(c, key, "must not be negative");
	*out = json_object_get_uint64(v);	/* above INT64_MAX too */
	if (*out > max)
		return pfail(c, key, "%llu is out of range (0 to %llu)",
			     (unsigned long long)*out, (unsigned long long)max);
	return 0;
}

static int parse_outcome(struct pctx *c, const char *s, uint32_t *out)
{
	static const uint32_t v[] = { 0, CRS_OBS_ALLOWED, CRS_OBS_DENIED,
				      CRS_OBS_ALLOWED | CRS_OBS_DENIED };
	char buf[32];
	size_t i;

	for (i = 0; i < CRS_ARRAY_SIZE(v); i++)
		if (!strcmp(s, crs_outcome_str(v[i], buf, sizeof(buf)))) {
			*out = v[i];
			return 0;
		}
	return pfail(c, "outcome", "\"%.64s\": must be \"allowed\", \"denied\", "
		     "\"allowed,denied\" or \"none\"", s);
}

/* "read", "write", "read,write" (crs_access_str), or ["read", "write"]. */
static int parse_file_access(struct pctx *c, struct json_object *v, uint32_t *out)
{
	const char *s;
	size_t i, n;

	*out = 0;
	if (json_object_is_type(v, json_type_string)) {
		s = json_object_get_string(v);
		if (!strcmp(s, "read"))
			*out = CRS_ACCESS_READ;
		else if (!strcmp(s, "write"))
			*out = CRS_ACCESS_WRITE;
		else if (!strcmp(s, "read,write"))
			*out = CRS_ACCESS_READ | CRS_ACCESS_WRITE;
		else
			return pfail(c, "access", "\"%.64s\": must be \"read\", \"write\" or "
				     "\"read,write\"", s);
		return 0;
	}
	if (!json_object_is_type(v, json_type_array))
		return pfail(c, "access", "must be a string or an array of \"read\", \"write\"");
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(v, i);

		s = json_object_is_type(a, json_type_string) ? json_object_get_string(a) : "";
		if (!strcmp(s, "read"))
			*out |= CRS_ACCESS_READ;
		else if (!strcmp(s, "write"))
			*out |= CRS_ACCESS_WRITE;
		else
			return pfail(c, "access", "element %zu: must be \"read\" or \"write\"", i);
	}
	if (!*out)
		return pfail(c, "access", "must not be empty");
	return 0;
}

static int parse_path_fields(struct pctx *c, struct json_object *o, struct crs_observation *ob)
{
	struct json_object *v;
	const char *s;
	uint64_t off;
	bool present;
	int e;

	e = pstring(c, o, "path", true, &s);
	if (e)
		return e;
	if (ob->type == CRS_RULE_FILE && s[0] != '/')
		return pfail(c, "path", "must be absolute");
	if (ob->type == CRS_RULE_EXECUTE && s[0] && s[0] != '/')
		return pfail(c, "path", "must be absolute, or \"\" for a file without a path");
	if (strlen(s) > CRS_PATTERN_MAX)
		return pfail(c, "path", "longer than %d bytes", CRS_PATTERN_MAX);
	ob->path = strdup(s);
	if (!ob->path)
		return crs_err_set(c->err, -ENOMEM, "out of memory");
	if (ob->type == CRS_RULE_EXECUTE) {
		ob->access = CRS_ACCESS_EXEC;
		e = pstring(c, o, "access", false, &s);
		if (!e && s && strcmp(s, "exec"))
			e = pfail(c, "access", "must be \"exec\" on execute observations");
		return e;
	}
	e = pget(c, o, "access", true, &v, &present);
	if (!e)
		e = parse_file_access(c, v, &ob->access);
	if (!e && json_object_object_get_ex(o, "pid_offset", &v) && v) {
		e = puint(c, o, "pid_offset", true, strlen(ob->path), &off);
		if (!e && (off >= strlen(ob->path) || ob->path[off] < '0' || ob->path[off] > '9'))
			e = pfail(c, "pid_offset", "%llu does not point at a digit of the path",
				  (unsigned long long)off);
		if (!e)
			ob->pid_off = (int32_t)off;
	}
	return e;
}

static int parse_net_fields(struct pctx *c, struct json_object *o, struct crs_observation *ob)
{
	struct crs_net_addr a;
	struct json_object *v;
	const char *s, *why = NULL;
	uint64_t port;
	bool present;
	int e, k;

	if (ob->type == CRS_RULE_NETWORK) {
		e = pstring(c, o, "direction", true, &s);
		if (e)
			return e;
		if (crs_direction_parse(s, &ob->direction))
			return pfail(c, "direction", "\"%.64s\": must be \"outbound\" or \"inbound\"", s);
	} else if (json_object_object_get_ex(o, "direction", &v)) {
		return pfail(c, "direction", "not allowed on listener observations");
	}
	e = pstring(c, o, "protocol", true, &s);
	if (e)
		return e;
	if (crs_proto_parse(s, &ob->protocol))
		return pfail(c, "protocol", "\"%.64s\": must be \"tcp\", \"udp\", \"icmp\" or \"any\"", s);
	e = pstring(c, o, "address", true, &s);
	if (e)
		return e;
	if (crs_net_addr_parse(s, &a, &why))
		return pfail(c, "address", "\"%.64s\": %s", s, why ? why : "not an address");
	if (!a.family || a.prefix_len != (a.family == AF_INET ? 32u : 128u))
		return pfail(c, "address", "\"%.64s\": must be one address (a /32 or /128)", s);
	ob->family = a.family;
	memcpy(ob->addr, a.addr, sizeof(ob->addr));
	e = puint(c, o, "port", true, 65535, &port);
	if (e)
		return e;
	ob->port = (uint16_t)port;
	e = pget(c, o, "auto_port", false, &v, &present);
	if (!e && present) {
		if (!json_object_is_type(v, json_type_boolean))
			return pfail(c, "auto_port", "must be true or false");
		k = json_object_get_boolean(v);
		if (k && ob->type == CRS_RULE_NETWORK && ob->direction != CRS_DIR_INBOUND)
			return pfail(c, "auto_port", "only inbound and listener observations have one");
		if (k)
			ob->flags |= CRS_OBS_F_AUTOPORT;
	}
	return e;
}

static int parse_syscall_fields(struct pctx *c, struct json_object *o, struct crs_observation *ob)
{
	struct json_object *v;
	const char *s;
	uint32_t nr64, nr32;
	uint64_t nr;
	bool present;
	int e;

	ob->arch = CRS_ARCH_X86_64;
	e = pstring(c, o, "arch", false, &s);
	if (e)
		return e;
	if (s && !strcmp(s, "ia32"))
		ob->arch = CRS_ARCH_IA32;
	else if (s && strcmp(s, "x86_64"))
		return pfail(c, "arch", "\"%.64s\": must be \"x86_64\" or \"ia32\"", s);
	e = pget(c, o, "syscall", true, &v, &present);
	if (e)
		return e;
	if (json_object_is_type(v, json_type_int)) {
		e = puint(c, o, "syscall", true, CRS_SYSCALL_NONE - 1, &nr);
		ob->syscall_nr = (uint32_t)nr;
		return e;
	}
	if (!json_object_is_type(v, json_type_string))
		return pfail(c, "syscall", "must be a system call name or number");
	s = json_object_get_string(v);
	if (crs_syscall_lookup(s, &nr64, &nr32))
		return pfail(c, "syscall", "unknown system call \"%.64s\"", s);
	ob->syscall_nr = ob->arch == CRS_ARCH_IA32 ? nr32 : nr64;
	if (ob->syscall_nr == CRS_SYSCALL_NONE)
		return pfail(c, "syscall", "\"%.64s\" does not exist on %s", s,
			     crs_arch_name(ob->arch));
	return 0;
}

static int parse_obs(struct pctx *c, struct json_object *o, struct crs_observation *ob)
{
	struct json_object *v;
	const char *s;
	bool present;
	int e, t;

	if (!json_object_is_type(o, json_type_object))
		return pfail(c, NULL, "must be an object");
	ob->pid_off = -1;
	e = pstring(c, o, "type", true, &s);
	if (e)
		return e;
	if (crs_rule_type_parse(s, (enum crs_rule_type *)&t))
		return pfail(c, "type", "unknown type \"%.64s\"", s);
	ob->type = t;
	e = pstring(c, o, "outcome", true, &s);
	if (!e)
		e = parse_outcome(c, s, &ob->outcome);
	if (e)
		return e;
	switch (ob->type) {
	case CRS_RULE_FILE:
	case CRS_RULE_EXECUTE:
		e = parse_path_fields(c, o, ob);
		break;
	case CRS_RULE_NETWORK:
	case CRS_RULE_LISTENER:
		e = parse_net_fields(c, o, ob);
		break;
	case CRS_RULE_SYSCALL:
		e = parse_syscall_fields(c, o, ob);
		break;
	default:
		return pfail(c, "type", "unknown type");
	}
	if (e)
		return e;
	/* program: null only for inbound packets, which have none */
	e = pget(c, o, "program", true, &v, &present);
	if (e)
		return e;
	if (ob->type == CRS_RULE_NETWORK && ob->direction == CRS_DIR_INBOUND) {
		if (v)
			return pfail(c, "program", "must be null on inbound observations");
		return 0;
	}
	e = pstring(c, o, "program", true, &s);
	if (e)
		return e;
	if (strlen(s) > CRS_PATTERN_MAX)
		return pfail(c, "program", "longer than %d bytes", CRS_PATTERN_MAX);
	ob->program = strdup(s);
	return ob->program ? 0 : crs_err_set(c->err, -ENOMEM, "out of memory");
}

static int parse_header(struct pctx *c, struct json_object *root, struct crs_learned *l)
{
	struct json_object *v;
	const char *s;
	uint64_t n;
	bool present;
	int e, st;

	e = puint(c, root, "version", true, UINT32_MAX, &n);
	if (e)
		return e;
	if (n != 1)
		return pfail(c, "version", "%llu: only version 1 is known", (unsigned long long)n);
	e = puint(c, root, "cgroup_id", false, UINT64_MAX, &l->cgroup_id);
	if (!e)
		e = puint(c, root, "epoch", false, UINT64_MAX, &l->info.epoch);
	if (!e)
		e = puint(c, root, "generation", false, UINT64_MAX, &l->info.generation);
	n = 0;
	if (!e)
		e = puint(c, root, "max", false, UINT32_MAX, &n);
	l->info.max = (uint32_t)n;
	n = 0;
	if (!e)
		e = puint(c, root, "records", false, UINT32_MAX, &n);
	l->info.records = (uint32_t)n;
	if (!e)
		e = pstring(c, root, "state", false, &s);
	if (e)
		return e;
	if (s) {
		for (st = 0; crs_learn_state_name(st); st++)
			if (!strcmp(s, crs_learn_state_name(st)))
				break;
		if (!crs_learn_state_name(st))
			return pfail(c, "state", "unknown state \"%.64s\"", s);
		l->info.state = st;
	}
	/* {"full": N, "long": M}, or crsd's single count */
	e = pget(c, root, "dropped", false, &v, &present);
	if (e || !present)
		return e;
	if (json_object_is_type(v, json_type_int))
		return puint(c, root, "dropped", true, UINT64_MAX, &l->info.dropped_full);
	if (!json_object_is_type(v, json_type_object))
		return pfail(c, "dropped", "must be an object {\"full\", \"long\"} or an integer");
	crs_path_push_key(c->path, sizeof(c->path), "dropped", 7);
	e = puint(c, v, "full", false, UINT64_MAX, &l->info.dropped_full);
	if (!e)
		e = puint(c, v, "long", false, UINT64_MAX, &l->info.dropped_long);
	c->path[0] = '\0';
	return e;
}

int crs_learned_parse(const char *json, size_t len, struct crs_learned **out,
		      struct crs_err *err)
{
	struct pctx c = { .err = err };
	struct json_object *root, *arr;
	struct crs_learned *l;
	size_t i, n;
	int e;

	crs_err_reset(err);
	if (!out)
		return crs_err_set(err, -EINVAL, "no output pointer");
	*out = NULL;
	e = crs_json_tokenize(json, len, &root, err);
	if (e)
		return e;
	l = calloc(1, sizeof(*l));
	if (!l) {
		json_object_put(root);
		return crs_err_set(err, -ENOMEM, "out of memory");
	}
	e = parse_header(&c, root, l);
	if (!e && !json_object_object_get_ex(root, "observations", &arr))
		e = pfail(&c, "observations", "missing required field");
	if (!e && !json_object_is_type(arr, json_type_array))
		e = pfail(&c, "observations", "must be an array");
	n = e ? 0 : json_object_array_length(arr);
	if (n) {
		l->obs = calloc(n, sizeof(*l->obs));
		if (!l->obs)
			e = crs_err_set(err, -ENOMEM, "out of memory");
		else
			l->cap = n;
	}
	for (i = 0; !e && i < n; i++) {
		struct crs_observation *ob = &l->obs[i];

		snprintf(c.path, sizeof(c.path), "observations[%zu]", i);
		ob->index = (uint32_t)i;
		l->n = i + 1;
		e = parse_obs(&c, json_object_array_get_idx(arr, i), ob);
	}
	json_object_put(root);
	if (e) {
		crs_learned_free(l);
		return e;
	}
	*out = l;
	return 0;
}

/* --------------------------------------------------------------- keys */

/*
 * "TYPE <object> <program>", each string length-prefixed ("12:/usr/bin/app")
 * so that no byte of a path can make two observations' keys equal; "-" for
 * no program.
 */
char *crs_obs_key(const struct crs_observation *o)
{
	const char *t = crs_rule_type_name(o->type), *prog = o->program;
	char obj[128], addr[64], *s = NULL;
	struct crs_net_addr a = { .family = o->family };
	int n = -1;

	if (!t)
		return NULL;
	switch (o->type) {
	case CRS_RULE_FILE:
	case CRS_RULE_EXECUTE:
		n = asprintf(&s, "%s %zu:%s %zu:%s", t, strlen(o->path ? o->path : ""),
			     o->path ? o->path : "", strlen(prog ? prog : ""), prog ? prog : "");
		break;
	case CRS_RULE_NETWORK:
	case CRS_RULE_LISTENER:
		if (o->family == AF_INET || o->family == AF_INET6) {
			a.prefix_len = o->family == AF_INET ? 32 : 128;
			memcpy(a.addr, o->addr, crs_net_addr_len(o->family));
			crs_net_addr_str(&a, addr, sizeof(addr));
		} else {
			snprintf(addr, sizeof(addr), "family%d", o->family);
		}
		snprintf(obj, sizeof(obj), "%s %s %s %u",
			 o->type != CRS_RULE_NETWORK ? "-" :
			 crs_direction_name(o->direction) ? crs_direction_name(o->direction) : "?",
			 crs_proto_name(o->protocol) ? crs_proto_name(o->protocol) : "?",
			 addr, o->port);
		goto prog;
	case CRS_RULE_SYSCALL:
		snprintf(obj, sizeof(obj), "%s %u",
			 crs_arch_name(o->arch) ? crs_arch_name(o->arch) : "?", o->syscall_nr);
prog:
		if (prog)
			n = asprintf(&s, "%s %s %zu:%s", t, obj, strlen(prog), prog);
		else
			n = asprintf(&s, "%s %s -", t, obj);
		break;
	default:
		break;
	}
	return n < 0 ? NULL : s;
}
