// SPDX-License-Identifier: GPL-2.0
/*
 * policy_fuzz.c - libFuzzer target for the policy parser of libcrsnl.
 *
 * Built with clang -fsanitize=fuzzer,address,undefined (make fuzz-build).
 * For every input: crs_policy_parse must return 0 or a negative errno with
 * a message; when it accepts, the canonical JSON (pretty or compact) must
 * parse again to an equal policy whose canonical JSON is the same bytes.
 * Any violation aborts (a crash for libFuzzer); ASan and UBSan report
 * memory errors, leaks and undefined behaviour.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crsnl.h"

static void fail(const char *what, const char *a, const char *b)
{
	fprintf(stderr, "policy_fuzz: %s\n", what);
	if (a)
		fprintf(stderr, "--- first:\n%s\n", a);
	if (b)
		fprintf(stderr, "--- second:\n%s\n", b);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct crs_policy *p = NULL, *q = NULL;
	struct crs_err err;
	char *j1, *j2;
	bool pretty = size && (data[size - 1] & 1);
	int ret;

	memset(&err, 0, sizeof(err));
	ret = crs_policy_parse((const char *)data, size, &p, &err);
	if (ret) {
		if (ret > 0 || ret < -4095)
			fail("parse returned an odd value", NULL, NULL);
		if (p)
			fail("parse failed but returned a policy", NULL, NULL);
		if (!memchr(err.msg, '\0', sizeof(err.msg)))
			fail("error message not terminated", NULL, NULL);
		return 0;
	}
	if (!p)
		fail("parse succeeded without a policy", NULL, NULL);
	j1 = crs_policy_to_json(p, pretty);
	if (!j1)
		fail("to_json failed", NULL, NULL);
	memset(&err, 0, sizeof(err));
	ret = crs_policy_parse(j1, strlen(j1), &q, &err);
	if (ret) {
		fprintf(stderr, "policy_fuzz: reparse: %s (line %d column %d)\n", err.msg,
			err.line, err.column);
		fail("the canonical JSON of an accepted policy does not parse", j1, NULL);
	}
	if (!crs_policy_equal(p, q))
		fail("the canonical JSON parses to a different policy", j1, NULL);
	j2 = crs_policy_to_json(q, pretty);
	if (!j2 || strcmp(j1, j2))
		fail("canonical JSON is not a fixpoint", j1, j2);
	free(j1);
	free(j2);
	crs_policy_free(p);
	crs_policy_free(q);
	return 0;
}
