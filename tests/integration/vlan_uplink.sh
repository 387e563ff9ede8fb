#!/usr/bin/env bash
# The provider network on 802.1Q VLAN 100: nvgre_lib.sh's two hosts and
# router, but the router speaks to both uplinks through VLAN 100
# sub-interfaces only, and both hosts set `uplink set up vlan=100`.  A VM on
# A (203.0.113.1, VSID 5001) pings one on B (203.0.113.2); A resolves its
# gateway by ARP over the VLAN.  tshark on the router's veth to A sees every
# GRE and ARP frame tagged 100.  With B's uplink on VLAN 200 instead the ping
# fails and B counts drop_uplink_vlan; back on 100 it works again.
#
# usage: vlan_uplink.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_cmd ip ping python3 timeout tcpdump tshark ethtool
require_binaries
require_netns

. "$(dirname "$(realpath "$0")")/nvgre_lib.sh"

VSID=5001
CA_A=203.0.113.1
CA_B=203.0.113.2
MAC_A=02:00:00:01:00:01
MAC_B=02:00:00:01:00:02
NS_VA="${NS_PREFIX}-va"
NS_VB="${NS_PREFIX}-vb"

# The router's addresses move from its veths to VLAN 100 sub-interfaces.
ip -n "$NS_R" addr del "$GW_A/24" dev "${UA}n"
ip -n "$NS_R" addr del "$GW_B/24" dev "${UB}n"
add_vlan_subifs "$NS_R" "${UA}n" "100:ga$ID"
add_vlan_subifs "$NS_R" "${UB}n" "100:gb$ID"
ip -n "$NS_R" addr add "$GW_A/24" dev "ga$ID"
ip -n "$NS_R" addr add "$GW_B/24" dev "gb$ID"
# shellcheck disable=SC2034 # overlay_uplink pins it on B
GW_B_MAC=$(mac_of "$NS_R" "gb$ID")

make_netns "$NS_VA"
make_netns "$NS_VB"
vm "va$ID" "$NS_VA" "$MAC_A" "$CA_A"
vm "vb$ID" "$NS_VB" "$MAC_B" "$CA_B" "$NS_HB"

# From before A knows its gateway: its ARP is on the wire too.
capture_start "$T_TMP/ua.txt" "$NS_R" -U -n -i "${UA}n" -w "$T_TMP/ua.pcap"
UA_CAP=$CAPTURE_PID
for h in A B; do
	host $h
	start_vswd
	check "$h: bd add t1 vsid=$VSID" vsw bd add t1 vsid=$VSID
	overlay_uplink
	check "$h: uplink set up vlan=100" vsw uplink set up vlan=100
	if [ $h = A ]; then
		check "A: port add vm" vsw port add vm kernel "iface=va${ID}h" bd=t1
	else
		check "B: port add vm" vsw port add vm kernel "iface=vb${ID}h" bd=t1
	fi
	check "$h: lookup add a" vsw lookup add $VSID $CA_A $MAC_A "$PA_A"
	check "$h: lookup add b" vsw lookup add $VSID $CA_B $MAC_B "$PA_B"
	check "$h: show reports uplink_vlan 100" test "$(vsw_json 'r["overlay"]["uplink_vlan"]' show)" = 100
done
ip -n "$NS_VA" link set "va${ID}n" mtu 1458
ip -n "$NS_VB" link set "vb${ID}n" mtu 1458

check "A -> B over the overlay on VLAN 100" ping_ok "$NS_VA" $CA_B
check "B -> A over the overlay on VLAN 100" ping_ok "$NS_VB" $CA_A
gre_seen() { [ "$(tshark -r "$T_TMP/ua.pcap" -Y 'gre' 2>/dev/null | wc -l)" -ge 4 ]; }
check "the router's capture holds the GRE frames" wait_until 5 gre_seen
kill -TERM "$UA_CAP" 2>/dev/null || true
wait "$UA_CAP" 2>/dev/null || true
python3 - "$T_TMP/ua.pcap" <<'EOF' >"$T_TMP/wire.out" 2>&1 || fail "the wire to A" "$T_TMP/wire.out"
import subprocess, sys
out = subprocess.run(["tshark", "-r", sys.argv[1], "-T", "fields", "-E", "separator=/t",
                      "-e", "vlan.id", "-e", "eth.type", "-e", "gre.key", "-e", "arp.opcode"],
                     capture_output=True, text=True, check=True).stdout
rows = [line.split("\t") for line in out.splitlines()]
gre = [r for r in rows if r[2]]
arp = [r for r in rows if r[3]]
print(len(rows), "frames,", len(gre), "GRE,", len(arp), "ARP")
assert gre and all(r[0] == "100" for r in gre), gre[:5]
assert all(int(r[2], 16) >> 8 == 5001 for r in gre), gre[:5]
# A resolved its gateway over the VLAN: the request left A tagged, the reply came back tagged.
assert arp and all(r[0] == "100" for r in arp), arp[:5]
assert not [r for r in rows if r[0] != "100"], [r for r in rows if r[0] != "100"][:5]
EOF
pass "tshark: every GRE and ARP frame between A and the router is tagged 100, key VSID 5001"

# Negative control: B on another VLAN hears nothing of the overlay, and says so.
host B
before=$(vsw_json "r['counters']['drop_uplink_vlan']" stats -a)
check "B: uplink set up vlan=200" vsw uplink set up vlan=200
check "A -> B fails with B's uplink on VLAN 200" ping_fails "$NS_VA" $CA_B
dropped() { [ "$(vsw_json "r['counters']['drop_uplink_vlan']" stats -a)" -gt "$before" ]; }
check "B: drop_uplink_vlan counts the frames tagged 100" wait_until 5 dropped
check "B: uplink set up vlan=100" vsw uplink set up vlan=100
check "A -> B works again" ping_ok "$NS_VA" $CA_B

# The VLAN is configuration: B restarts with it.
stop_vswd
start_vswd
check "B after a restart: uplink_vlan 100" test "$(vsw_json 'r["overlay"]["uplink_vlan"]' show)" = 100
check "A -> B after B's restart" ping_ok "$NS_VA" $CA_B
stop_vswd
host A
stop_vswd
