# shellcheck shell=bash
# Shared helpers for the integration tests: source it as
#
#     . "$(dirname "$0")/lib.sh" "$@"      # $1 = vswd, $2 = vswctl
#
# It provides: skip rules (exit 77), unique names, vswd start/stop, the vsw()
# wrapper for vswctl, bounded waits, PASS/FAIL reporting, and a cleanup trap
# that kills vswd and removes every namespace, interface, background process
# and temporary file the test made, on any exit path.
#
# Every wait is bounded.  The first failed check prints context (vswd log
# tail, port list, fdb show, stats) and exits 1.
set -euo pipefail

if [ $# -lt 2 ]; then
	echo "usage: $0 PATH/TO/vswd PATH/TO/vswctl" >&2
	exit 2
fi
VSWD=$(realpath "$1")
VSWCTL=$(realpath "$2")
shift 2

TEST_NAME=$(basename "$0" .sh)
LIB_DIR=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
ID=$$                       # makes names unique per run; ≤ 7 digits
NS_PREFIX="vsw${ID}"        # network namespaces: ${NS_PREFIX}-a, ...
T_TMP=$(mktemp -d "/tmp/vsw-${TEST_NAME}.XXXXXX")
SOCK=$T_TMP/vswd.sock
CONFIG=$T_TMP/config.json
VSWD_LOG=$T_TMP/vswd.log
# Tests read the daemon's messages from VSWD_LOG, so keep them off syslog.
export VSW_LOG=${VSW_LOG:-stderr}
VSWD_PID=
VSWD_WORKERS=${VSW_TEST_WORKERS:-1}
NB_PASS=0
LIB_NETNS=()   # namespaces to delete
LIB_IFACES=()  # host interfaces to delete
LIB_PIDS=()    # background processes to kill
LIB_ON_EXIT=() # commands to run once those processes are gone (on_exit)

# ---------------------------------------------------------------- reporting

log() { printf '[%s] %s\n' "$TEST_NAME" "$*"; }

pass() {
	NB_PASS=$((NB_PASS + 1))
	printf 'PASS: %s\n' "$*"
}

# fail MESSAGE [DETAIL-FILE]: print context and exit 1.
fail() {
	printf 'FAIL: %s\n' "$1"
	if [ -n "${2:-}" ] && [ -s "$2" ]; then
		echo "---- output ----"
		sed 's/^/    /' "$2" | head -n 60
	fi
	dump_context
	exit 1
}

skip() {
	printf 'SKIP: %s\n' "$*"
	exit 77
}

dump_context() {
	echo "---- context ($TEST_NAME, tmp $T_TMP) ----"
	if [ -n "$VSWD_PID" ]; then
		if kill -0 "$VSWD_PID" 2>/dev/null; then
			echo "vswd (pid $VSWD_PID) is running"
			for c in "port list" "fdb show" "stats"; do
				echo "\$ vswctl $c"
				# shellcheck disable=SC2086
				timeout 10 "$VSWCTL" -s "$SOCK" $c 2>&1 | sed 's/^/    /' || true
			done
		else
			echo "vswd (pid $VSWD_PID) is not running"
		fi
	fi
	if [ -f "$VSWD_LOG" ]; then
		echo "---- vswd log (last 40 lines) ----"
		tail -n 40 "$VSWD_LOG" | sed 's/^/    /'
	fi
	echo "----"
}

# check DESCRIPTION CMD...: CMD must succeed.
check() {
	local desc=$1 out=$T_TMP/check.out
	shift
	if "$@" >"$out" 2>&1; then
		pass "$desc"
	else
		fail "$desc (exit $?: $*)" "$out"
	fi
}

# check_fails DESCRIPTION CMD...: CMD must fail.
check_fails() {
	local desc=$1 out=$T_TMP/check.out
	shift
	if "$@" >"$out" 2>&1; then
		fail "$desc (succeeded but should not have: $*)" "$out"
	else
		pass "$desc"
	fi
}

# expect_exit CODE DESCRIPTION CMD...: CMD must exit with CODE and, if CODE is
# not 0, print a message.
expect_exit() {
	local want=$1 desc=$2 out=$T_TMP/check.out rc=0
	shift 2
	"$@" >"$out" 2>&1 || rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$desc (exit $rc, wanted $want: $*)" "$out"
	fi
	if [ "$want" -ne 0 ] && ! grep -q '[[:alpha:]]' "$out"; then
		fail "$desc (exit $rc as wanted, but no message: $*)" "$out"
	fi
	pass "$desc: exit $rc, \"$(head -n 1 "$out")\""
}

# ---------------------------------------------------------------- requirements

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, tap and veth interfaces)"
}

