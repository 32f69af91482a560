// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Profiles to policies (docs/learning.md sections 4 and 5): decide each
 * observation against the target with crs_policy_match(), turn what the
 * target denies by default into exact allow rules, generalise them (G1 to
 * G5, I), append them to a copy of the target, validate, report, and check
 * the result with crs_template_verify() before handing it out.
 *
 * Decisions are per observation and access bit: a file observation with
 * read and write is two decisions, as the kernel checks an open for both.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <json-c/json.h>
#include "crsnl_int.h"

static const char *const gen_names[] = {
	[CRS_GEN_EXACT] = NULL, [CRS_GEN_G1] = "G1", [CRS_GEN_G2] = "G2", [CRS_GEN_G3] = "G3",
	[CRS_GEN_G4] = "G4", [CRS_GEN_G5] = "G5", [CRS_GEN_I] = "I",
};

const char *crs_gen_name(int gen)
{
	return gen >= 0 && gen < (int)CRS_ARRAY_SIZE(gen_names) ? gen_names[gen] : NULL;
}

/* ----------------------------------------------------------- rule helpers */

static char *xstrdup(const char *s, int *e)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*e = -ENOMEM;
	return d;
}

int crs_rule_copy(struct crs_policy_rule *dst, const struct crs_policy_rule *src)
{
	int e = 0;

	*dst = *src;
	dst->name = xstrdup(src->name, &e);
	dst->program = xstrdup(src->program, &e);
	dst->path = xstrdup(src->path, &e);
	dst->syscall = xstrdup(src->syscall, &e);
	if (e)
		crs_rule_free_strings(dst);
	return e;
}

/* crs_rule_equal(), and byte for byte: the resolved numbers, every address byte. */
bool crs_rule_same(const struct crs_policy_rule *a, const struct crs_policy_rule *b)
{
	return crs_rule_equal(a, b) && a->syscall_nr == b->syscall_nr &&
	       a->syscall_nr32 == b->syscall_nr32 &&
	       !memcmp(a->address.addr, b->address.addr, sizeof(a->address.addr));
}

/* The same rule but for the access bits (and the name). */
static bool rule_same_but_access(const struct crs_policy_rule *a, const struct crs_policy_rule *b)
{
	struct crs_policy_rule x = *a;

	x.access = b->access;
	x.name = b->name;
	return crs_rule_same(&x, b);
}

/* ------------------------------------------------------- exact rules */

/*
 * Why an observation has no rule, or NULL: the exact rule of section 5 would
 * match more than the observation, or is not a valid rule.
 */
const char *crs_obs_unrepresentable(const struct crs_observation *o)
{
	if (o->type != CRS_RULE_NETWORK || o->direction != CRS_DIR_INBOUND) {
		if (!o->program || !o->program[0])
			return "no program";
		if (crs_pattern_check(o->program, strlen(o->program), NULL) != CRS_PATTERN_EXACT)
			return "the program is not a literal path (a rule would read it as a pattern)";
	}
	switch (o->type) {
	case CRS_RULE_FILE:
	case CRS_RULE_EXECUTE:
		if (!o->path || !o->path[0])
			return o->type == CRS_RULE_EXECUTE ? "an execute of a file without a path (memfd)"
							   : "no path";
		if (crs_pattern_check(o->path, strlen(o->path), NULL) != CRS_PATTERN_EXACT)
			return "the path is not a literal path (a rule would read it as a pattern)";
		if (o->type == CRS_RULE_FILE &&
		    (!o->access || (o->access & ~(CRS_ACCESS_READ | CRS_ACCESS_WRITE))))
			return "no read or write access";
		return NULL;
	case CRS_RULE_NETWORK:
	case CRS_RULE_LISTENER:
		if (o->family != AF_INET && o->family != AF_INET6)
			return "no IPv4 or IPv6 address";
		if (o->protocol == CRS_PROTO_ANY || (unsigned int)o->protocol > CRS_PROTO_MAX)
			return "a protocol other than tcp, udp and icmp (\"any\" would allow every protocol)";
		if (o->type == CRS_RULE_LISTENER && o->protocol == CRS_PROTO_ICMP)
			return "an icmp listener";
		if (o->type == CRS_RULE_NETWORK && (unsigned int)o->direction > CRS_DIR_MAX)
			return "an unknown direction";
		return NULL;
	case CRS_RULE_SYSCALL:
		if ((o->arch != CRS_ARCH_X86_64 && o->arch != CRS_ARCH_IA32) ||
		    !crs_syscall_name(o->syscall_nr, o->arch))
			return "an unknown system call number";
		return NULL;
	default:
		return "an unknown type";
	}
}

/* The exact rule of one observation and access bit (section 5's table). */
int crs_obs_exact_rule(const struct crs_observation *o, uint32_t bit,
		       struct crs_policy_rule *r)
{
	const char *name;
	int e = 0;

	memset(r, 0, sizeof(*r));
	r->enabled = true;
	r->type = o->type;
	r->action = CRS_ACTION_ALLOW;
	r->syscall_nr = r->syscall_nr32 = CRS_SYSCALL_NONE;
	r->program = xstrdup(o->type == CRS_RULE_NETWORK && o->direction == CRS_DIR_INBOUND ?
			     "*" : o->program, &e);
	switch (o->type) {
	case CRS_RULE_FILE:
	case CRS_RULE_EXECUTE:
		r->path = xstrdup(o->path, &e);
		r->access = bit;
		break;
	case CRS_RULE_NETWORK:
	case CRS_RULE_LISTENER:
		r->direction = o->type == CRS_RULE_NETWORK ? o->direction : 0;
		r->protocol = o->protocol;
		r->port_max = 65535;
		r->address.family = o->family;
		r->address.prefix_len = o->family == AF_INET ? 32 : 128;
		memcpy(r->address.addr, o->addr, crs_net_addr_len(o->family));
		if (o->protocol != CRS_PROTO_ICMP)	/* icmp has no ports: "*" */
			r->port_min = r->port_max = o->port;
		break;
	case CRS_RULE_SYSCALL:
		name = crs_syscall_name(o->syscall_nr, o->arch);
		r->syscall = xstrdup(name, &e);
		if (!e && (!name || crs_syscall_lookup(name, &r->syscall_nr, &r->syscall_nr32)))
			e = -EINVAL;
		break;
	default:
		e = -EINVAL;
	}
	if (e)
		crs_rule_free_strings(r);
	return e;
}

/* ------------------------------------------------------------- state */

struct cand {
	struct crs_policy_rule rule;
	int gen;			/* CRS_GEN_* */
	struct crs_tsrc *src;
	size_t n_src, cap_src;
	bool dead;
};

struct build {
	const struct crs_learned *prof;
	const struct crs_template_opts *opts;
	uint32_t collapse_after;
	uint16_t lo, hi;
	struct crs_policy *target;	/* the base, then the result */
	size_t n_base;
	struct cand *c;
	size_t n, cap;
	struct json_object *conflicts, *denied_only, *unrepresentable, *skipped;
	size_t covered, default_allowed, n_conflicts;
	int e;
};

