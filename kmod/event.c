// SPDX-License-Identifier: GPL-2.0
/*
 * Violation events. Hooks may not allocate or sleep, so a hook copies its
 * event into a preallocated per-CPU ring; a work item drains the rings into
 * netlink multicast messages. A full ring drops the event and counts it:
 * events are hints, counters are the truth (and the sequence numbers in the
 * events show the gaps).
 */
#include <linux/cred.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <uapi/linux/crs.h>
#include "compat/compat.h"
#include "counters.h"
#include "event.h"
#include "main.h"
#include "netlink.h"
#include "nettable.h"

#define RING_SLOTS	64	/* per CPU, power of two */
#define EV_PATH		512	/* longer paths are cut and flagged */

struct event_rec {
	u64 seq;
	u64 time_ns;
	u64 cgroup_id;
	u64 table_cgroup_id;
	u32 pid, tid, uid;
	u32 type, rule_index, access, action, verdict, mode, flags;
	char rule_name[CRS_NAME_MAX + 1];
	char prog[EV_PATH];
	char path[EV_PATH];
	char syscall[CRS_SYSCALL_NAME_MAX + 1];
	u32 syscall_nr, arch;
	u64 args[6];
	struct crs_net_query net;
};

struct ring {
	raw_spinlock_t lock;
	u32 head;	/* next slot to fill */
	u32 tail;	/* next slot to send */
	struct event_rec *slots;
};

static DEFINE_PER_CPU(struct ring, rings);
static atomic64_t event_seq = ATOMIC64_INIT(0);
static struct event_rec out;	/* the work item never runs concurrently with itself */
static bool stopped;		/* module exit: the family is going away */
static void drain(struct work_struct *w);
static DECLARE_WORK(drain_work, drain);

