/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcrsnl - everything a userspace program needs to drive crs.ko:
 * the policy model (JSON <-> struct crs_policy), its validation and
 * compilation into netlink tables, the generic netlink transport (libnl-3)
 * and event decoding.
 *
 * Conventions: functions return 0 or a negative errno. Where a
 * struct crs_err is passed, a failure also fills err->msg with a human
 * message: for a policy, the JSON field path ("rules[2].path: ...") and, for
 * JSON syntax errors, "line L, column C"; for the kernel, the extended-ack
 * text verbatim.
 */
#ifndef CRSNL_H
#define CRSNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/crs.h>

#ifdef __cplusplus
extern "C" {
#endif

struct crs_err {
	char msg[512];
	int line, column;	/* JSON syntax errors: 1-based; else 0 */
	/*
	 * Kernel errors: byte offset of the offending attribute in the request
	 * (NLMSGERR_ATTR_OFFS), 0 when the kernel named none; and, when that
	 * attribute lies in a CRS_A_RULE nest, the rule's CRS_A_RULE_INDEX
	 * (its position in the policy), else -1. Every function taking a
	 * struct crs_err resets these on entry.
	 */
	uint32_t nl_offset;
	int rule;
};

/* ---------------------------------------------------------------- policy */

/* One argument matcher of a syscall rule: args[index] op value. */
struct crs_syscall_arg {
	uint32_t index;		/* 0..5 */
	enum crs_arg_op op;
	uint64_t value;		/* JSON integers; negative ones as two's complement */
};

/*
 * An address of a network rule (the peer) or listener rule (the local
 * address): family 0 = any address of either family ("*"), else AF_INET or
 * AF_INET6 with prefix_len bits (host bits zero). An IPv4-mapped IPv6
 * address in a policy ("::ffff:10.0.0.1") is stored as the IPv4 address.
 */
struct crs_net_addr {
	int family;		/* 0, AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network order; 4 bytes used for AF_INET */
	uint32_t prefix_len;	/* 0..32 / 0..128 */
};

/*
 * Syscall rules: crs_policy_validate() requires syscall to be a name known
 * to crs_syscall_lookup() and forbids path and access (file and execute
 * rules may not have syscall or args). The numbers sent to the kernel are
 * looked up from the name; the parser fills syscall_nr / syscall_nr32 the
 * same way (x86_64 or i386 number CRS_SYSCALL_NONE where the ABI lacks it).
 */
/*
 * Network rules ("type": "network") and listener rules ("listener") use
 * direction (network only), protocol, address and the port range
 * [port_min, port_max] ("*" = 0-65535) instead of path and access;
 * crs_policy_validate() forbids those four fields on other rule types
 * (direction must be 0 on listener rules) and path, access, syscall and
 * args on these.
 */
struct crs_policy_rule {
	char *name;		/* may be NULL */
	bool enabled;
	enum crs_rule_type type;
	enum crs_action action;
	char *program;		/* "*" for any */
	char *path;		/* file, execute; NULL for syscall rules */
	uint32_t access;	/* file: CRS_ACCESS_READ|WRITE; execute: CRS_ACCESS_EXEC */
	/* syscall rules ("syscall": name or x86_64 number, "args": [...]) */
	char *syscall;		/* canonical name, e.g. "ptrace" */
	uint32_t syscall_nr;	/* x86_64 number or CRS_SYSCALL_NONE (i386-only calls) */
	uint32_t syscall_nr32;	/* i386 number or CRS_SYSCALL_NONE */
	struct crs_syscall_arg args[CRS_MAX_ARGS];
	size_t n_args;
	/* network and listener rules */
	enum crs_direction direction;
	enum crs_proto protocol;
	struct crs_net_addr address;
	uint16_t port_min, port_max;
};

struct crs_policy {
	char *name;
	char *description;	/* may be NULL */
	enum crs_mode mode;
	bool learning;
	enum crs_action defaults[CRS_RULE_TYPE_MAX + 1];
	char **ignored_syscalls;
	size_t n_ignored_syscalls;
	struct crs_policy_rule *rules;
	size_t n_rules;
};

/* Parse and validate a JSON policy (the format in README.md). */
int crs_policy_parse(const char *json, size_t len, struct crs_policy **out,
		     struct crs_err *err);
int crs_policy_parse_file(const char *path, struct crs_policy **out,
			  struct crs_err *err);
void crs_policy_free(struct crs_policy *p);
/* Canonical JSON of a policy; caller frees. NULL on ENOMEM. */
char *crs_policy_to_json(const struct crs_policy *p, bool pretty);

/* Names <-> enums; NULL / negative errno for unknown values. */
const char *crs_mode_name(enum crs_mode m);
int crs_mode_parse(const char *s, enum crs_mode *out);
const char *crs_action_name(enum crs_action a);
const char *crs_rule_type_name(enum crs_rule_type t);
/* Writes "read", "write", "read,write", "exec" ... into buf. */
const char *crs_access_str(uint32_t access, char *buf, size_t len);

/*
 * Additions to the above. crs_mode_name/crs_mode_parse also know "policy"
 * (CRS_MODE_POLICY, the container override "follow the table"); a policy
 * file may not use it. crs_access_str writes "none" for 0 and "0x..." for
 * unknown bits.
 */
int crs_action_parse(const char *s, enum crs_action *out);
int crs_rule_type_parse(const char *s, enum crs_rule_type *out);
/* "deny,allow,alert,behavior" <-> CRS_LOG_* ("none" = 0; "all"; "default"). */
const char *crs_log_str(uint32_t log, char *buf, size_t len);
int crs_log_parse(const char *s, uint32_t *out);

/*
 * Validate a policy built in memory (crs_policy_parse does this already):
 * names, patterns, access bits, limits. Errors name the field as in JSON.
 */
int crs_policy_validate(const struct crs_policy *p, struct crs_err *err);
/* Deep comparison; NULL and absent optional strings compare as in JSON. */
bool crs_policy_equal(const struct crs_policy *a, const struct crs_policy *b);

/* Pattern kinds, least specific first (docs/policy.md "Patterns"). */
enum crs_pattern_kind {
	CRS_PATTERN_ANY,	/* anything: "*", or a lone "**" component */
	CRS_PATTERN_GLOB,	/* '*' within components (maybe a final "**" too) */
	CRS_PATTERN_SUBTREE,	/* literal directory, then a final "**" component */
	CRS_PATTERN_EXACT,	/* no '*' at all */
};
/*
 * Classify a pattern of len bytes; returns its enum crs_pattern_kind, or
 * -EINVAL with *why (if why) set to a static reason such as
 * "must not contain \"//\"".
 */
int crs_pattern_check(const char *pat, size_t len, const char **why);
const char *crs_pattern_kind_name(int kind);

/*
 * Syscall names <-> numbers, from the x86_64 and i386 tables of the kernel
 * headers this library was built with. Lookup returns -ENOENT for unknown
 * names; *nr32 is CRS_SYSCALL_NONE when i386 has no such call.
 */
int crs_syscall_lookup(const char *name, uint32_t *nr64, uint32_t *nr32);
const char *crs_syscall_name(uint32_t nr, enum crs_arch arch);	/* NULL if unknown */
const char *crs_arg_op_name(enum crs_arg_op op);
int crs_arg_op_parse(const char *s, enum crs_arg_op *out);
const char *crs_arch_name(enum crs_arch arch);
/* "tcp", "udp", "icmp", "any"; "outbound", "inbound". */
const char *crs_proto_name(enum crs_proto p);
int crs_proto_parse(const char *s, enum crs_proto *out);
const char *crs_direction_name(enum crs_direction d);
int crs_direction_parse(const char *s, enum crs_direction *out);
/*
 * "*", "10.0.0.1", "10.0.0.0/8", "2001:db8::/32", "::ffff:10.0.0.1" ->
 * struct crs_net_addr (a mapped address becomes IPv4, a mapped prefix
 * /N becomes /N-96 and must be at least /96; a bare address is a /32 or
 * /128; host bits set is an error). Returns 0 or -EINVAL with *why (if
 * why) a static reason.
 */
int crs_net_addr_parse(const char *s, struct crs_net_addr *out, const char **why);
/* Canonical text ("*", "10.0.0.0/8", "10.0.0.1" for a /32, "::1" for a /128). */
const char *crs_net_addr_str(const struct crs_net_addr *a, char *buf, size_t len);

/* ------------------------------------------------------------ the kernel */

struct crs_nl;	/* opaque: one generic netlink socket bound to the family */

int crs_nl_open(struct crs_nl **out, struct crs_err *err);
void crs_nl_close(struct crs_nl *nl);

/* cgroup v2 directory -> id (name_to_handle_at). */
int crs_cgroup_id(const char *cgroup_path, uint64_t *id);

/* Compile and push a policy as cgroup's table, atomically. */
int crs_nl_set_table(struct crs_nl *nl, uint64_t cgroup_id,
		     const struct crs_policy *p, struct crs_err *err);
int crs_nl_del_table(struct crs_nl *nl, uint64_t cgroup_id, struct crs_err *err);
/* mode: enum crs_mode or CRS_MODE_POLICY; log: CRS_LOG_* or -1 to keep. */
int crs_nl_set_container(struct crs_nl *nl, uint64_t cgroup_id, int mode,
			 int64_t log, struct crs_err *err);

struct crs_rule_info {
	uint32_t index;
	char name[CRS_NAME_MAX + 1];
	enum crs_rule_type type;
	enum crs_action action;
	uint32_t flags;
	char program[CRS_PATTERN_MAX + 1];
	char path[CRS_PATTERN_MAX + 1];
	uint32_t access;
	uint64_t hits;
	char syscall[CRS_SYSCALL_NAME_MAX + 1];	/* syscall rules */
	uint32_t syscall_nr, syscall_nr32;
	struct crs_syscall_arg args[CRS_MAX_ARGS];
	size_t n_args;
	enum crs_direction direction;	/* network and listener rules */
	enum crs_proto protocol;
	struct crs_net_addr address;
	uint16_t port_min, port_max;
};

/* A learned set's header (CRS_A_LEARN); see docs/learning.md. */
struct crs_learn_info {
	enum crs_learn_state state;
	uint64_t epoch, generation;
	uint32_t records, max, bytes;	/* records: programs included */
	uint64_t dropped_full, dropped_long;
};

struct crs_table_info {
	uint64_t cgroup_id;
	uint64_t generation;
	char name[CRS_NAME_MAX + 1];
	enum crs_mode mode;		/* the table's (policy) mode */
	int container_mode;		/* enum crs_mode or CRS_MODE_POLICY */
	uint32_t container_log;
	enum crs_action defaults[CRS_RULE_TYPE_MAX + 1];
	uint32_t flags;
	uint32_t nrules;
	uint64_t allowed, denied, monitored, by_default;
	struct crs_rule_info *rules;	/* nrules entries, malloc'd */
	/* learning (ABI 4): the override, and the set when there is one */
	uint32_t container_learn;	/* CRS_LEARN_OFF, _ON or _POLICY */
	bool has_learn;
	struct crs_learn_info learn;
};

/* Dump every table (cgroup_id == 0) or one; *out is an array of *n tables. */
int crs_nl_get_tables(struct crs_nl *nl, uint64_t cgroup_id,
		      struct crs_table_info **out, size_t *n, struct crs_err *err);
void crs_table_info_free(struct crs_table_info *t, size_t n);

struct crs_probe_info {
	char symbol[64];
	uint64_t missed;
	bool ftrace;
};

/* A syscall probed now (CRS_A_STATUS_SYSCALL). */
struct crs_syscall_probe_info {
	char name[CRS_SYSCALL_NAME_MAX + 1];
	uint32_t refs;		/* tables naming it */
	uint32_t entries;	/* entry points probed (x86_64, ia32, ...) */
	uint64_t missed;
	bool ftrace;
};

struct crs_status {
	char version[64];
	uint32_t abi, tables, max_tables, max_rules, max_glob_rules, pattern_max;
	uint64_t hook_calls, policed, allowed, denied, monitored;
	uint64_t events_sent, events_dropped, events_no_listener, path_errors;
	uint64_t prog_cache_hits, prog_cache_misses;
	struct crs_probe_info probes[16];
	size_t n_probes;
	uint32_t syscall_probes, dispatch_probes;	/* probes registered now */
	uint64_t syscall_missed;
	/* the first probed syscalls the kernel listed, and how many it listed */
	struct crs_syscall_probe_info syscalls[64];
	size_t n_syscalls, n_syscalls_total;
	/* learning (ABI 4) */
	uint32_t learn_sets, learn_reserved, max_learn_total;
	uint64_t learn_dropped;
	/* learning hints: messages sent and lost, set entries passed on */
	uint64_t learn_hints_sent, learn_hints_dropped, learn_hinted;
};

int crs_nl_get_status(struct crs_nl *nl, struct crs_status *st, struct crs_err *err);

/* -------------------------------------------------------------- learning */

/*
 * Switch learning of a cgroup with a table: learn is CRS_LEARN_OFF, _ON or
 * _POLICY (follow the policy's "learning"); max (0: not given) sizes the set
 * if one is created (CRS_MIN_LEARN_RECORDS..CRS_MAX_LEARN_RECORDS).
 */
int crs_nl_set_learning(struct crs_nl *nl, uint64_t cgroup_id, uint32_t learn,
			uint32_t max, struct crs_err *err);
/* "on", "off", "policy" <-> CRS_LEARN_*. */
const char *crs_learn_name(uint32_t learn);
int crs_learn_parse(const char *s, uint32_t *out);
/* "off", "recording", "full", "idle". */
const char *crs_learn_state_name(enum crs_learn_state s);

/*
 * One observation of a learned set. Which fields mean something depends on
 * type (docs/learning.md section 1, "Key"):
 *   FILE, EXECUTE: program, path, access (EXECUTE: CRS_ACCESS_EXEC),
 *     pid_off (FILE);
 *   NETWORK: program (NULL for inbound: packets have no program), direction,
 *     protocol, family, addr (outbound/inbound: the peer), port (outbound:
 *     the peer's; inbound: the container's own), flags (inbound:
 *     CRS_OBS_F_AUTOPORT);
 *   LISTENER: program, protocol, family, addr and port (the local ones),
 *     flags;
 *   SYSCALL: program, syscall_nr in arch's numbering (X86_64 or IA32).
 */
struct crs_observation {
	uint32_t index;			/* position in the kernel's set */
	enum crs_rule_type type;
	char *program;			/* NULL: none (inbound) */
	char *path;			/* FILE, EXECUTE; else NULL */
	uint32_t access;		/* CRS_ACCESS_* */
	uint32_t outcome;		/* CRS_OBS_ALLOWED | CRS_OBS_DENIED */
	int32_t pid_off;		/* FILE: offset of the pid digits in path, or -1 */
	enum crs_direction direction;
	enum crs_proto protocol;
	int family;			/* AF_INET or AF_INET6 */
	uint8_t addr[16];		/* network order; 4 bytes for AF_INET */
	uint16_t port;
	uint32_t flags;			/* CRS_OBS_F_* */
	uint32_t syscall_nr;
	enum crs_arch arch;
};

/* A cgroup's learned set as dumped: the header and the observations. */
struct crs_learned {
	uint64_t cgroup_id;
	struct crs_learn_info info;
	struct crs_observation *obs;
	size_t n, cap;
};

/* Dump cgroup_id's set (restarting if it is replaced meanwhile); free with crs_learned_free. */
int crs_nl_get_learned(struct crs_nl *nl, uint64_t cgroup_id, struct crs_learned **out,
		       struct crs_err *err);
int crs_nl_del_learned(struct crs_nl *nl, uint64_t cgroup_id, struct crs_err *err);
void crs_learned_free(struct crs_learned *l);
/*
 * The profile document (docs/learning.md "crs-tool"): {"version": 1,
 * "cgroup_id", "epoch", "generation", "state", "max", "records", "dropped":
 * {"full", "long"}, "complete", "observations": [...]}. Each observation has
 * "type", "program" (null inbound) and "outcome", then its type's fields in
 * docs/policy.md's canonical forms: "path", "access", "pid_offset" (file,
 * only when set); "direction", "protocol", "address", "port", "auto_port"
 * (network, listener); "syscall" (name, or the number if unknown), "arch".
 * Caller frees; NULL on ENOMEM.
 */
char *crs_learned_to_json(const struct crs_learned *l, bool pretty);
/*
 * Parse a profile document (crs-tool learned --json, or crsd's profile,
 * whose extra keys are ignored). Errors name the field
 * ("observations[3].port: ...") and JSON syntax errors the line/column.
 */
int crs_learned_parse(const char *json, size_t len, struct crs_learned **out,
		      struct crs_err *err);
/* One observation's canonical key: equal keys = the same observation
 * (type, program and object; not access or outcome). Caller frees. */
char *crs_obs_key(const struct crs_observation *o);

/* ------------------------------------------------------------- templates */

/*
 * Turn a profile into a policy (docs/learning.md sections 4 and 5): a new
 * policy, or the merge policy plus appended "learned" rules. Existing rules
 * and their order are kept byte for byte.
 */
enum crs_template_defaults {
	CRS_TEMPLATE_DEFAULTS_AUTO,	/* deny for a new policy, keep on merge */
	CRS_TEMPLATE_DEFAULTS_DENY,	/* deny */
	CRS_TEMPLATE_DEFAULTS_KEEP,	/* the merge policy's (new: allow) */
};

struct crs_template_opts {
	const struct crs_policy *merge;	/* NULL: create a new policy */
	const char *name;		/* new policy; NULL: "learned" */
	int mode;			/* enum crs_mode, or -1: monitor (new) / unchanged (merge) */
	enum crs_template_defaults defaults;	/* all five types */
	/*
	 * Per type (enum crs_rule_type), over `defaults`: AUTO (0) takes
	 * `defaults`. Each observation is decided against its type's
	 * resulting default: a kept allow default makes it default_allowed,
	 * never an added rule.
	 */
	enum crs_template_defaults type_defaults[CRS_RULE_TYPE_MAX + 1];
	bool include_denied;		/* add observations that were only ever denied */
	bool exact;			/* no generalisation (G1-G5, I) */
	uint32_t collapse_after;	/* G4 threshold; 0: 16 */
	uint16_t ephemeral_lo, ephemeral_hi;	/* G3 range; 0,0: 32768-60999 */
};

struct crs_template {
	struct crs_policy *policy;	/* the result, valid (crs_policy_validate) */
	/*
	 * The report (docs/learning.md "The report"), as JSON text without
	 * the "policy", "created", "merged_into" and "profile" keys, which
	 * the caller adds: {"incomplete", "dropped", "added": [...],
	 * "covered", "default_allowed", "conflicts": [...], "denied_only":
	 * [...], "unrepresentable": [...], "generalisations_skipped": [...]}.
	 */
	char *report;
	size_t n_added, n_generalised, n_covered, n_default_allowed, n_conflicts;
	bool incomplete;		/* the profile dropped observations */
	uint64_t dropped;
};

/*
 * Build a template. Fails with -EINVAL (err names the option or the limit,
 * e.g. more than CRS_MAX_RULES rules) or -ENOMEM; an internal verification
 * failure (crs_template_verify) is -EPROTO. Free with crs_template_free.
 */
int crs_template_build(const struct crs_learned *profile,
		       const struct crs_template_opts *opts,
		       struct crs_template **out, struct crs_err *err);
void crs_template_free(struct crs_template *t);

/*
 * The kernel's precedence (docs/policy.md) in userspace: decide one
 * observation against a policy. Returns the deciding rule's index, or -1
 * when the type's default decided; *action gets the action.
 */
int crs_policy_match(const struct crs_policy *p, const struct crs_observation *o,
		     enum crs_action *action);
/* "allowed", "denied", "allowed,denied", "none". */
const char *crs_outcome_str(uint32_t outcome, char *buf, size_t len);

/* ---------------------------------------------------------------- events */

struct crs_event {
	uint64_t seq, time_ns, cgroup_id, table_cgroup_id;
	uint32_t pid, tid, uid;
	enum crs_rule_type type;
	uint32_t rule_index;		/* CRS_RULE_INDEX_NONE: default action */
	char rule_name[CRS_NAME_MAX + 1];
	char program[4096];
	char path[4096];
	uint32_t access;
	enum crs_action action;		/* what was done */
	enum crs_action verdict;	/* what the policy asked for */
	enum crs_mode mode;
	uint32_t flags;			/* CRS_EVENT_F_* */
	/* syscall events */
	char syscall[CRS_SYSCALL_NAME_MAX + 1];	/* "" if the kernel did not name it */
	uint32_t syscall_nr;		/* in the caller's ABI */
	enum crs_arch arch;
	uint64_t args[6];
	/* network and listener events */
	enum crs_direction direction;
	enum crs_proto protocol;
	/*
	 * family of both addresses: AF_INET when each address sent is IPv4
	 * (4 bytes, or 16 bytes IPv4-mapped), else AF_INET6 (an IPv4 end is
	 * then stored IPv4-mapped); without addresses CRS_A_EVENT_FAMILY as
	 * sent, 0 if none. has_local/has_remote: that address was sent.
	 */
	int family;
	bool has_local, has_remote;
	uint8_t local_addr[16], remote_addr[16];	/* 4 bytes used for AF_INET */
	uint16_t local_port, remote_port;
};

struct crs_events;	/* opaque: a socket subscribed to CRS_MCGRP_EVENTS (or _LEARN) */

int crs_events_open(struct crs_events **out, struct crs_err *err);
void crs_events_close(struct crs_events *ev);
int crs_events_fd(struct crs_events *ev);	/* for poll() */
/*
 * Is the subscription still live? 0 if so; -ENOENT when the module is gone,
 * -ESTALE when it was unloaded and loaded again (close, open again): an
 * unload silently ends a subscription. Long-lived readers call it while idle.
 */
int crs_events_check(struct crs_events *ev, struct crs_err *err);
/*
 * Receive pending events, calling cb for each; returns the number handled
 * or a negative errno (-EAGAIN when nonblocking and nothing is pending).
 * timeout_ms < 0 blocks; 0 does not wait.
 */
int crs_events_recv(struct crs_events *ev, int timeout_ms,
		    void (*cb)(const struct crs_event *e, void *arg), void *arg);
/*
 * Learning hints (CRS_MCGRP_LEARN, docs/learning.md section 3): the same
 * kind of socket as events, subscribed to "learn". Each hint is one
 * message: cgroup_id, the set's header as it was when sent, and the
 * observations recorded since the set's previous hint (possibly none: a set
 * that became full says so once). Hints are a fast copy; after -ENOBUFS
 * from crs_hints_recv() some were lost, and crs_nl_get_learned() has all.
 */
int crs_hints_open(struct crs_events **out, struct crs_err *err);
/*
 * Receive pending hints, calling cb with each (valid during the call only);
 * returns as crs_events_recv() does. crs_events_fd(), _check() and _close()
 * apply to the hint socket too.
 */
int crs_hints_recv(struct crs_events *ev, int timeout_ms,
		   void (*cb)(const struct crs_learned *hint, void *arg), void *arg);

/* One event as a JSON object (one line); caller frees. */
char *crs_event_to_json(const struct crs_event *e);
/* "2024-05-01T12:00:00.123456789Z" (UTC) into buf; returns buf. */
const char *crs_time_rfc3339(uint64_t time_ns, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* CRSNL_H */
