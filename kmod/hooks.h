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
struct kprobe;
int crs_register_probes(struct kprobe *probes, int n);
void crs_unregister_probes(struct kprobe *probes, int n);
int crs_put_probe_status(struct sk_buff *skb, const struct kprobe *probes, int n);
int crs_override(struct pt_regs *regs, int err);
char *crs_scratch_prog(size_t *size);
struct crs_cgroup;
struct crs_event_info;
u32 crs_effective_mode(const struct crs_cgroup *cg, const struct crs_table *t);
void crs_event_fill(struct crs_event_info *ev, const struct crs_cgroup *cg, u64 own_id,
		    const struct crs_table *t, u32 type, u32 mode, u32 rule, u32 verdict, int ret);
int crs_settle(const struct crs_cgroup *cg, const struct crs_table *t, u32 mode, u32 rule,
	       u32 verdict, int err, bool *report);

#endif
