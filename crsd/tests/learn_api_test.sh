#!/bin/bash
# learn_api_test.sh CRSD [LEARN_STORE_TEST] - crsd's learning API on the host
# (no crs.ko): the schema 2 -> 3 upgrade, the learning override, profiles
# seeded through sqlite3 into the store (paging, delete, the image's
# aggregate), policy templates (new, merge, dry run, per-type defaults, If-Match, 404s, 400s
# naming the field, the incomplete gate and force) and the gate on PUT,
# PATCH and overrides. LEARN_STORE_TEST (crsd/tests/learn_store_test.c)
# feeds dumps into the store as the learn thread does (two containers of one
# image, drops). Needs curl, jq and sqlite3. Prints "ok"/"not ok" per check
# and ends with "N passed, N failed".
set -uo pipefail
CRSD=$(realpath "${1:?usage: $0 path/to/crsd [path/to/learn_store_test]}")
STORE_TEST=${2:+$(realpath "$2")}
TMP=$(mktemp -d /tmp/crsd-learn-test.XXXXXX)
. "$(dirname "$0")/lib.sh"
DISC+=(--no-kernel)

# req METHOD PATH [BODY] [-- curl args]: sets CODE, BODY (and $TMP/headers).
req() {
	local m=$1 p=$2 body=${3-}
	local args=(-s --path-as-is --unix-socket "$SOCK" -X "$m" -o "$TMP/body" -D "$TMP/headers"
		    -w '%{http_code}')
	shift 2
	[ $# -gt 0 ] && shift
	[ "${1-}" = -- ] && shift
	if [ -n "$body" ]; then
		printf '%s' "$body" >"$TMP/req"
		args+=(--data-binary "@$TMP/req" -H "Content-Type: application/json")
	fi
	CODE=$(curl "${args[@]}" "$@" "http://crsd$p")
	BODY=$(cat "$TMP/body")
}
hdr() { sed -n "s/^$1: \(.*\)\r$/\1/Ip" "$TMP/headers"; }
sql() { sqlite3 -cmd '.timeout 5000' "$DB" "$@"; }

command -v sqlite3 >/dev/null || { echo "# sqlite3 is needed"; exit 1; }

echo "# schema 2 -> 3"
start || exit 1
req POST /api/v1/policies '{"name": "keep", "mode": "monitor"}'
KEEP_ID=$(j .id)
req POST /api/v1/containers '{"id": "old", "image": "old:1", "cgroup": "/sys/fs/cgroup/old"}'
req PUT /api/v1/containers/old/overrides '{"mode": "disabled"}'
stop
sql "DROP TABLE observations; DROP TABLE profiles;
	ALTER TABLE policies DROP COLUMN incomplete; ALTER TABLE policies DROP COLUMN incomplete_dropped;
	ALTER TABLE overrides DROP COLUMN learning; DELETE FROM schema_version WHERE version = 3;"
ok "downgraded to version 2" eq "$(sql 'SELECT max(version) FROM schema_version')" 2
start || exit 1
ok "upgrade logged" grep -q "schema version 2 upgraded to 3" "$TMP/crsd.log"
req GET /api/v1/status
ok "schema version 3" eq "$(j .store.schema_version)" 3
ok "the new tables" eq "$(sql "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master
	WHERE type = 'table' AND name IN ('profiles', 'observations') ORDER BY name)")" observations,profiles
