#!/bin/sh
# template_cmd.sh - crs-tool template on the host (it needs no kernel):
# a profile in, the policy on stdout, the summary on stderr, --report, the
# options, and the exit codes (0; 1 incomplete profile enforced without
# --force; 2 usage; 3 invalid profile or merge policy, naming the field).
#
# Usage: template_cmd.sh CRS_TOOL. Prints "ok - ..." / "not ok - ...";
# exits 1 if any check failed.

T=${1:?usage: template_cmd.sh CRS_TOOL}
fails=0
checks=0
ok() { checks=$((checks + 1)); echo "ok - $*"; }
nok() { checks=$((checks + 1)); fails=$((fails + 1)); echo "not ok - $*"; }

D=$(mktemp -d /tmp/crs-template.XXXXXX) || exit 1
trap 'rm -rf "$D"' EXIT

# run WANT_RC DESC CMD...: stdout in $D/out, stderr in $D/err
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
has() {
	if grep -q -F -- "$3" "$1"; then
		ok "$2"
	else
		nok "$2: no '$3' in:"
		sed 's/^/#   /' "$1" | head -30
	fi
}
hasnt() {
	if grep -q -F -- "$3" "$1"; then
		nok "$2: '$3' in $1"
	else
		ok "$2"
	fi
}
flat() { tr -d '\n' < "$1" | sed -e 's/  */ /g' -e 's/": /":/g' -e 's/, "/,"/g' -e 's/{ /{/g' \
	-e 's/ }/}/g' -e 's/\[ /[/g' -e 's/ \]/]/g' -e 's/}, {/},{/g' > "$1.flat"; }

R=/usr/bin/redis-server
obs() {
	cat <<JSON
{"version": 1, "cgroup_id": 5, "epoch": 1, "generation": 2, "state": "recording",
 "max": 16384, "records": 40, "dropped": {"full": $1, "long": 0}, "complete": true,
 "observations": [
 {"type": "file", "program": "$R", "outcome": "allowed", "path": "/usr/lib/x86_64-linux-gnu/libc.so.6", "access": "read"},
 {"type": "file", "program": "$R", "outcome": "allowed", "path": "/data/temp-15.rdb", "access": "read,write", "pid_offset": 11},
 {"type": "file", "program": "$R", "outcome": "allowed", "path": "/etc/shadow", "access": "read"},
 {"type": "file", "program": "$R", "outcome": "denied", "path": "/root/x", "access": "read"},
 {"type": "execute", "program": "/bin/sh", "outcome": "allowed", "path": "$R"},
 {"type": "listener", "program": "$R", "outcome": "allowed", "protocol": "tcp", "address": "0.0.0.0", "port": 6379, "auto_port": false},
 {"type": "network", "program": null, "outcome": "allowed", "direction": "inbound", "protocol": "udp", "address": "10.0.0.2", "port": 40001, "auto_port": true},
 {"type": "syscall", "program": "$R", "outcome": "allowed", "syscall": "epoll_wait", "arch": "x86_64", "key": "crsd's", "first_seen": 1}
 ]}
JSON
}
obs 0 > "$D/p.json"
obs 7 > "$D/inc.json"

run 0 "template: new policy" "$T" template "$D/p.json"
has "$D/err" "template: summary" \
	"template: 7 rules added (3 generalised), 0 covered, 0 conflicts; profile complete"
flat "$D/out"
has "$D/out.flat" "template: defaults deny" '"default_actions":{"file":"deny","execute":"deny","network":"deny","listener":"deny","syscall":"deny"}'
has "$D/out.flat" "template: monitor, named learned" '"name":"learned","mode":"monitor"'
has "$D/out.flat" "template: G5" '"program":"*","path":"/usr/lib/x86_64-linux-gnu/libc.so*","access":["read"]'
has "$D/out.flat" "template: G2 (PID_OFF)" "\"program\":\"$R\",\"path\":\"/data/temp-*.rdb\",\"access\":[\"read\",\"write\"]"
has "$D/out.flat" "template: G3" '"direction":"inbound","protocol":"udp","address":"10.0.0.2","port":"32768-60999"'
has "$D/out.flat" "template: exact listener" "\"program\":\"$R\",\"protocol\":\"tcp\",\"address\":\"0.0.0.0\",\"port\":6379"
hasnt "$D/out.flat" "template: denied only is not added" '/root/x'
cp "$D/out" "$D/new.json"

