// SPDX-License-Identifier: GPL-2.0
/*
 * Network and listener rules: parsing, the per-table longest-prefix index,
 * and lookup.
 *
 * Each table has one index per decision kind (outbound, inbound, listen) and
 * family. An index groups rules by (prefix length, prefix); the groups are
 * hashed, and a lookup probes once per prefix length present, longest
 * first. Within a group rules are sorted most specific first (narrowest
 * port range, named program, named protocol, deny), so the first rule that
 * matches the protocol, port and program decides. An address rule of "*"
 * (family 0) sits at length 0 in both families.
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/sort.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include "compat/compat.h"
#include "table.h"

static const u8 addr_bytes[2] = { 4, 16 };

static void mask_addr(u8 *dst, const u8 *src, u32 plen, u32 bytes)
{
	u32 i;

	for (i = 0; i < bytes; i++) {
		if (plen >= 8) {
			dst[i] = src[i];
			plen -= 8;
		} else {
			dst[i] = plen ? src[i] & (u8)(0xff << (8 - plen)) : 0;
			plen = 0;
		}
	}
	for (; i < 16; i++)
		dst[i] = 0;
}

/**
 * crs_net_parse_rule - the network/listener part of a CRS_A_RULE nest
 * @r: rule being built (type and action already set)
 * @pos: its position in the request, for messages
 * @tb: its parsed attributes
 * @attr: the nest
 * @extack: why it was refused
 */
