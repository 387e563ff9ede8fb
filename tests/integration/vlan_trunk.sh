#!/usr/bin/env bash
# VLAN access and trunk ports against real kernel stacks.  Namespace T has one
# veth to a trunk port (VLANs 10 and 20) and 802.1Q sub-interfaces on it:
# e0.10 in 203.0.113.0/26, e0.20 in 203.0.113.64/26.  Namespaces A10 and A20
# sit on access ports of VLAN 10 and 20; namespace X, on an access port of
# VLAN 20, has an address in VLAN 10's subnet.  T reaches A10 over VLAN 10 and
# A20 over VLAN 20, but never X (another VLAN); a tagged frame from an access
# port is dropped and counted.  tshark reads the wire: tags on the trunk's
# veth, none on the access ports'.  The settings survive a restart.  Where the
# kernel has no 8021q module, vlan_host.py plays the sub-interfaces (taps that
# it tags and untags on the veth), so the wire and the switch are the same.
#
# usage: vlan_trunk.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_cmd ip ping python3 timeout tcpdump tshark
require_binaries
require_netns

declare -A NS HOSTIF
for n in t a10 a20 x; do
	NS[$n]="${NS_PREFIX}-$n"
	HOSTIF[$n]="vh${ID}${n:0:1}${n:1:1}" # ≤ 15 characters
done

for n in t a10 a20 x; do
	make_netns "${NS[$n]}"
	ip link add "${HOSTIF[$n]}" type veth peer name "vn${ID}$n"
	track_iface "${HOSTIF[$n]}"
	sysctl -qw "net.ipv6.conf.${HOSTIF[$n]}.disable_ipv6=1" >/dev/null 2>&1 || true
	ip link set "vn${ID}$n" netns "${NS[$n]}"
	ip -n "${NS[$n]}" link set "vn${ID}$n" name e0
	ip -n "${NS[$n]}" link set e0 up
	ip link set "${HOSTIF[$n]}" up
done
# The trunk's namespace speaks through 802.1Q sub-interfaces only.
add_vlan_subifs "${NS[t]}" e0 10:e0.10 20:e0.20
ip -n "${NS[t]}" addr add 203.0.113.1/26 dev e0.10
ip -n "${NS[t]}" addr add 203.0.113.65/26 dev e0.20
ip -n "${NS[a10]}" addr add 203.0.113.2/26 dev e0
ip -n "${NS[a20]}" addr add 203.0.113.66/26 dev e0
ip -n "${NS[x]}" addr add 203.0.113.3/26 dev e0 # VLAN 10's subnet, on VLAN 20

start_vswd

check "bd add v10" vsw bd add v10
check "bd add v20" vsw bd add v20
check "bd set v10 vlan=10" vsw bd set v10 vlan=10
check "bd set v20 vlan=20" vsw bd set v20 vlan=20
for n in t a10 a20 x; do
	check "port add $n kernel iface=${HOSTIF[$n]}" vsw port add "$n" kernel "iface=${HOSTIF[$n]}"
done
expect_exit 1 "an access port of a VLAN no domain has is refused" vsw port set a10 vlan-mode=access vlan=30
check "port set t vlan-mode=trunk trunks=10,20" vsw port set t vlan-mode=trunk trunks=10,20
check "port set a10 vlan-mode=access vlan=10" vsw port set a10 vlan-mode=access vlan=10
check "port set a20 vlan-mode=access vlan=20" vsw port set a20 vlan-mode=access vlan=20
check "port set x vlan-mode=access vlan=20" vsw port set x vlan-mode=access vlan=20

# port list shows the modes (human and JSON).
vsw port list >"$T_TMP/ports.txt" 2>&1 || fail "port list" "$T_TMP/ports.txt"
grep -q "trunk" "$T_TMP/ports.txt" || fail "port list does not show the trunk" "$T_TMP/ports.txt"
check "port list --json: a10 is an access port of VLAN 10 in v10" \
	test "$(vsw_json "[(p['bd'], p['vlan_mode'], p['vlan']) for p in r if p['name'] == 'a10']" port list)" = '[["v10", "access", 10]]'
check "port list --json: t trunks 10,20" \
	test "$(vsw_json "[(p['vlan_mode'], p['trunks']) for p in r if p['name'] == 't']" port list)" = '[["trunk", "10,20"]]'

# The wire on the trunk's and an access port's veth, inside their namespaces.
capture_start "$T_TMP/trunk.txt" "${NS[t]}" -U -n -i e0 -w "$T_TMP/trunk.pcap"
TRUNK_CAP=$CAPTURE_PID
capture_start "$T_TMP/access.txt" "${NS[a10]}" -U -n -i e0 -w "$T_TMP/access.pcap"
ACCESS_CAP=$CAPTURE_PID

