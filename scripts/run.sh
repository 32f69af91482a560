#!/bin/bash
# run.sh - "make run": the README's walk-through, run for real.
#
# Boots a guest (scripts/demo.sh) with crs.ko, crsd and crun; crsd's API is
# forwarded to http://127.0.0.1:$CRS_RUN_PORT on this host (default 18080),
# with a bearer token made for this run, and the guest's container launcher
# to port $CRS_RUN_PORT+1. Then, from this host, with curl only:
#   1. crsd's status (crs.ko loaded in the guest)
#   2. create the policy scripts/demo-policy.json
#   3. apply it to the image demo/busybox:1.0
#   4. start a container of that image (the launcher runs crun in the guest;
#      crsd-hook registers it and waits for its table)
#   5. the denied events, from crsd's event store
# Each command is printed before it runs. Exits 0 only if the container was
# denied /etc/secret and wget, could read /etc/motd, and crsd reported both
# denials with the container, the image and the policy.
#
# CRS_RUN_STAY=1 (make run STAY=1): afterwards keep the guest up until
# Ctrl-C, to try the API by hand (the token and the commands are printed).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/run-common.sh
BUILD=${BUILD:-build}
KVER=${KVER:?KVER}
PORT=${CRS_RUN_PORT:-18080}
LPORT=$((PORT + 1))
STAY=${CRS_RUN_STAY:-0}
RUN=$BUILD/run
mkdir -p "$RUN"
ok=1
bad() { echo "RUN: FAILED: $*"; ok=0; }
step() { printf '\n=== %s\n' "$*"; }

if ! demo_ports_free $PORT $LPORT; then
	echo "run.sh: port $DEMO_BUSY on 127.0.0.1 is in use; set CRS_RUN_PORT to a free pair" >&2
	exit 1
fi

# A fresh token for this run, readable only by us.
demo_token "$RUN/token"
TOKEN=$(cat "$RUN/token")

wait_s=300
[ "$STAY" = 1 ] && wait_s=86400
demo_boot "$KVER" "$RUN/guest.log" "$RUN/token" $PORT $LPORT $wait_s
stop_guest() { demo_stop $LPORT; }
trap 'echo; echo "run.sh: interrupted: stopping the guest"; stop_guest; exit 130' INT TERM

echo "run.sh: booting the guest ($KVER); its console goes to $RUN/guest.log"
demo_wait_ready "$RUN/guest.log" 600 || { cat "$RUN/guest.log"; echo "RUN: FAILED: $DEMO_WHY"; exit 1; }
sed -n '/^### /,/^CRS-DEMO-READY/p' "$RUN/guest.log"

API=http://127.0.0.1:$PORT
AUTH="Authorization: Bearer $TOKEN"
# show CMD...: print the command as a user would type it (the token as
# $TOKEN), run it, keep its output in $out
show() {
	local a shown=
	for a in "$@"; do
		a=${a//$TOKEN/\$TOKEN}
		case "$a" in
		*'$TOKEN'*) shown+=" \"$a\"" ;;	# so that the shell expands it
		*[\ \"\'{}\$\&\?]*) shown+=" '$a'" ;;
		*) shown+=" $a" ;;
		esac
	done
	echo "\$${shown}"
	out=$("$@" 2>&1)
	echo "$out"
}

step "1. crsd answers on the host, with the token (crs.ko is loaded in the guest)"
echo "TOKEN=$TOKEN"
show curl -s -H "$AUTH" "$API/api/v1/status"
[ "$(jq -r .kernel.available <<<"$out" 2>/dev/null)" = true ] || bad "crsd does not see crs.ko"
show curl -s -o /dev/null -w '%{http_code}\n' "$API/api/v1/status"
[ "$out" = 401 ] || bad "a request without the token got $out, not 401"

step "2. create a policy"
cat scripts/demo-policy.json
show curl -s -H "$AUTH" -H 'Content-Type: application/json' --data-binary @scripts/demo-policy.json "$API/api/v1/policies"
PID=$(jq -r .id <<<"$out" 2>/dev/null)
[[ "$PID" =~ ^p[a-z0-9]{9}$ ]] || { bad "no policy id"; PID=none; }

step "3. apply it to the image demo/busybox:1.0"
show curl -s -X PUT -H "$AUTH" -H 'Content-Type: application/json' -d "{\"policy\": \"$PID\"}" \
	"$API/api/v1/images/demo/busybox:1.0/policy"
[ "$(jq -r .image <<<"$out" 2>/dev/null)" = docker.io/demo/busybox:1.0 ] || bad "the image was not assigned"

step "4. start a container of demo/busybox:1.0 (crun in the guest; crsd-hook registers it)"
show curl -s "http://127.0.0.1:$LPORT/cgi-bin/run"
run_out=$out
CID=$(sed -n 's/^\$ crun run .* \(demo-[0-9]*\)$/\1/p' <<<"$run_out")
grep -q "^in the container: hostname crun, pid 1," <<<"$run_out" || bad "the command did not run in the container"
grep -q "secret.*Permission denied" <<<"$run_out" || bad "reading /etc/secret was not denied"
grep -q "the launch codes" <<<"$run_out" && bad "/etc/secret was read"
grep -q "welcome to the crs demo container" <<<"$run_out" || bad "/etc/motd could not be read"
grep -q "wget: Permission denied" <<<"$run_out" || bad "running wget was not denied"

step "5. what crsd recorded: the denials, with the container, image and policy"
sleep 1
show curl -s -H "$AUTH" "$API/api/v1/events?container=$CID&action=deny"
for want in "file /etc/secret" "execute /usr/local/bin/wget"; do
	n=$(jq --arg t "${want% *}" --arg p "${want#* }" --arg c "$CID" --arg pol "$PID" '[.events[]? |
		select(.type == $t and .action == "deny" and .path == $p and .container == $c
		       and .image == "docker.io/demo/busybox:1.0" and .policy == $pol)] | length' <<<"$out" 2>/dev/null)
	[ "${n:-0}" -ge 1 ] || bad "no deny event for $want from $CID"
done

if [ "$STAY" = 1 ]; then
	cat <<EOF

=== The guest stays up: try the API (docs/crsd.md), Ctrl-C to stop
TOKEN=$TOKEN
curl -H "Authorization: Bearer \$TOKEN" $API/api/v1/policies
curl -H "Authorization: Bearer \$TOKEN" $API/api/v1/containers
curl -H "Authorization: Bearer \$TOKEN" -N $API/api/v1/events/stream
curl http://127.0.0.1:$LPORT/cgi-bin/run        # another container
EOF
	wait $DEMO_GUEST
fi

step "the guest stops"
stop_guest
rc=$?
sed -n '/^### crsd.s log/,/^CRS-DEMO-DONE/p' "$RUN/guest.log"
grep -E '^run-guest.sh: (PASS|FAIL)' "$RUN/guest.log"
[ $rc = 0 ] || bad "the guest exited with $rc (log: $RUN/guest.log)"
if [ $ok = 1 ]; then
	echo "RUN: OK: policy created and applied over the API, the container's denials blocked and reported"
	exit 0
fi
echo "RUN: FAILED (guest log: $RUN/guest.log)"
exit 1
