#!/bin/sh
# make bench: hook overhead as ratios against "no module" in the same boot.
# Runs inside the guest (scripts/vm/run-guest.sh --bench: -icount, one vCPU,
# so the guest clock counts instructions and numbers repeat).
B=/crs/bench/crs_bench
T=/crs/crs-tool
CG=/sys/fs/cgroup
N_OPEN=${N_OPEN:-40000}
N_EXEC=${N_EXEC:-200}
N_SYS=${N_SYS:-50000}
N_TCP=${N_TCP:-2000}
N_UDP=${N_UDP:-20000}
ROUNDS=${ROUNDS:-5}
RESULTS=/tmp/bench.results
: > $RESULTS

fail() { echo "bench: $*" >&2; exit 1; }

# measure SCENARIO: every workload ROUNDS times, median recorded
measure() {
	for w in open exec; do
		n=$N_OPEN; [ $w = exec ] && n=$N_EXEC
		vals=""
		for r in $(seq $ROUNDS); do
			v=$($B $w $n) || fail "$w failed in scenario $1"
			vals="$vals $v"
		done
		med=$(echo $vals | tr ' ' '\n' | sort -n | head -1)
		echo "$w $1 $med [$vals ]" | tee -a $RESULTS
	done
}

# sysmeasure SCENARIO CGROUP: syscall workloads; the bench process joins
# CGROUP itself, so the shell never runs under a syscall allowlist
sysmeasure() {
	for w in getppid mixed; do
		n=$N_SYS
		vals=""
		for r in $(seq $ROUNDS); do
			v=$($B $w $n $CG/$2) || fail "$w failed in scenario $1"
			vals="$vals $v"
		done
		med=$(echo $vals | tr ' ' '\n' | sort -n | head -1)
		echo "$w $1 $med [$vals ]" | tee -a $RESULTS
	done
}

# netmeasure SCENARIO CGROUP: tcp (connect+accept+close) and udp (sendto+recv)
# loops on loopback; the bench makes its listener/receiver, then joins CGROUP,
# so only the connecting/sending side is under CGROUP's table
netmeasure() {
	for w in tcp udp; do
		n=$N_TCP; [ $w = udp ] && n=$N_UDP
		vals=""
		for r in $(seq $ROUNDS); do
			v=$($B $w $n $CG/$2) || fail "$w failed in scenario $1"
			vals="$vals $v"
		done
		med=$(echo $vals | tr ' ' '\n' | sort -n | head -1)
		echo "$w $1 $med [$vals ]" | tee -a $RESULTS
	done
}

# inmeasure SCENARIO CGROUP: inbound UDP, the receiver socket made in CGROUP
# (its LOCAL_IN decision uses that cgroup's table), the sender in idle
inmeasure() {
	vals=""
	for r in $(seq $ROUNDS); do
		v=$($B udp-in $N_UDP $CG/$2 $CG/idle) || fail "udp-in failed in scenario $1"
		vals="$vals $v"
	done
	med=$(echo $vals | tr ' ' '\n' | sort -n | head -1)
	echo "udp-in $1 $med [$vals ]" | tee -a $RESULTS
}

enter() { echo $$ > $CG/$1/cgroup.procs || fail "cannot enter $1"; }
leave() { echo $$ > $CG/cgroup.procs; }

mkdir -p $CG/other $CG/idle $CG/p10 $CG/p10k $CG/s5 $CG/a60 $CG/nother $CG/n10 $CG/n10k
# Let boot-time background work finish (with -icount it would count as
# ours), then warm up inside the measured cgroup: first runs fault in pages
# and fill caches. Under -icount noise only ever adds, so each scenario
# reports the minimum of its rounds.
sleep 5
# Initialise the guest's crng first: until "random: crng init done" every
# get_random_*() takes the slow pre-init path, which under -icount (no RDRAND,
# few interrupts) lasts well into the run and then vanishes mid-way: measured
# here, a loopback TCP connect+close costs 114,000 "ns" before and 62,000
# after, fork+exec 1.25 M before and 1.15 M after, whichever scenario is
# running at the time. A blocking read of /dev/random makes the kernel
# generate the entropy (timer jitter, about 1 s of guest time).
head -c 1 /dev/random > /dev/null
grep -q . /proc/sys/kernel/random/entropy_avail && echo "bench: crng ready, entropy_avail $(cat /proc/sys/kernel/random/entropy_avail)"
enter idle
$B open 5000 >/dev/null; $B exec 50 >/dev/null; $B getppid 5000 >/dev/null
leave
$B tcp 500 $CG/idle >/dev/null; $B udp 5000 $CG/idle >/dev/null

