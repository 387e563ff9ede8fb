#!/usr/bin/env bash
# Routing domains in the cluster state (issue 15): two hosts A and B with
# vswagent and a 3-member etcd; one tenant declared with vswcluster only:
#
#   routing domain red
#   s1 (VSID 5001) 203.0.113.0/25,   gateway .126: a1 203.0.113.1 on A
#   s2 (VSID 5002) 203.0.113.128/25, gateway .254: b2 203.0.113.130 on B,
#                                                   gw 203.0.113.131 on B, a tenant
#                                                   gateway VM to "outside" 198.51.100.0/24
#   customer route red 0.0.0.0/0 via 203.0.113.131
#
# Checked: both vswd get the domain, attachments and route from their agents;
# a1 pings b2 (routed across hosts) and outside (through gw on the other host);
# deleting the route and detaching s2 in etcd removes them on both vswd and
# the pings fail while a1's own gateway still answers (positive control); a
# router MAC override re-creates the domain on both; B's agent restarted after
# changes made while it was down reconciles (and removes a hand-made route in
# the cluster's domain); deleting the domain removes it on both; vswcluster's
# refusals name what to do.
#
# usage: cluster_rd.sh VSWD VSWCTL VSWAGENT VSWCLUSTER
. "$(dirname "$(realpath "$0")")/lib.sh" "$1" "$2"
. "$(dirname "$(realpath "$0")")/cluster_lib.sh" "$3" "$4"

require_root
require_cmd ip ping python3 timeout ethtool
require_binaries
require_netns
require_etcd

T_START=$(date +%s)
make_netns "$NS_R"
ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
etcd_cluster_start
make_host A 192.0.2.1/26 192.0.2.62
make_host B 192.0.2.65/26 192.0.2.126
for h in A B; do start_agent "$h"; done
wait_until 10 sh -c "'$VSWCLUSTER' --etcd '$ETCD_URLS' host list | grep -c ' alive ' | grep -qx 2" ||
	fail "two hosts did not register" "$T_TMP/A/agent.log"

NS_A1="${NS_PREFIX}-a1" NS_B2="${NS_PREFIX}-b2" NS_GW="${NS_PREFIX}-gw" NS_OUT="${NS_PREFIX}-out"
MAC_A1=02:00:00:05:01:01 MAC_B2=02:00:00:05:02:02 MAC_GW=02:00:00:05:02:03

# ---------------------------------------------------------------- declared with vswcluster only
expect_exit 1 "vswcluster refuses a subnet in an undeclared routing domain" \
	cl subnet add s1 vsid=5001 rd=red gateway=203.0.113.126/25
grep -q "vswcluster rd add red" "$T_TMP/check.out" || fail "the refusal does not say to run 'vswcluster rd add red'" "$T_TMP/check.out"
check "vswcluster rd add red" cl rd add red
check "vswcluster subnet add s1 vsid=5001 rd=red gateway=203.0.113.126/25" \
	cl subnet add s1 vsid=5001 rd=red gateway=203.0.113.126/25
check "vswcluster subnet add s2 vsid=5002" cl subnet add s2 vsid=5002
expect_exit 1 "vswcluster refuses a gateway overlapping another subnet of the domain" \
	cl subnet set 5002 rd=red gateway=203.0.113.100/24
expect_exit 2 "vswcluster refuses a gateway that is the subnet's broadcast address" \
	cl subnet set 5002 rd=red gateway=203.0.113.255/25
check "vswcluster subnet set 5002 rd=red gateway=203.0.113.254/25" \
	cl subnet set 5002 rd=red gateway=203.0.113.254/25
expect_exit 2 "vswcluster refuses a route prefix with host bits set" \
	cl rd route add red 198.51.100.1/24 via 203.0.113.131
grep -q "did you mean 198.51.100.0/24" "$T_TMP/check.out" || fail "the refusal does not name the network meant" "$T_TMP/check.out"
check "vswcluster rd route add red 0.0.0.0/0 via 203.0.113.131" cl rd route add red 0.0.0.0/0 via 203.0.113.131

