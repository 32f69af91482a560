// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * crs_policy_match(): the kernel's rule precedence (docs/policy.md "Which
 * rule decides") in userspace, for templates (docs/learning.md section 4).
 * Patterns are the kernel's own code (kmod/pattern_core.h, which
 * kmod/match.c includes too); the rest mirrors kmod/table.c (crs_table_match,
 * crs_table_match_syscall), kmod/nettable.c (crs_net_match) and the
 * allowlist's always-allowed calls of kmod/syscall.c. What it cannot mirror
 * is said where it happens: an observation has no syscall arguments.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include "crsnl_int.h"
#include "../kmod/pattern_core.h"

/* ------------------------------------------------------------ patterns */

/*
 * The kernel's own classification, matching and order (kmod/pattern_core.h,
 * shared with kmod/match.c); only validation is crs_pattern_check()'s.
 */
_Static_assert((int)CRS_PATTERN_ANY == CRS_PAT_ANY && (int)CRS_PATTERN_GLOB == CRS_PAT_GLOB &&
	       (int)CRS_PATTERN_SUBTREE == CRS_PAT_SUBTREE &&
	       (int)CRS_PATTERN_EXACT == CRS_PAT_EXACT,
	       "enum crs_pattern_kind is the kernel's enum crs_pat_kind");

int crs_pat_compile(const char *s, struct crs_pat *p)
{
	size_t len = strlen(s);
	int kind = crs_pattern_check(s, len, NULL);
	struct crs_pat_class c;

	memset(p, 0, sizeof(*p));
	p->str = s;
	if (kind < 0)
		return kind;
	if (kind == CRS_PATTERN_ANY) {
		p->kind = CRS_PATTERN_ANY;
		return 0;
	}
	c = crs_patcore_classify(s, len);
	p->kind = c.kind;
	p->len = c.len;
	p->weight = c.weight;
	p->tail_any = c.tail_any;
	return 0;
}

bool crs_pat_match(const struct crs_pat *p, const char *s, size_t len)
{
	return crs_patcore_match(p->kind, p->str, p->len, p->tail_any, s, len);
}

/* >0: a is more specific */
static int pat_cmp(const struct crs_pat *a, const struct crs_pat *b)
{
	return crs_patcore_cmp(a->kind, a->weight, b->kind, b->weight);
}

/* ---------------------------------------------------------- file, exec */

/*
 * crs_table_match() for one access bit. The kernel probes exact rules, then
 * subtrees longest prefix first, then globs, then "*", and within a stage
 * keeps the best by object weight, program specificity, then deny; since
 * the stages are the kinds in order of specificity, the best rule over all
 * stages by (object kind, object weight, program, deny) is the same rule.
 * Ties beyond that keep the lowest index, as the kernel does (consider()
 * in kmod/table.c), whatever order its indexes meet the rules in.
 */
static int match_path(const struct crs_policy *p, enum crs_rule_type type, uint32_t bit,
		      const char *obj, const char *prog)
{
	size_t olen = obj ? strlen(obj) : 0, plen = prog ? strlen(prog) : 0;
	struct crs_pat best_obj = { 0 }, best_prog = { 0 }, ro, rp;
	int best = -1;
	size_t i;

	for (i = 0; i < p->n_rules; i++) {
		const struct crs_policy_rule *r = &p->rules[i];
		int c;

		if (!r->enabled || r->type != type || !(r->access & bit) || !r->path)
			continue;
		if (crs_pat_compile(r->path, &ro) ||
		    crs_pat_compile(r->program ? r->program : "*", &rp))
			continue;	/* not a valid rule: the kernel never has it */
		/* an object without a name (a memfd): only "*" rules apply */
		if (olen ? !crs_pat_match(&ro, obj, olen) : ro.kind != CRS_PATTERN_ANY)
			continue;
		if (!crs_pat_match(&rp, prog ? prog : "", plen))
			continue;
		if (best >= 0) {
			c = pat_cmp(&ro, &best_obj);
			if (!c)
				c = pat_cmp(&rp, &best_prog);
			if (!(c > 0 || (!c && r->action == CRS_ACTION_DENY &&
					p->rules[best].action != CRS_ACTION_DENY)))
				continue;
		}
		best = (int)i;
		best_obj = ro;
		best_prog = rp;
	}
	return best;
}

