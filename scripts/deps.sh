#!/bin/bash
# deps.sh - install everything CRS needs to build and test, on Debian 12, as root.
# Idempotent: packages already installed are left alone and cached kernel
# images are not downloaded again. Run it again after the archive moves to a
# new kernel ABI (it then installs the new headers and fetches the new image).
#
# Kernel images for the QEMU guests go to ${CRS_CACHE:-/var/cache/crs}/kernels/
# (see scripts/kernels.sh); they are never installed on the host.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
PKGS=(
	build-essential kmod iproute2 pkg-config cpio xz-utils gzip
	qemu-system-x86 busybox-static crun
	linux-headers-amd64 linux-headers-6.12-amd64 linux-source-6.1 dkms
	libnl-3-dev libnl-genl-3-dev libmnl-dev libjson-c-dev liburing-dev
	# crsd (libmicrohttpd, with TLS through GnuTLS; SQLite) and its API tests (curl, jq,
	# sqlite3; openssl makes the TLS test's certificate)
	libmicrohttpd-dev libsqlite3-dev curl jq sqlite3 openssl
	# the debug guest kernel (scripts/debug-kernel/build.sh)
	flex bison bc libssl-dev libelf-dev
	# the libFuzzer policy target (libFuzzer and the sanitizer runtimes)
	clang libclang-rt-14-dev
	# make bench: crsd's HTTP API under load on loopback (bench/crsd_http.sh)
	wrk
	# make ui-test, make screenshots: the web console in Debian's chromium, driven by
	# playwright-core from npm (ui/tests/)
	chromium nodejs npm
	# the learning proof (selftests/learn_e2e.sh): redis-server, which Debian ships as
	# redis-check-rdb in redis-tools (no daemon is installed or started), and redis-benchmark
	redis-tools
)
# NodeSource's nodejs ships npm itself and conflicts with Debian's npm package.
if command -v npm >/dev/null &&
   [ "$(dpkg-query -W -f='${db:Status-Status}' npm 2>/dev/null)" != installed ]; then
	for i in "${!PKGS[@]}"; do [ "${PKGS[$i]}" = npm ] && unset 'PKGS[i]'; done
	PKGS=("${PKGS[@]}")
fi
# The kernel series we target, and the meta package naming the current ABI of each.
META=(linux-headers-amd64 linux-headers-6.12-amd64)

log() { echo "deps.sh: $*"; }

if [ "$(id -u)" != 0 ]; then
	missing=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PKGS[@]}" 2>/dev/null |
		awk '$2 != "installed" {print $1}')
	for p in "${PKGS[@]}"; do
		dpkg-query -W "$p" >/dev/null 2>&1 || missing="$missing $p"
	done
	if [ -n "${missing// /}" ]; then
		log "not root and missing packages:$missing" >&2
		exit 1
	fi
	log "not root; packages present, only checking the kernel image cache"
else
	log "apt-get update"
	apt-get update -qq
	log "installing: ${PKGS[*]}"
	apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
fi

# The exact kernel ABI each meta package points at (e.g. linux-headers-6.1.0-56-amd64).
KVERS=()
for m in "${META[@]}"; do
	dep=$(dpkg-query -W -f='${Depends}' "$m" | tr ',' '\n' |
		sed -n 's/^ *linux-headers-\([0-9][^ ]*-amd64\).*/\1/p' | head -n1)
	[ -n "$dep" ] || { log "cannot tell which kernel $m points at" >&2; exit 1; }
	KVERS+=("$dep")
done
log "kernels: ${KVERS[*]}"

if [ "$(id -u)" = 0 ]; then
	# Name the exact header packages too, so that they stay installed (and
	# scripts/kernels.sh list agrees with the images cached below).
	hdrs=()
	for k in "${KVERS[@]}"; do
		dpkg-query -W -f='${db:Status-Status}' "linux-headers-$k" 2>/dev/null | grep -qx installed ||
			hdrs+=("linux-headers-$k")
	done
	if [ ${#hdrs[@]} -gt 0 ]; then
		log "installing ${hdrs[*]}"
		apt-get install -y -qq --no-install-recommends "${hdrs[@]}" >/dev/null
	fi
	apt-mark manual "${KVERS[@]/#/linux-headers-}" >/dev/null
fi

for k in "${KVERS[@]}"; do
	[ -f "/usr/src/linux-headers-$k/Makefile" ] || { log "linux-headers-$k is not installed" >&2; exit 1; }
	log "vmlinuz $k: $(scripts/kernels.sh vmlinuz "$k")"
done

listed=$(scripts/kernels.sh list)
if [ "$listed" != "$(printf '%s\n' "${KVERS[@]}" | sort -V | tr '\n' ' ' | sed 's/ $//')" ]; then
	log "note: kernels.sh list says '$listed' (older or newer header trees are installed too)"
fi
log "done"
