// SPDX-License-Identifier: GPL-2.0
/*
 * Network and listener enforcement at the socket layer: kprobes at the
 * entry of security_socket_bind/listen/connect/sendmsg, in the calling
 * task's context. Addresses are read from the kernel's own copy (the
 * sockaddr move_addr_to_kernel() made, or the socket's bound/connected
 * addresses), never from user memory. Raw packets and inbound traffic are
 * decided in netfilter (netfilter.c); both paths end in crs_net_decide().
 */
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/kprobes.h>
#include <linux/net.h>
#include <linux/ptrace.h>
#include <linux/socket.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include "compat/compat.h"
#include "counters.h"
#include "event.h"
#include "hooks.h"
#include "learn.h"
#include "net.h"
#include "progcache.h"
#include "table.h"

/**
 * crs_net_set_addr - store an address in a query, canonically
 * @dst: 16 bytes
 * @family: set to AF_INET or AF_INET6
 * @fam: the address's family
 * @src: 4 or 16 bytes
 *
 * An IPv4-mapped IPv6 address becomes the IPv4 address, so IPv4 rules
 * decide it whatever the socket's family. Return: the family stored.
 */
u8 crs_net_set_addr(u8 *dst, u8 fam, const void *src)
{
	memset(dst, 0, 16);
	if (fam == AF_INET6 && ipv6_addr_v4mapped(src)) {
		memcpy(dst, &((const struct in6_addr *)src)->s6_addr32[3], 4);
		return AF_INET;
	}
	memcpy(dst, src, fam == AF_INET ? 4 : 16);
	return fam;
}

/**
 * crs_net_decide - decide a network query against a cgroup's table
 * @cg: the registry entry that governs the actor
 * @own_id: the actor's own cgroup id (for the event)
 * @q: the query
 * @task: current is the actor (its program is matched and reported); false
 *	for inbound packets, decided in softirq for a socket
 *
 * A learning cgroup's set records the query after the decision, or alone
 * when the table decides nothing of its kind.
 * Caller holds rcu_read_lock() and has preemption disabled.
 * Return: 0 to allow, -EACCES to deny.
 */
int crs_net_decide(const struct crs_cgroup *cg, u64 own_id, const struct crs_net_query *q,
		   bool task)
{
	const struct crs_table *t = rcu_dereference(cg->table);
	u32 type = q->kind == CRS_NET_LISTEN ? CRS_RULE_LISTENER : CRS_RULE_NETWORK;
	u32 mode = crs_effective_mode(cg, t), rule, verdict;
	struct crs_event_info ev;
	struct crs_learn *learn;
	const char *prog = NULL;
	size_t prog_len = 0, size;
	char *buf = NULL;
	bool report;
	int ret;

	if (mode == CRS_MODE_DISABLED)
		return 0;
	learn = crs_learning(cg, t);
	if (!crs_table_polices_net(t, q->kind)) {
		/* nothing to decide: a learning cgroup only records */
		if (learn)
			crs_learn_record_net(learn, cg->id, q, NULL, 0, CRS_OBS_ALLOWED);
		return 0;
	}
	crs_count(policed);
	if (task) {
		buf = crs_scratch_prog(&size);
		/* the path costs a d_path on a cache miss: only when a rule needs it */
		if (t->named_prog[q->kind])
			prog = crs_prog_path(buf, size, &prog_len);
	}
	rule = crs_net_match(t, q, prog, prog_len);
	verdict = rule == CRS_NO_RULE ? t->defaults[type] : t->rules[rule].action;
	if (rule != CRS_NO_RULE)
		atomic64_inc(&t->rules[rule].hits);
	ret = crs_settle(cg, t, mode, rule, verdict, -EACCES, &report);
	if (learn)
		crs_learn_record_net(learn, cg->id, q, prog, prog_len,
				     ret ? CRS_OBS_DENIED : CRS_OBS_ALLOWED);
	if (!report)
		return ret;

	if (task && !prog)
		prog = crs_prog_path(buf, size, &prog_len);
	crs_event_fill(&ev, cg, own_id, t, type, mode, rule, verdict, ret);
	if (prog) {
		ev.prog = prog;
		ev.prog_len = prog_len;
	}
	ev.no_task = !task;
	ev.net = q;
	crs_event_emit(&ev);
	return ret;
}

