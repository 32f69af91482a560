#!/bin/bash
# check.sh KVER... - the body of "make check" (run after "make all"):
#   unit        host unit tests (make unit)
#   crsd        crsd's API against a real crsd and SQLite file, no module (make crsd-test)
#   ui          the web console in Debian's chromium against a real crsd (make ui-test)
#   dkms        crs.ko built by dkms for every kernel (make dkms-check)
#   install     make install and uninstall into a temporary DESTDIR: files, modes,
#               hooks.d JSON, the systemd unit, the DKMS tree (make install-check)
#   run         the body of "make run" (scripts/run.sh) on the first kernel: the
#               README's walk-through from the host through crsd's forwarded API
#   guest:KVER  for each kernel, a QEMU guest runs selftests/run_guest.sh
#               (every selftest; nonzero on any failure), or, until that
#               exists, scripts/guest-smoke.sh (insmod, crs-tool status, rmmod)
#   guest:6.1-debug  if CRS_DEBUG_KVER names the debug kernel (the Makefile sets
#               it when its crs.ko is built): scripts/debug-kernel/guest.sh there
#               (the whole suite with the netlink fuzzer at CRS_DEBUG_FUZZ_ITERS,
#               default 100000 requests, then a kmemleak scan), panic_on_warn=1,
#               2 GiB, timeout CRS_DEBUG_VM_TIMEOUT (default 3000 s)
#   policy-fuzz if CRS_POLICY_FUZZER names a built libFuzzer binary: it runs
#               for CRS_POLICY_FUZZ_SECONDS (default 60) on the seed corpus
# Every stage runs even when an earlier one failed. The last line is
# "N passed, N failed" counting stages; the exit status is nonzero if any failed.
# Guest console logs: ${BUILD:-build}/logs/guest-<kver>.log.
# CRS_VM_TIMEOUT (seconds, default 1200 per guest) is passed on to run-guest.sh.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
export BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
[ $# -ge 1 ] || { echo "usage: $0 KVER... (no kernel headers found? scripts/deps.sh)" >&2; exit 2; }

names=() results=() times=()
stage() {
	local name=$1 t0 rc
	shift
	echo
	echo "======== check: $name ========"
	t0=$(date +%s)
	"$@"
	rc=$?
	names+=("$name") times+=("$(( $(date +%s) - t0 ))s")
	if [ $rc -eq 0 ]; then results+=(passed); else results+=("FAILED (exit $rc)"); fi
	echo "======== check: $name: ${results[-1]} in ${times[-1]} ========"
}

guest_script=selftests/run_guest.sh
if [ ! -f "$guest_script" ]; then
	echo "check.sh: $guest_script does not exist yet; guests run scripts/guest-smoke.sh instead"
	guest_script=scripts/guest-smoke.sh
fi

stage unit $MAKE --no-print-directory unit
stage crsd $MAKE --no-print-directory crsd-test
stage ui $MAKE --no-print-directory ui-test
stage dkms $MAKE --no-print-directory dkms-check KVERS="$*"
stage install $MAKE --no-print-directory install-check
stage run env KVER="$1" CRS_RUN_STAY=0 scripts/run.sh
stage ui-kernel env KVER="$1" ui/tests/kernel.sh
for k in "$@"; do
	stage "guest:$k" scripts/vm/run-guest.sh --kernel "$k" \
		--keep-log "$BUILD/logs/guest-$k.log" --script "$guest_script"
done

if [ -n "${CRS_DEBUG_KVER:-}" ]; then
	stage "guest:$CRS_DEBUG_KVER" env CRS_VM_APPEND="panic_on_warn=1 ${CRS_VM_APPEND:-}" \
		scripts/vm/run-guest.sh --kernel "$CRS_DEBUG_KVER" --memory 2048 \
		--timeout "${CRS_DEBUG_VM_TIMEOUT:-3000}" \
		--env "CRS_FUZZ_ITERS=${CRS_DEBUG_FUZZ_ITERS:-100000}" \
		--keep-log "$BUILD/logs/guest-$CRS_DEBUG_KVER.log" --script scripts/debug-kernel/guest.sh
fi
if [ -n "${CRS_POLICY_FUZZER:-}" ]; then
	stage policy-fuzz libcrsnl/fuzz/run.sh "$CRS_POLICY_FUZZER" "${CRS_POLICY_FUZZ_SECONDS:-60}"
fi

pass=0 fail=0
echo
echo "======== check summary ========"
for i in "${!names[@]}"; do
	printf '  %-32s %-20s %s\n' "${names[$i]}" "${results[$i]}" "${times[$i]}"
	if [ "${results[$i]}" = passed ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