require_tun() {
	[ -c /dev/net/tun ] || skip "needs /dev/net/tun"
}

require_netns() {
	local probe="${NS_PREFIX}-probe"
	ip netns add "$probe" 2>/dev/null || skip "cannot create network namespaces (ip netns add)"
	ip netns del "$probe"
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs the '$c' command"
	done
}

require_binaries() {
	[ -x "$VSWD" ] || skip "vswd not built: $VSWD"
	[ -x "$VSWCTL" ] || skip "vswctl not built: $VSWCTL"
}

# ---------------------------------------------------------------- waiting

# wait_until TIMEOUT-SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
wait_until() {
	local timeout=$1 deadline
	shift
	deadline=$(($(date +%s%N) + timeout * 1000000000))
	while :; do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		if [ "$(date +%s%N)" -ge "$deadline" ]; then
			return 1
		fi
		sleep 0.1
	done
}

# ---------------------------------------------------------------- vswd

# vsw ARGS...: vswctl against this test's daemon, bounded to 20 s.
vsw() {
	timeout 20 "$VSWCTL" -s "$SOCK" "$@"
}

# vsw_json PYTHON-EXPR ARGS...: run `vswctl --json ARGS` and print
# PYTHON-EXPR evaluated with r = the parsed result.
vsw_json() {
	local expr=$1
	shift
	vsw --json "$@" | python3 -c '
import json, sys
r = json.load(sys.stdin)
v = eval(sys.argv[1])
if isinstance(v, (dict, list)):
    print(json.dumps(v, sort_keys=True))
elif v is not None:
    print(v)
' "$expr"
}

# rpc_raw TEXT: send TEXT (a newline is added) over the socket as is, print
# the first reply line.  Bounded to 5 s.
rpc_raw() {
	python3 - "$SOCK" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
buf = b""
while b"\n" not in buf:
    chunk = s.recv(65536)
    if not chunk:
        break
    buf += chunk
s.close()
line = buf.split(b"\n", 1)[0].decode()
if not line:
    sys.exit("no reply (connection closed)")
print(line)
EOF
}

# rpc_error_code TEXT: send TEXT, print the error code of the reply (or fail).
rpc_error_code() {
	rpc_raw "$1" | python3 -c '
import json, sys
r = json.loads(sys.stdin.readline())
assert r.get("jsonrpc") == "2.0", "not a JSON-RPC 2.0 reply: %r" % r
print(r["error"]["code"])
'
}

vswd_alive() {
	[ -n "$VSWD_PID" ] && kill -0 "$VSWD_PID" 2>/dev/null
}

vswd_ready() {
	[ -S "$SOCK" ] && "$VSWCTL" -s "$SOCK" version >/dev/null 2>&1
}