/*
 * The registry entry governing current when its table decides @kind or it
 * learns, else NULL: the socket hooks ask this first, so an unpoliced task
 * pays one registry lookup and never has its addresses read. Caller holds
 * rcu_read_lock() (socket calls: process context, preemption off).
 */
static const struct crs_cgroup *policed(u32 kind, u64 *own_id)
{
	const struct crs_cgroup *cg;
	const struct crs_table *t;

	if (!crs_registry_active())
		return NULL;
	cg = crs_registry_find_current(own_id);
	if (!cg)
		return NULL;
	t = rcu_dereference(cg->table);
	if (!crs_table_polices_net(t, kind) && !crs_learning(cg, t))
		return NULL;
	return cg;
}

/**
 * crs_proto_of - the rule protocol (enum crs_proto) of an IP protocol number
 * @ipproto: IPPROTO_*
 */
u8 crs_proto_of(u16 ipproto)
{
	switch (ipproto) {
	case IPPROTO_TCP:
	case IPPROTO_MPTCP:
		return CRS_PROTO_TCP;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
		return CRS_PROTO_UDP;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return CRS_PROTO_ICMP;
	}
	return CRS_PROTO_ANY;	/* matched by "any" rules only */
}

/**
 * crs_net_proto - the rule protocol of a socket
 * @sk: an AF_INET/AF_INET6 socket
 */
u8 crs_net_proto(const struct sock *sk)
{
	return crs_proto_of(sk->sk_protocol);
}

/*
 * Read a sockaddr (kernel copy) as the socket's protocol will: AF_INET on
 * any inet socket (IPv6 datagram sockets accept it), AF_INET6 on AF_INET6
 * sockets, and AF_UNSPEC as AF_INET where @unspec_inet (IPv4 bind and
 * sendmsg take it so). Anything else the protocol rejects by itself, and
 * this returns false: nothing to decide.
 */
static bool take_sockaddr(const struct sock *sk, const struct sockaddr *sa, int len,
			  bool unspec_inet, u8 *family, u8 *addr, u16 *port)
{
	int fam;

	if (!sa || len < (int)offsetofend(struct sockaddr, sa_family))
		return false;
	fam = sa->sa_family;
	if (fam == AF_UNSPEC && unspec_inet && sk->sk_family == AF_INET)
		fam = AF_INET;
	if (fam == AF_INET && len >= (int)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		*family = crs_net_set_addr(addr, AF_INET, &sin->sin_addr);
		*port = ntohs(sin->sin_port);
		return true;
	}
	if (fam == AF_INET6 && sk->sk_family == AF_INET6 && len >= SIN6_LEN_RFC2133) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		*family = crs_net_set_addr(addr, AF_INET6, &sin6->sin6_addr);
		*port = ntohs(sin6->sin6_port);
		return true;
	}
	return false;
}

/* The socket's bound local address and port; q->family is the local's. */
static void take_local(const struct sock *sk, struct crs_net_query *q)
{
	const struct inet_sock *inet = inet_sk(sk);

#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6)
		q->family = crs_net_set_addr(q->local, AF_INET6, &sk->sk_v6_rcv_saddr);
	else
#endif
		q->family = crs_net_set_addr(q->local, AF_INET, &inet->inet_rcv_saddr);
	q->lport = inet->inet_num;
	q->has_local = true;
}

/* The connected peer of a datagram socket; false if it has none. */
static bool take_peer(const struct sock *sk, struct crs_net_query *q)
{
	const struct inet_sock *inet = inet_sk(sk);

	if (READ_ONCE(sk->sk_state) != TCP_ESTABLISHED)
		return false;
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6 && !ipv6_addr_v4mapped(&sk->sk_v6_daddr))
		q->family = crs_net_set_addr(q->remote, AF_INET6, &sk->sk_v6_daddr);
	else
