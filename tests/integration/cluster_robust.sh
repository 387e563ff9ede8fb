#!/usr/bin/env bash
# Robustness of the cluster (vswagent + 3-member etcd), three hosts A, B, C:
#   - one etcd member killed: nothing changes, and a change still reaches the hosts;
#   - all of etcd stopped: forwarding continues with the last state; a change
#     made after etcd returns is applied;
#   - two agents claiming the same VM at the same moment: one record, one winner,
#     the other told (claims_lost);
#   - an agent killed and restarted reconciles: what the cluster removed meanwhile
#     goes, a hand-made record in a cluster VSID goes, a hand-made bridge domain and
#     record in a VSID the cluster does not declare stay, nothing is duplicated;
#   - a host whose agent dies is shown gone after the lease TTL.
#
# usage: cluster_robust.sh VSWD VSWCTL VSWAGENT VSWCLUSTER
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
MAC1=02:00:00:01:00:01 MAC3=02:00:00:01:00:03 MAC7=02:00:00:01:00:07

check "subnet add t1 vsid=5001" cl subnet add t1 vsid=5001
for h in A B C; do wait_until 10 has_bd "$h" 5001 || fail "$h: no bridge domain for 5001"; done
vm_ns "${NS_PREFIX}-vm1" "v1${ID}" A t1 $MAC1 203.0.113.1
vm_ns "${NS_PREFIX}-vm3" "v3${ID}" C t1 $MAC3 203.0.113.3
check "vm add vm1 on A" cl vm add 5001 203.0.113.1 $MAC1 host=A
check "vm add vm3 on C" cl vm add 5001 203.0.113.3 $MAC3 host=C
check "C has vm1's record" wait_until 10 lookup_is C 5001 203.0.113.1 "$PA_A"
check "C -> vm1 on A" ping_ok "${NS_PREFIX}-vm3" 203.0.113.1

# A VSID the cluster does not declare: made by hand on C, never the agent's.
on C vsw bd add hand vsid=7001 >/dev/null || fail "C: bd add hand"
on C vsw lookup add 7001 203.0.113.9 02:00:00:09:00:09 "$PA_A" >/dev/null || fail "C: lookup add 7001"

# ---------------------------------------------------------------- one member down
etcd_stop 0 KILL
log "etcd member e0 killed"
check "C's record of vm1 unchanged" lookup_is C 5001 203.0.113.1 "$PA_A"
check "C -> vm1 still answers" ping_ok "${NS_PREFIX}-vm3" 203.0.113.1
check "vm add .5 through the two members left" cl vm add 5001 203.0.113.5 02:00:00:01:00:05 pa=$PA_B
check "the change reaches C (its watch moved to another member)" wait_until 15 lookup_is C 5001 203.0.113.5 "$PA_B"
check "... and A" wait_until 15 lookup_is A 5001 203.0.113.5 "$PA_B"

# ---------------------------------------------------------------- all of etcd down
etcd_stop 1
etcd_stop 2
log "all etcd members stopped"
check "no etcd: C -> vm1 still answers" ping_ok "${NS_PREFIX}-vm3" 203.0.113.1
check "no etcd: C's records unchanged" lookup_is C 5001 203.0.113.5 "$PA_B"
check "no etcd: vswcluster says it cannot reach etcd (exit 3)" expect_exit 3 "vswcluster vm list" cl vm list
etcd_start 0
etcd_start 1
etcd_start 2
wait_until 20 etcd_healthy "$ETCD_URLS" || fail "etcd did not come back" "$T_TMP/etcd1.log"
log "etcd back"
check "vm add .6 after etcd returned" cl vm add 5001 203.0.113.6 02:00:00:01:00:06 pa=$PA_A
check "the change made after etcd returned reaches C" wait_until 20 lookup_is C 5001 203.0.113.6 "$PA_A"
check "... and B" wait_until 20 lookup_is B 5001 203.0.113.6 "$PA_A"
check "all three hosts alive again" wait_until 15 sh -c "'$VSWCLUSTER' --etcd '$ETCD_URLS' host list | grep -c ' alive ' | grep -qx 3"