/*
 * Each (observation, bit) starts in one candidate and only ever moves from
 * one to another (merges, G4, the G5 fallback), so the sources of live
 * candidates never repeat and need no search here.
 */
static int add_src(struct cand *c, struct crs_tsrc s)
{
	if (c->n_src == c->cap_src) {
		size_t cap = c->cap_src ? 2 * c->cap_src : 2;
		struct crs_tsrc *n = realloc(c->src, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		c->src = n;
		c->cap_src = cap;
	}
	c->src[c->n_src++] = s;
	return 0;
}

static struct cand *new_cand(struct build *b)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		struct cand *n = realloc(b->c, cap * sizeof(*n));

		if (!n)
			return NULL;
		b->c = n;
		b->cap = cap;
	}
	memset(&b->c[b->n], 0, sizeof(b->c[b->n]));
	return &b->c[b->n++];
}

static void free_cands(struct cand *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		crs_rule_free_strings(&c[i].rule);
		free(c[i].src);
	}
	free(c);
}

static int jappend(struct json_object *a, struct json_object *v)
{
	if (!v || json_object_array_add(a, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* An observation narrowed to one access bit, as JSON. */
static struct json_object *obs_bit_json(const struct crs_observation *o, uint32_t bit)
{
	struct crs_observation x = *o;

	if (bit)
		x.access = bit;
	return crs_obs_json(&x);
}

/* ---------------------------------------------------- the target policy */

/* Type k's choice: type_defaults[k] over defaults; AUTO: deny new, keep on merge. */
static enum crs_template_defaults type_default(const struct crs_template_opts *o, int k)
{
	enum crs_template_defaults d = o->type_defaults[k] ? o->type_defaults[k] : o->defaults;

	if (d == CRS_TEMPLATE_DEFAULTS_AUTO)
		d = o->merge ? CRS_TEMPLATE_DEFAULTS_KEEP : CRS_TEMPLATE_DEFAULTS_DENY;
	return d;
}

/* Type k's default in the template: deny, or kept (the merge policy's; new: allow). */
static enum crs_action target_default(const struct crs_template_opts *o, int k)
{
	if (type_default(o, k) == CRS_TEMPLATE_DEFAULTS_DENY)
		return CRS_ACTION_DENY;
	return o->merge ? o->merge->defaults[k] : CRS_ACTION_ALLOW;
}

static int make_target(struct build *b, struct crs_err *err)
{
	const struct crs_template_opts *o = b->opts;
	struct crs_policy *t = calloc(1, sizeof(*t));
	size_t i;
	int e = 0, k;

	if (!t)
		return -ENOMEM;
	b->target = t;
	if (o->merge) {
		t->name = xstrdup(o->merge->name, &e);
		t->description = xstrdup(o->merge->description, &e);
		t->mode = o->merge->mode;
		t->learning = o->merge->learning;
		memcpy(t->defaults, o->merge->defaults, sizeof(t->defaults));
		if (o->merge->n_ignored_syscalls) {
			t->ignored_syscalls = calloc(o->merge->n_ignored_syscalls, sizeof(char *));
			if (!t->ignored_syscalls)
				return -ENOMEM;
			t->n_ignored_syscalls = o->merge->n_ignored_syscalls;
			for (i = 0; i < t->n_ignored_syscalls; i++)
				t->ignored_syscalls[i] = xstrdup(o->merge->ignored_syscalls[i], &e);
		}
		if (o->merge->n_rules) {
			t->rules = calloc(o->merge->n_rules, sizeof(*t->rules));
			if (!t->rules)
				return -ENOMEM;
			for (i = 0; !e && i < o->merge->n_rules; i++) {
				e = crs_rule_copy(&t->rules[i], &o->merge->rules[i]);
				if (!e)
					t->n_rules = i + 1;
			}
		}
	} else {
		t->name = xstrdup(o->name ? o->name : "learned", &e);
		t->mode = CRS_MODE_MONITOR;
	}
	/* before any decision: each observation meets its type's default */
	for (k = 0; k <= CRS_RULE_TYPE_MAX; k++)
		t->defaults[k] = target_default(o, k);
	if (o->mode >= 0)
		t->mode = o->mode;
	b->n_base = t->n_rules;
	if (e)
		return e;
	return crs_policy_validate(t, err) ? -EINVAL : 0;
}

/* -------------------------------------------------------- decisions */

static int decide_all(struct build *b)
{
	const struct crs_learned *l = b->prof;
	size_t i, k;
	int e = 0;

	for (i = 0; !e && i < l->n; i++) {
		const struct crs_observation *o = &l->obs[i];
		uint32_t bits[2], nb = 0;
		const char *why = crs_obs_unrepresentable(o);
		struct json_object *j;

		if (why) {
			j = json_object_new_object();
			if (!j)
				return -ENOMEM;
			e = crs_json_add(j, "observation", crs_obs_json(o));
			e = e ? e : crs_json_add(j, "reason", json_object_new_string(why));
			e = e ? e : jappend(b->unrepresentable, json_object_get(j));
			json_object_put(j);
			continue;
		}
		if (!(o->outcome & CRS_OBS_ALLOWED) && !b->opts->include_denied) {
			e = jappend(b->denied_only, crs_obs_json(o));
			continue;
		}
		if (o->type == CRS_RULE_FILE) {
			if (o->access & CRS_ACCESS_READ)
				bits[nb++] = CRS_ACCESS_READ;
			if (o->access & CRS_ACCESS_WRITE)
				bits[nb++] = CRS_ACCESS_WRITE;
		} else {
			bits[nb++] = o->type == CRS_RULE_EXECUTE ? CRS_ACCESS_EXEC : 0;
		}
		for (k = 0; !e && k < nb; k++) {
			struct crs_observation one = *o;
			enum crs_action act;
			struct cand *c;
			int r;

			if (bits[k])
				one.access = bits[k];
			r = crs_policy_match(b->target, &one, &act);
			if (r >= 0 && act == CRS_ACTION_ALLOW) {
				b->covered++;
			} else if (r >= 0) {
				const struct crs_policy_rule *dr = &b->target->rules[r];

				j = json_object_new_object();
				if (!j)
					return -ENOMEM;
				e = crs_json_add(j, "observation", obs_bit_json(o, bits[k]));
				e = e ? e : crs_json_add(j, "rule_index", json_object_new_int(r));
				if (!e && json_object_object_add(j, "rule_name", dr->name ?
							json_object_new_string(dr->name) : NULL))
					e = -ENOMEM;
				e = e ? e : jappend(b->conflicts, json_object_get(j));
				json_object_put(j);
				b->n_conflicts++;
			} else if (act == CRS_ACTION_ALLOW) {
				b->default_allowed++;
			} else {
				c = new_cand(b);
				if (!c)
					return -ENOMEM;
				e = crs_obs_exact_rule(o, bits[k], &c->rule);
				if (e) {
					b->n--;
					return e;
				}
				e = add_src(c, (struct crs_tsrc){ (uint32_t)i, bits[k] });
			}
		}
	}
	return e;
}

/* ------------------------------------------------------- generalisation */

/* The literal part of a path pattern: up to its first '*' ("" for "*"). */
static size_t literal_len(const char *p)
{
	const char *s = strchr(p, '*');

	return s ? (size_t)(s - p) : strlen(p);
}

/*
 * Does rule r (an allow about to be added) overlap an enabled deny rule of
 * the target? Conservative (section 4): same type (and direction); paths:
 * one literal prefix is a prefix of the other's; network: the address
 * ranges nest, the port ranges intersect, the protocols can meet.
 */
static int overlapping_deny(const struct crs_policy *t, size_t n_base,
			    const struct crs_policy_rule *r)
{
	size_t i, la, lb;

	for (i = 0; i < n_base; i++) {
		const struct crs_policy_rule *d = &t->rules[i];

		if (!d->enabled || d->action != CRS_ACTION_DENY || d->type != r->type)
			continue;
		switch (r->type) {
		case CRS_RULE_FILE:
		case CRS_RULE_EXECUTE:
			if (!d->path)
				continue;
			la = literal_len(r->path);
			lb = literal_len(d->path);
			if (!strncmp(r->path, d->path, la < lb ? la : lb))
				return (int)i;
			break;
		case CRS_RULE_NETWORK:
		case CRS_RULE_LISTENER: {
			const struct crs_net_addr *x = &r->address, *y = &d->address;
			uint32_t pl;
			bool nest;

			if (r->type == CRS_RULE_NETWORK && d->direction != r->direction)
				continue;
			if (d->protocol != CRS_PROTO_ANY && r->protocol != CRS_PROTO_ANY &&
			    d->protocol != r->protocol)
				continue;
			if (d->port_max < r->port_min || r->port_max < d->port_min)
				continue;
			if (!x->family || !y->family) {
				nest = true;
			} else if (x->family != y->family) {
				nest = false;
			} else {
				pl = x->prefix_len < y->prefix_len ? x->prefix_len : y->prefix_len;
				nest = true;
				{
					uint32_t bits = pl, k;

					for (k = 0; bits >= 8; k++, bits -= 8)
						if (x->addr[k] != y->addr[k])
							nest = false;
					if (nest && bits &&
					    ((x->addr[k] ^ y->addr[k]) & (uint8_t)(0xff << (8 - bits))))
						nest = false;
				}
			}
			if (nest)
				return (int)i;
			break;
		}
		default:
			break;
		}
	}
	return -1;
}

static int note_skip(struct build *b, const char *gen, const struct crs_policy_rule *would,
		     const char *reason)
{
	struct json_object *j = json_object_new_object();
	int e;

	if (!j)
		return -ENOMEM;
	e = crs_json_add(j, "generalisation", json_object_new_string(gen));
	e = e ? e : crs_json_add(j, "rule", crs_rule_json(would));
	e = e ? e : crs_json_add(j, "reason", json_object_new_string(reason));
	e = e ? e : jappend(b->skipped, json_object_get(j));
	json_object_put(j);
	return e;
}

/* Replace c's path or port by the generalised one unless a deny overlaps. */
static int try_rewrite(struct build *b, struct cand *c, int gen, char *path, bool ports)
{
	struct crs_policy_rule w = c->rule;
	char why[96];
	int d;

	if (path) {
		w.path = path;
		if (gen == CRS_GEN_G5)
			w.program = "*";
	}
	if (ports) {
		w.port_min = b->lo;
		w.port_max = b->hi;
	}
	d = overlapping_deny(b->target, b->n_base, &w);
	if (d >= 0) {
		snprintf(why, sizeof(why), "overlaps deny rule %d; kept exact", d);
		d = note_skip(b, crs_gen_name(gen), &w, why);
		free(path);
		return d;
	}
	if (path) {
		free(c->rule.path);
		c->rule.path = path;
		if (gen == CRS_GEN_G5) {
			char *star = strdup("*");

			if (!star)
				return -ENOMEM;
			free(c->rule.program);
			c->rule.program = star;
		}
	}
	c->rule.port_min = w.port_min;
	c->rule.port_max = w.port_max;
	c->gen = gen;
	return 0;
}

static int gen_each(struct build *b)
{
	size_t i;
	int e = 0;

	for (i = 0; !e && i < b->n; i++) {
		struct cand *c = &b->c[i];
		const struct crs_observation *o = &b->prof->obs[c->src[0].obs];
		unsigned int did;
		char *p;

		if (o->type == CRS_RULE_FILE && o->access == CRS_ACCESS_READ &&
		    (p = crs_gen_lib(o->path)) != NULL) {
			e = try_rewrite(b, c, CRS_GEN_G5, p, false);
			continue;
		}
		if (o->type == CRS_RULE_FILE || o->type == CRS_RULE_EXECUTE) {
			p = crs_gen_path(o->path, o->type == CRS_RULE_FILE ? o->pid_off : -1, &did);
			if (!p)
				return -ENOMEM;
			if (!did) {
				free(p);
				continue;
			}
			e = try_rewrite(b, c, did & (1u << 2) ? CRS_GEN_G2 : CRS_GEN_G1, p, false);
			continue;
		}
		if (!(o->flags & CRS_OBS_F_AUTOPORT) || o->protocol == CRS_PROTO_ICMP ||
		    !(o->type == CRS_RULE_LISTENER ||
		      (o->type == CRS_RULE_NETWORK && o->direction == CRS_DIR_INBOUND)))
			continue;
		if (o->port < b->lo || o->port > b->hi) {
			/* a range without the port seen would not even cover it */
			struct crs_policy_rule w = c->rule;
			char why[96];

			w.port_min = b->lo;
			w.port_max = b->hi;
			snprintf(why, sizeof(why), "port %u is outside the ephemeral range; kept exact",
				 o->port);
			e = note_skip(b, "G3", &w, why);
			continue;
		}
		e = try_rewrite(b, c, CRS_GEN_G3, NULL, true);
	}
	return e;
}

/* ------------------------------------------------------------------ G4 */

struct item {
	char *path;		/* a rule path, or a collapsed directory D */
	size_t *cands;		/* indexes into b->c */
	size_t n;
	bool collapsed, dead;
};

static int cmp_depth_desc(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	size_t da = 0, db = 0;

	for (; *a; a++)
		da += *a == '/';
	for (; *b; b++)
		db += *b == '/';
	if (da != db)
		return da > db ? -1 : 1;
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The name of the component of p right below directory d (p under d). */
static size_t child_name(const char *p, size_t dlen, const char **name)
{
	const char *s = p + dlen + 1, *e = strchr(s, '/');

	*name = s;
	return e ? (size_t)(e - s) : strlen(s);
}

static bool under(const char *p, const char *d, size_t dlen)
{
	return !strncmp(p, d, dlen) && p[dlen] == '/';
}

/* G4 for the candidates idx[0..n) (one program, one access bit). */
static int collapse_group(struct build *b, size_t *idx, size_t n)
{
	struct item *it = calloc(n, sizeof(*it));
	char **dirs = NULL, **names = NULL;
	size_t nd = 0, capd = 0, i, k, ni = n, m;
	int e = 0;

	if (!it)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		it[i].path = b->c[idx[i]].rule.path;	/* borrowed */
		it[i].cands = malloc(sizeof(size_t));
		if (!it[i].cands) {
			e = -ENOMEM;
			goto out;
		}
		it[i].cands[0] = idx[i];
		it[i].n = 1;
	}
	/* candidate directories: proper ancestors with >= 2 components, no '*' */
	for (i = 0; i < n; i++) {
		const char *p = it[i].path;
		size_t len, comps = 0;

		for (len = 1; p[len]; len++) {
			if (p[len] != '/')
				continue;
			if (++comps < 2)
				continue;
			if (memchr(p, '*', len))
				break;
			if (nd == capd) {
				char **nn = realloc(dirs, (capd = capd ? 2 * capd : 64) * sizeof(*nn));

				if (!nn) {
					e = -ENOMEM;
					goto out;
				}
				dirs = nn;
			}
			dirs[nd] = strndup(p, len);
			if (!dirs[nd++]) {
				e = -ENOMEM;
				goto out;
			}
		}
	}
	if (!nd)
		goto out;
	qsort(dirs, nd, sizeof(*dirs), cmp_depth_desc);
	names = malloc(ni * sizeof(*names));
	if (!names) {
		e = -ENOMEM;
		goto out;
	}
	for (k = 0; k < nd; k++) {
		const char *d = dirs[k], *nm;
		size_t dlen = strlen(d), nn = 0, distinct = 0, first = SIZE_MAX;
		struct crs_policy_rule w;
		char *pat;
		int dr;

		if (k && !strcmp(d, dirs[k - 1]))
			continue;
		for (i = 0; i < ni; i++) {
			size_t l;

			if (it[i].dead || !under(it[i].path, d, dlen))
				continue;
			l = child_name(it[i].path, dlen, &nm);
			names[nn] = strndup(nm, l);
			if (!names[nn++]) {
				e = -ENOMEM;
				goto names_out;
			}
		}
		qsort(names, nn, sizeof(*names), cmp_str);
		for (i = 0; i < nn; i++)
			distinct += !i || strcmp(names[i], names[i - 1]);
		if (distinct <= b->collapse_after)
			goto names_out;
		if (asprintf(&pat, "%s/**", d) < 0) {
			e = -ENOMEM;
			goto names_out;
		}
		w = b->c[idx[0]].rule;
		w.path = pat;
		dr = overlapping_deny(b->target, b->n_base, &w);
		if (dr >= 0) {
			char why[96];

			snprintf(why, sizeof(why), "overlaps deny rule %d; kept the rules below it", dr);
			e = note_skip(b, "G4", &w, why);
			free(pat);
			goto names_out;
		}
		free(pat);
		/* merge every item at or under d into one */
		for (i = 0; i < ni; i++) {
			if (it[i].dead || (!under(it[i].path, d, dlen) && strcmp(it[i].path, d)))
				continue;
			if (first == SIZE_MAX) {
				first = i;
				continue;
			}
			{
				size_t *nc = realloc(it[first].cands,
						     (it[first].n + it[i].n) * sizeof(size_t));

				if (!nc) {
					e = -ENOMEM;
					goto names_out;
				}
				it[first].cands = nc;
				memcpy(nc + it[first].n, it[i].cands, it[i].n * sizeof(size_t));
				it[first].n += it[i].n;
				it[i].dead = true;
			}
		}
		it[first].path = dirs[k];	/* borrowed from dirs */
		it[first].collapsed = true;
names_out:
		for (m = 0; m < nn; m++)
			free(names[m]);
		if (e)
			goto out;
	}
	/* each collapsed item becomes one G4 rule; its candidates die */
	for (i = 0; !e && i < ni; i++) {
		struct cand *c;
		char *pat;

		if (it[i].dead || !it[i].collapsed)
			continue;
		if (asprintf(&pat, "%s/**", it[i].path) < 0)
			e = -ENOMEM;
		c = e ? NULL : new_cand(b);
		if (!c) {
			free(pat);
			e = -ENOMEM;
			break;
		}
		e = crs_rule_copy(&c->rule, &b->c[it[i].cands[0]].rule);
		if (e) {
			free(pat);
			b->n--;
			break;
		}
		free(c->rule.path);
		c->rule.path = pat;
		c->gen = CRS_GEN_G4;
		for (k = 0; !e && k < it[i].n; k++) {
			struct cand *s = &b->c[it[i].cands[k]];

			for (m = 0; !e && m < s->n_src; m++)
				e = add_src(c, s->src[m]);
			s->dead = true;
		}
	}
out:
	for (i = 0; i < n; i++)
		free(it[i].cands);
	free(it);
	for (i = 0; i < nd; i++)
		free(dirs[i]);
	free(dirs);
	free(names);
	return e;
}

static int group_cmp(const void *x, const void *y, void *arg)
{
	const struct cand *base = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	const struct crs_policy_rule *p = &base[a].rule, *q = &base[b].rule;
	int c = strcmp(p->program, q->program);

	if (!c && p->access != q->access)
		c = p->access < q->access ? -1 : 1;
	return c ? c : a < b ? -1 : a > b;
}

/* G4 per (program, access bit): the file rules not made by G5. */
static int gen_collapse(struct build *b)
{
	size_t n0 = b->n, n = 0, i, j;
	size_t *idx = malloc((n0 ? n0 : 1) * sizeof(size_t));
	int e = 0;

	if (!idx)
		return -ENOMEM;
	for (i = 0; i < n0; i++)
		if (!b->c[i].dead && b->c[i].rule.type == CRS_RULE_FILE && b->c[i].gen != CRS_GEN_G5)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), group_cmp, b->c);
	for (i = 0; !e && i < n; i = j) {
		const struct crs_policy_rule *r = &b->c[idx[i]].rule;

		for (j = i + 1; j < n; j++) {
			const struct crs_policy_rule *q = &b->c[idx[j]].rule;

			if (q->access != r->access || strcmp(q->program, r->program))
				break;
		}
		/* collapse_group appends candidates: b->c may move, idx stays valid */
		if (j - i > b->collapse_after)
			e = collapse_group(b, idx + i, j - i);
	}
	free(idx);
	return e;
}

/* ------------------------------------------------------------------- I */

static int gen_ignored(struct build *b, struct crs_policy *with)
{
	struct crs_policy *t = b->target;
	size_t i;
	int e = 0;

	if (t->defaults[CRS_RULE_SYSCALL] != CRS_ACTION_DENY)
		return 0;
	for (i = 0; !e && i < t->n_ignored_syscalls; i++) {
		struct crs_observation o = { .type = CRS_RULE_SYSCALL, .program = "" };
		uint32_t n64, n32;
		enum crs_action act;
		struct cand *c;

		if (crs_syscall_lookup(t->ignored_syscalls[i], &n64, &n32))
			continue;
		o.arch = n64 != CRS_SYSCALL_NONE ? CRS_ARCH_X86_64 : CRS_ARCH_IA32;
		o.syscall_nr = n64 != CRS_SYSCALL_NONE ? n64 : n32;
		/* allowed already for any program (the unnamed program "") */
		crs_policy_match(with, &o, &act);
		if (act == CRS_ACTION_ALLOW)
			continue;
		c = new_cand(b);
		if (!c)
			return -ENOMEM;
		c->gen = CRS_GEN_I;
		c->rule.enabled = true;
		c->rule.type = CRS_RULE_SYSCALL;
		c->rule.action = CRS_ACTION_ALLOW;
		c->rule.program = xstrdup("*", &e);
		c->rule.syscall = xstrdup(t->ignored_syscalls[i], &e);
		c->rule.syscall_nr = n64;
		c->rule.syscall_nr32 = n32;
	}
	return e;
}

/* --------------------------------------------------------------- result */

static int scmp(const char *a, const char *b)
{
	if (!a || !b)
		return a ? 1 : b ? -1 : 0;
	return strcmp(a, b);
}

#define CMP(x, y) do { if ((x) != (y)) return (x) < (y) ? -1 : 1; } while (0)

/* An order on candidates: equal = the same rule but for access and name. */
static int cand_cmp(const struct cand *x, const struct cand *y)
{
	const struct crs_policy_rule *a = &x->rule, *b = &y->rule;
	size_t i;
	int c;

	CMP(x->gen, y->gen);
	CMP(a->type, b->type);
	CMP(a->action, b->action);
	CMP(a->enabled, b->enabled);
	if ((c = scmp(a->program, b->program)) || (c = scmp(a->path, b->path)) ||
	    (c = scmp(a->syscall, b->syscall)))
		return c;
	CMP(a->syscall_nr, b->syscall_nr);
	CMP(a->syscall_nr32, b->syscall_nr32);
	CMP(a->n_args, b->n_args);
	for (i = 0; i < a->n_args && i < CRS_MAX_ARGS; i++) {
		CMP(a->args[i].index, b->args[i].index);
		CMP(a->args[i].op, b->args[i].op);
		CMP(a->args[i].value, b->args[i].value);
	}
	CMP(a->direction, b->direction);
	CMP(a->protocol, b->protocol);
	CMP(a->address.family, b->address.family);
	CMP(a->address.prefix_len, b->address.prefix_len);
	if ((c = memcmp(a->address.addr, b->address.addr, sizeof(a->address.addr))))
		return c;
	CMP(a->port_min, b->port_min);
	CMP(a->port_max, b->port_max);
	return 0;
}

/* qsort_r() comparators: arg is the candidate array (no global: crsd builds in threads). */
static int idx_cmp(const void *x, const void *y, void *arg)
{
	const struct cand *base = arg;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = cand_cmp(&base[a], &base[b]);

	return c ? c : a < b ? -1 : a > b;
}

/* Identical rules (but for access) of the same rewrite merge into the first. */
static int merge_identical(struct build *b)
{
	size_t *idx = malloc((b->n ? b->n : 1) * sizeof(size_t)), n = 0, i, j, k;
	int e = 0;

	if (!idx)
		return -ENOMEM;
	for (i = 0; i < b->n; i++)
		if (!b->c[i].dead)
			idx[n++] = i;
	qsort_r(idx, n, sizeof(*idx), idx_cmp, b->c);
	for (i = 0; !e && i < n; i = j) {
		struct cand *x = &b->c[idx[i]];

		for (j = i + 1; !e && j < n && !cand_cmp(x, &b->c[idx[j]]); j++) {
			struct cand *y = &b->c[idx[j]];

			x->rule.access |= y->rule.access;
			for (k = 0; !e && k < y->n_src; k++)
				e = add_src(x, y->src[k]);
			y->dead = true;
		}
	}
	free(idx);
	return e;
}

static size_t count_globs(const struct crs_policy *p, size_t from, const struct build *b)
{
	size_t i, n = 0;

	for (i = 0; i < from; i++)
		if (p->rules[i].path &&
		    crs_pattern_check(p->rules[i].path, strlen(p->rules[i].path), NULL) ==
		    CRS_PATTERN_GLOB)
			n++;
	for (i = 0; b && i < b->n; i++)
		if (!b->c[i].dead && b->c[i].rule.path &&
		    crs_pattern_check(b->c[i].rule.path, strlen(b->c[i].rule.path), NULL) ==
		    CRS_PATTERN_GLOB)
			n++;
	return n;
}

/* Past the glob limit, G5 rules fall back to their exact rules. */
static int glob_fallback(struct build *b)
{
	size_t i, k, n0 = b->n;
	int e = 0;

	if (count_globs(b->target, b->n_base, b) <= CRS_MAX_GLOB_RULES)
		return 0;
	for (i = 0; !e && i < n0; i++) {
		struct cand *c = &b->c[i];

		if (c->dead || c->gen != CRS_GEN_G5 ||
		    crs_pattern_check(c->rule.path, strlen(c->rule.path), NULL) != CRS_PATTERN_GLOB)
			continue;
		e = note_skip(b, "G5", &c->rule, "more than 1024 glob rules; exact paths instead");
		for (k = 0; !e && k < c->n_src; k++) {
			struct cand *x = new_cand(b);

			c = &b->c[i];	/* new_cand may move the array */
			if (!x)
				return -ENOMEM;
			e = crs_obs_exact_rule(&b->prof->obs[c->src[k].obs], c->src[k].bit, &x->rule);
			if (e) {
				b->n--;
				return e;
			}
			e = add_src(x, c->src[k]);
		}
		b->c[i].dead = true;
	}
	return e ? e : merge_identical(b);
}

struct order {
	uint32_t first;		/* the rule's first observation; I rules last */
	size_t idx;
};

static int order_cmp(const void *x, const void *y)
{
	const struct order *a = x, *b = y;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* New rules in the order of their first observation, then I rules. */
static int append_rules(struct build *b, struct crs_tmeta **meta, size_t *n_meta)
{
	struct crs_policy *t = b->target;
	size_t i, j, n = 0;
	struct crs_policy_rule *nr;
	struct order *ord;

	for (i = 0; i < b->n; i++)
		n += !b->c[i].dead;
	ord = calloc(n ? n : 1, sizeof(*ord));
	if (!ord)
		return -ENOMEM;
	for (i = 0, n = 0; i < b->n; i++) {
		if (b->c[i].dead)
			continue;
		ord[n].idx = i;
		ord[n].first = UINT32_MAX;
		for (j = 0; j < b->c[i].n_src; j++)
			if (b->c[i].src[j].obs < ord[n].first)
				ord[n].first = b->c[i].src[j].obs;
		n++;
	}
	qsort(ord, n, sizeof(*ord), order_cmp);
	*meta = calloc(n ? n : 1, sizeof(**meta));
	nr = *meta ? realloc(t->rules, (t->n_rules + n + 1) * sizeof(*nr)) : NULL;
	if (!nr) {
		free(ord);
		return -ENOMEM;
	}
	t->rules = nr;
	for (j = 0; j < n; j++) {
		struct cand *c = &b->c[ord[j].idx];
		struct crs_tmeta *m;
		char *name;

		name = strdup("learned");
		if (!name) {
			free(ord);
			return -ENOMEM;
		}
		free(c->rule.name);
		c->rule.name = name;
		m = &(*meta)[(*n_meta)++];
		m->index = t->n_rules;
		m->gen = c->gen;
		m->src = c->src;
		m->n_src = c->n_src;
		c->src = NULL;
		t->rules[t->n_rules++] = c->rule;
		memset(&c->rule, 0, sizeof(c->rule));
		c->dead = true;
	}
	free(ord);
	return 0;
}

/* ---------------------------------------------------------- the report */

static int add_count(struct json_object *r, const char *k, uint64_t v)
{
	return crs_json_add(r, k, json_object_new_uint64(v));
}

static int u32_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

static char *report_json(struct build *b, const struct crs_tmeta *meta, size_t n_meta,
			 bool incomplete, uint64_t dropped)
{
	struct json_object *r = json_object_new_object(), *added = json_object_new_array();
	size_t i, k, n_obs;
	char *s = NULL;
	int e = 0;

	if (!r || !added) {
		json_object_put(r);
		json_object_put(added);
		return NULL;
	}
	e |= crs_json_add(r, "incomplete", json_object_new_boolean(incomplete));
	e |= add_count(r, "dropped", dropped);
	e |= crs_json_add(r, "added", added);
	for (i = 0; !e && i < n_meta; i++) {
		const struct crs_tmeta *m = &meta[i];
		struct json_object *a = json_object_new_object(), *from = json_object_new_array();
		const char *g = crs_gen_name(m->gen);

		if (!a || !from) {
			json_object_put(a);
			json_object_put(from);
			e = -ENOMEM;
			break;
		}
		/* distinct observations among the (observation, bit) sources */
		uint32_t *ids = malloc((m->n_src ? m->n_src : 1) * sizeof(*ids));

		if (!ids)
			e = -ENOMEM;
		for (k = 0; ids && k < m->n_src; k++)
			ids[k] = m->src[k].obs;
		if (ids)
			qsort(ids, m->n_src, sizeof(*ids), u32_cmp);
		for (n_obs = 0, k = 0; ids && k < m->n_src; k++) {
			if (k && ids[k] == ids[k - 1])
				continue;
			if (n_obs < 8)
				e |= jappend(from, obs_bit_json(&b->prof->obs[ids[k]], 0));
			n_obs++;
		}
		free(ids);
		e |= crs_json_add(a, "index", json_object_new_uint64(m->index));
		e |= crs_json_add(a, "rule", crs_rule_json(&b->target->rules[m->index]));
		e |= add_count(a, "observations", n_obs);
		if (json_object_object_add(a, "generalisation", g ? json_object_new_string(g) : NULL))
			e = -ENOMEM;
		e |= crs_json_add(a, "from", from);
		e |= jappend(added, a);
	}
	e |= add_count(r, "covered", b->covered);
	e |= add_count(r, "default_allowed", b->default_allowed);
	e |= crs_json_add(r, "conflicts", json_object_get(b->conflicts));
	e |= crs_json_add(r, "denied_only", json_object_get(b->denied_only));
	e |= crs_json_add(r, "unrepresentable", json_object_get(b->unrepresentable));
	e |= crs_json_add(r, "generalisations_skipped", json_object_get(b->skipped));
	if (!e)
		s = crs_json_string(r, false);
	json_object_put(r);
	return s;
}

/* ---------------------------------------------------------------- API */

struct tpriv {
	struct crs_template pub;
	struct crs_tmeta *meta;
	size_t n_meta;
	size_t n_base;
};

void crs_template_free(struct crs_template *t)
{
	struct tpriv *p = (struct tpriv *)t;
	size_t i;

	if (!t)
		return;
	crs_policy_free(t->policy);
	free(t->report);
	for (i = 0; i < p->n_meta; i++)
		free(p->meta[i].src);
	free(p->meta);
	free(p);
}

struct crs_tmeta *crs_template_meta(struct crs_template *t, size_t *n)
{
	struct tpriv *p = (struct tpriv *)t;

	*n = p->n_meta;
	return p->meta;
}

static int check_opts(const struct crs_template_opts *o, struct crs_err *err)
{
	int k;

	if (o->mode >= 0 && o->mode != CRS_MODE_ENFORCE && o->mode != CRS_MODE_MONITOR &&
	    o->mode != CRS_MODE_DISABLED)
		return crs_err_set(err, -EINVAL, "mode: must be \"enforce\", \"monitor\" or \"disabled\"");
	if ((unsigned int)o->defaults > CRS_TEMPLATE_DEFAULTS_KEEP)
		return crs_err_set(err, -EINVAL, "defaults: must be \"deny\" or \"keep\"");
	for (k = 0; k <= CRS_RULE_TYPE_MAX; k++)
		if ((unsigned int)o->type_defaults[k] > CRS_TEMPLATE_DEFAULTS_KEEP)
			return crs_err_set(err, -EINVAL, "defaults.%s: must be \"deny\" or \"keep\"",
					   crs_rule_type_name(k));
	if (o->ephemeral_lo > o->ephemeral_hi)
		return crs_err_set(err, -EINVAL, "ephemeral_ports: empty range %u-%u",
				   o->ephemeral_lo, o->ephemeral_hi);
	if (o->merge && o->name)
		return crs_err_set(err, -EINVAL, "name: only for a new policy (a merge keeps its name)");
	return 0;
}

int crs_template_build(const struct crs_learned *profile, const struct crs_template_opts *opts,
		       struct crs_template **out, struct crs_err *err)
{
	struct crs_template_opts defopts = { .mode = -1 };
	struct build b = { 0 };
	struct tpriv *tp = NULL;
	struct crs_tmeta *meta = NULL;
	size_t n_meta = 0, i;
	int e;

	crs_err_reset(err);
	if (!out || !profile)
		return crs_err_set(err, -EINVAL, "no profile");
	*out = NULL;
	if (!opts)
		opts = &defopts;
	e = check_opts(opts, err);
	if (e)
		return e;
	b.prof = profile;
	b.opts = opts;
	b.collapse_after = opts->collapse_after ? opts->collapse_after : 16;
	b.lo = opts->ephemeral_lo || opts->ephemeral_hi ? opts->ephemeral_lo : 32768;
	b.hi = opts->ephemeral_lo || opts->ephemeral_hi ? opts->ephemeral_hi : 60999;
	b.conflicts = json_object_new_array();
	b.denied_only = json_object_new_array();
	b.unrepresentable = json_object_new_array();
	b.skipped = json_object_new_array();
	if (!b.conflicts || !b.denied_only || !b.unrepresentable || !b.skipped) {
		e = -ENOMEM;
		goto out;
	}
	e = make_target(&b, err);
	if (e == -EINVAL) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		e = crs_err_set(err, -EINVAL, "%s: %s", opts->merge ? "merge policy" : "name", msg);
		goto out;
	}
	if (!e)
		e = decide_all(&b);
	if (!e && !opts->exact)
		e = gen_each(&b);
	if (!e && !opts->exact)
		e = gen_collapse(&b);
	if (!e)
		e = merge_identical(&b);
	if (!e && !opts->exact) {
		/* I sees the policy as it will be: the target and the new rules */
		struct crs_policy with = *b.target;
		struct crs_policy_rule *all = calloc(b.target->n_rules + b.n + 1, sizeof(*all));
		size_t n = b.target->n_rules;

		if (!all) {
			e = -ENOMEM;
			goto out;
		}
		if (b.target->n_rules)
			memcpy(all, b.target->rules, b.target->n_rules * sizeof(*all));
		for (i = 0; i < b.n; i++)
			if (!b.c[i].dead)
				all[n++] = b.c[i].rule;
		with.rules = all;
		with.n_rules = n;
		e = gen_ignored(&b, &with);
		free(all);
	}
	if (!e)
		e = glob_fallback(&b);
	if (!e)
		e = append_rules(&b, &meta, &n_meta);
	if (e)
		goto out;
	if (crs_policy_validate(b.target, err)) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		e = crs_err_set(err, -EINVAL, "the template is not a valid policy: %s", msg);
		goto out;
	}
	tp = calloc(1, sizeof(*tp));
	if (!tp) {
		e = -ENOMEM;
		goto out;
	}
	tp->pub.dropped = profile->info.dropped_full + profile->info.dropped_long;
	tp->pub.incomplete = tp->pub.dropped > 0;
	tp->pub.n_covered = b.covered;
	tp->pub.n_default_allowed = b.default_allowed;
	tp->pub.n_conflicts = b.n_conflicts;
	tp->pub.n_added = n_meta;
	for (i = 0; i < n_meta; i++)
		tp->pub.n_generalised += meta[i].gen != CRS_GEN_EXACT;
	tp->pub.report = report_json(&b, meta, n_meta, tp->pub.incomplete, tp->pub.dropped);
	tp->pub.policy = b.target;
	tp->meta = meta;
	tp->n_meta = n_meta;
	tp->n_base = b.n_base;
	b.target = NULL;
	meta = NULL;
	if (!tp->pub.report) {
		e = -ENOMEM;
		goto out;
	}
	e = crs_template_verify(profile, opts, &tp->pub, err);
	if (e)
		goto out;
	*out = &tp->pub;
	tp = NULL;
out:
	if (e == -ENOMEM)
		crs_err_set(err, e, "out of memory");
	crs_template_free(tp ? &tp->pub : NULL);
	for (i = 0; meta && i < n_meta; i++)
		free(meta[i].src);
	free(meta);
	crs_policy_free(b.target);
	free_cands(b.c, b.n);
	json_object_put(b.conflicts);
	json_object_put(b.denied_only);
	json_object_put(b.unrepresentable);
	json_object_put(b.skipped);
	return e;
}

