// SPDX-License-Identifier: GPL-2.0
/*
 * net_test.c - network and listener rules, against real peers: a second
 * network namespace on the other end of a veth pair (crs_net.h).
 *
 *   net_flow       direction x protocol x family x (deny rule in enforce,
 *                  monitor, disabled; allow rule over default deny; allow rule
 *                  with allow events): outbound connect/sendto, inbound SYN and
 *                  datagram; what reached the other side; every event field
 *   net_calls      sendmmsg (denied message in the middle, first), send() on a
 *                  connected UDP socket, TCP fast open, ping sockets, raw
 *                  sockets with the IP header included (v4, v6) and raw ICMP
 *                  (netfilter LOCAL_OUT, EPERM), io_uring connect/sendmsg
 *                  inline and in io-wq, MPTCP as tcp and UDP-Lite as udp,
 *                  IPv4-mapped IPv6 peers under IPv4 rules, the container
 *                  mode override, UDP replies to connected vs unconnected
 *                  sockets under default deny, a child cgroup without a table
 *   net_cidr       /0, /8, /25, /31, /32, "*", ::/0, /64, /120, /128: an
 *                  address just inside and just outside each prefix
 *   net_ports      port range edges
 *   net_prec       longest prefix, then narrowest port range, then a named
 *                  program, then a named protocol; deny wins ties
 *   net_listen_mode  bind denied/monitored/ignored per mode, tcp/udp, v4/v6
 *   net_listen     specific vs wildcard addresses, bind(0)+listen, listen on an
 *                  unbound socket, UDP, SO_REUSEPORT, descriptors passed
 *                  between processes (checked against the caller)
 *   net_ns         hooks in a netns made after insmod (loopback peers), and
 *                  netns destroyed while rules are loaded
 *   net_limits     10,000 CIDR rules (/32 and /24), CRS_MAX_NET_RULES
 *   net_rmmod      rmmod with live TCP and UDP flows of a policed cgroup
 *
 * A child joins the test cgroup, enters the container netns and does one
 * socket call, exiting with its errno (crs_net.h net_op_fn). The peer side
 * is sockets the unpoliced test process makes in the peer netns.
 */
#include <pthread.h>

#include "crs_net.h"

#define A CRS_ACTION_ALLOW
#define D CRS_ACTION_DENY
#define OUT CRS_DIR_OUTBOUND
#define IN CRS_DIR_INBOUND
#define TCP CRS_PROTO_TCP
#define UDP CRS_PROTO_UDP
#define ICMP CRS_PROTO_ICMP
#define ANY CRS_PROTO_ANY

#define PORT		7000	/* services */
#define SPORT_P		40002	/* source port of the denied peer (inbound) */
#define SPORT_Q		40003	/* ... of the allowed one */
#define DENIED_WAIT_MS	1500	/* a dropped SYN: no SYN-ACK within this */
#define OTHER_PROGRAM	"/nonexistent/crs/program"

static int sock_type(enum crs_proto p)
{
	return p == TCP ? SOCK_STREAM : SOCK_DGRAM;
}

static const char *fam_any(int family)
{
	return family == AF_INET ? "0.0.0.0" : "::";
}

static const char *peer_p(int family)
{
	return family == AF_INET ? NET_P4 : NET_P6;
}

static const char *peer_q(int family)
{
	return family == AF_INET ? NET_Q4 : NET_Q6;
}

static const char *self_c(int family)
{
	return family == AF_INET ? NET_C4 : NET_C6;
}

static const char *host(int family, const char *a)
{
	static char buf[2][64];
	static int i;

	i ^= 1;
	snprintf(buf[i], sizeof(buf[i]), "%s/%d", a, family == AF_INET ? 32 : 128);
	return buf[i];
}

/* The other side of the sockaddr of an accepted or connected socket, as text. */
static const char *peer_of(int fd, char *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	buf[0] = '\0';
	if (getpeername(fd, (struct sockaddr *)&ss, &sl))
		return buf;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, buf, len);
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, buf, len);
	return buf;
}

static const char *addr_of(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	buf[0] = '\0';
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf, len);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, buf, len);
	return buf;
}

/* The common state: sandbox, namespaces, event subscription. */
struct net_fix {
	struct crs_sb sb;
	struct net_env env;
	struct crs_events *ev;
	struct evbuf *b;
};

static void __nf_setup(struct __test_metadata *_metadata, struct net_fix *f)
{
	sb_setup(_metadata, &f->sb);
	net_env_setup(&f->env);
	sb_events(&f->ev);
	f->b = evbuf_new();
}
#define nf_setup(f) __nf_setup(_metadata, f)

static void nf_teardown(struct net_fix *f)
{
	if (f->ev)
		crs_events_close(f->ev);
	free(f->b);
	net_env_teardown(&f->env);
	sb_teardown(&f->sb);
}

/* A policed child in the container netns: @kind to @addr:@port. */
static int nf_op(struct net_fix *f, const char *cg, int family, enum crs_proto proto,
		 enum net_opk kind, const char *addr, uint16_t port, pid_t *pid)
{
	struct net_op o;

	net_op_init(&o, f->env.ns_c, family, sock_type(proto), 0, kind);
	net_op_dst(&o, family, addr, port);
	return net_run(cg, &o, pid);
}

/* Load @p on the test cgroup. */
#define nf_load(f, p) sb_load(&(f)->sb, (f)->sb.cgid, p)

/* nf_setup(), then the table @build writes (for @variant) loaded on the test cgroup. */
static void __nf_setup_table(struct __test_metadata *_metadata, struct net_fix *f,
			     void (*build)(struct crs_policy *p, const void *variant),
			     const void *variant)
{
	struct crs_policy p;

	nf_setup(f);
	build(&p, variant);
	nf_load(f, &p);
	pol_release(&p);
}

/* FIXTURE_SETUP of a fixture { struct net_fix f; } whose table is @build's. */
#define NF_SETUP_TABLE(name, build)					\
	FIXTURE_SETUP(name)						\
	{								\
		__nf_setup_table(_metadata, &self->f, build, variant);	\
	}

#define NF_TEARDOWN(name)						\
	FIXTURE_TEARDOWN(name)						\
	{								\
		nf_teardown(&self->f);					\
	}

/* A fixture whose tests add rules to self->p (an empty enforce policy @pname) and load it. */
#define NF_POLICY_FIXTURE(name, pname)					\
	FIXTURE(name) {							\
		struct net_fix f;					\
		struct crs_policy p;					\
	};								\
	FIXTURE_SETUP(name)						\
	{								\
		nf_setup(&self->f);					\
		pol_init(&self->p, pname, CRS_MODE_ENFORCE, A, A);	\
	}								\
	FIXTURE_TEARDOWN(name)						\
	{								\
		pol_release(&self->p);					\
		nf_teardown(&self->f);					\
	}

/* The event of @type from @pid, once it has arrived (ASSERTs that it does). */
static const struct crs_event *__nf_event(struct __test_metadata *_metadata, struct net_fix *f,
					  pid_t pid, int type)
{
	const struct crs_event *e;

	ASSERT_EQ(0, ev_wait(f->ev, f->b, pid, EVENT_TIMEOUT_MS));
	e = ev_find(f->b, pid, type);
	ASSERT_NE(NULL, e);
	return e;
}
#define nf_event(f, pid, type) __nf_event(_metadata, f, pid, type)

/* The event of x->pid, once it has arrived, is @x. */
#define nf_check(f, x) net_ev_check(nf_event(f, (x)->pid, (x)->type), x)

/* A denial of @pid's call by this program in enforce mode, rule @idx (@name); fill in the rest. */
static struct net_expect nf_denial(const struct net_fix *f, enum crs_rule_type type,
				   enum crs_direction dir, enum crs_proto proto, int fam,
				   pid_t pid, uint32_t idx, const char *name)
{
	struct net_expect x = {
		.type = type, .direction = dir, .protocol = proto, .family = fam,
		.cgroup_id = f->sb.cgid, .pid = pid, .program = self_exe(),
		.rule_index = idx, .rule_name = name,
		.action = D, .verdict = D, .mode = CRS_MODE_ENFORCE,
	};

	return x;
}

/* ... of an outbound call to @remote:@port. */
static struct net_expect nf_out_denial(const struct net_fix *f, enum crs_proto proto, int fam,
				       pid_t pid, const char *remote, uint16_t port,
				       uint32_t idx, const char *name)
{
	struct net_expect x = nf_denial(f, CRS_RULE_NETWORK, OUT, proto, fam, pid, idx, name);

	x.remote = remote;
	x.remote_port = port;
	return x;
}

/* ... of a bind or listen on @local:@port. */
static struct net_expect nf_listen_denial(const struct net_fix *f, enum crs_proto proto,
					  int fam, pid_t pid, const char *local, uint16_t port,
					  uint32_t idx, const char *name)
{
	struct net_expect x = nf_denial(f, CRS_RULE_LISTENER, IN, proto, fam, pid, idx, name);

	x.local = local;
	x.local_port = port;
	return x;
}

/* A server of @proto in the peer netns on its wildcard address, port PORT (ASSERTed). */
static int __nf_peer_server(struct __test_metadata *_metadata, struct net_fix *f, int fam,
			    enum crs_proto proto)
{
	int srv = proto == TCP ?
		  net_tcp_listener(&f->env, f->env.ns_p, fam, fam_any(fam), PORT) :
		  net_bound(&f->env, f->env.ns_p, fam, SOCK_DGRAM, fam_any(fam), PORT);

	ASSERT_LE(0, srv);
	return srv;
}
#define nf_peer_server(f, fam, proto) __nf_peer_server(_metadata, f, fam, proto)

/* @fd, a connection that must have been made (accepted or connected), is; close it. */
static void __fd_made(struct __test_metadata *_metadata, int fd)
{
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
}
#define fd_made(fd) __fd_made(_metadata, fd)

/* For AF_INET, then AF_INET6. */
#define FOR_FAMILIES(fam) for (fam = AF_INET; fam; fam = fam == AF_INET ? AF_INET6 : 0)

/* ================================================================ flows */

enum flow_case {
	FC_DENY_ENFORCE,	/* rule 1 denies P */
	FC_DENY_MONITOR,
	FC_DENY_DISABLED,
	FC_DEFAULT_DENY,	/* default deny; rule 1 allows Q */
	FC_ALLOW_LOGGED,	/* rule 1 allows P; allow decisions are logged */
};

FIXTURE(net_flow) {
	struct net_fix f;
};

FIXTURE_VARIANT(net_flow) {
	enum crs_direction dir;
	enum crs_proto proto;
	int family;
	enum flow_case c;
};

#define FLOW(name, d, p, fam, cs)					\
	FIXTURE_VARIANT_ADD(net_flow, name) {				\
		.dir = d, .proto = p, .family = fam, .c = cs,		\
	}
