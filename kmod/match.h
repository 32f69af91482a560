/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_MATCH_H
#define CRS_MATCH_H

#include <linux/types.h>
#include "pattern_core.h"

struct netlink_ext_ack;
struct nlattr;

/**
 * struct crs_pattern - a compiled path or program pattern
 * @str: NUL-terminated; for SUBTREE the prefix without "/\*\*"
 * @len: bytes in @str
 * @weight: tie-break within a kind: literal bytes (longer = more specific)
 * @hash: crs_hash() of @str (EXACT and SUBTREE)
 * @kind: enum crs_pat_kind (pattern_core.h)
 * @tail_any: GLOB ends in "/\*\*"
 */
struct crs_pattern {
	const char *str;
	u16 len;
	u16 weight;
	u32 hash;
	u8 kind;
	bool tail_any;
};

int crs_pattern_parse(struct crs_pattern *p, const char *s,
		      const struct nlattr *attr, struct netlink_ext_ack *extack);
bool crs_pattern_match(const struct crs_pattern *p, const char *s, size_t len);
int crs_pattern_cmp(const struct crs_pattern *a, const struct crs_pattern *b);
u32 crs_hash(const char *s, size_t len);

/* Incremental form of crs_hash(), for hashing every prefix of a path. */
#define CRS_HASH_INIT 2166136261u
static inline u32 crs_hash_step(u32 h, char c)
{
	return (h ^ (u8)c) * 16777619u;
}

static inline u32 crs_hash_final(u32 h)
{
	return h ^ (h >> 15);
}

#endif