run 0 "template --exact --ephemeral-ports --name" "$T" template --exact --name web \
	--ephemeral-ports 40000-40100 --report "$D/rep.json" "$D/p.json"
has "$D/err" "template --exact: nothing generalised" "7 rules added (0 generalised)"
flat "$D/out"
has "$D/out.flat" "template --name" '"name":"web"'
has "$D/out.flat" "template --exact: exact port" '"address":"10.0.0.2","port":40001'
flat "$D/rep.json"
has "$D/rep.json.flat" "report: created" '"created":true,"merged_into":null,"incomplete":false,"dropped":0,"profile":{"scope":"file","observations":8,"synced":true},"added":[{"index":0,'
has "$D/rep.json.flat" "report: denied_only" '"denied_only":[{"type":"file","program":"/usr/bin/redis-server","outcome":"denied","path":"/root/x","access":"read"}]'

# merge: rules kept byte for byte, a conflict with a deny rule, covered, default allowed
cat > "$D/merge.json" <<'JSON'
{"name": "web", "mode": "enforce", "default_actions": {"file": "deny"}, "rules": [
 {"name": "no shadow", "type": "file", "action": "deny", "path": "/etc/shadow", "access": ["read"]},
 {"type": "file", "action": "allow", "path": "/usr/lib/**", "access": ["read"]}]}
JSON
run 0 "template --merge" "$T" template --merge "$D/merge.json" --include-denied --report "$D/rep2.json" "$D/p.json"
has "$D/err" "template --merge: summary" "template: 2 rules added (1 generalised), 1 covered, 1 conflict; profile complete"
flat "$D/rep2.json"
has "$D/rep2.json.flat" "template --merge: the conflict names the rule" '"rule_index":0,"rule_name":"no shadow"'
has "$D/rep2.json.flat" "template --merge: merged_into" '"created":false,"merged_into":"web"'
has "$D/rep2.json.flat" "template --merge: default allowed" '"covered":1,"default_allowed":4'
flat "$D/out"
has "$D/out.flat" "template --merge: mode, defaults kept" '"name":"web","mode":"enforce","learning":false,"default_actions":{"file":"deny","execute":"allow"'
has "$D/out.flat" "template --merge: the rules kept, then the new ones" '"rules":[{"name":"no shadow","enabled":true,"type":"file","action":"deny","program":"*","path":"/etc/shadow","access":["read"]},{"enabled":true,"type":"file","action":"allow","program":"*","path":"/usr/lib/**","access":["read"]},{"name":"learned","enabled":true,"type":"file","action":"allow","program":"/usr/bin/redis-server","path":"/data/temp-*.rdb","access":["read","write"]},{"name":"learned","enabled":true,"type":"file","action":"allow","program":"/usr/bin/redis-server","path":"/root/x","access":["read"]}]'

# --collapse-after: three siblings collapse after 2 (G4), not after 3; --defaults deny on a merge
cat > "$D/sib.json" <<'JSON'
{"version": 1, "cgroup_id": 5, "epoch": 1, "generation": 2, "state": "recording",
 "max": 16384, "records": 3, "dropped": {"full": 0, "long": 0}, "complete": true,
 "observations": [
 {"type": "file", "program": "/bin/app", "outcome": "allowed", "path": "/srv/d/a", "access": "read"},
 {"type": "file", "program": "/bin/app", "outcome": "allowed", "path": "/srv/d/b", "access": "read"},
 {"type": "file", "program": "/bin/app", "outcome": "allowed", "path": "/srv/d/c", "access": "read"}
 ]}
JSON
run 0 "template --collapse-after 2" "$T" template --collapse-after 2 "$D/sib.json"
has "$D/err" "template --collapse-after 2: one rule" "1 rule added (1 generalised)"
flat "$D/out"
has "$D/out.flat" "template --collapse-after 2: G4" '"program":"/bin/app","path":"/srv/d/**","access":["read"]'
run 0 "template --collapse-after 3" "$T" template --collapse-after 3 "$D/sib.json"
has "$D/err" "template --collapse-after 3: the exact rules" "3 rules added (0 generalised)"
hasnt "$D/out" "template --collapse-after 3: no G4" '/srv/d/**'
run 0 "template --merge --defaults deny" "$T" template --merge "$D/merge.json" --defaults deny "$D/sib.json"
flat "$D/out"
has "$D/out.flat" "template --defaults deny: all five deny" '"name":"web","mode":"enforce","learning":false,"default_actions":{"file":"deny","execute":"deny","network":"deny","listener":"deny","syscall":"deny"}'

