/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_EVENT_H
#define CRS_EVENT_H

#include <linux/types.h>

struct crs_net_query;

/**
 * struct crs_event_info - what a hook knows about a decision worth reporting
 * (strings are copied, so they may live in per-CPU scratch)
 */
struct crs_event_info {
	u64 cgroup_id;
	u64 table_cgroup_id;
	const char *prog;
	size_t prog_len;
	const char *path;
	size_t path_len;
	const char *rule_name;
	u32 type;
	u32 rule_index;
	u32 access;
	u32 action;
	u32 verdict;
	u32 mode;
	u32 flags;
	const char *syscall;	/* syscall events: name or NULL */
	u32 syscall_nr;
	u32 arch;
	const u64 *args;	/* 6 values, or NULL */
	bool no_task;		/* decided outside any task (softirq): no pid, uid */
	const struct crs_net_query *net;	/* network and listener events */
};

int crs_event_init(void);
void crs_event_exit(void);
void crs_event_emit(const struct crs_event_info *ev);
void crs_event_stop(void);

#endif
