/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crs_net.h - network helpers of the crs guest selftests (net_test.c).
 *
 * The topology, made from C with rtnetlink (libmnl) in every test process:
 *
 *   netns C ("the container")          netns P ("the peer")
 *   lo up                              lo up
 *   crs0  10.99.0.1/24  fd99::1/64 ==== crs1  10.99.0.2/24 fd99::2/64
 *   default routes via .2 / ::2            + 10.99.0.3 .127 .128
 *   ping_group_range 0 0                   + fd99::3 fd99::ff fd99::100
 *
 * (a veth pair; IPv6 addresses without DAD so they are usable at once).
 * Policed programs are children that join the test cgroup, then setns() into
 * C and do one socket operation; the peer side is sockets the (unpoliced)
 * test process makes in P. The test process itself stays in the initial
 * netns (the crs genl family lives there). Everything goes away with the
 * test process: each TEST runs in a forked child of the harness.
 *
 * Debian kernels build veth as a module: scripts/vm/mkramfs.sh puts the
 * guest kernel's veth.ko at /crs/modules/veth.ko, and net_env_setup()
 * loads it when the kernel does not know the veth link kind yet.
 */
#ifndef CRS_NET_H
#define CRS_NET_H

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/if_link.h>
#include <linux/io_uring.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <libmnl/libmnl.h>

#include "crs_selftest.h"

#define NET_C_IF	"crs0"
#define NET_P_IF	"crs1"
#define NET_C4		"10.99.0.1"
#define NET_C6		"fd99::1"
#define NET_P4		"10.99.0.2"	/* the peer's first address ("denied" in most tests) */
#define NET_P6		"fd99::2"
#define NET_Q4		"10.99.0.3"	/* a second peer address ("allowed") */
#define NET_Q6		"fd99::3"
#define VETH_KO		"/crs/modules/veth.ko"

/* Addresses the peer netns holds (for CIDR edges). */
static const char *const net_peer4[] = { NET_P4, NET_Q4, "10.99.0.127", "10.99.0.128" };
static const char *const net_peer6[] = { NET_P6, NET_Q6, "fd99::ff", "fd99::100" };

struct net_env {
	int ns_orig;	/* the test process's own netns */
	int ns_c;	/* the container's */
	int ns_p;	/* the peer's */
};

/* ------------------------------------------------------------- addresses */

/* @s ("10.99.0.2", "fd99::2", "::ffff:10.99.0.2") of @family into 4/16 bytes. */
static CRS_UNUSED int net_pton(int family, const char *s, uint8_t *out)
{
	return inet_pton(family, s, out) == 1 ? 0 : -EINVAL;
}

/* A sockaddr for @family/@addr/@port in @ss; returns its length (0 on a bad address). */
static CRS_UNUSED socklen_t net_sa(struct sockaddr_storage *ss, int family,
				   const char *addr, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		if (net_pton(AF_INET, addr, (uint8_t *)&s->sin_addr))
			return 0;
		return sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(port);
		if (net_pton(AF_INET6, addr, (uint8_t *)&s->sin6_addr))
			return 0;
		return sizeof(*s);
	}
}

/*
 * A rule address from text: "*" (any), "a.b.c.d[/n]" or "x:y::z[/n]"
 * (a missing prefix is /32 or /128). Independent of libcrsnl's parser on
 * purpose: the tests say what they mean in bytes. Aborts on bad input.
 */
static CRS_UNUSED struct crs_net_addr net_addr(const char *s)
{
	struct crs_net_addr a;
	char buf[INET6_ADDRSTRLEN + 8], *slash;

	memset(&a, 0, sizeof(a));
	if (!strcmp(s, "*"))
		return a;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	a.family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (net_pton(a.family, buf, a.addr))
		abort();
	a.prefix_len = slash ? (uint32_t)atoi(slash) : (a.family == AF_INET ? 32 : 128);
	return a;
}

/* --------------------------------------------------------------- policies */

/* A network rule (direction, protocol, peer @addr, ports) for @program ("*" if NULL). */
static CRS_UNUSED struct crs_policy_rule *
pol_net(struct crs_policy *p, const char *name, enum crs_action action, const char *program,
	enum crs_direction dir, enum crs_proto proto, const char *addr,
	uint16_t port_min, uint16_t port_max)
{
	struct crs_policy_rule *r = pol_new_rule(p, name, CRS_RULE_NETWORK, action, program);

	r->direction = dir;
	r->protocol = proto;
	r->address = net_addr(addr);
	r->port_min = port_min;
	r->port_max = port_max;
	return r;
}

/* A listener rule (protocol, local @addr, ports) for @program ("*" if NULL). */
static CRS_UNUSED struct crs_policy_rule *
pol_listen(struct crs_policy *p, const char *name, enum crs_action action, const char *program,
	   enum crs_proto proto, const char *addr, uint16_t port_min, uint16_t port_max)
{
	struct crs_policy_rule *r = pol_net(p, name, action, program, CRS_DIR_INBOUND, proto,
					    addr, port_min, port_max);

