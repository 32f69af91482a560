#!/bin/bash
# api_test.sh CRSD - crsd's HTTP API against a real crsd process and a real
# SQLite file, on the host (no crs.ko needed): policy CRUD and validation
# errors, conflicts, image assignments, containers and overrides, event
# queries, restart persistence, kill -9 durability, the Unix socket's mode,
# bearer tokens on TCP, rate limits and hostile requests; the web console's
# files, login sessions and CSRF checks.
# Needs curl and jq (sqlite3 to seed events); rawhttp (crsd/tests/rawhttp.c)
# sends the malformed HTTP curl will not; export_test (crsd/tests/export_test.c)
# feeds events through the store into the export as the event thread does. Prints "ok"/"not ok" per check
# and ends with "N passed, N failed"; exit status nonzero if any failed.
set -uo pipefail
CRSD=$(realpath "${1:?usage: $0 path/to/crsd [path/to/rawhttp [path/to/crsd-hook]]}")
RAW=${2:+$(realpath "$2")}
HOOK=${3:+$(realpath "$3")}
EXPORT_TEST=${4:+$(realpath "$4")}
TMP=$(mktemp -d /tmp/crsd-test.XXXXXX)
. "$(dirname "$0")/lib.sh"
has() { grep -q -- "$2" <<<"$1"; }

