#!/bin/bash
# run-guest.sh - run a script inside a QEMU (TCG) guest booting a Debian kernel,
# with crs.ko, crs-tool and the selftests in its initramfs.
#
# The host kernel cannot load modules, so every test of crs.ko goes through here.
# Typical use:
#     make vm-run KVER=6.1.0-56-amd64 SCRIPT=path/to/script.sh
#     scripts/vm/run-guest.sh --kernel 6.12.117+deb12-amd64 --script selftests/run_guest.sh
#     scripts/vm/run-guest.sh --kernel "$(scripts/kernels.sh list | cut -d' ' -f1)" \
#         --add /tmp/policy.json:/crs/p.json --script my.sh -- arg1 arg2
#
# Options:
#   --kernel KVER       Debian kernel version (scripts/kernels.sh list); its
#                       vmlinuz comes from scripts/kernels.sh vmlinuz KVER
#   --script PATH       script to run in the guest, in /crs, stdin /dev/null;
#                       it runs with its "#!" interpreter (/bin/sh is busybox ash,
#                       /bin/bash exists too) or with /bin/sh if it has none
#   -- ARGS...          arguments for the script
#   --timeout SEC       kill the guest after SEC seconds (default 1200, or $CRS_VM_TIMEOUT)
#   --keep-log FILE     also write the guest's console output to FILE
#   --bench             -smp 1 -icount shift=0,sleep=off: the guest clock counts
#                       instructions, so timings are repeatable (and slower)
#   --add SRC[:DEST]    put a host file or directory into the initramfs at DEST
#                       (default /crs/ext/<name>); libraries of ELF files come along
#   --env NAME=VALUE    export NAME=VALUE to the script
#   --memory MB         guest memory (default 1024)
#   --hostfwd HPORT:GPORT  give the guest a NIC (e1000 on QEMU's user-mode
#                       network, restrict=on: no way out to the host's
#                       networks) and forward 127.0.0.1:HPORT on the host to
#                       the guest's port GPORT (TCP); repeatable. The guest
#                       sets it up itself: insmod /crs/modules/e1000.ko, eth0
#                       10.0.2.15/24 (scripts/demo.sh). Without it: no NIC
#
# What the guest contains and what its /init does: see scripts/vm/mkramfs.sh
# (crs.ko is /crs/crs.ko, crs-tool is /crs/crs-tool, build/host/selftests/* is
# /crs/selftests/*, PATH starts with /crs; CRS_GUEST=1, CRS_KVER and CRS_BENCH
# are set).
#
# The console (guest's stdout/stderr and kernel messages of level warning and
# above, each kernel line stamped "[ seconds]") streams to stdout. Afterwards
# the log is checked for kernel splats: any WARNING, BUG, Oops, Call Trace,
# general protection fault, UBSAN/KASAN/KFENCE report, RCU stall, lockdep
# report, soft/hard lockup, hung task or panic fails the run, and the offending
# lines are printed. The guest also reports /proc/sys/kernel/tainted; the taint
# bits for a warning, an oops, a bad page or a soft lockup fail the run too
# (the guest then prints its whole dmesg). Ignore lines on purpose with
# CRS_VM_SPLAT_IGNORE='extended regex'. Extra kernel parameters: CRS_VM_APPEND.
#
# Exit status: the script's status when the log is clean; 99 if the script
# exited 0 but the kernel splatted; 98 if the guest stopped without reporting
# a status (crash, panic); 124 on timeout; 2 on bad usage.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac

KVER= SCRIPT= LOG= BENCH=0 MEM=1024 FWD=
TIMEOUT=${CRS_VM_TIMEOUT:-1200}
MK=()
usage() { sed -n '2,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--kernel) KVER=$2; shift 2 ;;
	--script) SCRIPT=$2; shift 2 ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--keep-log) LOG=$2; shift 2 ;;
	--bench) BENCH=1; shift ;;
	--add|--env) MK+=("$1" "$2"); shift 2 ;;
	--memory) MEM=$2; shift 2 ;;
	--hostfwd)
		[[ "$2" =~ ^[0-9]+:[0-9]+$ ]] || { echo "run-guest.sh: --hostfwd wants HOSTPORT:GUESTPORT" >&2; exit 2; }
		FWD+=",hostfwd=tcp:127.0.0.1:${2%%:*}-:${2#*:}"; shift 2 ;;
	--) break ;;
	-h|--help) usage ;;
	*) echo "run-guest.sh: unknown option $1" >&2; usage ;;
	esac
done
[ -n "$KVER" ] && [ -n "$SCRIPT" ] || usage
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || { echo "run-guest.sh: --timeout wants seconds" >&2; exit 2; }
MK+=(--env "CRS_BENCH=$BENCH")

say() { echo "run-guest.sh: $*" >&2; }

vmlinuz=$("$REPO/scripts/kernels.sh" vmlinuz "$KVER")
mkdir -p "$BUILD/vm"
work=$(mktemp -d "$BUILD/vm/run.XXXXXX")
trap 'rm -rf "$work"' EXIT
initrd="$work/initrd.img"
"$REPO/scripts/vm/mkramfs.sh" --kernel "$KVER" --script "$SCRIPT" --out "$initrd" "${MK[@]}" "$@"

