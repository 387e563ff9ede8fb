#!/usr/bin/env bash
# NVGRE over an IPv6-only provider network (RFC 7637 allows either outer
# family): two vswd "hosts" A and B whose uplinks sit in two IPv6 subnets,
# 2001:db8:1::/64 and 2001:db8:2::/64, joined by a forwarding router
# namespace.  The hosts own IPv6 PAs only, route to each other through the
# router, and find its MAC by neighbour discovery (no static neighbours);
# tenant VMs keep IPv4 CAs:
#
#   VSID 5001: t1a 203.0.113.1 on A (PA 2001:db8:1::1), t1b 203.0.113.2 on B (PA 2001:db8:2::1)
#
# Checks: the VMs ping each other across hosts; every frame on the router's
# link to B is IPv6, next header 47 (GRE 0x6558) between the PAs, with
# gre.key = VSID << 8 | FlowID and a flow label; neigh show holds the router,
# learned by neighbour discovery; show, tunnel list and the saved
# configuration carry the IPv6 PAs and the tenant MTU of uplink MTU - 62; a
# tenant packet of exactly that size crosses with DF set.
#
# usage: nvgre_ipv6.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_cmd ip ping python3 timeout tcpdump tshark ethtool
require_binaries
require_netns

# The two-host plumbing (hosts, router namespace, veths); its IPv4 addresses are replaced below.
. "$(dirname "$(realpath "$0")")/nvgre_lib.sh"

VSID=5001
PA6_A=2001:db8:1::1
PA6_B=2001:db8:2::1
GW6_A=2001:db8:1::fe
GW6_B=2001:db8:2::fe
CA1=203.0.113.1
CA2=203.0.113.2
MAC_T1A=02:00:00:01:00:01
MAC_T1B=02:00:00:01:00:02

# ---------------------------------------------------------------- an IPv6-only router

# make_netns turns IPv6 off; the router needs it on, and no IPv4 on its provider links.
ip netns exec "$NS_R" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 \
	net.ipv6.conf.default.disable_ipv6=0 "net.ipv6.conf.${UA}n.disable_ipv6=0" \
	"net.ipv6.conf.${UB}n.disable_ipv6=0" net.ipv6.conf.all.forwarding=1
ip -4 -n "$NS_R" addr flush dev "${UA}n"
ip -4 -n "$NS_R" addr flush dev "${UB}n"
ip -n "$NS_R" addr add "$GW6_A/64" dev "${UA}n" nodad
ip -n "$NS_R" addr add "$GW6_B/64" dev "${UB}n" nodad
wait_until 5 sh -c "ip -n '$NS_R' -6 addr show dev '${UB}n' | grep -q '$GW6_B' &&
	! ip -n '$NS_R' -6 addr show | grep -q tentative" || fail "the router's IPv6 addresses did not come up"

NS_T1A="${NS_PREFIX}-t1a"
NS_T1B="${NS_PREFIX}-t1b"
make_netns "$NS_T1A"
make_netns "$NS_T1B"
V1A="va${ID}"
V1B="vb${ID}"
vm "$V1A" "$NS_T1A" "$MAC_T1A" "$CA1"
vm "$V1B" "$NS_T1B" "$MAC_T1B" "$CA2" "$NS_HB"

# ---------------------------------------------------------------- configuration

host A
start_vswd
host B
start_vswd