check "VLAN 10: trunk -> a10" ping_ok "${NS[t]}" 203.0.113.2
check "VLAN 10: a10 -> trunk" ping_ok "${NS[a10]}" 203.0.113.1
check "VLAN 20: trunk -> a20" ping_ok "${NS[t]}" 203.0.113.66
check "VLAN 20: x is not in VLAN 10 (trunk -> 203.0.113.3 fails)" ping_fails "${NS[t]}" 203.0.113.3
check "VLAN 20: x is not in VLAN 10 (a10 -> 203.0.113.3 fails)" ping_fails "${NS[a10]}" 203.0.113.3

# Positive control: one more echo over VLAN 10 must be in both captures before they stop.
check "VLAN 10 again (marker for the captures)" ping_ok "${NS[t]}" 203.0.113.2
in_pcap() { # FILE FILTER: the capture already holds at least 3 frames matching FILTER
	[ "$(tshark -r "$1" -Y "$2" 2>/dev/null | wc -l)" -ge 3 ]
}
check "trunk capture holds the echo replies of VLAN 10" \
	wait_until 5 in_pcap "$T_TMP/trunk.pcap" 'vlan.id == 10 && icmp.type == 0'
check "a10's capture holds the echo requests from the trunk" \
	wait_until 5 in_pcap "$T_TMP/access.pcap" 'ip.src == 203.0.113.1 && icmp.type == 8'
kill -TERM "$TRUNK_CAP" "$ACCESS_CAP" 2>/dev/null || true
wait "$TRUNK_CAP" "$ACCESS_CAP" 2>/dev/null || true

python3 - "$T_TMP/trunk.pcap" "$T_TMP/access.pcap" <<'EOF' >"$T_TMP/wire.out" 2>&1 || fail "the wire" "$T_TMP/wire.out"
import subprocess, sys
def fields(cap, *names):
    out = subprocess.run(["tshark", "-r", cap, "-T", "fields", "-E", "separator=/t"] +
                         [a for n in names for a in ("-e", n)],
                         capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]
trunk = fields(sys.argv[1], "vlan.id", "ip.src", "ip.dst", "icmp.type")
access = fields(sys.argv[2], "vlan.id", "ip.src", "ip.dst", "icmp.type")
ip_trunk = [f for f in trunk if f[1]]
ip_access = [f for f in access if f[1]]
print("trunk:", len(trunk), "frames; access:", len(access), "frames")
# On the trunk every frame is tagged, with the VLAN of its subnet.
assert trunk and all(f[0] in ("10", "20") for f in trunk), [f for f in trunk if f[0] not in ("10", "20")][:5]
for f in ip_trunk:
    want = "10" if f[1].startswith("203.0.113.") and int(f[1].split(".")[3]) < 64 else "20"
    assert f[0] == want, f
# Replies from the access ports came through the switch tagged, both VLANs.
assert any(f[0] == "10" and f[1] == "203.0.113.2" and f[3] == "0" for f in ip_trunk), ip_trunk
assert any(f[0] == "20" and f[1] == "203.0.113.66" and f[3] == "0" for f in ip_trunk), ip_trunk
# Nothing from x ever reached the trunk.
assert not any(f[1] == "203.0.113.3" for f in ip_trunk), ip_trunk
# The access port's wire is untagged.
assert any(f[1] == "203.0.113.1" and f[3] == "8" for f in ip_access), ip_access
assert all(f[0] == "" for f in access), [f for f in access if f[0]][:5]
EOF
pass "tshark: tags 10 and 20 on the trunk's wire, matching the subnets; none on a10's"

# A tagged frame from an access port is dropped and counted.
counter() { vsw_json "r['counters']['$1']" stats -a; }
before=$(counter drop_vlan_tagged_on_access)
add_vlan_subifs "${NS[a10]}" e0 10:e0.10
ip -n "${NS[a10]}" addr add 198.51.100.2/24 dev e0.10
ip netns exec "${NS[a10]}" ping -n -c 1 -W 1 198.51.100.1 >/dev/null 2>&1 || true
tagged_dropped() { [ "$(counter drop_vlan_tagged_on_access)" -gt "$before" ]; }
check "drop_vlan_tagged_on_access counts a tagged frame from a10" wait_until 5 tagged_dropped
if [ -n "$VLAN_HOST_PID" ]; then
	kill -TERM "$VLAN_HOST_PID" 2>/dev/null || true
else
	ip -n "${NS[a10]}" link del e0.10
fi


# The settings survive a restart.
stop_vswd
start_vswd
check "after a restart: a10 is still an access port of VLAN 10" \
	test "$(vsw_json "[(p['bd'], p['vlan_mode'], p['vlan']) for p in r if p['name'] == 'a10']" port list)" = '[["v10", "access", 10]]'
check "after a restart: VLAN 20 trunk -> a20" ping_ok "${NS[t]}" 203.0.113.66
check "after a restart: x still unreachable from VLAN 10" ping_fails "${NS[t]}" 203.0.113.3

stop_vswd
