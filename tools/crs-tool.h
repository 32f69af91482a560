/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crs-tool: shared declarations of the subcommands and their helpers.
 */
#ifndef CRS_TOOL_H
#define CRS_TOOL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "crsnl.h"

/* Exit codes: scripts rely on these (docs/crs-tool.md). */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,	/* the operation failed: the kernel said no, I/O ... */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_POLICY = 3,	/* the policy file is invalid */
	EXIT_NOMODULE = 4,	/* crs.ko is not loaded */
};

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;	/* one line for "crs-tool help" */
	const char *help;	/* full text for "crs-tool CMD --help" */
};

extern const struct command commands[];

int load_main(int argc, char **argv);
int unload_main(int argc, char **argv);
int check_main(int argc, char **argv);
int show_main(int argc, char **argv);
int status_main(int argc, char **argv);
int mode_main(int argc, char **argv);
int log_main(int argc, char **argv);
int events_main(int argc, char **argv);
int help_main(int argc, char **argv);
int learn_main(int argc, char **argv);
int learned_main(int argc, char **argv);
int template_main(int argc, char **argv);	/* template_cmd.c */

extern const char load_help[], unload_help[], check_help[], show_help[],
	status_help[], mode_help[], log_help[], events_help[], help_help[],
	learn_help[], learned_help[], template_help[];

/* "on (policy), recording, R of M records, D dropped" and a newline (learn.c). */
void print_learning(uint32_t override, bool policy_flag, const struct crs_learn_info *li,
		    bool has_set);

/* "crs-tool: ..." on stderr. */
void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints the error and a hint, returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints cmd's full help on stdout, returns EXIT_OK. */
int print_help(const char *cmd);

/*
 * Parses the options every command shares. Returns -1 to go on, or an exit
 * code. Positional arguments are left in argv[*first .. argc).
 */
struct common_opts {
	bool json;
	bool want_cgroup;	/* accepts --cgroup / --cgroup-id */
	const char *cgroup_path;
	const char *cgroup_id_str;
	bool want_events;	/* accepts --count / --timeout */
	long long count;
	double timeout;
};
int parse_options(const char *cmd, int argc, char **argv, struct common_opts *o, int *first);

/*
 * Following (events, learned --follow): follow_start() catches SIGINT and
 * SIGTERM and starts --timeout's clock; follow_wait_ms() is how long the next
 * receive may wait (-1: no limit), or FOLLOW_DONE once either happened.
 */
#define FOLLOW_DONE (-2)
void follow_start(const struct common_opts *o);
int follow_wait_ms(void);

/* --cgroup PATH or --cgroup-id ID -> id; an exit code on failure. */
int resolve_cgroup(const char *cmd, const struct common_opts *o, uint64_t *id);

/* Open the control socket; an exit code on failure (EXIT_NOMODULE ...). */
int open_kernel(struct crs_nl **nl);
/* Report a failed kernel operation, returning EXIT_FAILED. */
int kernel_failed(const struct crs_err *err);

/* Printable form of s for one-line human output (escapes controls). */
const char *printable(const char *s, char *buf, size_t len);

struct json_object;
/* Print o (pretty) on stdout and drop the reference; EXIT_OK or EXIT_FAILED. */
int print_json(struct json_object *o);

/* A rule as show and check print it (print.c). */
struct rule_view {
	uint32_t index;
	const char *name;	/* NULL or "" for none */
	enum crs_rule_type type;
	enum crs_action action;
	bool enabled;
	const char *program, *path;
	uint32_t access;
	const uint64_t *hits;	/* NULL: not known (check) */
	bool show_kinds;	/* print the pattern kinds (check) */
	/* syscall rules */
	const char *syscall;
	uint32_t nr, nr32;	/* CRS_SYSCALL_NONE where the ABI has none */
	const struct crs_syscall_arg *args;
	size_t n_args;
	/* network and listener rules */
	enum crs_direction direction;	/* network rules */
	enum crs_proto protocol;
	const struct crs_net_addr *address;
	uint16_t port_min, port_max;
};
void print_rule_line(const struct rule_view *r);
/* "arg0 eq 16" (masks in hex) on stdout. */
void print_arg(const struct crs_syscall_arg *a);
/* "443", "1000-2000", "*" (0-65535): ports as policies write them. */
const char *port_range_str(uint16_t lo, uint16_t hi, char *buf, size_t len);
struct json_object *rule_view_json(const struct rule_view *r);
struct json_object *defaults_json(const enum crs_action *defaults);
void print_defaults(const enum crs_action *defaults);

#endif /* CRS_TOOL_H */