kill9() {	# the shell's "Killed" notice is not a failure: keep it quiet
	{ kill -9 "$PID" && wait "$PID"; } 2>/dev/null
	PID=
}
# req METHOD PATH [BODY [CONTENT-TYPE]] [-- curl args]: sets CODE, BODY.
req() {
	local m=$1 p=$2 body=${3-} ct=${4-application/json}
	local args=(-s --path-as-is --unix-socket "$SOCK" -X "$m" -o "$TMP/body" -w '%{http_code}')
	shift 2
	[ $# -gt 0 ] && shift
	[ $# -gt 0 ] && shift
	[ "${1-}" = -- ] && shift
	if [ -n "$body" ]; then
		printf '%s' "$body" >"$TMP/req"
		args+=(--data-binary "@$TMP/req")
		[ -n "$ct" ] && args+=(-H "Content-Type: $ct")
	fi
	CODE=$(curl "${args[@]}" "$@" "http://crsd$p")
	BODY=$(cat "$TMP/body")
}
INST=$TMP/instrumented-images	# crsd's default: beside the database
listed() {	# the images in crsd's instrumented-images file, comma-separated
	grep -v '^#' "${1:-$INST}" | paste -sd, -
}

WEB='{"name": "web", "mode": "enforce",
  "default_actions": {"file": "allow", "execute": "allow"},
  "rules": [ {"name": "no shadow", "program": "*", "type": "file", "action": "deny",
              "path": "/etc/shadow", "access": ["read", "write"]} ]}'
DB_POLICY='{"name": "db", "mode": "monitor"}'

echo "# command line"
ok "--version" has "$("$CRSD" --version)" '^crsd [0-9][0-9.]*$'
"$CRSD" --bogus 2>/dev/null
ok "unknown option: exit 2" eq "$?" 2
"$CRSD" --max-body 10 2>/dev/null
ok "--max-body below 1024: exit 2" eq "$?" 2
"$CRSD" --socket "$SOCK" --db /proc/nonexistent/crsd.db 2>/dev/null
ok "store that cannot be opened: exit 1" eq "$?" 1
echo "not a database" >"$TMP/bad.db"
"$CRSD" --socket "$SOCK" --db "$TMP/bad.db" 2>/dev/null
ok "a file that is not a database: exit 1" eq "$?" 1
touch "$TMP/notasocket"
"$CRSD" --socket "$TMP/notasocket" --db "$DB" "${DISC[@]}" 2>/dev/null
ok "--socket on a regular file: refused, file kept" eq "$?:$(test -f "$TMP/notasocket" && echo kept)" 1:kept

"$CRSD" --socket "$SOCK" --db "$DB" --instrumented-file /proc/nonexistent/x 2>/dev/null
ok "instrumented-images file that cannot be written: exit 1" eq "$?" 1

start || exit 1

echo "# instrumented-images file"
ok "written at start beside the database, 0644, root's" eq "$(stat -c %a:%u "$INST")" "644:$(id -u)"
ok "no images yet" eq "$(listed)" ""

echo "# status without crs.ko"
req GET /api/v1/status
ok "status 200" eq "$CODE" 200
ok "status names the kernel" eq "$(j '.kernel.available | type')" boolean
if [ "$(j .kernel.available)" = false ]; then
	ok "kernel unavailable has a reason" test -n "$(j .kernel.error)"
fi
ok "status: schema version" eq "$(j .store.schema_version)" 3
req GET /metrics
ok "metrics 200" eq "$CODE" 200
ok "metrics text" has "$BODY" '^crsd_policies 0$'
ok "metrics kernel gauge" has "$BODY" '^crsd_kernel_available '

echo "# unix socket"
ok "socket mode 0660" eq "$(stat -c %a "$SOCK")" 660
ok "socket owned by crsd's user" eq "$(stat -c %u "$SOCK")" "$(id -u)"
ok "database not world-readable" eq "$(( 0$(stat -c %a "$DB") & 077 ))" 0

echo "# policies: create, get, list"
req POST /api/v1/policies "$WEB"
ok "create 201" eq "$CODE" 201
WEB_ID=$(j .id)
ok "id is short lowercase" has "$WEB_ID" '^p[a-z0-9]\{9\}$'
ok "revision 1" eq "$(j .revision)" 1
ok "stored canonical (enabled filled in)" eq "$(j '.policy.rules[0].enabled')" true
ok "default action kept" eq "$(j .policy.default_actions.file)" allow
LOC=$(curl -s -D - -o /dev/null --unix-socket "$SOCK" -X POST -H 'Content-Type: application/json' \
	--data-binary "$DB_POLICY" http://crsd/api/v1/policies | tr -d '\r' | sed -n 's/^Location: //p')
DB_ID=${LOC##*/}
ok "Location header" has "$LOC" "^/api/v1/policies/p"
ok "audit log names the change and who made it" \
	grep -q "audit: uid $(id -u) pid [0-9]*: POST /api/v1/policies -> 201" "$TMP/crsd.log"
req GET "/api/v1/policies/$WEB_ID"
ok "get 200" eq "$CODE" 200
ok "get name" eq "$(j .policy.name)" web
req GET /api/v1/policies
ok "list has two" eq "$(j '.policies | length')" 2
ok "list sorted by name, with mode" eq "$(j '[.policies[] | .name + ":" + .mode] | join(",")')" \
	"db:monitor,web:enforce"
ok "list: rules and rules per type" eq "$(jq -c '[.policies[] | [.rules, .rule_types]]' <<<"$BODY")" \
	'[[0,{}],[1,{"file":1}]]'
req GET /api/v1/policies/pnosuchid0
ok "unknown id 404" eq "$CODE" 404

echo "# policies: validation errors (libcrsnl's messages)"
req POST /api/v1/policies '{"name": "bad", "mode": "enforce", "rules": [{"type": "file", "program": "*", "action": "deny", "path": "/etc//x", "access": ["read"]}]}'
ok "bad path 400" eq "$CODE" 400
ok "bad path field" eq "$(j .field)" "rules[0].path"
ok "bad path message" has "$(j .error)" 'must not contain "//"'
req POST /api/v1/policies '{"name": "bad", "mode": "enf"}'
ok "bad mode field" eq "$(j .field)" mode
req POST /api/v1/policies '{"name": "bad", "bogus": 1}'
ok "unknown field named" eq "$(j .field)" bogus
req POST /api/v1/policies $'{"name": "bad",\n "mode": }'
ok "syntax error 400" eq "$CODE" 400
ok "syntax error line" eq "$(j .line)" 2
ok "syntax error column" eq "$(j .column)" 10
req POST /api/v1/policies '{"name": "bad", "mode": "enforce", "rules": [{"type": "syscall", "program": "*", "action": "deny", "syscall": "nosuchcall"}]}'
ok "unknown syscall field" eq "$(j .field)" "rules[0].syscall"
req POST /api/v1/policies '[1, 2]'
ok "not an object 400" eq "$CODE" 400
CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' --unix-socket "$SOCK" -X POST \
	-H 'Content-Type: application/json' --data-binary '' http://crsd/api/v1/policies)
ok "empty body 400" eq "$CODE" 400

echo "# policies: conflicts"
req POST /api/v1/policies "$WEB"
ok "duplicate name 409" eq "$CODE" 409
ok "duplicate name field" eq "$(j .field)" name

echo "# policies: replace, patch"
req PUT "/api/v1/policies/$DB_ID" '{"name": "db", "mode": "enforce", "description": "database"}'
ok "put 200" eq "$CODE" 200
ok "put revision 2" eq "$(j .revision)" 2
ok "put description" eq "$(j .policy.description)" database
req PUT "/api/v1/policies/$DB_ID" '{"name": "web", "mode": "enforce"}'
ok "rename onto an existing name 409" eq "$CODE" 409
req PUT "/api/v1/policies/$DB_ID" '{"name": "db", "mode": "nope"}'
ok "put invalid 400" eq "$CODE" 400
req GET "/api/v1/policies/$DB_ID"
ok "invalid put changed nothing" eq "$(j .revision):$(j .policy.mode)" "2:enforce"
req PATCH "/api/v1/policies/$DB_ID" '{"mode": "monitor", "description": null}' application/merge-patch+json
ok "patch 200" eq "$CODE" 200
ok "patch set mode" eq "$(j .policy.mode)" monitor
ok "patch null removed description" eq "$(j .policy.description)" null
ok "patch revision 3" eq "$(j .revision)" 3
req PATCH "/api/v1/policies/$WEB_ID" '{"default_actions": {"execute": "deny"}}'
ok "patch nested merge" eq "$(j .policy.default_actions.execute):$(j .policy.default_actions.file)" "deny:allow"
req PATCH "/api/v1/policies/$WEB_ID" '{"rules": [{"type": "file", "program": "*", "action": "deny", "path": "relative", "access": ["read"]}]}'
ok "patch re-validated as a whole" eq "$CODE:$(j .field)" "400:rules[0].path"
req PATCH "/api/v1/policies/$WEB_ID" '{"name": "db"}'
ok "patch to a taken name 409" eq "$CODE" 409
req PATCH "/api/v1/policies/$WEB_ID" '{"mode": "monitor"}' application/json -- -H 'If-Match: "1"'
ok "If-Match stale 412" eq "$CODE" 412
req PATCH "/api/v1/policies/$WEB_ID" '{"mode": "enforce"}' application/json -- -H 'If-Match: "2"'
ok "If-Match current 200" eq "$CODE" 200
req PATCH "/api/v1/policies/$WEB_ID" '{"mode": "enforce"'
ok "patch malformed JSON 400 with position" eq "$CODE:$(j .line)" "400:1"

echo "# images"
req PUT /api/v1/images/docker.io/library/nginx:1.25/policy "{\"policy\": \"$WEB_ID\"}"
ok "assign 201" eq "$CODE" 201
ok "assign echoes image" eq "$(j .image)" docker.io/library/nginx:1.25
req PUT /api/v1/images/docker.io%2Flibrary%2Fnginx%3A1.25/policy "{\"policy\": \"$WEB_ID\"}"
ok "percent-encoded: same image, 200" eq "$CODE:$(j .image)" "200:docker.io/library/nginx:1.25"
req PUT "/api/v1/images/registry.example.com:5000/team/db@sha256:$(printf '%064d' 0 | tr 0 a)/policy" \
	"{\"policy\": \"$DB_ID\"}"
ok "digest reference 201" eq "$CODE" 201
req PUT /api/v1/images/redis/policy '{"policy": "pnosuchid0"}'
ok "unknown policy 400" eq "$CODE:$(j .field)" "400:policy"
req PUT /api/v1/images/redis/policy '{"policy": 7}'
ok "policy not a string 400" eq "$CODE:$(j .field)" "400:policy"
req PUT /api/v1/images/redis/policy "{\"policy\": \"$WEB_ID\", \"x\": 1}"
ok "unknown field 400" eq "$CODE:$(j .field)" "400:x"
req GET /api/v1/images/docker.io/library/nginx:1.25/policy
ok "get assignment" eq "$CODE:$(j .policy)" "200:$WEB_ID"
req GET /api/v1/images
ok "list assignments" eq "$(j '.images | length')" 2
ok "list names the policy" eq "$(j '.images[] | select(.image == "docker.io/library/nginx:1.25") | .policy_name')" web
req GET /api/v1/images/redis/policy
ok "image without policy 404" eq "$CODE" 404
req PUT /api/v1/images/alpine/policy "{\"policy\": \"$DB_ID\"}"
ok "short names are normalized" eq "$CODE:$(j .image)" "201:docker.io/library/alpine:latest"
ok "instrumented-images lists the assigned images" eq "$(listed)" \
	"docker.io/library/alpine:latest,docker.io/library/nginx:1.25,registry.example.com:5000/team/db@sha256:$(printf '%064d' 0 | tr 0 a)"
req GET /api/v1/images/docker.io%2Flibrary%2Falpine%3Alatest/policy
ok "and found under the long name" eq "$CODE:$(j .policy)" "200:$DB_ID"
req GET /api/v1/images/index.docker.io/library/alpine/policy
ok "index.docker.io is docker.io" eq "$CODE" 200
req DELETE /api/v1/images/alpine/policy
ok "unassign by short name" eq "$CODE" 204
req PUT /api/v1/images/localhost:5000/app/policy "{\"policy\": \"$DB_ID\"}"
ok "a registry port is not a tag" eq "$(j .image)" "localhost:5000/app:latest"
req DELETE /api/v1/images/localhost:5000/app:latest/policy
ok "unassign it" eq "$CODE" 204
ok "instrumented-images after unassigning" eq "$(listed)" \
	"docker.io/library/nginx:1.25,registry.example.com:5000/team/db@sha256:$(printf '%064d' 0 | tr 0 a)"
ok "instrumented-images: still 0644, no temporary file left" \
	eq "$(stat -c %a "$INST"):$(ls "$TMP" | grep -c '^instrumented-images.')" 644:0

echo "# images: hostile references"
for bad in '../../etc/passwd' '..%2F..%2Fetc%2Fpasswd' '%2e%2e/x' 'nginx%0a' 'nginx%00' 'nginx%ZZ' \
	'Nginx' 'nginx:' 'nginx@sha256:abc' 'a//b' '/nginx' 'nginx:-tag' 'host:99999999/x' \
	'nginx%20x' "$(printf 'a%.0s' $(seq 300))"; do
	req PUT "/api/v1/images/$bad/policy" "{\"policy\": \"$WEB_ID\"}"
	ok "image '${bad:0:40}' 400" eq "$CODE" 400
done
req GET /api/v1/images
ok "no hostile assignment stored" eq "$(j '.images | length')" 2

echo "# containers and overrides"
req POST /api/v1/containers '{"id": "c1", "image": "nginx:1.25", "cgroup": "/sys/fs/cgroup/system.slice/c1", "cgroup_id": 1234, "pid": 4321}'
ok "register container 201" eq "$CODE" 201
ok "its image normalized" eq "$(j .image)" docker.io/library/nginx:1.25
ok "container gets the image policy" eq "$(j .policy)" "$WEB_ID"
ok "effective mode from policy" eq "$(j .effective_mode)" enforce
ok "default log" eq "$(j '.log | join(",")')" deny
req POST /api/v1/containers '{"id": "c2", "image": "redis", "cgroup": "/sys/fs/cgroup/c2"}'
ok "container without policy" eq "$CODE:$(j .effective_mode):$(j .policy)" "201:none:null"
req POST /api/v1/containers '{"id": "c3", "image": "redis", "cgroup": "/sys/fs/cgroup/../etc"}'
ok "cgroup with .. 400" eq "$CODE:$(j .field)" "400:cgroup"
req POST /api/v1/containers '{"id": "../c", "image": "redis", "cgroup": "/x"}'
ok "bad container id 400" eq "$CODE:$(j .field)" "400:id"
req PUT /api/v1/containers/c1/overrides '{"mode": "monitor", "log": ["deny", "alert"]}'
ok "override 200" eq "$CODE" 200
ok "override mode effective" eq "$(j .effective_mode)" monitor
ok "override log" eq "$(j '.log | join(",")')" deny,alert
req PATCH /api/v1/containers/c1/overrides '{"mode": null, "passive": true}'
ok "patch override" eq "$CODE:$(j .overrides.mode):$(j .passive)" "200:null:true"
ok "passive never enforces" eq "$(j .effective_mode)" monitor
ok "patch kept log" eq "$(j '.overrides.log | join(",")')" deny,alert
req PUT /api/v1/containers/c1/overrides '{"mode": "bogus"}'
ok "bad override mode 400" eq "$CODE:$(j .field)" "400:mode"
req PUT /api/v1/containers/c1/overrides '{"log": ["deny", "nonsense"]}'
ok "bad log 400" eq "$CODE:$(j .field)" "400:log"
req PUT /api/v1/containers/c1/overrides '{"passive": "yes"}'
ok "bad passive 400" eq "$CODE:$(j .field)" "400:passive"
req PUT /api/v1/containers/nosuch/overrides '{"mode": "monitor"}'
ok "override of unknown container 404" eq "$CODE" 404
req PUT /api/v1/containers/c2/overrides '{"mode": "disabled", "log": "all"}'
ok "override c2" eq "$CODE:$(j '.overrides.log | length')" "200:4"
req GET /api/v1/containers
ok "list containers" eq "$(j '[.containers[].id] | join(",")')" c1,c2
for _ in $(seq 50); do
	req GET /api/v1/containers/c1
	[ "$(j .kernel.state)" = pending ] || break
	sleep 0.1
done
if [ "$(curl -s --unix-socket "$SOCK" http://crsd/api/v1/status | jq -r .kernel.available)" = false ]; then
	ok "reconcile without crs.ko: unavailable, with the reason" \
		eq "$(j .kernel.state):$(j '.kernel.error | test("crs")')" "unavailable:true"
fi
req GET /api/v1/status
ok "status: reconcile running, passes counted" eq "$(j .reconcile.running):$(j '.reconcile.passes > 0')" "true:true"
req GET "/api/v1/policies/$WEB_ID/containers"
ok "containers of a policy" eq "$(j '[.containers[].id] | join(",")')" c1
req GET /api/v1/policies/pnosuchid0/containers
ok "containers of unknown policy 404" eq "$CODE" 404

echo "# delete: in use"
req DELETE "/api/v1/policies/$WEB_ID"
ok "delete in use 409" eq "$CODE:$(j .images):$(j .containers)" "409:1:1"
req GET "/api/v1/policies/$WEB_ID"
ok "still there" eq "$CODE" 200
req DELETE "/api/v1/policies/$WEB_ID?force=maybe"
ok "bad force 400" eq "$CODE" 400

echo "# events"
NOW=$(date +%s)
if command -v sqlite3 >/dev/null; then
	sqlite3 -cmd '.timeout 5000' "$DB" "
	INSERT INTO events (time_ns, container_id, image, policy_id, type, action, json) VALUES
	 (($NOW - 100000) * 1000000000, 'c1', 'docker.io/library/nginx:1.25', '$WEB_ID', 'file', 'deny', '{\"path\": \"/etc/shadow\"}'),
	 (($NOW - 50000) * 1000000000, 'c1', 'docker.io/library/nginx:1.25', '$WEB_ID', 'execute', 'deny', '{\"path\": \"/bin/sh\"}'),
	 (($NOW - 10) * 1000000000, 'c2', 'redis', NULL, 'file', 'allow', '{\"path\": \"/data\"}');"
	req GET /api/v1/events
	ok "events all" eq "$CODE:$(j '.events | length')" "200:3"
	req GET "/api/v1/events?container=c1&type=file"
	ok "events by container and type" eq "$(j '[.events[].path] | join(",")')" /etc/shadow
	req GET "/api/v1/events?action=allow"
	ok "events by action" eq "$(j '[.events[].path] | join(",")')" /data
	req GET "/api/v1/events?image=nginx%3A1.25"
	ok "events by image (normalized)" eq "$(j '.events | length')" 2
	req GET "/api/v1/events?policy=$WEB_ID"
	ok "events by policy" eq "$(j '.events | length')" 2
	req GET "/api/v1/events?since=$((NOW - 60000))&until=$((NOW - 20000))"
	ok "events since/until (seconds)" eq "$(j '[.events[].path] | join(",")')" /bin/sh
	req GET "/api/v1/events?since=$(date -u -d @$((NOW - 60000)) +%Y-%m-%dT%H:%M:%SZ)"
	ok "events since (RFC 3339)" eq "$(j '.events | length')" 2
	req GET "/api/v1/events?limit=2"
	ok "events limit + cursor" eq "$(j '.events | length'):$(j .next_cursor)" "2:$(j '.events[1].seq')"
	req GET "/api/v1/events?limit=2&cursor=$(j .next_cursor)"
	ok "events next page" eq "$(j '.events | length'):$(j .next_cursor)" "1:null"
	for q in 'limit=0' 'limit=x' 'since=yesterday' 'type=bogus' 'action=maybe' 'cursor=-1' 'container=%zz'; do
		req GET "/api/v1/events?$q"
		ok "events ?$q 400" eq "$CODE" 400
	done
else
	echo "# (sqlite3 not installed: event query tests skipped)"
fi

echo "# HTTP errors"
CODE=$(curl -s -I -o "$TMP/body" -w '%{http_code}' --unix-socket "$SOCK" http://crsd/api/v1/status)
ok "HEAD like GET, without a body" eq "$CODE:$(grep -c '^{' "$TMP/body")" 200:0
req GET /api/v1/nothing
ok "unknown route 404" eq "$CODE" 404
req GET /api/v2/policies
ok "unknown version 404" eq "$CODE" 404
req DELETE /api/v1/policies
ok "wrong method 405" eq "$CODE" 405
ALLOW=$(curl -s -D - -o /dev/null --unix-socket "$SOCK" -X DELETE http://crsd/api/v1/policies |
	tr -d '\r' | sed -n 's/^Allow: //p')
ok "405 names the allowed methods" eq "$ALLOW" "GET, POST"
req POST /api/v1/policies "$WEB" text/plain
ok "wrong content type 415" eq "$CODE" 415
req POST /api/v1/policies "$WEB" ''
ok "no content type 415" eq "$CODE" 415
req PATCH "/api/v1/policies/$DB_ID" '{"mode": "monitor"}' application/json-patch+json
ok "JSON Patch is not merge patch: 415" eq "$CODE" 415
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$TMP/big"
CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' --unix-socket "$SOCK" -X POST \
	-H 'Content-Type: application/json' --data-binary "@$TMP/big" http://crsd/api/v1/policies)
ok "huge body 413" eq "$CODE" 413
CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' --unix-socket "$SOCK" -X POST \
	-H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
	--data-binary "@$TMP/big" http://crsd/api/v1/policies)
ok "huge chunked body 413" eq "$CODE" 413
req POST /api/v1/policies "$(printf '%.0s[' $(seq 20000))"
ok "deep nesting 400" eq "$CODE" 400
req PUT /api/v1/images/redis/policy "$(printf '%.0s[' $(seq 20000))"
ok "deep nesting (json-c body) 400" eq "$CODE" 400
printf '{"name": "nul\0x"}' >"$TMP/nul"
CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' --unix-socket "$SOCK" -X POST \
	-H 'Content-Type: application/json' --data-binary "@$TMP/nul" http://crsd/api/v1/policies)
ok "NUL in policy 400" eq "$CODE" 400
printf '{"policy": "a\0b"}' >"$TMP/nul"
CODE=$(curl -s -o "$TMP/body" -w '%{http_code}' --unix-socket "$SOCK" -X PUT \
	-H 'Content-Type: application/json' --data-binary "@$TMP/nul" http://crsd/api/v1/images/redis/policy)
ok "NUL in body 400" eq "$CODE" 400
req POST /api/v1/policies $'{"name": "\xff\xfe", "mode": "enforce"}'
ok "invalid UTF-8 400" eq "$CODE" 400
req PUT /api/v1/images/redis/policy $'{"policy": "\xc3"}'
ok "invalid UTF-8 (json-c body) 400" eq "$CODE" 400
req POST /api/v1/containers '{"id": "c9", "image": "redis", "cgroup": "/x"} trailing'
ok "trailing data 400" eq "$CODE" 400
req GET '/api/v1/policies/%2e%2e'
ok "dot-dot id 400/404" has "$CODE" '^40[04]$'
req GET '/api/v1/policies/a%00b'
ok "NUL in path 400" eq "$CODE" 400
req GET "/api/v1/policies/$(printf 'a%.0s' $(seq 3000))"
ok "over-long path 4xx" has "$CODE" '^4'
CODE=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" -H "X-Big: $(printf 'a%.0s' $(seq 40000))" \
	http://crsd/api/v1/status)
ok "huge header 4xx" has "$CODE" '^4'
if [ -n "$RAW" ]; then
	echo "# raw HTTP"
	raw() {	# raw REQUEST (printf format): first line of the answer in LINE
		printf "$1" | "$RAW" "$SOCK" >"$TMP/raw"
		LINE=$(head -n1 "$TMP/raw" | tr -d '\r')
		CODE=$(cut -d' ' -f2 <<<"$LINE")
	}
	H='Host: x\r\n'
	J='Content-Type: application/json\r\n'
	raw 'GARBAGE\r\n\r\n'
	ok "garbage request line: closed or 400" test -z "$LINE" -o "$CODE" = 400
	raw "GET /api/v1/status HTTP/9.9\r\n$H\r\n"
	ok "unknown HTTP version 505" eq "$CODE" 505
	raw "POST /api/v1/policies HTTP/1.1\r\n$H${J}Content-Length: -1\r\n\r\n"
	ok "negative Content-Length 400" eq "$CODE" 400
	raw "POST /api/v1/policies HTTP/1.1\r\n$H${J}Content-Length: 99999999999999999999999\r\n\r\n"
	ok "absurd Content-Length 413" eq "$CODE" 413
	raw "POST /api/v1/policies HTTP/1.1\r\n$H${J}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
	ok "Content-Length with chunked (smuggling) 400" eq "$CODE" 400
	raw "POST /api/v1/policies HTTP/1.1\r\n$H${J}Transfer-Encoding: chunked\r\n\r\nZZZ\r\nabc\r\n"
	ok "bad chunk 400" eq "$CODE" 400
	raw "GET /api/v1/status HTTP/1.1\r\n${H}NoColonHeader\r\n\r\n"
	ok "header without colon 400" eq "$CODE" 400
	raw "GET /api/v1/status HTTP/1.1\r\n$H\r\nGET /api/v1/policies HTTP/1.1\r\n${H}Connection: close\r\n\r\n"
	ok "pipelined requests both answered" eq "$(grep -c '^HTTP/1.1 200' "$TMP/raw")" 2
	raw "POST /api/v1/policies HTTP/1.1\r\n$H${J}Content-Length: 100\r\n\r\n{\"name\""
	ok "truncated body: no answer, no store" test -z "$LINE"
	raw "GET /api/v1/st\0atus HTTP/1.1\r\n$H\r\n"
	ok "NUL in the request line 4xx" has "$CODE" '^4'
	raw "GET http://evil/api/v1/status HTTP/1.1\r\n$H\r\n"
	ok "absolute-form target 404" eq "$CODE" 404
	raw "GET /api/v1/\xff\xfe HTTP/1.1\r\n$H\r\n"
	ok "non-ASCII path 404" eq "$CODE" 404
	raw "FOO /api/v1/status HTTP/1.1\r\n$H\r\n"
	ok "unknown method 405" eq "$CODE" 405
fi
req GET /api/v1/status
ok "crsd alive after hostile requests" eq "$CODE" 200
req GET /api/v1/policies
ok "no hostile request created a policy" eq "$(j '.policies | length')" 2

echo "# restart persistence"
stop
ok "socket removed on clean shutdown" test ! -e "$SOCK"
BEFORE=$(listed)
echo "stale" >"$INST"
chmod 666 "$INST"
start || exit 1
ok "instrumented-images rewritten at start" eq "$(listed):$(stat -c %a "$INST")" "$BEFORE:644"
req GET "/api/v1/policies/$DB_ID"
ok "policy after restart" eq "$CODE:$(j .revision):$(j .policy.mode)" "200:3:monitor"
req GET /api/v1/images
ok "assignments after restart" eq "$(j '.images | length')" 2
req GET /api/v1/containers/c1
ok "overrides after restart" eq "$(j .passive):$(j '.overrides.log | join(",")')" "true:deny,alert"
if command -v sqlite3 >/dev/null; then
	req GET /api/v1/events
	ok "events after restart" eq "$(j '.events | length')" 3
fi

echo "# schema 1 -> 3: a version 1 database (no summary column, no learning) is upgraded at start"
stop
sqlite3 "$DB" "DROP TRIGGER policies_summary_insert; DROP TRIGGER policies_summary_update;
	ALTER TABLE policies DROP COLUMN summary; DROP TABLE observations; DROP TABLE profiles;
	ALTER TABLE policies DROP COLUMN incomplete; ALTER TABLE policies DROP COLUMN incomplete_dropped;
	ALTER TABLE overrides DROP COLUMN learning; DELETE FROM schema_version WHERE version >= 2;"
ok "downgraded to version 1" eq "$(sqlite3 "$DB" 'SELECT max(version) FROM schema_version')" 1
start || exit 1
ok "upgrade logged" grep -q "schema version 1 upgraded to 3" "$TMP/crsd.log"
req GET /api/v1/status
ok "schema version 3 after the upgrade" eq "$(j .store.schema_version)" 3
SUMMARY='[.policy.name, .policy.mode, (.policy.rules | length),
	  ([.policy.rules | group_by(.type)[] | {(.[0].type): length}] | add // {})]'
req GET "/api/v1/policies/$DB_ID"
WANT=$(jq -c "$SUMMARY" <<<"$BODY")
req GET "/api/v1/policies/$WEB_ID"
WANT="[$WANT,$(jq -c "$SUMMARY" <<<"$BODY")]"
req GET /api/v1/policies
ok "summaries of the old rows filled in" eq \
	"$(jq -c '[.policies[] | [.name, .mode, .rules, .rule_types]]' <<<"$BODY")" "$WANT"

echo "# kill -9 right after an acknowledged write"
req POST /api/v1/policies '{"name": "acked", "mode": "enforce"}'
ACKED=$(j .id)
ok "write acknowledged" eq "$CODE" 201
kill9
start || exit 1
req GET "/api/v1/policies/$ACKED"
ok "acknowledged write survived kill -9" eq "$CODE:$(j .name)" "200:acked"

echo "# kill -9 during a stream of writes"
: >"$TMP/acked"
(
	for i in $(seq 1000); do
		c=$(curl -s -o "$TMP/w.body" -w '%{http_code}' --unix-socket "$SOCK" -X POST \
			-H 'Content-Type: application/json' \
			--data-binary "{\"name\": \"w$i\", \"mode\": \"monitor\"}" http://crsd/api/v1/policies)
		[ "$c" = 201 ] || break
		jq -r .id "$TMP/w.body" >>"$TMP/acked"
	done
) &
WRITER=$!
for _ in $(seq 100); do [ -s "$TMP/acked" ] && break; sleep 0.1; done
sleep 1
kill9
wait "$WRITER" 2>/dev/null
start || exit 1
lost=0
while read -r id; do
	c=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" "http://crsd/api/v1/policies/$id")
	[ "$c" = 200 ] || lost=$((lost + 1))
done <"$TMP/acked"
ok "$(wc -l <"$TMP/acked") acknowledged writes, none lost" eq "$lost:$([ -s "$TMP/acked" ] && echo some)" "0:some"
req GET /api/v1/status
ok "store consistent after kill -9" eq "$CODE" 200

if command -v sqlite3 >/dev/null; then
	echo "# event retention"
	stop
	start --events-max 2 || exit 1
	req GET /api/v1/events
	ok "--events-max 2 keeps the newest two" eq "$(j '[.events[].path] | join(",")')" /bin/sh,/data
	stop
	start --events-max-age 3600 || exit 1
	req GET /api/v1/events
	ok "--events-max-age 3600 drops older ones" eq "$(j '[.events[].path] | join(",")')" /data
fi

echo "# delete"
req DELETE "/api/v1/policies/$WEB_ID?force=true"
ok "forced delete 204" eq "$CODE" 204
ok "forced delete: its images leave instrumented-images" eq "$(listed)" \
	"registry.example.com:5000/team/db@sha256:$(printf '%064d' 0 | tr 0 a)"
req GET /api/v1/images/docker.io/library/nginx:1.25/policy
ok "its assignments went with it" eq "$CODE" 404
req GET /api/v1/containers/c1
ok "its containers have no policy" eq "$(j .policy):$(j .effective_mode)" "null:none"
req DELETE /api/v1/images/registry.example.com:5000/team/db@sha256:$(printf '%064d' 0 | tr 0 a)/policy
ok "unassign 204" eq "$CODE" 204
ok "instrumented-images empty again" eq "$(listed)" ""
req DELETE "/api/v1/policies/$DB_ID" '' '' -- -H 'If-Match: "1"'
ok "delete with a stale If-Match 412" eq "$CODE" 412
req DELETE "/api/v1/policies/$DB_ID"
ok "delete unused 204" eq "$CODE" 204
req DELETE "/api/v1/policies/$DB_ID"
ok "delete again 404" eq "$CODE" 404
req DELETE /api/v1/containers/c2/overrides
ok "clear overrides 204" eq "$CODE" 204
req DELETE /api/v1/containers/c2
ok "unregister container 204" eq "$CODE" 204
stop

echo "# TCP: opt-in, bearer token"
TOKEN=0123456789abcdef0123456789abcdef
printf '%s\n' "$TOKEN" >"$TMP/token"
chmod 644 "$TMP/token"
"$CRSD" --socket "$SOCK" --db "$DB" --listen 127.0.0.1:0 --token-file "$TMP/token" 2>"$TMP/tcp.err"
ok "token file readable by others: refused" eq "$?" 2
"$CRSD" --socket "$SOCK" --db "$DB" --listen 127.0.0.1:0 2>/dev/null
ok "--listen without --token-file: refused" eq "$?" 2
chmod 600 "$TMP/token"
: >"$TMP/crsd.log"
start --listen 127.0.0.1:0 --token-file "$TMP/token" || exit 1
PORT=$(sed -n 's/.*listening on tcp 127.0.0.1:\([0-9]*\).*/\1/p' "$TMP/crsd.log")
ok "TCP port logged" test -n "$PORT"
URL=http://127.0.0.1:$PORT/api/v1/status
ok "TCP without token 401" eq "$(curl -s -o /dev/null -w '%{http_code}' "$URL")" 401
ok "TCP wrong token 401" eq "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer 0123456789abcdef0123456789abcdeX' "$URL")" 401
ok "TCP short token 401" eq "$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer 0123' "$URL")" 401
ok "TCP token prefix too long 401" eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${TOKEN}0" "$URL")" 401
ok "TCP Basic auth 401" eq "$(curl -s -o /dev/null -w '%{http_code}' -u "x:$TOKEN" "$URL")" 401
ok "TCP right token 200" eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL")" 200
ok "TCP 401 before the body is read" eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
	-H 'Content-Type: application/json' --data-binary "@$TMP/big" "http://127.0.0.1:$PORT/api/v1/policies")" 401
curl -s -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/containers/nosuch"
ok "audit log: TCP changes with the address" \
	grep -q "audit: tcp 127.0.0.1: DELETE /api/v1/containers/nosuch -> 404" "$TMP/crsd.log"
NEW=fedcba9876543210fedcba9876543210
printf '%s\n' "$NEW" >"$TMP/token"
kill -HUP "$PID"
for _ in $(seq 50); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $NEW" "$URL")" = 200 ] && break
	sleep 0.1
done
ok "SIGHUP: the new token works" eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $NEW" "$URL")" 200
ok "SIGHUP: the old token is refused" eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL")" 401
chmod 644 "$TMP/token"
kill -HUP "$PID"
for _ in $(seq 50); do grep -q "token not reloaded" "$TMP/crsd.log" && break; sleep 0.1; done
ok "SIGHUP with a bad token file: the current token stays" eq "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $NEW" "$URL")" 200
chmod 600 "$TMP/token"
ok "unix socket needs no token" eq "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" http://crsd/api/v1/status)" 200
stop

if command -v openssl >/dev/null; then
	echo "# TCP over TLS"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		-keyout "$TMP/tls.key" -out "$TMP/tls.crt" 2>/dev/null
	chmod 600 "$TMP/tls.key"
	TLSOPT=(--listen 127.0.0.1:0 --token-file "$TMP/token")
	: >"$TMP/crsd.log"
	start "${TLSOPT[@]}" --tls-cert "$TMP/tls.crt" --tls-key "$TMP/tls.key" || exit 1
	PORT=$(sed -n 's/.*listening on tcp 127.0.0.1:\([0-9]*\) (TLS)$/\1/p' "$TMP/crsd.log")
	ok "TLS: the TCP listener is logged as TLS" test -n "$PORT"
	URL=https://127.0.0.1:$PORT/api/v1/status
	ok "TLS: right token 200" eq "$(curl -s --cacert "$TMP/tls.crt" -o "$TMP/body" -w '%{http_code}' \
		-H "Authorization: Bearer $NEW" "$URL"):$(jq -r .store.schema_version "$TMP/body")" 200:3
	ok "TLS: wrong token 401" eq "$(curl -s --cacert "$TMP/tls.crt" -o /dev/null -w '%{http_code}' \
		-H "Authorization: Bearer $TOKEN" "$URL")" 401
	ok "TLS: no token 401" eq "$(curl -s --cacert "$TMP/tls.crt" -o /dev/null -w '%{http_code}' "$URL")" 401
	ok "TLS: TLS 1.2 accepted" eq "$(curl -s --cacert "$TMP/tls.crt" --tlsv1.2 --tls-max 1.2 -o /dev/null \
		-w '%{http_code}' -H "Authorization: Bearer $NEW" "$URL")" 200
	curl -s --max-time 5 -o /dev/null -H "Authorization: Bearer $NEW" "http://127.0.0.1:$PORT/api/v1/status"
	ok "TLS: plain HTTP to the TLS port gets no HTTP answer (curl exit $?)" test "$?" -ne 0
	curl -s --max-time 5 -o /dev/null -H "Authorization: Bearer $NEW" "$URL"
	ok "TLS: an unknown certificate is refused by the client (curl exit $?)" eq "$?" 60
	ok "TLS: the socket is still plain and needs no token" \
		eq "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" http://crsd/api/v1/status)" 200
	stop
	tls_start() {	# tls_start CERT KEY: a crsd that must refuse them; sets RC, ERR
		"$CRSD" --socket "$SOCK" --db "$DB" "${DISC[@]}" "${TLSOPT[@]}" --tls-cert "$1" \
			--tls-key "$2" 2>"$TMP/err"
		RC=$?
		ERR=$(cat "$TMP/err")
	}
	tls_start "$TMP/no-such.crt" "$TMP/tls.key"
	ok "TLS: missing certificate file: exit 1, naming it" eq "$RC:$(has "$ERR" \
		"--tls-cert $TMP/no-such.crt: No such file or directory" && echo said)" 1:said
	tls_start "$TMP/token" "$TMP/tls.key"
	ok "TLS: a certificate file without a certificate: exit 1" eq "$RC:$(has "$ERR" \
		"--tls-cert $TMP/token: no PEM certificate in it" && echo said)" 1:said
	install -m 600 "$TMP/tls.crt" "$TMP/crt-as-key"
	tls_start "$TMP/tls.crt" "$TMP/crt-as-key"
	ok "TLS: a key file without a key: exit 1" eq "$RC:$(has "$ERR" \
		"--tls-key $TMP/crt-as-key: no PEM private key in it" && echo said)" 1:said
	cp "$TMP/tls.key" "$TMP/open.key"
	chmod 640 "$TMP/open.key"
	tls_start "$TMP/tls.crt" "$TMP/open.key"
	ok "TLS: a key readable by its group: exit 1" eq "$RC:$(has "$ERR" \
		"--tls-key $TMP/open.key: must be a regular file readable by its owner only" && echo said)" 1:said
	tls_start "$TMP/tls.crt" "$TMP"
	ok "TLS: a directory as the key: exit 1" eq "$RC:$(has "$ERR" "--tls-key $TMP: must be a regular file" && echo said)" 1:said
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj /CN=other -keyout "$TMP/other.key" -out "$TMP/other.crt" 2>/dev/null
	chmod 600 "$TMP/other.key"
	tls_start "$TMP/tls.crt" "$TMP/other.key"
	ok "TLS: a key that is not the certificate's: exit 1, naming both" eq "$RC:$(has "$ERR" \
		"--tls-cert $TMP/tls.crt, --tls-key $TMP/other.key: libmicrohttpd could not use them" && echo said)" 1:said
	ok "TLS: the failed start left no socket behind" test ! -e "$SOCK"
	"$CRSD" --socket "$SOCK" --db "$DB" --tls-cert "$TMP/tls.crt" --tls-key "$TMP/tls.key" 2>"$TMP/err"
	ok "TLS: --tls-cert without --listen: usage error" eq "$?:$(grep -c 'with --listen' "$TMP/err")" 2:1
	"$CRSD" --socket "$SOCK" --db "$DB" "${TLSOPT[@]}" --tls-cert "$TMP/tls.crt" 2>/dev/null
	ok "TLS: --tls-cert without --tls-key: usage error" eq "$?" 2
fi

echo "# rate limit"
start --rate 2 --burst 5 --listen 127.0.0.1:0 --token-file "$TMP/token" || exit 1
PORT=$(sed -n 's/.*listening on tcp 127.0.0.1:\([0-9]*\).*/\1/p' "$TMP/crsd.log" | tail -n1)
n429=0
for _ in $(seq 20); do
	c=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/v1/status")
	[ "$c" = 429 ] && n429=$((n429 + 1))
done
ok "TCP flood without a token: 429 ($n429 of 20)" test "$n429" -ge 10
ok "the TCP flood does not starve the socket" eq "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" http://crsd/api/v1/policies)" 200
n429=0
for _ in $(seq 20); do
	c=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" http://crsd/api/v1/policies)
	[ "$c" = 429 ] && n429=$((n429 + 1))
done
ok "429 over the rate ($n429 of 20)" test "$n429" -ge 10
sleep 1.2
ok "rate recovers" eq "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" http://crsd/api/v1/policies)" 200
stop

echo "# a second crsd on the same socket"
start || exit 1
"$CRSD" --socket "$SOCK" --db "$TMP/other.db" "${DISC[@]}" 2>/dev/null
ok "refused while the first is alive" eq "$?" 1
ok "first still serving" eq "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$SOCK" http://crsd/api/v1/status)" 200
stop

if [ -n "$HOOK" ]; then
	echo "# OCI hook"
	start || exit 1
	CG=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/$$/cgroup)
	CG=${CG%/}
	state() {	# state ID [ANNOTATIONS-JSON [BUNDLE]]
		printf '{"ociVersion": "1.0.2", "id": "%s", "status": "created", "pid": %d, "bundle": "%s", "annotations": %s}' \
			"$1" $$ "${3:-/nonexistent}" "${2:-{\}}"
	}
	state hk1 '{"io.crs.image": "nginx:1.25"}' | "$HOOK" --socket "$SOCK" --wait 3 create 2>"$TMP/hook.err"
	ok "hook create: exit 0" eq "$?" 0
	req GET /api/v1/containers/hk1
	ok "hook registered the container" eq "$CODE:$(j .image):$(j .pid)" "200:docker.io/library/nginx:1.25:$$"
	ok "hook found its cgroup v2 directory" eq "$(j .cgroup)" "$CG"
	ok "hook reports that without crs.ko nothing is confined" grep -q "unavailable" "$TMP/hook.err"
	state hk1 '{"io.crs.image": "nginx:1.25"}' | "$HOOK" --socket "$SOCK" --wait 3 --strict create 2>/dev/null
	ok "hook --strict refuses an unconfined container" eq "$?" 1
	mkdir -p "$TMP/bundle"
	echo '{"ociVersion": "1.0.2", "annotations": {"io.kubernetes.cri.image-name": "redis:7"}}' >"$TMP/bundle/config.json"
	state hk2 '{}' "$TMP/bundle" | "$HOOK" --socket "$SOCK" --wait 3 create 2>/dev/null
	req GET /api/v1/containers/hk2
	ok "hook reads the image from the bundle's config.json" eq "$CODE:$(j .image)" "200:docker.io/library/redis:7"
	state hk3 | "$HOOK" --socket "$SOCK" create 2>"$TMP/hook.err"
	ok "no image: exit 0 (fail open)" eq "$?" 0
	ok "no image: says so" grep -q "no image annotation" "$TMP/hook.err"
	req GET /api/v1/containers/hk3
	ok "no image: not registered" eq "$CODE" 404
	state hk3 | "$HOOK" --socket "$SOCK" --strict create 2>/dev/null
	ok "no image, --strict: exit 1" eq "$?" 1
	state 'bad/id' '{"io.crs.image": "nginx"}' | "$HOOK" --socket "$SOCK" --strict create 2>/dev/null
	ok "bad container id, --strict: exit 1" eq "$?" 1
	echo 'not json' | "$HOOK" --socket "$SOCK" --strict create 2>/dev/null
	ok "no state, --strict: exit 1" eq "$?" 1
	state hk1 | "$HOOK" --socket "$SOCK" delete
	ok "hook delete: exit 0" eq "$?" 0
	req GET /api/v1/containers/hk1
	ok "hook unregistered the container" eq "$CODE" 404
	state hk1 | "$HOOK" --socket "$SOCK" delete
	ok "hook delete again: exit 0" eq "$?" 0
	state hk2 | "$HOOK" --socket "$SOCK" delete
	req POST /api/v1/policies '{"name": "hooked", "mode": "enforce"}'
	req PUT /api/v1/images/nginx:1.25/policy "{\"policy\": \"$(j .id)\"}"
	ok "hook: nginx:1.25 instrumented" eq "$CODE:$(listed)" "201:docker.io/library/nginx:1.25"
	stop
	echo "# OCI hook, crsd down"
	hook() {	# hook FILE IMAGE [options]: create with crsd down; sets RC, ERR
		local f=$1 img=$2
		shift 2
		state hk4 "{\"io.crs.image\": \"$img\"}" |
			"$HOOK" --socket "$SOCK" --instrumented-file "$f" "$@" create 2>"$TMP/hook.err"
		RC=$?
		ERR=$(cat "$TMP/hook.err")
	}
	hook "$INST" nginx:1.25
	ok "instrumented image refused: exit 1" eq "$RC" 1
	ok "instrumented image refused: says why" has "$ERR" \
		"crsd unreachable at $SOCK (.*); image docker.io/library/nginx:1.25 is instrumented: refusing to start"
	hook "$INST" docker.io/library/nginx:1.25 --wait 1
	ok "instrumented image, long name: exit 1" eq "$RC" 1
	hook "$INST" nginx
	ok "uninstrumented image starts: exit 0" eq "$RC" 0
	ok "uninstrumented image: one-line notice" eq "$(wc -l <"$TMP/hook.err"):$(has "$ERR" \
		"image docker.io/library/nginx:latest is not instrumented" && echo said)" 1:said
	hook "$INST" nginx --strict
	ok "uninstrumented image, --strict: exit 1 (crsd down is a doubt)" eq "$RC" 1
	hook "$TMP/no-such-file" nginx:1.25
	ok "no instrumented-images file: exit 0 with a warning" eq "$RC:$(has "$ERR" \
		"cannot tell whether image docker.io/library/nginx:1.25 is instrumented" && echo said)" 0:said
	hook "$TMP/no-such-file" nginx:1.25 --strict
	ok "no instrumented-images file, --strict: exit 1" eq "$RC" 1
	cp "$INST" "$TMP/ww"
	chmod 666 "$TMP/ww"
	hook "$TMP/ww" nginx
	ok "world-writable file: refused even for an unlisted image" eq "$RC" 1
	ok "world-writable file: says why" has "$ERR" "writable by group or others.*refusing to start"
	cp "$INST" "$TMP/gw"
	chmod 664 "$TMP/gw"
	hook "$TMP/gw" nginx:1.25
	ok "group-writable file: refused" eq "$RC" 1
	ln -s "$INST" "$TMP/link"
	hook "$TMP/link" nginx
	ok "symbolic link: not followed, refused" eq "$RC:$(has "$ERR" "symbolic link" && echo said)" 1:said
	mkdir "$TMP/dir"
	hook "$TMP/dir" nginx
	ok "a directory: refused" eq "$RC:$(has "$ERR" "not a regular file" && echo said)" 1:said
	if [ "$(id -u)" = 0 ] && getent passwd nobody >/dev/null; then
		cp "$INST" "$TMP/nobody"
		chown nobody "$TMP/nobody"
		hook "$TMP/nobody" nginx
		ok "file not owned by root: refused" eq "$RC:$(has "$ERR" "not owned by root" && echo said)" 1:said
	fi
	head -c $((16 * 1024 * 1024 + 1)) /dev/zero | tr '\0' x >"$TMP/big"
	hook "$TMP/big" nginx
	ok "file over 16 MiB: refused" eq "$RC:$(has "$ERR" "larger than 16 MiB" && echo said)" 1:said
	if command -v python3 >/dev/null; then	# a crsd that answers 503 to everything
		python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(4)
while True:
    c, _ = s.accept(); c.settimeout(2); c.recv(65536)
    c.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    # drain what is left of the request before closing: a close with unread
    # data sends a reset, and the hook would see that instead of the 503
    c.shutdown(socket.SHUT_WR)
    try:
        while c.recv(65536): pass
    except OSError: pass
    c.close()
' "$SOCK" &
		FAKE=$!
		for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
		hook "$INST" nginx:1.25
		ok "crsd answering 503: instrumented image refused" eq "$RC:$(has "$ERR" "(HTTP 503)" && echo said)" 1:said
		hook "$INST" nginx
		ok "crsd answering 503: uninstrumented image starts" eq "$RC" 0
		kill "$FAKE"
		{ wait "$FAKE"; } 2>/dev/null
		rm -f "$SOCK"
	fi
	hook "$INST" 'Not/A/Valid:Ref'
	ok "invalid reference: cannot be instrumented, exit 0" eq "$RC" 0
	state hk4 '{"io.crs.image": "nginx"}' | "$HOOK" --socket "$SOCK" delete 2>"$TMP/hook.err"
	ok "delete with crsd down: exit 0" eq "$?" 0
fi

echo "# event export"
EVJ=$TMP/events.jsonl
echo '{"old": "line"}' >"$EVJ"
chmod 640 "$EVJ"
: >"$TMP/crsd.log"
start --events-jsonl "$EVJ" || exit 1
ok "--events-jsonl: an existing file is appended to, not truncated" eq "$(cat "$EVJ")" '{"old": "line"}'
ok "--events-jsonl: logged at start" grep -q "events exported to $EVJ (JSON lines)" "$TMP/crsd.log"
req GET /api/v1/status
ok "status: export.jsonl with zero counts" eq "$(jq -c .export <<<"$BODY")" \
	"{\"jsonl\":{\"path\":\"$EVJ\",\"exported\":0,\"failed\":0,\"reopened\":0},\"syslog\":null,\"dropped\":0}"
req GET /metrics
ok "metrics: exported, failed and dropped counters" eq "$(grep -c -E \
	'^crsd_events_(exported_total\{sink="(jsonl|syslog)"\}|export_failed_total\{sink="jsonl"\}|export_dropped_total) 0$' \
	<<<"$BODY")" 4
mv "$EVJ" "$EVJ.1"
kill -HUP "$PID"
for _ in $(seq 50); do [ -e "$EVJ" ] && break; sleep 0.1; done
ok "SIGHUP after a rename: a new file, 0600" eq "$(stat -c %a "$EVJ" 2>/dev/null):$(wc -c <"$EVJ")" 600:0
ok "SIGHUP: reopening logged" grep -q "SIGHUP: --events-jsonl $EVJ reopened" "$TMP/crsd.log"
req GET /api/v1/status
ok "status: reopened 1" eq "$(j .export.jsonl.reopened)" 1
rm "$EVJ"
mkdir "$EVJ"
kill -HUP "$PID"
for _ in $(seq 50); do grep -q "still writing to the old file" "$TMP/crsd.log" && break; sleep 0.1; done
ok "SIGHUP when the path is a directory: the old file stays, logged" \
	grep -q "SIGHUP: --events-jsonl $EVJ: Is a directory; still writing to the old file" "$TMP/crsd.log"
rmdir "$EVJ"
stop
rm -f "$EVJ" "$EVJ.1"
start --events-jsonl "$EVJ" --events-syslog || exit 1
ok "--events-jsonl: created 0600" eq "$(stat -c %a "$EVJ")" 600
req GET /api/v1/status
ok "status: export.syslog with zero counts" eq "$(jq -c .export.syslog <<<"$BODY")" '{"sent":0}'
stop
"$CRSD" --socket "$SOCK" --db "$DB" --events-jsonl /proc/nonexistent/events.jsonl 2>"$TMP/err"
ok "--events-jsonl that cannot be created: exit 1, naming it" \
	eq "$?:$(grep -c -- '--events-jsonl /proc/nonexistent/events.jsonl: No such file or directory' "$TMP/err")" 1:1
ln -s "$TMP/elsewhere" "$TMP/evlink"
"$CRSD" --socket "$SOCK" --db "$DB" --events-jsonl "$TMP/evlink" 2>"$TMP/err"
ok "--events-jsonl through a symbolic link: exit 1" \
	eq "$?:$(grep -c "evlink: a symbolic link" "$TMP/err"):$(test -e "$TMP/elsewhere" && echo created)" 1:1:
ok "a failed start left no socket behind" test ! -e "$SOCK"
"$CRSD" --socket "$SOCK" --db "$DB" --events-jsonl 2>/dev/null
ok "--events-jsonl without a path: usage error" eq "$?" 2
if [ -n "$EXPORT_TEST" ]; then
	echo "# event export: events through the store, as the event thread sends them"
	OUT=$("$EXPORT_TEST" "$TMP/exp.db" "$TMP/exp.jsonl" "$TMP/exp.full" 2>"$TMP/exp.err")
	ok "export_test ran" eq "$?" 0
	ok "a write error is counted: 3 exported, 1 failed" \
		eq "$(tail -n1 <<<"$OUT" | jq -c '[.jsonl.exported, .jsonl.failed, .dropped]')" "[3,1,0]"
	ok "and logged once, naming the file and the error" eq "$(grep -c \
		"crsd: --events-jsonl $TMP/exp.full: write: File too large (events are still stored" "$TMP/exp.err")" 1
	ok "the file: created 0600, one line per event" eq "$(stat -c %a "$TMP/exp.jsonl"):$(wc -l <"$TMP/exp.jsonl")" 600:3
	SAVED_DB=$DB
	DB=$TMP/exp.db
	start || exit 1
	req GET /api/v1/events
	ok "the API has the 4 stored events (the one that failed to export too)" eq "$(j '.events | length')" 4
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		grep -qF -- "$line" "$TMP/body" || break
		[ "$(jq -r .seq <<<"$line")" = "$n" ] || break
	done <"$TMP/exp.jsonl"
	ok "each line is, byte for byte, the API's object for that event, in seq order" eq "$n" 3
	POL=$(curl -s --unix-socket "$SOCK" http://crsd/api/v1/policies | jq -r '.policies[0].id')
	ok "line 1: attributed by its cgroup (container, image, policy), kernel seq kept" \
		eq "$(sed -n 1p "$TMP/exp.jsonl" | jq -r '[.seq, .kernel_seq, .container, .image, .policy, .action, .path] | join(" ")')" \
		"1 7 c-exp docker.io/library/nginx:1.25 $POL deny /etc/shadow"
	ok "line 2: attributed by the deciding table's cgroup" \
		eq "$(sed -n 2p "$TMP/exp.jsonl" | jq -r '[.seq, .cgroup_id, .container, .action] | join(" ")')" "2 999 c-exp allow"
	ok "line 3: unattributed, nulls; escaped path intact" \
		eq "$(sed -n 3p "$TMP/exp.jsonl" | jq -c '[.seq, .container, .image, .policy, .path]')" \
		'[3,null,null,null,"/a/\"quoted\"/path"]'
	ok "no 'seq' of the kernel's left in a line" eq "$(grep -c '"seq":7\|"seq":8\|"seq":9' "$TMP/exp.jsonl")" 0
	stop
	DB=$SAVED_DB
	# syslog: /dev/log is, in a mount namespace of the test's own, a socket it reads
	if [ "$(id -u)" = 0 ] && command -v python3 >/dev/null && unshare -m true 2>/dev/null; then
		python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(10)
with open(sys.argv[2], "w") as f:
    try:
        while True:
            f.write(s.recv(65536).decode() + "\n"); f.flush()
    except socket.timeout:
        pass
' "$TMP/log.sock" "$TMP/syslog" &
		LOGGER=$!
		for _ in $(seq 50); do [ -S "$TMP/log.sock" ] && break; sleep 0.1; done
		rm -f "$TMP/exp2.db" "$TMP/exp2.jsonl"
		unshare -m sh -c 'mount -t tmpfs tmpfs /dev && ln -s "$1" /dev/log && shift && exec "$@"' sh \
			"$TMP/log.sock" "$EXPORT_TEST" "$TMP/exp2.db" "$TMP/exp2.jsonl" "$TMP/exp2.full" syslog \
			>"$TMP/exp2.out" 2>/dev/null
		ok "syslog: export_test ran, 3 sent" eq "$?:$(head -n1 "$TMP/exp2.out" | jq -c .syslog)" '0:{"sent":3}'
		for _ in $(seq 50); do [ "$(wc -l <"$TMP/syslog")" -ge 3 ] && break; sleep 0.1; done
		n=0
		while IFS= read -r line; do
			n=$((n + 1))
			pri=$([ "$(jq -r .action <<<"$line")" = deny ] && echo 28 || echo 30)
			msg=$(sed -n "${n}p" "$TMP/syslog")
			[[ "$msg" == "<$pri>"*" crsd["[0-9]*"]: crs event $line" ]] || break
		done <"$TMP/exp2.jsonl"
		ok "syslog: one message per event, ident crsd, LOG_DAEMON, warning for deny, info otherwise, 'crs event ' + the line" \
			eq "$n:$(wc -l <"$TMP/syslog")" 3:3
		kill "$LOGGER" 2>/dev/null
		{ wait "$LOGGER"; } 2>/dev/null
	fi
fi

echo "# --no-kernel"
start --no-kernel || exit 1
req GET /api/v1/containers/c1
ok "--no-kernel: reconcile disabled" eq "$(j .kernel.state)" disabled
stop

echo "# container discovery at start"
CGR=$TMP/cg RUN=$TMP/run BUN=$TMP/bundles
hex() { sha256sum <<<"$1" | cut -c1-64; }
A=$(hex a) B=$(hex b) C=$(hex c) D=$(hex d) E=$(hex e) F=$(hex f) G=$(hex g) H=$(hex h) I=$(hex i)
J=$(hex j)
bundle() {	# bundle NAME ANNOTATIONS-JSON: an OCI bundle's config.json
	mkdir -p "$BUN/$1"
	printf '{"ociVersion": "1.0.2", "root": {"path": "rootfs"}, "annotations": %s}' "$2" >"$BUN/$1/config.json"
}
crun_state() {	# crun_state DIR ID BUNDLE: crun's status file
	mkdir -p "$1/$2"
	printf '{"pid": 4242, "process-start-time": 1, "cgroup-path": "/x", "scope": "", "rootfs": "%s/rootfs", "systemd-cgroup": false, "bundle": "%s", "created": "2026-01-01T00:00:00Z", "detached": true, "external_descriptors": "[]"}' \
		"$3" "$3" >"$1/$2/status"
}
runc_state() {	# runc_state DIR ID BUNDLE: runc's state.json (the bundle is a config label)
	mkdir -p "$1/$2"
	printf '{"id": "%s", "init_process_pid": 4242, "init_process_start": 1, "created": "2026-01-01T00:00:00Z", "config": {"rootfs": "%s/rootfs", "labels": ["io.crs.image=not-this-one", "bundle=%s"]}, "rootless": false, "cgroup_paths": {"": "/x"}}' \
		"$2" "$3" "$3" >"$1/$2/state.json"
}
cgdir() { mkdir -p "$CGR/$1"; printf '%s\n' "${2-}" >"$CGR/$1/cgroup.procs"; }
# systemd driver: docker (runc), podman (crun), containerd (its runc root, namespace k8s.io)
cgdir "system.slice/docker-$A.scope" "4242"
runc_state "$RUN/runc" "$A" "$BUN/A"; bundle A '{"io.crs.image": "nginx:1.25"}'
cgdir "machine.slice/libpod-$B.scope" ""
cgdir "machine.slice/libpod-conmon-$B.scope"
crun_state "$RUN/crun" "$B" "$BUN/B"; bundle B '{"io.kubernetes.cri-o.ImageName": "quay.io/team/app:2"}'
cgdir "kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-$C.scope" "77"
runc_state "$RUN/containerd/k8s.io" "$C" "$BUN/C"; bundle C '{"io.kubernetes.cri.image-name": "registry.k8s.io/pause:3.9"}'
# cgroupfs driver
cgdir "kubepods/burstable/pod2/$D" "88"
crun_state "$RUN/crun" "$D" "$BUN/D"; bundle D '{"io.crs.image": "redis:7"}'
cgdir "docker/$E"
runc_state "$RUN/runc" "$E" "$BUN/E"; bundle E '{"org.opencontainers.image.title": "x"}'
cgdir "docker/$G"
runc_state "$RUN/runc" "$G" "$BUN/A"
cgdir "docker/${A:0:63}"
runc_state "$RUN/runc" "${A:0:63}" "$BUN/A"
# no runtime state; an invalid image; a container cgroup nested in another
cgdir "system.slice/crio-$F.scope"
cgdir "system.slice/docker-$H.scope"
runc_state "$RUN/runc" "$H" "$BUN/H"; bundle H '{"io.crs.image": "Not/Valid:x"}'
cgdir "system.slice/docker-$A.scope/inner/docker-$I.scope"
runc_state "$RUN/runc" "$I" "$BUN/A"
cgdir "kubepods"$'\n'"evil/$J"	# a newline in a parent's name: not a path crsd stores
runc_state "$RUN/runc" "$J" "$BUN/A"
# crun alone: /ID at the root, with state; a plain directory without
cgdir mybox "99"
crun_state "$RUN/crun" mybox "$BUN/mybox"; bundle mybox '{"io.crs.image": "alpine"}'
cgdir plain
start || exit 1
req POST /api/v1/containers "{\"id\": \"$G\", \"image\": \"busybox\", \"cgroup\": \"$CGR/docker/$G\"}"
ok "a 64-hex container id is accepted" eq "$CODE:$(j .id)" "201:$G"
req POST /api/v1/containers "{\"id\": \"${G}0\", \"image\": \"busybox\", \"cgroup\": \"/x\"}"
ok "a 65-character id is not" eq "$CODE:$(j .field)" "400:id"
req POST /api/v1/containers "{\"id\": \"gone\", \"image\": \"busybox\", \"cgroup\": \"$CGR/system.slice/gone.scope\"}"
ok "a container whose cgroup will be gone" eq "$CODE" 201
req GET /api/v1/containers
BEFORE=$(j '[.containers[].id] | join(",")')
stop
: >"$TMP/crsd.log"
DISC=(--cgroup-root "$CGR/" --runtime-state-dir "$RUN/crun" --runtime-state-dir "$RUN/runc"
	--runtime-state-dir "$RUN/containerd")
start || exit 1
req GET /api/v1/containers
ok "discovered: exactly the containers with state and an image" \
	eq "$(j '[.containers[] | select(.cgroup | startswith("'"$CGR"'/")) | .id + " " + .image] | join(",")')" \
	"$(printf '%s\n' "$A docker.io/library/nginx:1.25" "$B quay.io/team/app:2" \
		"$C registry.k8s.io/pause:3.9" "$D docker.io/library/redis:7" \
		"$G docker.io/library/busybox:latest" "mybox docker.io/library/alpine:latest" |
		LC_ALL=C sort | paste -sd, -)"
req GET "/api/v1/containers/$A"
ok "systemd scope (docker, runc state): cgroup, pid from cgroup.procs, no cgroup id off cgroupfs" \
	eq "$(j .cgroup):$(j .pid):$(j .cgroup_id)" "$CGR/system.slice/docker-$A.scope:4242:0"
req GET "/api/v1/containers/$B"
ok "libpod scope (crun state): empty cgroup.procs gives pid 0" eq "$(j .cgroup):$(j .pid)" "$CGR/machine.slice/libpod-$B.scope:0"
req GET "/api/v1/containers/$C"
ok "cri-containerd scope (containerd's runc root, one namespace down)" eq "$(j .cgroup):$(j .pid)" \
	"$CGR/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1.slice/cri-containerd-$C.scope:77"
req GET "/api/v1/containers/$D"
ok "cgroupfs kubepods leaf" eq "$(j .cgroup):$(j .pid)" "$CGR/kubepods/burstable/pod2/$D:88"
req GET /api/v1/containers/mybox
ok "crun's default /ID with state" eq "$(j .cgroup):$(j .pid)" "$CGR/mybox:99"
req GET "/api/v1/containers/$G"
ok "a known container is left as it was" eq "$(j .image)" docker.io/library/busybox:latest
ok "discovery logged with id, image and cgroup" \
	grep -qF "crsd: discovered container $A (image docker.io/library/nginx:1.25) in $CGR/system.slice/docker-$A.scope" "$TMP/crsd.log"
ok "no image annotation: skipped, said why" grep -qF \
	"crsd: discovery: container $E in $CGR/docker/$E: $BUN/E/config.json: no image annotation" "$TMP/crsd.log"
ok "no runtime state: skipped, said so" grep -qF \
	"crsd: discovery: container $F in $CGR/system.slice/crio-$F.scope: no runtime state for it; skipped" "$TMP/crsd.log"
ok "an invalid image: skipped, said why" grep -qF "crsd: discovery: container $H in $CGR/system.slice/docker-$H.scope: image Not/Valid:x:" "$TMP/crsd.log"
ok "a control character in the cgroup path: skipped, logged printable" grep -qF \
	"crsd: discovery: container $J in $CGR/kubepods?evil/$J: a cgroup path crsd does not accept" "$TMP/crsd.log"
for x in "$I" "${A:0:63}" "conmon-$B" plain "$J"; do
	req GET "/api/v1/containers/$x"
	ok "not registered: ${x:0:20}... (nested, 63 hex, conmon, no state, bad path)" eq "$CODE" 404
done
ok "nothing said about cgroups that are not containers" eq "$(grep -c -e plain -e conmon -e "$I" "$TMP/crsd.log")" 0
ok "no control character reached the log" eq "$(grep -c '^evil' "$TMP/crsd.log")" 0
req GET /api/v1/containers/gone
ok "a stored container whose cgroup is gone: removed" eq "$CODE" 404
ok "and logged" grep -qF "crsd: container gone: its cgroup $CGR/system.slice/gone.scope is gone" "$TMP/crsd.log"
req GET /api/v1/containers/c1
ok "a stored container outside the cgroup root: kept" eq "$CODE" 200
ok "summary" grep -qF "crsd: discovery: 5 registered, 4 skipped, 1 already known, 1 removed" "$TMP/crsd.log"
stop
start || exit 1
ok "again: nothing new" grep -qF "crsd: discovery: 0 registered, 4 skipped, 6 already known, 0 removed" "$TMP/crsd.log"
stop
DISC=(--cgroup-root "$TMP/no-tree" --runtime-state-dir "$RUN/crun")
start || exit 1
req POST /api/v1/containers "{\"id\": \"under\", \"image\": \"busybox\", \"cgroup\": \"$TMP/no-tree/x\"}"
stop
start || exit 1
req GET /api/v1/containers/under
ok "no cgroup tree: nothing removed, said so" eq "$CODE:$(grep -c \
	"discovery: $TMP/no-tree: No such file or directory; no containers discovered or removed" "$TMP/crsd.log")" 200:2
req DELETE /api/v1/containers/under
stop
"$CRSD" --socket "$SOCK" --db "$DB" --cgroup-root relative 2>/dev/null
ok "--cgroup-root not absolute: usage error" eq "$?" 2
DISC=(--cgroup-root "$TMP/cg-none" --runtime-state-dir "$TMP/run-none")

echo "# socket group"
if getent group nogroup >/dev/null; then
	start --socket-group nogroup || exit 1
	ok "--socket-group sets the socket's group" eq "$(stat -c %G "$SOCK")" nogroup
	ok "and keeps mode 0660" eq "$(stat -c %a "$SOCK")" 660
	stop
fi
"$CRSD" --socket "$SOCK" --db "$DB" --socket-group no-such-group-xyz 2>/dev/null
ok "unknown --socket-group: usage error" eq "$?" 2

if command -v sqlite3 >/dev/null; then
	echo "# live event stream (SSE)"
	start || exit 1
	add_event() {	# add_event TYPE ACTION PATH
		sqlite3 -cmd '.timeout 5000' "$DB" "INSERT INTO events (time_ns, container_id, type,
			action, json) VALUES ($(date +%s%N), 'c1', '$1', '$2', '{\"path\": \"$3\"}')"
	}
	wait_for() {	# wait_for FILE PATTERN: up to 5 s
		for _ in $(seq 50); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
		return 1
	}
	curl -s -N --unix-socket "$SOCK" "http://crsd/api/v1/events/stream?type=file" >"$TMP/sse" &
	SSE=$!
	ok "stream opens at once" wait_for "$TMP/sse" '^: crsd event stream'
	add_event execute deny /bin/sh
	add_event file deny /etc/shadow
	ok "a new event arrives" wait_for "$TMP/sse" '"path":"/etc/shadow"'
	ok "filtered: the execute event does not" eq "$(grep -c '/bin/sh' "$TMP/sse")" 0
	ok "events before the stream are not replayed" eq "$(grep -c '/data' "$TMP/sse")" 0
	ok "SSE framing" eq "$(grep -c '^event: event$' "$TMP/sse"):$(grep -c '^id: [0-9]' "$TMP/sse")" 1:1
	LAST=$(sed -n 's/^id: //p' "$TMP/sse" | tail -n1)
	curl -s -N --max-time 2 --unix-socket "$SOCK" -H "Last-Event-ID: $((LAST - 1))" \
		"http://crsd/api/v1/events/stream" >"$TMP/sse2"
	ok "Last-Event-ID resumes after that event" eq "$(grep -c '^data:' "$TMP/sse2")" 1
	req GET "/api/v1/events/stream?limit=5"
	ok "limit on a stream 400" eq "$CODE:$(j .field)" "400:limit"
	req GET "/api/v1/events/stream?type=nope"
	ok "bad filter on a stream 400" eq "$CODE:$(j .field)" "400:type"
	req POST /api/v1/events/stream '{}'
	ok "POST to the stream 405" eq "$CODE" 405
	pids=()
	for i in $(seq 15); do	# 16 with the first
		curl -s -N --unix-socket "$SOCK" http://crsd/api/v1/events/stream >"$TMP/sse.$i" &
		pids+=($!)
	done
	for i in $(seq 15); do wait_for "$TMP/sse.$i" '^: crsd' || break; done
	req GET /api/v1/events/stream
	ok "a 17th stream: 503" eq "$CODE" 503
	req GET /api/v1/status
	ok "the API still answers beside 16 streams" eq "$CODE" 200
	kill "${pids[@]}" 2>/dev/null
	{ wait "${pids[@]}"; } 2>/dev/null
	t0=$(date +%s%N)
	stop
	ok "clean stop with a stream open ($(( ($(date +%s%N) - t0) / 1000000 )) ms)" \
		test $(( ($(date +%s%N) - t0) / 1000000 )) -lt 5000
	{ wait "$SSE"; } 2>/dev/null
fi

echo "# web console: its files, sessions, CSRF (docs/console.md)"
UI=$(cd "$(dirname "$0")/../../ui" && pwd)
CSP="default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
CTOK=00112233445566778899aabbccddeeff
printf '%s\n' "$CTOK" >"$TMP/ctoken"
chmod 600 "$TMP/ctoken"
: >"$TMP/crsd.log"
start --listen 127.0.0.1:0 --token-file "$TMP/ctoken" || exit 1
PORT=$(sed -n 's/.*listening on tcp 127.0.0.1:\([0-9]*\).*/\1/p' "$TMP/crsd.log")
B=http://127.0.0.1:$PORT
# tc [curl args...]: a request on TCP; sets CODE, BODY and HDRS (CRs removed).
tc() {
	: >"$TMP/body"
	CODE=$(curl -s --path-as-is -D "$TMP/hdrs" -o "$TMP/body" -w '%{http_code}' "$@")
	BODY=$(cat "$TMP/body")
	HDRS=$(tr -d '\r' <"$TMP/hdrs")
}
hdr() { sed -n "s/^$1: //Ip" <<<"$HDRS" | head -n1; }	# hdr NAME: its value
login() {	# login TOKEN: sets CODE, BODY, HDRS; SID and CSRF on success
	tc -X POST -H 'Content-Type: application/json' -d "{\"token\": \"$1\"}" "$B/api/v1/session"
	SID=$(hdr set-cookie | sed -n 's/^crsd_session=\([0-9a-f]*\);.*/\1/p')
	CSRF=$(j .csrf)
}
tc "$B/"
ok "/ without a token: the console's page" eq "$CODE:$(hdr content-type)" "200:text/html; charset=utf-8"
ok "/ is ui/index.html byte for byte" cmp -s "$TMP/body" "$UI/index.html"
ok "console page: Content-Security-Policy" eq "$(hdr content-security-policy)" "$CSP"
ok "console page: nosniff, no referrer" eq "$(hdr x-content-type-options):$(hdr referrer-policy)" nosniff:no-referrer
ok "console page: revalidated, strong ETag of 16 hex digits" \
	has "$(hdr cache-control) $(hdr etag)" '^no-cache "[0-9a-f]\{16\}"$'
ETAG=$(hdr etag)
tc -H "If-None-Match: $ETAG" "$B/"
ok "If-None-Match with its ETag: 304, no body" eq "$CODE:$(wc -c <"$TMP/body"):$(hdr etag)" "304:0:$ETAG"
for f in "$UI"/*.js "$UI"/*.css "$UI"/*.html; do
	n=${f##*/}
	case $n in *.js) t='text/javascript; charset=utf-8' ;; *.css) t='text/css; charset=utf-8' ;;
	*) t='text/html; charset=utf-8' ;; esac
	tc "$B/ui/$n"
	ok "/ui/$n: 200 $t, the file, with the CSP" \
		eq "$CODE:$(hdr content-type):$(cmp -s "$TMP/body" "$f" && echo same):$(hdr content-security-policy)" "200:$t:same:$CSP"
