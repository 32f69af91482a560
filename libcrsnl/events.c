// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Events: a socket of its own subscribed to the "events" multicast group,
 * decoding of CRS_CMD_EVENT messages and their JSON form.
 *
 * Reading is done here with recvmsg() rather than libnl's receive loop,
 * because libnl turns ENOBUFS (the socket's receive queue overflowed:
 * events were lost) into the same code as ENOMEM, and losing events is
 * something the caller must be told.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <json-c/json.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include "crsnl_int.h"

/* An event is at most two 4 KiB paths plus a few attributes. */
#define EVENT_BUF	(64 * 1024)
/* Receive queue: room for bursts of thousands of events. */
#define EVENT_RCVBUF	(8 * 1024 * 1024)
/* Messages handled per crs_events_recv() call, so callers stay responsive. */
#define EVENT_BATCH	1024

struct crs_events {
	struct nl_sock *sk;
	int fd;
	int family;
	int group;
	char family_name[GENL_NAMSIZ];
	char group_name[GENL_NAMSIZ];
	struct crs_event ev;
	char buf[EVENT_BUF];
};

int crs_events_open(struct crs_events **out, struct crs_err *err)
{
	return crs_events_open_group(out, CRS_GENL_NAME, CRS_MCGRP_EVENTS, err);
}

/* crs_events_open() for any family and group (unit tests use nlctrl's). */
int crs_events_open_group(struct crs_events **out, const char *family,
			  const char *group, struct crs_err *err)
{
	struct crs_events *ev;
	int r, grp, want = EVENT_RCVBUF;

	crs_err_reset(err);
	*out = NULL;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return crs_err_set(err, -ENOMEM, "out of memory");
	r = crs_genl_open_name(&ev->sk, family, &ev->family, err);
	if (r) {
		free(ev);
		return r;
	}
	grp = genl_ctrl_resolve_grp(ev->sk, family, group);
	if (grp < 0) {
		r = crs_errno_from_nle(grp);
		if (r == -ENOENT) {
			/* the family is there but speaks another protocol */
			r = -EPROTONOSUPPORT;
			crs_err_set(err, r, "%s has no '%s' multicast group",
				    strcmp(family, CRS_GENL_NAME) ? family : "crs.ko", group);
		} else {
			crs_err_set(err, r, "cannot look up the '%s' multicast group: %s",
				    group, strerror(-r));
		}
		goto fail;
	}
	ev->group = grp;
	snprintf(ev->family_name, sizeof(ev->family_name), "%s", family);
	snprintf(ev->group_name, sizeof(ev->group_name), "%s", group);
	nl_socket_disable_seq_check(ev->sk);
	r = nl_socket_add_membership(ev->sk, grp);
	if (r < 0) {
		r = crs_errno_from_nle(r);
		if (r == -EPERM || r == -EACCES)
			r = crs_err_set(err, -EPERM, "permission denied: CAP_NET_ADMIN in the "
					"initial user namespace is required");
		else
			crs_err_set(err, r, "cannot join the '%s' multicast group: %s",
				    group, strerror(-r));
		goto fail;
	}
	ev->fd = nl_socket_get_fd(ev->sk);
	if (setsockopt(ev->fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof(want)))
		setsockopt(ev->fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
	*out = ev;
	return 0;
fail:
	nl_socket_free(ev->sk);
	free(ev);
	return r;
}

void crs_events_close(struct crs_events *ev)
{
	if (!ev)
		return;
	nl_socket_free(ev->sk);
	free(ev);
}

/*
 * Unloading a family clears its groups' memberships without a word to the
 * subscribers: their sockets just go quiet. So look the family and the
 * group up again, on a socket of our own (a lookup on ev->sk could swallow
 * queued events). Joining again is harmless when nothing changed, and
 * repairs a reload that happened to get the same ids back.
 */
int crs_events_check(struct crs_events *ev, struct crs_err *err)
{
	struct nl_sock *sk;
	int r, family, grp;

	crs_err_reset(err);
	r = crs_genl_open_name(&sk, ev->family_name, &family, err);
	if (r)
		return r;
	grp = genl_ctrl_resolve_grp(sk, ev->family_name, ev->group_name);
	nl_socket_free(sk);
	if (grp < 0 || family != ev->family || grp != ev->group)
		return crs_err_set(err, -ESTALE, "%s was unloaded and loaded again: subscribe again",
				   strcmp(ev->family_name, CRS_GENL_NAME) ? ev->family_name : "crs.ko");
	r = nl_socket_add_membership(ev->sk, grp);
	if (r < 0) {
		r = crs_errno_from_nle(r);
		return crs_err_set(err, r, "cannot join the '%s' multicast group again: %s",
				   ev->group_name, strerror(-r));
	}
	return 0;
}

int crs_events_fd(struct crs_events *ev)
{
	return ev ? ev->fd : -EBADF;
}

/*
 * The receive loop of both groups: each message of our family from the
 * kernel goes to msg(), which returns 1 if it handled one, 0 if it skipped
 * it, or -ENOMEM. Returns the number handled, -EAGAIN if nothing arrived
 * within timeout_ms, -ENOBUFS if the receive queue overflowed (messages
 * were lost; those read before the overflow was noticed have been handled
 * already, and the next call goes on with the ones still queued), -EINTR if
 * a signal interrupted the wait.
 */
static int mcast_recv(struct crs_events *ev, int timeout_ms,
		      int (*msg)(struct crs_events *ev, const struct nlmsghdr *nlh, void *arg),
		      void *arg)
{
	struct pollfd pfd = { .fd = ev->fd, .events = POLLIN };
	struct sockaddr_nl sa;
	struct iovec iov = { .iov_base = ev->buf, .iov_len = sizeof(ev->buf) };
	struct msghdr mh = {
		.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1,
	};
	int handled = 0, i, r;
	ssize_t n;

	r = poll(&pfd, 1, timeout_ms < 0 ? -1 : timeout_ms);
	if (r < 0)
		return -errno;
	if (!r)
		return -EAGAIN;
	for (i = 0; i < EVENT_BATCH; i++) {
		struct nlmsghdr *nlh;
		int len;

		mh.msg_namelen = sizeof(sa);
		mh.msg_flags = 0;
		n = recvmsg(ev->fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;	/* ENOBUFS: overrun */
		}
		if ((mh.msg_flags & MSG_TRUNC) || sa.nl_pid != 0)
			continue;	/* not an event, or not from the kernel */
		len = (int)n;
		for (nlh = (struct nlmsghdr *)ev->buf; nlmsg_ok(nlh, len);
		     nlh = nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type != ev->family)
				continue;
			r = msg(ev, nlh, arg);
			if (r < 0)
				return r;
			handled += r;
		}
	}
	return handled;
}