#define FLOWS(dn, d, pn, p, fn, fam)						\
	FLOW(dn##_##pn##_##fn##_deny_enforce, d, p, fam, FC_DENY_ENFORCE);	\
	FLOW(dn##_##pn##_##fn##_deny_monitor, d, p, fam, FC_DENY_MONITOR);	\
	FLOW(dn##_##pn##_##fn##_deny_disabled, d, p, fam, FC_DENY_DISABLED);	\
	FLOW(dn##_##pn##_##fn##_default_deny, d, p, fam, FC_DEFAULT_DENY);	\
	FLOW(dn##_##pn##_##fn##_allow_logged, d, p, fam, FC_ALLOW_LOGGED)

FLOWS(out, OUT, tcp, TCP, v4, AF_INET);
FLOWS(out, OUT, tcp, TCP, v6, AF_INET6);
FLOWS(out, OUT, udp, UDP, v4, AF_INET);
FLOWS(out, OUT, udp, UDP, v6, AF_INET6);
FLOWS(in, IN, tcp, TCP, v4, AF_INET);
FLOWS(in, IN, tcp, TCP, v6, AF_INET6);
FLOWS(in, IN, udp, UDP, v4, AF_INET);
FLOWS(in, IN, udp, UDP, v6, AF_INET6);

static void flow_table(struct crs_policy *p, const void *arg)
{
	const FIXTURE_VARIANT(net_flow) *variant = arg;
	enum crs_mode mode = variant->c == FC_DENY_MONITOR ? CRS_MODE_MONITOR :
			     variant->c == FC_DENY_DISABLED ? CRS_MODE_DISABLED : CRS_MODE_ENFORCE;
	/* the port is the destination's: the peer's (out), the container's (in) */
	uint16_t pmin = PORT, pmax = PORT;
	int fam = variant->family;

	pol_init(p, "net-flow", mode, A, A);
	pol_net(p, "other", D, "*", variant->dir, variant->proto,
		fam == AF_INET ? "192.0.2.0/24" : "2001:db8::/32", 0, 65535);
	switch (variant->c) {
	case FC_DEFAULT_DENY:
		p->defaults[CRS_RULE_NETWORK] = D;
		pol_net(p, "allow-q", A, "*", variant->dir, variant->proto,
			host(fam, peer_q(fam)), pmin, pmax);
		break;
	case FC_ALLOW_LOGGED:
		pol_net(p, "allow-p", A, "*", variant->dir, variant->proto,
			host(fam, peer_p(fam)), pmin, pmax);
		break;
	default:
		pol_net(p, "deny-p", D, "*", variant->dir, variant->proto,
			host(fam, peer_p(fam)), pmin, pmax);
	}
}

FIXTURE_SETUP(net_flow)
{
	__nf_setup_table(_metadata, &self->f, flow_table, variant);
	if (variant->c == FC_ALLOW_LOGGED) {
		struct crs_err err = {0};
		int ret = crs_nl_set_container(self->f.sb.nl, self->f.sb.cgid, CRS_MODE_POLICY,
					       CRS_LOG_DENY | CRS_LOG_ALLOW, &err);

		ASSERT_EQ(0, ret) {
			TH_LOG("set_container: %s (%s)", strerror(-ret), err.msg);
		}
	}
}

NF_TEARDOWN(net_flow)

/* Expected event for the P peer, or false if none is due. */
static bool flow_expect(const FIXTURE_VARIANT(net_flow) *v, struct net_expect *x)
{
	switch (v->c) {
	case FC_DENY_ENFORCE:
		x->rule_index = 1, x->rule_name = "deny-p";
		x->action = D, x->verdict = D, x->mode = CRS_MODE_ENFORCE;
		return true;
	case FC_DENY_MONITOR:
		x->rule_index = 1, x->rule_name = "deny-p";
		x->action = A, x->verdict = D, x->mode = CRS_MODE_MONITOR;
		return true;
	case FC_DEFAULT_DENY:
		x->rule_index = CRS_RULE_INDEX_NONE, x->rule_name = "";
		x->action = D, x->verdict = D, x->mode = CRS_MODE_ENFORCE;
		return true;
	case FC_ALLOW_LOGGED:
		x->rule_index = 1, x->rule_name = "allow-p";
		x->action = A, x->verdict = A, x->mode = CRS_MODE_ENFORCE;
		return true;
	default:
		return false;
	}
}

static bool flow_denied(const FIXTURE_VARIANT(net_flow) *v)
{
	return v->c == FC_DENY_ENFORCE || v->c == FC_DEFAULT_DENY;
}

/*
 * Outbound: a policed child connects (TCP; UDP: connect+send, then an
 * unconnected sendto) to P (denied by the case) and Q (allowed). Inbound: a
 * socket made in the policed cgroup listens/receives on the container side;
 * the peer connects/sends from P and from Q. Checks the errno, what arrived
 * on the other side and the events (all of them, field by field).
 */
TEST_F_TIMEOUT(net_flow, flow, 60)
{
	const FIXTURE_VARIANT(net_flow) *v = variant;
	struct net_fix *f = &self->f;
	bool denied = flow_denied(v);
	int fam = v->family, nexp = 0, i, fd, srv;
	struct net_expect x = {
		.type = CRS_RULE_NETWORK, .direction = v->dir, .protocol = v->proto,
		.family = fam, .cgroup_id = f->sb.cgid,
	};
	bool event = flow_expect(v, &x);
	char buf[256], who[INET6_ADDRSTRLEN];
	struct sockaddr_storage from;
	pid_t pids[3] = { 0, 0, 0 };
	int nmax;

	if (v->dir == OUT) {
		x.remote = peer_p(fam);
		x.remote_port = PORT;
		x.program = self_exe();
		if (v->proto == TCP) {
			srv = nf_peer_server(f, fam, TCP);
			EXPECT_EQ(denied ? EACCES : 0,
				  nf_op(f, f->sb.cg, fam, TCP, NOP_CONNECT, peer_p(fam), PORT, &pids[0]));
			EXPECT_EQ(0, nf_op(f, f->sb.cg, fam, TCP, NOP_CONNECT, peer_q(fam), PORT, NULL));
			/* what reached the peer: Q's connection, and P's unless denied */
			for (i = 0; i < (denied ? 1 : 2); i++) {
				fd = net_accept_wait(srv, 2000);
				ASSERT_LE(0, fd) {
					TH_LOG("connection %d did not arrive: %s", i, strerror(-fd));
				}
				peer_of(fd, who, sizeof(who));
				close(fd);
			}
			EXPECT_EQ(-ETIMEDOUT, net_accept_wait(srv, 200));
			close(srv);
			nexp = 1;
		} else {
			srv = nf_peer_server(f, fam, UDP);
			EXPECT_EQ(denied ? EACCES : 0,
				  nf_op(f, f->sb.cg, fam, UDP, NOP_CONNECT, peer_p(fam), PORT, &pids[0]));
			EXPECT_EQ(denied ? EACCES : 0,
				  nf_op(f, f->sb.cg, fam, UDP, NOP_SENDTO, peer_p(fam), PORT, &pids[1]));
			EXPECT_EQ(0, nf_op(f, f->sb.cg, fam, UDP, NOP_CONNECT, peer_q(fam), PORT, NULL));
			EXPECT_EQ(0, nf_op(f, f->sb.cg, fam, UDP, NOP_SENDTO, peer_q(fam), PORT, NULL));
			EXPECT_EQ(denied ? 2 : 4, net_count_dgrams(srv, 1000));
			close(srv);
			/*
			 * connect, then (unless it was denied) the send() on the
			 * connected socket, checked against its peer; then sendto
			 */
			if (denied) {
				nexp = 2;
			} else {
				nexp = 3;
				pids[2] = pids[1];
				pids[1] = pids[0];
			}
		}
	} else {
		x.remote = peer_p(fam);
		x.remote_port = SPORT_P;
		x.local = self_c(fam);
		x.local_port = PORT;
		x.program = "";
		srv = net_socket_from(f->sb.cg, f->env.ns_c, fam, sock_type(v->proto),
				      fam_any(fam), PORT, v->proto == TCP);
		ASSERT_LE(0, srv) {
			TH_LOG("policed server socket: %d", srv);
		}
		if (v->proto == TCP) {
			fd = net_peer_connect(&f->env, f->env.ns_p, fam, peer_p(fam), SPORT_P,
					      self_c(fam), PORT, DENIED_WAIT_MS);
			if (denied) {
				EXPECT_EQ(-ETIMEDOUT, fd);
			} else {
				EXPECT_LE(0, fd) {
					TH_LOG("connect from P: %s", strerror(-fd));
				}
			}
			if (fd >= 0)
				close(fd);
			fd = net_peer_connect(&f->env, f->env.ns_p, fam, peer_q(fam), SPORT_Q,
					      self_c(fam), PORT, 3000);
			EXPECT_LE(0, fd) {
				TH_LOG("connect from Q: %s", strerror(-fd));
			}
			if (fd >= 0)
				close(fd);
			/* the server's accept queue: Q's, and P's unless denied */
			for (i = 0; i < (denied ? 1 : 2); i++) {
				fd = net_accept_wait(srv, 2000);
				ASSERT_LE(0, fd);
				peer_of(fd, who, sizeof(who));
				if (denied)
					EXPECT_STREQ(peer_q(fam), who);
				close(fd);
			}
			EXPECT_EQ(-ETIMEDOUT, net_accept_wait(srv, 200));
		} else {
			ASSERT_EQ(0, net_peer_sendto(&f->env, f->env.ns_p, fam, peer_p(fam), SPORT_P,
						     self_c(fam), PORT, "from-p"));
			ASSERT_EQ(0, net_peer_sendto(&f->env, f->env.ns_p, fam, peer_q(fam), SPORT_Q,
						     self_c(fam), PORT, "from-q"));
			for (i = 0; i < (denied ? 1 : 2); i++) {
				int n = net_recv_wait(srv, buf, sizeof(buf) - 1, 2000, &from);

				ASSERT_LT(0, n) {
					TH_LOG("datagram %d did not arrive: %s", i, strerror(-n));
				}
				buf[n] = '\0';
				if (denied) {
					EXPECT_STREQ("from-q", buf);
					EXPECT_STREQ(peer_q(fam), addr_of(&from, who, sizeof(who)));
				}
			}
			EXPECT_EQ(-ETIMEDOUT, net_recv_wait(srv, buf, sizeof(buf), 300, NULL));
		}
		close(srv);
		nexp = 1;
	}

	sb_fence(&f->sb, f->ev, f->b);
	if (!event) {
		EXPECT_EQ(0, net_ev_count(f->b, f->sb.cgid));
		return;
	}
	/* a dropped SYN is retransmitted (after 1 s): each one is a decision */
	nmax = v->dir == IN && v->proto == TCP && denied ? 3 : nexp;
	i = net_ev_count(f->b, f->sb.cgid);
	EXPECT_LE(nexp, i);
	EXPECT_GE(nmax, i);
	for (i = 0; i < nmax; i++) {
		const struct crs_event *e = net_ev_find(f->b, f->sb.cgid, CRS_RULE_NETWORK, v->dir, i);

		if (i >= nexp && !e)
			break;
		ASSERT_NE(NULL, e) {
			TH_LOG("event %d of %d did not arrive", i + 1, nexp);
		}
		x.pid = v->dir == OUT ? pids[i] : 0;
		net_ev_check(e, &x);
	}
}

/* ========================================================= outbound calls */

FIXTURE(net_calls) {
	struct net_fix f;
};

static void calls_table(struct crs_policy *p, const void *variant)
{
	pol_init(p, "net-calls", CRS_MODE_ENFORCE, A, A);
	pol_net(p, "deny-p4", D, "*", OUT, ANY, NET_P4 "/32", 0, 65535);
	pol_net(p, "deny-p6", D, "*", OUT, ANY, NET_P6 "/128", 0, 65535);
	pol_net(p, "deny-tcp-q-9000", D, "*", OUT, TCP, NET_Q4 "/32", 9000, 9000);
	pol_net(p, "deny-udp-q-9001", D, "*", OUT, UDP, NET_Q4 "/32", 9001, 9001);
}

NF_SETUP_TABLE(net_calls, calls_table)
NF_TEARDOWN(net_calls)

/* sendmmsg Q, P, Q: the second fails, the call returns 1; one datagram arrives. */
TEST_F(net_calls, sendmmsg_middle_denied)
{
	struct net_fix *f = &self->f;
	int fams[2] = { AF_INET, AF_INET6 }, i, srv;
	struct net_op o;

	for (i = 0; i < 2; i++) {
		int fam = fams[i];

		srv = nf_peer_server(f, fam, UDP);
		net_op_init(&o, f->env.ns_c, fam, SOCK_DGRAM, 0, NOP_SENDMMSG);
		net_op_add_dst(&o, fam, peer_q(fam), PORT);
		net_op_add_dst(&o, fam, peer_p(fam), PORT);
		net_op_add_dst(&o, fam, peer_q(fam), PORT);
		EXPECT_EQ(101, net_run(f->sb.cg, &o, NULL));
		EXPECT_EQ(1, net_count_dgrams(srv, 1000));
		/* the denied one first: -1 EACCES, nothing sent */
		net_op_init(&o, f->env.ns_c, fam, SOCK_DGRAM, 0, NOP_SENDMMSG);
		net_op_add_dst(&o, fam, peer_p(fam), PORT);
		net_op_add_dst(&o, fam, peer_q(fam), PORT);
		EXPECT_EQ(EACCES, net_run(f->sb.cg, &o, NULL));
		EXPECT_EQ(0, net_count_dgrams(srv, 500));
		/* all allowed */
		net_op_init(&o, f->env.ns_c, fam, SOCK_DGRAM, 0, NOP_SENDMMSG);
		net_op_add_dst(&o, fam, peer_q(fam), PORT);
		net_op_add_dst(&o, fam, peer_q(fam), PORT);
		EXPECT_EQ(102, net_run(f->sb.cg, &o, NULL));
		EXPECT_EQ(2, net_count_dgrams(srv, 1000));
		close(srv);
	}
}

/* send() on a UDP socket connected before the process entered the cgroup. */
TEST_F(net_calls, connected_udp_send)
{
	struct net_fix *f = &self->f;
	struct net_op o;
	int srv, fam;

	FOR_FAMILIES(fam) {
		srv = nf_peer_server(f, fam, UDP);
		net_op_init(&o, f->env.ns_c, fam, SOCK_DGRAM, 0, NOP_CONNECT_SEND);
		net_op_dst(&o, fam, peer_p(fam), PORT);
		o.join_cg = f->sb.cg;
		EXPECT_EQ(EACCES, net_run(NULL, &o, NULL));
		net_op_dst(&o, fam, peer_q(fam), PORT);
		EXPECT_EQ(0, net_run(NULL, &o, NULL));
		EXPECT_EQ(1, net_count_dgrams(srv, 1000));
		close(srv);
	}
}

/* sendto(MSG_FASTOPEN) is a connect. */
TEST_F(net_calls, tcp_fastopen)
{
	struct net_fix *f = &self->f;
	int srv, fam;
	pid_t pid;
	const struct crs_event *e;

	FOR_FAMILIES(fam) {
		srv = nf_peer_server(f, fam, TCP);
		EXPECT_EQ(EACCES, nf_op(f, f->sb.cg, fam, TCP, NOP_FASTOPEN, peer_p(fam), PORT, &pid));
		EXPECT_EQ(0, nf_op(f, f->sb.cg, fam, TCP, NOP_FASTOPEN, peer_q(fam), PORT, NULL));
		fd_made(net_accept_wait(srv, 2000));
		EXPECT_EQ(-ETIMEDOUT, net_accept_wait(srv, 200));
		close(srv);
		e = nf_event(f, pid, CRS_RULE_NETWORK);
		EXPECT_EQ(TCP, e->protocol);
		EXPECT_EQ(OUT, e->direction);
		EXPECT_EQ(fam, e->family);
	}
}

struct ping_arg {
	int ns, family;
	const char *dst;
};

/* One echo request on a ping socket; errno or 0. */
static int ping_fn(void *a)
{
	const struct ping_arg *p = a;
	struct sockaddr_storage ss;
	socklen_t len = net_sa(&ss, p->family, p->dst, 0);
	uint8_t pkt[16] = { 0 };
	int fd;

	if (setns(p->ns, CLONE_NEWNET))
		return 201;
	fd = socket(p->family, SOCK_DGRAM | SOCK_CLOEXEC,
		    p->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0)
		return 200;
	pkt[0] = p->family == AF_INET ? 8 : 128;	/* echo request */
	if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, len) < 0)
		return errno;
	return 0;
}

/* Ping sockets: an echo request to a denied peer fails, protocol icmp. */
TEST_F(net_calls, ping_socket)
{
	struct net_fix *f = &self->f;
	struct ping_arg a = { .ns = f->env.ns_c };
	struct net_expect x;
	pid_t pid;

	for (a.family = AF_INET; a.family; a.family = a.family == AF_INET ? AF_INET6 : 0) {
		a.dst = peer_q(a.family);
		EXPECT_EQ(0, run_in(NULL, ping_fn, &a, NULL));		/* the control */
		EXPECT_EQ(0, run_in(f->sb.cg, ping_fn, &a, NULL));
		a.dst = peer_p(a.family);
		EXPECT_EQ(0, run_in(NULL, ping_fn, &a, NULL));
		EXPECT_EQ(EACCES, run_in(f->sb.cg, ping_fn, &a, &pid));
		x = nf_out_denial(f, ICMP, a.family, pid, peer_p(a.family), 0,
				  a.family == AF_INET ? 0 : 1,
				  a.family == AF_INET ? "deny-p4" : "deny-p6");
		x.any_remote_port = true;
		nf_check(f, &x);
	}
}

/*
 * Raw packets (IP header included) are decided at LOCAL_OUT on their header:
 * a denied one is dropped and sendto fails with EPERM; the event names the
 * sender (process context), protocol udp, the header's destination and port.
 */
TEST_F(net_calls, raw_socket)
{
	struct net_fix *f = &self->f;
	struct net_op o;
	int srv, fam;
	pid_t pid;

	FOR_FAMILIES(fam) {
		struct net_expect x;

		srv = nf_peer_server(f, fam, UDP);
		net_op_init(&o, f->env.ns_c, fam, SOCK_RAW, IPPROTO_RAW, NOP_RAW);
		net_op_dst(&o, fam, peer_q(fam), PORT);
		EXPECT_EQ(0, net_run(f->sb.cg, &o, NULL));
		EXPECT_EQ(1, net_count_dgrams(srv, 1000)) {
			TH_LOG("family %d: the allowed raw packet did not arrive", fam);
		}
		net_op_dst(&o, fam, peer_p(fam), PORT);
		EXPECT_EQ(EPERM, net_run(f->sb.cg, &o, &pid));
		EXPECT_EQ(0, net_count_dgrams(srv, 500));
		x = nf_out_denial(f, UDP, fam, pid, peer_p(fam), PORT, fam == AF_INET ? 0 : 1,
				  fam == AF_INET ? "deny-p4" : "deny-p6");
		nf_check(f, &x);
		/* the same packet from outside the cgroup goes through */
		EXPECT_EQ(0, net_run(NULL, &o, NULL));
		EXPECT_EQ(1, net_count_dgrams(srv, 1000));
		close(srv);
	}
}

/* A raw ICMP socket (ping without ping sockets): protocol icmp, EPERM. */
TEST_F(net_calls, raw_icmp)
{
	struct net_fix *f = &self->f;
	struct net_op o;
	const struct crs_event *e;
	int fam;
	pid_t pid;

	FOR_FAMILIES(fam) {
		net_op_init(&o, f->env.ns_c, fam, SOCK_RAW,
			    fam == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6, NOP_RAW_ICMP);
		net_op_dst(&o, fam, peer_q(fam), 0);
		EXPECT_EQ(0, net_run(f->sb.cg, &o, NULL));
		net_op_dst(&o, fam, peer_p(fam), 0);
		EXPECT_EQ(0, net_run(NULL, &o, NULL));
		EXPECT_EQ(EPERM, net_run(f->sb.cg, &o, &pid));
		e = nf_event(f, pid, CRS_RULE_NETWORK);
		EXPECT_EQ(ICMP, e->protocol);
		EXPECT_EQ(fam, e->family);
		EXPECT_EQ(D, e->action);
		EXPECT_EQ((uint32_t)(fam == AF_INET ? 0 : 1), e->rule_index);
	}
}

/*
 * A connect to Q:@port on a (@type, @proto) socket is denied by rule @rule,
 * whose protocol is @class; the kernel may lack @name sockets.
 */
static void proto_class(struct __test_metadata *_metadata, struct net_fix *f, int type,
			int proto, const char *name, uint16_t port, enum crs_proto class,
			uint32_t rule)
{
	const struct crs_event *e;
	struct net_op o;
	pid_t pid;
	int ret;

	net_op_init(&o, f->env.ns_c, AF_INET, type, proto, NOP_CONNECT);
	net_op_dst(&o, AF_INET, NET_Q4, port);
	ret = net_run(f->sb.cg, &o, &pid);
	if (ret == 202) {
		TH_LOG("no %s sockets here", name);
		return;
	}
	EXPECT_EQ(EACCES, ret);
	e = nf_event(f, pid, CRS_RULE_NETWORK);
	EXPECT_EQ(class, e->protocol);
	EXPECT_EQ(rule, e->rule_index);
}

/* MPTCP is tcp, UDP-Lite is udp (rules 2 and 3 name only those protocols). */
TEST_F(net_calls, mptcp_and_udplite)
{
	struct net_fix *f = &self->f;
	struct net_op o;

	proto_class(_metadata, f, SOCK_STREAM, 262 /* IPPROTO_MPTCP */, "MPTCP", 9000, TCP, 2);
	proto_class(_metadata, f, SOCK_DGRAM, IPPROTO_UDPLITE, "UDP-Lite", 9001, UDP, 3);
	/* the other protocol on the same port is not covered */
	net_op_init(&o, f->env.ns_c, AF_INET, SOCK_DGRAM, 0, NOP_CONNECT);
	net_op_dst(&o, AF_INET, NET_Q4, 9000);
	EXPECT_EQ(0, net_run(f->sb.cg, &o, NULL));
}

/* The per-container mode override: monitor lets a denied connect through. */
TEST_F(net_calls, container_mode_override)
{
	struct net_fix *f = &self->f;
	struct crs_err err = {0};
	const struct crs_event *e;
	pid_t pid;

	ASSERT_EQ(0, crs_nl_set_container(f->sb.nl, f->sb.cgid, CRS_MODE_MONITOR, -1, &err));
	EXPECT_EQ(0, nf_op(f, f->sb.cg, AF_INET, UDP, NOP_CONNECT, NET_P4, PORT, &pid));
	e = nf_event(f, pid, CRS_RULE_NETWORK);
	EXPECT_EQ(A, e->action);
	EXPECT_EQ(D, e->verdict);
	EXPECT_EQ(CRS_MODE_MONITOR, e->mode);
	ASSERT_EQ(0, crs_nl_set_container(f->sb.nl, f->sb.cgid, CRS_MODE_DISABLED, -1, &err));
	EXPECT_EQ(0, nf_op(f, f->sb.cg, AF_INET, UDP, NOP_CONNECT, NET_P4, PORT, NULL));
	ASSERT_EQ(0, crs_nl_set_container(f->sb.nl, f->sb.cgid, CRS_MODE_POLICY, -1, &err));
	EXPECT_EQ(EACCES, nf_op(f, f->sb.cg, AF_INET, UDP, NOP_CONNECT, NET_P4, PORT, NULL));
}

/*
 * Under default-deny network rules, a connected UDP socket hears its peer
 * (decided once, outbound, at connect), an unconnected one is a server and
 * its datagrams are inbound decisions: dropped.
 */
TEST_F(net_calls, udp_replies)
{
	struct net_fix *f = &self->f;
	struct crs_policy p;
	struct sockaddr_storage q;
	socklen_t ql = net_sa(&q, AF_INET, NET_Q4, PORT);
	char buf[64];
	int conn, unconn;

	pol_init(&p, "net-udp-replies", CRS_MODE_ENFORCE, A, A);
	p.defaults[CRS_RULE_NETWORK] = D;
	pol_net(&p, "allow-q-out", A, "*", OUT, UDP, NET_Q4 "/32", PORT, PORT);
	nf_load(f, &p);
	pol_release(&p);
	conn = net_socket_from(f->sb.cg, f->env.ns_c, AF_INET, SOCK_DGRAM, NET_C4, 5555, false);
	unconn = net_socket_from(f->sb.cg, f->env.ns_c, AF_INET, SOCK_DGRAM, NET_C4, 5556, false);
	ASSERT_LE(0, conn);
	ASSERT_LE(0, unconn);
	ASSERT_EQ(0, connect(conn, (struct sockaddr *)&q, ql));
	ASSERT_EQ(0, net_peer_sendto(&f->env, f->env.ns_p, AF_INET, NET_Q4, PORT, NET_C4, 5555,
				     "reply"));
	ASSERT_EQ(0, net_peer_sendto(&f->env, f->env.ns_p, AF_INET, NET_Q4, PORT, NET_C4, 5556,
				     "reply"));
	EXPECT_EQ(5, net_recv_wait(conn, buf, sizeof(buf), 2000, NULL));
	EXPECT_EQ(-ETIMEDOUT, net_recv_wait(unconn, buf, sizeof(buf), 1000, NULL));
	close(conn);
	close(unconn);
}

/* io_uring connect and sendmsg are checked like the syscalls, inline and in io-wq. */
TEST_F(net_calls, io_uring)
{
	struct net_fix *f = &self->f;
	struct net_op o;
	int srv, ret, round;

	for (round = 0; round < 2; round++) {
		unsigned int fl = round ? IOSQE_ASYNC : 0;

		srv = nf_peer_server(f, AF_INET, TCP);
		net_op_init(&o, f->env.ns_c, AF_INET, SOCK_STREAM, 0, NOP_URING_CONNECT);
		o.uring_flags = fl;
		net_op_dst(&o, AF_INET, NET_P4, PORT);
		ret = net_run(f->sb.cg, &o, NULL);
		if (ret == 208)
			SKIP(return, "io_uring is not available");
		EXPECT_EQ(EACCES, ret);
		net_op_dst(&o, AF_INET, NET_Q4, PORT);
		EXPECT_EQ(0, net_run(f->sb.cg, &o, NULL));
		fd_made(net_accept_wait(srv, 2000));
		close(srv);

		srv = nf_peer_server(f, AF_INET6, UDP);
		net_op_init(&o, f->env.ns_c, AF_INET6, SOCK_DGRAM, 0, NOP_URING_SENDMSG);
		o.uring_flags = fl;
		net_op_dst(&o, AF_INET6, NET_P6, PORT);
		EXPECT_EQ(EACCES, net_run(f->sb.cg, &o, NULL));
		net_op_dst(&o, AF_INET6, NET_Q6, PORT);
		EXPECT_EQ(0, net_run(f->sb.cg, &o, NULL));
		EXPECT_EQ(1, net_count_dgrams(srv, 1000));
		close(srv);
	}
}

/*
 * An AF_INET6 socket talking to ::ffff:10.99.0.2 is matched by the IPv4
 * rule, and the event says AF_INET with the 4-byte address.
 */
TEST_F(net_calls, v4_mapped)
{
	struct net_fix *f = &self->f;
	struct net_expect x;
	int srv;
	pid_t pid;

	srv = nf_peer_server(f, AF_INET, TCP);
	EXPECT_EQ(EACCES, nf_op(f, f->sb.cg, AF_INET6, TCP, NOP_CONNECT, "::ffff:" NET_P4,
				PORT, &pid));
	x = nf_out_denial(f, TCP, AF_INET, pid, NET_P4, PORT, 0, "deny-p4");
	nf_check(f, &x);
	EXPECT_EQ(0, nf_op(f, f->sb.cg, AF_INET6, TCP, NOP_CONNECT, "::ffff:" NET_Q4, PORT, NULL));
	fd_made(net_accept_wait(srv, 2000));
	close(srv);

	EXPECT_EQ(EACCES, nf_op(f, f->sb.cg, AF_INET6, UDP, NOP_SENDTO, "::ffff:" NET_P4,
				PORT, &pid));
	x = nf_out_denial(f, UDP, AF_INET, pid, NET_P4, PORT, 0, "deny-p4");
	nf_check(f, &x);
	EXPECT_EQ(EACCES, nf_op(f, f->sb.cg, AF_INET6, UDP, NOP_CONNECT, "::ffff:" NET_P4,
				PORT, NULL));
	EXPECT_EQ(0, nf_op(f, f->sb.cg, AF_INET6, UDP, NOP_CONNECT, "::ffff:" NET_Q4, PORT, NULL));
}

/* The same calls from outside the cgroup are not policed. */
TEST_F(net_calls, unpoliced_control)
{
	struct net_fix *f = &self->f;
	char sub[PATH_MAX];
	uint64_t id;

	EXPECT_EQ(0, nf_op(f, NULL, AF_INET, UDP, NOP_CONNECT, NET_P4, PORT, NULL));
	EXPECT_EQ(0, nf_op(f, NULL, AF_INET6, UDP, NOP_SENDTO, NET_P6, PORT, NULL));
	EXPECT_EQ(EACCES, nf_op(f, f->sb.cg, AF_INET, UDP, NOP_CONNECT, NET_P4, PORT, NULL));
	/* a child cgroup without a table of its own is under its parent's */
	sb_subcg(_metadata, &f->sb, f->sb.cg, "sub", sub, &id);
	EXPECT_EQ(EACCES, nf_op(f, sub, AF_INET, UDP, NOP_CONNECT, NET_P4, PORT, NULL));
}

/* ================================================================= CIDR */

FIXTURE(net_cidr) {
	struct net_fix f;
};

FIXTURE_VARIANT(net_cidr) {
	const char *rule;
	int family;
	const char *inside[3];		/* denied */
	const char *outside[3];		/* allowed (NULL-terminated) */
};

FIXTURE_VARIANT_ADD(net_cidr, any) {
	.rule = "*", .family = AF_INET,
	.inside = { "10.99.0.2", "fd99::2", "203.0.113.9" },
};
FIXTURE_VARIANT_ADD(net_cidr, v4_0) {
	.rule = "0.0.0.0/0", .family = AF_INET,
	.inside = { "10.99.0.2", "255.255.255.254", "1.0.0.0" }, .outside = { "fd99::2" },
};
FIXTURE_VARIANT_ADD(net_cidr, v4_8) {
	.rule = "10.0.0.0/8", .family = AF_INET,
	.inside = { "10.0.0.0", "10.255.255.254", "10.99.0.2" },
	.outside = { "9.255.255.255", "11.0.0.0", "fd99::2" },
};
FIXTURE_VARIANT_ADD(net_cidr, v4_25) {
	.rule = "10.99.0.0/25", .family = AF_INET,
	.inside = { "10.99.0.0", "10.99.0.127", "10.99.0.2" },
	.outside = { "10.99.0.128", "10.98.255.255" },
};
FIXTURE_VARIANT_ADD(net_cidr, v4_31) {
	.rule = "10.99.0.2/31", .family = AF_INET,
	.inside = { "10.99.0.2", "10.99.0.3" }, .outside = { "10.99.0.4", "10.99.0.1" },
};
FIXTURE_VARIANT_ADD(net_cidr, v4_32) {
	.rule = "10.99.0.2/32", .family = AF_INET,
	.inside = { "10.99.0.2" }, .outside = { "10.99.0.3", "10.99.1.2", "fd99::2" },
};
FIXTURE_VARIANT_ADD(net_cidr, v6_0) {
	.rule = "::/0", .family = AF_INET6,
	.inside = { "fd99::2", "2001:db8::1", "ffff::1" }, .outside = { "10.99.0.2" },
};
FIXTURE_VARIANT_ADD(net_cidr, v6_64) {
	.rule = "fd99::/64", .family = AF_INET6,
	.inside = { "fd99::2", "fd99::ffff:ffff:ffff:ffff", "fd99::" },
	.outside = { "fd99:0:0:1::", "fd98:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "10.99.0.2" },
};
FIXTURE_VARIANT_ADD(net_cidr, v6_120) {
	.rule = "fd99::/120", .family = AF_INET6,
	.inside = { "fd99::ff", "fd99::2" }, .outside = { "fd99::100", "fd99::1:0" },
};
FIXTURE_VARIANT_ADD(net_cidr, v6_127) {
	.rule = "fd99::2/127", .family = AF_INET6,
	.inside = { "fd99::2", "fd99::3" }, .outside = { "fd99::4", "fd99::1" },
};
FIXTURE_VARIANT_ADD(net_cidr, v6_128) {
	.rule = "fd99::2/128", .family = AF_INET6,
	.inside = { "fd99::2" }, .outside = { "fd99::3", "fd99::1:2", "10.99.0.2" },
};

static void cidr_table(struct crs_policy *p, const void *arg)
{
	const FIXTURE_VARIANT(net_cidr) *variant = arg;

	pol_init(p, "net-cidr", CRS_MODE_ENFORCE, A, A);
	pol_net(p, "cidr", D, "*", OUT, UDP, variant->rule, 0, 65535);
}

NF_SETUP_TABLE(net_cidr, cidr_table)
NF_TEARDOWN(net_cidr)

static int fam_of(const char *a)
{
	return strchr(a, ':') ? AF_INET6 : AF_INET;
}

/* UDP connect (a route lookup, no packet) to addresses inside and outside the prefix. */
TEST_F(net_cidr, edges)
{
	struct net_fix *f = &self->f;
	const char *a;
	pid_t pid;
	int i, ret;

	for (i = 0; i < 3 && (a = variant->inside[i]); i++) {
		ret = nf_op(f, f->sb.cg, fam_of(a), UDP, NOP_CONNECT, a, PORT, &pid);
		EXPECT_EQ(EACCES, ret) {
			TH_LOG("%s inside %s: got %d", a, variant->rule, ret);
		}
		/* control: not EACCES outside the cgroup */
		EXPECT_EQ(0, nf_op(f, NULL, fam_of(a), UDP, NOP_CONNECT, a, PORT, NULL));
		if (i == 0) {
			struct net_expect x = nf_out_denial(f, UDP, fam_of(a), pid, a, PORT,
							    0, "cidr");

			nf_check(f, &x);
		}
	}
	for (i = 0; i < 3 && (a = variant->outside[i]); i++) {
		ret = nf_op(f, f->sb.cg, fam_of(a), UDP, NOP_CONNECT, a, PORT, NULL);
		EXPECT_EQ(0, ret) {
			TH_LOG("%s outside %s: got %d", a, variant->rule, ret);
		}
	}
}

/* ================================================================ ports */

FIXTURE(net_ports) {
	struct net_fix f;
};

FIXTURE_VARIANT(net_ports) {
	uint16_t min, max;
	uint16_t in[3], out[3];		/* 0 = unused (port 0 is never probed) */
};

FIXTURE_VARIANT_ADD(net_ports, range) {
	.min = 1000, .max = 2000, .in = { 1000, 1500, 2000 }, .out = { 999, 2001, 65535 },
};
FIXTURE_VARIANT_ADD(net_ports, single) {
	.min = 53, .max = 53, .in = { 53 }, .out = { 52, 54, 5353 },
};
FIXTURE_VARIANT_ADD(net_ports, top) {
	.min = 65535, .max = 65535, .in = { 65535 }, .out = { 65534, 1 },
};
FIXTURE_VARIANT_ADD(net_ports, bottom) {
	.min = 0, .max = 1, .in = { 1 }, .out = { 2, 65535 },
};
FIXTURE_VARIANT_ADD(net_ports, all) {
	.min = 0, .max = 65535, .in = { 1, 32768, 65535 },
};

static void ports_table(struct crs_policy *p, const void *arg)
{
	const FIXTURE_VARIANT(net_ports) *variant = arg;

	pol_init(p, "net-ports", CRS_MODE_ENFORCE, A, A);
	pol_net(p, "ports-udp", D, "*", OUT, UDP, NET_P4 "/32", variant->min, variant->max);
	pol_net(p, "ports-tcp", D, "*", OUT, TCP, NET_P6 "/128", variant->min, variant->max);
}

NF_SETUP_TABLE(net_ports, ports_table)
NF_TEARDOWN(net_ports)

TEST_F(net_ports, edges)
{
	struct net_fix *f = &self->f;
	int i, ret;

	for (i = 0; i < 3; i++) {
		if (variant->in[i]) {
			ret = nf_op(f, f->sb.cg, AF_INET, UDP, NOP_CONNECT, NET_P4, variant->in[i], NULL);
			EXPECT_EQ(EACCES, ret) {
				TH_LOG("udp port %u in %u-%u: %d", variant->in[i], variant->min,
				       variant->max, ret);
			}
			/* TCP: a denied connect fails at once; nobody listens otherwise */
			ret = nf_op(f, f->sb.cg, AF_INET6, TCP, NOP_CONNECT, NET_P6, variant->in[i], NULL);
			EXPECT_EQ(EACCES, ret) {
				TH_LOG("tcp port %u in %u-%u: %d", variant->in[i], variant->min,
				       variant->max, ret);
			}
		}
		if (variant->out[i]) {
			ret = nf_op(f, f->sb.cg, AF_INET, UDP, NOP_CONNECT, NET_P4, variant->out[i], NULL);
			EXPECT_EQ(0, ret) {
				TH_LOG("udp port %u outside %u-%u: %d", variant->out[i], variant->min,
				       variant->max, ret);
			}
			ret = nf_op(f, f->sb.cg, AF_INET6, TCP, NOP_CONNECT, NET_P6, variant->out[i], NULL);
			EXPECT_EQ(ECONNREFUSED, ret) {
				TH_LOG("tcp port %u outside %u-%u: %d (want the peer's RST)",
				       variant->out[i], variant->min, variant->max, ret);
			}
		}
	}
}

/* ============================================================ precedence */

NF_POLICY_FIXTURE(net_prec, "net-prec")

/* UDP connect to @addr:@port from the cgroup. */
static int prec_udp(struct __test_metadata *_metadata, FIXTURE_DATA(net_prec) *self,
		    const char *addr, uint16_t port, pid_t *pid)
{
	return nf_op(&self->f, self->f.sb.cg, fam_of(addr), UDP, NOP_CONNECT, addr, port, pid);
}

/* The rule that decided @pid's call (its event), or -1. */
static int prec_rule(struct __test_metadata *_metadata, FIXTURE_DATA(net_prec) *self, pid_t pid)
{
	const struct crs_event *e;

	if (ev_wait(self->f.ev, self->f.b, pid, EVENT_TIMEOUT_MS))
		return -1;
	e = ev_find(self->f.b, pid, CRS_RULE_NETWORK);
	return e ? (int)e->rule_index : -1;
}

TEST_F(net_prec, longest_prefix)
{
	pid_t pid;

	pol_net(&self->p, "deny-24", D, "*", OUT, UDP, "10.99.0.0/24", 0, 65535);
	pol_net(&self->p, "allow-32", A, "*", OUT, UDP, NET_P4 "/32", 0, 65535);
	pol_net(&self->p, "allow-56", A, "*", OUT, UDP, "fd99::/56", 0, 65535);
	pol_net(&self->p, "deny-64", D, "*", OUT, UDP, "fd99::/64", 0, 65535);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(0, prec_udp(_metadata, self, NET_P4, PORT, NULL));
	EXPECT_EQ(EACCES, prec_udp(_metadata, self, NET_Q4, PORT, &pid));
	EXPECT_EQ(0, prec_rule(_metadata, self, pid));
	EXPECT_EQ(EACCES, prec_udp(_metadata, self, NET_P6, PORT, &pid));
	EXPECT_EQ(3, prec_rule(_metadata, self, pid));
	EXPECT_EQ(0, prec_udp(_metadata, self, "fd99:0:0:ff::1", PORT, NULL));
}

TEST_F(net_prec, narrowest_ports)
{
	pid_t pid;

	pol_net(&self->p, "allow-7000", A, "*", OUT, UDP, NET_P4 "/32", 7000, 7000);
	pol_net(&self->p, "deny-all", D, "*", OUT, UDP, NET_P4 "/32", 0, 65535);
	pol_net(&self->p, "allow-6990", A, "*", OUT, UDP, NET_P4 "/32", 6990, 6999);
	pol_net(&self->p, "deny-6995", D, "*", OUT, UDP, NET_P4 "/32", 6995, 6996);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(0, prec_udp(_metadata, self, NET_P4, 7000, NULL));
	EXPECT_EQ(EACCES, prec_udp(_metadata, self, NET_P4, 7001, &pid));
	EXPECT_EQ(1, prec_rule(_metadata, self, pid));
	EXPECT_EQ(0, prec_udp(_metadata, self, NET_P4, 6990, NULL));
	EXPECT_EQ(EACCES, prec_udp(_metadata, self, NET_P4, 6995, &pid));
	EXPECT_EQ(3, prec_rule(_metadata, self, pid));
}

/* A longer prefix beats a narrower port range and a named program. */
TEST_F(net_prec, prefix_before_ports_and_program)
{
	pid_t pid;

	pol_net(&self->p, "allow-24-port", A, self_exe(), OUT, UDP, "10.99.0.0/24", 7000, 7000);
	pol_net(&self->p, "deny-32", D, "*", OUT, UDP, NET_P4 "/32", 0, 65535);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(EACCES, prec_udp(_metadata, self, NET_P4, 7000, &pid));
	EXPECT_EQ(1, prec_rule(_metadata, self, pid));
	EXPECT_EQ(0, prec_udp(_metadata, self, NET_Q4, 7000, NULL));
}

/* Same prefix: the narrower port range beats a named program. */
TEST_F(net_prec, ports_before_program)
{
	pid_t pid;

	pol_net(&self->p, "allow-prog", A, self_exe(), OUT, UDP, NET_P4 "/32", 0, 65535);
	pol_net(&self->p, "deny-port", D, "*", OUT, UDP, NET_P4 "/32", 7000, 7000);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(EACCES, prec_udp(_metadata, self, NET_P4, 7000, &pid));
	EXPECT_EQ(1, prec_rule(_metadata, self, pid));
	EXPECT_EQ(0, prec_udp(_metadata, self, NET_P4, 7001, NULL));
}

TEST_F(net_prec, named_program)
{
	pid_t pid;

	pol_net(&self->p, "deny-any", D, "*", OUT, UDP, NET_P4 "/32", 0, 65535);
	pol_net(&self->p, "allow-self", A, self_exe(), OUT, UDP, NET_P4 "/32", 0, 65535);
	pol_net(&self->p, "allow-other", A, OTHER_PROGRAM, OUT, UDP, NET_Q4 "/32", 0, 65535);
	pol_net(&self->p, "deny-q", D, "*", OUT, UDP, NET_Q4 "/32", 0, 65535);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(0, prec_udp(_metadata, self, NET_P4, PORT, NULL));
	/* a rule for another program does not apply */
	EXPECT_EQ(EACCES, prec_udp(_metadata, self, NET_Q4, PORT, &pid));
	EXPECT_EQ(3, prec_rule(_metadata, self, pid));
}

/* Same prefix, ports and program: a named protocol beats "any"; program beats protocol. */
TEST_F(net_prec, named_protocol)
{
	struct net_fix *f = &self->f;
	pid_t pid;
	int srv;

	pol_net(&self->p, "deny-any", D, "*", OUT, ANY, NET_P4 "/32", 0, 65535);
	pol_net(&self->p, "allow-udp", A, "*", OUT, UDP, NET_P4 "/32", 0, 65535);
	pol_net(&self->p, "allow-any-self", A, self_exe(), OUT, ANY, NET_Q4 "/32", 0, 65535);
	pol_net(&self->p, "deny-tcp", D, "*", OUT, TCP, NET_Q4 "/32", 0, 65535);
	nf_load(&self->f, &self->p);
	srv = nf_peer_server(f, AF_INET, TCP);
	EXPECT_EQ(0, prec_udp(_metadata, self, NET_P4, PORT, NULL));
	EXPECT_EQ(EACCES, nf_op(f, f->sb.cg, AF_INET, TCP, NOP_CONNECT, NET_P4, PORT, &pid));
	EXPECT_EQ(0, prec_rule(_metadata, self, pid));
	EXPECT_EQ(0, nf_op(f, f->sb.cg, AF_INET, TCP, NOP_CONNECT, NET_Q4, PORT, NULL));
	close(srv);
}

/* Identical matches: deny wins, in either order. */
TEST_F(net_prec, deny_wins_ties)
{
	pid_t pid;

	pol_net(&self->p, "allow-p", A, "*", OUT, UDP, NET_P4 "/32", 0, 65535);
	pol_net(&self->p, "deny-p", D, "*", OUT, UDP, NET_P4 "/32", 0, 65535);
	pol_net(&self->p, "deny-q", D, "*", OUT, UDP, NET_Q4 "/32", 0, 65535);
	pol_net(&self->p, "allow-q", A, "*", OUT, UDP, NET_Q4 "/32", 0, 65535);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(EACCES, prec_udp(_metadata, self, NET_P4, PORT, &pid));
	EXPECT_EQ(1, prec_rule(_metadata, self, pid));
	EXPECT_EQ(EACCES, prec_udp(_metadata, self, NET_Q4, PORT, &pid));
	EXPECT_EQ(2, prec_rule(_metadata, self, pid));
}

/*
 * Inbound rules name the container's own port, never the peer's source
 * port; and the same datagram to another local port is not matched.
 */
TEST_F(net_prec, inbound_port_is_local)
{
	struct net_fix *f = &self->f;
	char buf[64];
	int srv, other;

	pol_net(&self->p, "deny-src-port", D, "*", IN, UDP, NET_P4 "/32", SPORT_P, SPORT_P);
	pol_net(&self->p, "deny-7001", D, "*", IN, UDP, NET_P4 "/32", PORT + 1, PORT + 1);
	nf_load(&self->f, &self->p);
	srv = net_socket_from(f->sb.cg, f->env.ns_c, AF_INET, SOCK_DGRAM, "0.0.0.0", PORT, false);
	ASSERT_LE(0, srv);
	other = net_socket_from(f->sb.cg, f->env.ns_c, AF_INET, SOCK_DGRAM, "0.0.0.0", PORT + 1,
				false);
	ASSERT_LE(0, other);
	ASSERT_EQ(0, net_peer_sendto(&f->env, f->env.ns_p, AF_INET, NET_P4, SPORT_P, NET_C4,
				     PORT, "to-7000"));
	ASSERT_EQ(0, net_peer_sendto(&f->env, f->env.ns_p, AF_INET, NET_P4, SPORT_P, NET_C4,
				     PORT + 1, "to-7001"));
	EXPECT_EQ(7, net_recv_wait(srv, buf, sizeof(buf), 2000, NULL));
	EXPECT_EQ(-ETIMEDOUT, net_recv_wait(other, buf, sizeof(buf), 1000, NULL));
	close(srv);
	close(other);
}

/*
 * Inbound to a dual-stack AF_INET6 socket from an IPv4 peer: decided by the
 * IPv4 rule, the event in AF_INET with 4-byte addresses.
 */
TEST_F(net_prec, inbound_v4_mapped)
{
	struct net_fix *f = &self->f;
	struct net_expect x = {
		.type = CRS_RULE_NETWORK, .direction = IN, .family = AF_INET,
		.remote = NET_P4, .remote_port = SPORT_P, .local = NET_C4, .local_port = PORT,
		.cgroup_id = f->sb.cgid, .program = "", .rule_index = 0, .rule_name = "deny-in-p4",
		.action = D, .verdict = D, .mode = CRS_MODE_ENFORCE,
	};
	const struct crs_event *e;
	char buf[64];
	int srv;

	pol_net(&self->p, "deny-in-p4", D, "*", IN, ANY, NET_P4 "/32", PORT, PORT);
	nf_load(&self->f, &self->p);
	srv = __net_socket_from(f->sb.cg, f->env.ns_c, AF_INET6, SOCK_STREAM, "::", PORT, true,
				false);
	ASSERT_LE(0, srv);
	EXPECT_EQ(-ETIMEDOUT, net_peer_connect(&f->env, f->env.ns_p, AF_INET, NET_P4, SPORT_P,
					       NET_C4, PORT, DENIED_WAIT_MS));
	fd_made(net_peer_connect(&f->env, f->env.ns_p, AF_INET, NET_Q4, SPORT_Q, NET_C4, PORT,
				 3000));
	fd_made(net_accept_wait(srv, 2000));
	EXPECT_EQ(-ETIMEDOUT, net_accept_wait(srv, 200));
	close(srv);
	sb_fence(&f->sb, f->ev, f->b);
	e = net_ev_find(f->b, f->sb.cgid, CRS_RULE_NETWORK, IN, 0);
	x.protocol = TCP;
	net_ev_check(e, &x);

	srv = __net_socket_from(f->sb.cg, f->env.ns_c, AF_INET6, SOCK_DGRAM, "::", PORT, false,
				false);
	ASSERT_LE(0, srv);
	ASSERT_EQ(0, net_peer_sendto(&f->env, f->env.ns_p, AF_INET, NET_P4, SPORT_P, NET_C4, PORT,
				     "from-p"));
	ASSERT_EQ(0, net_peer_sendto(&f->env, f->env.ns_p, AF_INET, NET_Q4, SPORT_Q, NET_C4, PORT,
				     "from-q"));
	EXPECT_EQ(6, net_recv_wait(srv, buf, sizeof(buf), 2000, NULL));
	EXPECT_EQ(-ETIMEDOUT, net_recv_wait(srv, buf, sizeof(buf), 300, NULL));
	close(srv);
	f->b->n = 0;
	sb_fence(&f->sb, f->ev, f->b);
	e = net_ev_find(f->b, f->sb.cgid, CRS_RULE_NETWORK, IN, 0);
	x.protocol = UDP;
	net_ev_check(e, &x);
}

/*
 * Refused tables: an inbound rule naming a program, a listener rule for
 * ICMP, an ICMP rule with ports. The table in force stays.
 */
TEST_F(net_prec, refused_rules)
{
	struct crs_policy bad;
	struct crs_err err = {0};
	int ret, i;

	pol_net(&self->p, "deny-p", D, "*", OUT, UDP, NET_P4 "/32", 0, 65535);
	nf_load(&self->f, &self->p);
	for (i = 0; i < 3; i++) {
		pol_init(&bad, "net-bad", CRS_MODE_ENFORCE, A, A);
		if (i == 0)
			pol_net(&bad, "in-named", D, self_exe(), IN, TCP, NET_P4 "/32", 0, 65535);
		else if (i == 1)
			pol_listen(&bad, "listen-icmp", D, "*", ICMP, "*", 0, 65535);
		else
			pol_net(&bad, "icmp-ports", D, "*", OUT, ICMP, NET_P4 "/32", 1, 2);
		ret = crs_nl_set_table(self->f.sb.nl, self->f.sb.cgid, &bad, &err);
		EXPECT_EQ(-EINVAL, ret) {
			TH_LOG("case %d: %s (%s)", i, strerror(-ret), err.msg);
		}
		pol_release(&bad);
	}
	EXPECT_EQ(EACCES, prec_udp(_metadata, self, NET_P4, PORT, NULL));
}

/* Direction and type: an inbound rule never decides a connect, nor a listener rule. */
TEST_F(net_prec, direction_and_type)
{
	pol_net(&self->p, "deny-in", D, "*", IN, UDP, NET_P4 "/32", 0, 65535);
	pol_listen(&self->p, "deny-listen", D, "*", UDP, "*", 0, 65535);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(0, prec_udp(_metadata, self, NET_P4, PORT, NULL));
}

/* ============================================================ listeners */

FIXTURE(net_listen_mode) {
	struct net_fix f;
};

FIXTURE_VARIANT(net_listen_mode) {
	enum crs_mode mode;
	enum crs_proto proto;
	int family;
};

#define LM(name, m, p, fam)						\
	FIXTURE_VARIANT_ADD(net_listen_mode, name) {			\
		.mode = m, .proto = p, .family = fam,			\
	}
LM(enforce_tcp_v4, CRS_MODE_ENFORCE, TCP, AF_INET);
LM(enforce_tcp_v6, CRS_MODE_ENFORCE, TCP, AF_INET6);
LM(enforce_udp_v4, CRS_MODE_ENFORCE, UDP, AF_INET);
LM(enforce_udp_v6, CRS_MODE_ENFORCE, UDP, AF_INET6);
LM(monitor_tcp_v4, CRS_MODE_MONITOR, TCP, AF_INET);
LM(monitor_udp_v6, CRS_MODE_MONITOR, UDP, AF_INET6);
LM(disabled_tcp_v6, CRS_MODE_DISABLED, TCP, AF_INET6);
LM(disabled_udp_v4, CRS_MODE_DISABLED, UDP, AF_INET);

static void listen_mode_table(struct crs_policy *p, const void *arg)
{
	const FIXTURE_VARIANT(net_listen_mode) *variant = arg;

	pol_init(p, "net-listen-mode", variant->mode, A, A);
	pol_listen(p, "other", D, "*", variant->proto, "*", 9000, 9000);
	pol_listen(p, "deny-8080", D, "*", variant->proto, "*", 8080, 8080);
}

NF_SETUP_TABLE(net_listen_mode, listen_mode_table)
NF_TEARDOWN(net_listen_mode)

/* bind to the container's own address, port 8080 (denied) and 8081 (not). */
TEST_F(net_listen_mode, bind)
{
	struct net_fix *f = &self->f;
	int fam = variant->family;
	bool enforce = variant->mode == CRS_MODE_ENFORCE;
	struct net_op o;
	pid_t pid;
	const struct crs_event *e;
	struct net_expect x = {
		.type = CRS_RULE_LISTENER, .direction = IN, .protocol = variant->proto,
		.family = fam, .local = self_c(fam), .local_port = 8080,
		.cgroup_id = f->sb.cgid, .program = self_exe(), .rule_index = 1,
		.rule_name = "deny-8080", .action = enforce ? D : A, .verdict = D,
		.mode = variant->mode,
	};

	net_op_init(&o, f->env.ns_c, fam, sock_type(variant->proto), 0, NOP_BIND);
	net_op_src(&o, fam, self_c(fam), 8080);
	EXPECT_EQ(enforce ? EACCES : 0, net_run(f->sb.cg, &o, &pid));
	EXPECT_EQ(0, net_run(NULL, &o, NULL));		/* unpoliced */
	net_op_src(&o, fam, self_c(fam), 8081);
	EXPECT_EQ(0, net_run(f->sb.cg, &o, NULL));
	sb_fence(&f->sb, f->ev, f->b);
	if (variant->mode == CRS_MODE_DISABLED) {
		EXPECT_EQ(0, net_ev_count(f->b, f->sb.cgid));
		return;
	}
	EXPECT_EQ(1, net_ev_count(f->b, f->sb.cgid));
	e = ev_find(f->b, pid, CRS_RULE_LISTENER);
	x.pid = pid;
	net_ev_check(e, &x);
}

NF_POLICY_FIXTURE(net_listen, "net-listen")

/* A policed child: bind (and listen when @kind is NOP_LISTEN) @addr:@port. */
static int lbind(FIXTURE_DATA(net_listen) *self, int fam, int type, enum net_opk kind,
		 const char *addr, uint16_t port, pid_t *pid)
{
	struct net_op o;

	net_op_init(&o, self->f.env.ns_c, fam, type, 0, kind);
	if (addr)
		net_op_src(&o, fam, addr, port);
	o.v6only = fam == AF_INET6;
	return net_run(self->f.sb.cg, &o, pid);
}

/* A rule on a specific address does not cover the wildcard bind, "*" does. */
TEST_F(net_listen, specific_and_wildcard)
{
	pid_t pid;
	struct net_expect x;

	pol_listen(&self->p, "deny-c4", D, "*", ANY, NET_C4 "/32", 0, 65535);
	pol_listen(&self->p, "deny-c6", D, "*", ANY, NET_C6 "/128", 0, 65535);
	pol_listen(&self->p, "deny-any-8443", D, "*", TCP, "*", 8443, 8443);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_STREAM, NOP_BIND, NET_C4, 8080, NULL));
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_DGRAM, NOP_BIND, NET_C4, 8080, NULL));
	EXPECT_EQ(EACCES, lbind(self, AF_INET6, SOCK_STREAM, NOP_BIND, NET_C6, 8080, NULL));
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_STREAM, NOP_BIND, "0.0.0.0", 8080, NULL));
	EXPECT_EQ(0, lbind(self, AF_INET6, SOCK_STREAM, NOP_BIND, "::", 8080, NULL));
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_STREAM, NOP_BIND, "127.0.0.1", 8080, NULL));
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_STREAM, NOP_BIND, "0.0.0.0", 8443, &pid));
	EXPECT_EQ(EACCES, lbind(self, AF_INET6, SOCK_STREAM, NOP_BIND, "::", 8443, NULL));
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_DGRAM, NOP_BIND, "0.0.0.0", 8443, NULL));
	x = nf_listen_denial(&self->f, TCP, AF_INET, pid, "0.0.0.0", 8443, 2, "deny-any-8443");
	nf_check(&self->f, &x);
}

