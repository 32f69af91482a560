#!/bin/sh
# stress.sh - crs.ko under load (run in the guest by run_guest.sh; meant for
# the debug kernel, where KASAN, lockdep and kmemleak watch, but it runs on
# every kernel). Each part lasts CRS_STRESS_SECONDS (default 10) while
# workers in four cgroups hammer every hooked operation: open (read, write,
# O_TRUNC), exec, truncate, link, rename, unlink, on paths a table denies and
# paths it allows.
#
#   1. table swaps and mode/log changes at full rate on the workers' parent
#      cgroup and on one worker cgroup (several policies, enforce/monitor/disabled)
#   2. cgroups with tables made and removed under load, and network
#      namespaces made and dropped (unshare -n)
#   3. rmmod and insmod in a loop under load
#   4. the event stream: no reader (events_no_listener grows), then a reader
#      that does not read (events_dropped grows), then a normal reader
#   5. learning: a learning worker cgroup whose set is cleared, whose
#      learning is switched off and on and whose table is swapped and
#      removed at full rate, while learned --follow takes its hints
#
# Afterwards the module must still enforce. Prints "ok - ..." / "not ok - ...";
# exits 1 if any check failed. Needs crs.ko loaded; leaves it loaded.

T=${CRS_TOOL:-/crs/crs-tool}
KO=${CRS_KO:-/crs/crs.ko}
SECS=${CRS_STRESS_SECONDS:-10}
fails=0

ok() { echo "ok - $*"; }
nok() { fails=$((fails + 1)); echo "not ok - $*"; }

D=$(mktemp -d /tmp/crs-stress.XXXXXX) || exit 1
CG=/sys/fs/cgroup/crs-stress-$$
WORKERS="w1 w2 w3 w4"

loaded() { [ -d /sys/module/crs ]; }

cleanup() {
	touch "$D/stop"
	for p in $WPIDS; do wait "$p"; done
	[ -z "${evpid:-}" ] || kill "$evpid" 2>/dev/null
	[ -z "${fopid:-}" ] || kill "$fopid" 2>/dev/null
	loaded || insmod "$KO"
	for w in $WORKERS; do "$T" unload --cgroup "$CG/$w" >/dev/null 2>&1; done
	"$T" unload --cgroup "$CG" >/dev/null 2>&1
	for c in "$CG"/*/ "$CG"; do rmdir "$c" 2>/dev/null; done
	rm -rf "$D"
}
trap cleanup EXIT

mkdir -p "$CG" "$D/ro" "$D/rw" "$D/xbin" "$D/pol" || exit 1
for w in $WORKERS; do mkdir "$CG/$w" || exit 1; done
echo secret > "$D/secret"
echo plain > "$D/plain"
echo keep > "$D/ro/keep"
cp /bin/busybox "$D/xbin/true"

# Policies: deny (reads of secret, writes under ro/, exec under xbin/),
# the same in monitor mode, a large allow-all one, and a glob-heavy one.
cat > "$D/pol/deny.json" <<EOF
{ "name": "stress-deny", "mode": "enforce",
  "rules": [
    { "type": "file", "action": "deny", "path": "$D/secret", "access": ["read"] },
    { "type": "file", "action": "deny", "path": "$D/ro/**", "access": ["write"] },
    { "type": "execute", "action": "deny", "path": "$D/xbin/**" }
  ] }
EOF
sed 's/"enforce"/"monitor"/; s/stress-deny/stress-monitor/' "$D/pol/deny.json" > "$D/pol/monitor.json"
sed 's/"enforce"/"monitor", "learning": true/; s/stress-deny/stress-learn/' "$D/pol/deny.json" > "$D/pol/learn.json"
{
	echo '{ "name": "stress-big", "mode": "enforce", "rules": ['
	i=0
	while [ $i -lt 300 ]; do
		echo "{ \"type\": \"file\", \"action\": \"allow\", \"path\": \"$D/rw/f$i\", \"access\": [\"read\",\"write\"] },"
		i=$((i + 1))
	done
	echo "{ \"type\": \"execute\", \"action\": \"allow\", \"path\": \"/bin/*\" } ] }"
} > "$D/pol/big.json"
cat > "$D/pol/glob.json" <<EOF
{ "name": "stress-glob", "mode": "enforce",
  "default_actions": { "file": "allow", "execute": "allow" },
  "rules": [
    { "type": "file", "action": "deny", "path": "$D/sec*", "access": ["read"] },
    { "type": "file", "action": "deny", "path": "$D/*/sec*", "access": ["read"] },
    { "type": "file", "action": "deny", "path": "$D/r?/*", "access": ["write"] },
    { "type": "file", "action": "allow", "path": "$D/rw/**", "access": ["read", "write"] },
    { "type": "execute", "action": "deny", "path": "$D/x*/t[a-z]ue" }
  ] }
