#!/bin/bash
# crsd_events.sh - crs.ko's events into crsd's store (make bench, in the guest,
# called by bench/run.sh with crs.ko loaded).
#
# crsd (temporary socket and database) gets a policy in monitor mode whose
# rule denies reading /tmp/crs-bench-file, assigned to an image; a container
# of that image is registered on a test cgroup. Once its kernel state is
# "applied", crs_bench's open loop runs in that cgroup: every open is a
# would-be denial, allowed (monitor mode) and raising an event (log mask
# "deny"), as fast as the loop goes.
#
#   ingestion rounds   crsd running: the loop (1000 warm-up opens, then
#                      N_EVENTS), then wait until crsd holds everything the
#                      kernel sent. Per round: events raised by the kernel
#                      (crs-tool status: events_sent + events_dropped +
#                      events_no_listener), stored and lost by crsd
#                      (/api/v1/status kernel.events.stored, .lost, .overruns), and
#                      events/s into the store (stored / time from the start
#                      of the loop until the last one was stored). Check:
#                      kernel raised - dropped - no listener (= sent) must
#                      equal crsd stored + lost, the store's rows must grow
#                      by stored, and every would-be denial (the kernel's
#                      "monitored" counter) must have raised one event; OK
#                      or MISMATCH is printed with the numbers.
#   cost               the same loop's ns/open: in a cgroup without a table,
#                      in the container's cgroup with crsd stopped (the
#                      table stays in crs.ko; events find no listener), and
#                      with crsd ingesting (the ingestion rounds). Ratio to
#                      "crsd stopped".
#
# Under -icount the guest clock counts instructions of the one vCPU, so
# events/s is events per 1e9 guest instructions spent by everything: the
# loop, the hooks, the kernel's drain work and crsd.
# Exit status: 1 on a MISMATCH or when the setup fails, else 0.
set -euo pipefail
B=/crs/bench/crs_bench
T=/crs/crs-tool
CRSD=/crs/crsd
CG=/sys/fs/cgroup
N=${N_EVENTS:-20000}
ROUNDS=${ROUNDS:-3}
IMAGE=bench/events:1

fail() { echo "crsd_events: $*" >&2; exit 1; }
for c in curl jq; do command -v $c >/dev/null || fail "$c is not in the guest"; done
TMP=$(mktemp -d /tmp/crsd-events.XXXXXX)
SOCK=$TMP/crsd.sock
PID=
stop_crsd() {
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null || true
	wait "$PID" 2>/dev/null || true
	PID=
}
cleanup() {
	stop_crsd
	rm -rf "$TMP"
}
trap cleanup EXIT

api() {	# api PATH [CURL-OPTIONS...]: the answer's body; fails on non-2xx
	local path=$1
	shift
	curl -sf --unix-socket "$SOCK" "$@" "http://crsd$path"
}
post() {	# post METHOD PATH JSON
	api "$2" -X "$1" -H 'Content-Type: application/json' --data-binary "$3"
}

start_crsd() {
	$CRSD --socket "$SOCK" --db "$TMP/crsd.db" --events-max 10000000 2>>"$TMP/crsd.log" &
	PID=$!
	for _ in $(seq 200); do
		[ "$(api /api/v1/status 2>/dev/null | jq -r .kernel.events.subscribed)" = true ] && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$TMP/crsd.log" >&2
	fail "crsd did not start or did not subscribe to crs.ko's events"
}

wait_applied() {
	local st=
	for _ in $(seq 200); do
		st=$(api /api/v1/containers/bench | jq -r .kernel.state)
		[ "$st" = applied ] && return 0
		sleep 0.05
	done
	api /api/v1/containers/bench >&2 || true
	fail "the container's kernel state is \"$st\", not applied"
}

