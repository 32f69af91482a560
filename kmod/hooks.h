/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_HOOKS_H
#define CRS_HOOKS_H

#include <linux/types.h>

struct sk_buff;
struct pt_regs;
struct crs_table;

int crs_hooks_init(void);
void crs_hooks_exit(void);
int crs_hooks_put_status(struct sk_buff *skb);
int crs_override(struct pt_regs *regs, int err);
char *crs_scratch_prog(size_t *size);
void crs_count_table(const struct crs_table *t, u32 verdict_rule, bool denied, bool enforced);

#endif
