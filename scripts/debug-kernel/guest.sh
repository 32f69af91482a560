#!/bin/sh
# guest.sh - the suite on the debug kernel (run in the guest by "make check":
#   scripts/vm/run-guest.sh --kernel 6.1-debug --script scripts/debug-kernel/guest.sh [-- NAME...]
#
# 1. kmemleak baseline: scan, then clear (what boot left is not ours)
# 2. the whole selftest suite, selftests/run_guest.sh (NAMEs: only those),
#    with the netlink fuzzer (CRS_FUZZ_ITERS) and the stress tests among them;
#    it ends with rmmod crs
# 3. kmemleak: wait out its minimum object age, scan twice with a pause, and
#    print /sys/kernel/debug/kmemleak: any report fails the run
# KASAN, UBSAN, lockdep, RCU, DEBUG_OBJECTS reports and warnings are found
# by run-guest.sh in the console (and panic_on_warn stops the guest at the first).
KL=/sys/kernel/debug/kmemleak
rc=0

echo "== debug kernel $(uname -r): $(cat /proc/cmdline)"
if [ ! -w "$KL" ]; then
	echo "# FAIL: $KL is missing: kmemleak is not enabled"
	exit 1
fi
t0=$(date +%s)
echo scan > "$KL"
echo clear > "$KL"
echo "== kmemleak baseline scan + clear: $(( $(date +%s) - t0 ))s"

sh /crs/selftests/run_guest.sh "$@" || rc=1

echo "== kmemleak: scanning"
t0=$(date +%s)
sleep 6			# kmemleak ignores objects younger than 5 s
echo scan > "$KL"
sleep 3
echo scan > "$KL"
leaks=$(cat "$KL")
if [ -n "$leaks" ]; then
	echo "# FAIL: kmemleak reports unreferenced objects:"
	echo "$leaks"
	rc=1
else
	echo "== kmemleak: no leaks ($(( $(date +%s) - t0 ))s)"
fi
exit $rc