	r->type = CRS_RULE_LISTENER;
	r->direction = 0;	/* listener rules have none (libcrsnl wants it zero) */
	return r;
}

/* ----------------------------------------------------------- namespaces */

/* setns() to @fd; aborts the process on failure (nothing sane is left). */
static CRS_UNUSED void net_enter(int fd)
{
	if (setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "setns: %s\n", strerror(errno));
		abort();
	}
}

/* A socket in netns @ns, made by the calling (test) process. */
static CRS_UNUSED int net_socket_in(const struct net_env *env, int ns, int family, int type,
				    int proto)
{
	int fd, e;

	net_enter(ns);
	fd = socket(family, type | SOCK_CLOEXEC, proto);
	e = errno;
	net_enter(env->ns_orig);
	errno = e;
	return fd;
}

static uint32_t rtnl_seq;

/* Send one rtnetlink request on @nl and wait for its ack; 0 or -errno. */
static CRS_UNUSED int rtnl_talk(struct mnl_socket *nl, struct nlmsghdr *nlh)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint32_t portid = mnl_socket_get_portid(nl);
	ssize_t n;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++rtnl_seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		ret = mnl_cb_run(buf, n, nlh->nlmsg_seq, portid, NULL, NULL);
		if (ret < 0)
			return -errno;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

static CRS_UNUSED struct mnl_socket *rtnl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

/*
 * Start a request of @type with @flags in @buf (MNL_SOCKET_BUFFER_SIZE bytes,
 * the nlmsghdr at its start); returns its zeroed family header of @hdrlen.
 */
static CRS_UNUSED void *rtnl_req(char *buf, uint16_t type, uint16_t flags, size_t hdrlen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return mnl_nlmsg_put_extra_header(nlh, hdrlen);
}

/* An address attribute @type: @a, 4 or 16 bytes as @family says. */
static CRS_UNUSED void rtnl_put_addr(struct nlmsghdr *nlh, uint16_t type, int family,
				     const uint8_t *a)
{
	mnl_attr_put(nlh, type, family == AF_INET ? 4 : 16, a);
}

/* ip link set IFINDEX up */
static CRS_UNUSED int rtnl_link_up(struct mnl_socket *nl, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ifinfomsg *ifm = rtnl_req(buf, RTM_NEWLINK, 0, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	return rtnl_talk(nl, nlh);
}

/* ip link add NAME type veth peer name PEER netns PEER_NS */
static CRS_UNUSED int rtnl_veth(struct mnl_socket *nl, const char *name, const char *peer,
				int peer_ns)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ifinfomsg *ifm = rtnl_req(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
					 sizeof(*ifm));
	struct nlattr *linkinfo, *data, *pe;
	struct ifinfomsg *pifm;

	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pe = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* the peer's attributes follow an ifinfomsg of its own */
	pifm = mnl_nlmsg_get_payload_tail(nlh);
	memset(pifm, 0, sizeof(*pifm));
	pifm->ifi_family = AF_UNSPEC;
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*pifm));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, peer_ns);
	mnl_attr_nest_end(nlh, pe);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, linkinfo);
	return rtnl_talk(nl, nlh);
}

/* ip addr add ADDR/PLEN dev IFINDEX (IPv6: nodad) */
static CRS_UNUSED int rtnl_addr(struct mnl_socket *nl, int ifindex, int family,
				const char *addr, int plen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct ifaddrmsg *ifa;
	uint8_t a[16];

	if (net_pton(family, addr, a))
		return -EINVAL;
	ifa = rtnl_req(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));
	ifa->ifa_family = family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	rtnl_put_addr(nlh, IFA_LOCAL, family, a);
	rtnl_put_addr(nlh, IFA_ADDRESS, family, a);
	return rtnl_talk(nl, nlh);
}

/* ip route add default via GW dev IFINDEX */
static CRS_UNUSED int rtnl_default_route(struct mnl_socket *nl, int ifindex, int family,
					 const char *gw)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct rtmsg *rtm;
	uint8_t a[16];

	if (net_pton(family, gw, a))
		return -EINVAL;
	rtm = rtnl_req(buf, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	rtnl_put_addr(nlh, RTA_GATEWAY, family, a);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	return rtnl_talk(nl, nlh);
}

/* Write @val to /proc/sys/@name of the current netns. */
static CRS_UNUSED int net_sysctl(const char *name, const char *val)
{
	char path[PATH_MAX];
	size_t len = strlen(val);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}

/* Load the guest's veth.ko unless the kernel has veth already. */
static CRS_UNUSED int net_load_veth(void)
{
	int fd, ret;

	if (access("/sys/module/veth", F_OK) == 0)
		return 0;
	fd = open(VETH_KO, O_RDONLY | O_CLOEXEC);
	if (fd < 0)	/* built in (no /sys/module entry then), or the veth pair says why not */
		return errno == ENOENT ? 0 : -errno;
	ret = syscall(__NR_finit_module, fd, "", 0);
	ret = ret && errno != EEXIST ? -errno : 0;
	close(fd);
	return ret;
}

