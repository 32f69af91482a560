// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Error plumbing: struct crs_err, printable renderings of user strings,
 * libnl error codes back to errno.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netlink/errno.h>
#include "crsnl_int.h"

void crs_err_reset(struct crs_err *err)
{
	if (!err)
		return;
	err->msg[0] = '\0';
	err->line = 0;
	err->column = 0;
	err->nl_offset = 0;
	err->rule = -1;
}

/* Sets err->msg (if err) and returns error, a negative errno. */
int crs_err_set(struct crs_err *err, int error, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return error;
}

/*
 * Appends s[0..len) to the NUL-terminated buf: printable ASCII and UTF-8
 * as is, '"' and '\\' escaped when quoting, control bytes as \n, \t or
 * \xNN; at most max input bytes, then "...".
 */
void crs_str_render(char *buf, size_t size, const char *s, size_t len,
		    size_t max, bool quote)
{
	size_t o = strnlen(buf, size), i;

	if (o + 1 >= size)
		return;
#define PUT(...) do { \
		int n_ = snprintf(buf + o, size - o, __VA_ARGS__); \
		if (n_ < 0 || (size_t)n_ >= size - o) { buf[size - 1] = '\0'; return; } \
		o += n_; \
	} while (0)
	if (quote)
		PUT("\"");
	for (i = 0; i < len && i < max; i++) {
		unsigned char c = s[i];

		if (c == '\n')
			PUT("\\n");
		else if (c == '\t')
			PUT("\\t");
		else if (c < 0x20 || c == 0x7f)
			PUT("\\x%02x", c);
		else if (quote && (c == '"' || c == '\\'))
			PUT("\\%c", c);
		else
			PUT("%c", c);
	}
	if (i < len)
		PUT("...");
	if (quote)
		PUT("\"");
#undef PUT
}

int crs_errno_from_nle(int nle)
{
	static const int map[] = {
		[NLE_SUCCESS] = 0,		[NLE_FAILURE] = EIO,
		[NLE_INTR] = EINTR,		[NLE_BAD_SOCK] = EBADF,
		[NLE_AGAIN] = EAGAIN,		[NLE_NOMEM] = ENOMEM,
		[NLE_EXIST] = EEXIST,		[NLE_INVAL] = EINVAL,
		[NLE_RANGE] = ERANGE,		[NLE_MSGSIZE] = EMSGSIZE,
		[NLE_OPNOTSUPP] = EOPNOTSUPP,	[NLE_AF_NOSUPPORT] = EAFNOSUPPORT,
		[NLE_OBJ_NOTFOUND] = ENOENT,	[NLE_NOATTR] = ENOENT,
		[NLE_MISSING_ATTR] = EINVAL,	[NLE_AF_MISMATCH] = EINVAL,
		[NLE_SEQ_MISMATCH] = EILSEQ,	[NLE_MSG_OVERFLOW] = EOVERFLOW,
		[NLE_MSG_TRUNC] = EMSGSIZE,	[NLE_NOADDR] = EADDRNOTAVAIL,
		[NLE_SRCRT_NOSUPPORT] = EOPNOTSUPP, [NLE_MSG_TOOSHORT] = EBADMSG,
		[NLE_MSGTYPE_NOSUPPORT] = EOPNOTSUPP, [NLE_OBJ_MISMATCH] = EINVAL,
		[NLE_NOCACHE] = ENOENT,		[NLE_BUSY] = EBUSY,
		[NLE_PROTO_MISMATCH] = EPROTONOSUPPORT, [NLE_NOACCESS] = EACCES,
		[NLE_PERM] = EPERM,		[NLE_PKTLOC_FILE] = ENOENT,
		[NLE_PARSE_ERR] = EINVAL,	[NLE_NODEV] = ENODEV,
		[NLE_IMMUTABLE] = EPERM,	[NLE_DUMP_INTR] = EINTR,
		[NLE_ATTRSIZE] = EINVAL,
	};

	if (nle < 0)
		nle = -nle;
	if ((size_t)nle < CRS_ARRAY_SIZE(map) && map[nle])
		return -map[nle];
	return nle ? -EIO : 0;
}