# Every scenario runs in a child cgroup: a child is charged (memcg) for each
# struct file, the root is not, and that difference is not ours to measure.
enter idle
measure no-module
leave
sysmeasure no-module idle
netmeasure no-module idle
inmeasure no-module idle

insmod /crs/crs.ko || fail "insmod"
enter idle
measure loaded-no-tables
leave
sysmeasure loaded-no-tables idle
netmeasure loaded-no-tables idle
inmeasure loaded-no-tables idle
$B policy 10 > /tmp/p10.json
$B policy 10000 > /tmp/p10k.json
$T load --cgroup $CG/other /tmp/p10.json || fail "load other"
enter idle
measure unpoliced
leave

$T load --cgroup $CG/p10 /tmp/p10.json || fail "load p10"
enter p10
measure policed-10-rules
leave

$T load --cgroup $CG/p10k /tmp/p10k.json || fail "load p10k"
enter p10k
measure policed-10000-rules
leave

# network rules: the policies end with allows for 127.0.0.0/8 (outbound and
# inbound), reached after probing the 10.x rules' longer prefix lengths
$B net-policy 10 > /tmp/n10.json
$B net-policy 10000 > /tmp/n10k.json
$T load --cgroup $CG/nother /tmp/n10k.json || fail "load nother"
netmeasure unpoliced-net-tables idle
inmeasure unpoliced-net-tables idle
$T load --cgroup $CG/n10 /tmp/n10.json || fail "load n10"
netmeasure policed-10-net-rules n10
inmeasure policed-10-net-rules n10
$T load --cgroup $CG/n10k /tmp/n10k.json || fail "load n10k"
netmeasure policed-10000-net-rules n10k
inmeasure policed-10000-net-rules n10k
# the policies really apply: a denied address fails with EACCES
$B net-check $CG/n10k || fail "network rules not enforced in n10k"

$B syscall-policy > /tmp/s5.json
$T load --cgroup $CG/s5 /tmp/s5.json || fail "load s5"
sysmeasure unpoliced-5-sys-rules idle
sysmeasure policed-5-sys-rules s5
$B allowlist > /tmp/a60.json
$T load --cgroup $CG/a60 /tmp/a60.json || fail "load a60"
sysmeasure unpoliced-allowlist-on idle
sysmeasure policed-60-allowlist a60
# the allowlist really is enforced: uname is not in it
$B getppid 10 $CG/a60 >/dev/null || fail "getppid under the allowlist"

# learning (docs/learning.md section 7): the same all-allow monitor table with
# learning off, then on. The first round of "on" records; the minimum is a round
# where every observation is already in the set (one lookup, nothing written).
$T unload --cgroup $CG/a60 >/dev/null; $T unload --cgroup $CG/s5 >/dev/null
mkdir -p $CG/lrn $CG/lfill
cat > /tmp/lrn.json <<'EOF2'
{"name":"bench-learn","mode":"monitor","learning":false,"rules":[],
 "default_actions":{"file":"allow","execute":"allow","network":"allow","listener":"allow","syscall":"allow"}}