/* A new netns with lo up; its fd, or -errno. Leaves the caller in it. */
static CRS_UNUSED int net_new_ns(void)
{
	struct mnl_socket *nl;
	int fd, ret;

	if (unshare(CLONE_NEWNET))
		return -errno;
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	nl = rtnl_open();
	if (!nl) {
		close(fd);
		return -EIO;
	}
	ret = rtnl_link_up(nl, if_nametoindex("lo"));
	mnl_socket_close(nl);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}

#define NET_CHECK(x) do { int __r = (x); ASSERT_EQ(0, __r) { TH_LOG("%s: %s", #x, strerror(-__r)); } } while (0)

static CRS_UNUSED int net_bound(const struct net_env *env, int ns, int family, int type,
				const char *addr, uint16_t port);
static CRS_UNUSED int net_recv_wait(int fd, void *buf, size_t len, int ms,
				    struct sockaddr_storage *from);

/*
 * Right after the links come up, packets can be lost or held for about a
 * second (every setup, on both Debian guests; the veth's queue is
 * activated late, presumably by linkwatch): send probes C -> P and P -> C for
 * each address the tests talk to until each arrives, so that a test's "did
 * it arrive within 1 s" measures crs, not link bring-up or neighbour
 * discovery. Made by the unpoliced test process.
 */
static CRS_UNUSED void __net_env_warm(struct __test_metadata *_metadata, struct net_env *env)
{
	static const char *const pairs[][2] = {
		{ "10.99.0.1", "10.99.0.2" }, { "10.99.0.1", "10.99.0.3" },
		{ "fd99::1", "fd99::2" }, { "fd99::1", "fd99::3" },
	};
	uint64_t t0 = now_ms();
	size_t i;
	int dir;

	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int fam = strchr(pairs[i][0], ':') ? AF_INET6 : AF_INET;

		for (dir = 0; dir < 2; dir++) {
			const char *from = pairs[i][dir], *to = pairs[i][!dir];
			int sns = dir ? env->ns_p : env->ns_c, rns = dir ? env->ns_c : env->ns_p;
			int r = net_bound(env, rns, fam, SOCK_DGRAM, to, 9999);
			int snd = net_bound(env, sns, fam, SOCK_DGRAM, from, 9998);
			struct sockaddr_storage ss;
			socklen_t sl = net_sa(&ss, fam, to, 9999);
			char buf[16];
			int tries;

			ASSERT_LE(0, r);
			ASSERT_LE(0, snd);
			for (tries = 0; tries < 50; tries++) {
				sendto(snd, "warm", 4, 0, (struct sockaddr *)&ss, sl);
				if (net_recv_wait(r, buf, sizeof(buf), 100, NULL) > 0)
					break;
			}
			ASSERT_GT(50, tries) {
				TH_LOG("no datagram %s -> %s in 5 s", from, to);
			}
			close(r);
			close(snd);
		}
	}
	if (now_ms() - t0 > 2500)	/* about 1 s is usual (see above) */
		TH_LOG("the veth pair carried traffic both ways after %llu ms",
		       (unsigned long long)(now_ms() - t0));
}
#define net_env_warm(m, env) __net_env_warm(m, env)

/* Make netns C and P with the veth pair between them (see the top of this file). */
static CRS_UNUSED void __net_env_setup(struct __test_metadata *_metadata, struct net_env *env)
{
	struct mnl_socket *nl;
	int c_if, p_if, ret;
	size_t i;

	memset(env, 0, sizeof(*env));
	env->ns_orig = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, env->ns_orig);
	ret = net_load_veth();
	ASSERT_EQ(0, ret) {
		TH_LOG("cannot load %s: %s (is it in the guest? see scripts/vm/mkramfs.sh)",
		       VETH_KO, strerror(-ret));
	}
	env->ns_p = net_new_ns();
	ASSERT_LE(0, env->ns_p) {
		TH_LOG("netns P: %s", strerror(-env->ns_p));
	}
	net_enter(env->ns_orig);
	env->ns_c = net_new_ns();
	ASSERT_LE(0, env->ns_c) {
		TH_LOG("netns C: %s", strerror(-env->ns_c));
	}
	/* in C now */
	nl = rtnl_open();
	ASSERT_NE(NULL, nl);
	ret = rtnl_veth(nl, NET_C_IF, NET_P_IF, env->ns_p);
	ASSERT_EQ(0, ret) {
		TH_LOG("veth pair: %s (no veth in this kernel and no %s?)", strerror(-ret), VETH_KO);
	}
	c_if = if_nametoindex(NET_C_IF);
	ASSERT_NE(0, c_if);
	NET_CHECK(rtnl_addr(nl, c_if, AF_INET, NET_C4, 24));
	NET_CHECK(rtnl_addr(nl, c_if, AF_INET6, NET_C6, 64));
	NET_CHECK(rtnl_link_up(nl, c_if));
	NET_CHECK(rtnl_default_route(nl, c_if, AF_INET, NET_P4));
	NET_CHECK(rtnl_default_route(nl, c_if, AF_INET6, NET_P6));
	/* ping sockets for root (the netns default range "1 0" allows nobody) */
	NET_CHECK(net_sysctl("net/ipv4/ping_group_range", "0 2147483647"));
	mnl_socket_close(nl);

	net_enter(env->ns_p);
	nl = rtnl_open();
	ASSERT_NE(NULL, nl);
	p_if = if_nametoindex(NET_P_IF);
	ASSERT_NE(0, p_if);
	for (i = 0; i < sizeof(net_peer4) / sizeof(net_peer4[0]); i++)
		NET_CHECK(rtnl_addr(nl, p_if, AF_INET, net_peer4[i], 24));
	for (i = 0; i < sizeof(net_peer6) / sizeof(net_peer6[0]); i++)
		NET_CHECK(rtnl_addr(nl, p_if, AF_INET6, net_peer6[i], 64));
	NET_CHECK(rtnl_link_up(nl, p_if));
	mnl_socket_close(nl);
	net_enter(env->ns_orig);
	net_env_warm(_metadata, env);
}
#define net_env_setup(env) __net_env_setup(_metadata, env)

