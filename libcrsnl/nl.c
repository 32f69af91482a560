// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The generic netlink transport to crs.ko (libnl-3): one socket bound to
 * the "crs" family, one request at a time, the kernel's extended ack
 * returned verbatim in struct crs_err.
 *
 * libnl 3.7 neither enables NETLINK_EXT_ACK nor parses the ack's TLVs, and
 * it maps errno values to its own NLE_* codes (ENOBUFS and ENOMEM both
 * become NLE_NOMEM). So: the socket options are set here, every request
 * gets its own callback set whose error callback finds the whole ack
 * message (struct nlmsgerr sits right after the netlink header) and hands
 * it to crs_ack_parse(), and the errno is taken from the ack itself.
 * Messages whose sequence number is not the request's are skipped, so a
 * request abandoned half way cannot confuse the next one.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include "crsnl_int.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define MSG_NOT_LOADED	"crs.ko is not loaded (generic netlink family 'crs' not found)"
#define MSG_EPERM	"permission denied: CAP_NET_ADMIN in the initial user namespace is required"

/* Reads after an overrun before giving up (a failing malloc could loop). */
#define LOST_READS_MAX	100000

/* Receive queue of the control socket: a 16 MiB table reply and its ack. */
#define CTL_RCVBUF	(20 << 20)

struct crs_nl {
	struct nl_sock *sk;
	int family;
};

/* A failure without kernel text: EPERM gets its explanation, else "what: strerror". */
static int fill_error(struct crs_err *err, int error, const char *what)
{
	if (err && !err->msg[0]) {
		if (error == -EPERM)
			crs_err_set(err, error, MSG_EPERM);
		else
			crs_err_set(err, error, "%s: %s", what, strerror(-error));
	}
	return error;
}

/* Open a generic netlink socket and resolve the crs family (shared with events.c). */
int crs_genl_open(struct nl_sock **skp, int *family, struct crs_err *err)
{
	return crs_genl_open_name(skp, CRS_GENL_NAME, family, err);
}

int crs_genl_open_name(struct nl_sock **skp, const char *name, int *family,
		       struct crs_err *err)
{
	struct nl_sock *sk;
	int r;

	*skp = NULL;
	sk = nl_socket_alloc();
	if (!sk)
		return crs_err_set(err, -ENOMEM, "out of memory");
	r = genl_connect(sk);
	if (r < 0) {
		r = crs_errno_from_nle(r);
		nl_socket_free(sk);
		return crs_err_set(err, r, "cannot open a generic netlink socket: %s",
				   strerror(-r));
	}
	r = genl_ctrl_resolve(sk, name);
	if (r < 0) {
		nl_socket_free(sk);
		if (r == -NLE_OBJ_NOTFOUND && !strcmp(name, CRS_GENL_NAME))
			return crs_err_set(err, -ENOENT, MSG_NOT_LOADED);
		r = crs_errno_from_nle(r);
		return crs_err_set(err, r, "cannot look up the generic netlink family '%s': %s",
				   name, strerror(-r));
	}
	*family = r;
	*skp = sk;
	return 0;
}

int crs_nl_open(struct crs_nl **out, struct crs_err *err)
{
	return crs_nl_open_family(out, CRS_GENL_NAME, err);
}

/* crs_nl_open() for any generic netlink family (unit tests use "nlctrl"). */
int crs_nl_open_family(struct crs_nl **out, const char *name, struct crs_err *err)
{
	struct crs_nl *nl;
	int one = 1, rcvbuf = CTL_RCVBUF, fd, r;

	crs_err_reset(err);
	*out = NULL;
	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return crs_err_set(err, -ENOMEM, "out of memory");
	r = crs_genl_open_name(&nl->sk, name, &nl->family, err);
	if (r) {
		free(nl);
		return r;
	}
	fd = nl_socket_get_fd(nl->sk);
	/*
	 * Kernel error text, and acks without a copy of the request (which
	 * can be megabytes). Kernels without them still work, less verbosely.
	 */
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	/*
	 * A GET_TABLE doit answers with up to 16 MiB in one message, and its
	 * ack must still fit in the receive queue after it. This is a limit,
	 * not an allocation (SO_RCVBUFFORCE needs CAP_NET_ADMIN; the
	 * fallback is capped by net.core.rmem_max: see the ENOBUFS case in
	 * crs_nl_transact()).
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* NLM_F_ACK is set per request (dumps end with NLMSG_DONE instead). */
	nl_socket_disable_auto_ack(nl->sk);
	/* Size each read to the message (dump replies can exceed a page). */
	nl_socket_enable_msg_peek(nl->sk);
	*out = nl;
	return 0;
}

