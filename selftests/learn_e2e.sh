#!/bin/bash
# learn_e2e.sh - the learning proof (issue 7, docs/learning.md section 7) in the guest,
# with crs.ko and crs-tool only (crsd's path is in crsd_test.sh):
#
#   1. Workloads that nobody here wrote, each container a cgroup of its own:
#      "web"    busybox httpd serving $D/www, plus learn_probe --benign (a
#               program of ours that reads, listens, connects and execs)
#      "client" busybox wget fetching pages from web
#      "redis"  Debian's redis-server
#      "bench"  redis-benchmark against it
#   2. Learn: every cgroup gets a policy with no rules, all defaults allow,
#      monitor, "learning": true; the workloads run through their paces.
#   3. Generate: crs-tool learned --json | crs-tool template --mode enforce -,
#      and load each template as its cgroup's table.
#   4. The same workloads again: they must succeed, with 0 denied and 0
#      monitored decisions in every table.
#   5. Behaviours never shown, each refused with its exact errno and reported
#      by an event naming the program and the object: a CGI shell spawned by
#      httpd, a symlink to /etc/shadow served by httpd, learn_probe's exec
#      of bash, read of /etc/shadow, connect to a new address, bind of a new
#      port and ptrace; redis's bind of a new port (CONFIG SET port) and
#      connect to a new address (REPLICAOF).
#   6. Merge: a second redis feature (redis-benchmark -t lpush,lrange, and a
#      SAVE, refused under the first policy) is learned in monitor mode on top
#      of the first policy; that profile is merged into the first policy
#      (template --merge) and both workloads run clean.
#
# Prints "ok - ..." / "not ok - ..."; exits 1 if any check failed.
# Needs crs.ko loaded; leaves it loaded.

T=${CRS_TOOL:-/crs/crs-tool}
PROBE=${CRS_PROBE:-/crs/selftests/learn_probe}
fails=0
checks=0
ok() { checks=$((checks + 1)); echo "ok - $*"; }
nok() { checks=$((checks + 1)); fails=$((fails + 1)); echo "not ok - $*"; }
# check DESC CMD...: CMD's status is the result; its output is shown when it fails
check() {
	local d=$1; shift
	if "$@" > "$D/check.out" 2>&1; then ok "$d"; else nok "$d"; sed 's/^/#   /' "$D/check.out" | head -20; fi
}

for b in redis-server redis-benchmark redis-cli; do
	command -v $b >/dev/null || { echo "# SKIP: $b not in the guest"; exit 4; }
done

D=$(mktemp -d /tmp/learn-e2e.XXXXXX) || exit 1
CGS="web client redis bench"
PIDS=
EVPID=
SLOWPID=
cleanup() {
	local c
	[ -z "$EVPID" ] || kill "$EVPID" 2>/dev/null
	[ -z "$SLOWPID" ] || kill "$SLOWPID" 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for c in $CGS; do
		"$T" unload --cgroup "/sys/fs/cgroup/le-$c" >/dev/null 2>&1
		[ -d "/sys/fs/cgroup/le-$c" ] && { cat "/sys/fs/cgroup/le-$c/cgroup.procs" | xargs -r kill -9; sleep 0.1; rmdir "/sys/fs/cgroup/le-$c"; }
	done
	rm -rf "$D"
}
trap cleanup EXIT

for c in $CGS; do mkdir "/sys/fs/cgroup/le-$c" || exit 1; done
cg() { echo "/sys/fs/cgroup/le-$1"; }
# in_cg NAME CMD...: run CMD as a task of cgroup le-NAME
in_cg() {
	local c=$1; shift
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$(cg "$c")" "$@"
}

WEB_PORT=8090
REDIS_PORT=6379
mkdir -p "$D/www" "$D/redis"
echo '<html>crs learning</html>' > "$D/www/index.html"
for i in 1 2 3; do echo "page $i" > "$D/www/page$i.txt"; done
# A slow upstream, served by the harness (not a container): its CGI sends the
# headers, then the body a second later, so wget waits for data (poll) on
# every run. wget polls only when a reply is late; without this, whether
# learning saw that path was chance (a large file did not make it certain).
SLOW_PORT=8095  # not 8091: learn_probe listens on WEB_PORT + 1
mkdir -p "$D/slow/cgi-bin"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\n"\nsleep 1\necho slow\n' > "$D/slow/cgi-bin/slow"
chmod 755 "$D/slow/cgi-bin/slow"
busybox httpd -f -p 127.0.0.1:$SLOW_PORT -h "$D/slow" & SLOWPID=$!

