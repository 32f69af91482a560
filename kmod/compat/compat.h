/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The only place that knows kernels differ. Source files use these helpers;
 * tests here look at feature macros, never at version numbers.
 */
#ifndef CRS_COMPAT_H
#define CRS_COMPAT_H

#include <linux/fs.h>
#include <linux/file.h>
#include <linux/mm_types.h>
#include <linux/netlink.h>
#include <linux/rcupdate.h>

/*
 * crs_get_exe_file - reference to @mm's executable, or NULL.
 * get_mm_exe_file() is not exported; take the reference ourselves.
 * Until 6.6 get_file_rcu() was a macro on a struct file *; since then it is
 * a function that also rechecks the slot (files became SLAB_TYPESAFE_BY_RCU).
 */
static inline struct file *crs_get_exe_file(struct mm_struct *mm)
{
	struct file *f;

	rcu_read_lock();
#ifdef get_file_rcu
	f = rcu_dereference(mm->exe_file);
	if (f && !get_file_rcu(f))
		f = NULL;
#else
	f = get_file_rcu(&mm->exe_file);
#endif
	rcu_read_unlock();
	return f;
}

/*
 * Formatted extack messages appeared in 6.2. Before that the ack keeps a
 * pointer to a constant string; our family is not parallel_ops, so every
 * handler and the ack it produces run under genl_mutex, and one static
 * buffer is safe.
 */
#ifndef NL_SET_ERR_MSG_FMT_MOD
extern char crs_extack_buf[160];
#define NL_SET_ERR_MSG_FMT_MOD(extack, fmt, args...) do {			\
	struct netlink_ext_ack *__ea = (extack);				\
	if (__ea) {								\
		snprintf(crs_extack_buf, sizeof(crs_extack_buf),		\
			 KBUILD_MODNAME ": " fmt, ##args);			\
		__ea->_msg = crs_extack_buf;					\
	}									\
} while (0)
#define CRS_NEED_EXTACK_BUF 1
#endif

/*
 * crs_tcp_hashinfo - the TCP socket hash tables of @net (per namespace
 * since 6.1, which both supported kernels are; a global before).
 */
struct net;
struct inet_hashinfo;
#include <net/net_namespace.h>
static inline struct inet_hashinfo *crs_tcp_hashinfo(struct net *net)
{
	return net->ipv4.tcp_death_row.hashinfo;
}

/*
 * crs_sock_cgroup - the cgroup v2 a socket was created in, or NULL where
 * the kernel does not record it (no CONFIG_SOCK_CGROUP_DATA: then inbound
 * traffic cannot be tied to a container and is not decided).
 */
#include <linux/cgroup.h>
#include <net/sock.h>
static inline struct cgroup *crs_sock_cgroup(struct sock *sk)
{
#ifdef CONFIG_SOCK_CGROUP_DATA
	return sock_cgroup_ptr(&sk->sk_cgrp_data);
#else
	return NULL;
#endif
}

#endif /* CRS_COMPAT_H */
