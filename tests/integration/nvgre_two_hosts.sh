#!/usr/bin/env bash
# NVGRE between two "hosts": two vswd instances (A and B), each with a kernel
# uplink port on a veth into a router namespace.  The provider addresses are
# in different subnets (A 198.51.100.1/24, B 192.0.2.1/24), so the overlay
# needs provider routes and next-hop resolution: A resolves its gateway by
# ARP, B has a static neighbour.  Two tenants reuse 203.0.113.0/24 in VSIDs
# 5001 and 6001, with VMs (namespaces on veth ports) on both hosts:
#
#   tenant 1 (VSID 5001): t1a 203.0.113.1 on A, t1p 203.0.113.3 on A, t1b 203.0.113.2 on B
#   tenant 2 (VSID 6001): t2a 203.0.113.1 on A,                       t2b 203.0.113.2 on B
#
# Checks: each tenant's VMs ping across hosts and never reach the other
# tenant; every frame the router forwards is IPv4/GRE 0x6558 with key =
# VSID << 8 | FlowID and the inner MACs of that VSID's tenant; neigh show;
# then t1a migrates from A to B (namespace re-attached to a port on B,
# gratuitous ARP, lookup records updated on both hosts) while t1b and t1p
# ping it; lost pings are reported; finally B restarts from its saved
# configuration and the overlay works again.
#
# usage: nvgre_two_hosts.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_cmd ip ping python3 timeout tcpdump tshark arping ethtool
require_binaries
require_netns

. "$(dirname "$(realpath "$0")")/nvgre_lib.sh"

# ---------------------------------------------------------------- addresses

VSID1=5001
VSID2=6001
CA1=203.0.113.1 # t1a and t2a
CA2=203.0.113.2 # t1b and t2b
CA3=203.0.113.3 # t1p
MAC_T1A=02:00:00:01:00:01
MAC_T1B=02:00:00:01:00:02
MAC_T1P=02:00:00:01:00:03
MAC_T2A=02:00:00:02:00:01
MAC_T2B=02:00:00:02:00:02

NS_T1A="${NS_PREFIX}-t1a"
NS_T1P="${NS_PREFIX}-t1p"
NS_T1B="${NS_PREFIX}-t1b"
NS_T2A="${NS_PREFIX}-t2a"
NS_T2B="${NS_PREFIX}-t2b"
NS_PARK="${NS_PREFIX}-park" # spare interfaces wait here
for ns in "$NS_T1A" "$NS_T1P" "$NS_T1B" "$NS_T2A" "$NS_T2B" "$NS_PARK"; do
	make_netns "$ns"
done

V1A="va${ID}"
V1P="vp${ID}"
V2A="vx${ID}"
V1B="vb${ID}"
V2B="vy${ID}"
VM1="vm${ID}" # t1a's interface on host B after the migration
vm "$V1A" "$NS_T1A" "$MAC_T1A" "$CA1"
vm "$V1P" "$NS_T1P" "$MAC_T1P" "$CA3"
vm "$V2A" "$NS_T2A" "$MAC_T2A" "$CA1"
vm "$V1B" "$NS_T1B" "$MAC_T1B" "$CA2" "$NS_HB"
vm "$V2B" "$NS_T2B" "$MAC_T2B" "$CA2" "$NS_HB"
veth "$VM1" "$NS_PARK" "$NS_HB"
ip -n "$NS_PARK" link set "${VM1}n" address "$MAC_T1A"

# ---------------------------------------------------------------- configuration

host A
start_vswd
host B
start_vswd

# records: the customer->provider map, the same on every host.
records() {
	check "$CUR_HOST: lookup add t1a" vsw lookup add $VSID1 $CA1 $MAC_T1A "$1"
	check "$CUR_HOST: lookup add t1p" vsw lookup add $VSID1 $CA3 $MAC_T1P $PA_A
	check "$CUR_HOST: lookup add t1b" vsw lookup add $VSID1 $CA2 $MAC_T1B $PA_B
	check "$CUR_HOST: lookup add t2a" vsw lookup add $VSID2 $CA1 $MAC_T2A $PA_A
	check "$CUR_HOST: lookup add t2b" vsw lookup add $VSID2 $CA2 $MAC_T2B $PA_B
}