done
tc "$B/ui/nope.js"
ok "/ui/ unknown file: 404" eq "$CODE" 404
tc "$B/ui/../api/v1/status"
ok "/ui/../: 404, not the API" eq "$CODE" 404
tc -X POST -H "Authorization: Bearer $CTOK" -H 'Content-Type: application/json' -d '{}' "$B/"
ok "POST /: 405 GET" eq "$CODE:$(hdr allow)" "405:GET"
tc "$B/api/v1/status"
ok "the API without a token or session: still 401" eq "$CODE" 401
tc -H "Authorization: Bearer $CTOK" "$B/api/v1/status"
ok "API responses carry the CSP and nosniff too" eq "$CODE:$(hdr content-security-policy):$(hdr x-content-type-options)" "200:$CSP:nosniff"

login 00112233445566778899aabbccddeeffX
ok "login with a wrong token: 401 on the field, no cookie" eq "$CODE:$(j .field):$(hdr set-cookie)" "401:token:"
login "${CTOK:0:31}"
ok "login with a token's prefix: 401" eq "$CODE" 401
tc -X POST -H 'Content-Type: text/plain' -d "{\"token\": \"$CTOK\"}" "$B/api/v1/session"
ok "login as text/plain: 415" eq "$CODE" 415
tc -X POST -H 'Content-Type: application/json' -d '{"token": 5}' "$B/api/v1/session"
ok "login with a token that is not a string: 400 on the field" eq "$CODE:$(j .field)" 400:token
tc -X POST -H 'Content-Type: application/json' -d "{\"token\": \"$CTOK\", \"x\": 1}" "$B/api/v1/session"
ok "login with an unknown field: 400 on it" eq "$CODE:$(j .field)" 400:x
login "$CTOK"
ok "login: 201" eq "$CODE:$(j .auth):$(j .idle_timeout):$(j .max_age)" 201:session:3600:43200
ok "login: the cookie, exactly (HttpOnly, SameSite=Strict, Path=/, no Secure on plain HTTP)" \
	eq "$(hdr set-cookie)" "crsd_session=$SID; Path=/; HttpOnly; SameSite=Strict"
