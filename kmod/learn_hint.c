// SPDX-License-Identifier: GPL-2.0
/*
 * Learning hints (docs/learning.md section 3): new observations multicast
 * on the "learn" group shortly after a hook recorded them, so a reader
 * (crsd, crs-tool learned --follow) sees them without polling.
 *
 * Hooks copy nothing for this. A set's entries are numbered in discovery
 * order and only appended, so "entries from @hinted on" is all a hint has to
 * carry: an insert just queues one work item. The work finds the sets with
 * entries past their @hinted, and for each builds messages from the set
 * itself (the header and the entries, as a dump does), under RCU: the skb
 * is allocated before and sent after, so nothing sleeps inside. Only this
 * work item writes @hinted and @full_hinted, and a work item never runs
 * concurrently with itself, so they need no lock. A set replaced meanwhile
 * (DEL_LEARNED) is found again by cgroup id and starts from 0.
 *
 * Hints are a fast copy, not the truth. With nobody subscribed, @hinted
 * just advances; a message that cannot be allocated or delivered counts as
 * dropped, and the dump still has everything.
 */
#include <linux/atomic.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include "learn.h"
#include "main.h"
#include "netlink.h"

#define HINT_SETS	64	/* sets served per pass of the work */
#define HINT_PER_SET	4096	/* entries of one set per pass: one busy set cannot starve the rest */
/*
 * A pass runs this long after the insert that queued it, so a burst of
 * inserts makes a few full messages, not a wakeup and a message each (which
 * doubled the cost of an insert on one CPU: docs/learning.md, slice 3).
 */
#define HINT_DELAY_MS	10

static void hint_work_fn(struct work_struct *w);
static DECLARE_DELAYED_WORK(hint_work, hint_work_fn);
static bool hint_stopped;
static atomic64_t hints_sent = ATOMIC64_INIT(0);
static atomic64_t hints_dropped = ATOMIC64_INIT(0);
static atomic64_t entries_hinted = ATOMIC64_INIT(0);

/**
 * crs_learn_hint_kick - have the hint work look for new entries (any context)
 *
 * Called after an insert is published. Queueing a pending work is one
 * fully ordered test-and-set, and the work reads the sets' counts after
 * clearing its pending bit, so an insert is never missed.
 */
void crs_learn_hint_kick(void)
{
	if (!READ_ONCE(hint_stopped))
		queue_delayed_work(crs_wq, &hint_work, msecs_to_jiffies(HINT_DELAY_MS));
}

/*
 * One message (or, with @skb NULL, a skip) of set @id from its @hinted on.
 * Returns the entries passed on, or -1 when the set has nothing left (or is
 * gone). *@hdr_out is the message header when @skb was filled.
 */
static long hint_fill(u64 id, struct sk_buff *skb, u32 budget, void **hdr_out)
{
	struct crs_cgroup *c;
	struct crs_learn *l;
	bool say_full;
	void *hdr = NULL;
	u32 n, start, i, state;
	long ret = -1;

	rcu_read_lock();
	c = crs_registry_find(id);
	l = c ? rcu_dereference(c->learn) : NULL;
	if (!l)
		goto out;
	n = atomic_read_acquire(&l->n);
	start = l->hinted;
	/* once: the "full" said is the one in the message */
	state = crs_learn_state(c, rcu_dereference(c->table), l);
	say_full = state == CRS_LEARN_STATE_FULL && !l->full_hinted;
	if (start >= n && !say_full) {
		if (READ_ONCE(l->full))
			l->full_hinted = true;	/* full but not learning: nothing to say */
		goto out;
	}
	i = min(n, start + budget);
	if (skb) {
		hdr = genlmsg_put(skb, 0, 0, &crs_family, 0, CRS_CMD_LEARN_HINT);
		if (!hdr || nla_put_u64_64bit(skb, CRS_A_CGROUP_ID, id, CRS_A_PAD) ||
		    crs_learn_put_header(skb, l, state)) {
			/* cannot happen in an empty NLMSG_GOODSIZE skb: skip, counted */
			if (hdr)
				genlmsg_cancel(skb, hdr);
			hdr = NULL;
		} else {
			for (i = start; i < n && i < start + budget; i++)
				if (crs_learn_put_obs(skb, l, i))
					break;
			if (i == start && start < n)
				i++;	/* one entry larger than a message: never, but no loop */
		}
	}
	l->hinted = i;
	if (i == n && state == CRS_LEARN_STATE_FULL)
		l->full_hinted = true;
	ret = i - start;
out:
	rcu_read_unlock();
	*hdr_out = hdr;
	return ret;
}

/* Hint set @id, up to HINT_PER_SET entries; true if it has more. */
static bool hint_set(u64 id)
{
	bool listeners = genl_has_listeners(&crs_family, &init_net, CRS_MCGRP_LEARN_IDX);
	u32 budget = HINT_PER_SET;

	while (budget) {
		struct sk_buff *skb = listeners ? genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL) : NULL;
		void *hdr;
		long done = hint_fill(id, skb, budget, &hdr);
		int err;

		if (done < 0) {
			nlmsg_free(skb);
			return false;
		}
		atomic64_add(done, &entries_hinted);
		budget -= min_t(u32, budget, done ?: 1);	/* a full-only hint still costs a turn */
		if (!hdr) {
			nlmsg_free(skb);
			if (listeners)
				atomic64_inc(&hints_dropped);
			continue;
		}
		genlmsg_end(skb, hdr);
		err = genlmsg_multicast(&crs_family, skb, 0, CRS_MCGRP_LEARN_IDX, GFP_KERNEL);
		if (!err)
			atomic64_inc(&hints_sent);
		else if (err != -ESRCH ||
			 genl_has_listeners(&crs_family, &init_net, CRS_MCGRP_LEARN_IDX))
			atomic64_inc(&hints_dropped);	/* every subscriber was full */
		cond_resched();
	}
	return true;
}

static void hint_work_fn(struct work_struct *w)
{
	u64 ids[HINT_SETS];
	bool again = false;
	u32 found, i;

	if (READ_ONCE(hint_stopped))
		return;
	found = crs_registry_hint_pending(ids, HINT_SETS);
	for (i = 0; i < min_t(u32, found, HINT_SETS); i++)
		again |= hint_set(ids[i]);
	if ((again || found > HINT_SETS) && !READ_ONCE(hint_stopped))
		queue_delayed_work(crs_wq, &hint_work, 0);	/* the rest, at once */
}

/**
 * crs_learn_hint_stop - no more hints (module exit, before the family goes)
 */
void crs_learn_hint_stop(void)
{
	WRITE_ONCE(hint_stopped, true);
	cancel_delayed_work_sync(&hint_work);
}

/**
 * crs_learn_hint_stats - hint counters since load
 * @sent: messages multicast
 * @dropped: messages lost (no memory, or every subscriber's queue full)
 * @hinted: set entries passed on (sent, dropped, or skipped with no subscriber)
 */
void crs_learn_hint_stats(u64 *sent, u64 *dropped, u64 *hinted)
{
	*sent = atomic64_read(&hints_sent);
	*dropped = atomic64_read(&hints_dropped);
	*hinted = atomic64_read(&entries_hinted);
}
