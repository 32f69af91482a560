/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * crs.h - Container Runtime Security: generic netlink ABI shared by crs.ko
 * and userspace (libcrsnl, crs-tool, crsd, selftests).
 *
 * Family CRS_GENL_NAME ("crs"), version CRS_GENL_VERSION, initial network
 * namespace only. Every command needs CAP_NET_ADMIN in the initial user
 * namespace; the multicast groups CRS_MCGRP_EVENTS and CRS_MCGRP_LEARN likewise.
 *
 * A cgroup is named by its cgroup v2 id (the 64-bit file handle of its
 * directory, as name_to_handle_at() returns it). A table applies to the
 * tasks of that cgroup and of every descendant cgroup without a table of
 * its own.
 *
 * Commands and their attribute trees:
 *
 * CRS_CMD_GET_STATUS (doit)
 *   request:  (none)
 *   reply:    CRS_A_STATUS_* (version, limits, counters, probes)
 *               CRS_A_STATUS_PROBE (nest, repeated): CRS_A_PROBE_*
 *
 * CRS_CMD_SET_TABLE (doit) - build a table and swap it in atomically
 *   CRS_A_CGROUP_ID        u64, required
 *   CRS_A_TABLE_NAME       string, optional (policy name)
 *   CRS_A_TABLE_MODE       u32 enum crs_mode, required
 *   CRS_A_TABLE_DEFAULTS   nest, required: CRS_A_DEFAULT_<TYPE> u32 enum crs_action
 *   CRS_A_TABLE_FLAGS      u32 CRS_TABLE_F_*, optional
 *   CRS_A_LEARN_MAX        u32, optional: size of the learned set, if the table
 *                          switches learning on and the cgroup has none
 *   CRS_A_RULE             nest, repeated at top level (a table can hold more
 *                          rules than one 64 KiB nest): CRS_A_RULE_*
 *   Rules are taken in order; CRS_A_RULE_INDEX (the rule's position in the
 *   policy) is what events and counters report. On any error the table in
 *   force (if any) is left untouched; the reason is in the extended ack.
 *
 * CRS_CMD_DEL_TABLE (doit)
 *   CRS_A_CGROUP_ID        u64, required
 *
 * CRS_CMD_GET_TABLE (doit with CRS_A_CGROUP_ID, or dump of every table)
 *   reply, one or more messages per table:
 *     CRS_A_CGROUP_ID, CRS_A_TABLE_NAME, CRS_A_TABLE_MODE, CRS_A_TABLE_DEFAULTS,
 *     CRS_A_TABLE_FLAGS, CRS_A_TABLE_GENERATION, CRS_A_TABLE_NRULES,
 *     CRS_A_CONTAINER_MODE, CRS_A_CONTAINER_LOG, CRS_A_CONTAINER_LEARN,
 *     CRS_A_LEARN (only when the cgroup has a learned set), CRS_A_TABLE_HITS
 *     (nest of CRS_A_HITS_*), and CRS_A_RULE nests (each with CRS_A_RULE_HITS).
 *     A table too large for one message continues in the next with the same
 *     CRS_A_CGROUP_ID and CRS_A_TABLE_GENERATION and more CRS_A_RULE nests.
 *     A doit on one cgroup answers with one message when the table fits
 *     (else EMSGSIZE); a dump with CRS_A_CGROUP_ID returns only that cgroup's
 *     table, in as many messages as it needs.
 *   A whole table travels in one SET_TABLE request (the swap is atomic), so
 *   the largest request is CRS_MAX_RULES rules of two CRS_PATTERN_MAX
 *   patterns and a name: about 150 MB. Senders size their socket buffers.
 *
 * CRS_CMD_GET_STATUS replies and CRS_CMD_EVENT messages carry their own
 * attribute spaces at top level (enum crs_status_attr, enum crs_event_attr).
 *
 * Syscall rules (type CRS_RULE_SYSCALL) carry CRS_A_RULE_SYSCALL (name),
 * CRS_A_RULE_SYSCALL_NR / _NR32 (its numbers in the x86_64 and i386 tables,
 * CRS_SYSCALL_NONE where it has none) and up to CRS_MAX_ARGS CRS_A_RULE_ARG
 * nests, instead of PATH and ACCESS. The module probes each named syscall's
 * entry points while some table names it; a table whose syscall default is
 * deny (an allowlist) makes it probe the syscall dispatchers instead.
 *
 * Network rules (CRS_RULE_NETWORK) carry CRS_A_RULE_DIRECTION, and network
 * and listener rules (CRS_RULE_LISTENER) carry CRS_A_RULE_PROTOCOL, an
 * address (CRS_A_RULE_ADDR_FAMILY, _ADDR, _PREFIX_LEN: the peer for network
 * rules, the local address for listener rules) and a port range
 * (CRS_A_RULE_PORT_MIN/_MAX), instead of PATH and ACCESS. Precedence: the
 * longest prefix, then the narrowest port range, then a named program, then
 * a named protocol; deny wins what is left. A denied bind, listen, connect
 * or send fails with EACCES; a denied inbound SYN or datagram is dropped.
 *
 * CRS_CMD_SET_CONTAINER (doit) - per-container overrides on a cgroup with a table
 *   CRS_A_CGROUP_ID        u64, required
 *   CRS_A_CONTAINER_MODE   u32 enum crs_mode or CRS_MODE_POLICY (use the table's)
 *   CRS_A_CONTAINER_LOG    u32 CRS_LOG_* mask
 *   CRS_A_CONTAINER_LEARN  u32 CRS_LEARN_OFF, _ON or _POLICY (follow the table's
 *                          CRS_TABLE_F_LEARN, the default)
 *   CRS_A_LEARN_MAX        u32, optional: size of the learned set if one is created
 *   At least one of MODE, LOG and LEARN.
 *
 * Learning (docs/learning.md). A cgroup learns when its override is ON, or
 * POLICY and its table has CRS_TABLE_F_LEARN. When learning is switched on
 * (by SET_TABLE or SET_CONTAINER) and the cgroup has no learned set, one of
 * CRS_A_LEARN_MAX records (default CRS_DEFAULT_LEARN_RECORDS) is allocated
 * before the request succeeds. The set belongs to the cgroup's registry
 * entry: it survives SET_TABLE and learning being switched off, and goes with
 * DEL_TABLE or DEL_LEARNED. While learning is on and the mode in effect is
 * not disabled, every file access and exec decided for the cgroup is
 * recorded, allowed or denied, de-duplicated by (type, program, path); access
 * and outcome bits accumulate. GET_TABLE replies carry CRS_A_CONTAINER_LEARN
 * and, when a set exists, CRS_A_LEARN.
 *
 * CRS_CMD_GET_LEARNED (dump) - the learned set of one cgroup
 *   CRS_A_CGROUP_ID        u64, required
 *   reply, one or more messages: CRS_A_CGROUP_ID, CRS_A_LEARN (header, in
 *   every message) and CRS_A_OBS nests, in index order. Entries are only
 *   appended while a set lives, so any prefix is consistent; a set replaced
 *   during the dump (DEL_LEARNED, DEL_TABLE) sets NLM_F_DUMP_INTR, and the
 *   reader starts over.
 *
 * CRS_CMD_DEL_LEARNED (doit) - forget what a cgroup learned
 *   CRS_A_CGROUP_ID        u64, required
 *   Frees the set; if learning is on, an empty one (new epoch) replaces it.
 *
 * CRS_CMD_EVENT (multicast on CRS_MCGRP_EVENTS; never accepted as a request)
 *   CRS_A_EVENT_*
 *
 * CRS_CMD_LEARN_HINT (multicast on CRS_MCGRP_LEARN; never accepted as a request)
 *   CRS_A_CGROUP_ID, CRS_A_LEARN (the header) and the CRS_A_OBS nests of
 *   entries recorded since the last hint of that set, in index order, as a
 *   dump carries them. Sent from a work item shortly after the inserts; a
 *   set that became full gets one hint (its header) saying so. A new access
 *   or outcome bit on an old entry is not hinted: the header's generation
 *   moves, and the reader dumps. Hints are a low-latency copy, not the
 *   truth: a receive overrun or CRS_A_STATUS_LEARN_HINTS_DROPPED means some
 *   were lost, and CRS_CMD_GET_LEARNED has everything. Subscribing needs
 *   CAP_NET_ADMIN in the initial user namespace.
 */
#ifndef _UAPI_LINUX_CRS_H
#define _UAPI_LINUX_CRS_H

#include <linux/types.h>

#define CRS_GENL_NAME		"crs"
#define CRS_GENL_VERSION	1
#define CRS_MCGRP_EVENTS	"events"
#define CRS_MCGRP_LEARN		"learn"

/* Bumped whenever an attribute or enum below changes meaning. */
#define CRS_ABI_VERSION		4

/* Limits enforced by the module (also reported by CRS_CMD_GET_STATUS). */
#define CRS_MAX_TABLES		4096
#define CRS_MAX_RULES		65536	/* rules in one table */
#define CRS_MAX_GLOB_RULES	1024	/* rules in one table whose path is a glob */
#define CRS_PATTERN_MAX		1024	/* bytes in a path or program pattern, NUL excluded */
#define CRS_NAME_MAX		128	/* bytes in a rule or table name, NUL excluded */
#define CRS_SYSCALL_NR_MAX	1024	/* syscall numbers are below this, both ABIs */
#define CRS_SYSCALL_NAME_MAX	63	/* bytes in a syscall name */
#define CRS_MAX_SYSCALLS	512	/* distinct syscalls named by all tables together */
#define CRS_MAX_ARGS		6	/* argument matchers in one syscall rule */
#define CRS_MIN_LEARN_RECORDS	64	/* CRS_A_LEARN_MAX range: records of one learned set */
#define CRS_MAX_LEARN_RECORDS	262144
#define CRS_DEFAULT_LEARN_RECORDS 16384	/* when CRS_A_LEARN_MAX is not given */
#define CRS_MAX_LEARN_TOTAL	524288	/* records reserved by all learned sets together */

enum crs_cmd {
	CRS_CMD_UNSPEC,
	CRS_CMD_GET_STATUS,
	CRS_CMD_SET_TABLE,
	CRS_CMD_DEL_TABLE,
	CRS_CMD_GET_TABLE,
	CRS_CMD_SET_CONTAINER,
	CRS_CMD_EVENT,
	CRS_CMD_GET_LEARNED,
	CRS_CMD_DEL_LEARNED,
	CRS_CMD_LEARN_HINT,

	__CRS_CMD_MAX,
	CRS_CMD_MAX = __CRS_CMD_MAX - 1
};

enum crs_mode {
	CRS_MODE_DISABLED,	/* no checks, no events */
	CRS_MODE_MONITOR,	/* allow, report what would be denied */
	CRS_MODE_ENFORCE,	/* deny and report */

	__CRS_MODE_MAX,
	CRS_MODE_MAX = __CRS_MODE_MAX - 1,
	CRS_MODE_POLICY = 0xff	/* container override: follow the table's mode */
};

enum crs_action {
	CRS_ACTION_ALLOW,
	CRS_ACTION_DENY,

	__CRS_ACTION_MAX,
	CRS_ACTION_MAX = __CRS_ACTION_MAX - 1
};

/* Rule types; each has its own default action. */
enum crs_rule_type {
	CRS_RULE_FILE,		/* open for read and/or write */
	CRS_RULE_EXECUTE,	/* execve/execveat of a file */
	CRS_RULE_NETWORK,	/* peer address/port/protocol, by direction */
	CRS_RULE_LISTENER,	/* bind/listen: local address/port/protocol */
	CRS_RULE_SYSCALL,	/* system call with arguments */

	__CRS_RULE_TYPE_MAX,
	CRS_RULE_TYPE_MAX = __CRS_RULE_TYPE_MAX - 1
};

/* File access bits (CRS_A_RULE_ACCESS, CRS_A_EVENT_ACCESS). */
#define CRS_ACCESS_READ		(1U << 0)
#define CRS_ACCESS_WRITE	(1U << 1)
#define CRS_ACCESS_EXEC		(1U << 2)	/* events of execute rules */
#define CRS_ACCESS_ALL		(CRS_ACCESS_READ | CRS_ACCESS_WRITE | CRS_ACCESS_EXEC)

/* CRS_A_RULE_FLAGS */
#define CRS_RULE_F_ENABLED	(1U << 0)
#define CRS_RULE_F_ALL		(CRS_RULE_F_ENABLED)

/* CRS_A_TABLE_FLAGS */
#define CRS_TABLE_F_LEARN	(1U << 0)	/* the policy's "learning": record observations */
#define CRS_TABLE_F_ALL		(CRS_TABLE_F_LEARN)

/* CRS_A_CONTAINER_LEARN: 0 off, 1 on, or follow the table's CRS_TABLE_F_LEARN. */
#define CRS_LEARN_OFF		0
#define CRS_LEARN_ON		1
#define CRS_LEARN_POLICY	0xff

/* CRS_A_LEARN_STATE */
enum crs_learn_state {
	CRS_LEARN_STATE_OFF,		/* no learned set */
	CRS_LEARN_STATE_RECORDING,	/* learning is on and the set has room */
	CRS_LEARN_STATE_FULL,		/* learning is on, the set is full: new observations dropped */
	CRS_LEARN_STATE_IDLE,		/* a set is kept, but nothing records (learning off,
					 * or the mode in effect is disabled) */

	__CRS_LEARN_STATE_MAX,
	CRS_LEARN_STATE_MAX = __CRS_LEARN_STATE_MAX - 1
};

/* CRS_A_OBS_OUTCOME bits */
#define CRS_OBS_ALLOWED		(1U << 0)	/* the access happened (allowed, or let through by monitor) */
#define CRS_OBS_DENIED		(1U << 1)	/* refused by enforce */
#define CRS_OBS_ALL		(CRS_OBS_ALLOWED | CRS_OBS_DENIED)
/* CRS_A_OBS_FLAGS bits */
#define CRS_OBS_F_AUTOPORT	(1U << 0)	/* inbound/listener: the kernel chose the local port */

/* Argument comparisons of syscall rules (CRS_A_ARG_OP): arg OP value. */
enum crs_arg_op {
	CRS_ARG_EQ,
	CRS_ARG_NE,
	CRS_ARG_LT,		/* unsigned */
	CRS_ARG_LE,
	CRS_ARG_GT,
	CRS_ARG_GE,
	CRS_ARG_MASK_ALL,	/* (arg & value) == value */
	CRS_ARG_MASK_ANY,	/* (arg & value) != 0 */

	__CRS_ARG_OP_MAX,
	CRS_ARG_OP_MAX = __CRS_ARG_OP_MAX - 1
};

/* System call ABI of an event (CRS_A_EVENT_ARCH). */
enum crs_arch {
	CRS_ARCH_X86_64,
	CRS_ARCH_IA32,		/* int 0x80, sysenter, 32-bit processes */
	CRS_ARCH_X32,

	__CRS_ARCH_MAX,
	CRS_ARCH_MAX = __CRS_ARCH_MAX - 1
};

#define CRS_SYSCALL_NONE	0xffffffffU	/* no number in this ABI */

/* Network and listener rules (CRS_A_RULE_PROTOCOL, CRS_A_EVENT_PROTOCOL). */
enum crs_proto {
	CRS_PROTO_ANY,		/* rules: every protocol; events: none of the below */
	CRS_PROTO_TCP,		/* TCP and MPTCP */
	CRS_PROTO_UDP,		/* UDP and UDP-Lite */
	CRS_PROTO_ICMP,		/* ICMP and ICMPv6 (ping sockets, raw packets) */

	__CRS_PROTO_MAX,
	CRS_PROTO_MAX = __CRS_PROTO_MAX - 1
};

/* Direction of a network rule or event (CRS_A_RULE_DIRECTION, CRS_A_EVENT_DIRECTION). */
enum crs_direction {
	CRS_DIR_OUTBOUND,	/* the container's program is the initiator / sender */
	CRS_DIR_INBOUND,	/* a peer connects or sends to the container */

	__CRS_DIR_MAX,
	CRS_DIR_MAX = __CRS_DIR_MAX - 1
};

/*
 * Address family of a rule's address (CRS_A_RULE_ADDR_FAMILY): AF_INET
 * (2), AF_INET6 (10), or 0 for "any address of either family". Rule
 * addresses are 4 or 16 bytes in network order, host bits zero; an IPv4
 * address in an event is 4 bytes even when the socket is AF_INET6 and the
 * peer IPv4-mapped.
 */
#define CRS_MAX_NET_RULES	65536	/* network + listener rules in one table */

/* CRS_A_CONTAINER_LOG: which decisions raise events. */
#define CRS_LOG_DENY		(1U << 0)	/* denials, and would-be denials in monitor mode */
#define CRS_LOG_ALLOW		(1U << 1)	/* accesses allowed by an explicit allow rule */
#define CRS_LOG_ALERT		(1U << 2)	/* reserved */
#define CRS_LOG_BEHAVIOR	(1U << 3)	/* reserved: learning */
#define CRS_LOG_ALL		(CRS_LOG_DENY | CRS_LOG_ALLOW | CRS_LOG_ALERT | CRS_LOG_BEHAVIOR)
#define CRS_LOG_DEFAULT		(CRS_LOG_DENY)

/* Event flags (CRS_A_EVENT_FLAGS). */
#define CRS_EVENT_F_DEFAULT	(1U << 0)	/* no rule matched: the type's default action */
#define CRS_EVENT_F_TRUNCATED	(1U << 1)	/* a path in the event was cut short */

/* Sentinel for CRS_A_EVENT_RULE_INDEX when the default action decided. */
#define CRS_RULE_INDEX_NONE	0xffffffffU

enum crs_attr {
	CRS_A_UNSPEC,
	CRS_A_CGROUP_ID,		/* u64 */
	CRS_A_TABLE_NAME,		/* string */
	CRS_A_TABLE_MODE,		/* u32 enum crs_mode */
	CRS_A_TABLE_DEFAULTS,		/* nest: enum crs_default_attr */
	CRS_A_TABLE_FLAGS,		/* u32 CRS_TABLE_F_* */
	CRS_A_TABLE_GENERATION,		/* u64, bumped by every SET_TABLE (output) */
	CRS_A_TABLE_NRULES,		/* u32 (output) */
	CRS_A_TABLE_HITS,		/* nest: enum crs_hits_attr (output) */
	CRS_A_RULE,			/* nest: enum crs_rule_attr, repeated */
	CRS_A_CONTAINER_MODE,		/* u32 enum crs_mode or CRS_MODE_POLICY */
	CRS_A_CONTAINER_LOG,		/* u32 CRS_LOG_* */
	CRS_A_PAD,
	CRS_A_TABLE_IGNORED,		/* binary: bitmap of CRS_SYSCALL_NR_MAX bits, x86_64
					 * numbers of ignored_syscalls (no events) */
	CRS_A_TABLE_IGNORED32,		/* binary: the same by i386 number */
	CRS_A_CONTAINER_LEARN,		/* u32 CRS_LEARN_OFF, _ON or _POLICY */
	CRS_A_LEARN_MAX,		/* u32 CRS_MIN_LEARN_RECORDS..CRS_MAX_LEARN_RECORDS: size
					 * of a learned set, used when one is created */
	CRS_A_LEARN,			/* nest: enum crs_learn_attr (output) */
	CRS_A_OBS,			/* nest, repeated: enum crs_obs_attr (output) */

	__CRS_A_MAX,
	CRS_A_MAX = __CRS_A_MAX - 1
};

enum crs_default_attr {
	CRS_A_DEFAULT_UNSPEC,
	CRS_A_DEFAULT_FILE,		/* u32 enum crs_action */
	CRS_A_DEFAULT_EXECUTE,		/* u32 enum crs_action */
	CRS_A_DEFAULT_NETWORK,		/* u32 enum crs_action */
	CRS_A_DEFAULT_LISTENER,		/* u32 enum crs_action */
	CRS_A_DEFAULT_SYSCALL,		/* u32 enum crs_action */

	__CRS_A_DEFAULT_MAX,
	CRS_A_DEFAULT_MAX = __CRS_A_DEFAULT_MAX - 1
};

enum crs_rule_attr {
	CRS_A_RULE_UNSPEC,
	CRS_A_RULE_INDEX,		/* u32, position in the policy */
	CRS_A_RULE_NAME,		/* string, optional */
	CRS_A_RULE_TYPE,		/* u32 enum crs_rule_type */
	CRS_A_RULE_ACTION,		/* u32 enum crs_action */
	CRS_A_RULE_FLAGS,		/* u32 CRS_RULE_F_* */
	CRS_A_RULE_PROGRAM,		/* string pattern; "*" = any program */
	CRS_A_RULE_PATH,		/* string pattern (file, execute) */
	CRS_A_RULE_ACCESS,		/* u32 CRS_ACCESS_READ|WRITE (file rules) */
	CRS_A_RULE_HITS,		/* u64 (output) */
	CRS_A_RULE_PAD,
	CRS_A_RULE_SYSCALL,		/* string: syscall name, e.g. "ptrace" (syscall rules) */
	CRS_A_RULE_SYSCALL_NR,		/* u32: its x86_64 number, or CRS_SYSCALL_NONE */
	CRS_A_RULE_SYSCALL_NR32,	/* u32: its i386 number, or CRS_SYSCALL_NONE */
	CRS_A_RULE_ARG,			/* nest, repeated up to CRS_MAX_ARGS: enum crs_arg_attr */
	CRS_A_RULE_DIRECTION,		/* u32 enum crs_direction (network rules) */
	CRS_A_RULE_PROTOCOL,		/* u32 enum crs_proto (network, listener) */
	CRS_A_RULE_ADDR_FAMILY,		/* u32 0, AF_INET or AF_INET6 */
	CRS_A_RULE_ADDR,		/* binary, 4 or 16 bytes (absent for family 0) */
	CRS_A_RULE_PREFIX_LEN,		/* u32, 0..32 or 0..128 (absent for family 0) */
	CRS_A_RULE_PORT_MIN,		/* u32 0..65535, inclusive range (default 0) */
	CRS_A_RULE_PORT_MAX,		/* u32 PORT_MIN..65535 (default 65535) */

	__CRS_A_RULE_MAX,
	CRS_A_RULE_MAX = __CRS_A_RULE_MAX - 1
};

/* One argument matcher of a syscall rule; all of a rule's must hold. */
enum crs_arg_attr {
	CRS_A_ARG_UNSPEC,
	CRS_A_ARG_INDEX,		/* u32 0..5 */
	CRS_A_ARG_OP,			/* u32 enum crs_arg_op */
	CRS_A_ARG_VALUE,		/* u64 */
	CRS_A_ARG_PAD,

	__CRS_A_ARG_MAX,
	CRS_A_ARG_MAX = __CRS_A_ARG_MAX - 1
};

/* Per-table decision counters (CRS_A_TABLE_HITS). */
enum crs_hits_attr {
	CRS_A_HITS_UNSPEC,
	CRS_A_HITS_ALLOWED,		/* u64 */
	CRS_A_HITS_DENIED,		/* u64: enforced denials */
	CRS_A_HITS_MONITORED,		/* u64: would-be denials let through */
	CRS_A_HITS_DEFAULT,		/* u64: decisions by a default action */
	CRS_A_HITS_PAD,

	__CRS_A_HITS_MAX,
	CRS_A_HITS_MAX = __CRS_A_HITS_MAX - 1
};

enum crs_status_attr {
	CRS_A_STATUS_UNSPEC,
	CRS_A_STATUS_VERSION,		/* string, module version */
	CRS_A_STATUS_ABI,		/* u32 CRS_ABI_VERSION */
	CRS_A_STATUS_TABLES,		/* u32 tables loaded */
	CRS_A_STATUS_MAX_TABLES,	/* u32 */
	CRS_A_STATUS_MAX_RULES,		/* u32 */
	CRS_A_STATUS_MAX_GLOB_RULES,	/* u32 */
	CRS_A_STATUS_PATTERN_MAX,	/* u32 */
	CRS_A_STATUS_HOOK_CALLS,	/* u64 hook invocations */
	CRS_A_STATUS_POLICED,		/* u64 invocations by a task under a table */
	CRS_A_STATUS_ALLOWED,		/* u64 */
	CRS_A_STATUS_DENIED,		/* u64 */
	CRS_A_STATUS_MONITORED,		/* u64 */
	CRS_A_STATUS_EVENTS_SENT,	/* u64 */
	CRS_A_STATUS_EVENTS_DROPPED,	/* u64: ring full or no memory */
	CRS_A_STATUS_EVENTS_NO_LISTENER,/* u64: nobody subscribed, not queued */
	CRS_A_STATUS_PATH_ERRORS,	/* u64: a path could not be resolved (decided by default action) */
	CRS_A_STATUS_PROG_CACHE_HITS,	/* u64 */
	CRS_A_STATUS_PROG_CACHE_MISSES,	/* u64 */
	CRS_A_STATUS_PROBE,		/* nest, repeated: enum crs_probe_attr */
	CRS_A_STATUS_PAD,
	CRS_A_STATUS_SYSCALL_PROBES,	/* u32: syscalls with probes registered now */
	CRS_A_STATUS_SYSCALL_MISSED,	/* u64: sum of their nmissed */
	CRS_A_STATUS_DISPATCH_PROBES,	/* u32: dispatcher probes in use by allowlists, 0..3
					 * (they stay armed, idle, 10 s after the last one) */
	CRS_A_STATUS_SYSCALL,		/* nest, repeated: enum crs_probe_attr, one per
					 * probed syscall (SYMBOL = syscall name, REFS) */
	CRS_A_STATUS_LEARN_SETS,	/* u32: learned sets in existence */
	CRS_A_STATUS_LEARN_RESERVED,	/* u32: records they reserve together */
	CRS_A_STATUS_MAX_LEARN_TOTAL,	/* u32: CRS_MAX_LEARN_TOTAL */
	CRS_A_STATUS_LEARN_DROPPED,	/* u64: observations dropped by all sets (full, long) */
	CRS_A_STATUS_LEARN_HINTS_SENT,	/* u64: CRS_CMD_LEARN_HINT messages multicast */
	CRS_A_STATUS_LEARN_HINTS_DROPPED,/* u64: hint messages lost (no memory, or every
					  * subscriber's receive queue full) */
	CRS_A_STATUS_LEARN_HINTED,	/* u64: observations hinted (to subscribers or none) */

	__CRS_A_STATUS_MAX,
	CRS_A_STATUS_MAX = __CRS_A_STATUS_MAX - 1
};

enum crs_probe_attr {
	CRS_A_PROBE_UNSPEC,
	CRS_A_PROBE_SYMBOL,		/* string */
	CRS_A_PROBE_MISSED,		/* u64, kprobe nmissed: hook not run */
	CRS_A_PROBE_FTRACE,		/* flag: ftrace-based entry probe */
	CRS_A_PROBE_PAD,
	CRS_A_PROBE_REFS,		/* u32: tables using this syscall probe */
	CRS_A_PROBE_ENTRIES,		/* u32: entry points probed (x86_64, ia32, compat...) */

	__CRS_A_PROBE_MAX,
	CRS_A_PROBE_MAX = __CRS_A_PROBE_MAX - 1
};

enum crs_event_attr {
	CRS_A_EVENT_UNSPEC,
	CRS_A_EVENT_TIME_NS,		/* u64 CLOCK_REALTIME */
	CRS_A_EVENT_CGROUP_ID,		/* u64, the task's own cgroup */
	CRS_A_EVENT_TABLE_CGROUP_ID,	/* u64, the cgroup whose table decided */
	CRS_A_EVENT_PID,		/* u32, thread group id in the initial pid ns */
	CRS_A_EVENT_TID,		/* u32 */
	CRS_A_EVENT_UID,		/* u32, in the initial user ns */
	CRS_A_EVENT_PROGRAM,		/* string, executable as the container sees it */
	CRS_A_EVENT_TYPE,		/* u32 enum crs_rule_type */
	CRS_A_EVENT_RULE_INDEX,		/* u32, or CRS_RULE_INDEX_NONE */
	CRS_A_EVENT_RULE_NAME,		/* string (absent for the default action) */
	CRS_A_EVENT_PATH,		/* string, the object as the container sees it */
	CRS_A_EVENT_ACCESS,		/* u32 CRS_ACCESS_* that was decided */
	CRS_A_EVENT_ACTION,		/* u32 enum crs_action actually taken */
	CRS_A_EVENT_VERDICT,		/* u32 enum crs_action the policy asked for */
	CRS_A_EVENT_MODE,		/* u32 enum crs_mode in effect */
	CRS_A_EVENT_FLAGS,		/* u32 CRS_EVENT_F_* */
	CRS_A_EVENT_SEQ,		/* u64, per-module sequence: gaps = dropped */
	CRS_A_EVENT_PAD,
	CRS_A_EVENT_SYSCALL,		/* string: syscall name (syscall events; absent if unknown) */
	CRS_A_EVENT_SYSCALL_NR,		/* u32: number in the caller's ABI */
	CRS_A_EVENT_ARCH,		/* u32 enum crs_arch */
	CRS_A_EVENT_ARG,		/* u64, repeated 6 times: the argument registers, in order */
	CRS_A_EVENT_DIRECTION,		/* u32 enum crs_direction (network, listener events) */
	CRS_A_EVENT_PROTOCOL,		/* u32 enum crs_proto */
	CRS_A_EVENT_FAMILY,		/* u32 AF_INET or AF_INET6 (of the addresses below) */
	CRS_A_EVENT_LOCAL_ADDR,		/* binary, 4 or 16 bytes (absent when unknown) */
	CRS_A_EVENT_LOCAL_PORT,		/* u32 */
	CRS_A_EVENT_REMOTE_ADDR,	/* binary, 4 or 16 bytes (absent for listener events) */
	CRS_A_EVENT_REMOTE_PORT,	/* u32 */

	__CRS_A_EVENT_MAX,
	CRS_A_EVENT_MAX = __CRS_A_EVENT_MAX - 1
};

/* A learned set's header (CRS_A_LEARN). */
enum crs_learn_attr {
	CRS_A_LEARN_UNSPEC,
	CRS_A_LEARN_STATE,		/* u32 enum crs_learn_state */
	CRS_A_LEARN_EPOCH,		/* u64: names the set instance (creation time, ns, unique) */
	CRS_A_LEARN_GENERATION,		/* u64: bumped by every new entry and every new bit */
	CRS_A_LEARN_RECORDS,		/* u32: records used (programs included) */
	CRS_A_LEARN_RECORDS_MAX,	/* u32: records the set can hold */
	CRS_A_LEARN_BYTES,		/* u32: memory reserved by the set */
	CRS_A_LEARN_DROPPED_FULL,	/* u64: observations refused because the set was full */
	CRS_A_LEARN_DROPPED_LONG,	/* u64: paths too long (or unresolvable) to record */
	CRS_A_LEARN_PAD,

	__CRS_A_LEARN_ATTR_MAX,
	CRS_A_LEARN_ATTR_MAX = __CRS_A_LEARN_ATTR_MAX - 1
};

/* One observation (CRS_A_OBS). */
enum crs_obs_attr {
	CRS_A_OBS_UNSPEC,
	CRS_A_OBS_INDEX,		/* u32: position in the set (discovery order) */
	CRS_A_OBS_TYPE,			/* u32 enum crs_rule_type */
	CRS_A_OBS_PROGRAM,		/* string: the program, as in events (absent: inbound
					 * packets, which have no program) */
	CRS_A_OBS_PATH,			/* string: file/execute object ("" for a memfd exec) */
	CRS_A_OBS_ACCESS,		/* u32 CRS_ACCESS_* ever asked for */
	CRS_A_OBS_OUTCOME,		/* u32 CRS_OBS_* ever seen */
	/* file observations */
	CRS_A_OBS_PID_OFF,		/* u32: byte offset in PATH of a digit run equal to the
					 * recording task's pid or tid (its own namespace's
					 * numbers, >= 10), last component only; absent if none */
	/* network (NETWORK: both directions) and listener observations */
	CRS_A_OBS_DIRECTION,		/* u32 enum crs_direction (NETWORK only) */
	CRS_A_OBS_PROTOCOL,		/* u32 enum crs_proto */
	CRS_A_OBS_FAMILY,		/* u32 AF_INET or AF_INET6 (mapped v4 is AF_INET) */
	CRS_A_OBS_ADDR,			/* binary 4 or 16 bytes: outbound/inbound the peer,
					 * listener the local address */
	CRS_A_OBS_PORT,			/* u32 0..65535: outbound the peer's port, inbound and
					 * listener the container's own (local) port */
	CRS_A_OBS_FLAGS,		/* u32 CRS_OBS_F_* */
	/* syscall observations */
	CRS_A_OBS_SYSCALL_NR,		/* u32: the number the allowlist looks up */
	CRS_A_OBS_ARCH,			/* u32 enum crs_arch of that number (X86_64 or IA32) */

	__CRS_A_OBS_MAX,
	CRS_A_OBS_MAX = __CRS_A_OBS_MAX - 1
};

#endif /* _UAPI_LINUX_CRS_H */
