#!/usr/bin/env bash
# Routing domains across two vswd hosts on different provider subnets behind
# a router namespace (the setup of nvgre_two_hosts.sh, from nvgre_lib.sh).
# Every host is the distributed router of both tenants:
#
#   tenant "red"  s1 VSID 5001 203.0.113.0/24 gw .254: r1a .1 on A
#                 s2 VSID 5002 198.18.10.0/24 gw .254: r2a .2 on A, r2b .3 on B
#                 s3 VSID 5003 198.18.20.0/24 gw .254: r3b .3 on B, rgw .9 on B
#                 rgw is a tenant gateway VM to "outside" 198.18.99.0/24;
#                 rd route add red 0.0.0.0/0 via 198.18.20.9
#   tenant "blue" u1 VSID 6001 203.0.113.0/24: b1a .1 on A
#                 u2 VSID 6002 198.18.10.0/24: b2b .3 on B
#
# Checks: pings across subnets on one host and across hosts; traceroute
# shows one routed hop; blue reaches its own 198.18.10.3 and never red's;
# red reaches "outside" through rgw; ping -M do -s 1472 gets "frag needed"
# with the tenant MTU and a TCP transfer with full-size segments completes;
# tshark sees gre.key = the destination subnet's VSID; B restarts from its
# file and routes again.  VMs keep MTU 1500, so the tunnel is the narrow part.
#
# usage: rd_two_hosts.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_cmd ip ping python3 timeout tcpdump tshark ethtool traceroute
require_binaries
require_netns

. "$(dirname "$(realpath "$0")")/nvgre_lib.sh"

MAC_R1A=02:00:00:05:01:01
MAC_R2A=02:00:00:05:02:02
MAC_R2B=02:00:00:05:02:03
MAC_R3B=02:00:00:05:03:03
MAC_RGW=02:00:00:05:03:09
MAC_B1A=02:00:00:06:01:01
MAC_B2B=02:00:00:06:02:03

declare -A NS
for v in r1a r2a r2b r3b rgw out b1a b2b; do
	NS[$v]="${NS_PREFIX}-$v"
	make_netns "${NS[$v]}"
done

# tvm NAME HOSTNS MAC IP/LEN GATEWAY: a tenant VM with its default route.
tvm() {
	local pfx="${1}${ID}"
	if [ "$2" = B ]; then vm "$pfx" "${NS[$1]}" "$3" "${4%/*}" "$NS_HB"; else vm "$pfx" "${NS[$1]}" "$3" "${4%/*}"; fi
	ip -n "${NS[$1]}" route add default via "$5"
	eval "IF_$1=${pfx}h"
}
tvm r1a A $MAC_R1A 203.0.113.1/24 203.0.113.254
tvm r2a A $MAC_R2A 198.18.10.2/24 198.18.10.254
tvm r2b B $MAC_R2B 198.18.10.3/24 198.18.10.254
tvm r3b B $MAC_R3B 198.18.20.3/24 198.18.20.254
tvm rgw B $MAC_RGW 198.18.20.9/24 198.18.20.254
tvm b1a A $MAC_B1A 203.0.113.1/24 203.0.113.254
tvm b2b B $MAC_B2B 198.18.10.3/24 198.18.10.254
# rgw forwards between its tenant and "outside" (a plain veth, no switch).
ip link add "og${ID}" netns "${NS[rgw]}" type veth peer name "oo${ID}" netns "${NS[out]}"
ip -n "${NS[rgw]}" addr add 198.18.99.1/24 dev "og${ID}"
ip -n "${NS[rgw]}" link set "og${ID}" up
ip -n "${NS[out]}" addr add 198.18.99.2/24 dev "oo${ID}"
ip -n "${NS[out]}" link set "oo${ID}" up
ip -n "${NS[out]}" route add default via 198.18.99.1
ip netns exec "${NS[rgw]}" sysctl -qw net.ipv4.ip_forward=1