int crs_nl_fd(struct crs_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

void crs_nl_close(struct crs_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

/* ------------------------------------------------------------ requests */

struct req {
	int family;
	uint32_t seq;
	bool done;		/* ack, error or end of dump seen */
	bool intr;		/* NLM_F_DUMP_INTR: the dump was inconsistent */
	unsigned int replies;	/* the family's messages received */
	int error;
	struct crs_err *err;
	const struct nlmsghdr *request;
	int (*parse)(const struct nlmsghdr *nlh, void *arg);
	void *arg;
};

static int cb_seq(struct nl_msg *msg, void *arg)
{
	struct req *q = arg;

	return nlmsg_hdr(msg)->nlmsg_seq == q->seq ? NL_OK : NL_SKIP;
}

static int cb_valid(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct req *q = arg;
	int r;

	if (nlh->nlmsg_type != q->family)
		return NL_SKIP;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		q->intr = true;
	q->replies++;
	if (q->error || !q->parse)
		return NL_SKIP;	/* keep reading to the end of the reply */
	r = q->parse(nlh, q->arg);
	if (r < 0)
		q->error = r;
	return NL_OK;
}

static int cb_finish(struct nl_msg *msg, void *arg)
{
	struct req *q = arg;
	int r = crs_ack_parse(nlmsg_hdr(msg), q->request, q->err);

	if (nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP_INTR)
		q->intr = true;
	if (r < 0)
		q->error = r;
	q->done = true;
	return NL_STOP;
}

static int cb_ack(struct nl_msg *msg, void *arg)
{
	struct req *q = arg;

	q->done = true;
	return NL_STOP;
}

static int cb_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	/* libnl hands us the payload; the message header is right before it. */
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)((const char *)e - NLMSG_HDRLEN);
	struct req *q = arg;
	int r = crs_ack_parse(nlh, q->request, q->err);

	q->error = r < 0 ? r : -EPROTO;
	q->done = true;
	return NL_STOP;
}

/*
 * The kernel refuses a message larger than the socket's send buffer:
 * raise it to fit (SO_SNDBUFFORCE needs CAP_NET_ADMIN, which every crs
 * command needs anyway; SO_SNDBUF is capped by net.core.wmem_max).
 */
static void fit_sndbuf(struct crs_nl *nl, size_t len)
{
	int fd = nl_socket_get_fd(nl->sk), cur = 0, want;
	socklen_t sl = sizeof(cur);

	if (!getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &cur, &sl) && cur > 0 &&
	    (size_t)cur >= len + 4096)
		return;
	want = len + 65536 > (size_t)(INT32_MAX / 2) ? INT32_MAX / 2 : (int)(len + 65536);
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
}

/*
 * Send msg (which is freed) and read the reply to its end: each of the
 * family's messages in the reply goes to parse(nlh, arg); acks, errors and
 * the end of a dump are handled here. Returns 0 or a negative errno with
 * err->msg set; *intr (if given) tells whether a dump was interrupted.
 */
