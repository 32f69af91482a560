// SPDX-License-Identifier: GPL-2.0
/*
 * Packet-level enforcement, in every network namespace (pernet ops: the
 * hooks are added to namespaces created after the module loads and leave
 * with the namespace):
 *
 * - LOCAL_OUT: packets built by a user's raw socket. Socket calls cannot
 *   see what a raw socket sends (the header is the payload), so its packets
 *   are decided here as outbound traffic of the sending task. A denied
 *   packet is dropped; the sender gets EPERM, netfilter's drop errno.
 * - LOCAL_IN: a TCP SYN or a UDP datagram for a socket whose cgroup has a
 *   table that decides inbound traffic. The socket is looked up as the
 *   stack will look it up (listener for a SYN, UDP socket for a datagram)
 *   and its cgroup's table decides on the peer. A denied SYN is dropped
 *   before a request socket exists (no SYN-ACK: the connection never
 *   completes); a denied datagram is dropped before any socket queues it.
 *   A cgroup that learns is looked at the same way, to record its peers.
 *   Without such a table this costs one load and a branch per packet.
 */
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/inet_hashtables.h>
#include <net/inet6_hashtables.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>
#include <net/tcp.h>
#include <net/udp.h>
#include "compat/compat.h"
#include "counters.h"
#include "net.h"
#include "table.h"

/* Source and destination ports of a TCP or UDP header at @off, if present. */
static bool take_ports(const struct sk_buff *skb, int off, u8 proto, u16 *sport, u16 *dport)
{
	__be16 _p[2];
	const __be16 *p;

	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_UDPLITE)
		return false;
	p = skb_header_pointer(skb, off, sizeof(_p), _p);
	if (!p)
		return false;
	*sport = ntohs(p[0]);
	*dport = ntohs(p[1]);
	return true;
}

/*
 * Fill @q from the IP header of a packet: local = source, remote =
 * destination when @out, the reverse otherwise. Returns the transport
 * protocol number and its offset, or -1 for a packet with no transport
 * header to read (a later fragment).
 */
static int take_headers(const struct sk_buff *skb, u8 pf, bool out, struct crs_net_query *q,
			int *thoff)
{
	u8 *src = out ? q->local : q->remote, *dst = out ? q->remote : q->local;
	u16 *sport = out ? &q->lport : &q->rport, *dport = out ? &q->rport : &q->lport;
	u8 nexthdr;

	if (pf == NFPROTO_IPV4) {
		const struct iphdr *iph = ip_hdr(skb);

		if (ntohs(iph->frag_off) & IP_OFFSET)
			return -1;
		q->family = AF_INET;
		crs_net_set_addr(src, AF_INET, &iph->saddr);
		crs_net_set_addr(dst, AF_INET, &iph->daddr);
		nexthdr = iph->protocol;
		*thoff = skb_network_offset(skb) + iph->ihl * 4;
	} else {
		const struct ipv6hdr *ip6 = ipv6_hdr(skb);
		__be16 frag_off = 0;
		int off;

		nexthdr = ip6->nexthdr;
		off = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(*ip6), &nexthdr,
				       &frag_off);
		if (off < 0 || (frag_off & htons(~0x7)))
			return -1;
		/* mapped addresses on the wire are IPv6 packets: keep the family */
		q->family = AF_INET6;
		memcpy(src, &ip6->saddr, 16);
		memcpy(dst, &ip6->daddr, 16);
		*thoff = off;
	}
	q->proto = crs_proto_of(nexthdr);
	q->has_local = q->has_remote = true;
	take_ports(skb, *thoff, nexthdr, sport, dport);
	return nexthdr;
}

/* LOCAL_OUT: raw sockets of tasks (kernel control sockets are not ours). */
static unsigned int local_out(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	struct sock *sk = skb->sk;
	struct crs_net_query q = { .kind = CRS_NET_OUT };
	struct crs_cgroup *cg;
	u64 own_id;
	int thoff, err = 0;

	if (!sk || !sk_fullsock(sk) || sk->sk_type != SOCK_RAW || sk->sk_kern_sock ||
	    !in_task() || !crs_registry_active())
		return NF_ACCEPT;
	crs_count(hook_calls);
	if (take_headers(skb, state->pf, true, &q, &thoff) < 0)
		return NF_ACCEPT;
	/* the scratch buffers are per CPU: stay on this one */
	preempt_disable();
	rcu_read_lock();
	cg = crs_registry_find_current(&own_id);
	if (cg)
		err = crs_net_decide(cg, own_id, &q, true);
	rcu_read_unlock();
	preempt_enable();
	return err ? NF_DROP : NF_ACCEPT;
}