EOF
for p in deny monitor big glob learn; do
	"$T" check "$D/pol/$p.json" >/dev/null 2>&1 || nok "policy $p does not validate"
done

# worker: every hooked operation in a loop until $D/stop; counts rounds
cat > "$D/worker.sh" <<'EOF'
d=$1 cg=$2 n=0
echo $$ > "$cg/cgroup.procs" || exit 1
me=$(basename "$cg")
while [ ! -e "$d/stop" ]; do
	cat "$d/secret" "$d/plain" >/dev/null 2>&1		# open read
	echo x >> "$d/rw/$me" 2>/dev/null			# open write
	: > "$d/ro/t-$me" 2>/dev/null				# open O_TRUNC|O_CREAT
	truncate -s 0 "$d/rw/$me" 2>/dev/null			# truncate
	truncate -s 0 "$d/ro/keep" 2>/dev/null
	ln "$d/rw/$me" "$d/rw/$me.l" 2>/dev/null		# link
	ln "$d/ro/keep" "$d/ro/l-$me" 2>/dev/null
	mv "$d/rw/$me.l" "$d/rw/$me.m" 2>/dev/null		# rename
	mv "$d/ro/l-$me" "$d/ro/m-$me" 2>/dev/null
	rm -f "$d/rw/$me.m" "$d/ro/m-$me" "$d/ro/t-$me" 2>/dev/null	# unlink
	"$d/xbin/true" 2>/dev/null				# exec
	/bin/true
	i=0	# opens without a fork: redirections of regular builtins
	while [ $i -lt 20 ]; do	# (a failed one on ":" would end the shell)
		read -r x < "$d/secret"; read -r x < "$d/plain"
		echo x > "$d/rw/$me"; echo x > "$d/ro/keep"
		i=$((i + 1))
	done 2>/dev/null
	n=$((n + 1))
	echo $n > "$d/rounds.$me"
done
EOF

