#!/bin/sh
# crs_tool.sh - crs-tool's command line in the guest, against the real crs.ko:
# load/show/show --json/mode/unload/status/check/events --json --count 1 with
# real violations, checking the printed fields and the exit codes
# (0 ok, 1 the operation failed, 2 usage, 3 invalid policy, 4 crs.ko not
# loaded, after an rmmod).
#
# Prints "ok - ..." / "not ok - ..." per check; exits 1 if any check failed.
# Needs crs.ko loaded at the start, and leaves it loaded at the end.

T=${CRS_TOOL:-/crs/crs-tool}
KO=${CRS_KO:-/crs/crs.ko}
fails=0
checks=0

ok() { checks=$((checks + 1)); echo "ok - $*"; }
nok() { checks=$((checks + 1)); fails=$((fails + 1)); echo "not ok - $*"; }

D=$(mktemp -d /tmp/crs-tool.XXXXXX) || exit 1
CG=/sys/fs/cgroup/crs-tool-$$
EVPID=

cleanup() {
	[ -z "$EVPID" ] || kill "$EVPID" 2>/dev/null
	[ -d /sys/module/crs ] || insmod "$KO"
	"$T" unload --cgroup "$CG" >/dev/null 2>&1
	rmdir "$CG" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT

# run WANT_RC DESC CMD...: run CMD with stdout in $D/out, stderr in $D/err
run() {
	want=$1 desc=$2
	shift 2
	"$@" >"$D/out" 2>"$D/err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$desc (exit $rc)"
	else
		nok "$desc: exit $rc, wanted $want"
		sed 's/^/#   out: /' "$D/out" | head -20
		sed 's/^/#   err: /' "$D/err" | head -20
	fi
}

# has FILE DESC STRING: FILE contains the fixed STRING
has() {
	if grep -q -F -- "$3" "$1"; then
		ok "$2"
	else
		nok "$2: no '$3' in:"
		sed 's/^/#   /' "$1" | head -30
	fi
}

# JSON with the spaces after ':' and ',' taken out, so fields grep as "k":v
flat() { sed -e 's/": /":/g' -e 's/, "/,"/g' "$1" > "$1.flat"; }

# in_cg CMD...: run CMD as a task of the test cgroup; its pid is added to $D/pids
in_cg() {
	sh -c 'd=$1 cg=$2; shift 2; echo $$ >> "$d/pids"; echo $$ > "$cg/cgroup.procs" && exec "$@"' \
		in_cg "$D" "$CG" "$@"
}

mkdir "$CG" || exit 1
CGID=$(stat -c %i "$CG")
echo secret > "$D/secret"
echo public > "$D/public"
mkdir "$D/bin"
cp /bin/busybox "$D/bin/true"
cp /bin/busybox "$D/true"
# a cat of our own: the event must name exactly this program
cp /bin/busybox "$D/cat"
CAT=$D/cat

cat > "$D/policy.json" <<EOF
{
  "name": "tooltest",
  "mode": "enforce",
  "default_actions": { "file": "allow", "execute": "allow" },
  "rules": [
    { "name": "no-secret", "type": "file", "action": "deny",
      "path": "$D/secret", "access": ["read", "write"] },
    { "name": "no-bin", "type": "execute", "action": "deny", "path": "$D/bin/*" }
  ]
}
EOF
printf '{ "name": "bad",\n  "rules": [ { "type": "file", "action": "deny",\n    "path": "relative", "access": ["read"] } ] }\n' > "$D/bad.json"
printf '{ "name": "broken",\n  "rules": [ \n' > "$D/broken.json"

# ---- usage errors: 2
run 2 "no command" "$T"
run 2 "unknown command" "$T" frobnicate
run 2 "load without arguments" "$T" load
run 2 "load without a policy" "$T" load --cgroup "$CG"
run 2 "mode with a bad mode" "$T" mode --cgroup "$CG" sometimes
run 2 "show with an unknown option" "$T" show --colour

# ---- check: no kernel needed
run 0 "check a valid policy" "$T" check "$D/policy.json"
has "$D/out" "check shows the exact rule" "path=$D/secret (exact)"
has "$D/out" "check shows the glob rule" "path=$D/bin/* (glob)"
has "$D/out" "check shows the rule name" 'name="no-secret"'
run 0 "check --json" "$T" check --json "$D/policy.json"
flat "$D/out"
has "$D/out.flat" "check --json names the policy" '"name":"tooltest"'
has "$D/out.flat" "check --json kinds" '"path_kind":"glob"'
run 3 "check an invalid policy" "$T" check "$D/bad.json"
has "$D/err" "the invalid field is named" "rules[0].path"
run 3 "check a JSON syntax error" "$T" check "$D/broken.json"
has "$D/err" "the syntax error has a line" "line"

# ---- load
run 3 "load an invalid policy" "$T" load --cgroup "$CG" "$D/bad.json"
run 1 "nothing was loaded" "$T" show --cgroup "$CG"
run 0 "load" "$T" load --cgroup "$CG" "$D/policy.json"
if [ -s "$D/out" ]; then nok "load prints nothing"; else ok "load prints nothing"; fi

# ---- show
run 0 "show" "$T" show --cgroup "$CG"
has "$D/out" "show: cgroup and policy" "cgroup $CGID: policy \"tooltest\""
has "$D/out" "show: mode" "mode: enforce"
has "$D/out" "show: rules" "rules: 2"
has "$D/out" "show: rule name" 'name="no-secret"'
run 0 "show --json" "$T" show --cgroup "$CG" --json
flat "$D/out"
has "$D/out.flat" "show --json: cgroup_id" "\"cgroup_id\":$CGID"
has "$D/out.flat" "show --json: name" '"name":"tooltest"'
has "$D/out.flat" "show --json: mode" '"mode":"enforce"'
has "$D/out.flat" "show --json: nrules" '"nrules":2'
has "$D/out.flat" "show --json: rule path" "\"path\":\"$D/secret\""
run 0 "show every table" "$T" show
has "$D/out" "the full listing has ours" "cgroup $CGID: policy \"tooltest\""

# ---- status
run 0 "status" "$T" status
run 0 "status --json" "$T" status --json
flat "$D/out"
# the ABI version the module reports must be the one crs.h (and so crs-tool) was built with
tool_abi=$(sed -n 's/.*"tool_abi":\([0-9][0-9]*\).*/\1/p' "$D/out.flat")
if [ -n "$tool_abi" ]; then ok "status --json: tool_abi $tool_abi"; else nok "status --json: no tool_abi"; fi
has "$D/out.flat" "status --json: abi equals tool_abi" "\"abi\":${tool_abi:-none}"
has "$D/out.flat" "status --json: max_rules" '"max_rules":65536'
has "$D/out.flat" "status --json: probes" '"symbol":"security_file_open"'

# ---- a real violation, seen by events --json --count 1
# violate CMD...: start "events --json --count 1", repeat CMD in the cgroup
# until the event arrives (the subscription takes a moment), at most ~15 s.
violate() {
	"$T" events --json --count 1 --timeout 30 > "$D/ev" 2> "$D/ev.err" &
	EVPID=$!
	: > "$D/pids"
	i=0
	while [ $i -lt 25 ] && kill -0 "$EVPID" 2>/dev/null; do
		sleep 1
		in_cg "$@" >/dev/null 2>&1
		echo $? > "$D/violation.rc"
		i=$((i + 1))
	done
	wait "$EVPID"
	evrc=$?
	EVPID=
	if [ "$evrc" = 0 ] && [ -s "$D/ev" ]; then
		ok "events --json --count 1 got one event and exited 0"
	else
		nok "events: exit $evrc, output:"
		cat "$D/ev" "$D/ev.err"
	fi
	flat "$D/ev"
}

violate "$CAT" "$D/secret"
if [ "$(cat "$D/violation.rc")" != 0 ]; then ok "reading the secret failed"; else nok "reading the secret worked"; fi
P=$(sed -n 's/.*"pid":\([0-9]*\),.*/\1/p' "$D/ev.flat")
if [ -n "$P" ] && grep -q -x "$P" "$D/pids"; then
	ok "event: pid $P is one of the violators"
else
	nok "event: pid '$P' is not one of: $(cat "$D/pids")"
fi
has "$D/ev.flat" "event: path" "\"path\":\"$D/secret\""
has "$D/ev.flat" "event: type" '"type":"file"'
has "$D/ev.flat" "event: access" '"access":"read"'
has "$D/ev.flat" "event: action" '"action":"deny"'
has "$D/ev.flat" "event: verdict" '"verdict":"deny"'
has "$D/ev.flat" "event: mode" '"mode":"enforce"'
has "$D/ev.flat" "event: rule" '"rule_index":0,"rule_name":"no-secret"'
has "$D/ev.flat" "event: cgroup" "\"cgroup_id\":$CGID,\"table_cgroup_id\":$CGID"
has "$D/ev.flat" "event: program" "\"program\":\"$CAT\""
has "$D/ev.flat" "event: not by default" '"default":false'
in_cg "$CAT" "$D/public" >/dev/null 2>&1 && ok "public is readable" || nok "public is not readable"

# execute rule: the glob denies $D/bin/*, a copy elsewhere runs
in_cg "$D/bin/true" >/dev/null 2>&1 && nok "exec of $D/bin/true worked" || ok "exec of $D/bin/true denied"
in_cg "$D/true" >/dev/null 2>&1 && ok "exec of $D/true works" || nok "exec of $D/true denied"

# ---- mode
run 0 "mode monitor" "$T" mode --cgroup "$CG" monitor
run 0 "show after mode" "$T" show --cgroup "$CG"
has "$D/out" "show: the override" "container override: monitor"
violate "$CAT" "$D/secret"
if [ "$(cat "$D/violation.rc")" = 0 ]; then ok "monitor: reading works"; else nok "monitor: reading failed"; fi
has "$D/ev.flat" "monitor event: mode" '"mode":"monitor"'
has "$D/ev.flat" "monitor event: action" '"action":"allow"'
has "$D/ev.flat" "monitor event: verdict" '"verdict":"deny"'
run 0 "mode policy" "$T" mode --cgroup "$CG" policy
in_cg "$CAT" "$D/secret" >/dev/null 2>&1 && nok "policy mode: reading worked" || ok "policy mode: denied again"
run 0 "mode disabled" "$T" mode --cgroup "$CG" disabled
in_cg "$CAT" "$D/secret" >/dev/null 2>&1 && ok "disabled: reading works" || nok "disabled: reading failed"
run 0 "mode policy again" "$T" mode --cgroup "$CG" policy

# ---- learn, learned (docs/learning.md)
run 1 "learned: no set yet" "$T" learned --cgroup "$CG"
has "$D/err" "learned: says why" "has no learned set"
run 2 "learn: a bad switch" "$T" learn --cgroup "$CG" sometimes
run 2 "learn: --max too small" "$T" learn --cgroup "$CG" on --max 10
run 0 "learn on --max 128" "$T" learn --cgroup "$CG" on --max 128
in_cg "$CAT" "$D/public" >/dev/null 2>&1 && ok "learning: public is readable" || nok "learning: public is not readable"
run 0 "learned" "$T" learned --cgroup "$CG"
has "$D/out" "learned: header" "cgroup $CGID: learning on (container override), recording,"
has "$D/out" "learned: the read" "file     read       allowed         program=$CAT  path=$D/public"
run 0 "learned --json" "$T" learned --cgroup "$CG" --json
tr -d ' \n' < "$D/out" > "$D/out.flat"	# pretty JSON on one line (no spaces in these paths)
has "$D/out.flat" "learned --json: max" '"max":128'
has "$D/out.flat" "learned --json: the read" "{\"type\":\"file\",\"program\":\"$CAT\",\"outcome\":\"allowed\",\"path\":\"$D/public\",\"access\":\"read\"}"
cp "$D/out" "$D/profile.json"
# --follow: the set as it is, then a hint for a read made meanwhile
run 2 "learned --follow --clear refused" "$T" learned --cgroup "$CG" --follow --clear
run 2 "learned --timeout needs --follow" "$T" learned --cgroup "$CG" --timeout 1
echo fresh > "$D/fresh"
"$T" learned --cgroup "$CG" --follow --timeout 6 >"$D/follow" 2>"$D/follow.err" &
FPID=$!
i=0
while [ $i -lt 100 ] && ! [ -s "$D/follow" ]; do sleep 0.1; i=$((i + 1)); done
in_cg "$CAT" "$D/fresh" >/dev/null 2>&1
if wait "$FPID"; then ok "learned --follow: exits 0 at --timeout"; else nok "learned --follow: exit $? ($(cat "$D/follow.err"))"; fi
head -n 1 "$D/follow" > "$D/follow1"
tail -n +2 "$D/follow" > "$D/follow2"
has "$D/follow1" "learned --follow: the set first" "\"path\":\"$D/public\""
has "$D/follow2" "learned --follow: the hint has the new read" "{\"type\":\"file\",\"program\":\"$CAT\",\"outcome\":\"allowed\",\"path\":\"$D/fresh\",\"access\":\"read\"}"
if grep -q -F "\"$D/public\"" "$D/follow2"; then nok "learned --follow: the hint repeats the set"; else ok "learned --follow: the hint has only what is new"; fi
has "$D/follow2" "learned --follow: the hint is a profile document" '"version":1,"cgroup_id":'
run 0 "learned --follow --count 1: the set is not a hint" timeout 5 "$T" learned --cgroup "$CG" --follow --count 1 --timeout 1
# template works offline on the kernel's profile (docs/learning.md section 6)
run 0 "template --exact from learned --json" "$T" template --exact "$D/profile.json"
has "$D/err" "template: summary" "profile complete"
tr -d ' \n' < "$D/out" > "$D/out.flat"
has "$D/out.flat" "template: the learned read as an allow rule" "\"type\":\"file\",\"action\":\"allow\",\"program\":\"$CAT\",\"path\":\"$D/public\",\"access\":[\"read\"]"
has "$D/out.flat" "template: a new policy denies by default" '"default_actions":{"file":"deny","execute":"deny","network":"deny","listener":"deny","syscall":"deny"}'
run 1 "template: enforce needs a complete profile" sh -c "sed 's/\"full\": 0/\"full\": 5/' '$D/profile.json' | '$T' template --mode enforce -"
run 0 "show while learning" "$T" show --cgroup "$CG"
has "$D/out" "show: learning line" "learning: on (container override), recording,"
run 0 "show --json while learning" "$T" show --cgroup "$CG" --json
tr -d ' \n' < "$D/out" > "$D/out.flat"
has "$D/out.flat" "show --json: learning" '"learn":"on","learning":{"state":"recording"'
run 0 "status while learning" "$T" status
has "$D/out" "status: learning line" "learning:      1 sets, 128 of 524288 records reserved"
run 1 "learn: resizing is refused" "$T" learn --cgroup "$CG" on --max 256
has "$D/err" "learn: resize says why" "delete it to resize"
run 0 "learned --clear" "$T" learned --cgroup "$CG" --clear
run 0 "learned after --clear" "$T" learned --cgroup "$CG"
has "$D/out" "learned: empty after --clear" "recording, 0 of 128 records"
run 0 "learn policy" "$T" learn --cgroup "$CG" policy
run 0 "show: learning follows the policy" "$T" show --cgroup "$CG"
has "$D/out" "show: learning off, set kept" "learning: off (policy), idle, 0 of 128 records"

# ---- unload
run 0 "unload" "$T" unload --cgroup "$CG"
in_cg "$CAT" "$D/secret" >/dev/null 2>&1 && ok "unloaded: reading works" || nok "unloaded: reading failed"
run 1 "show an unloaded cgroup" "$T" show --cgroup "$CG"
run 1 "unload twice" "$T" unload --cgroup "$CG"
run 1 "mode without a table" "$T" mode --cgroup "$CG" monitor

# ---- crs.ko not loaded: 4
if rmmod crs; then
	ok "rmmod crs"
	run 4 "status without crs.ko" "$T" status
	run 4 "load without crs.ko" "$T" load --cgroup "$CG" "$D/policy.json"
	run 4 "show without crs.ko" "$T" show
	run 4 "unload without crs.ko" "$T" unload --cgroup "$CG"
	run 4 "events without crs.ko" "$T" events --count 1 --timeout 1
	run 0 "check needs no crs.ko" "$T" check "$D/policy.json"
	insmod "$KO" && ok "insmod again" || nok "insmod again"
	run 0 "status after insmod" "$T" status
else
	nok "rmmod crs"
fi

echo "# crs_tool.sh: $((checks - fails)) of $checks checks passed"
[ "$fails" = 0 ]
