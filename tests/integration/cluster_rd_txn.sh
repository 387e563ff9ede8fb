#!/usr/bin/env bash
# vswcluster's routing writes are etcd transactions (one etcd member on
# loopback, no vswd, no agent: only what vswcluster writes is checked).
#
# Checked: `rd del` removes the domain and all its routes at one revision
# (it used to take one revision per route, then the domain) and leaves
# another domain's route; refused while a subnet is attached, it changes
# nothing.  Then, 20 times, three operators at once on one domain: `rd del
# red`, `subnet set 5001 rd=red ...` and `rd route add red ...`, started
# together; whichever wins, etcd never holds half a domain: no subnet
# attached to a domain that is gone, no route of a domain that is gone.
# About 10 s.
#
# usage: cluster_rd_txn.sh VSWD VSWCTL VSWAGENT VSWCLUSTER
. "$(dirname "$(realpath "$0")")/lib.sh" "$1" "$2"
. "$(dirname "$(realpath "$0")")/cluster_lib.sh" "$3" "$4"

require_cmd python3 timeout
require_etcd

NB_RACES=20

# One member is enough here.
ETCD_PEERS="e0=http://127.0.0.1:$((ETCD_BASE + 5))"
ETCD_URLS="http://127.0.0.1:$ETCD_BASE"
etcd_start 0
wait_until 30 etcd_healthy "$ETCD_URLS" || fail "etcd did not become healthy" "$T_TMP/etcd0.log"

# etcd's current revision.
revision() {
	ETCDCTL_API=3 timeout 10 etcdctl --endpoints="$ETCD_URLS" get /vsw/v1/ --prefix -w json |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["header"]["revision"])'
}
# keys PREFIX: the keys under /vsw/v1/PREFIX, one a line.
keys() {
	ETCDCTL_API=3 timeout 10 etcdctl --endpoints="$ETCD_URLS" get "/vsw/v1/$1" --prefix --keys-only |
		grep . || true
}

# ---------------------------------------------------------------- one revision
declare_red() {
	cl rd add red && cl rd add blue &&
		cl subnet add s1 vsid=5001 rd=red gateway=203.0.113.126/25 &&
		cl rd route add red 0.0.0.0/0 via 203.0.113.1 &&
		cl rd route add red 198.51.100.0/24 via 203.0.113.1 &&
		cl rd route add red 192.0.2.0/24 via 203.0.113.2 &&
		cl rd route add blue 0.0.0.0/0 via 203.0.113.9
}
check "declare red with three routes, blue with one, subnet s1 in red" declare_red
rev=$(revision)
expect_exit 1 "rd del refuses while subnet 5001 is attached" cl rd del red
grep -q "vswcluster subnet set 5001 rd=none" "$T_TMP/check.out" || fail "the refusal does not say how to detach" "$T_TMP/check.out"
check "the refused rd del changed nothing (revision $rev)" test "$(revision)" = "$rev"
check "vswcluster subnet set 5001 rd=none" cl subnet set 5001 rd=none
rev=$(revision)
check "vswcluster rd del red" cl rd del red
check "rd del took one revision for the domain and its 3 routes ($rev -> $((rev + 1)))" test "$(revision)" = $((rev + 1))
check "red and its routes are gone" test -z "$(keys rds/red; keys rdroutes/red/)"
check "blue and its route stay" test "$(keys rds/blue; keys rdroutes/blue/)" = \
	"$(printf '/vsw/v1/rds/blue\n/vsw/v1/rdroutes/blue/0.0.0.0/0')"
expect_exit 1 "rd del of a domain that is gone" cl rd del red

# ---------------------------------------------------------------- three at once
# After each race: a subnet or route of red only if red exists.
half_domain() {
	local red s1 routes
	red=$(keys rds/red)
	s1=$(ETCDCTL_API=3 timeout 10 etcdctl --endpoints="$ETCD_URLS" get /vsw/v1/subnets/5001 --print-value-only)
	routes=$(keys rdroutes/red/)
	if [ -z "$red" ] && [[ $s1 == *'"rd":"red"'* || -n $routes ]]; then
		echo "red is gone but s1 is $s1 and its routes are: $routes"
		return 0
	fi
	return 1
}
nb_del=0 nb_kept=0
for ((k = 1; k <= NB_RACES; k++)); do
	cl rd add red >/dev/null
	cl subnet set 5001 rd=none >/dev/null
	cl rd route add red 0.0.0.0/0 via 203.0.113.1 >/dev/null 2>&1
	# Started together; each may win or be refused.
	cl rd del red >"$T_TMP/del.out" 2>&1 &
	p1=$!
	cl subnet set 5001 rd=red gateway=203.0.113.126/25 >"$T_TMP/set.out" 2>&1 &
	p2=$!
	cl rd route add red 198.51.100.0/24 via 203.0.113.1 >"$T_TMP/route.out" 2>&1 &
	p3=$!
	wait "$p1" "$p2" "$p3" || true
	if half_domain >"$T_TMP/half.out"; then
		cat "$T_TMP/del.out" "$T_TMP/set.out" "$T_TMP/route.out" >>"$T_TMP/half.out"
		fail "race $k left half a domain" "$T_TMP/half.out"
	fi
	if [ -z "$(keys rds/red)" ]; then nb_del=$((nb_del + 1)); else nb_kept=$((nb_kept + 1)); fi
	cl subnet set 5001 rd=none >/dev/null
	[ -z "$(keys rds/red)" ] || cl rd del red >/dev/null
done
pass "$NB_RACES races of rd del, subnet set rd=red and rd route add: never half a domain (red deleted $nb_del times, kept $nb_kept)"