# Kernel command line:
#  quiet loglevel=5   boot chatter off, but warnings (level 4) and worse reach
#                     the console, so a WARN shows up next to the test that caused it
#  printk.time=1      kernel lines carry "[ seconds]": the splat scan only looks
#                     at those, never at what the tests print
#  oops=panic panic=-1  an oops panics and the guest stops at once (with
#                     -no-reboot) instead of hanging on held locks until the timeout
#  no panic_on_warn:  a WARN lets the remaining tests run; the scan fails the run
#  CRS_VM_APPEND      more parameters, e.g. CRS_VM_APPEND=panic_on_warn=1 to stop at the first WARN
APPEND="console=ttyS0 quiet loglevel=5 printk.time=1 oops=panic panic=-1 ${CRS_VM_APPEND:-}"
if [ "$BENCH" = 1 ]; then
	SMP=(-smp 1 -icount shift=0,sleep=off)
else
	# Two vCPUs on one host thread (single-threaded TCG): the guest kernel
	# is SMP, but QEMU never runs two vCPUs at once. With multi-threaded TCG,
	# a vCPU can run stale translated code while another patches kernel text
	# (ftrace/kprobe arming on x64_sys_call, static keys): seen as int3 oopses
	# and a jump to 0 from do_syscall_64, with or without crs.ko loaded.
	SMP=(-smp 2 -accel tcg,thread=single)
fi
NIC=(-nic none)
[ -z "$FWD" ] || NIC=(-nic "user,model=e1000,restrict=on$FWD")
QEMU=(qemu-system-x86_64 -m "$MEM" "${SMP[@]}" -nographic -no-reboot "${NIC[@]}"
      -kernel "$vmlinuz" -initrd "$initrd" -append "$APPEND")

log="$work/console.log"
say "kernel $KVER, script $SCRIPT, timeout ${TIMEOUT}s$([ "$BENCH" = 1 ] && echo ', bench (icount)')"
start=$(date +%s)
set +e
# The console has CRLF line ends and SeaBIOS's terminal escapes: strip them,
# stream the rest, keep a copy.
timeout -k 10 "$TIMEOUT" "${QEMU[@]}" </dev/null 2>&1 |
	sed -u -e 's/\r$//' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1bc//g' | tee "$log"
st=("${PIPESTATUS[@]}")
set -e
qemu_rc=${st[0]}
elapsed=$(( $(date +%s) - start ))
[ -z "$LOG" ] || { mkdir -p "$(dirname "$LOG")"; cp "$log" "$LOG"; }

# ---- verdict ----
rc_line=$(grep -a -o 'CRS-GUEST-EXIT=[0-9]*' "$log" | tail -n1 || true)
taint=$(grep -a -o 'CRS-GUEST-TAINT=[0-9]*' "$log" | tail -n1 | cut -d= -f2 || true)

# Kernel lines carry a "[   12.345678] " stamp (possibly after partial user output).
KLINE='\[ *[0-9]+\.[0-9]+\] '
SPLAT='WARNING:|BUG:|BUG [a-z]|kernel BUG|Oops|Call Trace|general protection|stack segment|'
SPLAT+='double fault|invalid opcode:|Unable to handle|UBSAN|KASAN|KFENCE|kmemleak|'
SPLAT+='rcu: INFO|rcu_(sched|preempt|bh).*(stall|detected)|RCU [Ss]tall|suspicious RCU|RCU used illegally|'
SPLAT+='lockdep|possible (circular|recursive) locking|'
SPLAT+='soft lockup|hard LOCKUP|hung_task|blocked for more than|[Kk]ernel panic|'
SPLAT+='list_(add|del) corruption|refcount_t:|stack-protector|Bad page|page dumped because|'
SPLAT+='sleeping function called from invalid context|scheduling while atomic|'
SPLAT+='Attempted to kill init'
# Known harmless lines at warning level on these kernels under TCG.
BENIGN='RETBleed: WARNING: Spectre v2 mitigation leaves CPU vulnerable|'
BENIGN+='Spectre V2 : WARNING: Unprivileged eBPF is enabled|'
BENIGN+='loading out-of-tree module taints kernel|module verification failed'
[ -z "${CRS_VM_SPLAT_IGNORE:-}" ] || BENIGN+="|$CRS_VM_SPLAT_IGNORE"
# Lines of the dmesg dump at the end repeat the console; scan the console only.
splat=$(sed '/^CRS-GUEST-DMESG-BEGIN$/,/^CRS-GUEST-DMESG-END$/d' "$log" |
	grep -a -n -E "$KLINE.*($SPLAT)" | grep -a -v -E "$BENIGN" || true)

bad_taint=0
if [ -n "$taint" ] && [ $(( taint & (32 | 128 | 512 | 16384) )) -ne 0 ]; then bad_taint=1; fi

status=0 why=
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	status=124 why="TIMEOUT: the guest was still running after ${TIMEOUT}s and was killed"
elif [ -z "$rc_line" ]; then
	status=98 why="the guest stopped without reporting the script's status (qemu exit $qemu_rc): crash or panic?"
else
	status=${rc_line#CRS-GUEST-EXIT=}
	[ "$status" = 0 ] || why="the script exited with status $status"
fi
if [ -n "$splat" ] || [ "$bad_taint" = 1 ]; then
	echo "run-guest.sh: ===== kernel splat in the guest log =====" >&2
	[ -z "$splat" ] || echo "$splat" | head -n 60 >&2
	[ "$bad_taint" = 0 ] || echo "run-guest.sh: kernel taint $taint has warning/oops/bad-page/lockup bits set" >&2
	echo "run-guest.sh: ========================================" >&2
	why="${why:+$why; }kernel splat (see above)"
	[ "$status" != 0 ] || status=99
fi
[ -z "$LOG" ] || say "log kept in $LOG"
if [ "$status" = 0 ]; then
	say "PASS ($KVER, ${elapsed}s)"
else
	say "FAIL ($KVER, ${elapsed}s): $why; exit $status"
fi
exit "$status"