EOF2
$T load --cgroup $CG/lrn /tmp/lrn.json || fail "load lrn"
enter lrn
measure learn-off
leave
sysmeasure learn-off lrn
netmeasure learn-off lrn
inmeasure learn-off lrn
$T learn --cgroup $CG/lrn on || fail "learn on"
enter lrn
measure learn-on
leave
sysmeasure learn-on lrn
netmeasure learn-on lrn
inmeasure learn-on lrn
$T learned --cgroup $CG/lrn | head -1
$T learn --cgroup $CG/lrn off >/dev/null
# observations per second without loss: N_FILL distinct files, each opened
# once, into a set of 2*N_FILL records; the dump must hold every one
N_FILL=${N_FILL:-10000}
$T load --cgroup $CG/lfill /tmp/lrn.json || fail "load lfill"
vm0=$(awk '/^VmallocUsed/ { print $2 }' /proc/meminfo)
$T learn --cgroup $CG/lfill on --max $((2 * N_FILL)) || fail "learn lfill"
vm1=$(awk '/^VmallocUsed/ { print $2 }' /proc/meminfo)
mkdir -p /tmp/lfill
$B mkfiles $N_FILL /tmp/lfill || fail "mkfiles"
enter lfill
fill=$($B learnfill $N_FILL /tmp/lfill) || fail "learnfill"
leave
$T learned --cgroup $CG/lfill --json > /tmp/lfill.json || fail "learned lfill"
got=$(jq '[.observations[] | select(.type == "file" and (.path | startswith("/tmp/lfill/f")))] | length' /tmp/lfill.json)
drop=$(jq '.dropped.full + .dropped.long' /tmp/lfill.json)
bytes=$($T show --cgroup $CG/lfill --json | jq '.[0].learning.bytes')
max=$($T show --cgroup $CG/lfill --json | jq '.[0].learning.max')
[ "$got" = "$N_FILL" ] && [ "$drop" = 0 ] || fail "learnfill: $got of $N_FILL files in the dump, $drop dropped"
# the same with a hint subscriber (crs-tool learned --follow, on the same
# vCPU): its cost on the workload, and hints received over hints sent
$T learned --cgroup $CG/lfill --clear >/dev/null || fail "learned --clear lfill"
hs0=$($T status --json | jq .learn_hints_sent)
hd0=$($T status --json | jq .learn_hints_dropped)
$T learned --cgroup $CG/lfill --follow > /tmp/lfollow.jsonl 2>/tmp/lfollow.err &
FOLLOW=$!
i=0
while [ $i -lt 100 ] && ! [ -s /tmp/lfollow.jsonl ]; do sleep 0.1; i=$((i + 1)); done
enter lfill
fill2=$($B learnfill $N_FILL /tmp/lfill) || fail "learnfill with a subscriber"
leave
sleep 2
kill -TERM $FOLLOW; wait $FOLLOW
hsent=$(( $($T status --json | jq .learn_hints_sent) - hs0 ))
hdrop=$(( $($T status --json | jq .learn_hints_dropped) - hd0 ))
hrecv=$(( $(wc -l < /tmp/lfollow.jsonl) - 1 ))
hfiles=$(tail -n +2 /tmp/lfollow.jsonl | jq -s '[.[].observations[] | select(.type == "file" and (.path | startswith("/tmp/lfill/f")))] | length')
$T unload --cgroup $CG/lfill

$T status
echo
echo "== hook overhead (min ns/op of $ROUNDS rounds; ratio to no-module, same boot)"
printf "%-6s %-24s %12s %8s\n" workload scenario ns/op ratio
for w in open exec getppid mixed tcp udp udp-in; do
	base=$(awk -v w=$w '$1 == w && $2 == "no-module" { print $3 }' $RESULTS)
	awk -v w=$w -v b=$base '$1 == w { printf "%-6s %-24s %12.1f %8.3f\n", $1, $2, $3, $3 / b }' $RESULTS
done
echo
echo "== packets per second through the netfilter hooks (loopback, one packet per op:"
echo "   LOCAL_OUT and LOCAL_IN; guest clock = instructions, so per 1e9 instructions)"
echo "   udp: the sender's cgroup has the table; udp-in: the receiver's socket's"
printf "%-6s %-24s %12s %8s\n" workload scenario packets/s ratio
for w in udp udp-in; do
	base=$(awk -v w=$w '$1 == w && $2 == "no-module" { print $3 }' $RESULTS)
	awk -v w=$w -v b=$base '$1 == w { printf "%-6s %-24s %12.0f %8.3f\n", $1, $2, 1e9 / $3, b / $3 }' $RESULTS
done

echo
echo "== learning (all-allow monitor table; learn-on / learn-off, same boot)"
printf "%-6s %12s %12s %8s\n" workload off-ns/op on-ns/op ratio
for w in open exec getppid mixed tcp udp udp-in; do
	awk -v w=$w '$1 == w && $2 == "learn-off" { off = $3 } $1 == w && $2 == "learn-on" { on = $3 }
		END { if (off) printf "%-6s %12.1f %12.1f %8.3f\n", w, off, on, on / off }' $RESULTS
done
echo "learnfill: $N_FILL distinct observations, none lost: $fill ns per open+record ($(awk -v f=$fill 'BEGIN { printf "%.0f", 1e9 / f }') observations/s of guest instructions)"
echo "learnfill with a hint subscriber (learned --follow, same vCPU): $fill2 ns per open+record; hints: $hrecv received, $hsent sent, $hdrop dropped; $hfiles of $N_FILL files hinted"
echo "learned set of $max records: $bytes bytes reserved ($(awk -v b=$bytes -v m=$max 'BEGIN { printf "%.0f", b * 10000 / m }') per 10,000 records); VmallocUsed +$((vm1 - vm0)) kB"

# crsd: crs.ko's events into its store, and what ingesting them costs the
# workload (the Makefile's bench-only puts the script in the guest)
ROUNDS=$ROUNDS /crs/bench/crsd_events.sh || fail "crsd events (see above)"
rmmod crs || fail "rmmod"
