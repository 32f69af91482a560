#!/bin/sh
# guest-smoke.sh - minimal guest test, used by scripts/check.sh until
# selftests/run_guest.sh exists: load crs.ko, ask crs-tool for the status, unload.
set -e
echo "== insmod /crs/crs.ko"
insmod /crs/crs.ko
grep '^crs ' /proc/modules
echo "== crs-tool status"
/crs/crs-tool status
echo "== rmmod crs"
rmmod crs
! grep -q '^crs ' /proc/modules
echo "guest-smoke: ok"