ok "session id and CSRF token: 64 hex digits each, different" \
	eq "${#SID}:${#CSRF}:$(grep -c '^[0-9a-f]*$' <<<"$SID$CSRF"):$([ "$SID" != "$CSRF" ] && echo diff)" 64:64:1:diff
CK=(-H "Cookie: crsd_session=$SID")
JS=(-H 'Content-Type: application/json')
tc "${CK[@]}" "$B/api/v1/policies"
ok "cookie: GET of the API 200" eq "$CODE" 200
tc "${CK[@]}" "$B/api/v1/session"
ok "GET /api/v1/session: the session and its CSRF token" eq "$(j .auth):$(j .csrf)" "session:$CSRF"
OTHER=${SID%?}$([ "${SID: -1}" = 0 ] && echo 1 || echo 0)	# the id with its last digit changed
tc -H "Cookie: crsd_session=$OTHER" "$B/api/v1/policies"
ok "cookie with an unknown session id: 401" eq "$CODE" 401
CP='{"name": "console-p", "mode": "monitor"}'
tc "${CK[@]}" "${JS[@]}" -X POST -d "$CP" "$B/api/v1/policies"
ok "cookie: POST without X-CRSD-CSRF 403" eq "$CODE:$(j .error)" \
	"403:a change made with a session needs its X-CRSD-CSRF header"
