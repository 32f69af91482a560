# run-common.sh - sourced by the host scripts that boot the "make run" guest
# (scripts/demo.sh: crs.ko, crsd with its API on guest port 8080, crun, and
# the container launcher on 8081): scripts/run.sh and ui/tests/kernel.sh.
# Bash; the caller's directory is the repository's top.
#
#   demo_ports_free PORT...   0 if nothing listens on any PORT of 127.0.0.1,
#                             else 1 with the first busy one in DEMO_BUSY
#   demo_token FILE           a fresh bearer token in FILE (mode 0600)
#   demo_boot KVER LOG TOKEN_FILE PORT LPORT WAIT [run-guest.sh options...]
#                             boot the guest in the background (its pid in
#                             DEMO_GUEST), its console into LOG; crsd's API on
#                             127.0.0.1:PORT, the launcher on LPORT; the demo
#                             waits at most WAIT seconds for /cgi-bin/stop
#   demo_wait_ready LOG LIMIT 0 once the guest printed CRS-DEMO-READY; 1 if it
#                             stopped before, 2 (after killing it) if it was
#                             not ready in LIMIT seconds; DEMO_WHY says which
#   demo_stop LPORT           ask the launcher to end the demo, wait for the
#                             guest; returns run-guest.sh's status

demo_ports_free() {
	local p
	for p in "$@"; do
		if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			DEMO_BUSY=$p
			return 1
		fi
	done
	return 0
}

demo_token() {
	(umask 077 && head -c 24 /dev/urandom | base64 | tr '+/' '-_' > "$1")
}

demo_boot() {
	local kver=$1 log=$2 token=$3 port=$4 lport=$5 wait_s=$6
	shift 6
	: > "$log"
	scripts/vm/run-guest.sh --kernel "$kver" --timeout $((wait_s + 600)) \
		--hostfwd "$port:8080" --hostfwd "$lport:8081" --env CRS_DEMO_WAIT="$wait_s" \
		--add "$token:/crs/ext/token" "$@" --script scripts/demo.sh > "$log" 2>&1 &
	DEMO_GUEST=$!
}

demo_wait_ready() {
	local log=$1 limit=$2 i=0
	until grep -q '^CRS-DEMO-READY' "$log"; do
		if ! kill -0 "$DEMO_GUEST" 2>/dev/null; then
			DEMO_WHY="the guest stopped before the demo was ready"
			return 1
		fi
		i=$((i + 1))
		if [ $i -gt "$limit" ]; then
			# run-guest.sh's children too (timeout passes it on to QEMU)
			pkill -TERM -P "$DEMO_GUEST"
			kill "$DEMO_GUEST"
			DEMO_WHY="the guest was not ready in $limit s"
			return 2
		fi
		sleep 1
	done
	return 0
}

demo_stop() {
	curl -s -m 10 "http://127.0.0.1:$1/cgi-bin/stop" >/dev/null 2>&1
	wait "$DEMO_GUEST"
}
