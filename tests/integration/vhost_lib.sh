# shellcheck shell=bash
# QEMU guests on vhost-user ports, for the vhost_*.sh tests.  Source it after
# lib.sh:
#
#     . "$(dirname "$0")/lib.sh" "$@"
#     . "$(dirname "$0")/vhost_lib.sh"
#
# Guests are tiny (Debian kernel + busybox initramfs, built once into
# build/guest by guest/build-guest.sh), run under TCG with -smp 1 and 128 MB
# of shareable memory, and are killed by lib.sh's cleanup like any other
# background process.  Each guest has a console shell on a Unix socket
# (guest_run), a console log, and a QMP socket (for migration).

GUEST_TOOLS=$(cd "$(dirname "${BASH_SOURCE[0]}")/guest" && pwd)
GUEST_DIR=${VSW_GUEST_DIR:-$(dirname "$(dirname "$VSWD")")/guest}
GUEST_MEM=${VSW_GUEST_MEM:-128M}
QEMU=${VSW_QEMU:-qemu-system-x86_64}
QEMU_LIFETIME=900 # seconds: a guest never outlives a hung test by more

declare -A G_PID=()     # guest name -> pid of its QEMU (under timeout)
declare -A G_SERIAL=()  # guest name -> console socket
declare -A G_QMP=()     # guest name -> QMP socket
declare -A G_CONSOLE=() # guest name -> console log

# require_qemu: skip (77) unless QEMU can run a guest here; build the guest.
require_qemu() {
	local rc=0
	require_root
	require_binaries
	require_cmd "$QEMU" python3 timeout
	"$QEMU" -machine q35,accel=tcg -display none -nodefaults -no-user-config -S \
		-object memory-backend-memfd,id=probe,size=16M,share=on -qmp stdio \
		</dev/null >/dev/null 2>&1 <<<'{"execute":"qmp_capabilities"}{"execute":"quit"}' ||
		skip "$QEMU cannot start a q35 TCG machine with a shared memfd backend"
	"$GUEST_TOOLS/build-guest.sh" "$GUEST_DIR" >"$T_TMP/build-guest.log" 2>&1 || rc=$?
	if [ "$rc" -eq 77 ]; then
		skip "cannot fetch the guest kernel and busybox ($(tail -n 1 "$T_TMP/build-guest.log"))"
	elif [ "$rc" -ne 0 ]; then
		fail "building the guest image failed" "$T_TMP/build-guest.log"
	fi
}

# start_guest NAME MAC IP/PREFIX VHOST-CHARDEV-OPTIONS [QEMU-ARGS...]
#
# VHOST-CHARDEV-OPTIONS are the chardev socket options of the vhost-user
# connection, e.g. "path=S,server=on,wait=off" (QEMU serves, vswd connects:
# vswd's mode=client) or "path=S,reconnect=1" (vswd's mode=server).  Extra
# arguments go to QEMU (e.g. -incoming, or ",guest_announce=off" through
# VSW_NIC_EXTRA).  QEMU blocks in start-up until the vhost-user backend
# answers, so add vswd's port before or right after this.
start_guest() {
	local name=$1 mac=$2 ip=$3 vhost=$4
	shift 4
	G_SERIAL[$name]=$T_TMP/$name.serial
	G_QMP[$name]=$T_TMP/$name.qmp
	G_CONSOLE[$name]=$T_TMP/$name.console
	echo "==== $(date +%T) start guest $name ($mac $ip) vhost $vhost $*" >>"$T_TMP/qemu-$name.log"
	timeout -k 5 "$QEMU_LIFETIME" "$QEMU" -name "$name" \
		-machine q35,accel=tcg,memory-backend=mem -m "$GUEST_MEM" -smp 1 \
		-object "memory-backend-memfd,id=mem,size=$GUEST_MEM,share=on" \
		-nodefaults -no-user-config -display none -no-reboot \
		-kernel "$GUEST_DIR/vmlinuz" -initrd "$GUEST_DIR/initramfs.img" \
		-append "console=ttyS0 quiet loglevel=1 panic=-1 vsw.ip=$ip" \
		-chardev "socket,id=ser0,path=${G_SERIAL[$name]},server=on,wait=off,logfile=${G_CONSOLE[$name]}" \
		-serial chardev:ser0 \
		-qmp "unix:${G_QMP[$name]},server=on,wait=off" \
		-chardev "socket,id=vu0,$vhost" \
		-netdev vhost-user,id=net0,chardev=vu0 \
		-device "virtio-net-pci,netdev=net0,mac=$mac,vectors=0${VSW_NIC_EXTRA:-}" \
		"$@" >>"$T_TMP/qemu-$name.log" 2>&1 &
	G_PID[$name]=$!
	track_pid "${G_PID[$name]}"
}

