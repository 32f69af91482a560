#!/bin/bash
# crsd_http.sh CRSD - crsd's HTTP API under load (make bench, on the host).
#
# crsd runs with --no-kernel on a temporary socket and database, with a TCP
# listener on 127.0.0.1 (wrk speaks TCP only), a bearer token and no rate
# limit. The store is seeded through the API with 10, then 100 policies of
# 10 rules each; at each size wrk (-t1 -c8, with the token) drives:
#
#   baseline   GET /api/v1/bench-baseline: a 404. The same HTTP stack as the
#              others (libmicrohttpd, per-connection thread, the rate and
#              token checks, the router's path decoding, a JSON body, the
#              audit and counter code) but no store query. A 401 would skip
#              routing and the token comparison, /metrics and /status query
#              the store: the 404 is the cheapest request that does
#              everything a real GET does except its own work.
#   list       GET /api/v1/policies (summaries of every policy, by name)
#   one        GET /api/v1/policies/ID (one policy document of 10 rules)
#
# ROUNDS rounds (default 3) run the routes in turn, so host load drifting
# over the run hits them alike; each figure is the median of its rounds.
# Requests/s and latency come from wrk's own summary (a done() hook prints
# the numbers; no parsing of its human-readable units). Every run is checked
# against crsd's counters: no request refused by the token check, every
# answer of the baseline a 4xx and of the others a 2xx.
# Timings are never pass/fail: the ratios to the baseline are the result.
# Exit status: 0 when every run completed as described, 1 otherwise.
set -euo pipefail
CRSD=$(realpath "${1:?usage: $0 path/to/crsd}")
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
WRK=(wrk -t1 -c8 -d"$DURATION" --latency)

fail() { echo "crsd_http: $*" >&2; exit 1; }
for c in wrk curl jq; do
	command -v $c >/dev/null || fail "$c is missing (scripts/deps.sh installs it)"