#endif
		q->family = crs_net_set_addr(q->remote, AF_INET, &inet->inet_daddr);
	q->rport = ntohs(inet->inet_dport);
	q->has_remote = true;
	return true;
}

static bool inet_socket(const struct socket *sock)
{
	const struct sock *sk = sock ? sock->sk : NULL;

	return sk && (sk->sk_family == AF_INET || sk->sk_family == AF_INET6);
}

/* Nothing listens on ICMP, and raw sockets have no ports: not listeners. */
static bool listener_socket(const struct socket *sock)
{
	return inet_socket(sock) && sock->type != SOCK_RAW &&
	       crs_net_proto(sock->sk) != CRS_PROTO_ICMP;
}

/* security_socket_bind(struct socket *sock, struct sockaddr *address, int addrlen) */
static int socket_bind_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct socket *sock = (struct socket *)regs_get_kernel_argument(regs, 0);
	struct sockaddr *sa = (struct sockaddr *)regs_get_kernel_argument(regs, 1);
	int len = regs_get_kernel_argument(regs, 2);
	struct crs_net_query q = { .kind = CRS_NET_LISTEN, .has_local = true };
	const struct crs_cgroup *cg;
	u64 own_id;
	int err = 0;

	crs_count(hook_calls);
	if (!listener_socket(sock))
		return 0;
	rcu_read_lock();
	cg = policed(CRS_NET_LISTEN, &own_id);
	if (cg && take_sockaddr(sock->sk, sa, len, true, &q.family, q.local, &q.lport)) {
		q.proto = crs_net_proto(sock->sk);
		err = crs_net_decide(cg, own_id, &q, true);
	}
	rcu_read_unlock();
	return err ? crs_override(regs, err) : 0;
}

/*
 * security_socket_listen(struct socket *sock, int backlog): decided on the
 * port the socket is bound to, so bind(port 0) then listen() is decided on
 * the port the kernel picked. An unbound socket (autobound by listen()
 * after this hook) is decided as port 0.
 */
static int socket_listen_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct socket *sock = (struct socket *)regs_get_kernel_argument(regs, 0);
	struct crs_net_query q = { .kind = CRS_NET_LISTEN };
	const struct crs_cgroup *cg;
	u64 own_id;
	int err = 0;

	crs_count(hook_calls);
	if (!listener_socket(sock))
		return 0;
	rcu_read_lock();
	cg = policed(CRS_NET_LISTEN, &own_id);
	if (cg) {
		take_local(sock->sk, &q);
		q.proto = crs_net_proto(sock->sk);
		/* for learning: bind(0) or no bind, the port is the kernel's */
		q.autoport = !(sock->sk->sk_userlocks & SOCK_BINDPORT_LOCK);
		err = crs_net_decide(cg, own_id, &q, true);
	}
	rcu_read_unlock();
	return err ? crs_override(regs, err) : 0;
}

/*
 * Complete an outbound query whose peer is in @q with @sk's side. The event
 * shows the local address only when it is of the peer's family (an
 * unbound IPv6 socket talking to an IPv4-mapped peer has none yet).
 */
static void out_query(struct sock *sk, struct crs_net_query *q)
{
	u8 fam = q->family;

	q->kind = CRS_NET_OUT;
	q->proto = crs_net_proto(sk);
	take_local(sk, q);
	q->has_local = q->family == fam;
	q->family = fam;
	if (q->proto == CRS_PROTO_ICMP)
		q->lport = q->rport = 0;	/* ping sockets: an echo id, not ports */
}

/* Decide an outbound query for current, if its table decides outbound traffic. */
static int decide_out(struct sock *sk, struct crs_net_query *q)
{
	const struct crs_cgroup *cg;
	u64 own_id;
	int err = 0;

	rcu_read_lock();
	cg = policed(CRS_NET_OUT, &own_id);
	if (cg) {
		out_query(sk, q);
		err = crs_net_decide(cg, own_id, q, true);
	}
	rcu_read_unlock();
	return err;
}

