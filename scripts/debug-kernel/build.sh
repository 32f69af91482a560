#!/bin/bash
# build.sh - the CRS debug guest kernel: Debian's linux-source-6.1 with
# "make tinyconfig" plus scripts/debug-kernel/crs-debug.config (KASAN, KFENCE,
# UBSAN, lockdep/PROVE_RCU, DEBUG_OBJECTS, kmemleak; kprobes on ftrace; what
# crs.ko and the selftests need, all built in).
#
#   scripts/debug-kernel/build.sh            build it unless cached; print its directory
#   scripts/debug-kernel/build.sh --dir      print the directory; exit 1 if it is not built
#   scripts/debug-kernel/build.sh --check    exit 0 if built, 1 if not
#
# Everything lives outside the git tree, in
#   ${CRS_CACHE:-/var/cache/crs}/debug-kernel/<hash>/
#       linux/      the source tree, configured and built (make -C linux M=... modules)
#       bzImage     the kernel image for QEMU
#       kernelrelease, config, build.log
# where <hash> covers the config fragment, this script, the linux-source-6.1
# package version and the compiler version: a change of any rebuilds it, and
# older builds are removed once the new one is done. The build runs with
# make -j$(nproc) (CRS_DEBUG_KERNEL_JOBS overrides) and takes 7-10 minutes on
# 2 cores. After olddefconfig, every option of the fragment is checked in the
# resulting .config; the build fails naming the ones that did not stick.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
FRAG="$HERE/crs-debug.config"
SELF="$HERE/build.sh"
TARBALL=/usr/src/linux-source-6.1.tar.xz
SRCPKG=linux-source-6.1
CRS_CACHE=${CRS_CACHE:-/var/cache/crs}
TOP="$CRS_CACHE/debug-kernel"
JOBS=${CRS_DEBUG_KERNEL_JOBS:-$(nproc)}

die() { echo "debug-kernel: $*" >&2; exit 1; }
say() { echo "debug-kernel: $*" >&2; }

[ -f "$TARBALL" ] || die "$TARBALL missing (apt-get install $SRCPKG; scripts/deps.sh does)"
pkgver=$(dpkg-query -W -f='${Version}' "$SRCPKG" 2>/dev/null || echo unknown)
hash=$( { sha256sum < "$FRAG"; sha256sum < "$SELF"; echo "$SRCPKG=$pkgver"; ${CC:-gcc} --version | head -n1; } |
	sha256sum | cut -c1-16)
DIR="$TOP/$hash"

case "${1:-}" in
--dir) echo "$DIR"; [ -f "$DIR/.done" ]; exit ;;
--check) [ -f "$DIR/.done" ]; exit ;;
"") ;;
*) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
esac

if [ -f "$DIR/.done" ]; then
	echo "$DIR"
	exit 0
fi

mkdir -p "$TOP"
exec 9> "$TOP/.lock"
if ! flock -n 9; then
	say "another build holds $TOP/.lock: waiting"
	flock 9
fi
if [ -f "$DIR/.done" ]; then echo "$DIR"; exit 0; fi

t0=$(date +%s)
rm -rf "$DIR"
mkdir -p "$DIR"
log="$DIR/build.log"
say "building in $DIR ($SRCPKG $pkgver, -j$JOBS; log $log)"
tar -xJf "$TARBALL" -C "$DIR"
mv "$DIR/linux-source-6.1" "$DIR/linux"
K="$DIR/linux"
mk() { make -C "$K" ARCH=x86_64 "$@"; }

{
	mk tinyconfig
	"$K/scripts/kconfig/merge_config.sh" -m -O "$K" "$K/.config" "$FRAG"
	mk olddefconfig
} > "$log" 2>&1 || { tail -n 40 "$log" >&2; die "configuration failed"; }

# Every option of the fragment must have stuck.
missing=()
while IFS= read -r line; do
	case "$line" in
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		if grep -q "^$opt=" "$K/.config"; then missing+=("$line (got: $(grep "^$opt=" "$K/.config"))"); fi ;;
	CONFIG_*=*)
		opt=${line%%=*}
		if ! grep -qxF "$line" "$K/.config"; then
			got=$(grep "^$opt=" "$K/.config" || grep "^# $opt is not set" "$K/.config" || echo "absent")
			missing+=("$line (got: $got)")
		fi ;;
	esac
done < "$FRAG"
if [ ${#missing[@]} -gt 0 ]; then
	say "these options of $FRAG are not in the resulting .config (dependencies?):"
	printf '  %s\n' "${missing[@]}" >&2
	die "configuration check failed"
fi
say "configuration checked: every option of the fragment is set"

say "make -j$JOBS (bzImage, Module.symvers) ..."
if ! mk -j"$JOBS" all >> "$log" 2>&1; then
	grep -E 'error|Error' "$log" | tail -n 30 >&2
	die "kernel build failed (see $log)"
fi
cp "$K/arch/x86/boot/bzImage" "$DIR/bzImage"
cp "$K/.config" "$DIR/config"
mk -s kernelrelease > "$DIR/kernelrelease"
touch "$DIR/.done"
say "built $(cat "$DIR/kernelrelease") in $(( $(date +%s) - t0 ))s"

# Older builds (other hashes) are of no use any more.
for d in "$TOP"/*/; do
	d=${d%/}
	[ "$d" = "$DIR" ] || { say "removing old build $d"; rm -rf "$d"; }
done
echo "$DIR"