req GET "/api/v1/policies/$KEEP_ID"
ok "policy kept, not incomplete" eq "$CODE:$(j .name):$(j .incomplete)" 200:keep:false
req GET /api/v1/containers/old
ok "override kept, learning not overridden" eq "$(j .overrides.mode):$(j .overrides.learning)" disabled:null
ok "status: learning object" eq "$(jq -c '.learning | [.running, .hints, .overruns, .dumps, .observations]' <<<"$(curl -s --unix-socket "$SOCK" http://crsd/api/v1/status)")" '[false,0,0,0,0]'
stop
# A store from a newer crsd is refused.
sql "INSERT INTO schema_version VALUES (4)"
"$CRSD" --socket "$SOCK" --db "$DB" "${DISC[@]}" 2>"$TMP/newer.log"
ok "schema 4: refused, exit 1" eq "$?:$(grep -c 'schema version 4 is newer' "$TMP/newer.log")" 1:1
rm -f "$DB" "$DB-wal" "$DB-shm"

"$CRSD" --learn-poll-ms 10 2>/dev/null
ok "--learn-poll-ms 10: usage error" eq "$?" 2

start || exit 1
echo "# the learning override"
req POST /api/v1/containers '{"id": "c1", "image": "app:1", "cgroup": "/sys/fs/cgroup/c1", "cgroup_id": 101}'
ok "no learning by default" eq "$(j .overrides.learning):$(j .learning.effective):$(j .learning.state)" null:false:null
req PUT /api/v1/containers/c1/overrides '{"learning": true}'
ok "override learning on" eq "$CODE:$(j .overrides.learning):$(j .learning.effective)" 200:true:true
ok "no policy, learning: the learning-only table's mode" eq "$(j .effective_mode):$(j .policy)" monitor:null
req GET /api/v1/containers/c1/overrides
ok "GET overrides has learning" eq "$(jq -c . <<<"$BODY")" '{"mode":null,"log":null,"passive":null,"learning":true}'
req PATCH /api/v1/containers/c1/overrides '{"log": "all"}'
ok "PATCH keeps learning" eq "$(j .overrides.learning)" true
req PUT /api/v1/containers/c1/overrides '{"learning": "yes"}'
ok "learning: not a boolean 400" eq "$CODE:$(j .field)" 400:learning
req PATCH /api/v1/containers/c1/overrides '{"learning": null}'
ok "learning null: not overridden" eq "$(j .overrides.learning):$(j .learning.effective):$(j .effective_mode)" null:false:none
req POST /api/v1/policies '{"name": "learner", "mode": "monitor", "learning": true}'
LEARNER=$(j .id)
req PUT /api/v1/images/app:1/policy "{\"policy\": \"$LEARNER\"}"
req GET /api/v1/containers/c1
ok "the policy's learning" eq "$(j .learning.effective)" true
req PATCH /api/v1/containers/c1/overrides '{"learning": false}'
ok "override off beats the policy's" eq "$(j .overrides.learning):$(j .learning.effective)" false:false
req DELETE /api/v1/containers/c1/overrides
ok "overrides deleted" eq "$CODE" 204
req GET /api/v1/containers/c1
ok "learning follows the policy again" eq "$(j .overrides.learning):$(j .learning.effective)" null:true
req DELETE /api/v1/images/app:1/policy

echo "# profiles (seeded)"
req POST /api/v1/containers '{"id": "c2", "image": "app:1", "cgroup": "/sys/fs/cgroup/c2", "cgroup_id": 102}'
IMG=docker.io/library/app:1
NOW=1795888900000000000
# seed SCOPE KEY DROPPED DROPPED_LONG: a profile; obs SCOPE KEY OKEY JSON ACCESS OUTCOME
seed() {
	sql "INSERT INTO profiles (scope, key, image, dropped, dropped_long, kernel_epoch,
		kernel_generation, updated, synced) VALUES ('$1', '$2', '$IMG', $3, $4, 7, 9, $NOW, $NOW)"
}
obs() {
	sql "INSERT INTO observations (profile_id, key, type, program, json, access, outcome, first_seen,
		last_seen) VALUES ((SELECT id FROM profiles WHERE scope = '$1' AND key = '$2'), '$3',
		json_extract('$4', '\$.type'), json_extract('$4', '\$.program'), '$4', $5, $6, $NOW, $NOW)"
}
R='{"type":"file","program":"/bin/cat","outcome":"allowed","path":"/etc/hosts","access":"read"}'
S='{"type":"file","program":"/bin/cat","outcome":"allowed","path":"/etc/passwd","access":"read"}'
X='{"type":"execute","program":"/bin/sh","outcome":"allowed","path":"/bin/cat"}'
seed container c1 0 0
obs container c1 "file /bin/cat /etc/passwd" "$S" 1 1
obs container c1 "file /bin/cat /etc/hosts" "$R" 3 3
obs container c1 "execute /bin/sh /bin/cat" "$X" 4 1
seed image "$IMG" 0 0
obs image "$IMG" "file /bin/cat /etc/hosts" "$R" 1 1
req GET /api/v1/containers/c1/profile
ok "GET profile 200" eq "$CODE:$(j .version):$(j .scope):$(j .container):$(j .image)" "200:1:container:c1:$IMG"
ok "sorted by key" eq "$(j '[.observations[].path] | join(",")')" /bin/cat,/etc/hosts,/etc/passwd
ok "access and outcome from the columns (OR-ed bits)" \
	eq "$(j '.observations[1] | [.access, .outcome] | join(" ")')" "read,write allowed,denied"
