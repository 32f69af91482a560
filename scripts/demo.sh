#!/bin/sh
# demo.sh - what "make run" runs inside the guest (scripts/vm/run-guest.sh):
# load crs.ko, put scripts/demo-policy.json on a "container" cgroup, and show
# a shell in that cgroup being denied /etc/secret and wget while it can still
# read /etc/motd, with the events crs.ko raised. Exits 0 only if the denials
# and their events were seen.
CG=/sys/fs/cgroup/demo
POLICY=/crs/scripts/demo-policy.json
EV=/tmp/demo-events.json
ok=1
say() { printf '\n### %s\n' "$*"; }
bad() { echo "DEMO: FAILED: $*"; ok=0; }

say "crs.ko in, crs-tool status"
insmod /crs/crs.ko || { echo "DEMO: insmod failed"; exit 1; }
crs-tool status

say "files for the demo"
echo "the launch codes" > /etc/secret
echo "welcome to the crs demo guest" > /etc/motd
mkdir -p /usr/local/bin
cp /usr/bin/busybox /usr/local/bin/wget	# a real file: the applet symlinks all resolve to busybox
ls -l /etc/secret /etc/motd /usr/local/bin/wget

say "policy on $CG"
cat "$POLICY"
mkdir -p "$CG"
crs-tool check "$POLICY" || bad "crs-tool check rejected the policy"
crs-tool load --cgroup "$CG" "$POLICY" || { echo "DEMO: load failed"; exit 1; }

say "crs-tool events --json in the background"
crs-tool events --json > "$EV" 2>/tmp/demo-events.err &
evpid=$!
sleep 1

say "a shell inside the demo cgroup"
out=$(sh -c '
	echo $$ > '"$CG"'/cgroup.procs || exit 99
	echo "in cgroup: $(cat /proc/self/cgroup)"
	echo "\$ cat /etc/secret"; cat /etc/secret; echo "(exit $?)"
	echo "\$ cat /etc/motd"; cat /etc/motd; echo "(exit $?)"
	echo "\$ wget -q -O /dev/null http://127.0.0.1:9/"
	/usr/local/bin/wget -q -O /dev/null http://127.0.0.1:9/; echo "(exit $?)"
' 2>&1)
echo "$out"
echo "$out" | grep -q "^in cgroup: 0::/demo" || bad "the shell did not get into $CG"
echo "$out" | grep -q "secret.*Permission denied" || bad "reading /etc/secret was not denied"
echo "$out" | grep -q "the launch codes" && bad "/etc/secret was read"
echo "$out" | grep -q "welcome to the crs demo guest" || bad "/etc/motd could not be read"
echo "$out" | grep -q "wget: Permission denied" || bad "running wget was not denied"

say "outside the cgroup nothing changes"
cat /etc/secret || bad "root outside the cgroup cannot read /etc/secret"

sleep 1
kill $evpid 2>/dev/null
wait $evpid 2>/dev/null
say "events"
cat "$EV"
[ -s /tmp/demo-events.err ] && cat /tmp/demo-events.err
grep -q '/etc/secret' "$EV" || bad "no event for /etc/secret"
grep -q '/usr/local/bin/wget' "$EV" || bad "no event for /usr/local/bin/wget"

say "crs-tool show --cgroup $CG"
crs-tool show --cgroup "$CG" || bad "crs-tool show failed"

crs-tool unload --cgroup "$CG" || bad "unload failed"
rmdir "$CG"
rmmod crs || bad "rmmod failed"

if [ $ok = 1 ]; then
	say "DEMO: OK: denial seen, and its event"
	exit 0
fi
say "DEMO: FAILED"
exit 1
