/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CRS_PROGCACHE_H
#define CRS_PROGCACHE_H

#include <linux/types.h>

int crs_progcache_init(void);
void crs_progcache_exit(void);
struct path;

const char *crs_path(const struct path *path, char *buf, size_t size, size_t *len);
const char *crs_prog_path(char *buf, size_t size, size_t *len);
bool crs_prog_tag_get(u64 tag, u32 *val);
void crs_prog_tag_set(u64 tag, u32 val);

#endif
