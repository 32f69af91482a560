// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The path rewrites of docs/learning.md section 5 (G1, G2, G5), each a pure
 * function of one observation, shared by crs_template_build() and its
 * verification. G3 (a port range), G4 (siblings, which needs the whole
 * profile) and I live in template.c.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "crsnl_int.h"

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static const char *const temp_roots[] = { "/tmp", "/var/tmp", "/dev/shm" };

/* Length of the temp root path starts with (followed by '/'), or 0. */
static size_t temp_root(const char *path)
{
	size_t i, n;

	for (i = 0; i < CRS_ARRAY_SIZE(temp_roots); i++) {
		n = strlen(temp_roots[i]);
		if (!strncmp(path, temp_roots[i], n) && path[n] == '/')
			return n;
	}
	return 0;
}

/*
 * Mark in star[] (one flag per byte of path; a run is replaced by one '*'
 * at its first byte, the rest dropped) what G1 and G2 replace, and return
 * the bitmask of the rewrites that changed something (1 << 1: G1, 1 << 2:
 * G2).
 */
static unsigned int mark(const char *path, int32_t pid_off, unsigned char *star)
{
	size_t len = strlen(path), i, j, comp[4][2], nc = 0, root;
	unsigned int did = 0;

	/* G1: /proc/N/... and /proc/N/task/M/... */
	for (i = 1, j = 1; i <= len && nc < 4; i++) {
		if (i < len && path[i] != '/')
			continue;
		comp[nc][0] = j;
		comp[nc][1] = i - j;
		nc++;
		j = i + 1;
	}
	if (nc >= 2 && comp[0][1] == 4 && !memcmp(path + 1, "proc", 4)) {
		if (all_digits(path + comp[1][0], comp[1][1])) {
			memset(star + comp[1][0], 1, comp[1][1]);
			did |= 1u << 1;
		}
		if (nc >= 4 && comp[2][1] == 4 && !memcmp(path + comp[2][0], "task", 4) &&
		    all_digits(path + comp[3][0], comp[3][1])) {
			memset(star + comp[3][0], 1, comp[3][1]);
			did |= 1u << 1;
		}
	}
	/* G2: the digit run at PID_OFF, anywhere */
	if (pid_off > 0 && (size_t)pid_off < len && isdigit((unsigned char)path[pid_off])) {
		for (i = pid_off; i > 0 && isdigit((unsigned char)path[i - 1]); i--)
			;
		for (j = pid_off; j < len && isdigit((unsigned char)path[j]); j++)
			;
		if (!star[i]) {
			memset(star + i, 1, j - i);
			did |= 1u << 2;
		}
	}
	/* G2: temporary names below /tmp, /var/tmp, /dev/shm */
	root = temp_root(path);
	if (root) {
		for (i = root + 1; i < len; i = j) {
			unsigned int classes = 0;

			if (!is_alnum(path[i])) {
				j = i + 1;
				continue;
			}
			for (j = i; j < len && is_alnum(path[j]); j++)
				classes |= islower((unsigned char)path[j]) ? 1 :
					   isupper((unsigned char)path[j]) ? 2 : 4;
			if ((j - i >= 6 && classes != 1 && classes != 2 && classes != 4) ||
			    (path[i - 1] == '#' && all_digits(path + i, j - i))) {
				if (!star[i]) {
					memset(star + i, 1, j - i);
					did |= 1u << 2;
				}
			}
		}
	}
	return did;
}

char *crs_gen_path(const char *path, int32_t pid_off, unsigned int *did)
{
	size_t len = strlen(path), i, o = 0;
	unsigned char *star = calloc(len + 1, 1);
	char *out = malloc(len + 1);

	*did = 0;
	if (!star || !out) {
		free(star);
		free(out);
		return NULL;
	}
	*did = mark(path, pid_off, star);
	for (i = 0; i < len; i++) {
		if (!star[i])
			out[o++] = path[i];
		else if (!i || !star[i - 1])
			out[o++] = '*';
	}
	out[o] = '\0';
	free(star);
	return out;
}

static const char *const lib_roots[] = {
	"/lib", "/lib32", "/lib64", "/libx32", "/usr/lib", "/usr/lib32", "/usr/lib64",
	"/usr/libx32", "/usr/local/lib",
};

char *crs_gen_lib(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i, n, end;
	char *out;

	if (!strcmp(path, "/etc/ld.so.cache"))
		return strdup(path);
	for (i = 0; i < CRS_ARRAY_SIZE(lib_roots); i++) {
		n = strlen(lib_roots[i]);
		if (!strncmp(path, lib_roots[i], n) && path[n] == '/')
			break;
	}
	if (i == CRS_ARRAY_SIZE(lib_roots) || !base)
		return NULL;
	base++;
	/* (.+\.so)(\.[0-9]+)*: drop trailing ".N" groups, then want ".so" */
	end = strlen(base);
	for (;;) {
		size_t k = end;

		while (k > 0 && isdigit((unsigned char)base[k - 1]))
			k--;
		if (k == end || k == 0 || base[k - 1] != '.')
			break;
		end = k - 1;
	}
	if (end < 4 || memcmp(base + end - 3, ".so", 3))
		return NULL;
	n = (size_t)(base - path) + end;
	out = malloc(n + 2);
	if (!out)
		return NULL;
	memcpy(out, path, n);
	out[n] = '*';
	out[n + 1] = '\0';
	return out;
}
