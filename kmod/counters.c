// SPDX-License-Identifier: GPL-2.0
#include <linux/cpumask.h>
#include "counters.h"

DEFINE_PER_CPU(struct crs_counters, crs_pcpu_counters);

/**
 * crs_counters_read - sum the per-CPU counters
 * @sum: filled with the totals; racing increments may or may not be seen.
 */
void crs_counters_read(struct crs_counters *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct crs_counters *c = per_cpu_ptr(&crs_pcpu_counters, cpu);

		sum->hook_calls += READ_ONCE(c->hook_calls);
		sum->policed += READ_ONCE(c->policed);
		sum->allowed += READ_ONCE(c->allowed);
		sum->denied += READ_ONCE(c->denied);
		sum->monitored += READ_ONCE(c->monitored);
		sum->events_sent += READ_ONCE(c->events_sent);
		sum->events_dropped += READ_ONCE(c->events_dropped);
		sum->events_no_listener += READ_ONCE(c->events_no_listener);
		sum->path_errors += READ_ONCE(c->path_errors);
		sum->prog_cache_hits += READ_ONCE(c->prog_cache_hits);
		sum->prog_cache_misses += READ_ONCE(c->prog_cache_misses);
	}
}