/* A rule for the wildcard address itself: 0.0.0.0/32 and ::/128. */
TEST_F(net_listen, wildcard_address_rule)
{
	pol_listen(&self->p, "deny-wild4", D, "*", ANY, "0.0.0.0/32", 0, 65535);
	pol_listen(&self->p, "deny-wild6", D, "*", ANY, "::/128", 0, 65535);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_STREAM, NOP_BIND, "0.0.0.0", 8080, NULL));
	EXPECT_EQ(EACCES, lbind(self, AF_INET6, SOCK_DGRAM, NOP_BIND, "::", 8080, NULL));
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_STREAM, NOP_BIND, NET_C4, 8080, NULL));
	EXPECT_EQ(0, lbind(self, AF_INET6, SOCK_DGRAM, NOP_BIND, NET_C6, 8080, NULL));
}

/*
 * bind(port 0) is checked as port 0; listen() on the port the kernel
 * picked (the container's ephemeral range narrowed to one port to know it).
 */
TEST_F(net_listen, bind0_then_listen)
{
	struct net_fix *f = &self->f;
	pid_t pid;
	struct net_expect x;

	pol_listen(&self->p, "deny-45000", D, "*", TCP, "*", 45000, 45000);
	nf_load(f, &self->p);
	net_enter(f->env.ns_c);
	ASSERT_EQ(0, net_sysctl("net/ipv4/ip_local_port_range", "45000 45000"));
	net_enter(f->env.ns_orig);
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_STREAM, NOP_BIND, "0.0.0.0", 0, NULL));
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_STREAM, NOP_LISTEN, "0.0.0.0", 0, &pid));
	EXPECT_EQ(EACCES, lbind(self, AF_INET6, SOCK_STREAM, NOP_LISTEN, "::", 0, NULL));
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_DGRAM, NOP_BIND, "0.0.0.0", 0, NULL));
	x = nf_listen_denial(f, TCP, AF_INET, pid, "0.0.0.0", 45000, 0, "deny-45000");
	nf_check(f, &x);
}