# rd_state HOST: "MAC|SUBNETS|ROUTES" of domain red in HOST's vswd ("-" if none).
rd_state() {
	local rds bds routes
	rds=$(on "$1" vsw --json rd list) || return 1
	bds=$(on "$1" vsw --json bd list) || return 1
	routes=$(on "$1" vsw --json rd route show) || return 1
	python3 -c '
import json, sys
rds, bds, routes = (json.loads(x) for x in sys.argv[1:4])
red = [r for r in rds if r["name"] == "red"]
if not red:
    print("-"); sys.exit()
att = sorted("%s=%s" % (b["name"], b["gateway"]) for b in bds if b.get("rd") == "red")
rt = sorted("%s>%s" % (r["prefix"], r["via"]) for r in routes if r["rd"] == "red")
print("%s|%s|%s" % (red[0]["mac"], ",".join(att), ",".join(rt)))' "$rds" "$bds" "$routes"
}
# rd_is HOST WANT: HOST's state of red is WANT; MAC "*" matches any.
rd_is() {
	local got
	got=$(rd_state "$1")
	case "$2" in
	"*|"*) [ "${got#*|}" = "${2#*|}" ] ;;
	*) [ "$got" = "$2" ] ;;
	esac
}
# wait_rd WANT DESCRIPTION: both hosts reach WANT within 10 s.
wait_rd() {
	local h
	for h in A B; do
		wait_until 10 rd_is "$h" "$1" || fail "$h: $2: routing domain red is '$(rd_state "$h")', wanted '$1'" "$T_TMP/$h/agent.log"
	done
	pass "A and B: $2 ($1)"
}

FULL="*|s1=203.0.113.126/25,s2=203.0.113.254/25|0.0.0.0/0>203.0.113.131"
wait_rd "$FULL" "the agents applied the domain, both attachments and the route"
check "B's agent status counts one domain, one route, two attachments" test "$(agent_status B '(s["rds"], s["rd_routes"], s["counters"]["rds_added"], s["counters"]["attachments_set"], s["counters"]["routes_added"])')" = "(1, 1, 1, 2, 1)"
DEFAULT_MAC=$(on A vsw_json '[x["mac"] for x in r if x["name"] == "red"][0]' rd list)
check "A and B derive the same router MAC from the name ($DEFAULT_MAC)" \
	test "$DEFAULT_MAC" = "$(on B vsw_json '[x["mac"] for x in r if x["name"] == "red"][0]' rd list)"

# tvm NAME NS PORT HOST BD MAC IP/LEN GATEWAY: a tenant VM with its default route.
tvm() {
	vm_ns "$2" "$3" "$4" "$5" "$6" "${7%/*}"
	ip -n "$2" addr flush dev "${3}n"
	ip -n "$2" addr add "$7" dev "${3}n"
	ip -n "$2" route add default via "$8"
}
tvm a1 "$NS_A1" "a1${ID}" A s1 $MAC_A1 203.0.113.1/25 203.0.113.126
tvm b2 "$NS_B2" "b2${ID}" B s2 $MAC_B2 203.0.113.130/25 203.0.113.254
tvm gw "$NS_GW" "gw${ID}" B s2 $MAC_GW 203.0.113.131/25 203.0.113.254
# gw forwards between its tenant and "outside" (a plain veth, no switch).
make_netns "$NS_OUT"
link "o${ID}" "$NS_OUT" "$NS_GW"
ip -n "$NS_GW" addr add 198.51.100.1/24 dev "o${ID}h"
ip -n "$NS_OUT" addr add 198.51.100.2/24 dev "o${ID}n"
ip -n "$NS_OUT" link set "o${ID}n" up
ip -n "$NS_OUT" route add default via 198.51.100.1
ip netns exec "$NS_GW" sysctl -qw net.ipv4.ip_forward=1
check "vswcluster vm add a1 on A" cl vm add 5001 203.0.113.1 $MAC_A1 host=A
check "vswcluster vm add b2 on B" cl vm add 5002 203.0.113.130 $MAC_B2 host=B
check "vswcluster vm add gw on B" cl vm add 5002 203.0.113.131 $MAC_GW host=B
for h in A B; do
	wait_until 10 lookup_is "$h" 5002 203.0.113.131 "${HOST_PA[B]}" || fail "$h: record of gw not applied"
	wait_until 10 lookup_is "$h" 5001 203.0.113.1 "${HOST_PA[A]}" || fail "$h: record of a1 not applied"
done

check "a1 (s1 on A) pings b2 (s2 on B): routed across hosts" ping_ok "$NS_A1" 203.0.113.130
check "a1 reaches outside (198.51.100.2) through gw on B: the cluster's default route" ping_ok "$NS_A1" 198.51.100.2

