#!/usr/bin/env bash
# pcap ports: frames read from a pcap file come out of the other ports'
# output pcap files byte for byte, in order.
#
# Case 1 (flooding): p1 reads in.pcap (broadcasts from A, unicasts from A to
#   a MAC nobody has sent from, sizes 60..1514); p2 and p3 only write.  Nothing
#   is ever learned on p2 or p3, so every frame floods to both: out2.pcap and
#   out3.pcap must equal in.pcap.
# Case 2 (learning): p2 first sends one broadcast from B; once the MAC table
#   shows B on p2, p1 is added and replays in.pcap.  Now the unicasts to B go
#   to p2 only: out2.pcap = in.pcap, out3.pcap = B's frame + the broadcasts.
#   The order is deterministic because p1 is added only after B is learned.
#
# usage: pcap_ports.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_cmd python3 tcpdump timeout
require_binaries

MAC_A=02:00:5e:00:00:0a
MAC_B=02:00:5e:00:00:0b
NB_FRAMES=48

# gen OUT KIND: write a pcap.  KIND "in": the NB_FRAMES input frames;
# "b": one broadcast from B; "expect3": B's frame, then the broadcasts of "in".
gen() {
	python3 - "$1" "$2" "$NB_FRAMES" "$MAC_A" "$MAC_B" <<'EOF'
import struct, sys
out, kind, n, mac_a, mac_b = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
mac = lambda s: bytes(int(x, 16) for x in s.split(":"))
BCAST = b"\xff" * 6
SIZES = [60, 64, 61, 128, 256, 333, 512, 1000, 1400, 1514]
ETHERTYPE = 0x88B5  # IEEE 802 local experimental

def frame(dst, src, size, seq):
    hdr = dst + src + struct.pack("!H", ETHERTYPE)
    body = struct.pack("!I", seq) + bytes((seq * 7 + k) & 0xFF for k in range(size - 18))
    return hdr + body

def inputs():
    frames = []
    for i in range(n):
        dst = BCAST if i % 3 == 0 else mac(mac_b)  # 1 in 3 broadcast, the rest unicast A -> B
        frames.append((dst == BCAST, frame(dst, mac(mac_a), SIZES[i % len(SIZES)], i)))
    return frames

b_frame = frame(BCAST, mac(mac_b), 60, 0xB0B0)
if kind == "in":
    frames = [f for _, f in inputs()]
elif kind == "b":
    frames = [b_frame]
elif kind == "expect3":
    frames = [b_frame] + [f for bc, f in inputs() if bc]
elif kind == "count-bcast":
    print(sum(1 for bc, _ in inputs() if bc))
    sys.exit(0)
else:
    sys.exit("unknown kind " + kind)
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))  # LINKTYPE_ETHERNET
    for i, fr in enumerate(frames):
        f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)))
        f.write(fr)
EOF
}

# same_frames A B: tcpdump -t -nn -xx of both files must be identical.
same_frames() {
	local a=$1 b=$2
	[ -s "$b" ] || {
		echo "$b is missing or empty"
		return 1
	}
	tcpdump -t -nn -xx -r "$a" >"$a.txt" 2>/dev/null || return 1
	tcpdump -t -nn -xx -r "$b" >"$b.txt" 2>"$b.err" || {
		cat "$b.err"
		return 1
	}
	if ! cmp -s "$a.txt" "$b.txt"; then
		echo "frames: $(grep -c '^[^ 	]' "$a.txt") in $a, $(grep -c '^[^ 	]' "$b.txt") in $b"
		diff -u "$a.txt" "$b.txt" | head -n 40
		return 1
	fi
}

counter_is() { # PORT FIELD VALUE
	[ "$(vsw_json "r['ports'][0]['$2']" stats show "$1")" = "$3" ]
}

IN=$T_TMP/in.pcap
gen "$IN" in
NB_BCAST=$(gen /dev/null count-bcast)
log "in.pcap: $NB_FRAMES frames, $NB_BCAST broadcast, the rest unicast to $MAC_B"

