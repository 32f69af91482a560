#!/bin/sh
# crsd_discover.sh - crsd's container discovery at start against a real
# crun container and crs.ko, in the QEMU guest (a shell test of
# selftests/run_guest.sh: exit 0 passed, 4 skipped, else failed).
#
# A policy is assigned to an image while crsd runs; crsd stops; a crun
# container of that image starts without any hook (so crsd cannot know it)
# and reads a file freely. crsd starts again: it must discover the container
# from its cgroup (/sys/fs/cgroup/ID, crun's default) and crun's state
# (/run/crun/ID/status -> bundle -> config.json's io.crs.image), register it
# with the real cgroup id and pid, and reconcile must confine it: the same
# read is then denied, and the denial's event reaches --events-jsonl as the
# API shows it. crsd stops, the container is deleted (its cgroup goes), and
# the next start removes it. Prints ok/not ok lines and
# "N passed, N failed"; exit status 1 if any failed.
set -u
CRSD=${CRSD:-/crs/crsd}
BUNDLE=${OCI_BUNDLE:-/crs/scripts/oci-bundle.sh}
D=$(mktemp -d /tmp/discover.XXXXXX)
SOCK=$D/crsd.sock DB=$D/crsd.db LOG=$D/crsd.log
ID=crs-disc-$$
CG=/sys/fs/cgroup/$ID
IMG=crs-test/disc:1
pass=0 fail=0 PID=

ok() { pass=$((pass + 1)); echo "ok - $1"; }
nok() { fail=$((fail + 1)); echo "not ok - $1"; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else nok "$1: got '$2', want '$3'"; fi; }

cleanup() {
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	crun delete -f "$ID" >/dev/null 2>&1
	rmdir "$CG" 2>/dev/null	# a failed crun run may leave its cgroup
	rm -rf "$D"
}
trap cleanup EXIT

api() {	# api METHOD PATH [BODY]: body in $D/body, prints the status code
	curl -s --unix-socket "$SOCK" -X "$1" -o "$D/body" -w '%{http_code}' \
		${3:+-H 'Content-Type: application/json' --data-binary "$3"} "http://crsd$2"
}
field() { jq -r "$1" "$D/body"; }
start_crsd() {
	"$CRSD" --socket "$SOCK" --db "$DB" --instrumented-file "$D/inst" "$@" >>"$LOG" 2>&1 &
	PID=$!
	for _ in $(seq 100); do
		[ "$(api GET /api/v1/status)" = 200 ] && return 0
		sleep 0.1
	done
	echo "# crsd did not start:"; sed 's/^/#   /' "$LOG"
	return 1
}
stop_crsd() { kill "$PID"; wait "$PID" 2>/dev/null; PID=; }

for p in curl jq crun "$CRSD"; do
	command -v "$p" >/dev/null || { echo "# $p missing"; exit 1; }
done
[ -d /sys/module/crs ] || insmod /crs/crs.ko || { echo "# cannot load crs.ko"; exit 1; }

# ---- a policy for the image, while crsd runs
start_crsd || exit 1
is "create the policy" "$(api POST /api/v1/policies '{"name": "disc", "mode": "enforce",
  "default_actions": {"file": "allow", "execute": "allow"},
  "rules": [{"name": "no-read", "type": "file", "action": "deny", "path": "/denied-file", "access": ["read"]}]}')" 201
POL=$(field .id)
is "assign it to $IMG" "$(api PUT "/api/v1/images/$IMG/policy" "{\"policy\": \"$POL\"}")" 201
stop_crsd

# ---- a container crsd does not know: no hook
sh "$BUNDLE" "$D/b" "$IMG" -- sh -c 'while :; do sleep 1; done' || { echo "# oci-bundle.sh failed"; exit 1; }
echo secret >"$D/b/rootfs/denied-file"
if crun run --no-pivot --detach --bundle "$D/b" "$ID" >"$D/crun.out" 2>&1; then
	ok "crun: container started, detached"