host A
check "A: bd add t1 vsid=$VSID1" vsw bd add t1 vsid=$VSID1
check "A: bd add t2 vsid=$VSID2" vsw bd add t2 vsid=$VSID2
overlay_uplink
check "A: port add t1a" vsw port add t1a kernel "iface=${V1A}h" bd=t1
check "A: port add t1p" vsw port add t1p kernel "iface=${V1P}h" bd=t1
check "A: port add t2a" vsw port add t2a kernel "iface=${V2A}h" bd=t2
records "$PA_A"

host B
check "B: bd add t1 vsid=$VSID1" vsw bd add t1 vsid=$VSID1
check "B: bd add t2 vsid=$VSID2" vsw bd add t2 vsid=$VSID2
overlay_uplink
check "B: port add t1b" vsw port add t1b kernel "iface=${V1B}h" bd=t1
check "B: port add t2b" vsw port add t2b kernel "iface=${V2B}h" bd=t2
check "B: port add m1 (t1a after migration)" vsw port add m1 kernel "iface=${VM1}h" bd=t1
records "$PA_A"

check_fails "B: pa add on a port that is not the uplink" vsw pa add 192.0.2.9/24 port=t1b
check_fails "B: lookup add with a reserved VSID" vsw lookup add 4095 $CA1 $MAC_T1A $PA_A
check_fails "B: bd add with a VSID already in use" vsw bd add t3 vsid=$VSID1
check_fails "B: ... and t3 was not left half-made" sh -c "timeout 20 '$VSWCTL' -s '$SOCK' bd list | grep -qw t3"

# The tenant MTU: what `vswctl show` tells us to give the VMs.
for h in A B; do
	host $h
	t=$(vsw_json 'r["overlay"]["tenant_mtu"]' show)
	u=$(vsw_json 'r["overlay"]["uplink_mtu"]' show)
	check "$h: show reports uplink MTU 1500 and tenant MTU 1458 (got $u, $t)" \
		test "$u/$t" = "1500/1458"
	check "$h: show lists both VSIDs and the uplink port" test "$(vsw_json \
		'sorted(str(b["vsid"]) for b in r["bds"] if b["vsid"]) + [p["name"] for p in r["ports"] if p["uplink"]]' show)" \
		= '["5001", "6001", "up"]'
done
TENANT_MTU=$t
for x in "$NS_T1A:$V1A" "$NS_T1P:$V1P" "$NS_T2A:$V2A" "$NS_T1B:$V1B" "$NS_T2B:$V2B" "$NS_PARK:$VM1"; do
	ip -n "${x%%:*}" link set "${x##*:}n" mtu "$TENANT_MTU"
done

# Everything above is configuration.
host A
check "A: the configuration file holds uplink, PA, route, records and VSIDs" python3 - "$CONFIG" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
assert c["uplink"] == {"port": "up", "mtu": 1500}, c.get("uplink")
assert c["pas"] == [{"address": "198.51.100.1/24"}], c.get("pas")
assert c["routes"] == [{"prefix": "0.0.0.0/0", "via": "198.51.100.254"}], c.get("routes")
assert len(c["lookups"]) == 5, c.get("lookups")
assert {b["name"]: b.get("vsid") for b in c["bds"]} == {"t1": 5001, "t2": 6001}, c["bds"]
EOF

# ---------------------------------------------------------------- capture on the router

CAP=$T_TMP/router.pcap
ip netns exec "$NS_R" timeout 120 tcpdump -n -U -i "${UB}n" -w "$CAP" 'not arp' \
	>"$T_TMP/tcpdump.log" 2>&1 &
track_pid $!
CAP_PID=$!
wait_until 5 grep -q 'listening on' "$T_TMP/tcpdump.log" || fail "tcpdump on the router did not start" "$T_TMP/tcpdump.log"

# ---------------------------------------------------------------- connectivity

check "tenant 1: A -> B (203.0.113.1 -> .2)" ping_ok "$NS_T1A" $CA2
check "tenant 1: B -> A (203.0.113.2 -> .1)" ping_ok "$NS_T1B" $CA1
check "tenant 1: A peer -> B (203.0.113.3 -> .2)" ping_ok "$NS_T1P" $CA2
check "tenant 2: A -> B (203.0.113.1 -> .2)" ping_ok "$NS_T2A" $CA2
check "tenant 2: B -> A (203.0.113.2 -> .1)" ping_ok "$NS_T2B" $CA1

