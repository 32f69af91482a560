/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_HOOKS_H
#define CRS_HOOKS_H

#include <linux/types.h>

struct sk_buff;

int crs_hooks_init(void);
void crs_hooks_exit(void);
int crs_hooks_put_status(struct sk_buff *skb);

#endif
