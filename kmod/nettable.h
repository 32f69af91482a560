/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_NETTABLE_H
#define CRS_NETTABLE_H

#include <linux/types.h>

struct nlattr;
struct netlink_ext_ack;
struct crs_rule;
struct crs_table;

/* What a network decision is about: the three lookup structures of a table. */
enum crs_net_kind {
	CRS_NET_OUT,		/* network rules, outbound: matched on the peer */
	CRS_NET_IN,		/* network rules, inbound: matched on the peer */
	CRS_NET_LISTEN,		/* listener rules: matched on the local address */
	CRS_NET_KINDS
};

#define CRS_NET_V4	0
#define CRS_NET_V6	1

/**
 * struct crs_net_node - the rules of one (prefix length, prefix) in one index
 * @addr: the prefix, host bits zero (4 bytes used for IPv4)
 * @plen: prefix length
 * @next: next node in the same hash bucket, or CRS_NO_RULE
 * @first: first of @count entries in the index's @order array
 * @count: rules with this prefix, most specific first
 */
struct crs_net_node {
	u8 addr[16];
	u8 plen;
	u32 next;
	u32 first;
	u32 count;
};

/**
 * struct crs_net_index - longest-prefix lookup for one kind and family
 * @heads: hash buckets of node indexes (CRS_NO_RULE terminated)
 * @nodes: distinct prefixes
 * @order: rule indexes grouped by node, most specific first in each group
 * @mask: bucket count - 1
 * @plens: the prefix lengths present, longest first
 * @nplens: entries in @plens
 *
 * One hash probe per prefix length present in the table (at most 33 or
 * 129, typically a handful), whatever the number of rules; port ranges are
 * compared, never expanded.
 */
struct crs_net_index {
	u32 *heads;
	struct crs_net_node *nodes;
	u32 *order;
	u32 mask;
	u8 plens[129];
	u8 nplens;
};

/**
 * struct crs_net_query - the facts a network decision is made on
 * @kind: enum crs_net_kind
 * @family: AF_INET or AF_INET6 (IPv4-mapped IPv6 already turned into AF_INET)
 * @proto: enum crs_proto
 * @local: local address (4 or 16 bytes by @family), valid if @has_local
 * @remote: peer address, valid if @has_remote
 * @lport: local port (host order)
 * @rport: peer port (host order)
 * @has_local: @local/@lport known
 * @has_remote: @remote/@rport known
 * @autoport: listener and inbound queries: the socket's port was chosen by
 *	the kernel (no SOCK_BINDPORT_LOCK); only learning reads it
 */
struct crs_net_query {
	u8 kind;
	u8 family;
	u8 proto;
	u8 local[16];
	u8 remote[16];
	u16 lport;
	u16 rport;
	bool has_local;
	bool has_remote;
	bool autoport;		/* listener/inbound: the kernel chose the local port */
};

int crs_net_parse_rule(struct crs_rule *r, u32 pos, struct nlattr **tb,
		       const struct nlattr *attr, struct netlink_ext_ack *extack);
int crs_net_build(struct crs_table *t);
void crs_net_free(struct crs_table *t);
u32 crs_net_match(const struct crs_table *t, const struct crs_net_query *q,
		  const char *prog, size_t prog_len);
int crs_net_put_rule(struct sk_buff *skb, const struct crs_rule *r);

#endif