struct event_cb {
	void (*cb)(const struct crs_event *e, void *arg);
	void *arg;
};

static int event_msg(struct crs_events *ev, const struct nlmsghdr *nlh, void *arg)
{
	const struct event_cb *c = arg;

	if (crs_event_msg_parse(nlh, &ev->ev))
		return 0;
	if (c->cb)
		c->cb(&ev->ev, c->arg);
	return 1;
}

int crs_events_recv(struct crs_events *ev, int timeout_ms,
		    void (*cb)(const struct crs_event *e, void *arg), void *arg)
{
	struct event_cb c = { cb, arg };

	return mcast_recv(ev, timeout_ms, event_msg, &c);
}

/* -------------------------------------------------------------- hints */

int crs_hints_open(struct crs_events **out, struct crs_err *err)
{
	return crs_events_open_group(out, CRS_GENL_NAME, CRS_MCGRP_LEARN, err);
}

struct hint_cb {
	void (*cb)(const struct crs_learned *hint, void *arg);
	void *arg;
};

static int hint_msg(struct crs_events *ev, const struct nlmsghdr *nlh, void *arg)
{
	const struct hint_cb *c = arg;
	struct crs_learned *h;
	uint64_t epoch = 0;
	int r, ok;

	if (crs_genl_cmd(nlh) != CRS_CMD_LEARN_HINT)
		return 0;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	r = crs_learned_msg_parse(nlh, h, &epoch);
	if (r == -ENOMEM) {
		crs_learned_free(h);
		return r;
	}
	ok = !r && epoch && h->cgroup_id;
	if (ok && c->cb)
		c->cb(h, c->arg);
	crs_learned_free(h);
	return ok;
}

int crs_hints_recv(struct crs_events *ev, int timeout_ms,
		   void (*cb)(const struct crs_learned *hint, void *arg), void *arg)
{
	struct hint_cb c = { cb, arg };

	return mcast_recv(ev, timeout_ms, hint_msg, &c);
}

/* ---------------------------------------------------------------- JSON */

const char *crs_time_rfc3339(uint64_t time_ns, char *buf, size_t len)
{
	time_t sec = (time_t)(time_ns / 1000000000u);
	struct tm tm;
	size_t o;

	if (!buf || !len)
		return buf;
	buf[0] = '\0';
	if (!gmtime_r(&sec, &tm))
		return buf;
	o = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	if (o)
		snprintf(buf + o, len - o, ".%09uZ", (unsigned int)(time_ns % 1000000000u));
	return buf;
}

/* Valid UTF-8 is kept, other bytes become the text "\xNN". */
static char *utf8_clean(const char *s)
{
	size_t n = strlen(s), i = 0, o = 0, k, need;
	unsigned char c;
	char *out = malloc(4 * n + 1);

	if (!out)
		return NULL;
	while (i < n) {
		c = s[i];
		need = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 :
		       (c & 0xf8) == 0xf0 ? 3 : 4;
		if (need == 4 || (c & 0xfe) == 0xc0 || c > 0xf4 || (need && i + need >= n))
			goto bad;
		for (k = 1; k <= need; k++)
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				goto bad;
		/* overlong 3/4 byte forms, surrogates, beyond U+10FFFF */
		if ((c == 0xe0 && (unsigned char)s[i + 1] < 0xa0) ||
		    (c == 0xed && (unsigned char)s[i + 1] >= 0xa0) ||
		    (c == 0xf0 && (unsigned char)s[i + 1] < 0x90) ||
		    (c == 0xf4 && (unsigned char)s[i + 1] >= 0x90))
			goto bad;
		memcpy(out + o, s + i, need + 1);
		o += need + 1;
		i += need + 1;
		continue;
bad:
		o += sprintf(out + o, "\\x%02x", c);
		i++;
	}
	out[o] = '\0';
	return out;
}