# arp_mac NS IP: the MAC the VM's ARP cache holds for IP.
arp_mac() {
	ip -n "$1" neigh show "$2" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'
}
check "tenant 1 on A sees tenant 1's MAC for .2" test "$(arp_mac "$NS_T1A" $CA2)" = $MAC_T1B
check "tenant 2 on A sees tenant 2's MAC for .2" test "$(arp_mac "$NS_T2A" $CA2)" = $MAC_T2B
check "tenant 1 on B sees tenant 1's MAC for .1" test "$(arp_mac "$NS_T1B" $CA1)" = $MAC_T1A
check "tenant 2 on B sees tenant 2's MAC for .1" test "$(arp_mac "$NS_T2B" $CA1)" = $MAC_T2A

# Isolation: silence one tenant's VM; the other tenant still gets its replies
# (from its own VM), and the silenced VM sees none of the other's pings.
# icmp_count NS IF FOREIGN-MAC OWN-NS OWN-MAC CMD...: echo requests from
# FOREIGN-MAC seen on IF in NS while CMD runs, in ICMP_SEEN.  Then one echo from OWN-NS
# (the tenant's own VM, MAC OWN-MAC) to $CA2 must be seen: it proves the
# capture was live and holds everything CMD sent before it.
icmp_count() {
	local ns=$1 ifc=$2 foreign=$3 own_ns=$4 own_mac=$5 out=$T_TMP/icmp-$1.txt
	shift 5
	capture_start "$out" "$ns" -t -n -e -i "$ifc" 'icmp[icmptype] == icmp-echo'
	"$@" >/dev/null 2>&1 || true
	ip netns exec "$own_ns" ping -n -c 1 -W 1 $CA2 >/dev/null 2>&1 || true
	wait_until 5 grep -q "^$own_mac > " "$out" ||
		fail "positive control: the echo from $own_mac did not reach $ifc" "$out"
	kill -TERM "$CAPTURE_PID" 2>/dev/null || true
	wait "$CAPTURE_PID" 2>/dev/null || true
	ICMP_SEEN=$(grep -c "^$foreign > .*ICMP echo request" "$out" || true)
}
silence() { ip netns exec "$1" sysctl -qw "net.ipv4.icmp_echo_ignore_all=$2"; }

silence "$NS_T2B" 1
check "tenant 2's .2 is silent: tenant 2 gets no reply" ping_fails "$NS_T2A" $CA2
check "tenant 1 still gets replies from its .2" ping_ok "$NS_T1A" $CA2
icmp_count "$NS_T2B" "${V2B}n" $MAC_T1A "$NS_T2A" $MAC_T2A ip netns exec "$NS_T1A" ping -n -c 5 -i 0.2 -W 1 $CA2
n=$ICMP_SEEN
check "tenant 2's .2 saw none of tenant 1's pings (saw $n)" test "$n" -eq 0
silence "$NS_T2B" 0
silence "$NS_T1B" 1
check "tenant 1's .2 is silent: tenant 1 gets no reply" ping_fails "$NS_T1A" $CA2
check "tenant 2 still gets replies from its .2" ping_ok "$NS_T2A" $CA2
icmp_count "$NS_T1B" "${V1B}n" $MAC_T2A "$NS_T1A" $MAC_T1A ip netns exec "$NS_T2A" ping -n -c 5 -i 0.2 -W 1 $CA2
n=$ICMP_SEEN
check "tenant 1's .2 saw none of tenant 2's pings (saw $n)" test "$n" -eq 0
silence "$NS_T1B" 0
check "tenant 1 reaches .2 again" ping_ok "$NS_T1A" $CA2

# ---------------------------------------------------------------- neighbours and routes

host A
check "A: neigh show lists the gateway $GW_A, learned by ARP, MAC $GW_A_MAC" test "$(vsw_json \
	'[(n["ip"], n["mac"], n["type"], n["state"]) for n in r if n["ip"] == "'$GW_A'"]' neigh show)" \
	= "[[\"$GW_A\", \"$GW_A_MAC\", \"dynamic\", \"resolved\"]]"