/* security_socket_connect(struct socket *sock, struct sockaddr *address, int addrlen) */
static int socket_connect_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct socket *sock = (struct socket *)regs_get_kernel_argument(regs, 0);
	struct sockaddr *sa = (struct sockaddr *)regs_get_kernel_argument(regs, 1);
	int len = regs_get_kernel_argument(regs, 2);
	struct crs_net_query q = { .has_remote = true };
	int err;

	crs_count(hook_calls);
	/* AF_UNSPEC is a disconnect; raw sockets are decided per packet */
	if (!crs_registry_active() || !inet_socket(sock) || sock->type == SOCK_RAW ||
	    !take_sockaddr(sock->sk, sa, len, false, &q.family, q.remote, &q.rport))
		return 0;
	err = decide_out(sock->sk, &q);
	return err ? crs_override(regs, err) : 0;
}

/*
 * security_socket_sendmsg(struct socket *sock, struct msghdr *msg, int size):
 * every sendto/sendmsg, each message of a sendmmsg, io_uring sends. A
 * destination (msg_name, a kernel copy) is decided for datagram sockets and
 * for TCP fast open; a datagram socket without one sends to its connected
 * peer, decided again here (it may have been connected before the table
 * was loaded, or by another program holding the same socket). Connected
 * streams were decided at connect().
 */
static int socket_sendmsg_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct socket *sock = (struct socket *)regs_get_kernel_argument(regs, 0);
	struct msghdr *msg = (struct msghdr *)regs_get_kernel_argument(regs, 1);
	struct crs_net_query q = {};
	bool stream;
	int err;

	crs_count(hook_calls);
	if (!crs_registry_active() || !inet_socket(sock) || sock->type == SOCK_RAW)
		return 0;
	stream = sock->type == SOCK_STREAM;
	if (stream && !(msg->msg_flags & MSG_FASTOPEN))
		return 0;
	if (msg->msg_name) {
		const struct sockaddr *sa = msg->msg_name;

		if (take_sockaddr(sock->sk, sa, msg->msg_namelen, true, &q.family, q.remote,
				  &q.rport))
			q.has_remote = true;
		/* IPv6 datagram sockets read AF_UNSPEC as "no address" */
		else if (stream || sock->sk->sk_family != AF_INET6 ||
			 msg->msg_namelen < (int)offsetofend(struct sockaddr, sa_family) ||
			 sa->sa_family != AF_UNSPEC)
			return 0;	/* the protocol rejects this address itself */
	} else if (stream) {
		return 0;	/* fast open without an address fails by itself */
	}
	if (!q.has_remote && !take_peer(sock->sk, &q))
		return 0;	/* not connected: the protocol fails with EDESTADDRREQ */
	err = decide_out(sock->sk, &q);
	return err ? crs_override(regs, err) : 0;
}

static struct kprobe probes[] = {
	{ .symbol_name = "security_socket_bind",    .pre_handler = socket_bind_pre },
	{ .symbol_name = "security_socket_listen",  .pre_handler = socket_listen_pre },
	{ .symbol_name = "security_socket_connect", .pre_handler = socket_connect_pre },
	{ .symbol_name = "security_socket_sendmsg", .pre_handler = socket_sendmsg_pre },
};

/**
 * crs_net_init - register the socket probes (all ftrace-based, or none)
 */
int crs_net_init(void)
{
	return crs_register_probes(probes, ARRAY_SIZE(probes));
}

/**
 * crs_net_exit - unregister the socket probes (crs_hooks_exit() then waits
 * for tasks sent to the denial return)
 */
void crs_net_exit(void)
{
	crs_unregister_probes(probes, ARRAY_SIZE(probes));
}

/**
 * crs_net_put_status - one CRS_A_STATUS_PROBE nest per socket probe
 * @skb: reply being built
 */
int crs_net_put_status(struct sk_buff *skb)
{
	return crs_put_probe_status(skb, probes, ARRAY_SIZE(probes));
}