# uplink6 IFACE PA GW OTHER-SUBNET: the current host's uplink on IPv6 only.
uplink6() {
	check "$CUR_HOST: port add up (kernel)" vsw port add up kernel "iface=$1"
	check "$CUR_HOST: uplink set up mtu=1500" vsw uplink set up mtu=1500
	check "$CUR_HOST: pa add $2/64" vsw pa add "$2/64"
	check "$CUR_HOST: route add $4 via $3" vsw route add "$4" via "$3"
	check "$CUR_HOST: bd add t1 vsid=$VSID" vsw bd add t1 vsid=$VSID
	check "$CUR_HOST: lookup add t1a -> $PA6_A" vsw lookup add $VSID $CA1 $MAC_T1A $PA6_A
	check "$CUR_HOST: lookup add t1b -> $PA6_B" vsw lookup add $VSID $CA2 $MAC_T1B $PA6_B
}
host A
uplink6 "${UA}h" $PA6_A $GW6_A 2001:db8:2::/64
check "A: port add t1a" vsw port add t1a kernel "iface=${V1A}h" bd=t1
check_fails "A: a gateway of the other family is refused" vsw route add 2001:db8:3::/64 via 198.51.100.254
check_fails "A: a link-local PA is refused" vsw pa add fe80::1/64
host B
uplink6 "${UB}h" $PA6_B $GW6_B 2001:db8:1::/64
check "B: port add t1b" vsw port add t1b kernel "iface=${V1B}h" bd=t1

# The tenant MTU over IPv6 tunnels: uplink MTU - 62.
host A
check "A: show reports tenant MTU 1438 over IPv6 (1458 over IPv4)" test "$(vsw_json \
	'[r["overlay"]["uplink_mtu"], r["overlay"]["tenant_mtu6"], r["overlay"]["tenant_mtu"], r["overlay"]["pas"]]' show)" \
	= "[1500, 1438, 1458, [\"$PA6_A/64\"]]"
for x in "$NS_T1A:$V1A" "$NS_T1B:$V1B"; do
	ip -n "${x%%:*}" link set "${x##*:}n" mtu 1438
done

# ---------------------------------------------------------------- capture on the router

CAP=$T_TMP/router6.pcap
ip netns exec "$NS_R" timeout 60 tcpdump -n -U -i "${UB}n" -w "$CAP" 'ip6 and not icmp6' \
	>"$T_TMP/tcpdump.log" 2>&1 &
track_pid $!
CAP_PID=$!
wait_until 5 grep -q 'listening on' "$T_TMP/tcpdump.log" || fail "tcpdump on the router did not start" "$T_TMP/tcpdump.log"

# ---------------------------------------------------------------- connectivity

# The first pings wait for neighbour discovery on both sides: give them a few tries.
wait_until 10 ping_ok "$NS_T1A" $CA2 || true
check "A -> B over IPv6 (203.0.113.1 -> .2)" ping_ok "$NS_T1A" $CA2
check "B -> A over IPv6 (203.0.113.2 -> .1)" ping_ok "$NS_T1B" $CA1
# The router learned A's PA from A's own solicitation; make it ask, so that A must answer one.
ip -n "$NS_R" -6 neigh flush dev "${UA}n"
check "B -> A after the router forgot A: A answers the router's solicitation" ping_ok "$NS_T1B" $CA1
check "the router holds A's PA as a neighbour again" \
	sh -c "ip -n '$NS_R' -6 neigh show $PA6_A dev '${UA}n' | grep -q lladdr"
check "a 1438-byte tenant packet crosses with DF set" \
	ip netns exec "$NS_T1A" ping -n -c 2 -i 0.2 -W 1 -M do -s $((1438 - 28)) $CA2
check "a 1439-byte one does not fit the tenant MTU" \
	sh -c "! ip netns exec '$NS_T1A' ping -n -c 1 -W 1 -M do -s $((1439 - 28)) $CA2 >/dev/null 2>&1"

# ---------------------------------------------------------------- neighbours, tunnels, config

GW_A_MAC6=$(mac_of "$NS_R" "${UA}n")
host A
check "A: neigh show: $GW6_A learned by neighbour discovery, MAC $GW_A_MAC6" test "$(vsw_json \
	'[(n["ip"], n["mac"], n["type"], n["state"]) for n in r if n["ip"] == "'$GW6_A'"]' neigh show)" \
	= "[[\"$GW6_A\", \"$GW_A_MAC6\", \"dynamic\", \"resolved\"]]"
