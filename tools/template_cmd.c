// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * crs-tool template: a policy from a learned profile, offline
 * (docs/learning.md sections 4 to 6).
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>
#include "crs-tool.h"

const char template_help[] =
	"Usage: crs-tool template [--merge POLICY.json] [--name NAME] [--mode MODE]\n"
	"                         [--defaults keep|deny|TYPE=keep|deny,...]\n"
	"                         [--collapse-after N]\n"
	"                         [--ephemeral-ports LO-HI] [--exact] [--include-denied]\n"
	"                         [--force] [--report FILE] PROFILE.json|-\n"
	"\n"
	"Make a policy from a profile ('crs-tool learned --json', or crsd's): every\n"
	"observation the target denies by default becomes an allow rule, widened only\n"
	"by the generalisations of docs/learning.md (per-pid /proc paths, temporary\n"
	"names, kernel-chosen ports, more than N siblings, shared libraries, ignored\n"
	"syscalls of an allowlist). The target is a new policy (defaults deny, mode\n"
	"monitor, name \"learned\") or, with --merge, that policy: its rules stay as\n"
	"they are and new ones are appended, named \"learned\". An observation an\n"
	"existing deny rule decides is a conflict and is not added.\n"
	"\n"
	"Prints the policy on standard output and a summary on standard error;\n"
	"--report writes the full report (JSON). Exit status: 0; 1 when the profile\n"
	"dropped observations and the policy would enforce without --force, or when\n"
	"the template fails its own verification; 2 usage; 3 an invalid profile or\n"
	"merge policy (the message names the field), or a result past crs.ko's limits.\n"
	"\n"
	"  --defaults deny|keep   deny: all five defaults deny; keep: the merge\n"
	"                         policy's (new: allow). Default: deny when new, keep\n"
	"                         on --merge. Per type: TYPE=deny|keep, comma-separated\n"
	"                         (file=deny,network=keep); types not named as above.\n"
	"                         A kept allow default adds no rules for its type\n"
	"  --collapse-after N     siblings before a directory collapses (default 16)\n"
	"  --ephemeral-ports LO-HI   the range for kernel-chosen ports (32768-60999)\n"
	"  --exact                no generalisation at all\n"
	"  --include-denied       also add what was only ever denied\n";

enum { OPT_MERGE = 256, OPT_NAME, OPT_MODE, OPT_DEFAULTS, OPT_COLLAPSE, OPT_EPHEMERAL,
       OPT_EXACT, OPT_DENIED, OPT_FORCE, OPT_REPORT };

/* keep, deny, or TYPE=keep|deny[,TYPE=keep|deny...] into o; -EINVAL. */
static int parse_defaults(const char *arg, struct crs_template_opts *o)
{
	enum crs_template_defaults types[CRS_RULE_TYPE_MAX + 1] = { 0 };
	char *s, *tok, *save = NULL, *eq;
	enum crs_rule_type ty;
	int e = 0, n = 0;

	if (!strcmp(arg, "deny") || !strcmp(arg, "keep")) {
		o->defaults = !strcmp(arg, "deny") ? CRS_TEMPLATE_DEFAULTS_DENY
						   : CRS_TEMPLATE_DEFAULTS_KEEP;
		return 0;
	}
	s = strdup(arg);
	if (!s)
		return -ENOMEM;
	for (tok = strtok_r(s, ",", &save); !e && tok; tok = strtok_r(NULL, ",", &save)) {
		eq = strchr(tok, '=');
		if (!eq) {
			e = -EINVAL;
			break;
		}
		*eq++ = '\0';
		n++;
		if (crs_rule_type_parse(tok, &ty) || (strcmp(eq, "deny") && strcmp(eq, "keep")))
			e = -EINVAL;
		else
			types[ty] = !strcmp(eq, "deny") ? CRS_TEMPLATE_DEFAULTS_DENY
							: CRS_TEMPLATE_DEFAULTS_KEEP;
	}
	free(s);
	if (!n)
		e = -EINVAL;	/* nothing given */
	if (!e)
		memcpy(o->type_defaults, types, sizeof(types));
	return e;
}