/* The socket a SYN or datagram will be delivered to; *ref if refcounted. */
static struct sock *lookup(struct net *net, struct sk_buff *skb, u8 pf, int proto, int thoff,
			   bool *ref)
{
	*ref = false;
	if (proto == IPPROTO_TCP) {
		struct tcphdr _th;
		const struct tcphdr *th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
		struct inet_hashinfo *hinfo = crs_tcp_hashinfo(net);

		if (!th || !th->syn || th->ack || th->rst)
			return NULL;	/* only connection requests */
		if (pf == NFPROTO_IPV4) {
			const struct iphdr *iph = ip_hdr(skb);

			return __inet_lookup_listener(net, hinfo, skb, thoff + th->doff * 4,
						      iph->saddr, th->source, iph->daddr,
						      ntohs(th->dest), inet_iif(skb),
						      inet_sdif(skb));
		}
#if IS_ENABLED(CONFIG_IPV6)
		return inet6_lookup_listener(net, hinfo, skb, thoff + th->doff * 4,
					     &ipv6_hdr(skb)->saddr, th->source,
					     &ipv6_hdr(skb)->daddr, ntohs(th->dest),
					     inet6_iif(skb), inet6_sdif(skb));
#endif
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr _uh;
		const struct udphdr *uh = skb_header_pointer(skb, thoff, sizeof(_uh), &_uh);

		if (!uh)
			return NULL;
		*ref = true;
		if (pf == NFPROTO_IPV4)
			return udp4_lib_lookup(net, ip_hdr(skb)->saddr, uh->source,
					       ip_hdr(skb)->daddr, uh->dest, inet_iif(skb));
#if IS_ENABLED(CONFIG_IPV6)
		return udp6_lib_lookup(net, &ipv6_hdr(skb)->saddr, uh->source,
				       &ipv6_hdr(skb)->daddr, uh->dest, inet6_iif(skb));
#endif
	}
	return NULL;
}

/* LOCAL_IN: TCP SYNs and UDP datagrams for sockets of policed cgroups. */
static unsigned int local_in(void *priv, struct sk_buff *skb,
			     const struct nf_hook_state *state)
{
	struct crs_net_query q = { .kind = CRS_NET_IN };
	struct crs_cgroup *cg;
	struct sock *sk;
	bool ref;
	u64 own_id;
	int proto, thoff, err = 0;

	if (!crs_registry_inbound())
		return NF_ACCEPT;
	crs_count(hook_calls);
	proto = take_headers(skb, state->pf, false, &q, &thoff);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP)
		return NF_ACCEPT;
	sk = lookup(state->net, skb, state->pf, proto, thoff, &ref);
	if (!sk)
		return NF_ACCEPT;
	/*
	 * A connected UDP socket only receives from its peer, which was
	 * decided as outbound traffic at connect(): replies are not inbound.
	 */
	if (sk_fullsock(sk) && !(proto == IPPROTO_UDP && sk->sk_state == TCP_ESTABLISHED) &&
	    crs_sock_cgroup(sk)) {
		/* rcu_read_lock is held by the netfilter core */
		cg = crs_registry_find_cgroup(crs_sock_cgroup(sk), &own_id);
		/* for learning: the receiving socket's port was the kernel's choice */
		q.autoport = !(sk->sk_userlocks & SOCK_BINDPORT_LOCK);
		if (cg)
			err = crs_net_decide(cg, own_id, &q, false);
	}
	if (ref)
		sock_gen_put(sk);
	return err ? NF_DROP : NF_ACCEPT;
}

static const struct nf_hook_ops hook_ops[] = {
	{ .hook = local_out, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_OUT,
	  .priority = NF_IP_PRI_SECURITY },
	{ .hook = local_in, .pf = NFPROTO_IPV4, .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP_PRI_SECURITY },
#if IS_ENABLED(CONFIG_IPV6)
	{ .hook = local_out, .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_OUT,
	  .priority = NF_IP6_PRI_SECURITY },
	{ .hook = local_in, .pf = NFPROTO_IPV6, .hooknum = NF_INET_LOCAL_IN,
	  .priority = NF_IP6_PRI_SECURITY },
#endif
};

static int __net_init crs_pernet_init(struct net *net)
{
	return nf_register_net_hooks(net, hook_ops, ARRAY_SIZE(hook_ops));
}

static void __net_exit crs_pernet_exit(struct net *net)
{
	nf_unregister_net_hooks(net, hook_ops, ARRAY_SIZE(hook_ops));
}

static struct pernet_operations crs_pernet_ops = {
	.init = crs_pernet_init,
	.exit = crs_pernet_exit,
};

/**
 * crs_netfilter_init - hook every network namespace, present and future
 */
int crs_netfilter_init(void)
{
	return register_pernet_subsys(&crs_pernet_ops);
}

/**
 * crs_netfilter_exit - unhook every namespace; waits for running hooks
 */
void crs_netfilter_exit(void)
{
	unregister_pernet_subsys(&crs_pernet_ops);
}