/* ---------------------------------------------------------- verification */

__attribute__((format(printf, 3, 4)))
static int vfail(struct crs_err *err, size_t idx, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return crs_err_set(err, -EPROTO, "template verification failed: rules[%zu]: %s", idx, msg);
}

/*
 * Distinct names right below d among the sources carrying bit, as observed.
 * The build counted the names of the rules (after G1/G2, or the observed
 * path where a deny kept one exact), which are never more than these: so
 * this never refuses a collapse the build could make, and a rule whose
 * sources do not even name more than N children of d fails.
 */
static int g4_count(const struct crs_learned *prof, const struct crs_tmeta *m, uint32_t bit,
		    const char *d, size_t *count)
{
	size_t dlen = strlen(d), k, j, n = 0;
	char **names = calloc(m->n_src + 1, sizeof(char *));
	int e = 0;

	if (!names)
		return -ENOMEM;
	for (k = 0; !e && k < m->n_src; k++) {
		const struct crs_observation *o = &prof->obs[m->src[k].obs];
		const char *nm;
		size_t l;

		if (m->src[k].bit != bit || !under(o->path, d, dlen))
			continue;
		l = child_name(o->path, dlen, &nm);
		names[n] = strndup(nm, l);
		if (!names[n++])
			e = -ENOMEM;
	}
	qsort(names, n, sizeof(*names), cmp_str);
	for (*count = 0, j = 0; j < n; j++)
		*count += !j || strcmp(names[j], names[j - 1]);
	for (j = 0; j < n; j++)
		free(names[j]);
	free(names);
	return e;
}