# ---------------------------------------------------------------- configuration

tenant_config() {
	local s
	check "$CUR_HOST: rd add red" vsw rd add red
	check "$CUR_HOST: rd add blue" vsw rd add blue
	for s in s1:5001:red:203.0.113.254/24 s2:5002:red:198.18.10.254/24 \
		s3:5003:red:198.18.20.254/24 u1:6001:blue:203.0.113.254/24 u2:6002:blue:198.18.10.254/24; do
		IFS=: read -r bd vsid rd gw <<<"$s"
		check "$CUR_HOST: bd add $bd vsid=$vsid" vsw bd add "$bd" "vsid=$vsid"
		check "$CUR_HOST: bd set $bd rd=$rd gateway=$gw" vsw bd set "$bd" "rd=$rd" "gateway=$gw"
	done
	check "$CUR_HOST: rd route add red 0.0.0.0/0 via 198.18.20.9" \
		vsw rd route add red 0.0.0.0/0 via 198.18.20.9
	overlay_uplink
	for r in 5001:203.0.113.1:$MAC_R1A:$PA_A 5002:198.18.10.2:$MAC_R2A:$PA_A \
		5002:198.18.10.3:$MAC_R2B:$PA_B 5003:198.18.20.3:$MAC_R3B:$PA_B \
		5003:198.18.20.9:$MAC_RGW:$PA_B 6001:203.0.113.1:$MAC_B1A:$PA_A \
		6002:198.18.10.3:$MAC_B2B:$PA_B; do
		IFS=: read -r vsid ip m1 m2 m3 m4 m5 m6 pa <<<"$r"
		check "$CUR_HOST: lookup add $vsid $ip" vsw lookup add "$vsid" "$ip" "$m1:$m2:$m3:$m4:$m5:$m6" "$pa"
	done
}

host A
start_vswd
tenant_config
check "A: port add r1a" vsw port add r1a kernel "iface=$IF_r1a" bd=s1
check "A: port add r2a" vsw port add r2a kernel "iface=$IF_r2a" bd=s2
check "A: port add b1a" vsw port add b1a kernel "iface=$IF_b1a" bd=u1
host B
start_vswd
tenant_config
check "B: port add r2b" vsw port add r2b kernel "iface=$IF_r2b" bd=s2
check "B: port add r3b" vsw port add r3b kernel "iface=$IF_r3b" bd=s3
check "B: port add rgw" vsw port add rgw kernel "iface=$IF_rgw" bd=s3
check "B: port add b2b" vsw port add b2b kernel "iface=$IF_b2b" bd=u2

check_fails "B: a subnet that overlaps another of its domain is refused" \
	vsw bd set s3 gateway=198.18.10.1/16
check "B: ... and s3 keeps its gateway" test "$(vsw_json \
	'[b["gateway"] for b in r if b["name"] == "s3"][0]' bd list)" = 198.18.20.254/24
RED_MAC=$(vsw_json '[d["mac"] for d in r if d["name"] == "red"][0]' rd list)
host A
check "A and B derive the same router MAC for red ($RED_MAC)" \
	test "$(vsw_json '[d["mac"] for d in r if d["name"] == "red"][0]' rd list)" = "$RED_MAC"

# ---------------------------------------------------------------- capture on the router

CAP=$T_TMP/router.pcap
ip netns exec "$NS_R" timeout 120 tcpdump -n -U -i "${UB}n" -w "$CAP" 'ip proto 47' \
	>"$T_TMP/tcpdump.log" 2>&1 &
track_pid $!
CAP_PID=$!
wait_until 5 grep -q 'listening on' "$T_TMP/tcpdump.log" || fail "tcpdump on the router did not start" "$T_TMP/tcpdump.log"

# ---------------------------------------------------------------- routing

