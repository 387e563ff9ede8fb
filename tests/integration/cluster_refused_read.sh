#!/usr/bin/env bash
# A read that vswd refuses waits for the agent's next periodic resync: one
# etcd member, one vswd, and between them and the agent a proxy
# (refusing_proxy.py) that makes vswd itself refuse rd.list, as a vswd without
# routing domains would.  The agent reads rd.list in every reconciliation;
# it used to ask again on every wake-up of its loop (every 200 ms or sooner).
#
# Checked: consecutive rd.list requests come a resync period apart (--resync
# 3: at least 2 s), the log says what was refused and when it is read again,
# and the agent still applies the cluster through the same proxy (positive
# control: a subnet declared afterwards becomes a bridge domain in vswd).
# About 15 s.
#
# usage: cluster_refused_read.sh VSWD VSWCTL VSWAGENT VSWCLUSTER
. "$(dirname "$(realpath "$0")")/lib.sh" "$1" "$2"
. "$(dirname "$(realpath "$0")")/cluster_lib.sh" "$3" "$4"

require_root
require_cmd python3 timeout
require_binaries
require_etcd

RESYNC=3
REFUSED=$T_TMP/refused.log # one line per rd.list request, with its time
AGENT_LOG=$T_TMP/agent.log
PROXY_SOCK=$T_TMP/proxy.sock

# One member is enough here.
ETCD_PEERS="e0=http://127.0.0.1:$((ETCD_BASE + 5))"
ETCD_URLS="http://127.0.0.1:$ETCD_BASE"
etcd_start 0
wait_until 30 etcd_healthy "$ETCD_URLS" || fail "etcd did not become healthy" "$T_TMP/etcd0.log"
start_vswd
: >"$REFUSED"
python3 "$LIB_DIR/refusing_proxy.py" "$PROXY_SOCK" "$SOCK" rd.list "$REFUSED" >"$T_TMP/proxy.out" 2>&1 &
track_pid $!
wait_until 10 test -S "$PROXY_SOCK" || fail "the proxy did not start" "$T_TMP/proxy.out"
"$VSWAGENT" --etcd "$ETCD_URLS" --host A --socket "$PROXY_SOCK" --pa 192.0.2.1 --ttl 3 \
	--resync "$RESYNC" --watch-timeout 5 >>"$AGENT_LOG" 2>&1 &
AGENT=$!
track_pid "$AGENT"

# Four reconciliations: the first, then one per resync.
wait_until $((RESYNC * 4 + 10)) sh -c "[ \$(wc -l <'$REFUSED') -ge 4 ]" ||
	fail "the agent asked for rd.list fewer than 4 times in $((RESYNC * 4 + 10)) s" "$AGENT_LOG"
check "rd.list asked again only at the next resync: the last gaps are >= $((RESYNC - 1)) s" \
	python3 - "$REFUSED" "$((RESYNC - 1))" <<'EOF'
import sys
times = [float(line) for line in open(sys.argv[1]) if line.strip()][:4]
gaps = [round(b - a, 3) for a, b in zip(times, times[1:])]
print("gaps between rd.list requests (s):", gaps)
# The first two may be close (start-up reconciles twice when vswd and etcd answer apart).
if min(gaps[1:]) < float(sys.argv[2]):
    sys.exit("rd.list was asked again sooner than a resync: %s" % gaps)
EOF
log "$(cat "$T_TMP/check.out")"
check "the agent logs what vswd refused and when it reads it again" \
	grep -Eq "vswd refused rd.list: .*; reading it again at the next resync, in [0-9]+ s" "$AGENT_LOG"

# Positive control: the agent works through the proxy, refusal and all.
check "vswcluster subnet add s1 vsid=5001" cl subnet add s1 vsid=5001
wait_until 10 sh -c "'$VSWCTL' -s '$SOCK' --json bd list | grep -q '\"vsid\":5001'" ||
	fail "the agent did not create bridge domain s1 in vswd through the proxy" "$AGENT_LOG"
pass "the agent created bridge domain s1 (VSID 5001) in vswd through the proxy"

kill -TERM "$AGENT"
rc=0
wait "$AGENT" || rc=$?
[ "$rc" -eq 0 ] || fail "vswagent exited with status $rc on SIGTERM, not 0" "$AGENT_LOG"
pass "vswagent exits 0 on SIGTERM"