WPIDS=
start_workers() {
	rm -f "$D/stop"
	WPIDS=
	for w in $WORKERS; do
		sh "$D/worker.sh" "$D" "$CG/$w" >/dev/null 2>&1 &
		WPIDS="$WPIDS $!"
	done
}
stop_workers() {
	touch "$D/stop"
	for p in $WPIDS; do wait "$p"; done
	WPIDS=
}
rounds() {
	t=0
	for w in $WORKERS; do t=$((t + $(cat "$D/rounds.$w" 2>/dev/null || echo 0))); done
	echo $t
}
status_field() { "$T" status --json | tr ',' '\n' | sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"; }
deadline() { echo $(( $(date +%s) + SECS )); }

# ---- 1. table swaps and mode changes
start_workers
end=$(deadline) n=0 errs=0
modes="enforce monitor disabled policy"
while [ "$(date +%s)" -lt $end ]; do
	for p in deny monitor big glob; do
		"$T" load --cgroup "$CG" "$D/pol/$p.json" || errs=$((errs + 1))
		"$T" load --cgroup "$CG/w1" "$D/pol/$p.json" || errs=$((errs + 1))
		set -- $modes
		m=$(eval echo "\${$(( n % 4 + 1 ))}")
		"$T" mode --cgroup "$CG" "$m" || errs=$((errs + 1))
		"$T" log --cgroup "$CG/w1" "$( [ $((n % 2)) = 0 ] && echo all || echo deny)" || errs=$((errs + 1))
		n=$((n + 1))
	done
	[ $((n % 16)) = 0 ] && "$T" unload --cgroup "$CG/w1"
done
stop_workers
if [ $errs = 0 ]; then ok "1: $n table swaps + mode/log changes in ${SECS}s, $(rounds) worker rounds"
else nok "1: $errs of $n swap/mode commands failed"; fi

# ---- 2. cgroups with tables made and removed, network namespaces, under load
"$T" load --cgroup "$CG" "$D/pol/deny.json" || nok "2: load"
start_workers
end=$(deadline) n=0 errs=0
while [ "$(date +%s)" -lt $end ]; do
	c="$CG/tmp$n"
	mkdir "$c" || { errs=$((errs + 1)); break; }
	"$T" load --cgroup "$c" "$D/pol/glob.json" || errs=$((errs + 1))
	# a short-lived task in it, denied by the table
	sh -c 'echo $$ > "$1/cgroup.procs" && exec cat "$2"' sh "$c" "$D/secret" >/dev/null 2>&1 &&
		errs=$((errs + 1))
	unshare -n true || errs=$((errs + 1))
	unshare -n sh -c 'ip link set lo up; cat "$1" >/dev/null' sh "$D/plain" 2>/dev/null
	# remove the cgroup with its table still loaded (every other time)
	[ $((n % 2)) = 0 ] && "$T" unload --cgroup "$c"
	rmdir "$c" 2>/dev/null || { sleep 0.1; rmdir "$c" || errs=$((errs + 1)); }
	n=$((n + 1))
done
stop_workers
if [ $errs = 0 ]; then ok "2: $n cgroups with tables and netns made and removed under load"
else nok "2: $errs failures in $n cgroup/netns rounds"; fi
# tables of removed cgroups must not linger forever: show must still work
"$T" show >/dev/null || nok "2: crs-tool show after cgroup churn"

# ---- 3. rmmod and insmod under load
start_workers
end=$(deadline) n=0 errs=0
while [ "$(date +%s)" -lt $end ]; do
	"$T" load --cgroup "$CG" "$D/pol/deny.json" || errs=$((errs + 1))
	"$T" load --cgroup "$CG/w2" "$D/pol/glob.json" || errs=$((errs + 1))
	rmmod crs || { errs=$((errs + 1)); break; }
	loaded && { errs=$((errs + 1)); break; }
	insmod "$KO" || { errs=$((errs + 1)); break; }
	n=$((n + 1))
done
stop_workers
loaded || insmod "$KO"
if [ $errs = 0 ] && [ $n -gt 0 ]; then ok "3: $n rmmod/insmod cycles under load"
else nok "3: $errs failures in $n rmmod/insmod cycles"; fi

# ---- 4. events: no reader, a reader that does not read, a normal reader
for w in $WORKERS; do "$T" unload --cgroup "$CG/$w" >/dev/null 2>&1; done
"$T" load --cgroup "$CG" "$D/pol/deny.json" || nok "4: load"
"$T" log --cgroup "$CG" all || nok "4: log all"
nl0=$(status_field events_no_listener)
start_workers
sleep "$SECS"
stop_workers
nl1=$(status_field events_no_listener)
if [ "${nl1:-0}" -gt "${nl0:-0}" ]; then ok "4: no reader: events_no_listener $nl0 -> $nl1"
else nok "4: no reader: events_no_listener did not grow ($nl0 -> $nl1)"; fi

dr0=$(status_field events_dropped)
# crs-tool events writes into a pipe nobody reads: it blocks, its socket
# fills, and the module must drop (and count) what does not fit
mkfifo "$D/fifo"
"$T" events > "$D/fifo" &
evpid=$!
exec 8<> "$D/fifo"	# hold the pipe open without reading
sleep 1
start_workers
# denied opens as fast as a shell can open (no fork), until drops show up
cat > "$D/flood.sh" <<'EOF2'
echo $$ > "$2/cgroup.procs" || exit 1
while [ ! -e "$1/stop" ]; do
	read -r x < "$1/secret"; read -r x < "$1/secret"; read -r x < "$1/secret"
done 2>/dev/null
EOF2
sh "$D/flood.sh" "$D" "$CG/w1" & WPIDS="$WPIDS $!"
sh "$D/flood.sh" "$D" "$CG/w2" & WPIDS="$WPIDS $!"
end=$(( $(date +%s) + 3 * SECS ))
while [ "$(date +%s)" -lt $end ]; do
	sleep 1
	dr1=$(status_field events_dropped)
	[ "${dr1:-0}" -gt "${dr0:-0}" ] && [ "$(date +%s)" -ge $((end - 2 * SECS)) ] && break
done
stop_workers
dr1=$(status_field events_dropped)
kill $evpid 2>/dev/null
exec 8<&-
wait $evpid 2>/dev/null
evpid=
if [ "${dr1:-0}" -gt "${dr0:-0}" ]; then ok "4: stuck reader: events_dropped $dr0 -> $dr1"
elif case "${CRS_KVER:-}" in *debug*) true ;; *) false ;; esac; then
	# KASAN under TCG produces too few events in the time given to fill the
	# reader's socket buffer; the Debian guests assert this.
	ok "4: stuck reader: # SKIP debug kernel too slow to overflow the reader ($dr0 -> $dr1)"
