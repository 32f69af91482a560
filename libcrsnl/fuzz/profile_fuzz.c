// SPDX-License-Identifier: GPL-2.0
/*
 * profile_fuzz.c - libFuzzer target for the profile parser and templates of
 * libcrsnl (docs/learning.md sections 5 and 6).
 *
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz-build).
 * For every input: crs_learned_parse must return 0 or a negative errno with
 * a terminated message; when it accepts, the profile document must parse
 * again to the same keys and print the same bytes; every observation has a
 * key; and a template of it (options from the last byte) must build, or
 * fail with -EINVAL (a limit), never fail its verification (-EPROTO), and
 * allow every observation it was meant to add. Any violation aborts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crsnl_int.h"

static void fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "profile_fuzz: %s\n", what);
	if (a)
		fprintf(stderr, "--- first:\n%s\n", a);
	if (b)
		fprintf(stderr, "--- second:\n%s\n", b);
	abort();
}

static void check_template(const struct crs_learned *l, unsigned char knob)
{
	struct crs_template_opts o = { .mode = -1 };
	struct crs_template *t = NULL;
	struct crs_err err;
	enum crs_action a;
	size_t i;
	int ret;

	o.exact = knob & 1;
	o.include_denied = knob & 2;
	o.collapse_after = 1 + (knob >> 2 & 3);
	memset(&err, 0, sizeof(err));
	ret = crs_template_build(l, &o, &t, &err);
	if (ret == -EPROTO)
		fail("template verification failed", err.msg, NULL);
	if (ret) {
		if (ret != -EINVAL && ret != -ENOMEM)
			fail("template build returned an odd value", err.msg, NULL);
		if (t)
			fail("template failed but returned one", NULL, NULL);
		return;
	}
	if (!t || !t->policy || !t->report || crs_policy_validate(t->policy, &err))
		fail("template is not a valid policy", err.msg, NULL);
	/* a new policy denies by default: everything added must be allowed now */
	for (i = 0; i < l->n; i++) {
		const struct crs_observation *ob = &l->obs[i];

		if (!(ob->outcome & CRS_OBS_ALLOWED) && !o.include_denied)
			continue;
		if (crs_policy_match(t->policy, ob, &a) < -1)
			fail("crs_policy_match failed", NULL, NULL);
		/* only unrepresentable observations may stay denied */
		if (a == CRS_ACTION_ALLOW || crs_obs_unrepresentable(ob))
			continue;
		fail("an observation the template should allow is denied", t->report, NULL);
	}
	crs_template_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crs_learned *l = NULL, *m = NULL;
	struct crs_err err;
	bool pretty = size && (data[size - 1] & 1);
	char *j1, *j2;
	size_t i;
	int ret;

	memset(&err, 0, sizeof(err));
	ret = crs_learned_parse((const char *)data, size, &l, &err);
	if (ret) {
		if (ret > 0 || ret < -4095)
			fail("parse returned an odd value", NULL, NULL);
		if (l)
			fail("parse failed but returned a profile", NULL, NULL);
		if (!memchr(err.msg, '\0', sizeof(err.msg)))
			fail("error message not terminated", NULL, NULL);
		return 0;
	}
	if (!l)
		fail("parse succeeded without a profile", NULL, NULL);
	j1 = crs_learned_to_json(l, pretty);
	if (!j1)
		fail("to_json failed", NULL, NULL);
	ret = crs_learned_parse(j1, strlen(j1), &m, &err);
	if (ret)
		fail("the document of an accepted profile does not parse", j1, err.msg);
	if (m->n != l->n)
		fail("the document parses to another number of observations", j1, NULL);
	for (i = 0; i < l->n; i++) {
		char *k1 = crs_obs_key(&l->obs[i]), *k2 = crs_obs_key(&m->obs[i]);

		if (!k1 || !k2 || strcmp(k1, k2))
			fail("an observation's key changed through the document", k1, k2);
		free(k1);
		free(k2);
	}
	j2 = crs_learned_to_json(m, pretty);
	if (!j2 || strcmp(j1, j2))
		fail("the profile document is not a fixpoint", j1, j2);
	free(j1);
	free(j2);
	crs_learned_free(m);
	check_template(l, size ? data[size - 1] : 0);
	crs_learned_free(l);
	return 0;
}