elif [ ! -d /sys/fs/bpf ] && grep -q "bpf create.*Function not implemented" "$D/crun.out"; then
	# the debug kernel's tinyconfig has no bpf(2), which crun needs for
	# cgroup v2 device rules; the Debian kernels run this test
	echo "# SKIP: crun cannot run containers on $(uname -r): $(tail -n1 "$D/crun.out")"
	exit 4
else
	nok "crun run: $(cat "$D/crun.out")"
	echo "$pass passed, $fail failed"
	exit 1
fi
is "its cgroup is crun's default" "$(test -d "$CG" && echo dir)" dir
CPID=$(crun state "$ID" | jq -r .pid)
is "unconfined while crsd does not know it" "$(crun exec "$ID" cat /denied-file 2>&1)" secret

# ---- crsd starts: discovers it, reconcile confines it
start_crsd --events-jsonl "$D/events.jsonl" || exit 1
if grep -q -F "crsd: discovered container $ID (image docker.io/$IMG) in $CG" "$LOG"; then
	ok "discovered, logged with image and cgroup"
else
	nok "not discovered; log: $(grep discover "$LOG")"
fi
is "registered" "$(api GET "/api/v1/containers/$ID")" 200
is "its image, policy and cgroup" "$(field .image):$(field .policy):$(field .cgroup)" "docker.io/$IMG:$POL:$CG"
CGID=$(stat -c %i "$CG")
is "its cgroup id is the cgroup's (inode)" "$(field .cgroup_id)" "$CGID"
is "its pid is the container's first process" "$(field .pid)" "$(head -n1 "$CG/cgroup.procs")"
is "which is crun's init pid" "$(field .pid)" "$CPID"
for _ in $(seq 50); do
	api GET "/api/v1/containers/$ID" >/dev/null
	[ "$(field .kernel.state)" = applied ] && break
	sleep 0.1
done
is "reconcile applied its policy" "$(field .kernel.state)" applied
out=$(crun exec "$ID" cat /denied-file 2>&1)
case "$out" in
*"Permission denied"*) ok "now the read is denied" ;;
*) nok "the read after discovery: '$out'" ;;
esac
for _ in $(seq 50); do
	line=$(jq -c --arg id "$ID" 'select(.container == $id and .path == "/denied-file")' \
		"$D/events.jsonl" 2>/dev/null | head -n1)
	[ -n "$line" ] && break
	sleep 0.1
done
is "its event in --events-jsonl: container, image, policy, action" \
	"$(printf '%s\n' "$line" | jq -r '[.container, .image, .policy, .action, .cgroup_id] | join(" ")')" \
	"$ID docker.io/$IMG $POL deny $(stat -c %i "$CG")"
raw=$(grep -F "\"container\":\"$ID\"" "$D/events.jsonl" | grep -F '"path":"/denied-file"' | head -n1)
api GET "/api/v1/events?container=$ID" >/dev/null
if [ -n "$raw" ] && grep -q -F -- "$raw" "$D/body"; then
	ok "the line is the API's object for that event, byte for byte"
else
	nok "line '$raw' not in the API's events: $(head -c 600 "$D/body")"
fi
stop_crsd

# ---- the container goes while crsd is down
crun delete -f "$ID" >/dev/null 2>&1
is "container deleted, its cgroup gone" "$(test -e "$CG" || echo gone)" gone
start_crsd || exit 1
if grep -q -F "crsd: container $ID: its cgroup $CG is gone" "$LOG"; then
	ok "removed at start, logged"
else
	nok "not removed; log: $(tail -n 5 "$LOG")"
fi
is "no longer registered" "$(api GET "/api/v1/containers/$ID")" 404
# the table crsd pushed for it outlived the cgroup in crs.ko: deleted too
if grep -q -F "crsd: container $ID: its table on cgroup $CGID deleted" "$LOG"; then
	ok "its table deleted, logged"
else
	nok "its table not deleted; log: $(tail -n 5 "$LOG")"
fi
is "no table on its cgroup id in crs.ko" \
	"$(crs-tool show --json | jq --argjson id "$CGID" '[.[] | select(.cgroup_id == $id)] | length')" 0
stop_crsd

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
