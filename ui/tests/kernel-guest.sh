# kernel-guest.sh - the guest side of ui/tests/kernel.sh, sourced by
# scripts/demo.sh (CRS_DEMO_EXTRA) once its launcher runs. Adds a second
# bundle of the image demo/busybox:1.0 whose container stays up (sleep),
# and launcher CGIs to drive it (the launcher has no authentication; it is
# reached only through QEMU's forward on the host's loopback):
#   GET /cgi-bin/start?ID          crun run --detach of that bundle as ID
#   GET /cgi-bin/exec?ID&ACTION    crun exec in ID, one of:
#                                    secret  cat /etc/secret
#                                    motd    cat /etc/motd
#                                    wget    sh -c '/usr/local/bin/wget -q -O- http://127.0.0.1:9/'
#   GET /cgi-bin/show              crs-tool show --json: crs.ko's tables as the
#                                  kernel holds them (container mode included)
# start and exec answer with the command's output, then "(exit N)".
say "for ui/tests/kernel.sh: a long-running bundle of demo/busybox:1.0, the launcher's start, exec, show"
rm -rf /var/lib/crs-demo/long
cp -a "$B" /var/lib/crs-demo/long || die "copy of the bundle"
jq '.process.args = ["sleep", "86400"]' "$B/config.json" > /var/lib/crs-demo/long/config.json ||
	die "the long-running bundle's config.json"

cat > "$L/cgi-bin/start" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
id=$QUERY_STRING
case "$id" in ""|*[!a-z0-9-]*) echo "start: bad id"; echo "(exit 2)"; exit 0 ;; esac
# The container's standard streams must not be this CGI's, or httpd would
# wait for the container to end.
crun run --detach --no-pivot --bundle /var/lib/crs-demo/long "$id" </dev/null >/dev/null 2>"/run/crun-$id.log"
rc=$?
cat "/run/crun-$id.log"
echo "(exit $rc)"
EOF
cat > "$L/cgi-bin/exec" <<'EOF'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
id=${QUERY_STRING%%&*}
case "$id" in ""|*[!a-z0-9-]*) echo "exec: bad id"; echo "(exit 2)"; exit 0 ;; esac
case "${QUERY_STRING#*&}" in
secret) set -- cat /etc/secret ;;
motd) set -- cat /etc/motd ;;
wget) set -- sh -c '/usr/local/bin/wget -q -O- http://127.0.0.1:9/' ;;
*) echo "exec: unknown action"; echo "(exit 2)"; exit 0 ;;
esac
crun exec "$id" "$@" </dev/null 2>&1
echo "(exit $?)"
EOF
printf '#!/bin/sh\nprintf "Content-Type: application/json\\r\\n\\r\\n"\nexec /crs/crs-tool show --json 2>&1\n' \
	> "$L/cgi-bin/show"
chmod 0755 "$L/cgi-bin/start" "$L/cgi-bin/exec" "$L/cgi-bin/show"