tc "${CK[@]}" "${JS[@]}" -H "X-CRSD-CSRF: ${CSRF%?}x" -X POST -d "$CP" "$B/api/v1/policies"
ok "cookie: POST with a wrong X-CRSD-CSRF 403" eq "$CODE" 403
tc "${CK[@]}" "${JS[@]}" -H "X-CRSD-CSRF: $SID" -X POST -d "$CP" "$B/api/v1/policies"
ok "cookie: the session id as the CSRF token 403" eq "$CODE" 403
req GET /api/v1/policies
ok "nothing was created by the refused requests" eq "$(j '[.policies[] | select(.name == "console-p")] | length')" 0
tc "${CK[@]}" "${JS[@]}" -H "X-CRSD-CSRF: $CSRF" -X POST -d "$CP" "$B/api/v1/policies"
ok "cookie: POST with the right X-CRSD-CSRF 201" eq "$CODE:$(j .name)" 201:console-p
CPID=$(j .id)
ok "audit log: the change, from a console session" \
	grep -q "audit: tcp 127.0.0.1 (console session): POST /api/v1/policies -> 201" "$TMP/crsd.log"
tc "${CK[@]}" "${JS[@]}" -H "X-CRSD-CSRF: $CSRF" -H 'Origin: http://evil.example' \
	-X PUT -d "{\"policy\": \"$CPID\"}" "$B/api/v1/images/console/policy"
