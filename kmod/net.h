/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_NET_H
#define CRS_NET_H

#include <linux/types.h>

struct sk_buff;
struct sock;
struct crs_cgroup;
struct crs_net_query;

int crs_net_init(void);
void crs_net_exit(void);
int crs_net_put_status(struct sk_buff *skb);
int crs_net_decide(const struct crs_cgroup *cg, u64 own_id, const struct crs_net_query *q,
		   bool task);
u8 crs_net_set_addr(u8 *dst, u8 fam, const void *src);
u8 crs_net_proto(const struct sock *sk);
u8 crs_proto_of(u16 ipproto);

int crs_netfilter_init(void);
void crs_netfilter_exit(void);

#endif
