#!/usr/bin/env bash
# The cluster demo (./run demo cluster; not a test, so meson does not run it):
# a 3-member etcd cluster on loopback, three vsw hosts A, B, C in network
# namespaces on three provider subnets behind a router namespace, one
# vswagent each, two tenants reusing 203.0.113.0/24 (cluster_lib.sh has the
# picture).  It pings across, moves vm1 from A to B (its interface re-created
# on B, then a gratuitous ARP), shows the records following it, and pings
# again; then declares routing domain red over tenant 1's subnet and a second
# one on B and pings across them (routed).  Exits non-zero if a ping fails.  Everything it made goes on any
# exit, Ctrl-C included; --keep leaves it running until Ctrl-C.
#
# usage: cluster_demo.sh VSWD VSWCTL VSWAGENT VSWCLUSTER [--keep]
KEEP=0
case ${5:-} in
"") ;;
--keep) KEEP=1 ;;
*)
	echo "usage: ./run demo cluster [--keep]" >&2
	exit 2
	;;
esac
. "$(dirname "$(realpath "$0")")/lib.sh" "$1" "$2"
. "$(dirname "$(realpath "$0")")/cluster_lib.sh" "$3" "$4"
TEST_NAME=demo-cluster

require_root
require_cmd ip ping python3 timeout arping ethtool
require_binaries
require_netns
require_etcd

# pings NS ADDR WHAT: three pings that must all be answered.
pings() {
	local out
	if out=$(ip netns exec "$1" ping -n -c 3 -i 0.2 -W 1 "$2" 2>&1); then
		pass "$3: $(grep -o '[0-9]* received' <<<"$out") of 3"
	else
		fail "$3: $(grep -o '[0-9]* received' <<<"$out" || echo "no answer") of 3"
	fi
}

log "etcd x3, router namespace, hosts A (192.0.2.1/26), B (192.0.2.65/26), C (198.51.100.1/24)"
build_cluster
cluster_tenants
pings "$NS_VM3" 203.0.113.1 "tenant 1: vm3 on C -> vm1 203.0.113.1 on A"
pings "$NS_X3" 203.0.113.1 "tenant 2: x3 on C -> x1 203.0.113.1 on B (same address, other tenant)"
pings "$NS_VM1" 203.0.113.3 "tenant 1: vm1 on A -> vm3 203.0.113.3 on C"
show_cluster

log "moving vm1 from A to B: interface re-created on B, gratuitous ARP; no command on any host"
T0=$(date +%s%N)
vm1_move
wait_until 10 lookup_is C 5001 203.0.113.1 "${HOST_PA[B]}" ||
	fail "C's record of vm1 did not follow it to B (${HOST_PA[B]})"
pass "C's vswd points vm1 at B's PA ${HOST_PA[B]} $((($(date +%s%N) - T0) / 1000000)) ms after the move began (includes the ip commands and arping)"
wait_until 10 lookup_is A 5001 203.0.113.1 "${HOST_PA[B]}" || fail "A's record of vm1 did not follow it"
show_cluster
pings "$NS_VM3" 203.0.113.1 "after the move: vm3 on C -> vm1 now on B"
pings "$NS_X3" 203.0.113.1 "after the move: tenant 2 untouched, x3 -> x1"
log "B's agent: $(timeout 10 "$VSWCLUSTER" -s "$T_TMP/B/vswd.sock" status | tr '\n' ' ' | cut -c1-200)"

log "routing: tenant 1 gets a second subnet t1b (VSID 5003, 192.0.2.128/25) on B, and both join routing domain red"
NS_W2="${NS_PREFIX}-w2"
check "vswcluster rd add red" cl rd add red
check "vswcluster subnet set 5001 rd=red gateway=203.0.113.254/24" cl subnet set 5001 rd=red gateway=203.0.113.254/24
check "vswcluster subnet add t1b vsid=5003 rd=red gateway=192.0.2.254/25" \
	cl subnet add t1b vsid=5003 rd=red gateway=192.0.2.254/25
wait_until 10 has_bd B 5003 || fail "B: the agent did not create the bridge domain of VSID 5003"
vm_ns "$NS_W2" "w2${ID}" B t1b 02:00:00:01:00:82 192.0.2.130
ip -n "$NS_W2" addr flush dev "w2${ID}n"
ip -n "$NS_W2" addr add 192.0.2.130/25 dev "w2${ID}n"
ip -n "$NS_W2" route add default via 192.0.2.254
ip -n "$NS_VM3" route add default via 203.0.113.254
check "vswcluster vm add: w2 on B" cl vm add 5003 192.0.2.130 02:00:00:01:00:82 host=B
red_ready() { [ "$(on "$1" vsw_json '[len(x["subnets"]) for x in r if x["name"] == "red"]' rd list)" = "[2]" ]; }
for h in B C; do
	wait_until 10 red_ready "$h" || fail "$h: routing domain red with two subnets not applied"
	wait_until 10 lookup_is "$h" 5003 192.0.2.130 "${HOST_PA[B]}" || fail "$h: record of w2 not applied"
done
log "\$ vswcluster rd list"
cl rd list | sed 's/^/    /'
log "\$ vswctl rd list    (host C, applied by its agent)"
on C vsw rd list | sed 's/^/    /'
pings "$NS_VM3" 192.0.2.130 "routed: vm3 (t1 on C) -> w2 (t1b on B), one hop through C's distributed router"

if [ $KEEP -eq 1 ]; then
	cat <<EOT

The cluster is running. In another shell:

    $VSWCLUSTER --etcd $ETCD_URLS vm list
    $VSWCLUSTER --etcd $ETCD_URLS host list
    $VSWCLUSTER -s $T_TMP/C/vswd.sock status
    $VSWCTL -s $T_TMP/C/vswd.sock lookup show
    ip netns exec $NS_VM3 ping 203.0.113.1
    tail -f $T_TMP/B/agent.log

Press Ctrl-C to stop etcd, the agents and vswds and remove the namespaces.
EOT
	while :; do
		for h in A B C; do
			on "$h" vswd_alive || fail "host $h's vswd exited" "$T_TMP/$h/vswd.log"
		done
		sleep 1
	done
fi
log "demo passed; tearing down"
