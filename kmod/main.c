// SPDX-License-Identifier: GPL-2.0
/*
 * crs.ko: Container Runtime Security. Per-cgroup rule tables enforced at
 * the LSM layer through kprobes, driven over the "crs" generic netlink
 * family. See README.md and docs/.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include "compat/compat.h"
#include "event.h"
#include "hooks.h"
#include "learn.h"
#include "main.h"
#include "net.h"
#include "netlink.h"
#include "progcache.h"
#include "syscall.h"
#include "table.h"

struct workqueue_struct *crs_wq;

#ifdef CRS_NEED_EXTACK_BUF
char crs_extack_buf[160];
#endif

static int __init crs_init(void)
{
	int err;

	crs_wq = alloc_workqueue("crs", WQ_UNBOUND, 0);
	if (!crs_wq)
		return -ENOMEM;
	err = crs_progcache_init();
	if (err)
		goto fail_wq;
	err = crs_event_init();
	if (err)
		goto fail_cache;
	err = crs_netlink_init();
	if (err)
		goto fail_event;
	err = crs_hooks_init();
	if (err)
		goto fail_netlink;
	err = crs_net_init();
	if (err)
		goto fail_hooks;
	err = crs_netfilter_init();
	if (err)
		goto fail_net;
	pr_info("version %s loaded\n", CRS_VERSION);
	return 0;

fail_net:
	crs_net_exit();
fail_hooks:
	crs_hooks_exit();
fail_netlink:
	crs_netlink_exit();
fail_event:
	crs_event_exit();
fail_cache:
	crs_progcache_exit();
fail_wq:
	destroy_workqueue(crs_wq);
	return err;
}

static void __exit crs_exit(void)
{
	crs_event_stop();	/* nothing is sent on the family any more */
	crs_learn_hint_stop();
	crs_netlink_exit();	/* no handler runs after this: no new tables */
	crs_registry_clear();
	rcu_barrier();		/* table frees are queued from RCU callbacks... */
	flush_workqueue(crs_wq);	/* ...and they unregister syscall probes */
	crs_syscall_exit();
	crs_netfilter_exit();	/* every namespace's hooks, waiting for running ones */
	crs_net_exit();
	crs_hooks_exit();	/* no hook runs after this, nor is in our stub */
	crs_event_exit();
	destroy_workqueue(crs_wq);
	crs_progcache_exit();
	pr_info("unloaded\n");
}

module_init(crs_init);
module_exit(crs_exit);
MODULE_LICENSE("GPL");
MODULE_AUTHOR("CRS developers");
MODULE_DESCRIPTION("Container Runtime Security: per-container file, exec and network rules");
MODULE_VERSION(CRS_VERSION);