ok "header: complete, no drops, counts" \
	eq "$(jq -c '[.complete, .dropped, .records, .observations_total, .epoch, .generation, .cgroup_id, .next_cursor]' <<<"$BODY")" \
	'[true,{"full":0,"long":0},3,3,7,9,101,null]'
ok "first_seen, last_seen, key" eq "$(j '.observations[0] | [.key, .first_seen] | join(" ")')" \
	"execute /bin/sh /bin/cat 2026-11-28T18:01:40.000000000Z"
req GET '/api/v1/containers/c1/profile?limit=2'
ok "limit 2: a page and next_cursor" eq "$(j '.observations | length'):$(j .next_cursor)" "2:file /bin/cat /etc/hosts"
req GET "/api/v1/containers/c1/profile?limit=2&cursor=$(jq -rn --arg c 'file /bin/cat /etc/hosts' '$c|@uri')"
ok "the next page: the last, no cursor" eq "$(j '[.observations[].path] | join(",")'):$(j .next_cursor)" /etc/passwd:null
for bad in 0 10001 x -1; do
	req GET "/api/v1/containers/c1/profile?limit=$bad"
	ok "limit=$bad: 400 limit" eq "$CODE:$(j .field)" 400:limit
done
req GET /api/v1/containers/c2/profile
ok "a container without a profile: empty" eq "$CODE:$(j '.observations | length'):$(j .complete)" 200:0:true
req GET /api/v1/containers/nosuch/profile
ok "unknown container 404" eq "$CODE" 404
req POST /api/v1/containers/c1/profile '{}'
ok "POST profile 405" eq "$CODE:$(hdr allow)" "405:GET, DELETE"
req GET "/api/v1/images/app:1/profile"
ok "the image's profile" eq "$CODE:$(j .scope):$(j .image):$(j '.observations | length')" "200:image:$IMG:1"
req GET "/api/v1/images/docker.io%2Flibrary%2Fapp%3A1/profile"
ok "percent-encoded image" eq "$CODE:$(j .image)" "200:$IMG"
req GET /api/v1/images/nosuch:1/profile
ok "image without a profile 404" eq "$CODE" 404
req GET /api/v1/images/BAD..ref/profile
ok "bad image 400" eq "$CODE:$(j .field)" 400:image

echo "# the incomplete gate on PUT, PATCH and overrides"
req POST /api/v1/policies '{"name": "gated", "mode": "monitor"}'
GATED=$(j .id)
sql "UPDATE policies SET incomplete = 1, incomplete_dropped = 5 WHERE id = '$GATED'"
req GET "/api/v1/policies/$GATED"
ok "incomplete shown" eq "$(j .incomplete)" true
req GET /api/v1/policies
ok "incomplete in the list" eq "$(j ".policies[] | select(.id == \"$GATED\") | .incomplete")" true
req PUT "/api/v1/policies/$GATED" '{"name": "gated", "mode": "enforce"}'
ok "PUT enforce: 409 mode" eq "$CODE:$(j .field):$(j .error)" \
	"409:mode:policy $GATED was generated from a profile that dropped 5 observations; add force=true to enforce it"