# ---------------------------------------------------------------- case 1: flooding

OUT2=$T_TMP/case1-out2.pcap
OUT3=$T_TMP/case1-out3.pcap
start_vswd
# The writers first, so that no frame of p1 finds the switch without them.
check "case 1: port add p2 pcap tx_pcap=..." vsw port add p2 pcap "tx_pcap=$OUT2"
check "case 1: port add p3 pcap tx_pcap=..." vsw port add p3 pcap "tx_pcap=$OUT3"
check "case 1: port add p1 pcap rx_pcap=in.pcap" vsw port add p1 pcap "rx_pcap=$IN"
check "case 1: p1 received all $NB_FRAMES frames" wait_until 30 counter_is p1 rx_packets "$NB_FRAMES"
check "case 1: p2 sent all $NB_FRAMES frames" wait_until 10 counter_is p2 tx_packets "$NB_FRAMES"
check "case 1: p3 sent all $NB_FRAMES frames" wait_until 10 counter_is p3 tx_packets "$NB_FRAMES"
check "case 1: p1 sent nothing (no frame goes back out of its ingress port)" counter_is p1 tx_packets 0
vsw --json fdb show >"$T_TMP/fdb.json" 2>&1 || fail "fdb show" "$T_TMP/fdb.json"
python3 - "$T_TMP/fdb.json" "$MAC_A" <<'EOF' >"$T_TMP/check.out" 2>&1 || fail "case 1: MAC table" "$T_TMP/check.out"
import json, sys
got = [(e["mac"].lower(), e["port"]) for e in json.load(open(sys.argv[1]))]
assert got == [(sys.argv[2], "p1")], "fdb: %s, want only %s on p1" % (got, sys.argv[2])
EOF
pass "case 1: fdb holds only $MAC_A on p1"
stop_vswd # closes the ports, which flushes the output files
check "case 1: out2.pcap equals in.pcap frame for frame" same_frames "$IN" "$OUT2"
check "case 1: out3.pcap equals in.pcap frame for frame" same_frames "$IN" "$OUT3"

# ---------------------------------------------------------------- case 2: learning

rm -f "$CONFIG"
B=$T_TMP/b.pcap
EXPECT3=$T_TMP/expect3.pcap
gen "$B" b
gen "$EXPECT3" expect3
OUT2=$T_TMP/case2-out2.pcap
OUT3=$T_TMP/case2-out3.pcap
start_vswd
check "case 2: port add p3 pcap tx_pcap=..." vsw port add p3 pcap "tx_pcap=$OUT3"
check "case 2: port add p2 pcap rx_pcap=b.pcap tx_pcap=..." vsw port add p2 pcap "rx_pcap=$B" "tx_pcap=$OUT2"
fdb_b_on_p2() {
	vsw --json fdb show | python3 -c '
import json, sys
sys.exit(0 if [(e["mac"].lower(), e["port"]) for e in json.load(sys.stdin)] == [(sys.argv[1], "p2")] else 1)
' "$MAC_B"
}
check "case 2: $MAC_B learned on p2" wait_until 20 fdb_b_on_p2
check "case 2: port add p1 pcap rx_pcap=in.pcap" vsw port add p1 pcap "rx_pcap=$IN"
check "case 2: p1 received all $NB_FRAMES frames" wait_until 30 counter_is p1 rx_packets "$NB_FRAMES"
check "case 2: p2 sent all $NB_FRAMES frames" wait_until 10 counter_is p2 tx_packets "$NB_FRAMES"
check "case 2: p3 sent B's frame and the $NB_BCAST broadcasts" \
	wait_until 10 counter_is p3 tx_packets "$((NB_BCAST + 1))"
check "case 2: p1 sent nothing (no frame goes back out of its ingress port)" counter_is p1 tx_packets 0
stop_vswd
check "case 2: out2.pcap equals in.pcap (broadcasts and unicasts to B)" same_frames "$IN" "$OUT2"
check "case 2: out3.pcap holds B's frame and the broadcasts only" same_frames "$EXPECT3" "$OUT3"