# ---------------------------------------------------------------- deletions reach both hosts
check "vswcluster rd route del red 0.0.0.0/0" cl rd route del red 0.0.0.0/0
wait_rd "*|s1=203.0.113.126/25,s2=203.0.113.254/25|" "the route is gone"
check "without the route: a1 no longer reaches outside" ping_fails "$NS_A1" 198.51.100.2
check "... while b2 still answers (positive control)" ping_ok "$NS_A1" 203.0.113.130
check "vswcluster subnet set 5002 rd=none" cl subnet set 5002 rd=none
wait_rd "*|s1=203.0.113.126/25|" "s2 is detached"
check "without s2's attachment: a1 no longer reaches b2" ping_fails "$NS_A1" 203.0.113.130
check "... while a1's gateway still answers (positive control)" ping_ok "$NS_A1" 203.0.113.126
expect_exit 1 "vswcluster refuses to delete a domain with a subnet attached" cl rd del red
grep -q "subnet set 5001 rd=none" "$T_TMP/check.out" || fail "the refusal does not name the command that detaches" "$T_TMP/check.out"

# ---------------------------------------------------------------- router MAC override
check "vswcluster subnet set 5002 rd=red gateway=203.0.113.254/25 (again)" \
	cl subnet set 5002 rd=red gateway=203.0.113.254/25
check "vswcluster rd route add red 0.0.0.0/0 via 203.0.113.131 (again)" cl rd route add red 0.0.0.0/0 via 203.0.113.131
check "vswcluster rd add red mac=02:76:72:0a:0b:0c" cl rd add red mac=02:76:72:0a:0b:0c
wait_rd "02:76:72:0a:0b:0c|s1=203.0.113.126/25,s2=203.0.113.254/25|0.0.0.0/0>203.0.113.131" \
	"red re-created with the cluster's MAC, attachments and route restored"
for ns in "$NS_A1" "$NS_B2" "$NS_GW"; do ip -n "$ns" neigh flush all; done
check "a1 pings b2 through the new router MAC" ping_ok "$NS_A1" 203.0.113.130
check "a1 reaches outside again" ping_ok "$NS_A1" 198.51.100.2

# ---------------------------------------------------------------- agent restart
kill_agent B
log "B's agent stopped"
check "while B's agent is away: rd route del red 0.0.0.0/0" cl rd route del red 0.0.0.0/0
check "... rd route add red 198.51.100.0/24 via 203.0.113.131" cl rd route add red 198.51.100.0/24 via 203.0.113.131
check "... subnet set 5002 rd=red gateway=203.0.113.253/25 (a new gateway)" \
	cl subnet set 5002 rd=red gateway=203.0.113.253/25
on B vsw rd route add red 198.51.100.128/25 via 203.0.113.130 >/dev/null || fail "B: hand-made route"
AFTER="02:76:72:0a:0b:0c|s1=203.0.113.126/25,s2=203.0.113.253/25|198.51.100.0/24>203.0.113.131"
check "A follows at once" wait_until 10 rd_is A "$AFTER"
check "B, without its agent, still has the old state" rd_is B "02:76:72:0a:0b:0c|s1=203.0.113.126/25,s2=203.0.113.254/25|0.0.0.0/0>203.0.113.131,198.51.100.128/25>203.0.113.130"
start_agent B
check "B's restarted agent reconciles (new route and gateway, old and hand-made routes gone)" \
	wait_until 10 rd_is B "$AFTER"
ip -n "$NS_GW" route replace default via 203.0.113.253
ip -n "$NS_B2" route replace default via 203.0.113.253
check "a1 reaches outside through the route made while B's agent was away" ping_ok "$NS_A1" 198.51.100.2
check "b2 answers a1 through its new gateway on B" ping_ok "$NS_A1" 203.0.113.130

# ---------------------------------------------------------------- the domain leaves
check "vswcluster subnet set 5001 rd=none" cl subnet set 5001 rd=none
check "vswcluster subnet set 5002 rd=none" cl subnet set 5002 rd=none
check "vswcluster rd del red (its route goes with it)" cl rd del red
check "vswcluster rd route list is empty" test "$(cl --json rd route list)" = "[]"
wait_rd "-" "routing domain red deleted"
check "A keeps the bridge domain of s2" has_bd A 5002
check "B keeps the bridge domain of s2" has_bd B 5002
for h in A B; do
	check "$h's agent logged no error" sh -c "! grep -q 'error:' '$T_TMP/$h/agent.log'"
done
log "took $(($(date +%s) - T_START)) s"
