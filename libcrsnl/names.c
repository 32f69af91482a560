// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names of the ABI's enums and bit masks, both ways.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
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

static const char *const proto_names[] = {
	[CRS_PROTO_ANY] = "any",
	[CRS_PROTO_TCP] = "tcp",
	[CRS_PROTO_UDP] = "udp",
	[CRS_PROTO_ICMP] = "icmp",
};

static const char *const direction_names[] = {
	[CRS_DIR_OUTBOUND] = "outbound",
	[CRS_DIR_INBOUND] = "inbound",
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

const char *crs_proto_name(enum crs_proto p)
{
	if ((unsigned int)p < CRS_ARRAY_SIZE(proto_names))
		return proto_names[p];
	return NULL;
}

int crs_proto_parse(const char *s, enum crs_proto *out)
{
	int i = lookup(proto_names, CRS_ARRAY_SIZE(proto_names), s);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

const char *crs_direction_name(enum crs_direction d)
{
	if ((unsigned int)d < CRS_ARRAY_SIZE(direction_names))
		return direction_names[d];
	return NULL;
}

int crs_direction_parse(const char *s, enum crs_direction *out)
{
	int i = lookup(direction_names, CRS_ARRAY_SIZE(direction_names), s);

	if (i < 0)
		return i;
	*out = i;
	return 0;
}

/* ------------------------------------------------------- network addresses */

static const uint8_t v4_mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

size_t crs_net_addr_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

/* Clears the bits of addr[0..len) after the first prefix_len; true if any was set. */
static bool clear_host_bits(uint8_t *addr, size_t len, uint32_t prefix_len)
{
	bool set = false;
	size_t i;

	for (i = 0; i < len; i++) {
		uint8_t keep;

		if (prefix_len >= 8 * (i + 1))
			continue;
		keep = prefix_len <= 8 * i ? 0 : (uint8_t)(0xff00 >> (prefix_len - 8 * i));
		if (addr[i] & ~keep)
			set = true;
		addr[i] &= keep;
	}
	return set;
}

int crs_net_addr_check(const struct crs_net_addr *a, const char **why,
		       struct crs_net_addr *masked)
{
	struct crs_net_addr c;
	static const uint8_t zero[16];
	const char *dummy;

	if (!why)
		why = &dummy;
	if (masked)
		memset(masked, 0, sizeof(*masked));
	switch (a->family) {
	case 0:
		if (a->prefix_len || memcmp(a->addr, zero, sizeof(zero))) {
			*why = "family 0 (any address) must have no address bits and prefix 0";
			return -EINVAL;
		}
		return 0;
	case AF_INET:
		if (a->prefix_len > 32) {
			*why = "IPv4 prefix length must be 0 to 32";
			return -EINVAL;
		}
		break;
	case AF_INET6:
		if (a->prefix_len > 128) {
			*why = "IPv6 prefix length must be 0 to 128";
			return -EINVAL;
		}
		break;
	default:
		*why = "unknown address family";
		return -EINVAL;
	}
	c = *a;
	if (clear_host_bits(c.addr, crs_net_addr_len(a->family), a->prefix_len)) {
		if (masked)
			*masked = c;
		*why = "host bits set";
		return -EINVAL;
	}
	/* with host bits clear, a mapped address has a prefix of at least /96 */
	if (a->family == AF_INET6 &&
	    !memcmp(a->addr, v4_mapped_prefix, sizeof(v4_mapped_prefix))) {
		*why = "an IPv4-mapped address must be stored as AF_INET";
		return -EINVAL;
	}
	return 0;
}

int crs_net_addr_parse_masked(const char *s, struct crs_net_addr *out, const char **why,
			      struct crs_net_addr *masked)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash, *dummy;
	struct crs_net_addr a;
	size_t alen;
	bool have_prefix = false;
	unsigned long plen = 0;

	if (!why)
		why = &dummy;
	if (masked)
		memset(masked, 0, sizeof(*masked));
	memset(&a, 0, sizeof(a));
	if (!s) {
		*why = "missing";
		return -EINVAL;
	}
	if (!strcmp(s, "*")) {
		*out = a;
		return 0;
	}
	slash = strchr(s, '/');
	alen = slash ? (size_t)(slash - s) : strlen(s);
	if (!alen || alen >= sizeof(buf)) {
		*why = "not an IPv4 or IPv6 address or prefix (\"*\" for any)";
		return -EINVAL;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	if (slash) {
		const char *p = slash + 1;

		/* 1 to 3 decimal digits, no sign, no leading zero */
		if (!*p || strlen(p) > 3 || strspn(p, "0123456789") != strlen(p) ||
		    (p[0] == '0' && p[1])) {
			*why = "the prefix length must be a decimal number";
			return -EINVAL;
		}
		plen = strtoul(p, NULL, 10);
		have_prefix = true;
	}
	if (strchr(buf, ':')) {
		if (inet_pton(AF_INET6, buf, a.addr) != 1) {
			*why = "not an IPv4 or IPv6 address or prefix (\"*\" for any)";
			return -EINVAL;
		}
		a.family = AF_INET6;
		if (!have_prefix)
			plen = 128;
		if (plen > 128) {
			*why = "IPv6 prefix length must be 0 to 128";
			return -EINVAL;
		}
		if (!memcmp(a.addr, v4_mapped_prefix, sizeof(v4_mapped_prefix))) {
			/* ::ffff:a.b.c.d/N is a.b.c.d/(N - 96) */
			if (plen < 96) {
				*why = "an IPv4-mapped prefix must be /96 or longer";
				return -EINVAL;
			}
			memmove(a.addr, a.addr + 12, 4);
			memset(a.addr + 4, 0, 12);
			a.family = AF_INET;
			plen -= 96;
		}
	} else {
		if (inet_pton(AF_INET, buf, a.addr) != 1) {
			*why = "not an IPv4 or IPv6 address or prefix (\"*\" for any)";
			return -EINVAL;
		}
		a.family = AF_INET;
		if (!have_prefix)
			plen = 32;
		if (plen > 32) {
			*why = "IPv4 prefix length must be 0 to 32";
			return -EINVAL;
		}
	}
	a.prefix_len = (uint32_t)plen;
	if (clear_host_bits(a.addr, crs_net_addr_len(a.family), a.prefix_len)) {
		if (masked)
			*masked = a;
		*why = "host bits set";
		return -EINVAL;
	}
	*out = a;
	return 0;
}

int crs_net_addr_parse(const char *s, struct crs_net_addr *out, const char **why)
{
	return crs_net_addr_parse_masked(s, out, why, NULL);
}

const char *crs_net_addr_str(const struct crs_net_addr *a, char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN];
	uint32_t full = a->family == AF_INET ? 32 : 128;

	if (!buf || !len)
		return buf;
	if (a->family == 0) {
		snprintf(buf, len, "*");
		return buf;
	}
	if ((a->family != AF_INET && a->family != AF_INET6) ||
	    !inet_ntop(a->family, a->addr, text, sizeof(text))) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (a->prefix_len == full)
		snprintf(buf, len, "%s", text);
	else
		snprintf(buf, len, "%s/%u", text, a->prefix_len);
	return buf;
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
