#!/bin/bash
# kernel.sh - the web console against a real crsd with crs.ko (make
# ui-kernel-test; run it after make all, as root for the guest's sake like
# make run). Boots the guest of "make run" (scripts/demo.sh, through
# scripts/run-common.sh as scripts/run.sh does: crs.ko, crsd, crun with
# crsd-hook), with ui/tests/kernel-guest.sh adding a long-running container
# bundle and launcher CGIs, then drives the console from this host's
# chromium (ui/tests/kernel.test.mjs): log in, create a policy (a bad field
# first), apply it to the image, start a container, see its violation
# arrive live, switch it to monitor and read crs.ko's state back, learn,
# merge the template. Last, the guest must stop cleanly (run-guest.sh's
# verdict: no kernel warning, oops or splat).
#
# KVER: the guest kernel (default the first of scripts/kernels.sh list).
# CRS_UI_KERNEL_PORT (default 18090): crsd's API is forwarded there, the
# launcher to the next port; both must be free on 127.0.0.1.
# Prints "ok N - ..." per check, the time taken, and "N passed, N failed";
# exits nonzero if any check failed. The guest's console: $BUILD/ui-kernel/guest.log.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. scripts/run-common.sh
. ui/tests/lib.sh
BUILD=${BUILD:-build}
KVER=${KVER:-$(scripts/kernels.sh list | cut -d' ' -f1)}
PORT=${CRS_UI_KERNEL_PORT:-18090}
LPORT=$((PORT + 1))
RUN=$BUILD/ui-kernel
T0=$(date +%s)
n=0 pass=0 fail=0 BOOT=

ok() {	# ok STATUS NAME: STATUS 0 passes
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		pass=$((pass + 1))
		echo "ok $n - $2"
	else
		fail=$((fail + 1))
		echo "not ok $n - $2"
	fi
}
finish() {
	echo "# ui-kernel: $(( $(date +%s) - T0 )) s in all${BOOT:+, $BOOT s to boot the guest}" \
		"(kernel $KVER; guest console: $RUN/guest.log)"
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

ui_node_setup ui/tests/kernel.test.mjs || { ok 1 "node, npm, chromium and playwright-core"; finish; }
[ -n "$KVER" ] && [ -f "$BUILD/kmod/$KVER/crs.ko" ] && [ -x "$BUILD/host/crsd" ] || {
	ok 1 "crs.ko for ${KVER:-(no kernel)} and crsd are built (make all)"; finish; }
if ! demo_ports_free "$PORT" "$LPORT"; then
	ok 1 "ports $PORT and $LPORT on 127.0.0.1 are free (port $DEMO_BUSY is in use; set CRS_UI_KERNEL_PORT)"
	finish
fi
mkdir -p "$RUN"
demo_token "$RUN/token"
TOKEN=$(cat "$RUN/token")

echo "# booting the guest ($KVER), its console in $RUN/guest.log"
demo_boot "$KVER" "$RUN/guest.log" "$RUN/token" "$PORT" "$LPORT" 900 \
	--add ui/tests/kernel-guest.sh:/crs/ext/kernel-guest.sh --env CRS_DEMO_EXTRA=/crs/ext/kernel-guest.sh \
	--env "CRS_DEMO_CRSD_ARGS=--learn-poll-ms 500"
trap 'echo "# interrupted: stopping the guest"; demo_stop "$LPORT"; exit 130' INT TERM
demo_wait_ready "$RUN/guest.log" 600
ready=$?
[ $ready != 0 ] || BOOT=$(( $(date +%s) - T0 ))
ok $ready "the guest boots: crs.ko, crsd and the launcher ready${DEMO_WHY:+ ($DEMO_WHY)}"
if [ $ready != 0 ]; then
	tail -n 40 "$RUN/guest.log" | sed 's/^/#   /'
	[ $ready = 2 ] || wait "$DEMO_GUEST"
	finish
fi

counts=$(mktemp)
CRSD_URL=http://127.0.0.1:$PORT LAUNCHER=http://127.0.0.1:$LPORT CRSD_TOKEN=$TOKEN CHROMIUM=$CHROMIUM \
	TAP_START=$n COUNTS_FILE=$counts node "$NODE_DIR/kernel.test.mjs"
if read -r p f < "$counts"; then
	pass=$((pass + p)) fail=$((fail + f)) n=$((n + p + f))
else
	ok 1 "kernel.test.mjs ran to its end"
fi
rm -f "$counts"

demo_stop "$LPORT"
rc=$?
verdict=$(grep -a -E '^run-guest.sh: (PASS|FAIL)' "$RUN/guest.log" | tail -n 1)
ok $rc "the guest stops cleanly: ${verdict:-run-guest.sh gave no verdict} (exit $rc)"
if [ "$fail" != 0 ]; then
	echo "# crsd's log in the guest:"
	sed -n '/^### crsd.s log/,/^### crs-tool status/p' "$RUN/guest.log" | sed 's/^/#   /' | tail -n 60
fi
finish
