/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * The pure part of path patterns, one source for crs.ko (kmod/match.c) and
 * libcrsnl's userspace matcher (libcrsnl/match.c), which must decide exactly
 * as the kernel does: the classification of a validated pattern, the glob
 * matcher, matching and the specificity order. No includes: the includer
 * provides size_t and bool; memcmp is the compiler's builtin.
 */
#ifndef CRS_PATTERN_CORE_H
#define CRS_PATTERN_CORE_H

/* Pattern kinds, in increasing order of specificity. */
enum crs_pat_kind {
	CRS_PAT_ANY,		/* "\*" or "/\*\*" */
	CRS_PAT_GLOB,		/* '*' within components, optional trailing "/\*\*" */
	CRS_PAT_SUBTREE,	/* literal "dir/\*\*": dir itself and below */
	CRS_PAT_EXACT,		/* literal path */
};

/* A classified pattern: what matching and ordering need besides the string. */
struct crs_pat_class {
	unsigned int kind;	/* enum crs_pat_kind */
	size_t len;		/* bytes compared: SUBTREE the prefix, a "/\*\*" GLOB its head */
	size_t weight;		/* tie-break within a kind: EXACT, SUBTREE len; GLOB literal bytes */
	bool tail_any;		/* GLOB ends in "/\*\*" */
};

/*
 * Classify @s (@len bytes), a pattern already validated and not "*" or
 * "/\*\*" (those are CRS_PAT_ANY). A pattern whose only '*' is a trailing
 * "/\*\*" is a subtree.
 */
static inline struct crs_pat_class crs_patcore_classify(const char *s, size_t len)
{
	struct crs_pat_class c = { 0 };
	size_t stars = 0, literal = 0, i;

	for (i = 0; i < len; i++) {
		if (s[i] == '*')
			stars++;
		else
			literal++;
	}
	c.tail_any = len >= 3 && !__builtin_memcmp(s + len - 3, "/**", 3);
	if (!stars) {
		c.kind = CRS_PAT_EXACT;
		c.len = c.weight = len;
	} else if (c.tail_any && stars == 2) {
		c.kind = CRS_PAT_SUBTREE;
		c.len = c.weight = len - 3;	/* "/a/\*\*" -> "/a" */
		c.tail_any = false;
	} else {
		c.kind = CRS_PAT_GLOB;
		c.len = c.tail_any ? len - 3 : len;
		c.weight = literal;
	}
	return c;
}

/* '*' matches any run of non-'/' bytes; everything else matches itself. */
static inline bool crs_patcore_glob(const char *p, size_t plen, const char *s, size_t slen)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;

	while (si < slen) {
		if (pi < plen && p[pi] == '*') {
			star_p = pi++;
			star_s = si;
		} else if (pi < plen && p[pi] == s[si]) {
			pi++;
			si++;
		} else if (star_p != (size_t)-1 && s[star_s] != '/') {
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

/*
 * Does @s (@len bytes, need not be NUL-terminated) match the pattern of
 * kind @kind whose compared bytes are @str[0..@plen)?
 */
static inline bool crs_patcore_match(unsigned int kind, const char *str, size_t plen,
				     bool tail_any, const char *s, size_t len)
{
	size_t i, slashes, cut;

	switch (kind) {
	case CRS_PAT_ANY:
		return true;
	case CRS_PAT_EXACT:
		return len == plen && !__builtin_memcmp(s, str, len);
	case CRS_PAT_SUBTREE:
		if (plen == 0)
			return true;
		return len >= plen && !__builtin_memcmp(s, str, plen) &&
		       (len == plen || s[plen] == '/');
	case CRS_PAT_GLOB:
		if (!tail_any)
			return crs_patcore_glob(str, plen, s, len);
		/*
		 * "head/\*\*": '*' never crosses '/', so head can only match the
		 * prefix of @s with as many components as head has.
		 */
		for (slashes = 0, i = 0; i < plen; i++)
			slashes += str[i] == '/';
		for (cut = 0; cut < len; cut++)
			if (s[cut] == '/' && slashes-- == 0)
				break;
		return crs_patcore_glob(str, plen, s, cut);
	}
	return false;
}

/* >0 if (kind @ka, weight @wa) is more specific than (@kb, @wb), <0 if less, 0 if equal. */
static inline int crs_patcore_cmp(unsigned int ka, size_t wa, unsigned int kb, size_t wb)
{
	if (ka != kb)
		return ka > kb ? 1 : -1;
	if (wa != wb)
		return wa > wb ? 1 : -1;
	return 0;
}

#endif /* CRS_PATTERN_CORE_H */