/* A rule on port 0: bind(0) is denied, and listen() on an unbound socket too. */
TEST_F(net_listen, port0_and_unbound_listen)
{
	pol_listen(&self->p, "deny-0", D, "*", TCP, "*", 0, 0);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_STREAM, NOP_BIND, "0.0.0.0", 0, NULL));
	EXPECT_EQ(EACCES, lbind(self, AF_INET6, SOCK_STREAM, NOP_BIND, NET_C6, 0, NULL));
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_STREAM, NOP_LISTEN, NULL, 0, NULL));
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_STREAM, NOP_LISTEN, "0.0.0.0", 8080, NULL));
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_DGRAM, NOP_BIND, "0.0.0.0", 0, NULL));
}

/* Rules on every nonzero port leave bind(0) and an unbound listen() alone. */
TEST_F(net_listen, unbound_listen_is_port0)
{
	struct net_fix *f = &self->f;

	pol_listen(&self->p, "deny-ports", D, "*", TCP, "*", 1, 65535);
	nf_load(f, &self->p);
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_STREAM, NOP_BIND, "0.0.0.0", 0, NULL));
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_STREAM, NOP_LISTEN, NULL, 0, NULL));
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_STREAM, NOP_BIND, "0.0.0.0", 80, NULL));
	/* bind(0) then listen: the picked port is in 1-65535 */
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_STREAM, NOP_LISTEN, "0.0.0.0", 0, NULL));
}