ok "cookie, right CSRF, another Origin: 403" eq "$CODE:$(j .error)" \
	"403:cross-origin request refused (Origin does not match Host)"
tc "${CK[@]}" "${JS[@]}" -H "X-CRSD-CSRF: $CSRF" -H "Origin: https://127.0.0.1:$PORT" \
	-X PUT -d "{\"policy\": \"$CPID\"}" "$B/api/v1/images/console/policy"
ok "Origin with https on a plain listener: 403" eq "$CODE" 403
tc "${CK[@]}" "${JS[@]}" -H "X-CRSD-CSRF: $CSRF" -H 'Origin: null' \
	-X PUT -d "{\"policy\": \"$CPID\"}" "$B/api/v1/images/console/policy"
ok "Origin null: 403" eq "$CODE" 403
tc -H "Authorization: Bearer $CTOK" "${JS[@]}" -H 'Origin: http://evil.example' \
	-X PUT -d "{\"policy\": \"$CPID\"}" "$B/api/v1/images/console/policy"
ok "bearer token with another Origin: 403 too" eq "$CODE" 403
req PUT /api/v1/images/console/policy "{\"policy\": \"$CPID\"}" -- -H 'Origin: http://evil.example'
ok "the Unix socket with another Origin: 403" eq "$CODE" 403
tc "${CK[@]}" "${JS[@]}" -H "X-CRSD-CSRF: $CSRF" -H "Origin: http://127.0.0.1:$PORT" \
	-X PUT -d "{\"policy\": \"$CPID\"}" "$B/api/v1/images/console/policy"