int crs_net_parse_rule(struct crs_rule *r, u32 pos, struct nlattr **tb,
		       const struct nlattr *attr, struct netlink_ext_ack *extack)
{
	u32 fam, plen = 0, pmin = 0, pmax = 65535, proto = CRS_PROTO_ANY;
	u8 addr[16] = {}, masked[16];

	if (tb[CRS_A_RULE_PATH] || tb[CRS_A_RULE_ACCESS] || tb[CRS_A_RULE_SYSCALL] ||
	    tb[CRS_A_RULE_SYSCALL_NR] || tb[CRS_A_RULE_SYSCALL_NR32] || tb[CRS_A_RULE_ARG]) {
		NL_SET_BAD_ATTR(extack, attr);
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "rule %u: network and listener rules take no path, access or syscall",
				       pos);
		return -EINVAL;
	}
	if (r->type == CRS_RULE_NETWORK) {
		u32 dir;

		if (!tb[CRS_A_RULE_DIRECTION]) {
			NL_SET_BAD_ATTR(extack, attr);
			NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: network rules need a direction", pos);
			return -EINVAL;
		}
		dir = nla_get_u32(tb[CRS_A_RULE_DIRECTION]);
		if (dir > CRS_DIR_MAX) {
			NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_DIRECTION]);
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "rule %u: direction must be outbound (0) or inbound (1)",
					       pos);
			return -EINVAL;
		}
		r->net_kind = dir == CRS_DIR_OUTBOUND ? CRS_NET_OUT : CRS_NET_IN;
	} else {
		if (tb[CRS_A_RULE_DIRECTION]) {
			NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_DIRECTION]);
			NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: listener rules take no direction",
					       pos);
			return -EINVAL;
		}
		r->net_kind = CRS_NET_LISTEN;
	}
	if (tb[CRS_A_RULE_PROTOCOL]) {
		proto = nla_get_u32(tb[CRS_A_RULE_PROTOCOL]);
		if (proto > CRS_PROTO_MAX ||
		    (r->net_kind == CRS_NET_LISTEN && proto == CRS_PROTO_ICMP)) {
			NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_PROTOCOL]);
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "rule %u: protocol must be any, tcp, udp%s",
					       pos, r->net_kind == CRS_NET_LISTEN ? "" : " or icmp");
			return -EINVAL;
		}
	}
	fam = tb[CRS_A_RULE_ADDR_FAMILY] ? nla_get_u32(tb[CRS_A_RULE_ADDR_FAMILY]) : 0;
	if (fam != 0 && fam != AF_INET && fam != AF_INET6) {
		NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_ADDR_FAMILY]);
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "rule %u: address family must be 0 (any), AF_INET or AF_INET6",
				       pos);
		return -EINVAL;
	}
	if (fam) {
		u32 bytes = fam == AF_INET ? 4 : 16;

		if (!tb[CRS_A_RULE_ADDR] || nla_len(tb[CRS_A_RULE_ADDR]) != bytes ||
		    !tb[CRS_A_RULE_PREFIX_LEN] ||
		    nla_get_u32(tb[CRS_A_RULE_PREFIX_LEN]) > bytes * 8) {
			NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_ADDR] ?: attr);
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "rule %u: an AF_INET%s address is %u bytes with a prefix length of 0-%u",
					       pos, fam == AF_INET ? "" : "6", bytes, bytes * 8);
			return -EINVAL;
		}
		plen = nla_get_u32(tb[CRS_A_RULE_PREFIX_LEN]);
		memcpy(addr, nla_data(tb[CRS_A_RULE_ADDR]), bytes);
		mask_addr(masked, addr, plen, bytes);
		if (memcmp(masked, addr, bytes)) {
			NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_ADDR]);
			NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: address has bits set past its /%u prefix",
					       pos, plen);
			return -EINVAL;
		}
		if (fam == AF_INET6 && plen >= 96 &&
		    ipv6_addr_v4mapped((const struct in6_addr *)addr)) {
			NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_ADDR]);
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "rule %u: IPv4-mapped addresses must be sent as AF_INET",
					       pos);
			return -EINVAL;
		}
	} else if (tb[CRS_A_RULE_ADDR] || tb[CRS_A_RULE_PREFIX_LEN]) {
		NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_ADDR] ?: tb[CRS_A_RULE_PREFIX_LEN]);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: an address needs its family", pos);
		return -EINVAL;
	}
	if (tb[CRS_A_RULE_PORT_MIN])
		pmin = nla_get_u32(tb[CRS_A_RULE_PORT_MIN]);
	if (tb[CRS_A_RULE_PORT_MAX])
		pmax = nla_get_u32(tb[CRS_A_RULE_PORT_MAX]);
	if (pmin > 65535 || pmax > 65535 || pmin > pmax) {
		NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_PORT_MIN] ?: tb[CRS_A_RULE_PORT_MAX]);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: port range %u-%u is not within 0-65535",
				       pos, pmin, pmax);
		return -EINVAL;
	}
	if (proto == CRS_PROTO_ICMP && (pmin != 0 || pmax != 65535)) {
		NL_SET_BAD_ATTR(extack, tb[CRS_A_RULE_PORT_MIN] ?: tb[CRS_A_RULE_PORT_MAX]);
		NL_SET_ERR_MSG_FMT_MOD(extack, "rule %u: icmp has no ports", pos);
		return -EINVAL;
	}
	r->proto = proto;
	r->family = fam;
	r->plen = plen;
	r->port_min = pmin;
	r->port_max = pmax;
	memcpy(r->addr, addr, sizeof(r->addr));
	r->access = 0;
	r->obj.kind = CRS_PAT_ANY;
	r->obj.str = "";
	return 0;
}

/* ------------------------------------------------------------ building */

struct entry {
	const struct crs_rule *r;
	u32 idx;
};

/* Group by prefix (longest first), then most specific rule first. */
static int entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	const struct crs_rule *x = a->r, *y = b->r;
	u32 wx = x->port_max - x->port_min, wy = y->port_max - y->port_min;
	u32 plx = x->family ? x->plen : 0, ply = y->family ? y->plen : 0;
	int c;

	if (plx != ply)
		return plx > ply ? -1 : 1;
	c = memcmp(x->addr, y->addr, 16);
	if (c)
		return c;
	if (wx != wy)
		return wx < wy ? -1 : 1;
	c = crs_pattern_cmp(&x->prog, &y->prog);
	if (c)
		return -c;
	if ((x->proto == CRS_PROTO_ANY) != (y->proto == CRS_PROTO_ANY))
		return x->proto == CRS_PROTO_ANY ? 1 : -1;
	if (x->action != y->action)
		return x->action == CRS_ACTION_DENY ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static u32 node_hash(const u8 *addr, u32 plen)
{
	u32 w[4];

	memcpy(w, addr, 16);
	return jhash2(w, 4, plen);
}