/* UDP bind is a listener check; a udp rule leaves TCP alone. */
TEST_F(net_listen, udp_bind)
{
	pid_t pid;
	struct net_expect x;

	pol_listen(&self->p, "deny-5353", D, "*", UDP, "*", 5353, 5353);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(EACCES, lbind(self, AF_INET6, SOCK_DGRAM, NOP_BIND, "::", 5353, &pid));
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_DGRAM, NOP_BIND, NET_C4, 5353, NULL));
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_STREAM, NOP_LISTEN, "0.0.0.0", 5353, NULL));
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_DGRAM, NOP_BIND, NET_C4, 5354, NULL));
	x = nf_listen_denial(&self->f, UDP, AF_INET6, pid, "::", 5353, 0, "deny-5353");
	nf_check(&self->f, &x);
}

/* Listener rules for a named program. */
TEST_F(net_listen, named_program)
{
	pol_listen(&self->p, "deny-all", D, "*", TCP, "*", 0, 65535);
	pol_listen(&self->p, "allow-self-8080", A, self_exe(), TCP, "*", 8080, 8080);
	pol_listen(&self->p, "allow-other-8081", A, OTHER_PROGRAM, TCP, "*", 8081, 8081);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_STREAM, NOP_LISTEN, "0.0.0.0", 8080, NULL));
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_STREAM, NOP_BIND, "0.0.0.0", 8081, NULL));
}