# start_vswd [EXTRA-ARGS...]: start vswd in the background on this test's
# socket and config, and wait (bounded) until it answers.
start_vswd() {
	local i
	local in_netns=()
	# VSWD_NETNS: run the daemon inside that network namespace (a second "host").
	[ -n "${VSWD_NETNS:-}" ] && in_netns=(ip netns exec "$VSWD_NETNS")
	echo "==== $(date +%T) start: ${in_netns[*]} vswd --socket $SOCK --config $CONFIG --workers $VSWD_WORKERS --idle-sleep 100 $*" >>"$VSWD_LOG"
	"${in_netns[@]}" "$VSWD" --socket "$SOCK" --config "$CONFIG" --workers "$VSWD_WORKERS" \
		--idle-sleep 100 "$@" >>"$VSWD_LOG" 2>&1 &
	VSWD_PID=$!
	for ((i = 0; i < 300; i++)); do
		vswd_ready && break
		if ! kill -0 "$VSWD_PID" 2>/dev/null; then
			local rc=0
			wait "$VSWD_PID" || rc=$?
			VSWD_PID=
			fail "vswd exited during start-up with status $rc"
		fi
		sleep 0.1
	done
	vswd_ready || fail "vswd did not answer on $SOCK within 30 s"
	log "vswd running, pid $VSWD_PID"
}

# stop_vswd: SIGTERM; SIGKILL after 15 s.  Fails the test unless vswd exited
# with status 0 and removed its socket.
stop_vswd() {
	local rc
	[ -n "$VSWD_PID" ] || return 0
	kill_vswd
	rc=$VSWD_RC
	[ "$rc" -eq 0 ] || fail "vswd exited with status $rc on SIGTERM (wanted 0)"
	pass "vswd exited 0 on SIGTERM"
	[ ! -e "$SOCK" ] || fail "vswd left its socket $SOCK behind"
	pass "vswd removed its socket"
	tail -n 3 "$VSWD_LOG" | grep -Eq "vswd(\[[0-9]+\])?: stopped" || fail "vswd's log does not end with its 'stopped' line" "$VSWD_LOG"
	pass "vswd logged that it stopped"
}

# kill_vswd: stop vswd without judging; sets VSWD_RC.
VSWD_RC=0
kill_vswd() {
	local i pid=$VSWD_PID
	VSWD_RC=0
	[ -n "$pid" ] || return 0
	VSWD_PID=
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 150; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "vswd (pid $pid) still running 15 s after SIGTERM: SIGKILL" >&2
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		VSWD_RC=137
		return 0
	fi
	wait "$pid" 2>/dev/null || VSWD_RC=$?
	echo "==== $(date +%T) vswd exited with status $VSWD_RC" >>"$VSWD_LOG"
}

# ---------------------------------------------------------------- namespaces and links

# make_netns NAME: create a namespace with loopback up and IPv6 off (so the
# only traffic is what the test sends), and delete it on exit.
make_netns() {
	ip netns add "$1"
	LIB_NETNS+=("$1")
	ip -n "$1" link set lo up
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
}

# track_iface NAME: delete host interface NAME on exit (if it still exists).
track_iface() {
	LIB_IFACES+=("$1")
}

# track_pid PID: kill background process PID on exit.
track_pid() {
	LIB_PIDS+=("$1")
}

# capture_start OUT NS TCPDUMP-ARGS...: tcpdump -l, its lines to OUT, in
# namespace NS ("" = this one), returning once tcpdump says it is listening:
# no frame sent after this call is missed.  Sets CAPTURE_PID.
capture_start() {
	local out=$1 ns=$2
	shift 2
	local -a cmd=(timeout 60 tcpdump -l "$@")
	[ -z "$ns" ] || cmd=(ip netns exec "$ns" "${cmd[@]}")
	"${cmd[@]}" >"$out" 2>"$out.err" &
	CAPTURE_PID=$!
	track_pid "$CAPTURE_PID"
	wait_until 10 grep -q 'listening on' "$out.err" || fail "tcpdump did not start listening" "$out.err"
}

# on_exit COMMAND: eval COMMAND on exit, after vswd and the background
# processes are stopped (e.g. give back hugepages the test reserved).
on_exit() {
	LIB_ON_EXIT+=("$1")
}

