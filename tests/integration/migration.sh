#!/usr/bin/env bash
# Live migration on one host, with real kernel stacks.  A "VM" namespace
# pings a peer through kernel port pA.  Its interface is then re-created on
# port pB (same MAC and IP) and announces itself: first with a gratuitous ARP
# (arping -U), later, moving back, with a RARP frame as QEMU sends.  Pings
# from the peer continue through the new port and the old port's interface
# sees none of them.  Then an attacker on a port restricted by allowed-macs
# forges a gratuitous ARP for the VM's MAC and does not capture its traffic.
#
# usage: migration.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_cmd ip ping python3 timeout tcpdump arping
require_binaries
require_netns

VM_IP=203.0.113.10
BCAST_IP=203.0.113.255
PEER_IP=203.0.113.20
EVIL_IP=203.0.113.30
VM_MAC=02:00:00:00:10:0a
NS_VM="${NS_PREFIX}-vm"
NS_PEER="${NS_PREFIX}-peer"
NS_EVIL="${NS_PREFIX}-evil"
NS_PARK="${NS_PREFIX}-park" # where a VM's old interface waits, still up, watching

for ns in "$NS_VM" "$NS_PEER" "$NS_EVIL" "$NS_PARK"; do
	make_netns "$ns"
done

# veth NAME-PREFIX NS: host end ${prefix}h (up, in the host), other end ${prefix}n in NS.
veth() {
	ip link add "${1}h" type veth peer name "${1}n"
	track_iface "${1}h"
	sysctl -qw "net.ipv6.conf.${1}h.disable_ipv6=1" >/dev/null 2>&1 || true
	ip link set "${1}n" netns "$2"
	ip link set "${1}h" up
}
A="ma${ID}"
B="mb${ID}"
P="mp${ID}"
E="me${ID}"
veth "$A" "$NS_VM"
veth "$B" "$NS_PARK"
veth "$P" "$NS_PEER"
veth "$E" "$NS_EVIL"
ip -n "$NS_VM" link set "${A}n" address "$VM_MAC"
ip -n "$NS_PARK" link set "${B}n" address "$VM_MAC"
ip -n "$NS_VM" addr add "$VM_IP/24" dev "${A}n"
ip -n "$NS_VM" link set "${A}n" up
ip -n "$NS_PARK" link set "${B}n" up
ip -n "$NS_PEER" addr add "$PEER_IP/24" dev "${P}n"
ip -n "$NS_PEER" link set "${P}n" up
ip -n "$NS_EVIL" addr add "$EVIL_IP/24" dev "${E}n"
ip -n "$NS_EVIL" link set "${E}n" up
EVIL_MAC=$(mac_of "$NS_EVIL" "${E}n")

start_vswd
check "port add pA" vsw port add pA kernel "iface=${A}h"
check "port add pB" vsw port add pB kernel "iface=${B}h"
check "port add pPeer" vsw port add pPeer kernel "iface=${P}h"
check "port add pEvil" vsw port add pEvil kernel "iface=${E}h"
check "restrict pEvil to its own MAC" vsw port set pEvil "allowed-macs=$EVIL_MAC"
check "peer reaches the VM on pA" ping_ok "$NS_PEER" "$VM_IP"

# fdb_entry MAC: "PORT CAUSE" of the MAC in the default bridge domain.
fdb_entry() {
	vsw --json fdb show | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["mac"] == sys.argv[1]:
        print(e["port"], e["cause"])
' "$1"
}
check "fdb: VM learned on pA" test "$(fdb_entry $VM_MAC | cut -d' ' -f1)" = pA

# move_vm OLD-IF NEW-IF: the VM's address leaves OLD-IF, which is parked (up,
# where tcpdump watches what still reaches it), and NEW-IF, same MAC, moves
# from the parking namespace into the VM's.
move_vm() {
	ip -n "$NS_VM" addr flush dev "$1"
	ip -n "$NS_VM" link set "$1" netns "$NS_PARK"
	ip -n "$NS_PARK" link set "$1" up
	ip -n "$NS_PARK" link set "$2" netns "$NS_VM"
	ip -n "$NS_VM" addr add "$VM_IP/24" dev "$2"
	ip -n "$NS_VM" link set "$2" up
}