check "red: r1a pings its gateway 203.0.113.254" ping_ok "${NS[r1a]}" 203.0.113.254
check "red: r1a's ARP cache has the router MAC" sh -c \
	"ip -n '${NS[r1a]}' neigh show 203.0.113.254 | grep -qi '$RED_MAC'"
check "red, same host: r1a -> r2a (198.18.10.2)" ping_ok "${NS[r1a]}" 198.18.10.2
check "red, across hosts: r1a -> r2b (198.18.10.3)" ping_ok "${NS[r1a]}" 198.18.10.3
check "red, across hosts: r1a -> r3b (198.18.20.3)" ping_ok "${NS[r1a]}" 198.18.20.3
check "red, across hosts: r3b -> r2a (198.18.10.2)" ping_ok "${NS[r3b]}" 198.18.10.2
check "blue, across hosts: b1a -> b2b (198.18.10.3)" ping_ok "${NS[b1a]}" 198.18.10.3

TR=$T_TMP/traceroute.txt
ip netns exec "${NS[r1a]}" timeout 20 traceroute -n -q 1 -w 2 -m 5 198.18.20.3 >"$TR" 2>&1 || true
check "traceroute r1a -> r3b: one routed hop (203.0.113.254), then r3b" python3 - "$TR" <<'PY'
import sys
hops = [l.split() for l in open(sys.argv[1]) if l[:3].strip().isdigit()]
print(hops)
assert [h[1] for h in hops] == ["203.0.113.254", "198.18.20.3"], hops
PY
log "$(cat "$TR")"

# Isolation: blue's 198.18.10.2 does not exist; red's (r2a) must hear nothing.
host A
unresolved=$(vsw_json 'r["counters"].get("drop_rd_unresolved", 0)' stats)
capture_start "$T_TMP/r2a.txt" "${NS[r2a]}" -n -e -i "${IF_r2a%h}n" 'icmp[icmptype] == icmp-echo'
R2A_CAP=$CAPTURE_PID
check "blue: b1a -> 198.18.10.2 (red's address) gets no answer" ping_fails "${NS[b1a]}" 198.18.10.2
check "blue: b1a -> 198.18.10.3 reaches blue's own b2b" ping_ok "${NS[b1a]}" 198.18.10.3
check "red: r1a -> r2a once more (proves the capture on r2a is live)" ping_ok "${NS[r1a]}" 198.18.10.2
wait_until 5 grep -q 'echo request' "$T_TMP/r2a.txt" || true
kill "$R2A_CAP" 2>/dev/null || true
check "r2a saw red's pings" grep -q 'echo request' "$T_TMP/r2a.txt"
check "A counted blue's pings to a destination without a record (drop_rd_unresolved)" \
	test "$(vsw_json 'r["counters"].get("drop_rd_unresolved", 0)' stats)" -ge $((unresolved + 2))
check "r2a heard only red's pings: none from blue reached it" python3 - "$T_TMP/r2a.txt" <<'PY'
import sys
lines = [l for l in open(sys.argv[1]) if "echo request" in l]
# Every ping r2a saw came after blue's: red sends 2 per ping_ok; blue's would add more.
assert 1 <= len(lines) <= 4, lines
PY

check "red: r1a reaches outside (198.18.99.2) through rgw on B" ping_ok "${NS[r1a]}" 198.18.99.2
check "red: r2a reaches outside too" ping_ok "${NS[r2a]}" 198.18.99.2

# ---------------------------------------------------------------- MTU

PM=$T_TMP/pmtu.txt
ip netns exec "${NS[r1a]}" ping -n -M do -s 1472 -c 2 -i 0.3 -W 1 198.18.20.3 >"$PM" 2>&1 || true
log "$(head -n 4 "$PM")"
check "ping -M do -s 1472 across hosts gets frag needed, mtu 1458" grep -Eq 'mtu ?= ?1458' "$PM"
check "ping -M do -s 1430 (1458 bytes of IP) passes" sh -c \
	"ip netns exec '${NS[r1a]}' ping -n -M do -s 1430 -c 2 -i 0.3 -W 2 198.18.20.3 >/dev/null"