req PATCH "/api/v1/policies/$GATED" '{"mode": "enforce"}'
ok "PATCH enforce: 409 mode" eq "$CODE:$(j .field)" 409:mode
req GET "/api/v1/policies/$GATED"
ok "unchanged after the 409s" eq "$(j .revision):$(j .policy.mode)" 1:monitor
req PATCH "/api/v1/policies/$GATED" '{"description": "still monitor"}'
ok "PATCH that stays monitor: 200, still incomplete" eq "$CODE:$(j .incomplete)" 200:true
req PUT "/api/v1/policies/$GATED?force=maybe" '{"name": "gated", "mode": "enforce"}'
ok "force=maybe 400" eq "$CODE:$(j .field)" 400:force
req PUT /api/v1/images/app:1/policy "{\"policy\": \"$GATED\"}"
req PUT /api/v1/containers/c2/overrides '{"mode": "enforce"}'
ok "override enforce on an incomplete policy: 409 mode" eq "$CODE:$(j .field)" 409:mode
req PUT /api/v1/containers/c2/overrides '{"mode": "monitor"}'
ok "override monitor: 200" eq "$CODE" 200
req PUT '/api/v1/containers/c2/overrides?force=true' '{"mode": "enforce"}'
ok "override enforce with force: 200, enforcing" eq "$CODE:$(j .effective_mode)" 200:enforce
ok "audit line for the cleared flag" grep -q "crsd: audit: policy $GATED: incomplete flag (5 observations dropped) cleared by force=true" "$TMP/crsd.log"
req GET "/api/v1/policies/$GATED"
ok "force cleared the flag" eq "$(j .incomplete)" false
sql "UPDATE policies SET incomplete = 1, incomplete_dropped = 2 WHERE id = '$GATED'"
req GET /api/v1/containers/c2
ok "an incomplete policy is capped at monitor" eq "$(j .effective_mode)" monitor
req PUT "/api/v1/policies/$GATED?force=true" '{"name": "gated", "mode": "enforce"}'
ok "PUT enforce with force: 200, flag cleared" eq "$CODE:$(j .incomplete):$(j .policy.mode)" 200:false:enforce
req DELETE /api/v1/containers/c2/overrides
req DELETE /api/v1/images/app:1/policy

echo "# delete profiles"
req DELETE /api/v1/containers/c1/profile
ok "DELETE container profile 204" eq "$CODE" 204
req GET /api/v1/containers/c1/profile
ok "then empty" eq "$(j '.observations | length')" 0
ok "its rows are gone" eq "$(sql "SELECT count(*) FROM profiles WHERE scope = 'container'")" 0
req GET /api/v1/images/app:1/profile
ok "the image's profile stays" eq "$(j '.observations | length')" 1
req DELETE /api/v1/images/app:1/profile
ok "DELETE image profile 204" eq "$CODE" 204
req DELETE /api/v1/images/app:1/profile
ok "again: 404" eq "$CODE" 404
ok "observations went with it" eq "$(sql "SELECT count(*) FROM observations")" 0
seed container c1 0 0
obs container c1 "file /bin/cat /etc/hosts" "$R" 1 1
req DELETE /api/v1/containers/c1
ok "a container's profile goes with it" eq "$(sql "SELECT count(*) FROM profiles WHERE key = 'c1'")" 0