check "A: route show: connected 198.51.100.0/24 and 0.0.0.0/0 via $GW_A" test "$(vsw_json \
	'sorted((x["prefix"], x["via"] or "-", x["type"]) for x in r)' route show)" \
	= "[[\"0.0.0.0/0\", \"$GW_A\", \"static\"], [\"198.51.100.0/24\", \"-\", \"connected\"]]"
host B
check "B: neigh show lists the static gateway $GW_B" test "$(vsw_json \
	'[(n["ip"], n["mac"], n["type"]) for n in r if n["ip"] == "'$GW_B'"]' neigh show)" \
	= "[[\"$GW_B\", \"$GW_B_MAC\", \"static\"]]"
check "B: lookup show 5001 lists 3 records" test "$(vsw_json 'len(r)' lookup show $VSID1)" = 3
check "B: lookup show lists 5 records, t2b local" test "$(vsw_json \
	'[len(r), [x["local"] for x in r if x["vsid"] == 6001 and x["ca_ip"] == "'$CA2'"]]' lookup show)" \
	= '[5, [true]]'
vsw neigh show >"$T_TMP/neigh-b.txt" 2>&1 || true
on A vsw neigh show >"$T_TMP/neigh-a.txt" 2>&1 || true
log "neigh show on A:"; sed 's/^/    /' "$T_TMP/neigh-a.txt"

# ---------------------------------------------------------------- the wire

kill -TERM $CAP_PID 2>/dev/null || true
wait_until 5 sh -c "! kill -0 $CAP_PID 2>/dev/null" || true
check "router capture: every frame is IPv4/GRE 0x6558, key = VSID<<8|FlowID, the tenant's inner MACs" \
	python3 - "$CAP" "$PA_A" "$PA_B" <<'EOF'
import subprocess, sys
cap, pa_a, pa_b = sys.argv[1:4]
out = subprocess.run(["tshark", "-r", cap, "-T", "fields", "-E", "separator=/t",
                      "-E", "occurrence=a", "-E", "aggregator=,",
                      "-e", "frame.number", "-e", "ip.src", "-e", "ip.dst", "-e", "ip.proto",
                      "-e", "gre.key", "-e", "gre.proto", "-e", "eth.src"],
                     capture_output=True, text=True, timeout=60, check=True).stdout
tenant = {5001: "02:00:00:01:", 6001: "02:00:00:02:"}
seen, bad = {}, []
for line in out.splitlines():
    no, src, dst, proto, key, gproto, macs = (line.split("\t") + [""] * 7)[:7]
    src, dst, proto = src.split(","), dst.split(","), proto.split(",")
    ok = proto[0] == "47" and key and gproto.split(",")[0] in ("0x6558", "0x00006558")
    if ok:
        k = int(key, 0)
        vsid = k >> 8
        inner_src = macs.split(",")[1] if "," in macs else ""
        ok = (vsid in tenant and {src[0], dst[0]} == {pa_a, pa_b}
              and inner_src.startswith(tenant[vsid]))
        seen[vsid] = seen.get(vsid, 0) + 1
    if not ok:
        bad.append(line)
print("frames per VSID:", seen, "bad:", len(bad))
for b in bad[:10]:
    print("  bad:", b)
sys.exit(1 if bad or set(seen) != {5001, 6001} else 0)
EOF
log "$(tail -n 1 "$T_TMP/check.out" 2>/dev/null)"
tshark -r "$CAP" -T fields -e gre.key -e ip.src -e ip.dst 2>/dev/null | sort | uniq -c | head -n 8 | sed 's/^/    /'

# ---------------------------------------------------------------- live migration: t1a from A to B