ok "cookie, right CSRF, same Origin: 201" eq "$CODE" 201
tc "${CK[@]}" -H 'Origin: http://evil.example' "$B/api/v1/images"
ok "a GET from another Origin is answered (reads change nothing; no CORS: the page cannot read it)" \
	eq "$CODE:$(hdr access-control-allow-origin)" 200:
tc -H "Authorization: Bearer $CTOK" "${JS[@]}" -X DELETE "$B/api/v1/images/console/policy"
ok "bearer token: changes need no CSRF header, as before" eq "$CODE" 204
tc -H "Authorization: Bearer $CTOK" "$B/api/v1/session"
ok "GET /api/v1/session with the token: auth token, no CSRF" eq "$(j .auth):$(j .csrf)" token:null
req GET /api/v1/session
ok "GET /api/v1/session on the socket: auth socket" eq "$CODE:$(j .auth)" 200:socket
req POST /api/v1/session "{\"token\": \"$CTOK\"}"
ok "login on the socket: 400 (it needs none)" eq "$CODE" 400

tc "${CK[@]}" -X DELETE "$B/api/v1/session"
ok "logout without the CSRF header: 403" eq "$CODE" 403
tc "${CK[@]}" -H "X-CRSD-CSRF: $CSRF" -X DELETE "$B/api/v1/session"
ok "logout: 204, the cookie expired" eq "$CODE:$(hdr set-cookie)" \
	"204:crsd_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"
