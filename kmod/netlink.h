/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_NETLINK_H
#define CRS_NETLINK_H

#include <net/genetlink.h>

/* Indexes of CRS_MCGRP_EVENTS and CRS_MCGRP_LEARN in the family's group table. */
#define CRS_MCGRP_EVENTS_IDX 0
#define CRS_MCGRP_LEARN_IDX 1

extern struct genl_family crs_family;

int crs_netlink_init(void);
void crs_netlink_exit(void);
bool crs_nl_has_listeners(void);

#endif
