// SPDX-License-Identifier: GPL-2.0
/*
 * Program identity: the path of current's executable (mm->exe_file) as its
 * root sees it. d_path() on every hook would double the cost of a policed
 * open, so the result is cached per task and exec: a fixed, preallocated,
 * 4-way set-associative cache keyed by (task, its start time, its exec
 * counter, the exe file). The start time makes a reused task_struct a
 * different key; the exec counter changes on every execve; the file pointer
 * changes with prctl(PR_SET_MM_EXE_FILE). Paths longer than a slot are not
 * cached but still resolved correctly.
 *
 * An entry also keeps one tagged value for its program (a learned set's
 * PROG entry), so a hook that needs only that skips the path.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/mm_types.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include "compat/compat.h"
#include "counters.h"
#include "progcache.h"

#define PC_SET_BITS	8
#define PC_WAYS		4
#define PC_PATH		218	/* slot size: an entry is 256 bytes */

struct pc_entry {
	const void *task;
	const void *exe;
	u64 start_time;
	u64 exec_id;
	u64 tag;
	u32 val;
	u16 len;
	char path[PC_PATH];
};

struct pc_set {
	raw_spinlock_t lock;
	unsigned int victim;
	struct pc_entry e[PC_WAYS];
};

static struct pc_set *sets;

/**
 * crs_progcache_init - allocate the program path cache
 */
int crs_progcache_init(void)
{
	int i;

	sets = vzalloc(sizeof(*sets) << PC_SET_BITS);
	if (!sets)
		return -ENOMEM;
	for (i = 0; i < (1 << PC_SET_BITS); i++)
		raw_spin_lock_init(&sets[i].lock);
	return 0;
}

/**
 * crs_progcache_exit - free the cache (no hook may run any more)
 */
void crs_progcache_exit(void)
{
	vfree(sets);
	sets = NULL;
}

/* current's entry, or NULL; caller holds @set's lock */
static struct pc_entry *find_current(struct pc_set *set)
{
	struct mm_struct *mm = current->mm;
	const void *exe_key = rcu_access_pointer(mm->exe_file);
	u64 start = current->start_time, exec_id = READ_ONCE(current->self_exec_id);
	int i;

	for (i = 0; i < PC_WAYS; i++) {
		struct pc_entry *e = &set->e[i];

		if (e->task == current && e->exe == exe_key && e->start_time == start &&
		    e->exec_id == exec_id)
			return e;
	}
	return NULL;
}

/**
 * crs_prog_tag_get - the value tagged @tag for current's program
 * @tag: nonzero, unique to its user (a learned set's epoch)
 * @val: set to the value crs_prog_tag_set() stored
 *
 * Called from hooks: never sleeps. The value lives as long as current's
 * cached path (same task, exec and exe file).
 * Return: whether a value is cached under @tag.
 */
bool crs_prog_tag_get(u64 tag, u32 *val)
{
	struct pc_set *set;
	struct pc_entry *e;
	bool found = false;

	if (!current->mm)
		return false;
	set = &sets[hash_ptr(current, PC_SET_BITS)];
	raw_spin_lock(&set->lock);
	e = find_current(set);
	if (e && e->tag == tag) {
		*val = e->val;
		found = true;
	}
	raw_spin_unlock(&set->lock);
	return found;
}

/**
 * crs_prog_tag_set - tag current's cached program with @val under @tag
 * @tag: nonzero
 * @val: the value
 *
 * Replaces any other tag; a program whose path is not cached keeps none.
 */
void crs_prog_tag_set(u64 tag, u32 val)
{
	struct pc_set *set;
	struct pc_entry *e;

	if (!current->mm)
		return;
	set = &sets[hash_ptr(current, PC_SET_BITS)];
	raw_spin_lock(&set->lock);
	e = find_current(set);
	if (e) {
		e->tag = tag;
		e->val = val;
	}
	raw_spin_unlock(&set->lock);
}

/**
 * crs_path - @path as current's root sees it, for matching
 * @path: kernel path
 * @buf: scratch of @size bytes
 * @size: size of @buf
 * @len: set to the length of the result
 *
 * Like d_path(), but an unlinked file keeps its name: d_path() appends
 * " (deleted)", which would let a file dodge an exact rule by being
 * unlinked while open (then fexecve'd or reopened via /proc/self/fd).
 * Return: a string inside @buf, or NULL if the path cannot be resolved.
 */
const char *crs_path(const struct path *path, char *buf, size_t size, size_t *len)
{
	static const char deleted[] = " (deleted)";
	const size_t dlen = sizeof(deleted) - 1;
	char *p = d_path(path, buf, size);

	if (IS_ERR(p))
		return NULL;
	*len = strlen(p);
	if (*len > dlen && d_unlinked(path->dentry) && !strcmp(p + *len - dlen, deleted)) {
		*len -= dlen;
		p[*len] = '\0';
	}
	return p;
}

/**
 * crs_prog_path - current's program path, from the cache or resolved
 * @buf: scratch of @size bytes (PATH_MAX)
 * @size: size of @buf
 * @len: set to the length of the returned string
 *
 * Called from hooks: never sleeps, never allocates.
 * Return: a string inside @buf, or "" when there is no executable.
 */
const char *crs_prog_path(char *buf, size_t size, size_t *len)
{
	struct mm_struct *mm = current->mm;
	const void *exe_key;
	struct pc_set *set;
	struct file *exe;
	struct pc_entry *e;
	const char *p;
	u64 start = current->start_time, exec_id = READ_ONCE(current->self_exec_id);

	*len = 0;
	if (!mm)
		return "";
	exe_key = rcu_access_pointer(mm->exe_file);
	set = &sets[hash_ptr(current, PC_SET_BITS)];

	raw_spin_lock(&set->lock);
	e = find_current(set);
	if (e) {
		memcpy(buf, e->path, e->len + 1);
		*len = e->len;
		raw_spin_unlock(&set->lock);
		crs_count(prog_cache_hits);
		return buf;
	}
	raw_spin_unlock(&set->lock);
	crs_count(prog_cache_misses);

	exe = crs_get_exe_file(mm);
	if (!exe)
		return "";
	p = crs_path(&exe->f_path, buf, size, len);
	if (exe != exe_key)	/* changed under us: resolve, but don't cache */
		exe_key = NULL;
	fput(exe);
	if (!p) {
		*len = 0;
		crs_count(path_errors);
		return "";
	}
	if (*len < PC_PATH && exe_key) {
		raw_spin_lock(&set->lock);
		e = &set->e[set->victim++ % PC_WAYS];
		e->task = current;
		e->exe = exe_key;
		e->start_time = start;
		e->exec_id = exec_id;
		e->tag = 0;
		e->len = *len;
		memcpy(e->path, p, *len + 1);
		raw_spin_unlock(&set->lock);
	}
	return p;
}