/* Default deny for listeners: an allow rule opens one port. */
TEST_F(net_listen, default_deny)
{
	pid_t pid;
	const struct crs_event *e;

	self->p.defaults[CRS_RULE_LISTENER] = D;
	pol_listen(&self->p, "allow-8080", A, "*", TCP, "*", 8080, 8080);
	nf_load(&self->f, &self->p);
	EXPECT_EQ(0, lbind(self, AF_INET, SOCK_STREAM, NOP_LISTEN, "0.0.0.0", 8080, NULL));
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_STREAM, NOP_BIND, "0.0.0.0", 8081, &pid));
	EXPECT_EQ(EACCES, lbind(self, AF_INET, SOCK_DGRAM, NOP_BIND, "0.0.0.0", 8080, NULL));
	/* network rules' default is separate: outbound still works */
	EXPECT_EQ(0, nf_op(&self->f, self->f.sb.cg, AF_INET, UDP, NOP_CONNECT, NET_P4, PORT, NULL));
	e = nf_event(&self->f, pid, CRS_RULE_LISTENER);
	EXPECT_EQ(CRS_RULE_INDEX_NONE, e->rule_index);
	EXPECT_EQ(CRS_EVENT_F_DEFAULT, e->flags & CRS_EVENT_F_DEFAULT);
	EXPECT_EQ(8081, e->local_port);
	EXPECT_FALSE(e->has_remote);
}

