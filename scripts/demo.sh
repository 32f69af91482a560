#!/bin/sh
# demo.sh - the guest half of "make run" (scripts/run.sh is the host half).
#
# Brings up what a host running CRS has: crs.ko, crsd (on its default socket
# and database, plus TCP :8080 with the bearer token in /crs/ext/token, which
# run.sh forwards to 127.0.0.1 on the host), crun with crsd-hook as its OCI
# hook, and the bundle of a container image "demo/busybox:1.0" (busybox,
# with /etc/secret, /etc/motd and a real /usr/local/bin/wget in it).
# Nothing is put on the image here: the host does that through the API.
#
# Because the host cannot run crun in the guest, a launcher (busybox httpd
# on :8081, also forwarded) starts containers on request:
#   GET /cgi-bin/run    runs a new container of the demo bundle with crun,
#                       answers with its id, output and exit status
#   GET /cgi-bin/stop   ends the demo: the guest prints crsd's log and stops
# The launcher has no authentication: it is reachable only through QEMU's
# forward on the host's loopback, for this throwaway guest.
#
# Prints "CRS-DEMO-READY" once crsd answers, then waits for /cgi-bin/stop
# (at most CRS_DEMO_WAIT seconds, default 300). Exits 0 unless setting up
# failed or crsd died.
#
# For other host scripts on the same guest (ui/tests/kernel.sh):
# CRS_DEMO_CRSD_ARGS adds options to crsd's command line, and
# CRS_DEMO_EXTRA names a script sourced just before CRS-DEMO-READY, which
# may add bundles and launcher CGIs (in $L/cgi-bin); it sees $B, $L, die
# and say.
set -u
say() { printf '\n### %s\n' "$*"; }
die() { echo "DEMO: FAILED: $*"; [ -f /run/crsd.log ] && cat /run/crsd.log; exit 1; }
WAIT=${CRS_DEMO_WAIT:-300}
B=/var/lib/crs-demo/bundle
L=/var/lib/crs-demo/launcher

say "crs.ko, the network, crsd"
insmod /crs/crs.ko || die "insmod crs.ko"
crs-tool status || die "crs-tool status"
insmod /crs/modules/e1000.ko || die "insmod e1000.ko (no NIC driver for this kernel)"
i=0
while ! ip link show eth0 >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -le 50 ] || die "no eth0"; sleep 0.1
done
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 || die "eth0 setup"
(umask 077 && cat /crs/ext/token > /run/crsd-token) || die "no token"
mkdir -p /var/lib	# crsd makes /var/lib/crsd, not its parents
# shellcheck disable=SC2086 # CRS_DEMO_CRSD_ARGS: options, split on spaces
/crs/crsd --listen :8080 --token-file /run/crsd-token ${CRS_DEMO_CRSD_ARGS:-} > /run/crsd.log 2>&1 &
crsd_pid=$!
i=0
until curl -sf --unix-socket /run/crsd.sock http://crsd/api/v1/status >/dev/null; do
	kill -0 $crsd_pid 2>/dev/null || die "crsd exited"
	i=$((i + 1)); [ $i -le 100 ] || die "crsd does not answer"; sleep 0.2
done
cat /run/crsd.log

say "the image demo/busybox:1.0 (an OCI bundle for crun, with crsd-hook)"
mkdir -p "${B%/*}" || die mkdir
/crs/scripts/oci-bundle.sh "$B" demo/busybox:1.0 --hook /crs/crsd-hook -- sh -c '
	echo "in the container: hostname $(hostname), pid $$, user $(id -un)"
	for f in /etc/secret /etc/motd; do
		echo "\$ cat $f"; cat "$f"; echo "(exit $?)"
	done
	echo "\$ wget -q -O- http://127.0.0.1:9/"; /usr/local/bin/wget -q -O- http://127.0.0.1:9/; echo "(exit $?)"
' || die "oci-bundle.sh"
echo "the launch codes" > "$B/rootfs/etc/secret"
echo "welcome to the crs demo container" > "$B/rootfs/etc/motd"
mkdir -p "$B/rootfs/usr/local/bin"
cp "$B/rootfs/bin/busybox" "$B/rootfs/usr/local/bin/wget"	# a real file, not the applet link
jq -c '{args: .process.args[0:2], annotations, hooks: (.hooks | map_values(map(.args)))}' "$B/config.json"

mkdir -p "$L/cgi-bin"
cat > "$L/cgi-bin/run" <<'EOF'
#!/bin/sh
n=$(($(cat /var/lib/crs-demo/count 2>/dev/null || echo 0) + 1))
echo $n > /var/lib/crs-demo/count
printf 'Content-Type: text/plain\r\n\r\n'
echo "\$ crun run --no-pivot --bundle /var/lib/crs-demo/bundle demo-$n"
crun run --no-pivot --bundle /var/lib/crs-demo/bundle "demo-$n" </dev/null 2>&1
echo "(crun exit $?)"
EOF
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nstopping\\n"\ntouch /var/lib/crs-demo/stop\n' > "$L/cgi-bin/stop"
chmod 0755 "$L/cgi-bin/run" "$L/cgi-bin/stop"
httpd -p 8081 -h "$L" || die "httpd"
if [ -n "${CRS_DEMO_EXTRA:-}" ]; then
	. "$CRS_DEMO_EXTRA" || die "$CRS_DEMO_EXTRA failed"
fi

echo "CRS-DEMO-READY"
i=0
while [ ! -e /var/lib/crs-demo/stop ]; do
	kill -0 $crsd_pid 2>/dev/null || die "crsd exited"
	i=$((i + 1)); [ $i -le "$WAIT" ] || { echo "DEMO: nobody stopped the demo in ${WAIT}s"; break; }
	sleep 1
done

say "crsd's log"
kill $crsd_pid; wait $crsd_pid
cat /run/crsd.log
say "crs-tool status"
crs-tool status
echo "CRS-DEMO-DONE"
