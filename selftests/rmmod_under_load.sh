#!/bin/sh
# rmmod_under_load.sh - crs.ko comes out cleanly while its hooks are busy.
#
# Loops in a policed cgroup keep opening a denied file and executing a denied
# binary. Three times over: load the policy, see the loops being denied,
# rmmod crs while they run; rmmod must succeed, the module must be gone, and
# the loops must keep running with every later attempt allowed; then insmod
# again. Meanwhile a learning cgroup keeps reading files it has not read
# before, and crs-tool learned --follow receives the hints: the module also
# goes while its hint work is busy and a subscriber listens. (A kernel
# splat anywhere fails the run in run-guest.sh.)
#
# Prints "ok - ..." / "not ok - ..."; exits 1 if any check failed. Needs crs.ko
# loaded at the start and leaves it loaded.

T=${CRS_TOOL:-/crs/crs-tool}
KO=${CRS_KO:-/crs/crs.ko}
LOOPS="open1 open2 exec1 exec2"
fails=0

ok() { echo "ok - $*"; }
nok() { fails=$((fails + 1)); echo "not ok - $*"; }

D=$(mktemp -d /tmp/crs-rmmod.XXXXXX) || exit 1
CG=/sys/fs/cgroup/crs-rmmod-$$
CGL=$CG-learn
FOLLOW=

cleanup() {
	[ -n "$FOLLOW" ] && kill "$FOLLOW" 2>/dev/null
	touch "$D/stop"
	wait
	[ -d /sys/module/crs ] || insmod "$KO"
	"$T" unload --cgroup "$CG" >/dev/null 2>&1
	"$T" unload --cgroup "$CGL" >/dev/null 2>&1
	rmdir "$CG" "$CGL" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT

mkdir "$CG" "$CGL" "$D/xbin" "$D/files" || exit 1
i=0
while [ $i -lt 3000 ]; do : > "$D/files/$i"; i=$((i + 1)); done
cat > "$D/learn.json" <<EOF
{ "name": "rmmod-learning", "mode": "monitor", "learning": true, "rules": [] }
EOF
# the learning cgroup reads file after file: each a new observation, a hint
cat > "$D/learnloop.sh" <<'EOF'
d=$1 cg=$2
echo $$ > "$cg/cgroup.procs" || exit 1
i=0
while [ ! -e "$d/stop" ]; do
	cat "$d/files/$((i % 3000))" >/dev/null 2>&1
	i=$((i + 1))
done
EOF
echo secret > "$D/secret"
cp /bin/busybox "$D/xbin/true"
cat > "$D/policy.json" <<EOF
{
  "name": "rmmod-under-load",
  "rules": [
    { "type": "file", "action": "deny", "path": "$D/secret", "access": ["read"] },
    { "type": "execute", "action": "deny", "path": "$D/xbin/**" }
  ]
}
EOF

# Each loop prints A (allowed) or D (denied) per attempt, until $D/stop exists.
cat > "$D/loop.sh" <<'EOF'
d=$1 cg=$2 kind=$3
echo $$ > "$cg/cgroup.procs" || exit 1
while [ ! -e "$d/stop" ]; do
	case $kind in
	open*) cat "$d/secret" >/dev/null 2>&1 ;;
	exec*) "$d/xbin/true" 2>/dev/null ;;
	esac
	if [ $? = 0 ]; then echo A; else echo D; fi
done
EOF

lines() { wc -l < "$D/out.$1"; }
denials() { grep -c D "$D/out.$1"; }

for l in $LOOPS; do
	sh "$D/loop.sh" "$D" "$CG" "$l" > "$D/out.$l" &
done
sh "$D/learnloop.sh" "$D" "$CGL" &

for cycle in 1 2 3; do
	[ -d /sys/module/crs ] || { insmod "$KO" || { nok "insmod (cycle $cycle)"; break; }; }
	for l in $LOOPS; do eval "base_$l=\$(denials $l)"; done
	if "$T" load --cgroup "$CG" "$D/policy.json"; then
		ok "cycle $cycle: policy loaded"
	else
		nok "cycle $cycle: load"
		break
	fi
	# every loop must see denials now
	i=0
	while [ $i -lt 30 ]; do
		short=
		for l in $LOOPS; do
			eval "b=\$base_$l"
			[ "$(denials $l)" -ge $((b + 2)) ] || short="$short $l"
		done
		[ -z "$short" ] && break
		sleep 1
		i=$((i + 1))
	done
	if [ -z "$short" ]; then ok "cycle $cycle: every loop is being denied"; else nok "cycle $cycle: not denied:$short"; fi
	# a subscriber receiving the learning cgroup's hints
	if "$T" load --cgroup "$CGL" "$D/learn.json"; then
		: > "$D/follow.$cycle"
		"$T" learned --cgroup "$CGL" --follow >> "$D/follow.$cycle" 2>&1 &
		FOLLOW=$!
		i=0
		while [ $i -lt 50 ] && [ "$(wc -l < "$D/follow.$cycle")" -lt 3 ]; do
			sleep 0.2
			i=$((i + 1))
		done
		if [ "$(wc -l < "$D/follow.$cycle")" -ge 3 ]; then
			ok "cycle $cycle: hints are flowing"
		else
			nok "cycle $cycle: no hints ($(head -c 200 "$D/follow.$cycle"))"
		fi
	else
		nok "cycle $cycle: load the learning policy"
	fi

	# rmmod while they hammer the hooks
	if rmmod crs; then ok "cycle $cycle: rmmod under load"; else nok "cycle $cycle: rmmod failed"; fi
	[ -n "$FOLLOW" ] && { kill "$FOLLOW" 2>/dev/null; wait "$FOLLOW" 2>/dev/null; FOLLOW=; }
	if [ -d /sys/module/crs ]; then nok "cycle $cycle: crs still loaded"; continue; fi
	ok "cycle $cycle: crs is gone"
	for l in $LOOPS; do eval "n_$l=\$(lines $l)"; done
	sleep 2
	for l in $LOOPS; do
		eval "n=\$n_$l"
		# skip two lines: an attempt decided before rmmod may print after it
		after=$(tail -n +$((n + 3)) "$D/out.$l")
		cnt=$(echo "$after" | grep -c A)
		den=$(echo "$after" | grep -c D)
		if [ "$cnt" -ge 1 ] && [ "$den" = 0 ]; then
			ok "cycle $cycle: $l runs on, $cnt attempts allowed, none denied"
		else
			nok "cycle $cycle: $l after rmmod: $cnt allowed, $den denied"
		fi
	done
	insmod "$KO" && ok "cycle $cycle: insmod" || nok "cycle $cycle: insmod"
done

# a fresh module polices again
if "$T" load --cgroup "$CG" "$D/policy.json" &&
   ! sh -c 'echo $$ > "$1/cgroup.procs" && exec cat "$2"' sh "$CG" "$D/secret" >/dev/null 2>&1; then
	ok "after the cycles: the reloaded module enforces"
else
	nok "after the cycles: no enforcement"
fi
"$T" unload --cgroup "$CG" || nok "unload"

echo "# rmmod_under_load.sh: $fails failed"
[ "$fails" = 0 ]
