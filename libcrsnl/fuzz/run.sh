#!/bin/bash
# run.sh FUZZER SECONDS - run the libFuzzer policy target for SECONDS on the
# committed seed corpus (libcrsnl/fuzz/corpus, never written to), with a
# working corpus and crash artifacts in ${BUILD:-build}/fuzz/. Exit status
# nonzero on any crash, leak, sanitizer report or timeout; the reproducer is
# printed as a path (rerun: FUZZER path).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 2 ] || { echo "usage: $0 FUZZER SECONDS" >&2; exit 2; }
fuzzer=$1 secs=$2
BUILD=${BUILD:-build}
work="$BUILD/fuzz/policy-corpus"
art="$BUILD/fuzz/artifacts"
mkdir -p "$work" "$art"
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# -fork/-jobs would need more cores than CI has; one process, bounded time.
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
	-print_final_stats=1 -artifact_prefix="$art/" "$work" "$HERE/corpus" 2>&1 |
	grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse)' | sed '/^###### Recommended dictionary/,/^###### End of recommended dictionary/d'
rc=${PIPESTATUS[0]}
if [ "$rc" != 0 ]; then
	echo "run.sh: the policy fuzzer failed (exit $rc); artifacts in $art:" >&2
	ls -la "$art" >&2
fi
exit "$rc"
