#!/bin/bash
# dkms-stage.sh VERSION DIR - lay out crs.ko's DKMS source tree in DIR
# (/usr/src/crs-VERSION for "make install", a temporary directory for
# dkms-check.sh): what a package ships, Kbuild, dkms.conf and kmod/, without
# build output. DIR is replaced whole. Fails if dkms.conf's PACKAGE_VERSION
# is not VERSION.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 VERSION DIR" >&2; exit 2; }
REPO=$(cd "$(dirname "$0")/.." && pwd)
VERSION=$1 DIR=$2
# DIR is deleted first: only ever a directory named for this version
case "$DIR" in
*/crs-"$VERSION") ;;
*) echo "dkms-stage.sh: $DIR is not a .../crs-$VERSION directory" >&2; exit 2 ;;
esac

grep -q "^PACKAGE_VERSION=\"\?$VERSION\"\?\$" "$REPO/dkms.conf" ||
	{ echo "dkms-stage.sh: dkms.conf's PACKAGE_VERSION is not $VERSION" >&2; exit 1; }
rm -rf "$DIR"
mkdir -p "$DIR"
cp -r "$REPO/Kbuild" "$REPO/dkms.conf" "$REPO/kmod" "$DIR/"
# no build output from the work tree in the package
find "$DIR" \( -name '*.o' -o -name '*.ko' -o -name '*.cmd' -o -name '*.mod' -o -name '*.mod.c' \
	-o -name '*.symvers' -o -name '*.order' \) -delete