echo "# templates"
req POST /api/v1/containers '{"id": "c1", "image": "app:1", "cgroup": "/sys/fs/cgroup/c1", "cgroup_id": 101}'
seed container c1 0 0
obs container c1 "file /bin/cat /etc/passwd" "$S" 1 1
obs container c1 "file /bin/cat /etc/hosts" "$R" 1 1
obs container c1 "execute /bin/sh /bin/cat" "$X" 4 1
req POST /api/v1/containers/nosuch/policy-template '{}'
ok "template of an unknown container 404" eq "$CODE" 404
req POST /api/v1/containers/c1/policy-template '{"bogus": 1}'
ok "unknown option 400" eq "$CODE:$(j .field)" 400:bogus
req POST /api/v1/containers/c1/policy-template '{"mode": "strict"}'
ok "bad mode 400" eq "$CODE:$(j .field)" 400:mode
req POST /api/v1/containers/c1/policy-template '{"mode": "policy"}'
ok "mode policy (an override's word) 400" eq "$CODE:$(j .field)" 400:mode
req POST /api/v1/containers/c1/policy-template '{"defaults": {"file": "deny", "files": "keep"}}'
ok "defaults of an unknown type 400" eq "$CODE:$(j .field)" 400:defaults
req POST /api/v1/containers/c1/policy-template '{"defaults": "allow"}'
ok "bad defaults 400" eq "$CODE:$(j .field)" 400:defaults
req POST /api/v1/containers/c1/policy-template '{"generalize": {"ephemeral_ports": "9-1"}}'
ok "bad ephemeral_ports 400" eq "$CODE:$(j .field)" 400:generalize.ephemeral_ports
req POST /api/v1/containers/c1/policy-template '{"merge_policy_id": "pnosuchid0"}'
ok "merge into an unknown policy 400" eq "$CODE:$(j .field)" 400:merge_policy_id
req POST /api/v1/containers/c1/policy-template '{"dry_run": "yes"}'
ok "dry_run not a boolean 400" eq "$CODE:$(j .field)" 400:dry_run
req GET /api/v1/containers/c1/policy-template
ok "GET policy-template 405" eq "$CODE:$(hdr allow)" "405:POST"
N_POL=$(sql "SELECT count(*) FROM policies")

req POST /api/v1/containers/c1/policy-template '{"dry_run": true}'
ok "dry run 200" eq "$CODE:$(j .created):$(j .merged_into):$(j .dry_run)" 200:false:null:true
ok "dry run: the document, nothing stored" eq "$(j .policy.name):$(sql "SELECT count(*) FROM policies")" "learned-c1:$N_POL"
req POST /api/v1/containers/c1/policy-template {}
ok "new policy 201" eq "$CODE:$(j .created):$(j .merged_into):$(j .incomplete):$(j .dropped)" 201:true:null:false:0
NEW=$(j .policy.id)
ok "Location" eq "$(hdr location)" "/api/v1/policies/$NEW"
ok "the policy object: name, mode monitor, revision 1, complete" \
	eq "$(j .policy.name):$(j .policy.policy.mode):$(j .policy.revision):$(j .policy.incomplete)" learned-c1:monitor:1:false
ok "defaults deny for all five types" \
	eq "$(j '[.policy.policy.default_actions[]] | unique | join(",")'):$(j '.policy.policy.default_actions | length')" deny:5
ok "added: a read rule per file, an execute rule" \
	eq "$(j '[.policy.policy.rules[] | [.type, .program, .path, (.access // [] | join("+")), .action, .name] | join(" ")] | sort | join(";")')" \
	"execute /bin/sh /bin/cat  allow learned;file /bin/cat /etc/hosts read allow learned;file /bin/cat /etc/passwd read allow learned"
ok "report: added 3, covered 0, no conflicts" \
	eq "$(j '.added | length'):$(j .covered):$(j '.conflicts | length'):$(j .default_allowed)" 3:0:0:0
ok "report: profile" eq "$(jq -c .profile <<<"$BODY")" '{"scope":"container","observations":3,"synced":false}'
req GET "/api/v1/policies/$NEW"
ok "stored" eq "$CODE:$(j .name)" 200:learned-c1
req POST /api/v1/containers/c1/policy-template {}
ok "same name again: 409 name" eq "$CODE:$(j .field)" 409:name

# merge: existing rules byte-identical, appended after them
BASE='{"name": "base", "mode": "enforce", "default_actions": {"file": "deny", "execute": "allow"},
  "rules": [ {"name": "no passwd", "program": "*", "type": "file", "action": "deny", "path": "/etc/passwd", "access": ["read"]},
             {"name": "hosts", "program": "/bin/cat", "type": "file", "action": "allow", "path": "/etc/hosts", "access": ["read"]} ]}'