# ---- 2. learn
cat > "$D/learn.json" <<'EOF'
{ "name": "learn", "mode": "monitor", "learning": true,
  "default_actions": { "file": "allow", "execute": "allow", "network": "allow",
                "listener": "allow", "syscall": "allow" },
  "rules": [] }
EOF
for c in $CGS; do
	check "learning table on le-$c" "$T" load --cgroup "$(cg "$c")" "$D/learn.json"
done

start_servers() {
	in_cg web busybox httpd -f -p 127.0.0.1:$WEB_PORT -h "$D/www" & PIDS="$PIDS $!"
	in_cg redis redis-server --port $REDIS_PORT --bind 127.0.0.1 --save "" --appendonly no \
		--protected-mode no --dir "$D/redis" --logfile "$D/redis/log" & PIDS="$PIDS $!"
	for i in $(seq 50); do
		redis-cli -p $REDIS_PORT ping 2>/dev/null | grep -q PONG &&
			wget -q -O /dev/null "http://127.0.0.1:$WEB_PORT/" 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}
stop_servers() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	# only the servers: the events follower keeps running
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	PIDS=
}
# the web workload: pages through wget, and learn_probe's benign run
web_workload() {
	local i
	for i in 1 2 3; do
		in_cg client wget -q -O "$D/got$i" "http://127.0.0.1:$WEB_PORT/page$i.txt" || return 1
		grep -qx "page $i" "$D/got$i" || return 1
	done
	in_cg client wget -q -O "$D/got0" "http://127.0.0.1:$WEB_PORT/" || return 1
	in_cg client wget -q -O "$D/slow.out" "http://127.0.0.1:$SLOW_PORT/cgi-bin/slow" || return 1
	grep -qx slow "$D/slow.out" || return 1
	in_cg web "$PROBE" --benign $WEB_PORT > "$D/probe.out" || return 1
}
# redis_workload TESTS: redis-benchmark -t TESTS in the bench container
redis_workload() {
	in_cg bench redis-benchmark -p $REDIS_PORT -q -n 2000 -c 4 -t "$1" > "$D/bench.out" 2>&1 &&
		! grep -qi error "$D/bench.out"
}

# the second feature: lists (from the bench container) and a SAVE asked by an
# operator (the harness), which makes redis write its dump file
redis_feature2() {
	redis_workload lpush,lrange && test "$(redis-cli -p $REDIS_PORT save 2>&1)" = OK
}

check "servers start while learning" start_servers
# a workload's rarer paths (wget polls only when a reply is not there yet)
# show up over several runs: learning runs each workload a few times
for i in 1 2 3 4; do check "web workload while learning ($i)" web_workload; done
for i in 1 2; do check "redis-benchmark -t set,get,incr while learning ($i)" redis_workload set,get,incr; done
stop_servers

# ---- 3. generate
for c in $CGS; do
	"$T" learned --cgroup "$(cg "$c")" --json > "$D/$c.profile" 2> "$D/$c.err"
	check "learned --json le-$c" test -s "$D/$c.profile"
	n=$(jq '.observations | length' "$D/$c.profile")
	check "le-$c profile complete with observations ($n)" \
		test "$(jq -r .complete "$D/$c.profile")" = true -a "${n:-0}" -gt 0
	"$T" template --mode enforce --report "$D/$c.report" "$D/$c.profile" \
		> "$D/$c.policy" 2> "$D/$c.tmpl.err"
	rc=$?
	check "template le-$c (exit $rc: $(cat "$D/$c.tmpl.err"))" test $rc = 0
	check "enforce the learned policy on le-$c" "$T" load --cgroup "$(cg "$c")" "$D/$c.policy"
done
echo "# le-client learned poll: $(jq '[.observations[] | select(.type == "syscall" and .syscall == "poll")] | length' "$D/client.profile")"
# the learned web policy must not name what was never done
check "web policy has no rule for /etc/shadow" \
	test "$(jq '[.rules[] | select(.path? // "" | test("shadow"))] | length' "$D/web.policy")" = 0
check "web policy allows no execute of bash" \
	test "$(jq '[.rules[] | select(.type == "execute" and (.path | test("bash")))] | length' "$D/web.policy")" = 0

