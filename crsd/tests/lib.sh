# shellcheck shell=bash
# lib.sh - the harness api_test.sh and learn_api_test.sh share; sourced
# after the caller set CRSD and TMP (its own directory, removed at exit).
# Gives SOCK and DB in TMP, PID (crsd's), pass/fail counts with ok(),
# DISC (container discovery on an empty tree of the test's own, never the
# host's), start/stop of crsd, and j() on the last BODY.
SOCK=$TMP/crsd.sock
DB=$TMP/crsd.db
PID=
pass=0 fail=0 CODE= BODY=

cleanup() {
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

ok() {	# ok NAME COND...: COND is a command; its status decides
	local name=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
		echo "ok - $name"
	else
		fail=$((fail + 1))
		echo "not ok - $name (status $CODE, body: $(head -c 600 "$TMP/body" 2>/dev/null))"
	fi
}
eq() { [ "$1" = "$2" ]; }

mkdir -p "$TMP/cg-none" "$TMP/run-none"
DISC=(--cgroup-root "$TMP/cg-none" --runtime-state-dir "$TMP/run-none")
# start [crsd options...]: crsd on $SOCK/$DB, waits until it answers.
start() {
	"$CRSD" --socket "$SOCK" --db "$DB" "${DISC[@]}" "$@" 2>>"$TMP/crsd.log" &
	PID=$!
	for _ in $(seq 100); do
		curl -s --unix-socket "$SOCK" -o /dev/null http://crsd/api/v1/status && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "crsd did not start; log:" >&2
	cat "$TMP/crsd.log" >&2
	return 1
}
stop() {
	kill -TERM "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
	PID=
}
j() { jq -r "$1" <<<"$BODY"; }