numbers() {	# numbers WHAT TEXT: TEXT if it is four numbers
	[[ "$2" =~ ^[0-9]+\ [0-9]+\ [0-9]+\ [0-9]+$ ]] || fail "$1: not four counters: '$2'"
	echo "$2"
}
# kernel counters (crs-tool, not crsd): "sent dropped no_listener monitored"
kcount() {
	numbers "crs-tool status" "$($T status --json |
		jq -r '"\(.events_sent) \(.events_dropped) \(.events_no_listener) \(.monitored)"')"
}
# crsd's: "stored lost overruns rows"
dcount() {
	numbers "crsd status" "$(api /api/v1/status |
		jq -r '"\(.kernel.events.stored) \(.kernel.events.lost) \(.kernel.events.overruns) \(.store.events)"')"
}
# TICKS: crsd's CPU time (user + system, all threads) in 1/100 s, read
# without starting a process
ticks() {
	local a
	read -r a < /proc/$PID/stat
	# shellcheck disable=SC2086 # split on purpose
	set -- ${a##*) }	# from field 3 on: utime and stime are fields 14 and 15
	TICKS=$(( ${12} + ${13} ))
}
# nap SEC: sleep without starting a process (a read that times out)
mkfifo "$TMP/nap"
exec {NAPFD}<>"$TMP/nap"
nap() { read -r -t "$1" -u $NAPFD _ || true; }

# open loop in cgroup $1: prints ns/op. Called as $(openloop CG): the
# subshell ($BASHPID, not $$) enters the cgroup, so crs_bench starts there
openloop() {
	echo $BASHPID > "$CG/$1/cgroup.procs" || fail "cannot enter $1"
	$B open "$N" || fail "the open loop failed in $1"
}

RES=$TMP/results
: > "$RES"
mkdir -p $CG/crsd-bench $CG/crsd-notable

start_crsd
POLICY='{ "name": "bench-events", "mode": "monitor",
  "rules": [ { "name": "bench file", "type": "file", "action": "deny",
               "path": "/tmp/crs-bench-file", "access": ["read"] } ] }'
id=$(post POST /api/v1/policies "$POLICY" | jq -r .id) || fail "POST policy"
post PUT "/api/v1/images/$IMAGE/policy" "{\"policy\": \"$id\"}" >/dev/null || fail "assign"
# with its cgroup id (the inode of the cgroup's directory), as crsd-hook
# registers containers: events are attributed by it
post POST /api/v1/containers "{\"id\": \"bench\", \"image\": \"$IMAGE\",
	\"cgroup\": \"$CG/crsd-bench\", \"cgroup_id\": $(stat -c %i $CG/crsd-bench)}" >/dev/null ||
	fail "register the container"
wait_applied
[ "$(api /api/v1/containers/bench | jq -r '.effective_mode + " " + (.log | join(","))')" = "monitor deny" ] ||
	fail "the container is not in monitor mode with log mask deny"
(openloop crsd-bench > /dev/null)	# warm-up: caches, the program path cache

# cost without crsd: the table and the container's mode stay in crs.ko
stop_crsd
for r in $(seq "$ROUNDS"); do
	echo "no-table $(openloop crsd-notable)" | tee -a "$RES"
done
for r in $(seq "$ROUNDS"); do
	k=$(kcount); read -r s0 d0 l0 m0 <<<"$k"
	v=$(openloop crsd-bench)
	k=$(kcount); read -r s1 d1 l1 m1 <<<"$k"
	echo "crsd-stopped $v (events: $((s1 - s0)) sent, $((d1 - d0)) dropped, $((l1 - l0)) without a listener)" |
		tee -a "$RES"
	[ $((l1 - l0)) -ge "$N" ] || fail "crsd stopped: no events raised, the table did not stay"
done