/* ------------------------------------------------------------- network */

static bool in_prefix(const struct crs_net_addr *a, int family, const uint8_t *addr)
{
	uint32_t bits = a->prefix_len, i;

	if (!a->family)
		return true;
	if (a->family != family)
		return false;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (a->addr[i] != addr[i])
			return false;
	return !bits || !((a->addr[i] ^ addr[i]) & (uint8_t)(0xff << (8 - bits)));
}

/*
 * crs_net_match(): among the enabled rules of the kind (and direction) that
 * apply to the family, contain the address, the port, the protocol (a rule's
 * "any" matches every protocol; an observation's "any", some other protocol,
 * only "any" rules) and the program (inbound: none, so only "*"), the first
 * in nettable.c's entry_cmp order: longest prefix, narrowest port range,
 * most specific program, named protocol, deny, lowest index.
 */
static int match_net(const struct crs_policy *p, const struct crs_observation *o)
{
	const char *prog = o->program;
	struct crs_pat rp, bp = { 0 };
	int best = -1;
	size_t i;

	for (i = 0; i < p->n_rules; i++) {
		const struct crs_policy_rule *r = &p->rules[i], *b;
		uint32_t pl, bpl, w, bw;
		int c;

		if (!r->enabled || r->type != o->type)
			continue;
		if (o->type == CRS_RULE_NETWORK && r->direction != o->direction)
			continue;
		if (!in_prefix(&r->address, o->family, o->addr))
			continue;
		if (r->protocol != CRS_PROTO_ANY && r->protocol != o->protocol)
			continue;
		if (o->port < r->port_min || o->port > r->port_max)
			continue;
		if (crs_pat_compile(r->program ? r->program : "*", &rp))
			continue;
		if (rp.kind != CRS_PATTERN_ANY &&
		    (!prog || !crs_pat_match(&rp, prog, strlen(prog))))
			continue;
		if (best >= 0) {
			b = &p->rules[best];
			pl = r->address.family ? r->address.prefix_len : 0;
			bpl = b->address.family ? b->address.prefix_len : 0;
			w = r->port_max - r->port_min;
			bw = b->port_max - b->port_min;
			if (pl != bpl)
				c = pl > bpl ? 1 : -1;
			else if (w != bw)
				c = w < bw ? 1 : -1;
			else if ((c = pat_cmp(&rp, &bp)) != 0)
				;
			else if ((r->protocol == CRS_PROTO_ANY) != (b->protocol == CRS_PROTO_ANY))
				c = r->protocol == CRS_PROTO_ANY ? -1 : 1;
			else
				c = r->action == CRS_ACTION_DENY && b->action != CRS_ACTION_DENY;
			if (c <= 0)
				continue;
		}
		best = (int)i;
		bp = rp;
	}
	return best;
}

/* ------------------------------------------------------------- syscalls */

/* kmod/syscall.c always_allowed(): an allowlist never refuses these. */
static bool always_allowed(enum crs_arch arch, uint32_t nr)
{
	static const char *const names[] = { "exit", "exit_group", "rt_sigreturn",
					     "sigreturn", "restart_syscall" };
	uint32_t n64, n32;
	size_t i;

	for (i = 0; i < CRS_ARRAY_SIZE(names); i++) {
		if (crs_syscall_lookup(names[i], &n64, &n32))
			continue;
		if ((arch == CRS_ARCH_IA32 ? n32 : n64) == nr && nr != CRS_SYSCALL_NONE)
			return true;
	}
	return false;
}

