/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_COUNTERS_H
#define CRS_COUNTERS_H

#include <linux/percpu.h>
#include <linux/types.h>

/* Module-wide decision and event counters; per CPU, summed when read. */
struct crs_counters {
	u64 hook_calls;
	u64 policed;
	u64 allowed;
	u64 denied;
	u64 monitored;
	u64 events_sent;
	u64 events_dropped;
	u64 events_no_listener;
	u64 path_errors;
	u64 prog_cache_hits;
	u64 prog_cache_misses;
};

DECLARE_PER_CPU(struct crs_counters, crs_pcpu_counters);

#define crs_count(field) this_cpu_inc(crs_pcpu_counters.field)

void crs_counters_read(struct crs_counters *sum);

#endif