static int verify_rule(const struct crs_learned *prof, const struct crs_template_opts *opts,
		       const struct crs_policy *p, const struct crs_policy *base,
		       const struct crs_tmeta *m, uint32_t collapse_after, uint16_t lo,
		       uint16_t hi, struct crs_err *err)
{
	const struct crs_policy_rule *r = &p->rules[m->index];
	struct crs_pat pat;
	uint32_t acc = 0;
	size_t k, i, comps;
	int e = 0;

	if (!r->enabled || r->action != CRS_ACTION_ALLOW || !r->name ||
	    strcmp(r->name, "learned") || r->n_args)
		return vfail(err, m->index, "not an enabled allow rule named \"learned\" without args");
	if (m->gen == CRS_GEN_I) {
		if (m->n_src || r->type != CRS_RULE_SYSCALL || strcmp(r->program, "*") ||
		    p->defaults[CRS_RULE_SYSCALL] != CRS_ACTION_DENY)
			return vfail(err, m->index, "I: not a program \"*\" rule of an allowlist");
		for (i = 0; i < p->n_ignored_syscalls; i++)
			if (!strcmp(p->ignored_syscalls[i], r->syscall))
				return 0;
		return vfail(err, m->index, "I: \"%s\" is not in ignored_syscalls", r->syscall);
	}
	if (!m->n_src)
		return vfail(err, m->index, "no source observation");
	if ((r->path && crs_pat_compile(r->path, &pat)) ||
	    (m->gen == CRS_GEN_G4 && (r->type != CRS_RULE_FILE ||
				       strlen(r->path) < 4 ||
				       strcmp(r->path + strlen(r->path) - 3, "/**"))))
		return vfail(err, m->index, "G4: not a file rule ending in /**");
	for (k = 0; k < m->n_src; k++) {
		const struct crs_observation *o;
		struct crs_observation one;
		struct crs_policy_rule x;
		enum crs_action act;
		unsigned int did;
		char *q;
		bool ok = true;

		if (m->src[k].obs >= prof->n)
			return vfail(err, m->index, "source %u is not in the profile", m->src[k].obs);
		o = &prof->obs[m->src[k].obs];
		one = *o;
		if (m->src[k].bit)
			one.access = m->src[k].bit;
		if (crs_obs_unrepresentable(o))
			return vfail(err, m->index, "source %u has no rule", m->src[k].obs);
		if (!(o->outcome & CRS_OBS_ALLOWED) && !opts->include_denied)
			return vfail(err, m->index, "source %u was only denied", m->src[k].obs);
		if (crs_policy_match(base, &one, &act) != -1 || act != CRS_ACTION_DENY)
			return vfail(err, m->index, "source %u is not denied by a default of the target",
				     m->src[k].obs);
		acc |= m->src[k].bit;
		if (r->type != o->type)
			return vfail(err, m->index, "source %u has another type", m->src[k].obs);
		if (r->path && !crs_pat_match(&pat, o->path, strlen(o->path)))
			return vfail(err, m->index, "does not match source %u's path", m->src[k].obs);
		if ((r->type == CRS_RULE_NETWORK || r->type == CRS_RULE_LISTENER) &&
		    (o->port < r->port_min || o->port > r->port_max))
			return vfail(err, m->index, "does not match source %u's port", m->src[k].obs);
		e = crs_obs_exact_rule(o, m->src[k].bit, &x);
		if (e)
			return e == -ENOMEM ? e : vfail(err, m->index, "source %u: no exact rule",
							m->src[k].obs);
		switch (m->gen) {
		case CRS_GEN_EXACT:
			ok = rule_same_but_access(&x, r);
			break;
		case CRS_GEN_G1:
		case CRS_GEN_G2:
			q = crs_gen_path(o->path, o->type == CRS_RULE_FILE ? o->pid_off : -1, &did);
			if (!q) {
				e = -ENOMEM;
				break;
			}
			ok = !strcmp(q, r->path) &&
			     (m->gen == CRS_GEN_G2 ? !!(did & 4) : did == 2);
			free(x.path);
			x.path = q;
			ok = ok && rule_same_but_access(&x, r);
			break;
		case CRS_GEN_G3:
			ok = (o->flags & CRS_OBS_F_AUTOPORT) &&
			     (o->type == CRS_RULE_LISTENER || o->direction == CRS_DIR_INBOUND) &&
			     r->port_min == lo && r->port_max == hi;
			x.port_min = lo;
			x.port_max = hi;
			ok = ok && rule_same_but_access(&x, r);
			break;
		case CRS_GEN_G4:
			ok = !strcmp(x.program, r->program) && o->type == CRS_RULE_FILE;
			break;
		case CRS_GEN_G5:
			q = crs_gen_lib(o->path);
			ok = q && !strcmp(q, r->path) && o->access == CRS_ACCESS_READ &&
			     !strcmp(r->program, "*") && r->access == CRS_ACCESS_READ &&
			     !strncmp(o->path, r->path, literal_len(r->path));
			free(q);
			break;
		default:
			ok = false;
		}
		crs_rule_free_strings(&x);
		if (e)
			return e;
		if (!ok)
			return vfail(err, m->index, "%s does not follow from source %u",
				     crs_gen_name(m->gen) ? crs_gen_name(m->gen) : "the exact rule",
				     m->src[k].obs);
	}
	if (acc != r->access && !(r->type != CRS_RULE_FILE && r->type != CRS_RULE_EXECUTE))
		return vfail(err, m->index, "access is not that of its sources");
	if (m->gen == CRS_GEN_G4) {
		char *d = strndup(r->path, strlen(r->path) - 3);
		static const uint32_t bits[] = { CRS_ACCESS_READ, CRS_ACCESS_WRITE };
		size_t count;

		if (!d)
			return -ENOMEM;
		for (comps = 0, i = 0; d[i]; i++)
			comps += d[i] == '/';
		if (comps < 2 || strchr(d, '*')) {
			free(d);
			return vfail(err, m->index, "G4: the directory has fewer than two components "
				     "or a pattern");
		}
		for (i = 0; !e && i < CRS_ARRAY_SIZE(bits); i++) {
			if (!(r->access & bits[i]))
				continue;
			e = g4_count(prof, m, bits[i], d, &count);
			if (!e && count <= collapse_after)
				e = vfail(err, m->index, "G4: %zu names below %s, not more than %u",
					  count, d, collapse_after);
		}
		free(d);
	}
	return e;
}