# ---------------------------------------------------------------- two claims at once
# vm7 is recorded on C; the same MAC shows up on A and on B while both agents
# are stopped, so that both claim against the same revision when they resume.
check "vm add vm7 on C" cl vm add 5001 203.0.113.7 $MAC7 host=C
wait_until 10 lookup_is A 5001 203.0.113.7 "$PA_C" || fail "A: vm7 record"
wait_until 10 lookup_is B 5001 203.0.113.7 "$PA_C" || fail "B: vm7 record"
vm_ns "${NS_PREFIX}-r7a" "ra${ID}" A t1 $MAC7 203.0.113.7
vm_ns "${NS_PREFIX}-r7b" "rb${ID}" B t1 $MAC7 203.0.113.7
kill -STOP "${AGENT_PID[A]}" "${AGENT_PID[B]}"
ip netns exec "${NS_PREFIX}-r7a" arping -q -U -c 1 -I "ra${ID}n" 203.0.113.7 || true
ip netns exec "${NS_PREFIX}-r7b" arping -q -U -c 1 -I "rb${ID}n" 203.0.113.7 || true
kill -CONT "${AGENT_PID[A]}" "${AGENT_PID[B]}"
claims() { echo "$(agent_status A '(s["counters"]["claims_won"], s["counters"]["claims_lost"])') $(agent_status B '(s["counters"]["claims_won"], s["counters"]["claims_lost"])')"; }
decided() { case "$(claims)" in "(1, 0) (0, 1)" | "(0, 1) (1, 0)") return 0 ;; esac; return 1; }
wait_until 10 decided || fail "claims (won, lost) on A and B: $(claims); wanted one winner and one loser"
pass "two agents claimed vm7 at once: one won, the other lost ($(claims))"
winner=$(cl --json vm list 5001 | python3 -c '
import json, sys
r = [x for x in json.load(sys.stdin) if x["ca_ip"] == "203.0.113.7"]
print(len(r), r[0]["host"], r[0]["pa"])')
read -r nrec whost wpa <<<"$winner"
check "one record for vm7, at the winner ($whost, $wpa)" test "$nrec/$wpa" = "1/${HOST_PA[$whost]}"
loser=A; [ "$whost" = A ] && loser=B
check "the loser ($loser) logged that it lost" grep -q "lost the claim on VSID 5001 203.0.113.7" "$T_TMP/$loser/agent.log"
check "C follows the winner" wait_until 10 lookup_is C 5001 203.0.113.7 "$wpa"
ip netns del "${NS_PREFIX}-r7a"; ip netns del "${NS_PREFIX}-r7b"

# ---------------------------------------------------------------- agent restart
kill_agent C KILL
log "C's agent killed"
check "while C's agent is away: vm del .5" cl vm del 5001 203.0.113.5
on C vsw lookup add 5001 203.0.113.99 02:00:00:01:00:99 "$PA_A" >/dev/null || fail "C: bogus record"
start_agent C
check "C's restarted agent removes the record deleted meanwhile" wait_until 15 sh -c "! timeout 5 '$VSWCTL' -s '$T_TMP/C/vswd.sock' lookup show 5001 | grep -qw 203.0.113.5"
check "... and the hand-made record in cluster VSID 5001" wait_until 5 sh -c "! timeout 5 '$VSWCTL' -s '$T_TMP/C/vswd.sock' lookup show 5001 | grep -qw 203.0.113.99"
want=$(cl --json vm list 5001 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
check "C: VSID 5001 holds exactly the cluster's $want records" test "$(on C vsw_json 'len(r)' lookup show 5001)" = "$want"
check "C: the hand-made record in VSID 7001 survives" test "$(on C vsw_json 'len(r)' lookup show 7001)" = 1
check "C: the hand-made bridge domain survives" has_bd C 7001
check "C: one bridge domain for 5001, not two" test "$(on C vsw_json 'len([b for b in r if b["vsid"] == 5001])' bd list)" = 1
check "C -> vm1 after the restart" ping_ok "${NS_PREFIX}-vm3" 203.0.113.1

# ---------------------------------------------------------------- a host dies
kill_agent B KILL
T0=$(date +%s)
gone() { cl --json host list | python3 -c '
import json, sys
h = {x["name"]: x["state"] for x in json.load(sys.stdin)}
sys.exit(0 if h.get("B") == "gone" and h.get("A") == "alive" else 1)'; }
check "B is shown gone after its lease TTL (3 s)" wait_until 10 gone
log "B gone after $(($(date +%s) - T0)) s"
cl host list | sed 's/^/    /'
log "took $(($(date +%s) - T_START)) s"