# ingestion: crsd running (it pushes the table again at start)
start_crsd
wait_applied
bad=0
for r in $(seq "$ROUNDS"); do
	k=$(kcount); read -r s0 d0 l0 m0 <<<"$k"
	k=$(dcount); read -r st0 lo0 ov0 rw0 <<<"$k"
	ticks; c0=$TICKS
	t0=$EPOCHREALTIME
	v=$(openloop crsd-bench)
	# Wait until crsd holds all the kernel sent, without stealing the one
	# CPU from it: every 20 ms, only crsd's /proc stat is read (no process
	# started). t1 is the first look that saw its CPU time at its final
	# value; after 0.2 s without growth the counters are checked: the
	# kernel's must stay put across the check (its drain is done) and
	# crsd's stored + lost must reach its sent. Gives up after 300 s of
	# guest time.
	t1=$t0 c1=$c0 idle=0
	while :; do
		ticks
		now=$EPOCHREALTIME
		if [ "$TICKS" != "$c1" ]; then
			c1=$TICKS t1=$now idle=0
		elif [ $((idle += 1)) -ge 10 ]; then
			prev=$(kcount)
			k=$(dcount); read -r st1 lo1 ov1 rw1 <<<"$k"
			k=$(kcount); read -r s1 d1 l1 m1 <<<"$k"
			[ "$prev" = "$k" ] && [ $((st1 + lo1 - st0 - lo0)) -ge $((s1 - s0)) ] && break
			# not done: ingestion goes on, and this check's requests are not part of it
			idle=0
			ticks; c1=$TICKS
		fi
		[ $(( ${now%.*} - ${t0%.*} )) -le 300 ] || break
		nap 0.02
	done
	sent=$((s1 - s0)) dropped=$((d1 - d0)) nol=$((l1 - l0)) mon=$((m1 - m0))
	stored=$((st1 - st0)) lost=$((lo1 - lo0)) over=$((ov1 - ov0)) rows=$((rw1 - rw0))
	raised=$((sent + dropped + nol))
	verdict=MISMATCH
	if [ "$raised" -eq "$mon" ] && [ $((raised - dropped - nol)) -eq $((stored + lost)) ] &&
	   [ "$rows" -eq "$stored" ]; then
		verdict=OK
	else
		bad=1
	fi
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	echo "crsd-ingesting $v" >> "$RES"
	echo "round $r: open loop $v ns/op; kernel: $mon would-be denials, raised $raised =" \
		"sent $sent + dropped $dropped + no listener $nol; crsd: stored $stored" \
		"(rows $rows) + lost $lost, $over overruns; $(awk -v n="$stored" -v s="$secs" \
		'BEGIN { printf "%.3f s, %.0f events/s", s, n / s }') into the store;" \
		"crsd cpu $(( (c1 - c0) * 10 )) ms;" \
		"raised - dropped - no listener = $((raised - dropped - nol)), stored + lost =" \
		"$((stored + lost)): $verdict"
	echo "events $r $raised $dropped $nol $stored $lost $over $secs $(( (c1 - c0) * 10 )) $verdict" >> "$RES"
done
stop_crsd

echo
echo "== crs.ko events into crsd's store (open loop of $N would-be denials in monitor mode,"
echo "   log mask deny; guest clock = instructions, so events per 1e9 guest instructions)"
printf "%-5s %8s %8s %8s %8s %6s %9s %10s %9s %8s\n" round raised dropped stored lost overrun seconds events/s crsd-cpu check
awk '$1 == "events" { printf "%-5s %8d %8d %8d %8d %6d %9.3f %10.0f %7dms %8s\n",
	$2, $3, $4, $6, $7, $8, $9, $6 / $9, $10, $11 }' "$RES"
echo
echo "== cost of ingestion on the workload (min ns/open of $ROUNDS rounds; ratio to crsd-stopped)"
printf "%-16s %12s %8s\n" scenario ns/op ratio
base=$(awk '$1 == "crsd-stopped" { print $2 }' "$RES" | sort -n | head -1)
for s in no-table crsd-stopped crsd-ingesting; do
	awk -v s=$s '$1 == s { print $2 }' "$RES" | sort -n | head -1 |
		awk -v s=$s -v b="$base" '{ printf "%-16s %12.1f %8.3f\n", s, $1, $1 / b }'
done
[ "$bad" = 0 ] || fail "MISMATCH between the kernel's and crsd's event counts (see above)"
