/* SPDX-License-Identifier: GPL-2.0 */
/*
 * crs_rawnl.h - raw generic netlink for the control plane tests (libmnl).
 *
 * libcrsnl only builds well-formed requests, and may check limits before
 * the kernel sees anything. These helpers put arbitrary bytes on the wire,
 * so what is tested is the module's own validation: family resolved with
 * CTRL_CMD_GETFAMILY, extended acks requested (NETLINK_EXT_ACK) and capped
 * (NETLINK_CAP_ACK: the request is not echoed back).
 */
#ifndef CRS_RAWNL_H
#define CRS_RAWNL_H

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>

#include "crs_selftest.h"

struct rawnl {
	struct mnl_socket *nl;
	uint16_t family;
	uint32_t events_grp;
	uint32_t learn_grp;
	uint32_t seq;
	char extack[512];	/* NLMSGERR_ATTR_MSG of the last ack, "" if none */
	int replies;		/* non-error messages answering the last request */
};

static void rawnl_parse_extack(struct rawnl *r, const struct nlmsghdr *nlh, size_t off)
{
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_get_payload_len(a) > 0) {
			snprintf(r->extack, sizeof(r->extack), "%.*s",
				 (int)mnl_attr_get_payload_len(a),
				 (const char *)mnl_attr_get_payload(a));
		}
	}
}

/*
 * Send @nlh (REQUEST and ACK added, sequence number set) and read until its
 * ack or the end of its dump. Returns 0 or the negative errno of the ack.
 */
static CRS_UNUSED int rawnl_talk(struct rawnl *r, struct nlmsghdr *nlh)
{
	static char buf[1 << 17];
	ssize_t n;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++r->seq;
	r->extack[0] = '\0';
	r->replies = 0;
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		const struct nlmsghdr *m;
		int len;

		n = mnl_socket_recvfrom(r->nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		len = n;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			if (m->nlmsg_seq != r->seq)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);
				size_t off = sizeof(*e);

				if (!(m->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
				rawnl_parse_extack(r, m, off);
				return e->error;
			}
			if (m->nlmsg_type == NLMSG_DONE) {
				const int *e = mnl_nlmsg_get_payload(m);

				/* an ack that may follow has our seq: skipped next time */
				rawnl_parse_extack(r, m, sizeof(int));
				return *e;
			}
			r->replies++;
		}
	}
}

/* Start a request to the crs family. */
static CRS_UNUSED struct nlmsghdr *rawnl_msg(struct rawnl *r, void *buf, uint8_t cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = r->family;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = CRS_GENL_VERSION;
	return nlh;
}

struct getfamily_ctx {
	uint16_t id;
	uint32_t grp;
	uint32_t learn_grp;
};

static int mcgrp_cb(const struct nlattr *a, void *data)
{
	struct getfamily_ctx *c = data;
	const struct nlattr *x;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(x, a) {
		if (mnl_attr_get_type(x) == CTRL_ATTR_MCAST_GRP_NAME)
			name = mnl_attr_get_str(x);
		else if (mnl_attr_get_type(x) == CTRL_ATTR_MCAST_GRP_ID)
			id = mnl_attr_get_u32(x);
	}
	if (name && !strcmp(name, CRS_MCGRP_EVENTS))
		c->grp = id;
	else if (name && !strcmp(name, CRS_MCGRP_LEARN))
		c->learn_grp = id;
	return MNL_CB_OK;
}

/* Resolve the "crs" family on @r: 0, or the ack's -errno (-ENOENT: none). */
static CRS_UNUSED int rawnl_resolve(struct rawnl *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], rbuf[1 << 15];
	struct getfamily_ctx c = {0};
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	ssize_t n;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++r->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, CRS_GENL_NAME);
	if (mnl_socket_sendto(r->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		const struct nlmsghdr *m;
		int len;

		n = mnl_socket_recvfrom(r->nl, rbuf, sizeof(rbuf));
		if (n < 0)
			return -errno;
		len = n;
		for (m = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(m, len);
		     m = mnl_nlmsg_next(m, &len)) {
			const struct nlattr *a;

			if (m->nlmsg_seq != r->seq)
				continue;
			if (m->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(m);

				if (e->error)
					return e->error;
				r->family = c.id;
				r->events_grp = c.grp;
				r->learn_grp = c.learn_grp;
				return c.id ? 0 : -ENOENT;
			}
			mnl_attr_for_each(a, m, sizeof(struct genlmsghdr)) {
				if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
					c.id = mnl_attr_get_u16(a);
				else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS)
					mnl_attr_parse_nested(a, mcgrp_cb, &c);
			}
		}
	}
}