req POST /api/v1/policies "$BASE"
BASE_ID=$(j .id)
BEFORE=$(jq -c '.policy.rules' <<<"$BODY")
req POST /api/v1/containers/c1/policy-template "{\"merge_policy_id\": \"$BASE_ID\"}" -- -H 'If-Match: "7"'
ok "If-Match on the merge policy: 412" eq "$CODE" 412
req GET "/api/v1/policies/$BASE_ID"
ok "412 stored nothing" eq "$(j .revision)" 1
req POST /api/v1/containers/c1/policy-template "{\"merge_policy_id\": \"$BASE_ID\", \"dry_run\": true}"
ok "merge dry run 200, not stored" eq "$CODE:$(j .created):$(sql "SELECT revision FROM policies WHERE id = '$BASE_ID'")" 200:false:1
req POST /api/v1/containers/c1/policy-template "{\"merge_policy_id\": \"$BASE_ID\"}" -- -H 'If-Match: "1"'
ok "merge 200" eq "$CODE:$(j .created):$(j .merged_into):$(j .policy.revision)" "200:false:$BASE_ID:2"
ok "existing rules byte-identical, first" eq "$(jq -c '.policy.policy.rules[0:2]' <<<"$BODY")" "$BEFORE"
ok "mode and defaults kept" eq "$(j .policy.policy.mode):$(j .policy.policy.default_actions.execute)" enforce:allow
ok "covered 1 (hosts), 1 conflict (the passwd deny rule), execute default-allowed" \
	eq "$(j .covered):$(j '.conflicts | length'):$(j '.conflicts[0].rule_index'):$(j .default_allowed)" 1:1:0:1
ok "nothing added" eq "$(j '.added | length'):$(j '.policy.policy.rules | length')" 0:2

echo "# templates: defaults per type"
# c1's profile: file reads of /etc/passwd and /etc/hosts, an execute of /bin/cat
req POST /api/v1/containers/c1/policy-template '{"dry_run": true, "defaults": {"execute": "keep", "file": "deny"}}'
ok "new policy, execute keep: allow; named and unnamed others deny" \
	eq "$CODE:$(jq -c '.policy.default_actions | [.file, .execute, .network, .listener, .syscall]' <<<"$BODY")" \
	'200:["deny","allow","deny","deny","deny"]'
ok "new policy, execute keep: the execute default-allowed, only the two file rules added" \
	eq "$(j '.added | length'):$(j '[.added[].rule.type] | unique | join(",")'):$(j .default_allowed):$(j .covered)" 2:file:1:0
ok "a kept type adds no rules" eq "$(j '[.policy.rules[] | select(.type == "execute")] | length')" 0
req POST /api/v1/containers/c1/policy-template '{"dry_run": true, "defaults": {"file": "keep"}}'
ok "new policy, file keep: both reads default-allowed, the execute added" \
	eq "$CODE:$(j .policy.default_actions.file):$(j '.added | length'):$(j '.added[0].rule.type'):$(j .default_allowed)" \
	200:allow:1:execute:2
req POST /api/v1/containers/c1/policy-template "{\"merge_policy_id\": \"$BASE_ID\", \"dry_run\": true, \"defaults\": {\"execute\": \"deny\"}}"
ok "merge, execute deny: the merge policy's allow replaced, file kept" \
	eq "$CODE:$(j .policy.default_actions.execute):$(j .policy.default_actions.file)" 200:deny:deny
ok "merge, execute deny: the execute observation added, not default-allowed" \
	eq "$(j '.added | length'):$(j '.added[0].rule.type'):$(j .default_allowed):$(j .covered):$(j '.conflicts | length')" \
	1:execute:0:1:1
