#!/bin/bash
# dkms-check.sh VERSION KVER... - build crs.ko with dkms for every kernel,
# without installing anything system-wide: a private dkms tree, source tree
# and install tree under a temporary directory, and a throwaway signing key
# there too (dkms would otherwise create /var/lib/dkms/mok.key).
# The source given to dkms is what a package would ship (scripts/dkms-stage.sh,
# as for "make install"): Kbuild, dkms.conf, kmod/.
# The built modules are kept in ${BUILD:-build}/dkms/<kver>/crs.ko.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 VERSION KVER..." >&2; exit 2; }
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac
VERSION=$1; shift

command -v dkms >/dev/null || { echo "dkms-check.sh: dkms is not installed (scripts/deps.sh)" >&2; exit 1; }

T=$(mktemp -d /tmp/crs-dkms.XXXXXX)
trap 'rm -rf "$T"' EXIT
SRC="$T/src/crs-$VERSION"
mkdir -p "$T/dkms" "$T/install"
"$REPO/scripts/dkms-stage.sh" "$VERSION" "$SRC"	# the tree "make install" puts in /usr/src

export mok_signing_key="$T/mok.key" mok_certificate="$T/mok.pub"
D=(dkms --dkmstree "$T/dkms" --sourcetree "$T/src" --installtree "$T/install")
"${D[@]}" add -m crs -v "$VERSION"

failed=() ok=()
for k in "$@"; do
	echo "== dkms build crs/$VERSION for $k"
	if "${D[@]}" build -m crs -v "$VERSION" -k "$k"; then
		mod=$(find "$T/dkms/crs/$VERSION/$k" -path '*/module/crs.ko*' | head -n1)
		if [ -z "$mod" ]; then
			echo "dkms-check.sh: dkms said it built for $k, but there is no crs.ko" >&2
			failed+=("$k"); continue
		fi
		vm=$(modinfo -F vermagic "$mod" 2>/dev/null || true)
		case "$vm" in
		"$k "*) ;;
		*) echo "dkms-check.sh: $mod has vermagic '$vm', not $k" >&2; failed+=("$k"); continue ;;
		esac
		mkdir -p "$BUILD/dkms/$k"
		rm -f "$BUILD/dkms/$k"/crs.ko*
		cp "$mod" "$BUILD/dkms/$k/"
		echo "dkms-check.sh: built $BUILD/dkms/$k/$(basename "$mod")"
		ok+=("$k")
	else
		echo "dkms-check.sh: ***** dkms build FAILED for $k; make.log: *****" >&2
		cat "$T/dkms/crs/$VERSION/build/make.log" >&2 2>/dev/null || true
		failed+=("$k")
	fi
done
"${D[@]}" status -m crs -v "$VERSION" || true
echo "dkms-check.sh: built for: ${ok[*]:-none}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "dkms-check.sh: FAILED for: ${failed[*]}" >&2
	exit 1
fi