int crs_nl_transact(struct crs_nl *nl, struct nl_msg *msg, const char *what,
		    int (*parse)(const struct nlmsghdr *, void *), void *arg,
		    bool *intr, struct crs_err *err)
{
	struct req q = {
		.family = nl->family, .err = err, .parse = parse, .arg = arg,
	};
	struct crs_err local;
	struct nl_cb *cb;
	bool lost = false;
	int r, lost_reads = 0;

	if (!err)
		err = q.err = &local;
	crs_err_reset(err);
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return crs_err_set(err, -ENOMEM, "out of memory");
	}
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, cb_seq, &q);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, cb_valid, &q);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, cb_finish, &q);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, cb_ack, &q);
	nl_cb_err(cb, NL_CB_CUSTOM, cb_error, &q);

	fit_sndbuf(nl, nlmsg_hdr(msg)->nlmsg_len);
	r = nl_send_auto(nl->sk, msg);
	if (r < 0) {
		r = crs_errno_from_nle(r);
		if (r == -EMSGSIZE)
			crs_err_set(err, r, "%s: the request (%u bytes) is larger than the "
				    "socket send buffer allows", what,
				    nlmsg_hdr(msg)->nlmsg_len);
		q.error = fill_error(err, r, what);
		goto out;
	}
	q.seq = nlmsg_hdr(msg)->nlmsg_seq;
	q.request = nlmsg_hdr(msg);
	while (!q.done) {
		if (lost) {
			struct pollfd p = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };

			if (poll(&p, 1, 0) <= 0 || ++lost_reads > LOST_READS_MAX)
				break;	/* drained */
		}
		r = nl_recvmsgs(nl->sk, cb);
		if (q.done || r >= 0 || r == -NLE_AGAIN)
			continue;
		r = crs_errno_from_nle(r);
		if (r == -ENOMEM) {
			/*
			 * ENOBUFS (libnl reports it as NLE_NOMEM, like ENOMEM):
			 * the receive queue overflowed and a message for us was
			 * dropped. The kernel reports this before the messages
			 * still queued, and it queued all its answers to a doit
			 * before our send returned (the next part of a dump
			 * during our read): read what is left without blocking,
			 * then judge.
			 */
			if (!lost)
				nl_socket_set_nonblocking(nl->sk);
			lost = true;
			continue;
		}
		q.error = r;
		crs_err_set(err, r, "%s: receiving the reply: %s", what, strerror(-r));
		break;
	}
	if (lost) {
		int fd = nl_socket_get_fd(nl->sk);

		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		if (!q.done && !q.error) {
			/*
			 * A doit's reply arrived, its ack did not: the kernel acks
			 * a reply it could send with 0. Otherwise the answer we
			 * need is gone, and with it the request's outcome.
			 */
			if (!q.replies || (q.request->nlmsg_flags & NLM_F_DUMP))
				q.error = crs_err_set(err, -ENOBUFS, "%s: the kernel's answer "
						      "was lost (the socket's receive queue "
						      "overflowed)", what);
		}
	}
	if (q.error == -EBADMSG && !err->msg[0])
		crs_err_set(err, q.error, "%s: malformed reply from crs.ko", what);
	if (q.error == -ENOMEM && !err->msg[0])
		crs_err_set(err, q.error, "out of memory");
	if (q.error)
		fill_error(err, q.error, what);
	if (intr)
		*intr = q.intr;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return q.error;
}