# --defaults per type: file kept (new: allow) adds no file rules; over a plain deny
run 0 "template --defaults file=keep,network=deny" "$T" template --defaults file=keep,network=deny "$D/sib.json"
has "$D/err" "template --defaults file=keep: nothing added" "0 rules added"
flat "$D/out"
has "$D/out.flat" "template --defaults file=keep: file allow, the rest deny" '"default_actions":{"file":"allow","execute":"deny","network":"deny","listener":"deny","syscall":"deny"}'
run 0 "template --merge --defaults deny --defaults execute=keep" "$T" template --merge "$D/merge.json" --defaults deny --defaults execute=keep "$D/sib.json"
flat "$D/out"
has "$D/out.flat" "template --defaults deny, execute=keep: the merge policy's execute" '"default_actions":{"file":"deny","execute":"allow","network":"deny","listener":"deny","syscall":"deny"}'

# incomplete profiles
run 0 "template: incomplete, monitor" "$T" template "$D/inc.json"
has "$D/err" "template: incomplete in the summary" "profile incomplete (7 dropped)"
run 1 "template: incomplete, enforce" "$T" template --mode enforce "$D/inc.json"
has "$D/err" "template: says why" "the profile dropped 7 observations"
run 0 "template: incomplete, enforce, --force" "$T" template --mode enforce --force "$D/inc.json"
has "$D/out" "template --force: enforce" '"mode": "enforce"'

# stdin, usage, invalid input
run 0 "template - (stdin)" sh -c "'$T' template - < '$D/p.json'"
if cmp -s "$D/out" "$D/new.json"; then
	ok "template - (stdin): the policy of the same profile from a file"
else
	nok "template - (stdin): differs from the policy of the same profile from a file"
fi
run 2 "template: no profile" "$T" template
has "$D/err" "template: no profile says so" "no profile given"
run 2 "template: bad --mode" "$T" template --mode policy "$D/p.json"
has "$D/err" "template: bad --mode says which" '--mode: "policy"'
run 2 "template: bad --defaults" "$T" template --defaults allow "$D/p.json"
has "$D/err" "template: bad --defaults says which" '--defaults: "allow"'
for bad in file=allow files=keep file ,; do
	run 2 "template: bad --defaults $bad" "$T" template --defaults "$bad" "$D/p.json"
	has "$D/err" "template: bad --defaults $bad says which" "--defaults: \"$bad\""
done
run 2 "template: bad --ephemeral-ports" "$T" template --ephemeral-ports 9-8 "$D/p.json"
has "$D/err" "template: bad --ephemeral-ports says which" '--ephemeral-ports: "9-8"'
run 2 "template: bad --collapse-after" "$T" template --collapse-after 0 "$D/p.json"
has "$D/err" "template: bad --collapse-after says which" '--collapse-after: "0"'
run 2 "template: --name with --merge" "$T" template --name x --merge "$D/merge.json" "$D/p.json"
has "$D/err" "template: --name with --merge says why" "a merge keeps its name"
sed 's/"port": 6379/"port": 70000/' "$D/p.json" > "$D/bad.json"
run 3 "template: invalid profile" "$T" template "$D/bad.json"
has "$D/err" "template: names the field" "bad.json: observations[5].port: 70000 is out of range (0 to 65535)"
printf '{"version": 1,\n "observations": [,]}' > "$D/syntax.json"
run 3 "template: JSON syntax" "$T" template "$D/syntax.json"
has "$D/err" "template: line and column" "line 2"
printf '{"name": "m", "rules": [ { "type": "file" } ] }' > "$D/badmerge.json"
run 3 "template: invalid merge policy" "$T" template --merge "$D/badmerge.json" "$D/p.json"
has "$D/err" "template: merge policy field" "badmerge.json: rules[0]"
run 1 "template: missing profile" "$T" template "$D/nope.json"
has "$D/err" "template: missing profile named" "cannot read $D/nope.json"

echo "# $checks checks, $fails failed"
[ "$fails" = 0 ]