# add_vlan_subifs NS IFACE VLAN:NAME...: 802.1Q sub-interfaces NAME of IFACE
# in NS, up.  A kernel built without 8021q cannot make them: vlan_host.py then
# makes NAME a tap and tags and untags in user space, so the wire is the same.
# Sets VLAN_HOST_PID to that process ("" when the kernel made them).
add_vlan_subifs() {
	local ns=$1 ifc=$2 spec out="$T_TMP/vlan_host-$1-$2.out"
	shift 2
	VLAN_HOST_PID=
	if ip -n "$ns" link add link "$ifc" name "vp$ID" type vlan id 4094 2>/dev/null; then
		ip -n "$ns" link del "vp$ID"
		for spec in "$@"; do
			ip -n "$ns" link add link "$ifc" name "${spec#*:}" type vlan id "${spec%%:*}"
		done
	else
		require_tun
		ip netns exec "$ns" timeout 120 python3 "$LIB_DIR/vlan_host.py" \
			"$ifc" "$@" >"$out" 2>&1 &
		VLAN_HOST_PID=$!
		track_pid "$VLAN_HOST_PID"
		wait_until 10 grep -q ready "$out" || fail "vlan_host.py did not make its taps" "$out"
	fi
	for spec in "$@"; do
		ip -n "$ns" link set "${spec#*:}" up
	done
}

# mac_of NS IFACE: the interface's MAC address.
mac_of() {
	ip netns exec "$1" cat "/sys/class/net/$2/address"
}

# ping_ok NS ADDR: two pings, one retry (the first may wait for ARP).
ping_ok() {
	ip netns exec "$1" ping -n -c 2 -i 0.2 -W 1 "$2" >/dev/null 2>&1 ||
		ip netns exec "$1" ping -n -c 2 -i 0.2 -W 1 "$2" >/dev/null 2>&1
}

# ping_fails NS ADDR: no reply at all to two pings.
ping_fails() {
	! ip netns exec "$1" ping -n -c 2 -i 0.2 -W 1 "$2" >/dev/null 2>&1
}

# ---------------------------------------------------------------- cleanup

lib_cleanup() {
	local rc=$? p i
	trap - EXIT INT TERM
	set +e
	for p in "${LIB_PIDS[@]+"${LIB_PIDS[@]}"}"; do
		kill -TERM "$p" 2>/dev/null
	done
	if [ -n "$VSWD_PID" ]; then
		kill_vswd
		if [ "$VSWD_RC" -ne 0 ]; then
			echo "cleanup: vswd exited with status $VSWD_RC on SIGTERM" >&2
			[ "$rc" -eq 0 ] && rc=1
		fi
	fi
	for p in "${LIB_PIDS[@]+"${LIB_PIDS[@]}"}"; do
		for ((i = 0; i < 20; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	for p in "${LIB_ON_EXIT[@]+"${LIB_ON_EXIT[@]}"}"; do
		eval "$p"
	done
	for p in "${LIB_NETNS[@]+"${LIB_NETNS[@]}"}"; do
		ip netns del "$p" 2>/dev/null
	done
	for p in "${LIB_IFACES[@]+"${LIB_IFACES[@]}"}"; do
		ip link show "$p" >/dev/null 2>&1 && ip link del "$p" 2>/dev/null
	done
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
		rm -rf "$T_TMP"
		[ "$rc" -eq 0 ] && printf '[%s] all %d checks passed\n' "$TEST_NAME" "$NB_PASS"
	else
		printf '[%s] FAILED (exit %d); files kept in %s\n' "$TEST_NAME" "$rc" "$T_TMP"
	fi
	exit "$rc"
}
trap lib_cleanup EXIT
trap 'echo "[$TEST_NAME] interrupted"; exit 130' INT
trap 'echo "[$TEST_NAME] terminated"; exit 143' TERM
