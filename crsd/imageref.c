// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * OCI image references: the grammar of the OCI distribution spec
 * (crsd_image_check) and docker's normalization (crsd_image_normalize): no
 * registry -> docker.io, a single docker.io component -> library/NAME,
 * index.docker.io -> docker.io, no tag and no digest -> :latest.
 * Shared by crsd (api_images.c) and crsd-hook, which links this file so
 * that the image it looks up in the instrumented-images file is spelled as
 * crsd wrote it. Needs only libc.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "crsd.h"

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool alnum(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* path-component := [a-z0-9]+ ( ("." | "_" | "__" | "-"+) [a-z0-9]+ )* */
static bool path_component(const char *s, size_t n)
{
	size_t i = 0;

	if (!n || !lower_alnum(s[0]) || !lower_alnum(s[n - 1]))
		return false;
	while (i < n) {
		if (lower_alnum(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		if (i >= n || !lower_alnum(s[i]))
			return false;
	}
	return true;
}

/* domain := label ("." label)* [":" port]; label := alnum ([alnum-]* alnum)? */
static bool domain(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t hn = colon ? (size_t)(colon - s) : n, i, start = 0;

	if (colon) {
		size_t pn = n - hn - 1;

		if (!pn || pn > 5)
			return false;
		for (i = hn + 1; i < n; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
	}
	if (!hn)
		return false;
	for (i = 0; i <= hn; i++) {
		if (i == hn || s[i] == '.') {
			size_t ln = i - start;

			if (!ln || !alnum(s[start]) || !alnum(s[i - 1]))
				return false;
			start = i + 1;
		} else if (!alnum(s[i]) && s[i] != '-') {
			return false;
		}
	}
	return true;
}

const char *crsd_image_check(const char *s)
{
	size_t n = strlen(s), i, nl;
	const char *at, *slash, *colon, *c, *comp;

	if (!n)
		return "empty image reference";
	if (n > CRSD_IMAGE_MAX)
		return "image reference too long (at most 255 characters)";
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] >= 0x7f)
			return "image reference contains a space, control or non-ASCII character";
	if (strstr(s, ".."))
		return "image reference contains \"..\"";
	at = strchr(s, '@');
	if (at) {
		const char *hex = strchr(at + 1, ':');
		size_t an, hn;

		if (!hex || strchr(at + 1, '@'))
			return "digest: expected ALGORITHM:HEX";
		an = hex - (at + 1);
		hex++;
		hn = strlen(hex);
		if (!an)
			return "digest: expected ALGORITHM:HEX";
		for (c = at + 1; c < hex - 1; c++)
			if (!lower_alnum(*c) && !strchr("+._-", *c))
				return "digest: bad algorithm";
		for (c = hex; *c; c++)
			if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
				return "digest: expected lowercase hex";
		if (an == 6 && !strncmp(at + 1, "sha256", 6) ? hn != 64 : hn < 32)
			return "digest: wrong length";
		nl = at - s;
	} else {
		nl = n;
	}
	/* A tag is after the last ':' that follows the last '/'. */
	slash = memrchr(s, '/', nl);
	colon = memrchr(slash ? slash : s, ':', nl - (slash ? slash - s : 0));
	if (colon) {
		size_t tn = nl - (colon - s) - 1;

		if (!tn || tn > 128 || !(alnum(colon[1]) || colon[1] == '_'))
			return "tag: expected [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
		for (c = colon + 1; c < s + nl; c++)
			if (!alnum(*c) && !strchr("_.-", *c))
				return "tag: expected [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
		nl = colon - s;
	}
	if (!nl)
		return "image name is empty";
	comp = s;
	slash = memchr(s, '/', nl);
	if (slash) {
		size_t fn = slash - s;

		/* The first component is a registry if it looks like a host. */
		if (memchr(s, '.', fn) || memchr(s, ':', fn) ||
		    (fn == 9 && !strncmp(s, "localhost", 9))) {
			if (!domain(s, fn))
				return "registry: expected HOST[:PORT]";
			comp = slash + 1;
		}
	}
	while (comp <= s + nl) {
		const char *end = memchr(comp, '/', s + nl - comp);
		size_t cn = (end ? end : s + nl) - comp;

		if (!path_component(comp, cn))
			return "image name: components are [a-z0-9] separated by "
			       "'.', '_', '__' or '-'";
		if (!end)
			break;
		comp = end + 1;
	}
	return NULL;
}

const char *crsd_image_normalize(const char *s, char *out, size_t len)
{
	const char *why = crsd_image_check(s), *slash = strchr(s, '/'), *rest = s;
	const char *last = strrchr(s, '/');
	char domain[CRSD_IMAGE_MAX + 1] = "docker.io";
	bool tagged, library;
	int n;

	if (why)
		return why;
	if (slash) {
		size_t fn = slash - s;

		if (memchr(s, '.', fn) || memchr(s, ':', fn) ||
		    (fn == 9 && !strncmp(s, "localhost", 9))) {
			snprintf(domain, sizeof(domain), "%.*s", (int)fn, s);
			rest = slash + 1;
		}
	}
	if (!strcmp(domain, "index.docker.io"))
		strcpy(domain, "docker.io");
	library = !strcmp(domain, "docker.io") && !strchr(rest, '/');
	/* A tag: a ':' after the last '/' (a registry's port is before it), before any '@'. */
	tagged = strchr(s, '@') || strchr(last ? last : s, ':');
	n = snprintf(out, len, "%s/%s%s%s", domain, library ? "library/" : "", rest,
		     tagged ? "" : ":latest");
	if (n < 0 || (size_t)n >= len || n > CRSD_IMAGE_MAX)
		return "image reference too long once normalized (at most 255 characters)";
	return NULL;
}
