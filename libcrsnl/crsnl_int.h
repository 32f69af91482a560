/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcrsnl internals shared between its source files and its unit tests.
 * Not installed, not part of the API.
 */
#ifndef CRSNL_INT_H
#define CRSNL_INT_H

#include <stdarg.h>
#include <linux/netlink.h>
#include <netlink/msg.h>
#include "crsnl.h"

#define CRS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Largest policy text crs_policy_parse_file() reads. */
#define CRS_POLICY_FILE_MAX	(256u << 20)
/* ignored_syscalls: at most this many names, each at most this long. */
#define CRS_SYSCALLS_MAX	1024
#define CRS_SYSCALL_NAME_MAX	63

/* err.c */
void crs_err_reset(struct crs_err *err);
int crs_err_set(struct crs_err *err, int error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append a printable rendering of s[0..len) to buf (quoted if quote). */
void crs_str_render(char *buf, size_t size, const char *s, size_t len,
		    size_t max, bool quote);
/* libnl's NLE_* code -> errno. */
int crs_errno_from_nle(int nle);

/* Field paths in error messages: name, rules[3].access[1]. */
#define CRS_FIELD_PATH_MAX	256
void crs_path_push_key(char *path, size_t size, const char *key, size_t len);
void crs_path_push_index(char *path, size_t size, size_t idx);

/* names.c: network addresses */
size_t crs_net_addr_len(int family);	/* 4, 16, or 0 for family 0 and unknown ones */
/*
 * A struct crs_net_addr built in memory: a known family, its prefix range,
 * host bits zero, no IPv4-mapped AF_INET6 address. 0 or -EINVAL with *why;
 * when only host bits are set, *masked (if given) is a with them cleared,
 * else masked->family is 0.
 */
int crs_net_addr_check(const struct crs_net_addr *a, const char **why,
		       struct crs_net_addr *masked);
/*
 * crs_net_addr_parse(), and when it fails only because host bits are set,
 * *masked (if given) is the address with them cleared (for "did you mean").
 * Otherwise masked->family is 0.
 */
int crs_net_addr_parse_masked(const char *s, struct crs_net_addr *out, const char **why,
			      struct crs_net_addr *masked);

/* policy_json.c */
struct json_object;
/* Strict JSON text -> json-c object (NULL for "null"); see the file. */
int crs_json_tokenize(const char *json, size_t len, struct json_object **out,
		      struct crs_err *err);
struct json_object *crs_policy_to_json_object(const struct crs_policy *p);
/* o[k] = v, taking v: -ENOMEM (v freed) if v is NULL or the add fails. */
int crs_json_add(struct json_object *o, const char *k, struct json_object *v);
/* A port range as policies write it: 443, "1000-2000", "*" (0-65535). */
struct json_object *crs_port_json(uint16_t lo, uint16_t hi);
/* json-c object -> malloc'd text, '/' not escaped. */
char *crs_json_string(struct json_object *o, bool pretty);

/* nl.c: a generic netlink socket with the crs (or another) family resolved. */
struct nl_sock;
int crs_genl_open(struct nl_sock **sk, int *family, struct crs_err *err);
int crs_genl_open_name(struct nl_sock **sk, const char *name, int *family,
		       struct crs_err *err);
int crs_nl_open_family(struct crs_nl **out, const char *name, struct crs_err *err);
int crs_nl_fd(struct crs_nl *nl);
int crs_events_open_group(struct crs_events **out, const char *family,
			  const char *group, struct crs_err *err);
/* One request/reply exchange; msg is freed. See nl.c. */
int crs_nl_transact(struct crs_nl *nl, struct nl_msg *msg, const char *what,
		    int (*parse)(const struct nlmsghdr *nlh, void *arg), void *arg,
		    bool *intr, struct crs_err *err);

/* nl_msg.c: message building and parsing, independent of any socket. */
size_t crs_table_msg_size(const struct crs_policy *p);
struct nl_msg *crs_table_msg_build(int family, uint64_t cgroup_id,
				   const struct crs_policy *p, int *error);

/* Accumulates GET_TABLE replies; see crs_table_msg_parse(). */
struct crs_table_acc {
	struct crs_table_info *tables;
	size_t n, cap;
	size_t *rules_cap;	/* per table */
	uint32_t *nrules_attr;	/* CRS_A_TABLE_NRULES as announced */
	bool inconsistent;	/* same cgroup seen with another generation */
};
int crs_table_msg_parse(const struct nlmsghdr *nlh, struct crs_table_acc *acc);
void crs_table_acc_free(struct crs_table_acc *acc);

int crs_status_msg_parse(const struct nlmsghdr *nlh, struct crs_status *st);
/*
 * One GET_LEARNED message into l: the header (from every message; the first
 * one's generation is kept) and its observations appended. *epoch is set
 * from the header, for the caller's consistency check.
 */
int crs_learned_msg_parse(const struct nlmsghdr *nlh, struct crs_learned *l, uint64_t *epoch);
int crs_learn_info_parse(const struct nlattr *nest, struct crs_learn_info *li);
int crs_event_msg_parse(const struct nlmsghdr *nlh, struct crs_event *e);
/* The generic netlink command of a message, -1 if it is too short to have one. */
int crs_genl_cmd(const struct nlmsghdr *nlh);

/*
 * Extended ack of an NLMSG_ERROR or NLMSG_DONE message: fills err (kernel
 * text verbatim, offset, rule via req when given) and returns the message's
 * error code (negative errno, 0 for a plain ack, -EBADMSG if malformed).
 */
int crs_ack_parse(const struct nlmsghdr *nlh, const struct nlmsghdr *req,
		  struct crs_err *err);
/* The CRS_A_RULE_INDEX of the rule nest of req containing offset, or -1. */
int crs_rule_at_offset(const struct nlmsghdr *req, uint32_t offset);

/* learned.c: one observation of the profile document; NULL on ENOMEM. */
struct json_object *crs_obs_json(const struct crs_observation *o);
/* policy.c */
void crs_rule_free_strings(struct crs_policy_rule *r);
/* Equal as in crs_policy_equal() (the address by its family's bytes). */
bool crs_rule_equal(const struct crs_policy_rule *x, const struct crs_policy_rule *y);
/* policy_json.c: one rule as in a policy document; NULL on ENOMEM. */
struct json_object *crs_rule_json(const struct crs_policy_rule *r);

/* match.c: patterns compiled as crs.ko compiles them (kmod/pattern_core.h). */
struct crs_pat {
	const char *str;	/* the pattern; must outlive this */
	int kind;		/* enum crs_pattern_kind */
	size_t len;		/* bytes compared (subtree: the prefix) */
	size_t weight;		/* exact, subtree: len; glob: literal bytes */
	bool tail_any;		/* glob ending in a slash and two stars */
};
int crs_pat_compile(const char *s, struct crs_pat *p);	/* 0 or -EINVAL */
bool crs_pat_match(const struct crs_pat *p, const char *s, size_t len);

/* generalize.c, template.c (docs/learning.md section 5) */
enum { CRS_GEN_EXACT, CRS_GEN_G1, CRS_GEN_G2, CRS_GEN_G3, CRS_GEN_G4, CRS_GEN_G5, CRS_GEN_I };
const char *crs_gen_name(int gen);	/* NULL for exact, "G1".."G5", "I" */
/*
 * G1 and G2 of a path (pid_off: G2's PID_OFF, -1 none); *did gets
 * 1 << CRS_GEN_G1 and/or 1 << CRS_GEN_G2 for the rewrites that changed it.
 * Caller frees; NULL on ENOMEM.
 */
char *crs_gen_path(const char *path, int32_t pid_off, unsigned int *did);
/* G5: "DIR/NAME.so*" or "/etc/ld.so.cache" for a library path, else NULL. */
char *crs_gen_lib(const char *path);
/* Why an observation gets no rule (section 5's "unrepresentable"), or NULL. */
const char *crs_obs_unrepresentable(const struct crs_observation *o);
/* Its exact rule for one access bit (0 for types without access bits). */
int crs_obs_exact_rule(const struct crs_observation *o, uint32_t bit,
		       struct crs_policy_rule *r);
int crs_rule_copy(struct crs_policy_rule *dst, const struct crs_policy_rule *src);
bool crs_rule_same(const struct crs_policy_rule *a, const struct crs_policy_rule *b);
/* How each added rule was made: its index, rewrite and (observation, bit) sources. */
struct crs_tsrc {
	uint32_t obs;		/* index into the profile's obs[] */
	uint32_t bit;		/* CRS_ACCESS_* decided, 0 for types without */
};
struct crs_tmeta {
	size_t index;		/* in the template's policy */
	int gen;		/* CRS_GEN_* */
	struct crs_tsrc *src;
	size_t n_src;
};
struct crs_tmeta *crs_template_meta(struct crs_template *t, size_t *n);
/*
 * Re-derive every added rule from its sources and its rewrite's
 * preconditions; existing rules byte-identical, defaults only moved to deny,
 * the mode as asked. 0 or -EPROTO with err naming the rule.
 */
int crs_template_verify(const struct crs_learned *prof, const struct crs_template_opts *opts,
			const struct crs_template *t, struct crs_err *err);

#endif /* CRSNL_INT_H */