static CRS_UNUSED void net_env_teardown(struct net_env *env)
{
	if (env->ns_c > 0)
		close(env->ns_c);
	if (env->ns_p > 0)
		close(env->ns_p);
	if (env->ns_orig > 0) {
		setns(env->ns_orig, CLONE_NEWNET);
		close(env->ns_orig);
	}
	memset(env, 0, sizeof(*env));
}

/* --------------------------------------------------------- peer sockets */

/* A socket in @ns bound to @addr:@port (nonblocking); -errno on failure. */
static CRS_UNUSED int net_bound(const struct net_env *env, int ns, int family, int type,
				const char *addr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t len = net_sa(&ss, family, addr, port);
	int fd, one = 1, e;

	fd = net_socket_in(env, ns, family, type | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len)) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/* A TCP listener in @ns on @addr:@port (nonblocking); -errno on failure. */
static CRS_UNUSED int net_tcp_listener(const struct net_env *env, int ns, int family,
				       const char *addr, uint16_t port)
{
	int fd = net_bound(env, ns, family, SOCK_STREAM, addr, port), e;

	if (fd < 0)
		return fd;
	if (listen(fd, 64)) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/* Wait up to @ms for @fd to be readable: 1, 0 (timeout) or -errno. */
static CRS_UNUSED int net_wait_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret = poll(&p, 1, ms);

	return ret < 0 ? -errno : ret;
}

/* accept() within @ms: the new fd, -ETIMEDOUT, or -errno. */
static CRS_UNUSED int net_accept_wait(int lfd, int ms)
{
	int ret = net_wait_in(lfd, ms);

	if (ret < 0)
		return ret;
	if (!ret)
		return -ETIMEDOUT;
	ret = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	return ret < 0 ? -errno : ret;
}

/* One datagram within @ms into @buf: its length, -ETIMEDOUT or -errno; the sender to @from. */
static CRS_UNUSED int net_recv_wait(int fd, void *buf, size_t len, int ms,
				    struct sockaddr_storage *from)
{
	socklen_t fl = sizeof(*from);
	int ret = net_wait_in(fd, ms);

	if (ret < 0)
		return ret;
	if (!ret)
		return -ETIMEDOUT;
	ret = recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)from, from ? &fl : NULL);
	return ret < 0 ? -errno : ret;
}

/* Datagrams waiting on @fd within @ms (drains them). */
static CRS_UNUSED int net_count_dgrams(int fd, int ms)
{
	char buf[2048];
	int n = 0;

	while (net_recv_wait(fd, buf, sizeof(buf), n ? 50 : ms, NULL) >= 0)
		n++;
	return n;
}

/*
 * A peer (in @ns, from @src:@sport) connects to @dst:@dport, nonblocking, and
 * waits up to @ms: the connected fd (caller closes), -ETIMEDOUT when no
 * SYN-ACK came, or -errno.
 */
static CRS_UNUSED int net_peer_connect(const struct net_env *env, int ns, int family,
				       const char *src, uint16_t sport,
				       const char *dst, uint16_t dport, int ms)
{
	struct sockaddr_storage ss;
	socklen_t len = net_sa(&ss, family, dst, dport);
	struct pollfd p;
	int fd, ret, err = 0;
	socklen_t el = sizeof(err);

	fd = net_bound(env, ns, family, SOCK_STREAM, src, sport);
	if (fd < 0)
		return fd;
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		ret = -errno;
		close(fd);
		return ret;
	}
	p.fd = fd;
	p.events = POLLOUT;
	ret = poll(&p, 1, ms);
	if (ret <= 0) {
		close(fd);
		return ret < 0 ? -errno : -ETIMEDOUT;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
	if (err) {
		close(fd);
		return -err;
	}
	return fd;
}