static bool applies(const struct crs_rule *r, u32 kind, u32 fam)
{
	if (r->type != CRS_RULE_NETWORK && r->type != CRS_RULE_LISTENER)
		return false;
	if (!(r->flags & CRS_RULE_F_ENABLED) || r->net_kind != kind)
		return false;
	return !r->family || r->family == (fam == CRS_NET_V4 ? AF_INET : AF_INET6);
}

static int build_one(struct crs_table *t, u32 kind, u32 fam)
{
	struct crs_net_index *ix = &t->net[kind][fam];
	struct entry *e;
	u32 i, n = 0, nnodes = 0, nbuckets;

	for (i = 0; i < t->nrules; i++)
		n += applies(&t->rules[i], kind, fam);
	if (!n)
		return 0;
	e = kvmalloc_array(n, sizeof(*e), GFP_KERNEL);
	ix->order = kvmalloc_array(n, sizeof(u32), GFP_KERNEL);
	ix->nodes = kvmalloc_array(n, sizeof(*ix->nodes), GFP_KERNEL);
	nbuckets = roundup_pow_of_two(max(n, 16U));
	ix->heads = kvmalloc_array(nbuckets, sizeof(u32), GFP_KERNEL);
	if (!e || !ix->order || !ix->nodes || !ix->heads) {
		kvfree(e);
		return -ENOMEM;
	}
	memset(ix->heads, 0xff, nbuckets * sizeof(u32));
	ix->mask = nbuckets - 1;
	n = 0;
	for (i = 0; i < t->nrules; i++)
		if (applies(&t->rules[i], kind, fam))
			e[n++] = (struct entry){ .r = &t->rules[i], .idx = i };
	sort(e, n, sizeof(*e), entry_cmp, NULL);

	for (i = 0; i < n; i++) {
		const struct crs_rule *r = e[i].r;
		u32 plen = r->family ? r->plen : 0;
		struct crs_net_node *nd = nnodes ? &ix->nodes[nnodes - 1] : NULL;

		ix->order[i] = e[i].idx;
		if (nd && nd->plen == plen && !memcmp(nd->addr, r->addr, 16)) {
			nd->count++;
			continue;
		}
		nd = &ix->nodes[nnodes++];
		memcpy(nd->addr, r->addr, 16);
		nd->plen = plen;
		nd->first = i;
		nd->count = 1;
		if (!ix->nplens || ix->plens[ix->nplens - 1] != plen)
			ix->plens[ix->nplens++] = plen;	/* sorted longest first */
	}
	for (i = 0; i < nnodes; i++) {
		struct crs_net_node *nd = &ix->nodes[i];
		u32 b = node_hash(nd->addr, nd->plen) & ix->mask;

		nd->next = ix->heads[b];
		ix->heads[b] = i;
	}
	for (i = 0; i < n; i++)
		if (e[i].r->prog.kind != CRS_PAT_ANY)
			t->named_prog[kind] = true;
	kvfree(e);
	return 0;
}

/**
 * crs_net_build - build the network indexes of a table whose rules are parsed
 * @t: the table (not yet published)
 */
int crs_net_build(struct crs_table *t)
{
	u32 kind, fam;
	int err;

	for (kind = 0; kind < CRS_NET_KINDS; kind++) {
		for (fam = 0; fam < 2; fam++) {
			err = build_one(t, kind, fam);
			if (err)
				return err;
		}
	}
	/* a family-0 rule counts in both families; count rules once */
	for (kind = 0; kind < CRS_NET_KINDS; kind++) {
		u32 i, n = 0;

		for (i = 0; i < t->nrules; i++)
			n += applies(&t->rules[i], kind, CRS_NET_V4) ||
			     applies(&t->rules[i], kind, CRS_NET_V6);
		t->net_rules[kind] = n;
	}
	return 0;
}

