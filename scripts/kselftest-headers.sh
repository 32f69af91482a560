#!/bin/bash
# kselftest-headers.sh DIR - extract the kselftest harness headers
# (kselftest_harness.h, kselftest.h) from Debian's linux-source-6.1 tarball
# into DIR (flat). They are build inputs only: never commit them.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
dir=$1
tarball=${CRS_LINUX_SOURCE:-$(ls /usr/src/linux-source-6.1.tar.xz 2>/dev/null || ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)}
[ -f "$tarball" ] || { echo "$0: no linux-source tarball in /usr/src (apt-get install linux-source-6.1, or scripts/deps.sh)" >&2; exit 1; }
top=$(basename "$tarball" .tar.xz)
files=(kselftest_harness.h kselftest.h)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tar -xJf "$tarball" -C "$tmp" "${files[@]/#/$top/tools/testing/selftests/}"
mkdir -p "$dir"
for f in "${files[@]}"; do
	cp "$tmp/$top/tools/testing/selftests/$f" "$dir/$f.tmp"
	mv "$dir/$f.tmp" "$dir/$f"
done
# kselftest_harness.h last, since it is the make target that stands for both.
touch "$dir/kselftest_harness.h"
echo "kselftest headers from $tarball in $dir"