tc "${CK[@]}" "$B/api/v1/policies"
ok "after logout the cookie is refused: 401" eq "$CODE" 401

login "$CTOK"
FIRST=$SID
for i in $(seq 64); do login "$CTOK"; [ "$CODE" = 201 ] || break; [ "$i" = 1 ] && SECOND=$SID; done
ok "64 more logins: 201 each" eq "$CODE" 201
tc -H "Cookie: crsd_session=$FIRST" "$B/api/v1/policies"
ok "the 65th session evicts the oldest: 401" eq "$CODE" 401
tc -H "Cookie: crsd_session=$SECOND" "$B/api/v1/policies"
ok "the second oldest still works" eq "$CODE" 200
tc -H "Cookie: crsd_session=$SID" "$B/api/v1/policies"
ok "the newest works" eq "$CODE" 200
printf '%s\n' "${CTOK//0/9}" >"$TMP/ctoken"
kill -HUP "$PID"
for _ in $(seq 50); do
	[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${CTOK//0/9}" "$B/api/v1/status")" = 200 ] && break
	sleep 0.1
done
tc -H "Cookie: crsd_session=$SID" "$B/api/v1/policies"
ok "SIGHUP with a new token ends every session" eq "$CODE" 401
req DELETE "/api/v1/policies/$CPID"
stop
CTOK=${CTOK//0/9}
: >"$TMP/crsd.log"
start --listen 127.0.0.1:0 --token-file "$TMP/ctoken" --session-idle 4 --session-max-age 7 || exit 1
PORT=$(sed -n 's/.*listening on tcp 127.0.0.1:\([0-9]*\).*/\1/p' "$TMP/crsd.log")
B=http://127.0.0.1:$PORT
login "$CTOK"
ok "--session-idle 4 --session-max-age 7: said at login" eq "$CODE:$(j .idle_timeout):$(j .max_age)" 201:4:7
AGED=$SID
login "$CTOK"
IDLE=$SID
sleep 2.5
tc -H "Cookie: crsd_session=$AGED" "$B/api/v1/status"
ok "used after 2.5 s: still valid" eq "$CODE" 200
sleep 2.5
tc -H "Cookie: crsd_session=$AGED" "$B/api/v1/status"
ok "used again 2.5 s later: still valid (5 s old)" eq "$CODE" 200
tc -H "Cookie: crsd_session=$IDLE" "$B/api/v1/status"
ok "unused for 5 s: ended (idle)" eq "$CODE" 401
sleep 3
tc -H "Cookie: crsd_session=$AGED" "$B/api/v1/status"
ok "8 s after login, used 3 s ago: ended (max age)" eq "$CODE" 401
stop
for o in --session-idle --session-max-age; do
	"$CRSD" --socket "$SOCK" --db "$DB" "$o" 0 2>/dev/null
	ok "$o 0: usage error" eq "$?" 2
done
if [ -f "$TMP/tls.crt" ]; then
	: >"$TMP/crsd.log"
	start "${TLSOPT[@]}" --tls-cert "$TMP/tls.crt" --tls-key "$TMP/tls.key" || exit 1
	PORT=$(sed -n 's/.*listening on tcp 127.0.0.1:\([0-9]*\) (TLS)$/\1/p' "$TMP/crsd.log")
	TOKNOW=$(cat "$TMP/token")
	tc --cacert "$TMP/tls.crt" -X POST "${JS[@]}" -d "{\"token\": \"$TOKNOW\"}" "https://127.0.0.1:$PORT/api/v1/session"
	ok "login over TLS: the cookie is Secure" has "$CODE $(hdr set-cookie)" \
		'^201 crsd_session=[0-9a-f]\{64\}; Path=/; HttpOnly; SameSite=Strict; Secure$'
	tc --cacert "$TMP/tls.crt" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKNOW" \
		-H "Origin: http://127.0.0.1:$PORT" -X POST -d '{}' "https://127.0.0.1:$PORT/api/v1/policies"
	ok "TLS: an http:// Origin is another origin: 403" eq "$CODE" 403
	stop
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