# watch_old IF: record, with timestamps, ICMP echo requests to the VM (and
# broadcast ones, the positive control) that reach IF.
watch_old() {
	capture_start "$T_TMP/old-$1.txt" "$NS_PARK" -tt -n -i "$1" \
		"icmp[icmptype] == icmp-echo and (dst host $VM_IP or dst host $BCAST_IP)"
}

# watch_announce HOST-IF: record when the VM's announcement enters the switch
# port behind HOST-IF (the host end of its new interface).
watch_announce() {
	capture_start "$T_TMP/announce.txt" "" -tt -n -i "$1" "ether src $VM_MAC and (arp or rarp)"
}

# seen_after IF: echo requests to the VM that reached IF more than 20 ms after
# the announcement entered the switch (a request already inside the switch
# when the announcement arrived may still leave by the old port).  First a
# broadcast echo, which the switch floods to IF too, must be seen there: it
# proves the capture was live and has everything sent before it.
seen_after() {
	local t
	ip netns exec "$NS_PEER" ping -n -b -c 1 -W 1 "$BCAST_IP" >/dev/null 2>&1 || true
	wait_until 5 grep -q "> $BCAST_IP:" "$T_TMP/old-$1.txt" ||
		fail "positive control: a broadcast echo did not reach the old interface $1" "$T_TMP/old-$1.txt"
	t=$(awk 'NR == 1 {print $1}' "$T_TMP/announce.txt")
	[ -n "$t" ] || fail "the announcement was not seen entering the switch" "$T_TMP/announce.txt"
	awk -v t="$t" -v vm="$VM_IP:" '$1 > t + 0.020 && $0 ~ "> " vm' "$T_TMP/old-$1.txt" | wc -l
}

# pings_during CMD...: the peer pings the VM every 50 ms for 4 s; CMD runs
# once five have been answered.  ping_result prints "sent received".  -D -O
# stamp every reply and every ping still unanswered when the next one leaves,
# so that after_announcement can tell the pings sent after the announcement
# from those lost while the test itself was moving the interface.
answered_at_least() { test "$(grep -c 'bytes from' "$T_TMP/ping.txt")" -ge "$1"; }
pings_during() {
	ip netns exec "$NS_PEER" ping -n -D -O -i 0.05 -c 80 -W 1 "$VM_IP" >"$T_TMP/ping.txt" 2>&1 &
	local ping_pid=$!
	wait_until 5 answered_at_least 5 ||
		fail "the peer's pings to the VM are not answered before the move" "$T_TMP/ping.txt"
	"$@"
	wait "$ping_pid" || true
}
ping_result() { awk '/packets transmitted/ {print $1, $4}' "$T_TMP/ping.txt"; }
# after_announcement: "answered lost" among the pings sent more than 50 ms
# after the announcement entered the switch (a "no answer yet" line is
# printed when the next ping leaves, 50 ms after the one it is about).
after_announcement() {
	local t
	t=$(awk 'NR == 1 {print $1}' "$T_TMP/announce.txt")
	[ -n "$t" ] || fail "the announcement was not seen entering the switch" "$T_TMP/announce.txt"
	awk -v t="$t" '/^\[/ { ts = substr($1, 2, length($1) - 2) + 0 }
		/bytes from/ && ts > t + 0.050 { ok++ }
		/no answer yet/ && ts > t + 0.100 { lost++ }
		END { print ok + 0, lost + 0 }' "$T_TMP/ping.txt"
}

announce_garp() {
	watch_announce "${B}h"
	move_vm "${A}n" "${B}n"
	watch_old "${A}n"
	ip netns exec "$NS_VM" arping -q -U -c 1 -w 0 -i "${B}n" -S "$VM_IP" "$VM_IP" >/dev/null 2>&1 || true
}