static struct nl_msg *new_request(struct crs_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags, cmd, CRS_GENL_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static int need_cgroup(uint64_t cgroup_id, struct crs_err *err)
{
	if (!cgroup_id)
		return crs_err_set(err, -EINVAL, "no cgroup id");
	return 0;
}

int crs_nl_set_table(struct crs_nl *nl, uint64_t cgroup_id,
		     const struct crs_policy *p, struct crs_err *err)
{
	struct nl_msg *msg;
	int r;

	crs_err_reset(err);
	r = need_cgroup(cgroup_id, err);
	if (r)
		return r;
	r = crs_policy_validate(p, err);
	if (r)
		return r;
	msg = crs_table_msg_build(nl->family, cgroup_id, p, &r);
	if (!msg)
		return crs_err_set(err, r, r == -ENOMEM ? "out of memory"
					   : "set table: the table does not fit in a netlink message");
	return crs_nl_transact(nl, msg, "set table", NULL, NULL, NULL, err);
}

/* A request naming only a cgroup (DEL_TABLE, DEL_LEARNED), acknowledged. */
static int cgroup_request(struct crs_nl *nl, uint8_t cmd, uint64_t cgroup_id, const char *what,
			  struct crs_err *err)
{
	struct nl_msg *msg;
	int r;

	crs_err_reset(err);
	r = need_cgroup(cgroup_id, err);
	if (r)
		return r;
	msg = new_request(nl, cmd, NLM_F_ACK);
	if (!msg || nla_put_u64(msg, CRS_A_CGROUP_ID, cgroup_id)) {
		nlmsg_free(msg);
		return crs_err_set(err, -ENOMEM, "out of memory");
	}
	return crs_nl_transact(nl, msg, what, NULL, NULL, NULL, err);
}

int crs_nl_del_table(struct crs_nl *nl, uint64_t cgroup_id, struct crs_err *err)
{
	return cgroup_request(nl, CRS_CMD_DEL_TABLE, cgroup_id, "delete table", err);
}

int crs_nl_set_container(struct crs_nl *nl, uint64_t cgroup_id, int mode,
			 int64_t log, struct crs_err *err)
{
	struct nl_msg *msg;
	int r;

	crs_err_reset(err);
	r = need_cgroup(cgroup_id, err);
	if (r)
		return r;
	if (mode >= 0 && mode > CRS_MODE_MAX && mode != CRS_MODE_POLICY)
		return crs_err_set(err, -EINVAL, "unknown mode %d", mode);
	if (log >= 0 && (log & ~(int64_t)CRS_LOG_ALL))
		return crs_err_set(err, -EINVAL, "unknown log bits 0x%llx",
				   (unsigned long long)(log & ~(int64_t)CRS_LOG_ALL));
	if (mode < 0 && log < 0)
		return crs_err_set(err, -EINVAL, "nothing to change (neither mode nor log given)");
	msg = new_request(nl, CRS_CMD_SET_CONTAINER, NLM_F_ACK);
	if (!msg || nla_put_u64(msg, CRS_A_CGROUP_ID, cgroup_id) ||
	    (mode >= 0 && nla_put_u32(msg, CRS_A_CONTAINER_MODE, mode)) ||
	    (log >= 0 && nla_put_u32(msg, CRS_A_CONTAINER_LOG, (uint32_t)log))) {
		nlmsg_free(msg);
		return crs_err_set(err, -ENOMEM, "out of memory");
	}
	return crs_nl_transact(nl, msg, "set container", NULL, NULL, NULL, err);
}

struct status_arg {
	struct crs_status *st;
	bool seen;
};

static int status_parse(const struct nlmsghdr *nlh, void *arg)
{
	struct status_arg *sa = arg;

	sa->seen = true;
	return crs_status_msg_parse(nlh, sa->st);
}

int crs_nl_get_status(struct crs_nl *nl, struct crs_status *st, struct crs_err *err)
{
	struct status_arg sa = { .st = st };
	struct nl_msg *msg;
	int r;

	crs_err_reset(err);
	memset(st, 0, sizeof(*st));
	msg = new_request(nl, CRS_CMD_GET_STATUS, NLM_F_ACK);
	if (!msg)
		return crs_err_set(err, -ENOMEM, "out of memory");
	r = crs_nl_transact(nl, msg, "get status", status_parse, &sa, NULL, err);
	if (!r && !sa.seen)
		r = crs_err_set(err, -EBADMSG, "get status: crs.ko sent no status");
	return r;
}

static int table_parse(const struct nlmsghdr *nlh, void *arg)
{
	return crs_table_msg_parse(nlh, arg);
}

/* Tables may be replaced while a dump reads them: retry this often. */
#define DUMP_RETRIES	5

int crs_nl_get_tables(struct crs_nl *nl, uint64_t cgroup_id,
		      struct crs_table_info **out, size_t *n, struct crs_err *err)
{
	struct crs_table_acc acc = { 0 };
	bool dump = !cgroup_id, intr, short_table;
	struct nl_msg *msg;
	size_t i;
	int r, attempt;

	crs_err_reset(err);
	*out = NULL;
	*n = 0;
	for (attempt = 0; attempt < DUMP_RETRIES; attempt++) {
		msg = new_request(nl, CRS_CMD_GET_TABLE, dump ? NLM_F_DUMP : NLM_F_ACK);
		if (!msg || (!dump && nla_put_u64(msg, CRS_A_CGROUP_ID, cgroup_id))) {
			nlmsg_free(msg);
			return crs_err_set(err, -ENOMEM, "out of memory");
		}
		memset(&acc, 0, sizeof(acc));
		r = crs_nl_transact(nl, msg, "get tables", table_parse, &acc, &intr, err);
		if (r == -EMSGSIZE && !dump) {
			/* too large for the doit's one message: the dump pages it */
			crs_table_acc_free(&acc);
			dump = true;
			attempt--;
			continue;
		}
		if (r) {
			crs_table_acc_free(&acc);
			return r;
		}
		if (intr || acc.inconsistent) {
			crs_table_acc_free(&acc);
			continue;
		}
		short_table = false;
		for (i = 0; i < acc.n; i++)
			if (acc.tables[i].nrules < acc.nrules_attr[i])
				short_table = true;
		if (short_table && !dump) {
			/* The doit answers in one message; a big table needs the dump. */
			crs_table_acc_free(&acc);
			dump = true;
			attempt--;
			continue;
		}
		if (short_table) {
			/* The rules still changed under us without DUMP_INTR. */
			crs_table_acc_free(&acc);
			continue;
		}
		if (cgroup_id) {
			/* Keep only the table asked for (a dump returns them all). */
			for (i = 0; i < acc.n && acc.tables[i].cgroup_id != cgroup_id; i++)
				;
			if (i == acc.n) {
				crs_table_acc_free(&acc);
				return crs_err_set(err, -ENOENT, "no table on cgroup %llu",
						   (unsigned long long)cgroup_id);
			}
			if (i) {
				struct crs_table_info tmp = acc.tables[0];

				acc.tables[0] = acc.tables[i];
				acc.tables[i] = tmp;
			}
			for (i = 1; i < acc.n; i++)
				free(acc.tables[i].rules);
			acc.n = 1;
		}
		*out = acc.tables;
		*n = acc.n;
		acc.tables = NULL;
		acc.n = 0;
		crs_table_acc_free(&acc);
		return 0;
	}
	return crs_err_set(err, -EAGAIN, "get tables: the tables kept changing while being "
			   "read; try again");
}

/* ------------------------------------------------------------ learning */

int crs_nl_set_learning(struct crs_nl *nl, uint64_t cgroup_id, uint32_t learn,
			uint32_t max, struct crs_err *err)
{
	struct nl_msg *msg;
	int r;

	crs_err_reset(err);
	r = need_cgroup(cgroup_id, err);
	if (r)
		return r;
	if (learn != CRS_LEARN_OFF && learn != CRS_LEARN_ON && learn != CRS_LEARN_POLICY)
		return crs_err_set(err, -EINVAL, "learning must be on, off or policy");
	if (max && (max < CRS_MIN_LEARN_RECORDS || max > CRS_MAX_LEARN_RECORDS))
		return crs_err_set(err, -EINVAL, "the learned set's size must be %u to %u records",
				   CRS_MIN_LEARN_RECORDS, CRS_MAX_LEARN_RECORDS);
	msg = new_request(nl, CRS_CMD_SET_CONTAINER, NLM_F_ACK);
	if (!msg || nla_put_u64(msg, CRS_A_CGROUP_ID, cgroup_id) ||
	    nla_put_u32(msg, CRS_A_CONTAINER_LEARN, learn) ||
	    (max && nla_put_u32(msg, CRS_A_LEARN_MAX, max))) {
		nlmsg_free(msg);
		return crs_err_set(err, -ENOMEM, "out of memory");
	}
	return crs_nl_transact(nl, msg, "set learning", NULL, NULL, NULL, err);
}

struct learned_arg {
	struct crs_learned *l;
	uint64_t epoch;		/* of the first message */
	bool changed;		/* a message from another set instance */
};

static int learned_parse(const struct nlmsghdr *nlh, void *arg)
{
	struct learned_arg *la = arg;
	uint64_t epoch = 0;
	int r = crs_learned_msg_parse(nlh, la->l, &epoch);

	if (!la->epoch)
		la->epoch = epoch;
	else if (epoch != la->epoch)
		la->changed = true;
	return r;
}

int crs_nl_get_learned(struct crs_nl *nl, uint64_t cgroup_id, struct crs_learned **out,
		       struct crs_err *err)
{
	struct learned_arg la;
	struct nl_msg *msg;
	bool intr;
	int r, attempt;

	crs_err_reset(err);
	*out = NULL;
	r = need_cgroup(cgroup_id, err);
	if (r)
		return r;
	for (attempt = 0; attempt < DUMP_RETRIES; attempt++) {
		memset(&la, 0, sizeof(la));
		la.l = calloc(1, sizeof(*la.l));
		msg = new_request(nl, CRS_CMD_GET_LEARNED, NLM_F_DUMP);
		if (!la.l || !msg || nla_put_u64(msg, CRS_A_CGROUP_ID, cgroup_id)) {
			nlmsg_free(msg);
			free(la.l);
			return crs_err_set(err, -ENOMEM, "out of memory");
		}
		r = crs_nl_transact(nl, msg, "get learned", learned_parse, &la, &intr, err);
		if (!r && (intr || la.changed)) {
			crs_learned_free(la.l);
			continue;	/* the set was replaced while we read it */
		}
		if (!r && !la.epoch)
			r = crs_err_set(err, -EBADMSG, "get learned: crs.ko sent no learned set");
		if (r) {
			crs_learned_free(la.l);
			return r;
		}
		*out = la.l;
		return 0;
	}
	return crs_err_set(err, -EAGAIN, "get learned: the set kept being replaced while "
			   "being read; try again");
}

int crs_nl_del_learned(struct crs_nl *nl, uint64_t cgroup_id, struct crs_err *err)
{
	return cgroup_request(nl, CRS_CMD_DEL_LEARNED, cgroup_id, "delete learned", err);
}

/* ------------------------------------------------------------- cgroups */

int crs_cgroup_id(const char *cgroup_path, uint64_t *id)
{
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} h;
	struct statfs sfs;
	struct stat st;
	int mnt;

	if (!cgroup_path || !id)
		return -EINVAL;
	if (statfs(cgroup_path, &sfs) || stat(cgroup_path, &st))
		return -errno;
	if (sfs.f_type != CGROUP2_SUPER_MAGIC)
		return -EMEDIUMTYPE;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, cgroup_path, &h.fh, &mnt, 0))
		return -errno;
	if (h.fh.handle_bytes != sizeof(*id))
		return -EOPNOTSUPP;
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}
