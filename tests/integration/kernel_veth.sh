#!/usr/bin/env bash
# Three veth pairs: one end of each in a namespace (203.0.113.N/24), the other
# end, in the host namespace, attached to the switch as a `kernel` port
# (AF_PACKET).  p1 and p2 share the default bridge domain, p3 is alone in
# bridge domain "blue": 1 and 2 ping each other, 3 reaches nobody, and the
# MAC table and the port counters show it.
#
# usage: kernel_veth.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_cmd ip ping python3 timeout
require_binaries
require_netns

declare -A NS HOSTIF NSIF IP MAC
for n in 1 2 3; do
	NS[$n]="${NS_PREFIX}-$n"
	HOSTIF[$n]="vh${ID}$n" # ≤ 10 characters
	NSIF[$n]="vn${ID}$n"
	IP[$n]="203.0.113.$n"
done

# Build the veth pairs before vswd starts; the host ends are up, with IPv6
# off so the host sends nothing on them.
for n in 1 2 3; do
	make_netns "${NS[$n]}"
	ip link add "${HOSTIF[$n]}" type veth peer name "${NSIF[$n]}"
	track_iface "${HOSTIF[$n]}"
	sysctl -qw "net.ipv6.conf.${HOSTIF[$n]}.disable_ipv6=1" >/dev/null 2>&1 || true
	ip link set "${NSIF[$n]}" netns "${NS[$n]}"
	ip -n "${NS[$n]}" addr add "${IP[$n]}/24" dev "${NSIF[$n]}"
	ip -n "${NS[$n]}" link set "${NSIF[$n]}" up
	ip link set "${HOSTIF[$n]}" up
	MAC[$n]=$(mac_of "${NS[$n]}" "${NSIF[$n]}")
done
log "MACs: 1=${MAC[1]} 2=${MAC[2]} 3=${MAC[3]}"

start_vswd

check "bd add blue" vsw bd add blue
check "port add p1 kernel iface=${HOSTIF[1]}" vsw port add p1 kernel "iface=${HOSTIF[1]}"
check "port add p2 kernel iface=${HOSTIF[2]}" vsw port add p2 kernel "iface=${HOSTIF[2]}"
check "port add p3 kernel iface=${HOSTIF[3]} bd=blue" vsw port add p3 kernel "iface=${HOSTIF[3]}" bd=blue
expect_exit 1 "port add kernel on a missing interface is refused" vsw port add p4 kernel "iface=nx${ID}"
expect_exit 1 "port add into a missing bridge domain is refused" vsw port add p5 null bd=nosuchbd

port_counter() { # PORT FIELD
	vsw_json "r['ports'][0]['$2']" stats show "$1"
}
for p in p1 p2 p3; do
	for f in rx_packets tx_packets; do
		v=$(port_counter "$p" "$f" 2>"$T_TMP/check.out") || fail "stats show $p --json" "$T_TMP/check.out"
		eval "BEFORE_${p}_$f=$v"
	done
done

check "ping 1 -> 2" ping_ok "${NS[1]}" "${IP[2]}"
check "ping 2 -> 1" ping_ok "${NS[2]}" "${IP[1]}"
check "bd blue: 1 cannot reach 3" ping_fails "${NS[1]}" "${IP[3]}"
check "bd blue: 3 cannot reach 1" ping_fails "${NS[3]}" "${IP[1]}"
check "bd blue: 3 cannot reach 2" ping_fails "${NS[3]}" "${IP[2]}"