int crs_template_verify(const struct crs_learned *prof, const struct crs_template_opts *opts,
			const struct crs_template *t, struct crs_err *err)
{
	struct crs_template_opts defopts = { .mode = -1 };
	const struct crs_policy *merge, *p;
	struct crs_policy base;
	struct tpriv *tp = (struct tpriv *)t;
	uint32_t collapse_after;
	uint16_t lo, hi;
	size_t i, n_base;
	int k, e, mode;

	if (!opts)
		opts = &defopts;
	merge = opts->merge;
	p = t->policy;
	collapse_after = opts->collapse_after ? opts->collapse_after : 16;
	lo = opts->ephemeral_lo || opts->ephemeral_hi ? opts->ephemeral_lo : 32768;
	hi = opts->ephemeral_lo || opts->ephemeral_hi ? opts->ephemeral_hi : 60999;
	if (crs_policy_validate(p, err)) {
		char msg[sizeof(err->msg)];

		snprintf(msg, sizeof(msg), "%s", err->msg);
		return crs_err_set(err, -EPROTO, "template verification failed: %s", msg);
	}
	n_base = merge ? merge->n_rules : 0;
	if (p->n_rules < n_base || tp->n_meta != p->n_rules - n_base)
		return crs_err_set(err, -EPROTO, "template verification failed: %zu rules, "
				   "%zu existing and %zu added", p->n_rules, n_base, tp->n_meta);
	for (i = 0; i < n_base; i++)
		if (!crs_rule_same(&p->rules[i], &merge->rules[i]))
			return vfail(err, i, "an existing rule changed");
	/* per type: deny where chosen, else the merge policy's (new: allow) */
	for (k = 0; k <= CRS_RULE_TYPE_MAX; k++)
		if (p->defaults[k] != target_default(opts, k))
			return crs_err_set(err, -EPROTO, "template verification failed: "
					   "default_actions.%s moved to %s", crs_rule_type_name(k),
					   crs_action_name(p->defaults[k]));
	mode = opts->mode >= 0 ? opts->mode : merge ? (int)merge->mode : CRS_MODE_MONITOR;
	if ((int)p->mode != mode)
		return crs_err_set(err, -EPROTO, "template verification failed: mode is %s",
				   crs_mode_name(p->mode));
	if (merge && !crs_policy_equal(&(struct crs_policy){ .name = p->name,
			.description = p->description, .mode = merge->mode, .learning = p->learning,
			.ignored_syscalls = p->ignored_syscalls,
			.n_ignored_syscalls = p->n_ignored_syscalls },
			&(struct crs_policy){ .name = merge->name, .description = merge->description,
			.mode = merge->mode, .learning = merge->learning,
			.ignored_syscalls = merge->ignored_syscalls,
			.n_ignored_syscalls = merge->n_ignored_syscalls }))
		return crs_err_set(err, -EPROTO, "template verification failed: the merge "
				   "policy's name, description, learning or ignored_syscalls changed");
	base = *p;
	base.n_rules = n_base;
	for (i = 0; i < tp->n_meta; i++) {
		if (tp->meta[i].index != n_base + i)
			return vfail(err, n_base + i, "no record of how it was made");
		e = verify_rule(prof, opts, p, &base, &tp->meta[i], collapse_after, lo, hi, err);
		if (e)
			return e;
	}
	return 0;
}
