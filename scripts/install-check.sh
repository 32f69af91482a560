#!/bin/bash
# install-check.sh - "make install DESTDIR=..." and "make uninstall DESTDIR=...",
# twice: with the default PREFIX (/usr/local) and with PREFIX=/usr. Asserts
# the exact list of files installed, their modes and contents, that each
# hooks.d file is exactly the hook it should be, that the systemd unit runs the
# installed crsd and passes "systemd-analyze verify" (skipped if there is no
# systemd-analyze), that the DKMS source tree is the module's sources, that
# neither target runs dkms or systemctl under DESTDIR, and that uninstall
# leaves no file behind. Needs the userspace build ("make userspace"); the
# host is not modified. Ends with "N passed, N failed".
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"
export BUILD=${BUILD:-build}
MAKE=${MAKE:-make}
command -v jq >/dev/null || { echo "install-check.sh: jq is not installed (scripts/deps.sh)" >&2; exit 1; }
VERSION=$(sed -n 's/^CRS_VERSION := //p' Makefile)
[ -n "$VERSION" ] || { echo "install-check.sh: no CRS_VERSION in the Makefile" >&2; exit 1; }

T=$(mktemp -d /tmp/crs-install.XXXXXX)
trap 'rm -rf "$T"' EXIT
# dkms and systemctl that only record being called: with DESTDIR, neither may run.
mkdir -p "$T/bin"
for c in dkms systemctl; do
	printf '#!/bin/sh\necho "%s $*" >> "%s/host-calls"\nexit 1\n' "$c" "$T" > "$T/bin/$c"
	chmod +x "$T/bin/$c"
done

pass=0 fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# check DESCRIPTION COMMAND...: ok when COMMAND succeeds
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

# the module's sources, as a package built from this tree ships them
dkms_sources() {
	if git -C "$REPO" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$REPO" ls-files --cached --others --exclude-standard -- Kbuild dkms.conf kmod |
			while read -r f; do [ -f "$f" ] && echo "$f"; done
	else
		find Kbuild dkms.conf kmod -type f
	fi | sort
}

# hook_is FILE ARG STAGE PATH: FILE is exactly this hooks.d 1.0.0 hook
hook_is() {
	jq -e --arg path "$4" --arg arg "$2" --arg stage "$3" \
		'. == {"version": "1.0.0", "hook": {"path": $path, "args": ["crsd-hook", $arg]},
		       "when": {"always": true}, "stages": [$stage]}' "$1" >/dev/null
}

# unit_verifies ROOT UNIT SBINDIR: systemd-analyze verify has nothing to say about
# the unit, with ExecStart pointed at the staged crsd (the real path is not on this host)
unit_verifies() {
	local out rc
	mkdir -p "$T/verify"
	sed "s|^ExecStart=$3/crsd |ExecStart=$1$3/crsd |" "$1$2" > "$T/verify/crsd.service"
	grep -q "^ExecStart=$1$3/crsd " "$T/verify/crsd.service" || { echo "no ExecStart=$3/crsd in $2"; return 1; }
	out=$(systemd-analyze verify "$T/verify/crsd.service" 2>&1)
	rc=$?
	[ -n "$out" ] && echo "$out"
	[ $rc -eq 0 ] && [ -z "$out" ]
}

mode_is() { [ "$(stat -c %a "$2")" = "$1" ] || { echo "$2: mode $(stat -c %a "$2"), not $1"; return 1; }; }