/*
 * crs_table_match_syscall() with the arguments unknown: an observation
 * records the call, not its argument registers. As the kernel does for ia32
 * socketcall, a rule with matchers then applies only if it denies (fail
 * closed): a learned call is never taken as covered by a conditional
 * allow, and a conditional deny makes it a conflict. This is the one place
 * the userspace decision can differ from the kernel's for a given call.
 */
static int match_syscall(const struct crs_policy *p, const struct crs_observation *o)
{
	const char *prog = o->program ? o->program : "";
	struct crs_pat rp, bp = { 0 };
	int best = -1;
	size_t i;

	for (i = 0; i < p->n_rules; i++) {
		const struct crs_policy_rule *r = &p->rules[i], *b;
		uint32_t nr = o->arch == CRS_ARCH_IA32 ? r->syscall_nr32 : r->syscall_nr;
		int c;

		if (!r->enabled || r->type != CRS_RULE_SYSCALL || nr == CRS_SYSCALL_NONE ||
		    nr != o->syscall_nr)
			continue;
		if (crs_pat_compile(r->program ? r->program : "*", &rp) ||
		    !crs_pat_match(&rp, prog, strlen(prog)))
			continue;
		if (r->n_args && r->action != CRS_ACTION_DENY)
			continue;
		if (best >= 0) {
			b = &p->rules[best];
			c = pat_cmp(&rp, &bp);
			if (!c)
				c = (int)r->n_args - (int)b->n_args;
			if (!(c > 0 || (!c && r->action == CRS_ACTION_DENY &&
					b->action != CRS_ACTION_DENY)))
				continue;
		}
		best = (int)i;
		bp = rp;
	}
	return best;
}

/* ---------------------------------------------------------------- API */

static int decide(const struct crs_policy *p, const struct crs_observation *o, uint32_t bit,
		  enum crs_action *action)
{
	int r = -1;

	switch (o->type) {
	case CRS_RULE_FILE:
	case CRS_RULE_EXECUTE:
		r = match_path(p, o->type, bit, o->path, o->program);
		break;
	case CRS_RULE_NETWORK:
	case CRS_RULE_LISTENER:
		r = match_net(p, o);
		break;
	case CRS_RULE_SYSCALL:
		if (p->defaults[CRS_RULE_SYSCALL] == CRS_ACTION_DENY &&
		    always_allowed(o->arch, o->syscall_nr)) {
			*action = CRS_ACTION_ALLOW;
			return -1;
		}
		r = match_syscall(p, o);
		break;
	default:
		break;
	}
	*action = r >= 0 ? p->rules[r].action : p->defaults[o->type];
	return r;
}

/*
 * A file observation with read and write is decided per bit, as the kernel
 * checks an open for both: the first denied bit decides (its rule or the
 * default); else the first rule that allowed a bit, or the default when no
 * rule did (kmod/hooks.c decide(), checked against it by
 * selftests/learn_match_test.c).
 */
int crs_policy_match(const struct crs_policy *p, const struct crs_observation *o,
		     enum crs_action *action)
{
	static const uint32_t bits[] = { CRS_ACCESS_READ, CRS_ACCESS_WRITE };
	enum crs_action a, first_a = CRS_ACTION_ALLOW;
	int r, first = -2;
	size_t i;

	if (!p || !o || !action || (unsigned int)o->type > CRS_RULE_TYPE_MAX)
		return -EINVAL;
	if (o->type != CRS_RULE_FILE)
		return decide(p, o, o->type == CRS_RULE_EXECUTE ? CRS_ACCESS_EXEC : 0, action);
	for (i = 0; i < CRS_ARRAY_SIZE(bits); i++) {
		if (!(o->access & bits[i]))
			continue;
		r = decide(p, o, bits[i], &a);
		if (a == CRS_ACTION_DENY) {
			*action = a;
			return r;
		}
		if (first == -2 || (first == -1 && r >= 0)) {
			first = r;
			first_a = a;
		}
	}
	if (first == -2)	/* no access bit: nothing to decide, the default */
		first = decide(p, o, 0, &first_a);
	*action = first_a;
	return first;
}