TCP_LOG=$T_TMP/tcp.txt
ip netns exec "${NS[r3b]}" timeout 30 python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.18.20.3", 5001)); s.listen(1); print("listening", flush=True)
c, _ = s.accept(); n = 0
while True:
    b = c.recv(65536)
    if not b: break
    n += len(b)
print("received", n, flush=True)' >"$TCP_LOG" 2>&1 &
track_pid $!
TCP_SRV=$!
wait_until 5 grep -q listening "$TCP_LOG" || fail "the TCP receiver did not start" "$TCP_LOG"
check "TCP: 2 MB from r1a to r3b across hosts with 1500-byte segments" \
	ip netns exec "${NS[r1a]}" timeout 20 python3 -c '
import socket
c = socket.create_connection(("198.18.20.3", 5001), timeout=15)
c.sendall(b"x" * (2 << 20)); c.close()'
wait "$TCP_SRV" 2>/dev/null || true
check "TCP: r3b received all 2097152 bytes" grep -q 'received 2097152' "$TCP_LOG"

# ---------------------------------------------------------------- the wire

sleep_until_flushed() { wait_until 5 test -s "$CAP"; }
sleep_until_flushed
kill "$CAP_PID" 2>/dev/null || true
wait "$CAP_PID" 2>/dev/null || true
check "tshark: routed frames carry the destination subnet's VSID in gre.key" python3 - "$CAP" <<'PY'
import subprocess, sys
out = subprocess.run(["tshark", "-r", sys.argv[1], "-T", "fields", "-E", "separator=/t",
    "-e", "ip.src", "-e", "gre.key", "-e", "ip.dst", "-e", "eth.src", "-Y", "gre && icmp"],
    capture_output=True, text=True, check=True).stdout
seen = set()
for line in out.splitlines():
    f = line.split("\t")
    if len(f) < 4: continue
    outer_src = f[0].split(",")[0]
    inner_dst = f[2].split(",")[-1]
    seen.add((outer_src, int(f[1], 0) >> 8, inner_dst))
print(sorted(seen))
# r1a -> r3b goes out of A in r3b's VSID; r3b's replies come back in r1a's.
assert ("198.51.100.1", 5003, "198.18.20.3") in seen, seen
assert ("192.0.2.1", 5001, "203.0.113.1") in seen, seen
# blue's replies to b1a travel in blue's VSID, never red's.
assert ("192.0.2.1", 6001, "203.0.113.1") in seen, seen
PY

host A
check "A: routed_remote and rd_icmp_errors_sent counted" python3 -c "
import json, subprocess, sys
c = json.loads(subprocess.run(['timeout', '10', '$VSWCTL', '-s', '$SOCK', '--json', 'stats'],
    capture_output=True, text=True).stdout)['counters']
print({k: v for k, v in c.items() if 'rd' in k or 'routed' in k})
sys.exit(not (c.get('routed_remote', 0) > 0 and c.get('routed_local', 0) > 0 and c.get('rd_icmp_errors_sent', 0) >= 2))"

# ---------------------------------------------------------------- restart B from its file

host B
before=$(vsw_json '[r["rds"], [(b["name"], b["rd"], b["gateway"]) for b in r["bds"]]]' show)
stop_vswd
start_vswd
after=$(vsw_json '[r["rds"], [(b["name"], b["rd"], b["gateway"]) for b in r["bds"]]]' show)
check "B after restart: routing domains and subnets as before" test "$before" = "$after"
check "B after restart: r3b -> r1a across hosts" ping_ok "${NS[r3b]}" 203.0.113.1
check "B after restart: r1a reaches outside" ping_ok "${NS[r1a]}" 198.18.99.2

host B
stop_vswd
host A
stop_vswd
pass "all"
