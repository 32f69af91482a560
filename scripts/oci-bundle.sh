#!/bin/sh
# oci-bundle.sh - make an OCI bundle of a busybox container (for the guest
# tests and the demo: crun, busybox and jq are in the guest).
#
#   oci-bundle.sh DIR IMAGE [--hook PATH] [--hook-arg ARG]... -- CMD [ARG...]
#
# Creates DIR/rootfs and DIR/config.json; then run it with
#
#   crun run --bundle DIR ID          (add --no-pivot in the test guest: its
#                                      root is the initramfs, where
#                                      pivot_root(2) fails with EINVAL)
#
# rootfs     busybox copied in as a real file (/bin/busybox; it must be a
#            static busybox, as Debian's busybox-static) with a symbolic link
#            per applet where busybox --list-full puts it, /etc/passwd and
#            /etc/group (root, nobody), empty /tmp (1777), /proc, /dev, /sys.
#            Add test files to DIR/rootfs afterwards.
# config     crun spec's defaults, changed so that: process.args is CMD,
#            process.terminal is false (standard input and output are crun's
#            own), the root is writable, and the annotation io.crs.image is
#            IMAGE. With --hook, hooks.createRuntime runs
#              PATH ARG... create
#            and hooks.poststop runs
#              PATH ARG... delete
#            (crsd-hook takes its options before create|delete, so each
#            --hook-arg, e.g. --hook-arg --socket --hook-arg /tmp/x/crsd.sock,
#            goes before the stage word), each with a 30 s timeout, and the
#            annotation run.oci.hooks.stderr=/dev/stderr makes crun give the
#            hooks its own standard error (crun sends their output to
#            /dev/null otherwise, so a hook refusing a container would not
#            say why).
# namespaces crun spec's: pid, network, ipc, uts, mount. The container has a
#            network namespace of its own with only "lo" in it (no way out):
#            enough for the tests' connect() to 127.0.0.1, and nothing on the
#            host is reachable from it.
# cgroup     no linux.cgroupsPath: crun places the container in a cgroup
#            named after its ID (/sys/fs/cgroup/ID with the cgroupfs manager)
#            and removes it when the container is deleted.
#
# Exit status 0, 1 on an error (said on stderr), 2 on a usage error.
set -eu

usage() {
	echo "usage: oci-bundle.sh DIR IMAGE [--hook PATH] [--hook-arg ARG]... -- CMD [ARG...]" >&2
	exit 2
}
die() { echo "oci-bundle.sh: $*" >&2; exit 1; }

[ $# -ge 2 ] || usage
DIR=$1 IMAGE=$2
shift 2
HOOK=
S=$(mktemp -d) || exit 1
trap 'rm -rf "$S"' EXIT
# jstr S: S as a JSON string (any bytes jq accepts, newlines included)
jstr() { jq -n --arg s "$1" '$s'; }
: > "$S/hookargs"
while [ $# -gt 0 ]; do
	case "$1" in
	--hook) [ $# -ge 2 ] || usage; HOOK=$2; shift 2 ;;
	--hook-arg) [ $# -ge 2 ] || usage; jstr "$2" >> "$S/hookargs" || exit 1; shift 2 ;;
	--) shift; break ;;
	*) usage ;;
	esac
done
[ $# -ge 1 ] || usage
[ -n "$IMAGE" ] || die "IMAGE is empty"
case "$HOOK" in ""|/*) ;; *) die "--hook wants an absolute path: $HOOK" ;; esac
if [ -z "$HOOK" ] && [ -s "$S/hookargs" ]; then die "--hook-arg without --hook"; fi
for p in crun jq; do
	command -v "$p" >/dev/null || die "$p not found"
done
# busybox's own sh answers "command -v busybox" with the bare name
bb=
for p in "$(command -v busybox 2>/dev/null)" /usr/bin/busybox /bin/busybox; do
	case "$p" in /*) [ -f "$p" ] && { bb=$p; break; } ;; esac
done
[ -n "$bb" ] || die "busybox not found"

mkdir -p "$DIR" || exit 1
DIR=$(cd "$DIR" && pwd)
R=$DIR/rootfs
[ ! -e "$R" ] || die "$R exists"

mkdir -p "$R/bin" "$R/sbin" "$R/usr/bin" "$R/usr/sbin" "$R/etc" "$R/root" \
	"$R/proc" "$R/dev" "$R/sys" "$R/tmp"
chmod 1777 "$R/tmp"
cp "$bb" "$R/bin/busybox"
chmod 0755 "$R/bin/busybox"
"$R/bin/busybox" --list-full | while IFS= read -r a; do
	[ -e "$R/$a" ] || [ -L "$R/$a" ] || ln -s /bin/busybox "$R/$a"
done
[ -L "$R/bin/sh" ] || die "busybox has no sh applet"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$R/etc/group"

# crun spec writes ./config.json: make it in the scratch directory
(cd "$S" && crun spec) || die "crun spec failed"

# CMD and the hook's arguments as JSON arrays (jq's --args would take a
# "-c" in CMD for one of its own options)
: > "$S/cmd"
for a in "$@"; do jstr "$a" >> "$S/cmd" || exit 1; done
cmd=$(jq -s -c . < "$S/cmd")
hargs=$(jq -s -c . < "$S/hookargs")

jq --arg image "$IMAGE" --arg hook "$HOOK" --argjson hargs "$hargs" --argjson cmd "$cmd" '
	.process.args = $cmd
	| .process.terminal = false
	| .root.readonly = false
	| .annotations = ((.annotations // {}) + {"io.crs.image": $image})
	| if $hook == "" then del(.hooks) else
		.annotations["run.oci.hooks.stderr"] = "/dev/stderr" |
		.hooks = {
			"createRuntime": [{"path": $hook,
				"args": ([$hook | split("/") | last] + $hargs + ["create"]),
				"timeout": 30}],
			"poststop": [{"path": $hook,
				"args": ([$hook | split("/") | last] + $hargs + ["delete"]),
				"timeout": 30}]
		} end
' < "$S/config.json" > "$DIR/config.json.tmp" || die "jq failed"
mv "$DIR/config.json.tmp" "$DIR/config.json"
