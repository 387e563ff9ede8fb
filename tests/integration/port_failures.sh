#!/usr/bin/env bash
# A port that cannot be opened is refused with an error that says what to do,
# and vswd carries on: it keeps forwarding on its other ports, lists no trace
# of the refused port, and does not save it (issue 12, defect 1).
#
# The case that took vswd down: a pcap port replaying a file with
# infinite_rx=1 that holds more frames than vswd has free packet buffers.
# net_pcap (DPDK 22.11) fails the RX queue setup, then its close frees the
# replay ring a second time: SIGSEGV.  Both ways of asking for such a port
# are tried (type pcap, and type dpdk with net_pcap devargs).  Then the
# advice in the error is followed (--mbufs N, on a smaller scale) and must
# work.
#
# usage: port_failures.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_cmd python3 timeout
require_binaries
TRACEGEN=$(dirname "$VSWD")/../pcap/vsw-tracegen
[ -x "$TRACEGEN" ] || skip "vsw-tracegen not built: $TRACEGEN"

NB_SMALL=16

counter_is() { # PORT FIELD VALUE
	[ "$(vsw_json "r['ports'][0]['$2']" stats show "$1")" = "$3" ]
}
counter_is_above() { # PORT FIELD VALUE
	[ "$(vsw_json "r['ports'][0]['$2']" stats show "$1")" -gt "$3" ]
}
port_listed() { # NAME
	vsw --json port list | python3 -c '
import json, sys
r = json.load(sys.stdin)
ports = r["ports"] if isinstance(r, dict) else r
sys.exit(0 if any(p["name"] == sys.argv[1] for p in ports) else 1)
' "$1"
}
port_saved() { # NAME
	python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))
sys.exit(0 if any(p["name"] == sys.argv[2] for p in c.get("ports", [])) else 1)
' "$CONFIG" "$1"
}
# refused_with OUT WORDS...: the error message in OUT holds every word.
refused_with() {
	local out=$1 w
	shift
	for w in "$@"; do
		grep -qF -- "$w" "$out" || {
			echo "the message lacks '$w':"
			cat "$out"
			return 1
		}
	done
}
# refuse DESC OUT CMD...: CMD must exit 1 with a message; keep it in OUT.
refuse() {
	local desc=$1 out=$2 rc=0
	shift 2
	"$@" >"$out" 2>&1 || rc=$?
	[ "$rc" -eq 1 ] || fail "$desc: exit $rc, wanted 1 ($*)" "$out"
	pass "$desc: exit 1, \"$(head -n 1 "$out")\""
}

SMALL=$T_TMP/small.pcap
BIG=$T_TMP/big.pcap
"$TRACEGEN" -m l2 -n 4 -c "$NB_SMALL" -o "$SMALL" >/dev/null
"$TRACEGEN" -m l2 -n 64 -c 64K -o "$BIG" >/dev/null
log "small.pcap: $NB_SMALL frames; big.pcap: 65536 frames"

start_vswd
check "port add sink null" vsw port add sink null
check "port add a pcap rx_pcap=small.pcap" vsw port add a pcap "rx_pcap=$SMALL"
check "positive control: sink sent the $NB_SMALL frames of a" \
	wait_until 30 counter_is sink tx_packets "$NB_SMALL"

OUT=$T_TMP/refused.out
refuse "port add p0 pcap rx_pcap=big.pcap infinite_rx=1 is refused" "$OUT" \
	vsw port add p0 pcap "rx_pcap=$BIG" infinite_rx=1
check "its message names the 65536 frames and --mbufs" refused_with "$OUT" 65536 --mbufs
check "vswd is alive after the refused pcap port" vswd_alive
rpc_code_is() { # WANT TEXT
	[ "$(rpc_error_code "$2")" = "$1" ]
}
check "over JSON-RPC, port.add of it fails with code -32000" rpc_code_is -32000 \
	'{"jsonrpc":"2.0","id":1,"method":"port.add","params":{"name":"p0","type":"pcap","rx_pcap":"'"$BIG"'","infinite_rx":"1"}}'
refuse "port add p0 dpdk devargs=net_pcap0,rx_pcap=big.pcap,infinite_rx=1 is refused" "$OUT" \
	vsw port add p0 dpdk "devargs=net_pcap0,rx_pcap=$BIG,infinite_rx=1"
check "its message names the 65536 frames and --mbufs" refused_with "$OUT" 65536 --mbufs
check "vswd is alive after the refused dpdk port" vswd_alive
check_fails "port list has no p0" port_listed p0
check_fails "the saved configuration has no p0" port_saved p0
check "the saved configuration still has sink and a" port_saved sink
check "... and a" port_saved a

# Forwarding carries on, and new ports still open (the same device name too).
check "port add b pcap rx_pcap=small.pcap" vsw port add b pcap "rx_pcap=$SMALL"
check "sink sent the $NB_SMALL frames of b as well" \
	wait_until 30 counter_is sink tx_packets "$((NB_SMALL * 2))"
check "port add p0 pcap rx_pcap=small.pcap infinite_rx=1 (fits)" \
	vsw port add p0 pcap "rx_pcap=$SMALL" infinite_rx=1
check "p0 replays its file over and over" wait_until 30 counter_is_above p0 rx_packets "$((NB_SMALL * 4))"
check "port del p0" vsw port del p0
stop_vswd

# ---------------------------------------------------------------- the advice works

# The same on a smaller scale: 4096 frames against --mbufs 2047, then the
# --mbufs N the error asks for.
rm -f "$CONFIG"
MID=$T_TMP/mid.pcap
"$TRACEGEN" -m l2 -n 16 -c 4096 -o "$MID" >/dev/null
start_vswd --mbufs 2047
check "port add sink null" vsw port add sink null
refuse "with --mbufs 2047, port add p0 pcap rx_pcap=mid.pcap infinite_rx=1 is refused" "$OUT" \
	vsw port add p0 pcap "rx_pcap=$MID" infinite_rx=1
check "its message names the 4096 frames and --mbufs" refused_with "$OUT" 4096 --mbufs
MBUFS=$(sed -n 's/.*--mbufs \([0-9][0-9]*\).*/\1/p' "$OUT" | head -n 1)
[ -n "$MBUFS" ] || fail "no number after --mbufs in the message" "$OUT"
stop_vswd
start_vswd --mbufs "$MBUFS"
check "sink came back from the saved configuration" port_listed sink
check "with --mbufs $MBUFS, as advised, the same port opens" \
	vsw port add p0 pcap "rx_pcap=$MID" infinite_rx=1
check "sink forwards p0's replay" wait_until 30 counter_is_above sink tx_packets 4096
stop_vswd