/* SO_REUSEPORT: every bind into the group is checked. */
TEST_F(net_listen, reuseport)
{
	struct net_fix *f = &self->f;
	struct net_op o;
	int fd;

	pol_listen(&self->p, "deny-8443", D, "*", TCP, "*", 8443, 8443);
	nf_load(f, &self->p);
	/* an unpoliced member of the group first */
	net_op_init(&o, f->env.ns_c, AF_INET, SOCK_STREAM, 0, NOP_SOCKET);
	net_op_src(&o, AF_INET, "0.0.0.0", 8443);
	o.reuseport = true;
	o.listen_after_bind = true;
	fd = net_socket_in(&f->env, f->env.ns_c, AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	o.fd = fd;
	ASSERT_EQ(0, net_run(NULL, &o, NULL));
	/* a policed one joining it */
	net_op_init(&o, f->env.ns_c, AF_INET, SOCK_STREAM, 0, NOP_LISTEN);
	net_op_src(&o, AF_INET, "0.0.0.0", 8443);
	o.reuseport = true;
	EXPECT_EQ(EACCES, net_run(f->sb.cg, &o, NULL));
	/* another unpoliced one may */
	EXPECT_EQ(0, net_run(NULL, &o, NULL));
	close(fd);
}

/*
 * A descriptor is checked against the process that calls bind/listen: a
 * socket made outside the cgroup is denied in a policed process, and one
 * made in the cgroup, passed out with SCM_RIGHTS, binds in an unpoliced one.
 */
TEST_F(net_listen, passed_descriptors)
{
	struct net_fix *f = &self->f;
	struct net_op o;
	struct sockaddr_storage ss;
	socklen_t sl = net_sa(&ss, AF_INET, "0.0.0.0", 8080);
	int fd;

	pol_listen(&self->p, "deny-8080", D, "*", TCP, "*", 8080, 8080);
	nf_load(f, &self->p);
	fd = net_socket_in(&f->env, f->env.ns_c, AF_INET, SOCK_STREAM, 0);
	ASSERT_LE(0, fd);
	net_op_init(&o, -1, AF_INET, SOCK_STREAM, 0, NOP_BIND);
	net_op_src(&o, AF_INET, "0.0.0.0", 8080);
	o.fd = fd;
	EXPECT_EQ(EACCES, net_run(f->sb.cg, &o, NULL));
	close(fd);

	fd = net_socket_from(f->sb.cg, f->env.ns_c, AF_INET, SOCK_STREAM, NULL, 0, false);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, bind(fd, (struct sockaddr *)&ss, sl)) {
		TH_LOG("bind by the unpoliced receiver: %s", strerror(errno));
	}
	EXPECT_EQ(0, listen(fd, 4));
	close(fd);

	/* and passed into the cgroup over SCM_RIGHTS: denied there */
	{
		int sv[2], st;
		pid_t p;

		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv));
		fd = net_socket_in(&f->env, f->env.ns_c, AF_INET6, SOCK_STREAM, 0);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, net_send_fd(sv[0], fd));
		close(fd);
		fflush(NULL);
		p = fork();
		ASSERT_LE(0, p);
		if (p == 0) {
			struct sockaddr_storage s6;
			socklen_t l6 = net_sa(&s6, AF_INET6, "::", 8080);
			int r;

			if (cg_join(f->sb.cg))
				_exit(CHILD_SETUP_FAILED);
			r = net_recv_fd(sv[1]);
			if (r < 0)
				_exit(201);
			_exit(bind(r, (struct sockaddr *)&s6, l6) ? errno : 0);
		}
		ASSERT_EQ(p, waitpid(p, &st, 0));
		EXPECT_TRUE(WIFEXITED(st));
		EXPECT_EQ(EACCES, WEXITSTATUS(st));
		close(sv[0]);
		close(sv[1]);
	}
}

/* ======================================================= namespaces */

FIXTURE(net_ns) {
	struct crs_sb sb;
	struct crs_events *ev;
	struct evbuf *b;
};

FIXTURE_SETUP(net_ns)
{
	struct crs_policy p;

	sb_setup(_metadata, &self->sb);
	sb_events(&self->ev);
	self->b = evbuf_new();
	pol_init(&p, "net-ns", CRS_MODE_ENFORCE, A, A);
	pol_net(&p, "deny-lo-udp", D, "*", OUT, UDP, "127.0.0.0/8", 7000, 7000);
	pol_net(&p, "deny-in-2", D, "*", IN, TCP, "127.0.0.2/32", 0, 65535);
	pol_listen(&p, "deny-listen-9", D, "*", TCP, "*", 9, 9);
	sb_load(&self->sb, self->sb.cgid, &p);
	pol_release(&p);
}

FIXTURE_TEARDOWN(net_ns)
{
	crs_events_close(self->ev);
	free(self->b);
	sb_teardown(&self->sb);
}

/*
 * In a netns made now (after insmod), with only loopback: outbound,
 * listener and inbound (a loopback client from 127.0.0.2) decisions.
 * Returns the number of failed checks (run in a child: the netns dies with it).
 */
static int ns_round(const char *cg, bool keep_flow)
{
	struct net_env env;
	struct net_op o;
	int fails = 0, srv, fd, lfd = -1;

	memset(&env, 0, sizeof(env));
	env.ns_orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	env.ns_c = net_new_ns();
	if (env.ns_c < 0)
		return 100;
	net_enter(env.ns_orig);

	net_op_init(&o, env.ns_c, AF_INET, SOCK_DGRAM, 0, NOP_CONNECT);
	net_op_dst(&o, AF_INET, "127.0.0.1", 7000);
	fails += net_run(cg, &o, NULL) != EACCES;
	net_op_dst(&o, AF_INET, "127.0.0.1", 7001);
	fails += net_run(cg, &o, NULL) != 0;
	net_op_init(&o, env.ns_c, AF_INET, SOCK_STREAM, 0, NOP_LISTEN);
	net_op_src(&o, AF_INET, "127.0.0.1", 9);
	fails += net_run(cg, &o, NULL) != EACCES;

	srv = net_socket_from(cg, env.ns_c, AF_INET, SOCK_STREAM, "127.0.0.1", 7002, true);
	if (srv < 0)
		return fails + 1;
	fd = net_peer_connect(&env, env.ns_c, AF_INET, "127.0.0.2", 0, "127.0.0.1", 7002,
			      DENIED_WAIT_MS);
	fails += fd != -ETIMEDOUT;
	if (fd >= 0)
		close(fd);
	fd = net_peer_connect(&env, env.ns_c, AF_INET, "127.0.0.3", 0, "127.0.0.1", 7002, 3000);
	fails += fd < 0;
	lfd = net_accept_wait(srv, 2000);
	fails += lfd < 0;
	fails += net_accept_wait(srv, 100) != -ETIMEDOUT;
	if (!keep_flow) {
		if (fd >= 0)
			close(fd);
		if (lfd >= 0)
			close(lfd);
		close(srv);
	}
	/* with keep_flow, the process exits with the flow open: the netns goes then */
	return fails;
}

static int ns_round_fn(void *arg)
{
	return ns_round(arg, false);
}

static int ns_round_keep_fn(void *arg)
{
	return ns_round(arg, true);
}

/* Hooks exist in a netns created after the module loaded. */
TEST_F(net_ns, created_after_load)
{
	EXPECT_EQ(0, run_in_for(NULL, ns_round_fn, self->sb.cg, NULL, 30000));
}

/*
 * Network namespaces destroyed while the rules stay loaded (some with
 * connections open at the time); a fresh one is policed just the same.
 */