/**
 * crs_net_free - free the network indexes of a table
 * @t: the table
 */
void crs_net_free(struct crs_table *t)
{
	u32 kind, fam;

	for (kind = 0; kind < CRS_NET_KINDS; kind++) {
		for (fam = 0; fam < 2; fam++) {
			kvfree(t->net[kind][fam].heads);
			kvfree(t->net[kind][fam].nodes);
			kvfree(t->net[kind][fam].order);
		}
	}
}

/* -------------------------------------------------------------- lookup */

static bool rule_fits(const struct crs_rule *r, const struct crs_net_query *q, u16 port,
		      const char *prog, size_t prog_len)
{
	if (r->proto != CRS_PROTO_ANY && r->proto != q->proto)
		return false;
	if (port < r->port_min || port > r->port_max)
		return false;
	if (r->prog.kind == CRS_PAT_ANY)
		return true;
	return prog && crs_pattern_match(&r->prog, prog, prog_len);
}

/**
 * crs_net_match - the rule that decides a network query, or CRS_NO_RULE
 * @t: table (RCU)
 * @q: the query; its address is the peer (outbound, inbound) or the local
 *	address (listen), its port the destination port: the peer's for
 *	outbound, the local one for inbound and listen
 * @prog: the caller's program, or NULL when unknown (inbound, or not needed
 *	because no rule of this kind names a program)
 * @prog_len: bytes in @prog
 */
u32 crs_net_match(const struct crs_table *t, const struct crs_net_query *q,
		  const char *prog, size_t prog_len)
{
	u32 fam = q->family == AF_INET ? CRS_NET_V4 : CRS_NET_V6;
	const struct crs_net_index *ix = &t->net[q->kind][fam];
	const u8 *addr = q->kind == CRS_NET_LISTEN ? q->local : q->remote;
	u16 port = q->kind == CRS_NET_OUT ? q->rport : q->lport;
	u32 bytes = addr_bytes[fam], i;
	u8 key[16];

	if (!ix->heads)
		return CRS_NO_RULE;
	for (i = 0; i < ix->nplens; i++) {
		u32 plen = ix->plens[i], n, k;

		mask_addr(key, addr, plen, bytes);
		for (n = ix->heads[node_hash(key, plen) & ix->mask]; n != CRS_NO_RULE;
		     n = ix->nodes[n].next) {
			const struct crs_net_node *nd = &ix->nodes[n];

			if (nd->plen != plen || memcmp(nd->addr, key, 16))
				continue;
			for (k = 0; k < nd->count; k++) {
				u32 r = ix->order[nd->first + k];

				if (rule_fits(&t->rules[r], q, port, prog, prog_len))
					return r;
			}
			break;	/* one node per (length, prefix) */
		}
	}
	return CRS_NO_RULE;
}

/**
 * crs_net_put_rule - the network attributes of a rule, for GET_TABLE
 * @skb: reply being built
 * @r: a network or listener rule
 */
int crs_net_put_rule(struct sk_buff *skb, const struct crs_rule *r)
{
	if ((r->type == CRS_RULE_NETWORK &&
	     nla_put_u32(skb, CRS_A_RULE_DIRECTION,
			 r->net_kind == CRS_NET_OUT ? CRS_DIR_OUTBOUND : CRS_DIR_INBOUND)) ||
	    nla_put_u32(skb, CRS_A_RULE_PROTOCOL, r->proto) ||
	    nla_put_u32(skb, CRS_A_RULE_ADDR_FAMILY, r->family) ||
	    (r->family &&
	     (nla_put(skb, CRS_A_RULE_ADDR, r->family == AF_INET ? 4 : 16, r->addr) ||
	      nla_put_u32(skb, CRS_A_RULE_PREFIX_LEN, r->plen))) ||
	    nla_put_u32(skb, CRS_A_RULE_PORT_MIN, r->port_min) ||
	    nla_put_u32(skb, CRS_A_RULE_PORT_MAX, r->port_max))
		return -EMSGSIZE;
	return 0;
}
