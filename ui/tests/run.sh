#!/bin/bash
# run.sh CRSD [SCREENSHOT_DIR] - the web console's browser tests (make ui-test):
# a real crsd on TCP loopback with a token, its own temporary socket and
# database, driven through Debian's chromium by playwright-core (installed
# with npm ci from ui/tests/package-lock.json into build/ui-tests; no
# browser is downloaded). With SCREENSHOT_DIR, the same walk also writes a
# PNG of each page there (make screenshots). Prints "ok"/"not ok" per
# check and "N passed, N failed"; exit status nonzero if any failed.
set -euo pipefail
CRSD=$(realpath "${1:?usage: $0 path/to/crsd [screenshot-dir]}")
SHOTS=${2:+$(realpath -m "$2")}
. "$(dirname "$0")/lib.sh"
for c in sqlite3 curl; do
	command -v "$c" >/dev/null || { echo "run.sh: $c is missing (scripts/deps.sh)" >&2; exit 1; }
done
# playwright-core, exactly as locked, outside the repository.
ui_node_setup "$HERE/console.test.mjs" || exit 1

TMP=$(mktemp -d /tmp/crsd-ui-test.XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$TOKEN" >"$TMP/token"
chmod 600 "$TMP/token"
mkdir -p "$TMP/cg" "$TMP/run"
"$CRSD" --no-kernel --socket "$TMP/crsd.sock" --db "$TMP/crsd.db" --cgroup-root "$TMP/cg" \
	--runtime-state-dir "$TMP/run" --listen 127.0.0.1:0 --token-file "$TMP/token" 2>"$TMP/crsd.log" &
PID=$!
PORT=
for _ in $(seq 100); do
	PORT=$(sed -n 's/.*listening on tcp 127.0.0.1:\([0-9]*\).*/\1/p' "$TMP/crsd.log")
	[ -n "$PORT" ] && break
	sleep 0.05
done
[ -n "$PORT" ] || { echo "crsd did not start:" >&2; cat "$TMP/crsd.log" >&2; exit 1; }

rc=0
CRSD_URL=http://127.0.0.1:$PORT CRSD_TOKEN=$TOKEN CRSD_DB=$TMP/crsd.db CHROMIUM=$CHROMIUM \
	SHOTS=$SHOTS node "$NODE_DIR/console.test.mjs" || rc=$?
if [ $rc -ne 0 ]; then
	echo "# crsd's log:"
	sed 's/^/#   /' "$TMP/crsd.log" | tail -n 40
fi
exit $rc