# round PREFIX-ARGS...: one install and uninstall; PREFIX is /usr/local unless given
round() {
	local prefix=/usr/local root="$T/root" f
	[ $# -gt 0 ] && prefix=${1#PREFIX=}
	local bin=$prefix/bin/crs-tool sbin=$prefix/sbin crsd=$prefix/sbin/crsd
	local hook=$prefix/libexec/crs/crsd-hook unit=$prefix/lib/systemd/system/crsd.service
	local hooks=/usr/share/containers/oci/hooks.d src=/usr/src/crs-$VERSION
	echo "== make install DESTDIR=$root $*"
	rm -rf "$root" "$T/host-calls"
	if ! PATH="$T/bin:$PATH" $MAKE --no-print-directory install DESTDIR="$root" "$@" > "$T/make.log" 2>&1; then
		cat "$T/make.log"; bad "make install DESTDIR $*"; return
	fi
	ok "make install DESTDIR $*"

	{
		printf '%s\n' "$bin" "$crsd" "$hook" "$unit" "$hooks/crsd-create.json" \
			"$hooks/crsd-delete.json" /etc/modules-load.d/crs.conf
		dkms_sources | sed "s|^|$src/|"
	} | sort > "$T/expected"
	(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\.||' | sort) > "$T/installed"
	check "the installed files are exactly the expected ones ($(wc -l < "$T/expected"))" \
		diff -u "$T/expected" "$T/installed"

	for f in "$bin" "$crsd" "$hook"; do
		check "$f is mode 0755" mode_is 755 "$root$f"
	done
	check "$bin is build/host/crs-tool" cmp "$BUILD/host/crs-tool" "$root$bin"
	check "$crsd is build/host/crsd" cmp "$BUILD/host/crsd" "$root$crsd"
	check "$hook is build/host/crsd-hook" cmp "$BUILD/host/crsd-hook" "$root$hook"
	for f in "$unit" "$hooks/crsd-create.json" "$hooks/crsd-delete.json" /etc/modules-load.d/crs.conf; do
		check "$f is mode 0644" mode_is 644 "$root$f"
	done

	check "crsd-create.json: $hook create at createRuntime, always" \
		hook_is "$root$hooks/crsd-create.json" create createRuntime "$hook"
	check "crsd-delete.json: $hook delete at poststop, always" \
		hook_is "$root$hooks/crsd-delete.json" delete poststop "$hook"
	check "crs.conf loads crs at boot" \
		[ "$(grep -v '^#' "$root/etc/modules-load.d/crs.conf")" = crs ]

	check "the unit runs $crsd on /run/crsd.sock and /var/lib/crsd/crsd.db" \
		[ "$(grep '^ExecStart=' "$root$unit")" = "ExecStart=$crsd --socket /run/crsd.sock --db /var/lib/crsd/crsd.db" ]
	check "the unit's state directory is crsd" grep -qx 'StateDirectory=crsd' "$root$unit"
	check "no @...@ left in the unit and hooks" \
		bash -c '! grep -n "@[A-Z]*@" "$@"' _ "$root$unit" "$root$hooks"/crsd-*.json
	if command -v systemd-analyze >/dev/null; then
		check "systemd-analyze verify $unit" unit_verifies "$root" "$unit" "$sbin"
	else
		echo "skip: systemd-analyze verify $unit (no systemd-analyze on this host)"
	fi

	while read -r f; do
		cmp -s "$REPO/$f" "$root$src/$f" || { echo "$src/$f differs from $f"; echo x; }
	done < <(dkms_sources) > "$T/cmp"
	check "$src: every file is the work tree's" [ ! -s "$T/cmp" ]
	check "$src/dkms.conf: PACKAGE_VERSION=\"$VERSION\"" grep -qx "PACKAGE_VERSION=\"$VERSION\"" "$root$src/dkms.conf"

	echo "== make uninstall DESTDIR=$root $*"
	if ! PATH="$T/bin:$PATH" $MAKE --no-print-directory uninstall DESTDIR="$root" "$@" > "$T/make.log" 2>&1; then
		cat "$T/make.log"; bad "make uninstall DESTDIR $*"; return
	fi
	ok "make uninstall DESTDIR $*"
	check "no file left under DESTDIR" [ -z "$(find "$root" \( -type f -o -type l \) -print -quit)" ]
	check "$prefix/libexec/crs is gone" [ ! -e "$root$prefix/libexec/crs" ]
	check "$src is gone" [ ! -e "$root$src" ]
	check "neither dkms nor systemctl ran under DESTDIR" [ ! -e "$T/host-calls" ]
	if [ -e "$T/host-calls" ]; then cat "$T/host-calls"; fi
}

round
round PREFIX=/usr

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
