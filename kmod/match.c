// SPDX-License-Identifier: GPL-2.0
/*
 * Path patterns: validation at table build time, matching in hooks.
 * Matching never allocates and is linear in the path for exact and subtree
 * patterns; globs backtrack only within one component.
 */
#include <linux/kernel.h>
#include <linux/string.h>
#include <net/netlink.h>
#include <uapi/linux/crs.h>
#include "compat/compat.h"
#include "match.h"

/**
 * crs_hash - FNV-1a hash of a byte string, as used by the table indexes
 * @s: bytes
 * @len: number of bytes
 */
u32 crs_hash(const char *s, size_t len)
{
	u32 h = CRS_HASH_INIT;
	size_t i;

	for (i = 0; i < len; i++)
		h = crs_hash_step(h, s[i]);
	return crs_hash_final(h);
}

static int bad(const struct nlattr *attr, struct netlink_ext_ack *extack,
	       const char *s, const char *why)
{
	NL_SET_BAD_ATTR(extack, attr);
	NL_SET_ERR_MSG_FMT_MOD(extack, "bad pattern \"%.64s\": %s", s, why);
	return -EINVAL;
}

/**
 * crs_pattern_parse - validate and classify a pattern
 * @p: filled in; @p->str points into @s, which must outlive @p
 * @s: NUL-terminated pattern, at most CRS_PATTERN_MAX bytes
 * @attr: attribute reported on error
 * @extack: error message
 *
 * Grammar (docs/policy.md): "*" or "/\*\*" (any); an absolute path of
 * components separated by single '/', none of them "." or "..", '*'
 * matching within a component, and "**" allowed only as the last
 * component. A pattern whose only '*' is a trailing "/\*\*" is a subtree.
 *
 * Return: 0 or -EINVAL with @extack set.
 */
int crs_pattern_parse(struct crs_pattern *p, const char *s,
		      const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	size_t len = strlen(s), i, comp;
	struct crs_pat_class c;

	memset(p, 0, sizeof(*p));
	p->str = s;
	if (len > CRS_PATTERN_MAX)
		return bad(attr, extack, s, "too long");
	if (!strcmp(s, "*") || !strcmp(s, "/**")) {
		p->kind = CRS_PAT_ANY;
		return 0;
	}
	if (s[0] != '/')
		return bad(attr, extack, s, "must be absolute (start with '/') or be \"*\"");
	if (len > 1 && s[len - 1] == '/')
		return bad(attr, extack, s, "trailing '/'");

	/* Walk components: s[comp..i) between slashes. */
	for (comp = 1, i = 1; i <= len; i++) {
		size_t clen;

		if (i < len && s[i] != '/')
			continue;
		clen = i - comp;
		if (clen == 0 && len > 1)
			return bad(attr, extack, s, "empty component (\"//\")");
		if ((clen == 1 && s[comp] == '.') ||
		    (clen == 2 && s[comp] == '.' && s[comp + 1] == '.'))
			return bad(attr, extack, s, "\".\" and \"..\" components are not allowed");
		if (clen == 2 && s[comp] == '*' && s[comp + 1] == '*') {
			if (i != len)
				return bad(attr, extack, s, "\"**\" is only allowed as the last component");
		} else if (strnstr(s + comp, "**", clen)) {
			return bad(attr, extack, s, "\"**\" must be a whole component");
		}
		comp = i + 1;
	}

	c = crs_patcore_classify(s, len);
	p->kind = c.kind;
	p->len = c.len;
	p->weight = c.weight;
	p->tail_any = c.tail_any;
	if (c.kind == CRS_PAT_EXACT || c.kind == CRS_PAT_SUBTREE)
		p->hash = crs_hash(s, p->len);
	return 0;
}

/**
 * crs_pattern_match - does @s (length @len, absolute path) match @p?
 * @p: compiled pattern
 * @s: path, need not be NUL-terminated
 * @len: bytes in @s
 */
bool crs_pattern_match(const struct crs_pattern *p, const char *s, size_t len)
{
	return crs_patcore_match(p->kind, p->str, p->len, p->tail_any, s, len);
}

/**
 * crs_pattern_cmp - order two patterns by specificity
 * @a: pattern
 * @b: pattern
 *
 * Return: >0 if @a is more specific than @b, <0 if less, 0 if equal.
 */
int crs_pattern_cmp(const struct crs_pattern *a, const struct crs_pattern *b)
{
	return crs_patcore_cmp(a->kind, a->weight, b->kind, b->weight);
}
