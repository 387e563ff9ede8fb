#!/usr/bin/env bash
# A transaction whose reply is lost: the member applied it, then the client
# heard nothing, and vswcluster sent it again to the next endpoint, where
# its comparison failed on the first try's own change.  One etcd member;
# vswcluster gets two endpoints: a proxy (lossy_proxy.py) that passes
# everything to the member but loses the reply of the first kv/txn, then the
# member itself.
#
# Checked: `subnet add s1 vsid=5001 rd=red gateway=...` (one transaction
# that holds only while no subnet changed since its overlap check) went
# through the proxy, which logged etcd's answer (succeeded) and lost it;
# vswcluster says it is done (exit 0), not "changed while this command ran;
# nothing was written" (what it said before it checked), and etcd holds the
# subnet as written.  A refusal is still a refusal through the same
# endpoints (`rd del red` while s1 is attached); races between writers with
# no reply lost are cluster_rd_txn's.  About 5 s.
#
# usage: cluster_lost_reply.sh VSWD VSWCTL VSWAGENT VSWCLUSTER
. "$(dirname "$(realpath "$0")")/lib.sh" "$1" "$2"
. "$(dirname "$(realpath "$0")")/cluster_lib.sh" "$3" "$4"

require_cmd python3 timeout
require_etcd

LOST=$T_TMP/lost.log # one line per reply the proxy lost: the path and etcd's answer
PROXY_PORT=$((ETCD_BASE + 8))

# One member is enough here.
ETCD_PEERS="e0=http://127.0.0.1:$((ETCD_BASE + 5))"
ETCD_URLS="http://127.0.0.1:$ETCD_BASE"
etcd_start 0
wait_until 30 etcd_healthy "$ETCD_URLS" || fail "etcd did not become healthy" "$T_TMP/etcd0.log"
: >"$LOST"
python3 "$LIB_DIR/lossy_proxy.py" "$PROXY_PORT" "$ETCD_URLS" /v3/kv/txn "$LOST" >"$T_TMP/proxy.out" 2>&1 &
track_pid $!
wait_until 10 grep -q "listening on" "$T_TMP/proxy.out" || fail "the proxy did not start" "$T_TMP/proxy.out"

# vswcluster through the proxy first, then the member.
lossy() {
	timeout 20 "$VSWCLUSTER" --etcd "http://127.0.0.1:$PROXY_PORT,$ETCD_URLS" "$@"
}

check "vswcluster rd add red (through the proxy, no txn lost yet: a put)" lossy rd add red
check "vswcluster subnet add s1 vsid=5001 rd=red gateway=203.0.113.254/24, its reply lost" \
	lossy subnet add s1 vsid=5001 rd=red gateway=203.0.113.254/24
check "the proxy lost the reply of one kv/txn, which etcd had applied" \
	grep -q '^/v3/kv/txn .*"succeeded":true' "$LOST"
value=$(ETCDCTL_API=3 timeout 10 etcdctl --endpoints="$ETCD_URLS" get /vsw/v1/subnets/5001 --print-value-only)
check "etcd holds subnet 5001 in red as written ($value)" \
	grep -q '"rd":"red"' <<<"$value"
expect_exit 1 "rd del red is still refused while s1 is attached" lossy rd del red
check "the proxy lost one reply only" test "$(wc -l <"$LOST")" -eq 1
