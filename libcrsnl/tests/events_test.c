// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host unit tests of crs_events_recv() on a real multicast group of this
 * host's kernel (nlctrl's "notify", as crs.ko's may not exist here):
 * timeouts, messages not sent by the kernel are ignored (no spoofed
 * events), and a receive queue overrun is reported as -ENOBUFS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include "kselftest_harness.h"
#include "crsnl_int.h"

FIXTURE(ev) {
	struct crs_events *ev;
	int tx;			/* a plain netlink socket to send from */
	int group;
};

FIXTURE_SETUP(ev)
{
	struct crs_err err;
	struct nl_sock *sk;

	ASSERT_EQ(0, crs_events_open_group(&self->ev, "nlctrl", "notify", &err))
		TH_LOG("%s", err.msg);
	sk = nl_socket_alloc();
	ASSERT_NE(NULL, sk);
	ASSERT_EQ(0, genl_connect(sk));
	self->group = genl_ctrl_resolve_grp(sk, "nlctrl", "notify");
	nl_socket_free(sk);
	ASSERT_LT(0, self->group);
	ASSERT_GE(32, self->group);
	self->tx = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	ASSERT_LE(0, self->tx);
}

FIXTURE_TEARDOWN(ev)
{
	crs_events_close(self->ev);
	if (self->tx >= 0)
		close(self->tx);
}

static int calls;

static void count_cb(const struct crs_event *e, void *arg)
{
	calls++;
}

/* A message that would decode as an event, sent from userspace. */
static int send_fake(int fd, uint32_t port, uint32_t groups, size_t pad)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_pid = port, .nl_groups = groups };
	struct nl_msg *m = nlmsg_alloc_size(pad + 4096);
	int r;

	genlmsg_put(m, 0, 0, GENL_ID_CTRL, 0, 0, CRS_CMD_EVENT, CRS_GENL_VERSION);
	nla_put_u64(m, CRS_A_EVENT_SEQ, 1);
	nla_put_string(m, CRS_A_EVENT_PATH, "/etc/shadow");
	if (pad) {
		char *junk = calloc(1, pad);

		nla_put(m, 200, pad, junk);
		free(junk);
	}
	r = sendto(fd, nlmsg_hdr(m), nlmsg_hdr(m)->nlmsg_len, MSG_DONTWAIT,
		   (struct sockaddr *)&sa, sizeof(sa));
	nlmsg_free(m);
	return r < 0 ? -errno : 0;
}

static uint32_t port_of(int fd)
{
	struct sockaddr_nl sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len))
		return 0;
	return sa.nl_pid;
}

TEST_F(ev, timeout)
{
	calls = 0;
	EXPECT_EQ(-EAGAIN, crs_events_recv(self->ev, 0, count_cb, NULL));
	EXPECT_EQ(-EAGAIN, crs_events_recv(self->ev, 50, count_cb, NULL));
	EXPECT_EQ(0, calls);
	EXPECT_LE(0, crs_events_fd(self->ev));
	EXPECT_EQ(-EBADF, crs_events_fd(NULL));
}

/* A live family: still subscribed, and the lookup consumed nothing of ours.
 * (The unload case needs crs.ko: selftests/crsd_test.sh "events after insmod".) */
TEST_F(ev, check_live)
{
	struct crs_err err;

	ASSERT_EQ(0, crs_events_check(self->ev, &err)) TH_LOG("%s", err.msg);
	ASSERT_EQ(0, crs_events_check(self->ev, &err)) TH_LOG("%s", err.msg);
	calls = 0;
	EXPECT_EQ(-EAGAIN, crs_events_recv(self->ev, 0, count_cb, NULL));
	EXPECT_EQ(0, calls);
}

TEST_F(ev, spoofed_unicast_ignored)
{
	if (geteuid())
		SKIP(return, "sending to another netlink socket needs CAP_NET_ADMIN");
	calls = 0;
	ASSERT_EQ(0, send_fake(self->tx, port_of(crs_events_fd(self->ev)), 0, 0));
	/* the message arrives, and is dropped: not from the kernel */
	EXPECT_EQ(0, crs_events_recv(self->ev, 1000, count_cb, NULL));
	EXPECT_EQ(0, calls);
	EXPECT_EQ(-EAGAIN, crs_events_recv(self->ev, 0, count_cb, NULL));
}

TEST_F(ev, overrun_reported)
{
	int small = 1, i, r, sent = 0;

	if (geteuid())
		SKIP(return, "sending to a multicast group needs CAP_NET_ADMIN");
	/* the smallest receive queue the kernel allows */
	ASSERT_EQ(0, setsockopt(crs_events_fd(self->ev), SOL_SOCKET, SO_RCVBUF,
				&small, sizeof(small)));
	for (i = 0; i < 64; i++)
		if (!send_fake(self->tx, 0, 1u << (self->group - 1), 2000))
			sent++;
	ASSERT_LT(0, sent);
	calls = 0;
	r = crs_events_recv(self->ev, 1000, count_cb, NULL);
	EXPECT_EQ(-ENOBUFS, r);
	/* the overrun is reported once; then the queue drains (nothing valid in it) */
	r = crs_events_recv(self->ev, 0, count_cb, NULL);
	EXPECT_TRUE(r == 0 || r == -EAGAIN) TH_LOG("%d", r);
	EXPECT_EQ(0, calls);
}

TEST_HARNESS_MAIN