req POST /api/v1/containers/c1/policy-template "{\"merge_policy_id\": \"$BASE_ID\", \"dry_run\": true, \"defaults\": \"keep\"}"
KEEP_REPORT=$(jq -c '[.added, .covered, .default_allowed, (.conflicts | length), .policy.default_actions]' <<<"$BODY")
ok "merge, plain keep: execute default-allowed, nothing added" eq "$KEEP_REPORT" \
	'[[],1,1,1,{"file":"deny","execute":"allow","network":"allow","listener":"allow","syscall":"allow"}]'
for d in '{"execute": "keep"}' '{"execute": "keep", "file": "keep"}' '{"file": "deny"}'; do
	req POST /api/v1/containers/c1/policy-template "{\"merge_policy_id\": \"$BASE_ID\", \"dry_run\": true, \"defaults\": $d}"
	ok "merge, defaults $d: the report of a plain keep (default_allowed 1, nothing added)" \
		eq "$CODE:$(jq -c '[.added, .covered, .default_allowed, (.conflicts | length), .policy.default_actions]' <<<"$BODY")" \
		"200:$KEEP_REPORT"
done

echo "# templates: incomplete"
sql "UPDATE profiles SET dropped = 4, dropped_long = 1 WHERE scope = 'container' AND key = 'c1'"
req GET /api/v1/containers/c1/profile
ok "profile with drops: incomplete" eq "$(j .complete):$(jq -c .dropped <<<"$BODY")" 'false:{"full":3,"long":1}'
req POST /api/v1/containers/c1/policy-template '{"name": "lossy", "mode": "enforce"}'
ok "incomplete, enforce: 409 mode" eq "$CODE:$(j .field):$(j .error)" \
	"409:mode:policy lossy was generated from a profile that dropped 4 observations; add force=true to enforce it"
ok "nothing stored" eq "$(sql "SELECT count(*) FROM policies WHERE name = 'lossy'")" 0
req POST /api/v1/containers/c1/policy-template "{\"merge_policy_id\": \"$BASE_ID\"}"
ok "incomplete, merge into an enforce policy: 409 mode" eq "$CODE:$(j .field)" 409:mode
req POST /api/v1/containers/c1/policy-template '{"name": "lossy"}'
ok "incomplete, monitor: 201, marked" eq "$CODE:$(j .incomplete):$(j .dropped):$(j .policy.incomplete)" 201:true:4:true
LOSSY=$(j .policy.id)
req PATCH "/api/v1/policies/$LOSSY" '{"mode": "enforce"}'
ok "then PATCH enforce: 409" eq "$CODE:$(j .field)" 409:mode
req POST /api/v1/containers/c1/policy-template '{"name": "lossy2", "mode": "enforce", "force": true}'
ok "incomplete, enforce, force: 201, not marked" eq "$CODE:$(j .policy.incomplete):$(j .policy.policy.mode)" 201:false:enforce
req POST /api/v1/containers/c1/policy-template "{\"merge_policy_id\": \"$BASE_ID\", \"force\": true}"
ok "incomplete merge with force: 200" eq "$CODE:$(j .policy.incomplete)" 200:false

echo "# the image's template: two containers of one image"
req POST /api/v1/containers '{"id": "c3", "image": "app:1", "cgroup": "/sys/fs/cgroup/c3", "cgroup_id": 103}'
seed image "$IMG" 0 0
obs image "$IMG" "file /bin/cat /etc/hosts" "$R" 1 1
obs image "$IMG" "execute /bin/sh /bin/cat" "$X" 4 1
req POST /api/v1/images/app:1/policy-template '{"name": "img"}'
ok "image template 201" eq "$CODE:$(j .profile.scope):$(j .profile.observations):$(j '.added | length')" 201:image:2:2
req POST /api/v1/images/other:1/policy-template '{}'
ok "image without a profile 404" eq "$CODE" 404
stop

if [ -n "$STORE_TEST" ]; then
	echo "# the store's ingestion (learn_store_test)"
	out=$("$STORE_TEST" "$TMP/store.db" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/# /'
	ok "learn_store_test" eq "$rc" 0
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
