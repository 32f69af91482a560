// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names of the ABI's enums and bit masks, both ways.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "crsnl_int.h"

static const char *const mode_names[] = {
	[CRS_MODE_DISABLED] = "disabled",
	[CRS_MODE_MONITOR] = "monitor",
	[CRS_MODE_ENFORCE] = "enforce",
};

static const char *const action_names[] = {
	[CRS_ACTION_ALLOW] = "allow",
	[CRS_ACTION_DENY] = "deny",
};

static const char *const type_names[] = {
	[CRS_RULE_FILE] = "file",
	[CRS_RULE_EXECUTE] = "execute",
	[CRS_RULE_NETWORK] = "network",
	[CRS_RULE_LISTENER] = "listener",
	[CRS_RULE_SYSCALL] = "syscall",
};

static const char *const arg_op_names[] = {
	[CRS_ARG_EQ] = "eq",
	[CRS_ARG_NE] = "ne",
	[CRS_ARG_LT] = "lt",
	[CRS_ARG_LE] = "le",
	[CRS_ARG_GT] = "gt",
	[CRS_ARG_GE] = "ge",
	[CRS_ARG_MASK_ALL] = "mask_all",
	[CRS_ARG_MASK_ANY] = "mask_any",
};

static const char *const arch_names[] = {
	[CRS_ARCH_X86_64] = "x86_64",
	[CRS_ARCH_IA32] = "ia32",
	[CRS_ARCH_X32] = "x32",
};

struct bitname {
	uint32_t bit;
	const char *name;
};

static const struct bitname access_bits[] = {
	{ CRS_ACCESS_READ, "read" },
	{ CRS_ACCESS_WRITE, "write" },
	{ CRS_ACCESS_EXEC, "exec" },
};

static const struct bitname log_bits[] = {
	{ CRS_LOG_DENY, "deny" },
	{ CRS_LOG_ALLOW, "allow" },
	{ CRS_LOG_ALERT, "alert" },
	{ CRS_LOG_BEHAVIOR, "behavior" },
};

static int lookup(const char *const *names, size_t n, const char *s)
{
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return -EINVAL;
}

const char *crs_mode_name(enum crs_mode m)
{
	if (m == CRS_MODE_POLICY)
		return "policy";
	if ((unsigned int)m < CRS_ARRAY_SIZE(mode_names))
		return mode_names[m];
	return NULL;
}

int crs_mode_parse(const char *s, enum crs_mode *out)
{
	int i;

	if (s && !strcmp(s, "policy")) {
		*out = CRS_MODE_POLICY;
		return 0;
	}
	i = lookup(mode_names, CRS_ARRAY_SIZE(mode_names), s);
	if (i < 0)
		return i;
	*out = i;
	return 0;
}

const char *crs_action_name(enum crs_action a)
{
	if ((unsigned int)a < CRS_ARRAY_SIZE(action_names))
		return action_names[a];
	return NULL;
}

int crs_action_parse(const char *s, enum crs_action *out)
{
	int i = lookup(action_names, CRS_ARRAY_SIZE(action_names), s);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

const char *crs_rule_type_name(enum crs_rule_type t)
{
	if ((unsigned int)t < CRS_ARRAY_SIZE(type_names))
		return type_names[t];
	return NULL;
}

int crs_rule_type_parse(const char *s, enum crs_rule_type *out)
{
	int i = lookup(type_names, CRS_ARRAY_SIZE(type_names), s);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

const char *crs_arg_op_name(enum crs_arg_op op)
{
	if ((unsigned int)op < CRS_ARRAY_SIZE(arg_op_names))
		return arg_op_names[op];
	return NULL;
}

int crs_arg_op_parse(const char *s, enum crs_arg_op *out)
{
	int i = lookup(arg_op_names, CRS_ARRAY_SIZE(arg_op_names), s);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

const char *crs_arch_name(enum crs_arch arch)
{
	if ((unsigned int)arch < CRS_ARRAY_SIZE(arch_names))
		return arch_names[arch];
	return NULL;
}

/* "a,b,c" of the known bits, then 0x... for the rest; "none" for 0. */
static const char *bits_str(uint32_t v, const struct bitname *t, size_t n,
			    char *buf, size_t len)
{
	size_t o = 0, i;
	int k;

	if (!buf || !len)
		return buf;
	buf[0] = '\0';
	if (!v) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (i = 0; i < n; i++) {
		if (!(v & t[i].bit))
			continue;
		v &= ~t[i].bit;
		k = snprintf(buf + o, len - o, "%s%s", o ? "," : "", t[i].name);
		if (k < 0 || (size_t)k >= len - o) {
			buf[o] = '\0';	/* whole names only */
			return buf;
		}
		o += k;
	}
	if (v) {
		k = snprintf(buf + o, len - o, "%s0x%x", o ? "," : "", v);
		if (k < 0 || (size_t)k >= len - o)
			buf[o] = '\0';
	}
	return buf;
}

const char *crs_access_str(uint32_t access, char *buf, size_t len)
{
	return bits_str(access, access_bits, CRS_ARRAY_SIZE(access_bits), buf, len);
}

const char *crs_log_str(uint32_t log, char *buf, size_t len)
{
	return bits_str(log, log_bits, CRS_ARRAY_SIZE(log_bits), buf, len);
}

int crs_log_parse(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	const char *p = s, *e;
	size_t i, n;

	if (!s || !*s)
		return -EINVAL;
	if (!strcmp(s, "none")) {
		*out = 0;
		return 0;
	}
	if (!strcmp(s, "all")) {
		*out = CRS_LOG_ALL;
		return 0;
	}
	if (!strcmp(s, "default")) {
		*out = CRS_LOG_DEFAULT;
		return 0;
	}
	for (;;) {
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		for (i = 0; i < CRS_ARRAY_SIZE(log_bits); i++)
			if (strlen(log_bits[i].name) == n &&
			    !strncmp(log_bits[i].name, p, n))
				break;
		if (i == CRS_ARRAY_SIZE(log_bits))
			return -EINVAL;
		v |= log_bits[i].bit;
		if (!e)
			break;
		p = e + 1;
	}
	*out = v;
	return 0;
}