/* A peer (in @ns, from @src:@sport) sends one datagram to @dst:@dport. */
static CRS_UNUSED int net_peer_sendto(const struct net_env *env, int ns, int family,
				      const char *src, uint16_t sport,
				      const char *dst, uint16_t dport, const char *msg)
{
	struct sockaddr_storage ss;
	socklen_t len = net_sa(&ss, family, dst, dport);
	int fd = net_bound(env, ns, family, SOCK_DGRAM, src, sport), ret = 0;

	if (fd < 0)
		return fd;
	if (sendto(fd, msg, strlen(msg), 0, (struct sockaddr *)&ss, len) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* ------------------------------------------------------------- fd passing */

/* A message of one byte with room for one descriptor (SCM_RIGHTS). */
struct net_fd_msg {
	char c;
	struct iovec iov;
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh;
};

static CRS_UNUSED struct msghdr *net_fd_msg_init(struct net_fd_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->c = 'f';
	m->iov.iov_base = &m->c;
	m->iov.iov_len = 1;
	m->mh.msg_iov = &m->iov;
	m->mh.msg_iovlen = 1;
	m->mh.msg_control = m->u.buf;
	m->mh.msg_controllen = sizeof(m->u.buf);
	return &m->mh;
}

static CRS_UNUSED int net_send_fd(int sock, int fd)
{
	struct net_fd_msg m;
	struct msghdr *mh = net_fd_msg_init(&m);
	struct cmsghdr *cm = CMSG_FIRSTHDR(mh);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, mh, 0) == 1 ? 0 : -errno;
}

/* Receive a descriptor from @sock (nonblocking); -EAGAIN if none is queued. */
static CRS_UNUSED int net_recv_fd(int sock)
{
	struct net_fd_msg m;
	struct msghdr *mh = net_fd_msg_init(&m);
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sock, mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC) != 1)
		return -errno;
	cm = CMSG_FIRSTHDR(mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -EPROTO;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* ------------------------------------------------- a policed socket call */

enum net_opk {
	NOP_CONNECT,		/* connect(dst) */
	NOP_SENDTO,		/* sendto(dst) on an unconnected socket */
	NOP_CONNECT_SEND,	/* connect(dst) outside the cgroup, join, then send() */
	NOP_FASTOPEN,		/* sendto(dst, MSG_FASTOPEN) */
	NOP_SENDMMSG,		/* sendmmsg to dsts[0..ndst-1]: exit 100 + count, or errno */
	NOP_BIND,		/* bind(src) */
	NOP_LISTEN,		/* bind(src) unless srclen is 0, then listen() */
	NOP_SOCKET,		/* just the socket (plus bind/listen flags), passed on */
	NOP_RAW,		/* raw UDP packet to dst, IP header included (v4 and v6) */
	NOP_RAW_ICMP,		/* SOCK_RAW IPPROTO_ICMP(V6): an echo request to dst */
	NOP_URING_CONNECT,	/* IORING_OP_CONNECT */
	NOP_URING_SENDMSG,	/* IORING_OP_SENDMSG with a destination */
};

#define NET_MAX_DST 4

struct net_op {
	int ns;				/* netns to enter (fd), or -1 */
	int family, type, proto;
	enum net_opk kind;
	struct sockaddr_storage dst;
	socklen_t dstlen;
	struct sockaddr_storage dsts[NET_MAX_DST];
	socklen_t dstlens[NET_MAX_DST];
	int ndst;
	struct sockaddr_storage src;	/* bound first when srclen != 0 */
	socklen_t srclen;
	bool reuseport, v6only, listen_after_bind;
	const char *join_cg;		/* NOP_CONNECT_SEND: joined after connect */
	int fd;				/* use this socket instead of making one (-1: make) */
	int pass_sock;			/* send the socket here (SCM_RIGHTS) on success (-1: no) */
	const char *payload;
	unsigned int uring_flags;	/* IOSQE_* of the io_uring SQE (IOSQE_ASYNC: io-wq) */
};

static CRS_UNUSED void net_op_init(struct net_op *o, int ns, int family, int type, int proto,
				   enum net_opk kind)
{
	memset(o, 0, sizeof(*o));
	o->ns = ns;
	o->family = family;
	o->type = type;
	o->proto = proto;
	o->kind = kind;
	o->fd = -1;
	o->pass_sock = -1;
	o->payload = "crs";
}

static CRS_UNUSED void net_op_dst(struct net_op *o, int family, const char *addr, uint16_t port)
{
	o->dstlen = net_sa(&o->dst, family, addr, port);
}

static CRS_UNUSED void net_op_src(struct net_op *o, int family, const char *addr, uint16_t port)
{
	o->srclen = net_sa(&o->src, family, addr, port);
}

static CRS_UNUSED void net_op_add_dst(struct net_op *o, int family, const char *addr,
				      uint16_t port)
{
	if (o->ndst >= NET_MAX_DST)
		abort();
	o->dstlens[o->ndst] = net_sa(&o->dsts[o->ndst], family, addr, port);
	o->ndst++;
}

/* io_uring: one SQE, its CQE's res (-ENOSYS when io_uring is unavailable). */
static CRS_UNUSED int net_uring_one(const struct io_uring_sqe *tmpl)
{
	int ret = uring_one(tmpl);

	if (ret == URING_UNAVAILABLE)
		return -ENOSYS;
	return ret == URING_FAILED ? -EIO : ret;
}

/* A raw IPv4/UDP packet from @o->src (or 10.99.0.1:9) to @o->dst, IP_HDRINCL. */
static CRS_UNUSED int net_raw_send(int fd, const struct net_op *o)
{
	struct {
		struct iphdr ip;
		struct udphdr udp;
		char data[8];
	} __attribute__((packed)) pkt;
	const struct sockaddr_in *d = (const struct sockaddr_in *)&o->dst;
	const struct sockaddr_in *s = (const struct sockaddr_in *)&o->src;
	int one = 1;

	setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one));
	memset(&pkt, 0, sizeof(pkt));
	pkt.ip.version = 4;
	pkt.ip.ihl = 5;
	pkt.ip.ttl = 64;
	pkt.ip.protocol = IPPROTO_UDP;
	pkt.ip.tot_len = htons(sizeof(pkt));
	pkt.ip.daddr = d->sin_addr.s_addr;
	pkt.ip.saddr = o->srclen ? s->sin_addr.s_addr : htonl(0x0a630001);
	pkt.udp.source = o->srclen ? s->sin_port : htons(9);
	pkt.udp.dest = d->sin_port;
	pkt.udp.len = htons(sizeof(pkt.udp) + sizeof(pkt.data));
	pkt.udp.check = 0;	/* none: allowed for UDP over IPv4 */
	memcpy(pkt.data, "crs-raw", 8);
	if (sendto(fd, &pkt, sizeof(pkt), 0, (const struct sockaddr *)&o->dst, o->dstlen) < 0)
		return errno;
	return 0;
}

