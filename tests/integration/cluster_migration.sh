#!/usr/bin/env bash
# A cluster of three vsw hosts kept in step by vswagent through a 3-member
# etcd cluster (docs/cluster.md).  A, B and C are on three provider subnets
# behind a router namespace.  Two tenants reuse 203.0.113.0/24:
#
#   tenant 1 (VSID 5001): vm1 203.0.113.1 on A (then B), vm3 203.0.113.3 on C
#   tenant 2 (VSID 6001): x1  203.0.113.1 on B,          x3  203.0.113.3 on C
#
# Subnets and VMs are declared once with vswcluster; the agents create the
# bridge domains and lookup records on every host.  Then vm1 moves from A to
# B (its interface re-created on B with the same MAC and CA, then a
# gratuitous ARP): B's agent claims the record, and C's vswd follows with no
# command typed on any host; C's pings to vm1 resume.
#
# usage: cluster_migration.sh VSWD VSWCTL VSWAGENT VSWCLUSTER
. "$(dirname "$(realpath "$0")")/lib.sh" "$1" "$2"
. "$(dirname "$(realpath "$0")")/cluster_lib.sh" "$3" "$4"

require_root
require_cmd ip ping python3 timeout arping ethtool
require_binaries
require_netns
require_etcd

T_START=$(date +%s)
build_cluster
PA_A=${HOST_PA[A]} PA_B=${HOST_PA[B]} PA_C=${HOST_PA[C]}
cluster_tenants

check "C -> vm1 on A (tenant 1)" ping_ok "${NS_PREFIX}-vm3" 203.0.113.1
check "C -> x1 on B (tenant 2, same CA)" ping_ok "${NS_PREFIX}-x3" 203.0.113.1
arp1=$(ip -n "${NS_PREFIX}-vm3" neigh show 203.0.113.1 | awk '{print $5}')
arpx=$(ip -n "${NS_PREFIX}-x3" neigh show 203.0.113.1 | awk '{print $5}')
check "each tenant resolved its own 203.0.113.1 ($arp1, $arpx)" test "$arp1/$arpx" = "$MAC1/$MACX1"

cl vm list >"$T_TMP/vms-before.txt"
log "records before the move:"
sed 's/^/    /' "$T_TMP/vms-before.txt"

# ---------------------------------------------------------------- the move
ip netns exec "${NS_PREFIX}-vm3" ping -n -i 0.1 -c 150 -W 1 203.0.113.1 >"$T_TMP/ping.txt" 2>&1 &
PING=$!
track_pid $PING
# Pings flowing before the move (the loss count below covers the move only).
replies() { test "$(grep -c 'bytes from' "$T_TMP/ping.txt")" -ge "$1"; }
wait_until 10 replies 5 || fail "C's pings to vm1 on A are not answered before the move" "$T_TMP/ping.txt"
log "moving vm1 ($MAC1, 203.0.113.1) from A to B"
T0=$(date +%s%N)
vm1_move

wait_until 10 lookup_is C 5001 203.0.113.1 "$PA_B" ||
	fail "C: the record of vm1 did not follow it to B's PA $PA_B (is $(lookup_pa C 5001 203.0.113.1))"
T1=$(date +%s%N)
pass "C's vswd follows vm1 to $PA_B, $(((T1 - T0) / 1000000)) ms after the move began, no command typed"
check "A's vswd follows too" wait_until 10 lookup_is A 5001 203.0.113.1 "$PA_B"
check "B's record of vm1 is local ($PA_B)" wait_until 10 lookup_is B 5001 203.0.113.1 "$PA_B"
check "etcd: vm1's record is at host B, PA $PA_B" test "$(cl --json vm list 5001 | python3 -c '
import json, sys
print([(r["host"], r["pa"]) for r in json.load(sys.stdin) if r["ca_ip"] == "203.0.113.1"])')" = "[('B', '$PA_B')]"
check "B's agent counts one claim won" test "$(agent_status B 's["counters"]["claims_won"]')" = 1
check "tenant 2's 203.0.113.1 still on B's PA on C" lookup_is C 6001 203.0.113.1 "$PA_B"
wait "$PING" 2>/dev/null || true
read -r sent recv <<<"$(awk '/packets transmitted/ {print $1, $4}' "$T_TMP/ping.txt")"
log "C's pings to vm1 across the move: $sent sent, $recv received, $((sent - recv)) lost"
check "C's pings resumed after the move ($recv of $sent answered)" test "${recv:-0}" -ge $((${sent:-1} / 2))
check "after the move: C -> vm1 (now on B)" ping_ok "${NS_PREFIX}-vm3" 203.0.113.1
check "after the move: tenant 2's C -> x1 still answers" ping_ok "${NS_PREFIX}-x3" 203.0.113.1
check "C's agent is in sync (lag 0, no errors)" test "$(agent_status C '(s["lag"], s["counters"]["errors"])')" = "(0, 0)"
log "C's agent status:"
timeout 10 "$VSWCLUSTER" -s "$T_TMP/C/vswd.sock" status | sed 's/^/    /'
cl host list | sed 's/^/    /'
log "took $(($(date +%s) - T_START)) s"