TEST_F_TIMEOUT(net_ns, destroyed_while_loaded, 120)
{
	struct crs_status st;
	struct crs_err err = {0};
	int i;

	for (i = 0; i < 4; i++)
		EXPECT_EQ(0, run_in_for(NULL, i % 2 ? ns_round_keep_fn : ns_round_fn,
					self->sb.cg, NULL, 30000)) {
			TH_LOG("round %d", i);
		}
	/* let cleanup_net run */
	usleep(500000);
	EXPECT_EQ(0, run_in_for(NULL, ns_round_fn, self->sb.cg, NULL, 30000));
	EXPECT_EQ(0, crs_nl_get_status(self->sb.nl, &st, &err));
}

/* ============================================================== limits */

FIXTURE(net_limits) {
	struct net_fix f;
};

FIXTURE_SETUP(net_limits)
{
	nf_setup(&self->f);
}

NF_TEARDOWN(net_limits)

/*
 * 10,000 CIDR rules: 5,000 /32 (10.98.x.y) and 5,000 /24 (10.100.0.0/24 up
 * to 10.119.135.0/24), one /32 allow inside a denied /24. Addresses just
 * inside and just outside are decided right.
 */
TEST_F_TIMEOUT(net_limits, cidr_10000, 300)
{
	struct net_fix *f = &self->f;
	struct crs_policy p;
	char a[64];
	static const struct { const char *addr; int want; } probes[] = {
		{ "10.98.0.1", EACCES },	/* first /32 */
		{ "10.98.19.250", EACCES },	/* last /32 (i = 4999) */
		{ "10.98.0.0", 0 },		/* next to the first */
		{ "10.98.19.251", 0 },		/* next to the last */
		{ "10.98.20.1", 0 },
		{ "10.100.0.0", EACCES },	/* first /24, edges */
		{ "10.100.0.255", EACCES },
		{ "10.119.135.255", EACCES },	/* last /24 */
		{ "10.119.136.0", 0 },		/* just after it */
		{ "10.99.255.255", 0 },		/* just before the first */
		{ "10.110.7.77", 0 },		/* the allow /32 inside 10.110.7.0/24 */
		{ "10.110.7.78", EACCES },
		{ NULL, 0 },
	};
	int i, ret;
	uint64_t t0;

	pol_init(&p, "net-10000", CRS_MODE_ENFORCE, A, A);
	for (i = 0; i < 5000; i++) {
		snprintf(a, sizeof(a), "10.98.%d.%d/32", i / 250, i % 250 + 1);
		pol_net(&p, NULL, D, "*", OUT, UDP, a, 0, 65535);
	}
	for (i = 0; i < 5000; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.0/24", 100 + i / 256, i % 256);
		pol_net(&p, NULL, D, "*", OUT, UDP, a, 0, 65535);
	}
	pol_net(&p, "hole", A, "*", OUT, UDP, "10.110.7.77/32", 0, 65535);
	t0 = now_ms();
	nf_load(f, &p);
	TH_LOG("10,001 rules loaded in %llu ms", (unsigned long long)(now_ms() - t0));
	pol_release(&p);
	for (i = 0; probes[i].addr; i++) {
		ret = nf_op(f, f->sb.cg, AF_INET, UDP, NOP_CONNECT, probes[i].addr, PORT, NULL);
		EXPECT_EQ(probes[i].want, ret) {
			TH_LOG("%s: want %d, got %d", probes[i].addr, probes[i].want, ret);
		}
	}
}

/* CRS_MAX_NET_RULES network+listener rules load; one more does not. */
TEST_F_TIMEOUT(net_limits, max_net_rules, 600)
{
	struct net_fix *f = &self->f;
	struct crs_policy p;
	struct crs_err err = {0};
	char a[64];
	int i, ret;

	pol_init(&p, "net-max", CRS_MODE_ENFORCE, A, A);
	for (i = 0; i < CRS_MAX_NET_RULES; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.%d/32", 100 + i / 65536, (i / 256) % 256, i % 256);
		if (i % 2)
			pol_net(&p, NULL, D, "*", OUT, TCP, a, 1, 1024);
		else
			pol_listen(&p, NULL, D, "*", UDP, a, 1, 1024);
	}
	ret = crs_nl_set_table(f->sb.nl, f->sb.cgid, &p, &err);
	ASSERT_EQ(0, ret) {
		TH_LOG("%d rules: %s (%s)", CRS_MAX_NET_RULES, strerror(-ret), err.msg);
	}
	EXPECT_EQ(EACCES, nf_op(f, f->sb.cg, AF_INET, TCP, NOP_CONNECT, "10.100.255.255", 1024, NULL));
	EXPECT_EQ(0, nf_op(f, f->sb.cg, AF_INET, UDP, NOP_CONNECT, "10.100.255.255", 1024, NULL));
	pol_net(&p, NULL, D, "*", OUT, TCP, "10.200.0.0/16", 0, 65535);
	ret = crs_nl_set_table(f->sb.nl, f->sb.cgid, &p, &err);
	EXPECT_NE(0, ret);
	TH_LOG("%d rules: %s (%s)", CRS_MAX_NET_RULES + 1, strerror(-ret), err.msg);
	pol_release(&p);
	/* the table in force is untouched */
	EXPECT_EQ(EACCES, nf_op(f, f->sb.cg, AF_INET, TCP, NOP_CONNECT, "10.100.0.1", 80, NULL));
}

/* =============================================================== rmmod */

FIXTURE(net_rmmod) {
	struct net_fix f;
};

static void rmmod_table(struct crs_policy *p, const void *variant)
{
	pol_init(p, "net-rmmod", CRS_MODE_ENFORCE, A, A);
	pol_net(p, "deny-p4", D, "*", OUT, ANY, NET_P4 "/32", 0, 65535);
	pol_net(p, "deny-in-p4", D, "*", IN, ANY, NET_P4 "/32", 0, 65535);
}

NF_SETUP_TABLE(net_rmmod, rmmod_table)

FIXTURE_TEARDOWN(net_rmmod)
{
	nf_teardown(&self->f);
	if (access("/sys/module/crs", F_OK))
		system("insmod ${CRS_KO:-/crs/crs.ko}");
}

struct flow_child {
	int ns, go_rd, ready_wr;
	const char *cg;
};

/*
 * A policed process with an outbound TCP connection and a connected UDP
 * socket to Q, both open across rmmod: it says hello before, waits for the
 * go, then sends again and tries P (denied before, allowed after rmmod).
 * Exit: 0 or a bit mask of what failed.
 */
static int flow_child_fn(void *arg)
{
	struct flow_child *c = arg;
	struct sockaddr_storage q, qu, p;
	socklen_t ql = net_sa(&q, AF_INET, NET_Q4, PORT);
	socklen_t qul = net_sa(&qu, AF_INET, NET_Q4, PORT + 1);
	socklen_t pl = net_sa(&p, AF_INET, NET_P4, PORT);
	int t, u, x, fails = 0;
	char go;

	if (setns(c->ns, CLONE_NEWNET))
		return 128;
	t = socket(AF_INET, SOCK_STREAM, 0);
	u = socket(AF_INET, SOCK_DGRAM, 0);
	if (connect(t, (struct sockaddr *)&q, ql) || connect(u, (struct sockaddr *)&qu, qul))
		return 129;
	x = socket(AF_INET, SOCK_DGRAM, 0);
	if (connect(x, (struct sockaddr *)&p, pl) == 0 || errno != EACCES)
		fails |= 1;
	close(x);
	if (write(t, "before", 6) != 6 || send(u, "before", 6, 0) != 6)
		fails |= 2;
	if (write(c->ready_wr, "r", 1) != 1 || read(c->go_rd, &go, 1) != 1)
		return 130;
	if (write(t, "after", 5) != 5 || send(u, "after", 5, 0) != 5)
		fails |= 4;
	x = socket(AF_INET, SOCK_DGRAM, 0);
	if (connect(x, (struct sockaddr *)&p, pl))
		fails |= 8;
	close(x);
	close(t);
	close(u);
	return fails;
}

static void *flow_thread(void *arg)
{
	struct flow_child *c = arg;

	return (void *)(long)run_in_for(c->cg, flow_child_fn, c, NULL, 60000);
}

/*
 * rmmod while a policed cgroup has live flows both ways (its outbound TCP
 * and UDP to Q, and an inbound TCP connection from Q to its listener):
 * rmmod succeeds, the flows carry data afterwards, P is no longer denied.
 */
TEST_F_TIMEOUT(net_rmmod, live_flows, 120)
{
	struct net_fix *f = &self->f;
	int go[2], ready[2], tsrv, usrv, conn, lsrv, in_c, in_s, n;
	struct flow_child c;
	pthread_t th;
	void *res;
	char buf[64], r;

	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	tsrv = net_tcp_listener(&f->env, f->env.ns_p, AF_INET, "0.0.0.0", PORT);
	usrv = net_bound(&f->env, f->env.ns_p, AF_INET, SOCK_DGRAM, "0.0.0.0", PORT + 1);
	ASSERT_LE(0, tsrv);
	ASSERT_LE(0, usrv);
	/* inbound: a policed listener, the peer connected from Q */
	lsrv = net_socket_from(f->sb.cg, f->env.ns_c, AF_INET, SOCK_STREAM, "0.0.0.0", PORT, true);
	ASSERT_LE(0, lsrv);
	EXPECT_EQ(-ETIMEDOUT, net_peer_connect(&f->env, f->env.ns_p, AF_INET, NET_P4, 0, NET_C4,
					       PORT, DENIED_WAIT_MS));
	in_c = net_peer_connect(&f->env, f->env.ns_p, AF_INET, NET_Q4, 0, NET_C4, PORT, 3000);
	ASSERT_LE(0, in_c);
	in_s = net_accept_wait(lsrv, 2000);
	ASSERT_LE(0, in_s);

	c.ns = f->env.ns_c;
	c.go_rd = go[0];
	c.ready_wr = ready[1];
	c.cg = f->sb.cg;
	ASSERT_EQ(0, pthread_create(&th, NULL, flow_thread, &c));
	ASSERT_EQ(1, read(ready[0], &r, 1));
	conn = net_accept_wait(tsrv, 3000);
	ASSERT_LE(0, conn);
	n = net_recv_wait(conn, buf, sizeof(buf), 2000, NULL);
	EXPECT_EQ(6, n);
	EXPECT_EQ(6, net_recv_wait(usrv, buf, sizeof(buf), 2000, NULL));

	EXPECT_EQ(0, system("rmmod crs"));
	EXPECT_NE(0, access("/sys/module/crs", F_OK));

	ASSERT_EQ(1, write(go[1], "g", 1));
	EXPECT_EQ(5, net_recv_wait(conn, buf, sizeof(buf), 3000, NULL));
	EXPECT_EQ(5, net_recv_wait(usrv, buf, sizeof(buf), 3000, NULL));
	ASSERT_EQ(0, pthread_join(th, &res));
	EXPECT_EQ(0, (long)res);
	/* the inbound connection both ways */
	EXPECT_EQ(4, write(in_c, "ping", 4));
	EXPECT_EQ(4, net_recv_wait(in_s, buf, sizeof(buf), 3000, NULL));
	EXPECT_EQ(4, write(in_s, "pong", 4));
	EXPECT_EQ(4, net_recv_wait(in_c, buf, sizeof(buf), 3000, NULL));
	/* P may connect now */
	n = net_peer_connect(&f->env, f->env.ns_p, AF_INET, NET_P4, 0, NET_C4, PORT, 3000);
	EXPECT_LE(0, n);
	if (n >= 0)
		close(n);
	close(conn);
	close(in_c);
	close(in_s);
	close(lsrv);
	close(tsrv);
	close(usrv);
	EXPECT_EQ(0, system("insmod ${CRS_KO:-/crs/crs.ko}"));
}

CRS_SELFTEST_MAIN
