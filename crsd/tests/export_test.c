// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * export_test DB JSONL FULL [syslog] - the export path of crsd's event thread without
 * crs.ko: events as the module would deliver them (crs_event_to_json's
 * shape) go through store_events_insert() and export_events() exactly as
 * kernel.c's flush() sends them, then the file is checked by api_test.sh
 * against what a real crsd's API serves for the same database.
 *
 * Phase 1 stores three events (one attributed by its own cgroup, one by
 * the cgroup of the table that decided, one unknown) and exports them (to
 * syslog too with "syslog": api_test.sh points /dev/log at a socket of its
 * own in a private mount namespace).
 * Phase 2 exports to FULL, made 1 MiB long (sparse) under a file size limit
 * (RLIMIT_FSIZE) of 1 MiB, so appending fails with EFBIG while the small
 * database still grows: the event is stored, the failure counted. The
 * export status is printed as one JSON line after each phase.
 */
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include "../crsd.h"

/* main.c's, for api_status.c (linked, not used here). */
const char *crsd_db_path;
int64_t crsd_started_ns;

static struct crsd_event_in ev(uint64_t cg, uint64_t table_cg, const char *action,
			       unsigned kseq, const char *path)
{
	struct crsd_event_in e = {
		.time_ns = crsd_now_ns(), .cgroup_id = cg, .table_cgroup_id = table_cg,
		.type = "file", .action = action,
	};

	if (asprintf(&e.json, "{\"seq\":%u,\"time\":\"2026-01-01T00:00:00.000000001Z\","
		     "\"time_ns\":1767225600000000001,\"cgroup_id\":%llu,"
		     "\"table_cgroup_id\":%llu,\"pid\":42,\"tid\":42,\"uid\":0,"
		     "\"program\":\"/usr/bin/cat\",\"type\":\"file\",\"rule_index\":0,"
		     "\"rule_name\":\"no shadow\",\"path\":\"%s\",\"access\":\"read\","
		     "\"action\":\"%s\",\"verdict\":\"%s\",\"mode\":\"enforce\","
		     "\"default\":false,\"truncated\":false}", kseq, (unsigned long long)cg,
		     (unsigned long long)table_cg, path, action, action) < 0)
		exit(1);
	return e;
}

/* As kernel.c's flush(): store (with lines), export once committed, free. */
static int flush(struct crsd_event_in *e, size_t n)
{
	size_t i;
	int r = store_events_insert(e, n, export_enabled());

	if (!r)
		export_events(e, n);
	for (i = 0; i < n; i++) {
		free(e[i].json);
		free(e[i].line);
	}
	return r;
}

static void print_status(void)
{
	struct json_object *st = export_status_json();

	printf("%s\n", json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(st);
}

int main(int argc, char **argv)
{
	struct crsd_event_in e[3];
	struct crsd_policy_row pol;
	struct rlimit rl;
	char err[256];
	int fd;
	bool created;

	if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "syslog"))) {
		fprintf(stderr, "usage: export_test DB JSONL FULL [syslog]\n");
		return 2;
	}
	crsd_db_path = argv[1];
	if (store_open(argv[1], err, sizeof(err))) {
		fprintf(stderr, "export_test: store: %s\n", err);
		return 1;
	}
	if (store_policy_create("exported", "{\"name\": \"exported\"}", 0, &pol) ||
	    store_image_set("docker.io/library/nginx:1.25", pol.id, &created) ||
	    store_container_put("c-exp", "docker.io/library/nginx:1.25", "/x", 4242, 1, &created) ||
	    export_init(argv[2], argc == 5)) {
		fprintf(stderr, "export_test: setup failed\n");
		return 1;
	}
	store_policy_row_free(&pol);

	e[0] = ev(4242, 4242, "deny", 7, "/etc/shadow");
	e[1] = ev(999, 4242, "allow", 8, "/etc/hosts");	/* by the table's cgroup */
	e[2] = ev(999, 998, "deny", 9, "/a/\\\"quoted\\\"/path");	/* unattributed */
	if (flush(e, 3))
		return 1;
	export_fini();	/* written out */
	print_status();

	/* Phase 2: FULL may not grow; the next event's write fails. */
	fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, 1 << 20) || close(fd) || export_init(argv[3], false))
		return 1;
	signal(SIGXFSZ, SIG_IGN);
	rl.rlim_cur = rl.rlim_max = 1 << 20;
	if (setrlimit(RLIMIT_FSIZE, &rl))
		return 1;
	e[0] = ev(4242, 4242, "deny", 10, "/etc/gshadow");
	if (flush(e, 1))
		return 1;
	export_fini();
	print_status();
	store_close();
	return 0;
}