/* The whole of a file ("-": stdin); NULL with errno. */
static char *slurp(const char *arg, size_t *len)
{
	FILE *f = strcmp(arg, "-") ? fopen(arg, "re") : stdin;
	size_t cap = 0, n;
	char *buf = NULL, *nb;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (cap - *len < 4096) {
			cap = cap ? 2 * cap : 65536;
			if (cap > (512u << 20)) {
				errno = EFBIG;
				break;
			}
			nb = realloc(buf, cap);
			if (!nb)
				break;
			buf = nb;
		}
		n = fread(buf + *len, 1, cap - *len - 1, f);
		*len += n;
		if (!n) {
			if (ferror(f))
				errno = EIO;
			else {
				if (f != stdin)
					fclose(f);
				buf[*len] = '\0';
				return buf;
			}
			break;
		}
	}
	if (f != stdin)
		fclose(f);
	free(buf);
	return NULL;
}

static int parse_u32(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	if (!s[0] || s[0] == '-')
		return -1;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

static struct json_object *parse_json_text(const char *s)
{
	return s ? json_tokener_parse(s) : NULL;
}

/* crsd's report: the policy, where it came from, then the library's report. */
static int write_report(const char *path, const struct crs_template *t, const char *merged,
			size_t n_obs)
{
	struct json_object *root = json_object_new_object(), *lib, *prof, *pol;
	char *ptext = crs_policy_to_json(t->policy, false);
	const char *text;
	FILE *f;
	int r = EXIT_FAILED;

	lib = parse_json_text(t->report);
	pol = parse_json_text(ptext);
	free(ptext);
	prof = json_object_new_object();
	if (!root || !lib || !pol || !prof) {
		errorf("out of memory writing the report");
		goto out;
	}
	json_object_object_add(root, "policy", pol);
	pol = NULL;
	json_object_object_add(root, "created", json_object_new_boolean(!merged));
	json_object_object_add(root, "merged_into", merged ? json_object_new_string(merged) : NULL);
	json_object_object_foreach(lib, k, v) {
		if (!strcmp(k, "added"))	/* "profile" goes before "added", as crsd writes it */
			json_object_object_add(root, "profile", json_object_get(prof));
		json_object_object_add(root, k, json_object_get(v));
	}
	json_object_object_add(prof, "scope", json_object_new_string("file"));
	json_object_object_add(prof, "observations", json_object_new_uint64(n_obs));
	json_object_object_add(prof, "synced", json_object_new_boolean(1));
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED |
					      JSON_C_TO_STRING_NOSLASHESCAPE);
	f = fopen(path, "we");
	if (!f) {
		errorf("cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	fputs(text, f);
	fputc('\n', f);
	if (fclose(f)) {
		errorf("cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	r = EXIT_OK;
out:
	json_object_put(root);
	json_object_put(lib);
	json_object_put(prof);
	json_object_put(pol);
	return r;
}

int template_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "merge", required_argument, NULL, OPT_MERGE },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "defaults", required_argument, NULL, OPT_DEFAULTS },
		{ "collapse-after", required_argument, NULL, OPT_COLLAPSE },
		{ "ephemeral-ports", required_argument, NULL, OPT_EPHEMERAL },
		{ "exact", no_argument, NULL, OPT_EXACT },
		{ "include-denied", no_argument, NULL, OPT_DENIED },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ NULL, 0, NULL, 0 },
	};
	struct crs_template_opts to = { .mode = -1 };
	const char *merge_path = NULL, *report = NULL, *what;
	struct crs_learned *prof = NULL;
	struct crs_policy *merge = NULL;
	struct crs_template *t = NULL;
	struct crs_err err;
	bool force = false;
	unsigned long lo, hi, n;
	char *text = NULL, *out = NULL, *dash;
	size_t len;
	int c, r, mode;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			return print_help("template");
		case OPT_MERGE:
			merge_path = optarg;
			break;
		case OPT_NAME:
			to.name = optarg;
			break;
		case OPT_MODE:
			if (crs_mode_parse(optarg, (enum crs_mode *)&mode) || mode == CRS_MODE_POLICY)
				return usage_error("template", "--mode: \"%s\": must be enforce, "
						   "monitor or disabled", optarg);
			to.mode = mode;
			break;
		case OPT_DEFAULTS:
			if (parse_defaults(optarg, &to))
				return usage_error("template", "--defaults: \"%s\": must be keep, deny "
						   "or TYPE=keep|deny,...", optarg);
			break;
		case OPT_COLLAPSE:
			if (parse_u32(optarg, UINT32_MAX, &n) || !n)
				return usage_error("template", "--collapse-after: \"%s\": must be a "
						   "number from 1", optarg);
			to.collapse_after = (uint32_t)n;
			break;
		case OPT_EPHEMERAL:
			dash = strchr(optarg, '-');
			if (dash)
				*dash = '\0';
			if (!dash || parse_u32(optarg, 65535, &lo) || parse_u32(dash + 1, 65535, &hi) ||
			    lo > hi || !hi) {
				if (dash)
					*dash = '-';
				return usage_error("template", "--ephemeral-ports: \"%s\": must be "
						   "LO-HI, 1 to 65535, LO <= HI", optarg);
			}
			*dash = '-';
			to.ephemeral_lo = (uint16_t)lo;
			to.ephemeral_hi = (uint16_t)hi;
			break;
		case OPT_EXACT:
			to.exact = true;
			break;
		case OPT_DENIED:
			to.include_denied = true;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_REPORT:
			report = optarg;
			break;
		case ':':
			return usage_error("template", "%s needs a value", argv[optind - 1]);
		default:
			return usage_error("template", "unknown option %s", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return usage_error("template", argc - optind ? "one profile, please"
							     : "no profile given (a file, or - for stdin)");
	if (merge_path && to.name)
		return usage_error("template", "--name is for a new policy; a merge keeps its name");
	what = strcmp(argv[optind], "-") ? argv[optind] : "(stdin)";

	text = slurp(argv[optind], &len);
	if (!text) {
		errorf("cannot read %s: %s", what, strerror(errno));
		return EXIT_FAILED;
	}
	r = crs_learned_parse(text, len, &prof, &err);
	free(text);
	if (r) {
		errorf("%s: %s", what, err.msg);
		return r == -ENOMEM ? EXIT_FAILED : EXIT_POLICY;
	}
	if (merge_path) {
		r = crs_policy_parse_file(strcmp(merge_path, "-") ? merge_path : "/dev/stdin",
					  &merge, &err);
		if (r) {
			errorf("%s: %s", merge_path, err.msg);
			r = r == -EINVAL || r == -E2BIG || r == -EFBIG ? EXIT_POLICY : EXIT_FAILED;
			goto out;
		}
		to.merge = merge;
	}
	r = crs_template_build(prof, &to, &t, &err);
	if (r) {
		errorf("template: %s", err.msg);
		r = r == -EINVAL ? EXIT_POLICY : EXIT_FAILED;
		goto out;
	}
	fprintf(stderr, "template: %zu rule%s added (%zu generalised), %zu covered, %zu "
		"conflict%s; profile %s", t->n_added, t->n_added == 1 ? "" : "s",
		t->n_generalised, t->n_covered, t->n_conflicts, t->n_conflicts == 1 ? "" : "s",
		t->incomplete ? "incomplete" : "complete");
	if (t->incomplete)
		fprintf(stderr, " (%llu dropped)", (unsigned long long)t->dropped);
	fputc('\n', stderr);
	if (t->incomplete && t->policy->mode == CRS_MODE_ENFORCE && !force) {
		errorf("the profile dropped %llu observations: the policy may miss what the "
		       "workload needs; add --force to make it enforce anyway, or use --mode monitor",
		       (unsigned long long)t->dropped);
		r = EXIT_FAILED;
		goto out;
	}
	if (report) {
		r = write_report(report, t, merge ? merge->name : NULL, prof->n);
		if (r != EXIT_OK)
			goto out;
	}
	out = crs_policy_to_json(t->policy, true);
	if (!out) {
		errorf("out of memory");
		r = EXIT_FAILED;
		goto out;
	}
	fputs(out, stdout);
	fputc('\n', stdout);
	r = fflush(stdout) ? EXIT_FAILED : EXIT_OK;
out:
	free(out);
	crs_template_free(t);
	crs_policy_free(merge);
	crs_learned_free(prof);
	return r;
}