# pinger NAME NS ADDR: ping every 50 ms for 8 s in the background.
pinger() {
	ip netns exec "$2" ping -n -i 0.05 -c 160 -W 1 "$3" >"$T_TMP/ping-$1.txt" 2>&1 &
	track_pid $!
	eval "PING_$1=$!"
}
# lost NAME: "sent received lost"
lost() {
	awk '/packets transmitted/ {print $1, $4, $1 - $4}' "$T_TMP/ping-$1.txt"
}
pinger B "$NS_T1B" $CA1 # peer on the destination host
pinger P "$NS_T1P" $CA1 # peer on the source host
sleep 1.5
log "migrating t1a ($CA1, $MAC_T1A) from A (port t1a) to B (port m1)"
T0=$(date +%s.%N)
ip -n "$NS_T1A" addr flush dev "${V1A}n"
ip -n "$NS_T1A" link set "${V1A}n" netns "$NS_PARK"
ip -n "$NS_PARK" link set "${VM1}n" netns "$NS_T1A"
ip -n "$NS_T1A" addr add "$CA1/24" dev "${VM1}n"
ip -n "$NS_T1A" link set "${VM1}n" up
ip netns exec "$NS_T1A" arping -q -U -c 2 -w 2 -I "${VM1}n" $CA1 || true
on B vsw lookup add $VSID1 $CA1 $MAC_T1A $PA_B >/dev/null || fail "B: lookup add after the move"
on A vsw lookup add $VSID1 $CA1 $MAC_T1A $PA_B >/dev/null || fail "A: lookup add after the move"
log "moved, announced and records updated in $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}') s"
wait "$PING_B" 2>/dev/null || true
wait "$PING_P" 2>/dev/null || true
read -r sent_b recv_b lost_b <<<"$(lost B)"
read -r sent_p recv_p lost_p <<<"$(lost P)"
log "pings to the migrating VM from B's t1b: $sent_b sent, $recv_b received, $lost_b lost"
log "pings to the migrating VM from A's t1p: $sent_p sent, $recv_p received, $lost_p lost"
check "t1b's pings continued across the migration ($lost_b of $sent_b lost)" \
	test "${recv_b:-0}" -ge $((${sent_b:-1} / 2))
check "t1p's pings continued across the migration ($lost_p of $sent_p lost)" \
	test "${recv_p:-0}" -ge $((${sent_p:-1} / 2))
check "after the move: t1b (B) reaches t1a, now on B" ping_ok "$NS_T1B" $CA1
check "after the move: t1p (A) reaches t1a over NVGRE" ping_ok "$NS_T1P" $CA1
check "after the move: t1a reaches t1p on A" ping_ok "$NS_T1A" $CA3

# fdb_port HOST BD MAC: the port of MAC in BD on HOST.
fdb_port() {
	on "$1" vsw_json '[e["port"] for e in r if e["mac"] == "'"$3"'"]' fdb show "$2"
}
check "A: t1a's MAC now lives at pa:$PA_B" test "$(fdb_port A t1 $MAC_T1A)" = "[\"pa:$PA_B\"]"
check "B: t1a's MAC now lives on port m1" test "$(fdb_port B t1 $MAC_T1A)" = '["m1"]'
check "A: the record of t1a points at $PA_B" test "$(on A vsw_json \
	'[x["pa"] for x in r if x["ca_ip"] == "'$CA1'"]' lookup show $VSID1)" = "[\"$PA_B\"]"
check "tenant 2's $CA1 on A is untouched" ping_ok "$NS_T2B" $CA1

# ---------------------------------------------------------------- restart B from its file

host B
SHOW_CONFIG='[r["overlay"], [(b["name"], b["vsid"]) for b in r["bds"]], r["routes"], r["lookups"], r["neighbours"]["total"]]'
before=$(vsw_json "$SHOW_CONFIG" show)
stop_vswd
start_vswd
wait_until 10 sh -c "timeout 5 '$VSWCTL' -s '$SOCK' --json neigh show | grep -q '$GW_B'" || true
after=$(vsw_json "$SHOW_CONFIG" show)
log "B before restart: $before"
check "B after restart: overlay, VSIDs, routes, records and neighbours as before ($after)" test "$before" = "$after"
check "B after restart: t1b reaches t1a (local)" ping_ok "$NS_T1B" $CA1
check "B after restart: t1p on A reaches t1a on B" ping_ok "$NS_T1P" $CA1
check "B after restart: tenant 2 across hosts" ping_ok "$NS_T2B" $CA1

# ---------------------------------------------------------------- deleting

host A
check "A: lookup del $VSID2 $CA2" vsw lookup del $VSID2 $CA2
check "A: lookup show 6001 has 1 record left" test "$(vsw_json 'len(r)' lookup show $VSID2)" = 1
check "A: the record is gone from the file" python3 -c "
import json, sys
c = json.load(open('$CONFIG'))
sys.exit(any(x['vsid'] == $VSID2 and x['ca_ip'] == '$CA2' for x in c['lookups']))"
check_fails "A: lookup del of a record that does not exist" vsw lookup del $VSID2 $CA2

host B
stop_vswd
host A
stop_vswd