else nok "4: stuck reader: events_dropped did not grow ($dr0 -> $dr1)"; fi

# a slow but live reader: gets events, nothing crashes
"$T" events --timeout "$SECS" 2>/dev/null | while read -r l; do sleep 0.01; done &
rdpid=$!
sleep 1
start_workers
sleep "$SECS"
stop_workers
wait $rdpid
"$T" events --count 1 --timeout 10 > "$D/one" &
evpid=$!
sleep 1
sh -c 'echo $$ > "$1/cgroup.procs" && exec cat "$2"' sh "$CG/w3" "$D/secret" >/dev/null 2>&1
wait $evpid
evpid=
if grep -q "$D/secret" "$D/one"; then ok "4: events flow again after the overload"
else nok "4: no event after the overload: $(cat "$D/one")"; fi
"$T" log --cgroup "$CG" default

# ---- 5. learning churn: clear, off/on, swap, remove, with a hint reader
"$T" load --cgroup "$CG/w3" "$D/pol/learn.json" || nok "5: load"
"$T" learned --cgroup "$CG/w3" --follow > "$D/follow" 2>"$D/follow.err" &
fopid=$!
start_workers
end=$(deadline) n=0 errs=0
while [ "$(date +%s)" -lt $end ]; do
	"$T" learned --cgroup "$CG/w3" --json > /dev/null || errs=$((errs + 1))
	"$T" learned --cgroup "$CG/w3" --clear > /dev/null || errs=$((errs + 1))
	"$T" learn --cgroup "$CG/w3" off || errs=$((errs + 1))
	"$T" learn --cgroup "$CG/w3" policy || errs=$((errs + 1))
	"$T" load --cgroup "$CG/w3" "$D/pol/learn.json" || errs=$((errs + 1))
	if [ $((n % 4)) = 3 ]; then	# the set goes with the table
		"$T" unload --cgroup "$CG/w3" || errs=$((errs + 1))
		"$T" load --cgroup "$CG/w3" "$D/pol/learn.json" || errs=$((errs + 1))
	fi
	n=$((n + 1))
done
stop_workers
kill $fopid 2>/dev/null
wait $fopid 2>/dev/null
fopid=
hl=$(wc -l < "$D/follow")
if [ $errs = 0 ] && [ "$hl" -gt 1 ]; then ok "5: $n learning churn rounds under load, $hl lines from learned --follow"
else nok "5: $errs failures in $n learning churn rounds, $hl lines from learned --follow ($(head -c 200 "$D/follow.err"))"; fi
"$T" unload --cgroup "$CG/w3"

# ---- the module still enforces
"$T" load --cgroup "$CG" "$D/pol/deny.json"
for w in $WORKERS; do "$T" unload --cgroup "$CG/$w" >/dev/null 2>&1; done
if sh -c 'echo $$ > "$1/cgroup.procs" && exec cat "$2"' sh "$CG/w4" "$D/secret" >/dev/null 2>&1; then
	nok "after the stress: reading the secret was allowed"
else
	ok "after the stress: the table enforces"
fi
if sh -c 'echo $$ > "$1/cgroup.procs" && exec "$2"' sh "$CG/w4" "$D/xbin/true" 2>/dev/null; then
	nok "after the stress: exec was allowed"
else
	ok "after the stress: exec denied"
fi
"$T" status | sed 's/^/# /'

echo "# stress.sh: $fails failed"
[ "$fails" = 0 ]