/* The Internet checksum of @len bytes at @p, continuing @sum. */
static CRS_UNUSED uint32_t net_csum_add(uint32_t sum, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

static CRS_UNUSED uint16_t net_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A raw IPv6/UDP packet from @o->src (or fd99::1:9) to @o->dst, header included. */
static CRS_UNUSED int net_raw6_send(int fd, const struct net_op *o)
{
	struct {
		uint32_t vtf;
		uint16_t plen;
		uint8_t nxt, hlim;
		uint8_t src[16], dst[16];
		struct udphdr udp;
		char data[8];
	} __attribute__((packed)) pkt;
	const struct sockaddr_in6 *d = (const struct sockaddr_in6 *)&o->dst;
	const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&o->src;
	struct sockaddr_in6 to = *d;
	uint32_t sum;
	uint8_t pseudo[8] = { 0 };

	memset(&pkt, 0, sizeof(pkt));
	pkt.vtf = htonl(6U << 28);
	pkt.plen = htons(sizeof(pkt.udp) + sizeof(pkt.data));
	pkt.nxt = IPPROTO_UDP;
	pkt.hlim = 64;
	if (o->srclen)
		memcpy(pkt.src, &s->sin6_addr, 16);
	else
		net_pton(AF_INET6, NET_C6, pkt.src);
	memcpy(pkt.dst, &d->sin6_addr, 16);
	pkt.udp.source = o->srclen ? s->sin6_port : htons(9);
	pkt.udp.dest = d->sin6_port;
	pkt.udp.len = pkt.plen;
	memcpy(pkt.data, "crs-raw", 8);
	/* UDP over IPv6 must carry a checksum: pseudo header + UDP */
	pseudo[2] = (sizeof(pkt.udp) + sizeof(pkt.data)) >> 8;
	pseudo[3] = (sizeof(pkt.udp) + sizeof(pkt.data)) & 0xff;
	pseudo[7] = IPPROTO_UDP;
	sum = net_csum_add(0, pkt.src, 32);
	sum = net_csum_add(sum, pseudo, 8);
	sum = net_csum_add(sum, &pkt.udp, sizeof(pkt.udp) + sizeof(pkt.data));
	pkt.udp.check = htons(net_csum_fold(sum));
	if (!pkt.udp.check)
		pkt.udp.check = 0xffff;
	to.sin6_port = 0;	/* raw IPv6 sockets want 0 or the protocol here */
	if (sendto(fd, &pkt, sizeof(pkt), 0, (const struct sockaddr *)&to, sizeof(to)) < 0)
		return errno;
	return 0;
}

/* An echo request on a raw ICMP/ICMPv6 socket (the kernel adds the IP header). */
static CRS_UNUSED int net_raw_icmp_send(int fd, const struct net_op *o)
{
	uint8_t pkt[16] = { 0 };
	uint16_t c;

	if (o->family == AF_INET) {
		pkt[0] = 8;	/* echo request; the kernel does not fill the checksum */
		c = net_csum_fold(net_csum_add(0, pkt, sizeof(pkt)));
		pkt[2] = c >> 8;
		pkt[3] = c & 0xff;
	} else {
		pkt[0] = 128;	/* ICMPv6 checksums are the kernel's (IPV6_CHECKSUM) */
	}
	if (sendto(fd, pkt, sizeof(pkt), 0, (const struct sockaddr *)&o->dst, o->dstlen) < 0)
		return errno;
	return 0;
}

/*
 * The body of a policed child: enter o->ns, make (or take) the socket, do
 * o->kind. Exit status: 0 or the errno of the operation; 100 + count for
 * NOP_SENDMMSG; 200 + step when the setup failed (not the operation).
 */
static CRS_UNUSED int net_op_fn(void *arg)
{
	struct net_op *o = arg;
	struct io_uring_sqe sqe;
	struct msghdr mh;
	struct iovec iov;
	int fd = o->fd, one = 1, ret = 0, i;

	if (o->ns >= 0 && setns(o->ns, CLONE_NEWNET))
		return 201;
	if (fd < 0) {
		fd = socket(o->family, o->type | SOCK_CLOEXEC, o->proto);
		if (fd < 0)
			return errno == EACCES ? 203 : 202;
	}
	if (o->reuseport)
		setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (o->v6only)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (o->srclen && o->kind != NOP_RAW && o->kind != NOP_RAW_ICMP) {
		if (bind(fd, (struct sockaddr *)&o->src, o->srclen))
			return o->kind == NOP_BIND || o->kind == NOP_LISTEN ||
			       o->kind == NOP_SOCKET ? errno : 204;
	}
	switch (o->kind) {
	case NOP_BIND:
		break;
	case NOP_SOCKET:
		if (o->listen_after_bind && listen(fd, 16))
			return errno;
		break;
	case NOP_LISTEN:
		if (listen(fd, 16))
			return errno;
		break;
	case NOP_CONNECT:
		if (connect(fd, (struct sockaddr *)&o->dst, o->dstlen))
			return errno;
		if (o->type == SOCK_DGRAM && send(fd, o->payload, strlen(o->payload), 0) < 0)
			return 205;
		break;
	case NOP_SENDTO:
		if (sendto(fd, o->payload, strlen(o->payload), 0,
			   (struct sockaddr *)&o->dst, o->dstlen) < 0)
			return errno;
		break;
	case NOP_FASTOPEN:
		if (sendto(fd, o->payload, strlen(o->payload), MSG_FASTOPEN,
			   (struct sockaddr *)&o->dst, o->dstlen) < 0)
			return errno;
		break;
	case NOP_CONNECT_SEND:
		if (connect(fd, (struct sockaddr *)&o->dst, o->dstlen))
			return 206;
		if (o->join_cg && cg_join(o->join_cg))
			return 207;
		if (send(fd, o->payload, strlen(o->payload), 0) < 0)
			return errno;
		break;
	case NOP_SENDMMSG: {
		struct mmsghdr mm[NET_MAX_DST];
		struct iovec iovs[NET_MAX_DST];

		memset(mm, 0, sizeof(mm));
		for (i = 0; i < o->ndst; i++) {
			iovs[i].iov_base = (void *)o->payload;
			iovs[i].iov_len = strlen(o->payload);
			mm[i].msg_hdr.msg_iov = &iovs[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_name = &o->dsts[i];
			mm[i].msg_hdr.msg_namelen = o->dstlens[i];
		}
		ret = sendmmsg(fd, mm, o->ndst, 0);
		if (ret < 0)
			return errno;
		return 100 + ret;
	}
	case NOP_RAW:
		return o->family == AF_INET ? net_raw_send(fd, o) : net_raw6_send(fd, o);
	case NOP_RAW_ICMP:
		return net_raw_icmp_send(fd, o);
	case NOP_URING_CONNECT:
		memset(&sqe, 0, sizeof(sqe));
		sqe.opcode = IORING_OP_CONNECT;
		sqe.flags = o->uring_flags;
		sqe.fd = fd;
		sqe.addr = (unsigned long)&o->dst;
		sqe.off = o->dstlen;
		ret = net_uring_one(&sqe);
		if (ret == -ENOSYS)
			return 208;
		if (ret < 0)
			return -ret;
		break;
	case NOP_URING_SENDMSG:
		iov.iov_base = (void *)o->payload;
		iov.iov_len = strlen(o->payload);
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &o->dst;
		mh.msg_namelen = o->dstlen;
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		memset(&sqe, 0, sizeof(sqe));
		sqe.opcode = IORING_OP_SENDMSG;
		sqe.flags = o->uring_flags;
		sqe.fd = fd;
		sqe.addr = (unsigned long)&mh;
		sqe.len = 1;
		ret = net_uring_one(&sqe);
		if (ret == -ENOSYS)
			return 208;
		if (ret < 0)
			return -ret;
		break;
	}
	if (o->pass_sock >= 0 && net_send_fd(o->pass_sock, fd))
		return 209;
	return 0;
}

/* Run @o in a child in cgroup @cg (NULL: none); its status (see net_op_fn). */
static CRS_UNUSED int net_run(const char *cg, struct net_op *o, pid_t *pid)
{
	return run_in_for(cg, net_op_fn, o, pid, 20000);
}

/*
 * A socket made (and bound, and listening if @listen_too) by a child in @cg
 * inside netns @ns: the socket's cgroup is @cg. Returns the fd, or -status
 * of the child (an errno when bind or listen failed).
 */
static CRS_UNUSED int __net_socket_from(const char *cg, int ns, int family, int type,
					const char *addr, uint16_t port, bool listen_too,
					bool v6only)
{
	struct net_op o;
	int sv[2], st, fd;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	net_op_init(&o, ns, family, type, 0, NOP_SOCKET);
	if (addr)
		net_op_src(&o, family, addr, port);
	o.v6only = v6only;
	o.listen_after_bind = listen_too;
	o.pass_sock = sv[1];
	st = net_run(cg, &o, NULL);
	fd = st ? -st : net_recv_fd(sv[0]);
	close(sv[0]);
	close(sv[1]);
	if (fd >= 0)
		fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

/* The same; an AF_INET6 socket is IPv6-only. */
static CRS_UNUSED int net_socket_from(const char *cg, int ns, int family, int type,
				      const char *addr, uint16_t port, bool listen_too)
{
	return __net_socket_from(cg, ns, family, type, addr, port, listen_too,
				 family == AF_INET6);
}

/* ----------------------------------------------------------------- events */

/* Expected fields of a network or listener event. */
struct net_expect {
	enum crs_rule_type type;
	enum crs_direction direction;
	enum crs_proto protocol;
	int family;
	const char *remote;		/* NULL: has_remote false */
	uint16_t remote_port;
	bool any_remote_port;		/* ICMP: the port is not compared */
	const char *local;		/* NULL: not compared (may be unknown) */
	uint16_t local_port;
	uint64_t cgroup_id;
	pid_t pid;			/* 0 for inbound (softirq) */
	const char *program;		/* "" for inbound */
	uint32_t rule_index;
	const char *rule_name;
	enum crs_action action, verdict;
	enum crs_mode mode;
};

/* Network/listener events in @b of cgroup @cgid, type @type (-1 any), direction @dir (-1 any). */
static CRS_UNUSED const struct crs_event *net_ev_find(const struct evbuf *b, uint64_t cgid,
						     int type, int dir, int nth)
{
	int i;

	for (i = 0; i < b->n; i++) {
		const struct crs_event *e = &b->ev[i];

		if (e->cgroup_id != cgid)
			continue;
		if (e->type != CRS_RULE_NETWORK && e->type != CRS_RULE_LISTENER)
			continue;
		if (type >= 0 && e->type != (uint32_t)type)
			continue;
		if (dir >= 0 && e->direction != (uint32_t)dir)
			continue;
		if (nth-- == 0)
			return e;
	}
	return NULL;
}

static CRS_UNUSED int net_ev_count(const struct evbuf *b, uint64_t cgid)
{
	int i, n = 0;

	for (i = 0; i < b->n; i++)
		n += b->ev[i].cgroup_id == cgid &&
		     (b->ev[i].type == CRS_RULE_NETWORK || b->ev[i].type == CRS_RULE_LISTENER);
	return n;
}

/* The @what address of an event, @got (4 or 16 bytes as @family says), is @want. */
static CRS_UNUSED void __net_ev_addr(struct __test_metadata *_metadata, const char *what,
				     int family, const char *want, const uint8_t *got)
{
	uint8_t a[16];

	ASSERT_EQ(0, net_pton(family, want, a));
	EXPECT_EQ(0, memcmp(a, got, family == AF_INET ? 4 : 16)) {
		char buf[INET6_ADDRSTRLEN] = "?";

		inet_ntop(family, got, buf, sizeof(buf));
		TH_LOG("%s address: expected %s, got %s", what, want, buf);
	}
}

static CRS_UNUSED void __net_ev_check(struct __test_metadata *_metadata,
				      const struct crs_event *e, const struct net_expect *x)
{
	ASSERT_NE(NULL, e);
	EXPECT_EQ(x->type, e->type);
	EXPECT_EQ(x->direction, e->direction);
	EXPECT_EQ(x->protocol, e->protocol);
	EXPECT_EQ(x->family, e->family);
	EXPECT_EQ(x->cgroup_id, e->cgroup_id);
	EXPECT_EQ(x->cgroup_id, e->table_cgroup_id);
	EXPECT_EQ((uint32_t)x->pid, e->pid);
	__ev_check_decision(_metadata, e, x->program, x->rule_index, x->rule_name,
			    x->action, x->verdict, x->mode);
	EXPECT_STREQ("", e->path);
	if (x->remote) {
		EXPECT_TRUE(e->has_remote);
		__net_ev_addr(_metadata, "remote", x->family, x->remote, e->remote_addr);
		if (!x->any_remote_port)
			EXPECT_EQ(x->remote_port, e->remote_port);
	} else {
		EXPECT_FALSE(e->has_remote);
	}
	if (x->local) {
		EXPECT_TRUE(e->has_local);
		__net_ev_addr(_metadata, "local", x->family, x->local, e->local_addr);
		EXPECT_EQ(x->local_port, e->local_port);
	}
	EXPECT_NE(0ULL, e->time_ns);
}
#define net_ev_check(e, x) __net_ev_check(_metadata, e, x)

#endif /* CRS_NET_H */