pings_during announce_garp
read -r SENT RECEIVED < <(ping_result)
log "gratuitous ARP migration A -> B: $SENT pings sent, $RECEIVED answered"
check "fdb: VM on pB, cause garp" test "$(fdb_entry $VM_MAC)" = "pB garp"
read -r OK_AFTER LOST_AFTER < <(after_announcement)
log "after the announcement: $OK_AFTER answered, $LOST_AFTER lost"
check "pings flow through pB after the GARP (>= 20 answered)" test "$OK_AFTER" -ge 20
check "no ping sent after the GARP was lost" test "$LOST_AFTER" -eq 0
OLD_SEEN=$(seen_after "${A}n")
log "echo requests that reached the old interface after the announcement: $OLD_SEEN"
check "the old port saw none of the VM's pings" test "$OLD_SEEN" -eq 0

# send_rarp NS IF MAC: one RARP request as QEMU sends after migration.
send_rarp() {
	ip netns exec "$1" python3 - "$2" "$3" <<'EOF'
import socket, sys
ifname, mac = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", ""))
frame = b"\xff" * 6 + mac + b"\x80\x35"
frame += bytes.fromhex("0001 0800 06 04 0003".replace(" ", "")) + mac + b"\0" * 4 + mac + b"\0" * 4
frame += b"\0" * (60 - len(frame))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
s.send(frame)
EOF
}

announce_rarp() {
	watch_announce "${A}h"
	move_vm "${B}n" "${A}n"
	watch_old "${B}n"
	send_rarp "$NS_VM" "${A}n" "$VM_MAC"
}

pings_during announce_rarp
read -r SENT RECEIVED < <(ping_result)
log "RARP migration B -> A: $SENT pings sent, $RECEIVED answered"
check "fdb: VM back on pA, cause rarp" test "$(fdb_entry $VM_MAC)" = "pA rarp"
read -r OK_AFTER LOST_AFTER < <(after_announcement)
log "after the RARP: $OK_AFTER answered, $LOST_AFTER lost"
check "pings flow through pA after the RARP (>= 20 answered)" test "$OK_AFTER" -ge 20
check "no ping sent after the RARP was lost" test "$LOST_AFTER" -eq 0
OLD_SEEN=$(seen_after "${B}n")
log "echo requests that reached the old interface after the RARP: $OLD_SEEN"
check "the old port saw none of the VM's pings" test "$OLD_SEEN" -eq 0

# send_forged_garp NS IF: a gratuitous ARP claiming the VM's MAC and IP.
send_forged_garp() {
	ip netns exec "$1" python3 - "$2" "$VM_MAC" "$VM_IP" <<'EOF'
import socket, sys
ifname, mac, ip = sys.argv[1], bytes.fromhex(sys.argv[2].replace(":", "")), socket.inet_aton(sys.argv[3])
frame = b"\xff" * 6 + mac + b"\x08\x06" + bytes.fromhex("0001080006040001") + mac + ip + b"\0" * 6 + ip
frame += b"\0" * (60 - len(frame))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
for _ in range(3):
    s.send(frame)
EOF
}

SPOOFED_BEFORE=$(vsw_json "r['counters'].get('drop_spoofed_mac', 0)" stats)
pings_during send_forged_garp "$NS_EVIL" "${E}n"
read -r SENT RECEIVED < <(ping_result)
log "forged GARP from pEvil: $SENT pings sent, $RECEIVED answered"
check "fdb: VM still on pA after the forged GARP" test "$(fdb_entry $VM_MAC | cut -d' ' -f1)" = pA
check "the VM's pings are not captured (>= 90% answered)" test "$RECEIVED" -ge $((SENT * 9 / 10))
SPOOFED_AFTER=$(vsw_json "r['counters'].get('drop_spoofed_mac', 0)" stats)
check "drop_spoofed_mac counted the 3 forged frames" test $((SPOOFED_AFTER - SPOOFED_BEFORE)) -ge 3
check "the attacker's own traffic still flows" ping_ok "$NS_EVIL" "$PEER_IP"

stop_vswd