static u32 copy_str(char *dst, const char *src, size_t len)
{
	u32 trunc = 0;

	if (len >= EV_PATH) {
		len = EV_PATH - 1;
		trunc = CRS_EVENT_F_TRUNCATED;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
	return trunc;
}

/**
 * crs_event_emit - queue an event from a hook
 * @ev: the decision; copied before return
 *
 * Never sleeps or allocates; runs with preemption disabled (kprobe context).
 */
void crs_event_emit(const struct crs_event_info *ev)
{
	struct ring *r;
	struct event_rec *rec;
	unsigned long flags;

	if (READ_ONCE(stopped))
		return;
	if (!crs_nl_has_listeners()) {
		crs_count(events_no_listener);
		return;
	}
	/* inbound decisions emit from softirq: keep them off a held lock */
	r = this_cpu_ptr(&rings);
	raw_spin_lock_irqsave(&r->lock, flags);
	if (r->head - r->tail >= RING_SLOTS) {
		raw_spin_unlock_irqrestore(&r->lock, flags);
		crs_count(events_dropped);
		return;
	}
	rec = &r->slots[r->head % RING_SLOTS];
	rec->seq = atomic64_inc_return(&event_seq);
	rec->time_ns = ktime_get_real_ns();
	rec->cgroup_id = ev->cgroup_id;
	rec->table_cgroup_id = ev->table_cgroup_id;
	if (ev->no_task) {
		rec->pid = rec->tid = rec->uid = 0;
	} else {
		rec->pid = task_tgid_nr(current);
		rec->tid = task_pid_nr(current);
		rec->uid = from_kuid_munged(&init_user_ns, current_uid());
	}
	rec->type = ev->type;
	rec->rule_index = ev->rule_index;
	rec->access = ev->access;
	rec->action = ev->action;
	rec->verdict = ev->verdict;
	rec->mode = ev->mode;
	rec->flags = ev->flags;
	strscpy(rec->rule_name, ev->rule_name ?: "", sizeof(rec->rule_name));
	rec->flags |= copy_str(rec->prog, ev->prog, ev->prog_len);
	rec->flags |= copy_str(rec->path, ev->path, ev->path_len);
	rec->syscall[0] = '\0';
	if (ev->type == CRS_RULE_SYSCALL) {
		strscpy(rec->syscall, ev->syscall ?: "", sizeof(rec->syscall));
		rec->syscall_nr = ev->syscall_nr;
		rec->arch = ev->arch;
		memcpy(rec->args, ev->args, sizeof(rec->args));
	}
	if (ev->net)
		rec->net = *ev->net;
	r->head++;
	raw_spin_unlock_irqrestore(&r->lock, flags);
	queue_work(crs_wq, &drain_work);
}

static int put_event(struct sk_buff *skb, const struct event_rec *e)
{
	if (nla_put_u64_64bit(skb, CRS_A_EVENT_SEQ, e->seq, CRS_A_EVENT_PAD) ||
	    nla_put_u64_64bit(skb, CRS_A_EVENT_TIME_NS, e->time_ns, CRS_A_EVENT_PAD) ||
	    nla_put_u64_64bit(skb, CRS_A_EVENT_CGROUP_ID, e->cgroup_id, CRS_A_EVENT_PAD) ||
	    nla_put_u64_64bit(skb, CRS_A_EVENT_TABLE_CGROUP_ID, e->table_cgroup_id,
			      CRS_A_EVENT_PAD) ||
	    nla_put_u32(skb, CRS_A_EVENT_PID, e->pid) ||
	    nla_put_u32(skb, CRS_A_EVENT_TID, e->tid) ||
	    nla_put_u32(skb, CRS_A_EVENT_UID, e->uid) ||
	    nla_put_string(skb, CRS_A_EVENT_PROGRAM, e->prog) ||
	    nla_put_u32(skb, CRS_A_EVENT_TYPE, e->type) ||
	    nla_put_u32(skb, CRS_A_EVENT_RULE_INDEX, e->rule_index) ||
	    (e->rule_index != CRS_RULE_INDEX_NONE &&
	     nla_put_string(skb, CRS_A_EVENT_RULE_NAME, e->rule_name)) ||
	    nla_put_string(skb, CRS_A_EVENT_PATH, e->path) ||
	    nla_put_u32(skb, CRS_A_EVENT_ACCESS, e->access) ||
	    nla_put_u32(skb, CRS_A_EVENT_ACTION, e->action) ||
	    nla_put_u32(skb, CRS_A_EVENT_VERDICT, e->verdict) ||
	    nla_put_u32(skb, CRS_A_EVENT_MODE, e->mode) ||
	    nla_put_u32(skb, CRS_A_EVENT_FLAGS, e->flags))
		return -EMSGSIZE;
	if (e->type == CRS_RULE_SYSCALL) {
		int i;

		if ((e->syscall[0] && nla_put_string(skb, CRS_A_EVENT_SYSCALL, e->syscall)) ||
		    nla_put_u32(skb, CRS_A_EVENT_SYSCALL_NR, e->syscall_nr) ||
		    nla_put_u32(skb, CRS_A_EVENT_ARCH, e->arch))
			return -EMSGSIZE;
		for (i = 0; i < 6; i++)
			if (nla_put_u64_64bit(skb, CRS_A_EVENT_ARG, e->args[i], CRS_A_EVENT_PAD))
				return -EMSGSIZE;
	}
	if (e->type == CRS_RULE_NETWORK || e->type == CRS_RULE_LISTENER) {
		const struct crs_net_query *q = &e->net;
		int alen = q->family == AF_INET ? 4 : 16;

		if (nla_put_u32(skb, CRS_A_EVENT_DIRECTION,
				q->kind == CRS_NET_OUT ? CRS_DIR_OUTBOUND : CRS_DIR_INBOUND) ||
		    nla_put_u32(skb, CRS_A_EVENT_PROTOCOL, q->proto) ||
		    nla_put_u32(skb, CRS_A_EVENT_FAMILY, q->family) ||
		    (q->has_local &&
		     (nla_put(skb, CRS_A_EVENT_LOCAL_ADDR, alen, q->local) ||
		      nla_put_u32(skb, CRS_A_EVENT_LOCAL_PORT, q->lport))) ||
		    (q->has_remote &&
		     (nla_put(skb, CRS_A_EVENT_REMOTE_ADDR, alen, q->remote) ||
		      nla_put_u32(skb, CRS_A_EVENT_REMOTE_PORT, q->rport))))
			return -EMSGSIZE;
	}
	return 0;
}

static void send_one(const struct event_rec *e)
{
	struct sk_buff *skb;
	void *hdr;
	int err;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		goto drop;
	hdr = genlmsg_put(skb, 0, 0, &crs_family, 0, CRS_CMD_EVENT);
	if (!hdr || put_event(skb, e)) {
		nlmsg_free(skb);
		goto drop;
	}
	genlmsg_end(skb, hdr);
	err = genlmsg_multicast(&crs_family, skb, 0, CRS_MCGRP_EVENTS_IDX, GFP_KERNEL);
	if (!err)
		crs_count(events_sent);
	else if (err == -ESRCH && !crs_nl_has_listeners())
		crs_count(events_no_listener);
	else	/* -ESRCH with listeners: every one of them was full (a drop) */
		goto drop;
	return;
drop:
	crs_count(events_dropped);
}

static void drain(struct work_struct *w)
{
	int cpu;

	if (READ_ONCE(stopped))
		return;
	for_each_possible_cpu(cpu) {
		struct ring *r = per_cpu_ptr(&rings, cpu);

		for (;;) {
			raw_spin_lock_irq(&r->lock);
			if (r->head == r->tail) {
				raw_spin_unlock_irq(&r->lock);
				break;
			}
			memcpy(&out, &r->slots[r->tail % RING_SLOTS], sizeof(out));
			r->tail++;
			raw_spin_unlock_irq(&r->lock);
			send_one(&out);
			cond_resched();
		}
	}
}

/**
 * crs_event_init - allocate the per-CPU event rings
 */
int crs_event_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct ring *r = per_cpu_ptr(&rings, cpu);

		raw_spin_lock_init(&r->lock);
		r->head = r->tail = 0;
		r->slots = kvcalloc(RING_SLOTS, sizeof(*r->slots), GFP_KERNEL);
		if (!r->slots) {
			crs_event_exit();
			return -ENOMEM;
		}
	}
	return 0;
}

/**
 * crs_event_stop - no more events (module exit, before the family goes)
 */
void crs_event_stop(void)
{
	WRITE_ONCE(stopped, true);
	cancel_work_sync(&drain_work);
}

/**
 * crs_event_exit - stop delivery and free the rings (hooks are gone)
 */
void crs_event_exit(void)
{
	int cpu;

	cancel_work_sync(&drain_work);
	for_each_possible_cpu(cpu) {
		struct ring *r = per_cpu_ptr(&rings, cpu);

		kvfree(r->slots);
		r->slots = NULL;
	}
}