static struct json_object *clean_string(const char *s)
{
	char *c = utf8_clean(s);
	struct json_object *o;

	if (!c)
		return NULL;
	o = json_object_new_string(c);
	free(c);
	return o;
}

static struct json_object *enum_json(const char *name, uint32_t v)
{
	return name ? json_object_new_string(name) : json_object_new_int64(v);
}

/* { "address": "10.0.0.1", "port": 443 } of a network event. */
static struct json_object *endpoint_json(int family, const uint8_t *addr, uint16_t port)
{
	struct json_object *o = json_object_new_object(), *v;
	char text[INET6_ADDRSTRLEN] = "?";
	int bad = 0;

	if (!o)
		return NULL;
	if (family == AF_INET || family == AF_INET6)
		inet_ntop(family, addr, text, sizeof(text));
	v = json_object_new_string(text);
	bad |= !v || json_object_object_add(o, "address", v);
	v = json_object_new_int64(port);
	bad |= !v || json_object_object_add(o, "port", v);
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

char *crs_event_to_json(const struct crs_event *e)
{
	struct json_object *o = json_object_new_object(), *v, *args;
	char tbuf[64], abuf[64];
	int i;
	char *s = NULL;
	int bad = 0;

	if (!o)
		return NULL;
#define ADD(k, val) do { \
		v = (val); \
		if (!v || json_object_object_add(o, k, v)) { json_object_put(v); bad = 1; } \
	} while (0)
	ADD("seq", json_object_new_uint64(e->seq));
	ADD("time", json_object_new_string(crs_time_rfc3339(e->time_ns, tbuf, sizeof(tbuf))));
	ADD("time_ns", json_object_new_uint64(e->time_ns));
	ADD("cgroup_id", json_object_new_uint64(e->cgroup_id));
	ADD("table_cgroup_id", json_object_new_uint64(e->table_cgroup_id));
	ADD("pid", json_object_new_int64(e->pid));
	ADD("tid", json_object_new_int64(e->tid));
	ADD("uid", json_object_new_int64(e->uid));
	ADD("program", clean_string(e->program));
	ADD("type", enum_json(crs_rule_type_name(e->type), e->type));
	/* json-c stores JSON null as a NULL object: add it directly. */
	if (e->rule_index == CRS_RULE_INDEX_NONE)
		bad |= json_object_object_add(o, "rule_index", NULL) != 0;
	else
		ADD("rule_index", json_object_new_int64(e->rule_index));
	if (!e->rule_name[0])
		bad |= json_object_object_add(o, "rule_name", NULL) != 0;
	else
		ADD("rule_name", clean_string(e->rule_name));
	if (e->type == CRS_RULE_SYSCALL) {
		/* no object, no access: the call, its ABI and argument registers */
		if (!e->syscall[0])
			bad |= json_object_object_add(o, "syscall", NULL) != 0;
		else
			ADD("syscall", clean_string(e->syscall));
		ADD("syscall_nr", json_object_new_int64(e->syscall_nr));
		ADD("arch", enum_json(crs_arch_name(e->arch), e->arch));
		args = json_object_new_array_ext(6);
		for (i = 0; args && i < 6; i++)
			if (json_object_array_add(args, json_object_new_uint64(e->args[i])))
				bad = 1;
		ADD("args", args);
	} else if (e->type == CRS_RULE_NETWORK || e->type == CRS_RULE_LISTENER) {
		/* no path, no access: direction (network), protocol, the two ends */
		if (e->type == CRS_RULE_NETWORK)
			ADD("direction", enum_json(crs_direction_name(e->direction), e->direction));
		ADD("protocol", enum_json(crs_proto_name(e->protocol), e->protocol));
		if (e->has_local)
			ADD("local", endpoint_json(e->family, e->local_addr, e->local_port));
		else
			bad |= json_object_object_add(o, "local", NULL) != 0;
		if (e->has_remote)
			ADD("remote", endpoint_json(e->family, e->remote_addr, e->remote_port));
		else
			bad |= json_object_object_add(o, "remote", NULL) != 0;
	} else {
		ADD("path", clean_string(e->path));
		ADD("access", json_object_new_string(crs_access_str(e->access, abuf,
								    sizeof(abuf))));
	}
	ADD("action", enum_json(crs_action_name(e->action), e->action));
	ADD("verdict", enum_json(crs_action_name(e->verdict), e->verdict));
	ADD("mode", enum_json(crs_mode_name(e->mode), e->mode));
	ADD("default", json_object_new_boolean(!!(e->flags & CRS_EVENT_F_DEFAULT)));
	ADD("truncated", json_object_new_boolean(!!(e->flags & CRS_EVENT_F_TRUNCATED)));
#undef ADD
	if (!bad)
		s = crs_json_string(o, false);
	json_object_put(o);
	return s;
}