guest_alive() {
	kill -0 "${G_PID[$1]}" 2>/dev/null
}

# guest_wait_ready NAME TIMEOUT: wait for the guest's "eth0 is up" line.
guest_wait_ready() {
	local name=$1 timeout=$2
	wait_until "$timeout" grep -q VSW-GUEST-READY "${G_CONSOLE[$name]}" ||
		fail "guest $name did not boot within ${timeout}s" "$T_TMP/qemu-$name.log"
}

# guest_run NAME TIMEOUT COMMAND: run COMMAND in the guest; its output on stdout.
guest_run() {
	python3 "$GUEST_TOOLS/guestctl.py" run "${G_SERIAL[$1]}" "$2" "$3"
}

# guest_qmp NAME COMMAND [JSON-ARGS]
guest_qmp() {
	python3 "$GUEST_TOOLS/guestctl.py" qmp "${G_QMP[$1]}" 20 "${@:2}"
}

# stop_guest NAME [SIGNAL]: signal a guest's QEMU itself (timeout passes
# TERM on, but not KILL) and wait until it is gone.
stop_guest() {
	local name=$1 sig=${2:-TERM} pid=${G_PID[$1]} qemu
	qemu=$(pgrep -P "$pid" | head -n 1 || true)
	kill "-$sig" "${qemu:-$pid}" 2>/dev/null || true
	wait_until 10 bash -c "! kill -0 $pid 2>/dev/null" || {
		[ -n "$qemu" ] && kill -KILL "$qemu" 2>/dev/null
		kill -KILL "$pid" 2>/dev/null || true
	}
	wait "$pid" 2>/dev/null || true
}

# port_link NAME: "up" or "down" as vswctl port list shows it.
port_link() {
	vsw_json "[p['link'] for p in r if p['name'] == '$1'][0]" port list
}

# link_is PORT up|down
link_is() {
	[ "$(port_link "$1")" = "$2" ]
}

# fdb_port_of MAC: the port vswctl fdb show has MAC on (empty if none).
fdb_port_of() {
	vsw_json "([e['port'] for e in r if e['mac'].lower() == '$1'.lower()] + [''])[0]" fdb show
}

# counter NAME: a vswctl stats counter (empty when vswd has no such counter).
counter() {
	vsw_json "r['counters'].get('$1', '')" stats
}

# counter_above NAME VALUE: the counter is greater than VALUE.
counter_above() {
	local v
	v=$(counter "$1")
	[ -n "$v" ] && [ "$v" -gt "$2" ]
}

# ping_log_summary FILE INTERVAL: "SENT RECEIVED LOST LONGEST-GAP-SECONDS"
# from busybox ping output (seq= lines), for a ping stopped with SIGINT.
ping_log_summary() {
	python3 - "$1" "$2" <<'PY'
import re, sys
seqs = sorted({int(m.group(1)) for m in re.finditer(r"seq=(\d+)", open(sys.argv[1]).read())})
interval = float(sys.argv[2])
tx = re.search(r"(\d+) packets transmitted", open(sys.argv[1]).read())
sent = int(tx.group(1)) if tx else (seqs[-1] + 1 if seqs else 0)
gap = 0
for a, b in zip(seqs, seqs[1:]):
    gap = max(gap, b - a - 1)
print(sent, len(seqs), sent - len(seqs), "%.1f" % (gap * interval))
PY
}