check "A: route show: connected 2001:db8:1::/64 and 2001:db8:2::/64 via $GW6_A" test "$(vsw_json \
	'sorted((x["prefix"], x["via"] or "-", x["type"]) for x in r)' route show)" \
	= "[[\"2001:db8:1::/64\", \"-\", \"connected\"], [\"2001:db8:2::/64\", \"$GW6_A\", \"static\"]]"
check "A: tunnel list: to $PA6_B, ipv6, resolved via $GW6_A from $PA6_A, tenant MTU 1438" test "$(vsw_json \
	'[(t["pa"], t["family"], t["state"], t["next_hop"], t["src_pa"], t["tenant_mtu"]) for t in r]' tunnel list)" \
	= "[[\"$PA6_B\", \"ipv6\", \"resolved\", \"$GW6_A\", \"$PA6_A\", 1438]]"
check "A: pa list: $PA6_A/64, ipv6" test "$(vsw_json '[(p["address"], p["family"]) for p in r]' pa list)" \
	= "[[\"$PA6_A/64\", \"ipv6\"]]"
check "A: the configuration file holds the IPv6 PA, route and records" python3 - "$CONFIG" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["pas"] == [{"address": "2001:db8:1::1/64"}], c.get("pas")
assert c["routes"] == [{"prefix": "2001:db8:2::/64", "via": "2001:db8:1::fe"}], c.get("routes")
assert sorted(x["pa"] for x in c["lookups"]) == ["2001:db8:1::1", "2001:db8:2::1"], c["lookups"]
EOF
check "A: uplink_nd_rx counted the router's neighbour discovery" test "$(vsw_json \
	'r["counters"].get("uplink_nd_rx", 0) > 0' stats)" = "True"
host B
check "B: neigh show: $GW6_B resolved" test "$(vsw_json \
	'[n["state"] for n in r if n["ip"] == "'$GW6_B'"]' neigh show)" = '["resolved"]'

# ---------------------------------------------------------------- the wire

kill -TERM $CAP_PID 2>/dev/null || true
wait_until 5 sh -c "! kill -0 $CAP_PID 2>/dev/null" || true
check "router capture: IPv6, next header 47, GRE 0x6558, key = 5001<<8|FlowID, between the PAs" \
	python3 - "$CAP" "$PA6_A" "$PA6_B" <<'EOF'
import ipaddress, subprocess, sys
cap, pa_a, pa_b = sys.argv[1:4]
pas = {ipaddress.ip_address(pa_a), ipaddress.ip_address(pa_b)}
out = subprocess.run(["tshark", "-r", cap, "-T", "fields", "-E", "separator=/t",
                      "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ipv6.nxt", "-e", "ipv6.hlim",
                      "-e", "ipv6.flow", "-e", "gre.key", "-e", "gre.proto"],
                     capture_output=True, text=True, timeout=60, check=True).stdout
n, bad, labels = 0, [], set()
for line in out.splitlines():
    src, dst, nxt, hlim, flow, key, proto = (line.split("\t") + [""] * 7)[:7]
    n += 1
    ok = (nxt == "47" and key and int(key, 0) >> 8 == 5001 and
          proto in ("0x6558", "0x00006558") and
          {ipaddress.ip_address(src), ipaddress.ip_address(dst)} == pas)
    labels.add(flow)
    if not ok:
        bad.append(line)
print("GRE frames:", n, "bad:", len(bad), "flow labels:", sorted(labels)[:4])
for b in bad[:10]:
    print("  bad:", b)
sys.exit(1 if bad or n < 8 or labels <= {"", "0x00000", "0x00000000"} else 0)
EOF
tshark -r "$CAP" -T fields -e ipv6.src -e ipv6.dst -e ipv6.flow -e gre.key 2>/dev/null | sort | uniq -c | head -n 6 | sed 's/^/    /'

host B
stop_vswd
host A
stop_vswd
