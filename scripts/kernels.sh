#!/bin/bash
# kernels.sh - the Debian kernels CRS is built and tested against.
#
#   scripts/kernels.sh list          kernel versions to build for, space-separated:
#                                    the newest installed header tree of each
#                                    series (6.1.* and 6.12.*), sorted
#   scripts/kernels.sh vmlinuz KVER  path of the cached vmlinuz of KVER,
#                                    downloading it first if it is missing
#   scripts/kernels.sh debug         the name of the debug kernel (6.1-debug)
#
# The debug kernel (KVER "6.1-debug") is not a Debian package: it is built from
# linux-source-6.1 by scripts/debug-kernel/build.sh ("make debug-kernel") and
# "list" does not name it (dkms does not build for it). "vmlinuz 6.1-debug"
# prints its bzImage, or fails if it has not been built.
#
# The cache is ${CRS_CACHE:-/var/cache/crs}/kernels/<kver>/vmlinuz (outside the
# git tree). Images are fetched with "apt-get download linux-image-<kver>"
# (the exact package, never a glob) and unpacked with dpkg-deb -x; nothing is
# installed on the host.
set -euo pipefail

CRS_CACHE=${CRS_CACHE:-/var/cache/crs}
SERIES=${CRS_KERNEL_SERIES:-"6.1 6.12"}

list() {
	local s best d v out=()
	for s in $SERIES; do
		best=
		for d in /usr/src/linux-headers-"$s".*-amd64; do
			[ -f "$d/Makefile" ] || continue
			v=${d#/usr/src/linux-headers-}
			best=$(printf '%s\n%s\n' "$best" "$v" | sed '/^$/d' | sort -V | tail -n1)
		done
		[ -n "$best" ] && out+=("$best")
	done
	printf '%s\n' "${out[@]}" | sort -V | tr '\n' ' ' | sed 's/ $//'
	echo
}

# fetch_vmlinuz KVER: download linux-image-KVER and put its vmlinuz in the cache.
fetch_vmlinuz() {
	local kver=$1 dir="$CRS_CACHE/kernels/$1" tmp deb img
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.dl.XXXXXX")
	chmod 0777 "$tmp"	# apt-get download drops privileges to _apt
	if (cd "$tmp" && apt-get download "linux-image-$kver" >&2) ||
	   (cd "$tmp" && apt-get download "linux-image-$kver-unsigned" >&2); then
		deb=$(ls "$tmp"/*.deb | head -n1)
		dpkg-deb -x "$deb" "$tmp/x"
		img="$tmp/x/boot/vmlinuz-$kver"
		[ -f "$img" ] || { echo "kernels.sh: $deb has no boot/vmlinuz-$kver" >&2; rm -rf "$tmp"; return 1; }
		cp "$img" "$dir/vmlinuz.tmp"
	elif [ -f "/boot/vmlinuz-$kver" ]; then
		# the archive no longer has it, but the host has the image installed
		echo "kernels.sh: download failed, using /boot/vmlinuz-$kver" >&2
		cp "/boot/vmlinuz-$kver" "$dir/vmlinuz.tmp"
	else
		echo "kernels.sh: cannot get linux-image-$kver (apt-get update? is it still in the archive?)" >&2
		rm -rf "$tmp"
		return 1
	fi
	rm -rf "$tmp"
	mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
	echo "kernels.sh: cached $dir/vmlinuz" >&2
}

DEBUG_KVER=6.1-debug

vmlinuz() {
	local kver=$1 f="$CRS_CACHE/kernels/$1/vmlinuz" d
	if [ "$kver" = "$DEBUG_KVER" ]; then
		d=$("$(dirname "$0")/debug-kernel/build.sh" --dir) ||
			{ echo "kernels.sh: the debug kernel is not built (make debug-kernel)" >&2; return 1; }
		echo "$d/bzImage"
		return 0
	fi
	[ -s "$f" ] || fetch_vmlinuz "$kver"
	echo "$f"
}

case "${1:-}" in
list) list ;;
debug) echo "$DEBUG_KVER" ;;
vmlinuz) [ $# -eq 2 ] || { echo "usage: $0 vmlinuz KVER" >&2; exit 2; }; vmlinuz "$2" ;;
fetch) shift; for k in "$@"; do vmlinuz "$k" >/dev/null; done ;;
*) echo "usage: $0 list | debug | vmlinuz KVER | fetch KVER..." >&2; exit 2 ;;
esac