# fdb_has BD MAC PORT
fdb_has() {
	vsw --json fdb show "$1" | python3 -c '
import json, sys
bd, mac, port = sys.argv[1:]
entries = json.load(sys.stdin)
hits = [e for e in entries if e["mac"].lower() == mac.lower()]
if [(e["bd"], e["port"]) for e in hits] != [(bd, port)]:
    sys.exit("fdb show %s: %s is %s, want exactly one entry on %s" % (bd, mac, hits, port))
' "$1" "$2" "$3"
}
# fdb_lacks BD MAC
fdb_lacks() {
	vsw --json fdb show "$1" | python3 -c '
import json, sys
bd, mac = sys.argv[1:]
hits = [e for e in json.load(sys.stdin) if e["mac"].lower() == mac.lower()]
if hits:
    sys.exit("fdb show %s: %s should be absent, found %s" % (bd, mac, hits))
' "$1" "$2"
}
check "fdb: ${MAC[1]} on p1 in default" fdb_has default "${MAC[1]}" p1
check "fdb: ${MAC[2]} on p2 in default" fdb_has default "${MAC[2]}" p2
check "fdb: ${MAC[3]} on p3 in blue" fdb_has blue "${MAC[3]}" p3
check "fdb: ${MAC[3]} not in default" fdb_lacks default "${MAC[3]}"
check "fdb: ${MAC[1]} not in blue" fdb_lacks blue "${MAC[1]}"

# The text form has the documented columns.
vsw fdb show >"$T_TMP/fdb.txt" 2>&1 || fail "vswctl fdb show" "$T_TMP/fdb.txt"
for col in bd mac port type; do
	head -n 1 "$T_TMP/fdb.txt" | grep -qiw "$col" || fail "fdb show header lacks column '$col'" "$T_TMP/fdb.txt"
done
grep -qi "${MAC[3]}" "$T_TMP/fdb.txt" || fail "fdb show text lacks ${MAC[3]}" "$T_TMP/fdb.txt"
pass "fdb show text has columns bd, mac, port, type"

grown() { # PORT FIELD: the counter is larger than before the pings
	local v before
	v=$(port_counter "$1" "$2")
	before="BEFORE_${1}_$2"
	[ "$v" -gt "${!before}" ]
}
for p in p1 p2; do
	for f in rx_packets tx_packets; do
		check "stats show $p: $f grew" wait_until 5 grown "$p" "$f"
	done
done
check "stats show p3: rx_packets grew (its ARP requests)" wait_until 5 grown p3 rx_packets
vsw --json stats >"$T_TMP/stats.json" 2>&1 || fail "vswctl --json stats" "$T_TMP/stats.json"
python3 - "$T_TMP/stats.json" <<'EOF' >"$T_TMP/check.out" 2>&1 || fail "stats --json shape" "$T_TMP/check.out"
import json, sys
r = json.load(open(sys.argv[1]))
names = {p["name"] for p in r["ports"]}
assert {"p1", "p2", "p3"} <= names, names
assert isinstance(r["counters"], dict), r["counters"]
EOF
pass "stats --json has ports p1-p3 and a counters object"

check "fdb flush default" vsw fdb flush default
check "fdb: ${MAC[1]} gone from default after flush" fdb_lacks default "${MAC[1]}"
check "fdb: ${MAC[3]} still in blue after flushing default" fdb_has blue "${MAC[3]}" p3
check "ping 1 -> 2 after flush (re-learns)" ping_ok "${NS[1]}" "${IP[2]}"
check "fdb: ${MAC[1]} re-learned on p1" fdb_has default "${MAC[1]}" p1

# Move p3 into the default domain: now 3 reaches 1.
check "port del p3" vsw port del p3
check "bd del blue" vsw bd del blue
vsw bd list >"$T_TMP/bds.txt" 2>&1 || fail "bd list" "$T_TMP/bds.txt"
grep -qw blue "$T_TMP/bds.txt" && fail "bd blue still listed after bd del" "$T_TMP/bds.txt"
pass "bd list no longer shows blue"
check "port add p3 kernel iface=${HOSTIF[3]} (default bd)" vsw port add p3 kernel "iface=${HOSTIF[3]}"
check "ping 3 -> 1 in the default domain" ping_ok "${NS[3]}" "${IP[1]}"
check "fdb: ${MAC[3]} on p3 in default" fdb_has default "${MAC[3]}" p3

stop_vswd
