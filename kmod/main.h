/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_MAIN_H
#define CRS_MAIN_H

#include <linux/workqueue.h>

/* The module's own workqueue: event delivery and deferred table frees. */
extern struct workqueue_struct *crs_wq;

#endif
