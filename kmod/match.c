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
	unsigned int stars = 0, literal = 0;

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

	for (i = 0; i < len; i++) {
		if (s[i] == '*')
			stars++;
		else
			literal++;
	}
	p->tail_any = len >= 3 && !strcmp(s + len - 3, "/**");
	if (!stars) {
		p->kind = CRS_PAT_EXACT;
		p->len = len;
		p->weight = len;
		p->hash = crs_hash(s, len);
	} else if (p->tail_any && stars == 2) {
		p->kind = CRS_PAT_SUBTREE;
		p->len = len - 3;	/* "/a/\*\*" -> "/a" */
		p->weight = p->len;
		p->hash = crs_hash(s, p->len);
		p->tail_any = false;
	} else {
		p->kind = CRS_PAT_GLOB;
		p->len = p->tail_any ? len - 3 : len;
		p->weight = literal;
	}
	return 0;
}

/* '*' matches any run of non-'/' bytes; everything else matches itself. */
static bool glob_match(const char *p, size_t plen, const char *s, size_t slen)
{
	size_t pi = 0, si = 0, star_p = SIZE_MAX, star_s = 0;

	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			star_p = pi++;
			star_s = si;
		} else if (pi < plen && p[pi] == s[si]) {
			pi++;
			si++;
		} else if (star_p != SIZE_MAX && s[star_s] != '/') {
			pi = star_p + 1;
			si = ++star_s;
		} else {
			return false;
		}
	}
	while (pi < plen && p[pi] == '*')
		pi++;
	return pi == plen;
}

/**
 * crs_pattern_match - does @s (length @len, absolute path) match @p?
 * @p: compiled pattern
 * @s: path, need not be NUL-terminated
 * @len: bytes in @s
 */
bool crs_pattern_match(const struct crs_pattern *p, const char *s, size_t len)
{
	size_t i, slashes, cut;

	switch (p->kind) {
	case CRS_PAT_ANY:
		return true;
	case CRS_PAT_EXACT:
		return len == p->len && !memcmp(s, p->str, len);
	case CRS_PAT_SUBTREE:
		if (p->len == 0)
			return true;
		return len >= p->len && !memcmp(s, p->str, p->len) &&
		       (len == p->len || s[p->len] == '/');
	case CRS_PAT_GLOB:
		if (!p->tail_any)
			return glob_match(p->str, p->len, s, len);
		/*
		 * "head/\*\*": '*' never crosses '/', so head can only match the
		 * prefix of @s with as many components as head has.
		 */
		for (slashes = 0, i = 0; i < p->len; i++)
			slashes += p->str[i] == '/';
		for (cut = 0; cut < len; cut++)
			if (s[cut] == '/' && slashes-- == 0)
				break;
		return glob_match(p->str, p->len, s, cut);
	}
	return false;
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
	if (a->kind != b->kind)
		return a->kind > b->kind ? 1 : -1;
	if (a->weight != b->weight)
		return a->weight > b->weight ? 1 : -1;
	return 0;
}
