#!/usr/bin/env bash
# Two vswd in one network namespace, each with a `kernel` port, whose
# af_packet fanout groups collide.  net_af_packet numbers its group
# (pid ^ ifindex) & 0xffff, so the second daemon's interface is created with
# the ifindex that makes its number equal to the first's: the kernel refuses
# the second socket, and vswd must attach that interface through libpcap
# instead, still forward through it, and say so.  A driver that refuses a
# port must be quoted in the reply, not summarised as "Operation not
# permitted".
#
# usage: kernel_fanout.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_cmd ip ping python3 timeout
require_binaries
require_netns

HA="fa${ID}h" NA="fa${ID}n"  # daemon A's interface
HB="fb${ID}h" NB="fb${ID}n"  # daemon B's colliding interface
HC="fc${ID}h" NC="fc${ID}n"  # daemon B's second port
NS1="${NS_PREFIX}-1" NS2="${NS_PREFIX}-2"

# veth HOST PEER [INDEX]: a pair, host end up with IPv6 off, peer end left here.
veth() {
	ip link add "$1" ${3:+index "$3"} type veth peer name "$2"
	track_iface "$1"
	sysctl -qw "net.ipv6.conf.$1.disable_ipv6=1" >/dev/null 2>&1 || true
	ip link set "$1" up
}
ifindex() { cat "/sys/class/net/$1/ifindex"; }

veth "$HA" "$NA"
start_vswd
check "A: port add pa kernel iface=$HA" vsw port add pa kernel "iface=$HA"
GROUP=$(((VSWD_PID ^ $(ifindex "$HA")) & 0xffff))
log "daemon A (pid $VSWD_PID) holds fanout group $GROUP on $HA"

# Daemon B, on its own socket and configuration.
SOCK_B=$T_TMP/b.sock
"$VSWD" --socket "$SOCK_B" --config "$T_TMP/b.json" --workers 1 --idle-sleep 100 \
	>"$T_TMP/b.log" 2>&1 &
PID_B=$!
track_pid "$PID_B"
vsw_b() { timeout 20 "$VSWCTL" -s "$SOCK_B" "$@"; }
wait_until 30 vsw_b version || fail "daemon B did not answer" "$T_TMP/b.log"

# The ifindex that gives daemon B's socket the same group number, above any in use.
INDEX=$(((GROUP ^ PID_B) & 0xffff))
while [ "$INDEX" -eq 0 ] || ip -o link | grep -q "^$INDEX:"; do
	INDEX=$((INDEX + 0x10000))
done
veth "$HB" "$NB" "$INDEX"
check "B's interface has ifindex $INDEX (group $(((PID_B ^ INDEX) & 0xffff)) = A's $GROUP)" \
	test "$(((PID_B ^ $(ifindex "$HB")) & 0xffff))" -eq "$GROUP"
veth "$HC" "$NC"

check "B: port add pb kernel iface=$HB succeeds despite the fanout collision" \
	vsw_b port add pb kernel "iface=$HB"
check "B: port add pc kernel iface=$HC" vsw_b port add pc kernel "iface=$HC"
drivers=$(vsw_b --json port list | python3 -c '
import json, sys
print(" ".join(p["name"] + "=" + p["driver"] for p in json.load(sys.stdin)))')
check "B: pb fell back to net_pcap, pc kept net_af_packet ($drivers)" \
	test "$drivers" = "pb=net_pcap pc=net_af_packet"
check "B's log says why pb runs on libpcap" grep -q "PACKET_FANOUT.*libpcap instead" "$T_TMP/b.log"

for n in 1 2; do
	make_netns "${NS_PREFIX}-$n"
done
ip link set "$NB" netns "$NS1"
ip link set "$NC" netns "$NS2"
ip -n "$NS1" addr add 203.0.113.1/24 dev "$NB"
ip -n "$NS2" addr add 203.0.113.2/24 dev "$NC"
ip -n "$NS1" link set "$NB" up
ip -n "$NS2" link set "$NC" up
check "B forwards through its libpcap port: ping 1 -> 2" ping_ok "$NS1" 203.0.113.2
check "B forwards through its libpcap port: ping 2 -> 1" ping_ok "$NS2" 203.0.113.1

# A driver's refusal is quoted: the frame size exceeds the block size.
out=$(vsw_b port add px dpdk "devargs=net_af_packet_px${ID},iface=$HA,blocksz=4096,framesz=8192" 2>&1) &&
	fail "a bad af_packet devargs was accepted"
log "refusal: $out"
check "the refusal quotes the driver ('frame size exceeds block size')" \
	grep -q "frame size exceeds block size" <<<"$out"
check "the refusal does not say 'Operation not permitted'" \
	test "$(grep -c 'Operation not permitted' <<<"$out")" -eq 0

check "A still has its port" test "$(vsw_json 'len(r)' port list)" -eq 1
kill -TERM "$PID_B"
wait "$PID_B" || fail "daemon B exited with status $?" "$T_TMP/b.log"
stop_vswd
