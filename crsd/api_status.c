// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * GET /api/v1/status: crsd's version, the store (path, schema, counts), the
 * kernel (available or why not, version, counters), HTTP counters.
 * GET /metrics: the same numbers as Prometheus text (format 0.0.4).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "crsd.h"

extern const char *crsd_db_path;
extern int64_t crsd_started_ns;

int api_status(struct crsd_req *r, struct crsd_resp *out)
{
	struct json_object *o = json_object_new_object(), *s = json_object_new_object();
	struct json_object *h = json_object_new_object();
	struct crsd_counts c = { 0 };
	struct crsd_http_stats hs;

	store_counts(&c);
	http_stats(&hs);
	json_object_object_add(o, "version", json_object_new_string(CRS_VERSION));
	json_object_object_add(o, "started", crsd_json_time(crsd_started_ns));
	json_object_object_add(s, "path", json_object_new_string(crsd_db_path));
	json_object_object_add(s, "schema_version", json_object_new_int(store_schema_version()));
	json_object_object_add(s, "policies", json_object_new_int64(c.policies));
	json_object_object_add(s, "images", json_object_new_int64(c.images));
	json_object_object_add(s, "containers", json_object_new_int64(c.containers));
	json_object_object_add(s, "overrides", json_object_new_int64(c.overrides));
	json_object_object_add(s, "events", json_object_new_int64(c.events));
	json_object_object_add(o, "store", s);
	json_object_object_add(o, "kernel", kernel_status_json());
	json_object_object_add(o, "reconcile", reconcile_status_json());
	json_object_object_add(o, "export", export_status_json());
	json_object_object_add(o, "learning", learn_status_json());
#define H(f) json_object_object_add(h, #f, json_object_new_int64((int64_t)hs.f))
	H(requests); H(rejected_rate); H(rejected_auth); H(rejected_size);
#undef H
	json_object_object_add(o, "http", h);
	return crsd_resp_json(out, 200, o);
}

int api_metrics(struct crsd_req *r, struct crsd_resp *out)
{
	struct crsd_counts c = { 0 };
	struct crsd_http_stats hs;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int i;

	if (!f)
		return crsd_resp_error(out, 500, NULL, "out of memory");
	store_counts(&c);
	http_stats(&hs);
	fprintf(f, "# HELP crsd_info crsd version.\n# TYPE crsd_info gauge\n"
		"crsd_info{version=\"%s\"} 1\n", CRS_VERSION);
#define G(name, v, help) fprintf(f, "# HELP crsd_" name " " help "\n# TYPE crsd_" name \
				 " gauge\ncrsd_" name " %lld\n", (long long)(v))
	G("policies", c.policies, "Policies in the store.");
	G("image_assignments", c.images, "Images with a policy.");
	G("containers", c.containers, "Containers known.");
	G("overrides", c.overrides, "Containers with overrides.");
	G("events_stored", c.events, "Events in the store.");
#undef G
	fprintf(f, "# HELP crsd_http_requests_total HTTP requests by status class.\n"
		"# TYPE crsd_http_requests_total counter\n");
	for (i = 1; i < 6; i++)
		fprintf(f, "crsd_http_requests_total{code=\"%dxx\"} %llu\n", i,
			(unsigned long long)hs.by_class[i]);
	fprintf(f, "# HELP crsd_http_rejected_total Requests refused before routing.\n"
		"# TYPE crsd_http_rejected_total counter\n"
		"crsd_http_rejected_total{reason=\"rate\"} %llu\n"
		"crsd_http_rejected_total{reason=\"auth\"} %llu\n"
		"crsd_http_rejected_total{reason=\"size\"} %llu\n",
		(unsigned long long)hs.rejected_rate, (unsigned long long)hs.rejected_auth,
		(unsigned long long)hs.rejected_size);
	kernel_metrics(f);
	export_metrics(f);
	learn_metrics(f);
	if (fclose(f) || !buf) {
		free(buf);
		return crsd_resp_error(out, 500, NULL, "out of memory");
	}
	free(out->body);
	out->body = buf;
	out->ctype = "text/plain; version=0.0.4";
	out->status = 200;
	return 200;
}
