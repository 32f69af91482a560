// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * System call names <-> numbers for x86_64, i386 (ia32) and x32, from the
 * kernel uapi headers this library was built with: crs_syscalls.h is
 * generated from asm/unistd_{64,32,x32}.h by scripts/gen-syscalls.sh.
 *
 * A name is known if either the x86_64 or the i386 table has it ("mmap2"
 * and "socketcall" are i386 only; their x86_64 number is CRS_SYSCALL_NONE).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "crsnl_int.h"

struct crs_sc_entry {
	const char *name;
	uint32_t nr64, nr32;
};

#include "crs_syscalls.h"

#define X32_SYSCALL_BIT	0x40000000U

static int entry_cmp(const void *key, const void *e)
{
	return strcmp(key, ((const struct crs_sc_entry *)e)->name);
}

int crs_syscall_lookup(const char *name, uint32_t *nr64, uint32_t *nr32)
{
	const struct crs_sc_entry *e;

	if (!name)
		return -EINVAL;
	e = bsearch(name, crs_sc_byname, CRS_ARRAY_SIZE(crs_sc_byname),
		    sizeof(crs_sc_byname[0]), entry_cmp);
	if (!e)
		return -ENOENT;
	if (nr64)
		*nr64 = e->nr64;
	if (nr32)
		*nr32 = e->nr32;
	return 0;
}

const char *crs_syscall_name(uint32_t nr, enum crs_arch arch)
{
	switch (arch) {
	case CRS_ARCH_X86_64:
		return nr < CRS_SYSCALL_NR_MAX ? crs_sc_names64[nr] : NULL;
	case CRS_ARCH_IA32:
		return nr < CRS_SYSCALL_NR_MAX ? crs_sc_names32[nr] : NULL;
	case CRS_ARCH_X32:
		nr &= ~X32_SYSCALL_BIT;
		return nr < CRS_SYSCALL_NR_MAX ? crs_sc_namesx32[nr] : NULL;
	default:
		return NULL;
	}
}