done
TMP=$(mktemp -d /tmp/crsd-bench.XXXXXX)
PID=
cleanup() {
	[ -z "$PID" ] || { kill -TERM "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; }
	rm -rf "$TMP"
}
trap cleanup EXIT

SOCK=$TMP/crsd.sock
(umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$TMP/token")
TOKEN=$(cat "$TMP/token")
"$CRSD" --no-kernel --socket "$SOCK" --db "$TMP/crsd.db" --listen 127.0.0.1:0 \
	--token-file "$TMP/token" --rate 0 --max-connections 64 2>"$TMP/crsd.log" &
PID=$!
PORT=
for _ in $(seq 100); do
	PORT=$(sed -n 's/^crsd: listening on tcp 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$TMP/crsd.log")
	[ -n "$PORT" ] && curl -sf --unix-socket "$SOCK" -o /dev/null http://crsd/api/v1/status && break
	kill -0 "$PID" 2>/dev/null || break
	PORT=
	sleep 0.05
done
[ -n "$PORT" ] || { cat "$TMP/crsd.log" >&2; fail "crsd did not start"; }
URL=http://127.0.0.1:$PORT

api() {	# api PATH [CURL-OPTIONS...]: over the Unix socket
	local path=$1
	shift
	curl -sf --unix-socket "$SOCK" "$@" "http://crsd$path"
}

# policy I: a service's policy of 10 rules, every rule type
policy() {
	cat <<EOF
{ "name": "svc-$1", "description": "bench service $1", "mode": "enforce",
  "default_actions": { "file": "allow", "execute": "allow", "network": "allow" },
  "rules": [
    { "name": "no shadow", "type": "file", "action": "deny", "path": "/etc/shadow",
      "access": ["read", "write"] },
    { "name": "no keys", "type": "file", "action": "deny", "path": "/etc/ssl/private/*",
      "access": ["read"] },
    { "name": "config read-only", "type": "file", "action": "deny", "program": "*",
      "path": "/etc/svc-$1/*", "access": ["write"] },
    { "name": "no shells", "type": "execute", "action": "deny", "program": "/usr/sbin/svc-$1",
      "path": "/bin/*" },
    { "name": "no downloaders", "type": "execute", "action": "deny", "path": "/usr/bin/wget" },
    { "name": "backend", "type": "network", "action": "allow", "program": "/usr/sbin/svc-$1",
      "direction": "outbound", "address": "10.$(( $1 % 256 )).0.0/16", "port": "5432",
      "protocol": "tcp" },
    { "name": "no doc net", "type": "network", "action": "deny", "direction": "inbound",
      "address": "192.0.2.0/24", "port": "1-1023" },
    { "name": "http", "type": "listener", "action": "allow", "port": 8080, "protocol": "tcp" },
    { "name": "no ptrace", "type": "syscall", "action": "deny", "syscall": "ptrace" },
    { "name": "no mount", "type": "syscall", "action": "deny", "syscall": "mount" }
  ] }
EOF
}

seed() {	# seed FROM TO: POST policies svc-FROM..svc-TO
	local i
	for i in $(seq "$1" "$2"); do
		policy "$i" | api /api/v1/policies -X POST -H 'Content-Type: application/json' \
			--data-binary @- -o /dev/null || fail "POST policy $i"
	done
}

# wrk's done() hook: "WRK requests duration_us p50_us p99_us status_errors
# socket_errors" (latency in microseconds)
cat > "$TMP/report.lua" <<'EOF'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %.1f %.1f %d %d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
EOF

metric() {	# metric NAME{LABELS}: its value now
	api /metrics | awk -v m="$1" '$1 == m { print $2 }'
}
code() {	# code PATH: the status crsd answers on TCP with the token
	curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$URL$1"
}

RESULTS=$TMP/results
: > "$RESULTS"
# run NAME POLICIES PATH CLASS: one wrk run; CLASS (2xx or 4xx) is what every answer must be
run() {
	local out kv auth0 cls0 auth1 cls1 n requests duration_us p50_us p99_us status_errors socket_errors
	auth0=$(metric 'crsd_http_rejected_total{reason="auth"}')
	cls0=$(metric "crsd_http_requests_total{code=\"$4\"}")
	out=$("${WRK[@]}" -s "$TMP/report.lua" -H "Authorization: Bearer $TOKEN" "$URL$3") ||
		fail "wrk failed on $3"
	kv=$(grep -E '^WRK [0-9]+ [0-9]+ [0-9.]+ [0-9.]+ [0-9]+ [0-9]+$' <<<"$out") ||
		{ echo "$out" >&2; fail "no summary from wrk on $3"; }
	read -r _ requests duration_us p50_us p99_us status_errors socket_errors <<<"$kv"
	auth1=$(metric 'crsd_http_rejected_total{reason="auth"}')
	cls1=$(metric "crsd_http_requests_total{code=\"$4\"}")
	[ "$auth1" = "$auth0" ] || fail "$3: $((auth1 - auth0)) requests refused by the token check"
	[ "$socket_errors" = 0 ] || fail "$3: $socket_errors socket errors"
	# every answer in the expected class; crsd may have answered a few that
	# wrk stopped waiting for at the end, never fewer
	n=$((cls1 - cls0))
	[ "$n" -ge "$requests" ] || fail "$3: $requests requests, only $n answered $4"
	if [ "$4" = 2xx ]; then
		[ "$status_errors" = 0 ] || fail "$3: $status_errors answers not 2xx"
	else
		[ "$status_errors" = "$requests" ] || fail "$3: $status_errors of $requests answers not 2xx/3xx"
	fi
	echo "$1 $2 $(awk -v r="$requests" -v d="$duration_us" 'BEGIN { printf "%.1f", r / (d / 1e6) }') $p50_us $p99_us" |
		tee -a "$RESULTS"
}

BASE=/api/v1/bench-baseline
measure() {	# measure POLICIES
	local id r
	id=$(api /api/v1/policies | jq -r '.policies[0].id')
	[ "$(code $BASE)" = 404 ] || fail "$BASE does not answer 404"
	[ "$(code /api/v1/policies)" = 200 ] || fail "GET /api/v1/policies does not answer 200"
	[ "$(code "/api/v1/policies/$id")" = 200 ] || fail "GET /api/v1/policies/$id does not answer 200"
	[ "$(api /api/v1/policies | jq '.policies | length')" = "$1" ] || fail "not $1 policies"
	for r in $(seq "$ROUNDS"); do
		run baseline "$1" $BASE 4xx
		run list "$1" /api/v1/policies 2xx
		run one "$1" "/api/v1/policies/$id" 2xx
	done
}

# wrk needs a moment of warm-up too: one short run, not recorded
wrk -t1 -c8 -d2s -H "Authorization: Bearer $TOKEN" "$URL$BASE" >/dev/null
seed 1 10
measure 10
seed 11 100
measure 100

echo
echo "== crsd HTTP API on TCP loopback (${WRK[*]}, bearer token; median of $ROUNDS"
echo "   rounds; ratio to the 404 baseline at the same store size, same run)"
echo "   baseline: GET $BASE (404), list: GET /api/v1/policies, one: GET /api/v1/policies/ID"
printf "%-9s %8s %10s %10s %10s %9s %9s\n" route policies req/s p50_us p99_us rps-ratio p99-ratio
med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
for n in 10 100; do
	b_rps='' b_p99=''
	for r in baseline list one; do
		rps=$(awk -v r=$r -v n=$n '$1 == r && $2 == n { print $3 }' "$RESULTS" | med)
		p50=$(awk -v r=$r -v n=$n '$1 == r && $2 == n { print $4 }' "$RESULTS" | med)
		p99=$(awk -v r=$r -v n=$n '$1 == r && $2 == n { print $5 }' "$RESULTS" | med)
		[ $r = baseline ] && b_rps=$rps b_p99=$p99
		awk -v r=$r -v n=$n -v rps="$rps" -v p50="$p50" -v p99="$p99" -v br="$b_rps" -v bp="$b_p99" \
			'BEGIN { printf "%-9s %8d %10.0f %10.1f %10.1f %9.3f %9.3f\n", r, n, rps, p50, p99, rps / br, p99 / bp }'
	done
done