/* Open a socket; with @resolve, resolve the family too. 0 or -errno. */
static CRS_UNUSED int rawnl_open(struct rawnl *r, bool resolve)
{
	int one = 1, fd;

	memset(r, 0, sizeof(*r));
	r->seq = time(NULL);
	r->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!r->nl)
		return -errno;
	if (mnl_socket_bind(r->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = -errno;

		mnl_socket_close(r->nl);
		r->nl = NULL;
		return e;
	}
	fd = mnl_socket_get_fd(r->nl);
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return resolve ? rawnl_resolve(r) : 0;
}

static CRS_UNUSED void rawnl_close(struct rawnl *r)
{
	if (r->nl)
		mnl_socket_close(r->nl);
	r->nl = NULL;
}

/* Join multicast group @grp: 0 or -errno. */
static CRS_UNUSED int rawnl_join(struct rawnl *r, uint32_t grp)
{
	if (setsockopt(mnl_socket_get_fd(r->nl), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &grp, sizeof(grp)))
		return -errno;
	return 0;
}

/* Join the events group: 0 or -errno. */
static CRS_UNUSED int rawnl_join_events(struct rawnl *r)
{
	return rawnl_join(r, r->events_grp);
}

/* Let one request be as large as @bytes (root: SO_SNDBUFFORCE). */
static CRS_UNUSED int rawnl_big(struct rawnl *r, int bytes)
{
	if (setsockopt(mnl_socket_get_fd(r->nl), SOL_SOCKET, SO_SNDBUFFORCE,
		       &bytes, sizeof(bytes)))
		return -errno;
	return 0;
}

/* Table attributes every valid SET_TABLE has. */
static CRS_UNUSED void put_table_head(struct nlmsghdr *nlh, uint64_t cgid, const char *name,
				      uint32_t mode, uint32_t file_def, uint32_t exec_def)
{
	struct nlattr *d;

	mnl_attr_put_u64(nlh, CRS_A_CGROUP_ID, cgid);
	mnl_attr_put_strz(nlh, CRS_A_TABLE_NAME, name);
	mnl_attr_put_u32(nlh, CRS_A_TABLE_MODE, mode);
	d = mnl_attr_nest_start(nlh, CRS_A_TABLE_DEFAULTS);
	mnl_attr_put_u32(nlh, CRS_A_DEFAULT_FILE, file_def);
	mnl_attr_put_u32(nlh, CRS_A_DEFAULT_EXECUTE, exec_def);
	mnl_attr_nest_end(nlh, d);
}

/* One enabled rule for any program. */
static CRS_UNUSED void put_rule(struct nlmsghdr *nlh, uint32_t index, uint32_t type,
				uint32_t action, const char *path, uint32_t access)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, CRS_A_RULE);

	mnl_attr_put_u32(nlh, CRS_A_RULE_INDEX, index);
	mnl_attr_put_u32(nlh, CRS_A_RULE_TYPE, type);
	mnl_attr_put_u32(nlh, CRS_A_RULE_ACTION, action);
	mnl_attr_put_u32(nlh, CRS_A_RULE_FLAGS, CRS_RULE_F_ENABLED);
	mnl_attr_put_strz(nlh, CRS_A_RULE_PROGRAM, "*");
	mnl_attr_put_strz(nlh, CRS_A_RULE_PATH, path);
	if (type == CRS_RULE_FILE)
		mnl_attr_put_u32(nlh, CRS_A_RULE_ACCESS, access);
	mnl_attr_nest_end(nlh, n);
}

#endif /* CRS_RAWNL_H */