# no_denials DESC: every table decided nothing as deny or monitored
no_denials() {
	local c bad=
	for c in $CGS; do
		"$T" show --cgroup "$(cg "$c")" --json > "$D/show.$c" || bad="$bad $c(show)"
		d=$(jq '.[0].decisions.denied + .[0].decisions.monitored' "$D/show.$c")
		[ "$d" = 0 ] || bad="$bad $c($d)"
	done
	if [ -z "$bad" ]; then ok "$1: 0 denials in every table"; else nok "$1: denials in:$bad"; fi
}

# ---- 4. the same workloads, enforced
"$T" events --json > "$D/events" 2>/dev/null & EVPID=$!
check "servers start under the learned policies" start_servers
check "web workload under the learned policy" web_workload
check "redis workload under the learned policy" redis_workload set,get,incr
no_denials "workloads again"
[ "$fails" = 0 ] || jq -c 'select(.action == "deny")' "$D/events" | head -20 | sed 's/^/#   /'

# ---- 5. behaviours never shown
# mark: remember the last event's seq; events after it are the next action's
mark() { MARK=$(jq -s 'map(.seq) | max // 0' "$D/events"); }
MARK=0
# event DESC JQFILTER: a deny event after the mark matching JQFILTER; the
# description names what the kernel reported (type, rule, object)
event() {
	local i e=
	for i in $(seq 25); do
		e=$(jq -c --argjson m "$MARK" "select(.seq > \$m and .action == \"deny\") | select($2)" \
			"$D/events" 2>/dev/null | head -1)
		[ -n "$e" ] && break
		sleep 0.2
	done
	if [ -n "$e" ]; then
		ok "$1: denied and reported: $(echo "$e" | jq -r '"\(.type) \(.path // .syscall // ((.remote // .local) | "\(.address):\(.port)")) program=\(.program) rule=\(.rule_index // "default")"')"
	else
		nok "$1: no deny event; events after the mark:"
		jq -c --argjson m "$MARK" 'select(.seq > $m)' "$D/events" | head -5 | sed 's/^/#   /'
	fi
}
WEB_ID=$(stat -c %i "$(cg web)")
REDIS_ID=$(stat -c %i "$(cg redis)")
probe_check() {
	local want=$1; shift
	mark
	out=$(in_cg web "$PROBE" "$@")
	check "learn_probe $*: $out (want $want)" test "$out" = "$1: $want"
}
probe_check EACCES exec
event "learn_probe exec of bash" '.program == "'"$PROBE"'" and .type == "execute" and .path == "/usr/bin/bash"'
probe_check EACCES shadow
event "learn_probe read of /etc/shadow" '.program == "'"$PROBE"'" and .type == "file" and .path == "/etc/shadow"'
probe_check EACCES connect 127.0.0.2 $WEB_PORT
event "learn_probe connect to a new address" '.program == "'"$PROBE"'" and .type == "network" and .remote.address == "127.0.0.2" and .remote.port == '$WEB_PORT
probe_check EACCES bind 17001
event "learn_probe bind of a new port" '.program == "'"$PROBE"'" and .type == "listener" and .local.port == 17001'
probe_check EPERM ptrace
event "learn_probe ptrace" '.program == "'"$PROBE"'" and .type == "syscall" and .syscall == "ptrace"'

# httpd spawns a shell for a CGI script added after learning
mkdir -p "$D/www/cgi-bin"
printf '#!/bin/sh\necho "Content-Type: text/plain"\necho\necho pwned\n' > "$D/www/cgi-bin/x"
chmod 755 "$D/www/cgi-bin/x"
mark
out=$(wget -q -O - "http://127.0.0.1:$WEB_PORT/cgi-bin/x" 2>&1)
check "CGI shell not run (got: $(echo "$out" | head -c 60))" test "${out#*pwned}" = "$out"
# httpd's CGI path makes system calls its static serving never did (the first
# one refused ends the CGI), or else the exec of the script is refused
event "httpd spawning a CGI shell" '.program == "/usr/bin/busybox" and .cgroup_id == '$WEB_ID' and (.type == "syscall" or .type == "execute")'
# httpd serving a symlink to /etc/shadow
ln -s /etc/shadow "$D/www/s"
mark
out=$(wget -q -O - "http://127.0.0.1:$WEB_PORT/s" 2>&1)
check "shadow not served (got: $(echo "$out" | head -c 60))" test "${out#*root:}" = "$out"
event "httpd reading /etc/shadow" '.program == "/usr/bin/busybox" and .type == "file" and .path == "/etc/shadow"'
# redis: a new port, a new peer
REDIS_BIN=$(readlink -f "$(command -v redis-server)")
mark
out=$(redis-cli -p $REDIS_PORT config set port 7000 2>&1)
check "redis CONFIG SET port 7000 refused (got: $out)" test "$out" != OK
event "redis binding port 7000" '.program == "'"$REDIS_BIN"'" and .type == "listener" and .local.port == 7000'
# redis never connected anywhere while learning: its connect(2) to the new
# master is refused by the syscall allowlist, or by the network rules
mark
redis-cli -p $REDIS_PORT replicaof 127.0.0.2 6379 > /dev/null 2>&1
event "redis connecting to a new replica master" '.program == "'"$REDIS_BIN"'" and .cgroup_id == '$REDIS_ID' and ((.type == "network" and .remote.address == "127.0.0.2" and .remote.port == 6379) or (.type == "syscall" and .syscall == "connect"))'
redis-cli -p $REDIS_PORT replicaof no one > /dev/null 2>&1

# the second feature was never learned: redis may not write its dump yet
mark
out=$(redis-cli -p $REDIS_PORT save 2>&1)
check "redis SAVE refused before the merge (got: $out)" test "$out" != OK
event "redis writing a dump it never wrote" '.program == "'"$REDIS_BIN"'" and .type == "file" and (.path | startswith("'"$D"'/redis/temp-")) and (.access | test("write"))'

# ---- 6. merge: a second redis feature
stop_servers
for c in redis bench; do
	jq '.mode = "monitor" | .learning = true' "$D/$c.policy" > "$D/$c.learn2.json"
	check "le-$c: first policy in monitor mode, learning again" "$T" load --cgroup "$(cg "$c")" "$D/$c.learn2.json"
	"$T" learned --cgroup "$(cg "$c")" --clear > /dev/null
done
check "servers start for the second feature" start_servers
for i in 1 2; do check "second feature (lpush, lrange, SAVE) while learning ($i)" redis_feature2; done
stop_servers
for c in redis bench; do
	"$T" learned --cgroup "$(cg "$c")" --json > "$D/$c.profile2"
	"$T" template --merge "$D/$c.policy" --report "$D/$c.report2" "$D/$c.profile2" \
		> "$D/$c.merged" 2> "$D/$c.merge.err"
	check "template --merge le-$c ($(cat "$D/$c.merge.err"))" test $? = 0
	n_old=$(jq '.rules | length' "$D/$c.policy")
	check "le-$c: the first policy's $n_old rules kept byte for byte" \
		test "$(jq -c ".rules[0:$n_old]" "$D/$c.merged")" = "$(jq -c .rules "$D/$c.policy")"
	check "le-$c: merged policy enforces" test "$(jq -r .mode "$D/$c.merged")" = enforce
	echo "# le-$c: $n_old rules, $(($(jq '.rules | length' "$D/$c.merged") - n_old)) added by the merge"
	check "le-$c: enforce the merged policy" "$T" load --cgroup "$(cg "$c")" "$D/$c.merged"
done
for c in web client; do "$T" load --cgroup "$(cg "$c")" "$D/$c.policy" > /dev/null; done
check "servers start under the merged policy" start_servers
check "web workload after the merge" web_workload
check "first redis workload after the merge" redis_workload set,get,incr
check "le-redis: the merge added rules" test "$(jq '.rules | length' "$D/redis.merged")" -gt "$(jq '.rules | length' "$D/redis.policy")"
# SAVE's temporary file is named after redis's pid (temp-PID.rdb): the merge
# must have generalised that digit run (PID_OFF, G2; the mktemp part of $D
# is a G2 temporary name as well), or the SAVE
# below, by a redis with another pid, would be refused
check "le-redis: the dump's temporary name generalised to temp-*.rdb" \
	test "$(jq '[.rules[] | select(.type == "file" and (.path | endswith("/redis/temp-*.rdb")))] | length' "$D/redis.merged")" = 1
check "second redis feature (lpush, lrange, SAVE) after the merge" redis_feature2
no_denials "both workloads after the merge"
stop_servers

echo "# learn_e2e: $checks checks, $fails failed"
[ "$fails" = 0 ]
