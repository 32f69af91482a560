/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_SYSCALL_H
#define CRS_SYSCALL_H

#include <linux/types.h>

struct netlink_ext_ack;
struct sk_buff;
struct crs_sysprobe;

struct crs_sysprobe *crs_sysprobe_get(const char *name, u32 nr64, u32 nr32,
				      struct netlink_ext_ack *extack);
void crs_sysprobe_put(struct crs_sysprobe *sp);
int crs_dispatch_get(struct netlink_ext_ack *extack);
void crs_dispatch_put(void);
int crs_syscall_put_status(struct sk_buff *skb);
void crs_syscall_exit(void);

#endif
