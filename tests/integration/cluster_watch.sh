#!/usr/bin/env bash
# How an agent's etcd watch and vswd's event stream fail, and that the agent
# recovers from each (three hosts A, B, C; 3-member etcd; docs/cluster.md):
#   - compaction: C's agent is stopped while records (and a subnet's routing
#     domain and a customer route) change, routing domain blue and subnet 5009
#     are deleted (the re-list must count their absence as a deletion) and etcd
#     compacts
#     past its revision, and its watch's member dies: on resuming, the watch
#     it restarts is cancelled as compacted; the agent must re-list and
#     converge (its periodic resync is off, so nothing else would repair it);
#   - a silent watch: the etcd member C's agent watches through is stopped
#     (SIGSTOP: the stream stalls, the TCP connection stays up); the agent
#     must move to another member within --watch-timeout (3 s) and apply a
#     change made meanwhile;
#   - events.lost: a flood of 20,000 new source MACs on a VM port of B
#     overflows vswd's worker event ring, and a VM that appears on B at that
#     moment is seen only through an ordinary learn that the overflow drops;
#     vswd sends events.lost, and B's agent must re-read fdb.show and claim it.
#
# usage: cluster_watch.sh VSWD VSWCTL VSWAGENT VSWCLUSTER
. "$(dirname "$(realpath "$0")")/lib.sh" "$1" "$2"
. "$(dirname "$(realpath "$0")")/cluster_lib.sh" "$3" "$4"

require_root
require_cmd ip ping python3 timeout ethtool
require_binaries
require_netns
require_etcd

T_START=$(date +%s)
build_cluster
PA_A=${HOST_PA[A]} PA_B=${HOST_PA[B]} PA_C=${HOST_PA[C]}
# No periodic re-list: only the path under test can repair what it misses.
for h in B C; do
	kill_agent "$h"
	start_agent "$h" --resync 3600 --watch-timeout 3
done
check "subnet add t1 vsid=5001" cl subnet add t1 vsid=5001
for h in A B C; do wait_until 10 has_bd "$h" 5001 || fail "$h: no bridge domain for 5001"; done
check "vm add .1 at A" cl vm add 5001 203.0.113.1 02:00:00:01:00:01 host=A
check "C has it" wait_until 10 lookup_is C 5001 203.0.113.1 "$PA_A"

# member_of HOST: index (0-2) of the etcd member HOST's agent talks to.
member_of() {
	local url
	url=$(agent_status "$1" 's["etcd"]')
	echo $((${url##*:} - ETCD_BASE))
}
counter() { agent_status "$1" 's["counters"]["'"$2"'"]'; }

# ---------------------------------------------------------------- compaction
# rd_has HOST NAME: HOST's vswd has routing domain NAME.
rd_has() { on "$1" vsw_json '[x["name"] for x in r]' rd list | grep -q "\"$2\""; }
rd_lacks() { ! rd_has "$@"; }
bd_lacks() { ! has_bd "$@"; }
# attached_is HOST WANT: the (rd, gateway) of VSID 5001's bridge domain on HOST, as JSON.
attached_is() { [ "$(on "$1" vsw_json '[(b["rd"], b["gateway"]) for b in r if b["vsid"] == 5001]' bd list)" = "$2" ]; }
# routes_are HOST WANT: the routes of red on HOST, as JSON.
routes_are() { [ "$(on "$1" vsw_json '[(x["prefix"], x["via"]) for x in r]' rd route show red)" = "$2" ]; }
check "rd add red" cl rd add red
check "rd add blue" cl rd add blue
check "subnet add t9 vsid=5009" cl subnet add t9 vsid=5009
check "C has the bridge domain of 5009" wait_until 10 has_bd C 5009
check "rd add green" cl rd add green
check "C has routing domain green" wait_until 10 rd_has C green
check "C has routing domains red and blue" wait_until 10 rd_has C blue
check "... red too" rd_has C red
m=$(member_of C)
relists=$(counter C relists)
kill -STOP "${AGENT_PID[C]}"
# Its member dies first, so that no change reaches its open stream: the watch
# it restarts on resuming asks for revisions the compaction removed.
etcd_stop "$m" KILL
log "C's agent stopped; member e$m, which it watched through, killed"
check "while C's agent is stopped: vm add .20" cl vm add 5001 203.0.113.20 02:00:00:01:00:20 pa=$PA_B
check "... vm add .21" cl vm add 5001 203.0.113.21 02:00:00:01:00:21 pa=$PA_B
check "... vm del .1" cl vm del 5001 203.0.113.1
check "... subnet set 5001 rd=red gateway=203.0.113.254/24" cl subnet set 5001 rd=red gateway=203.0.113.254/24
check "... rd route add red 0.0.0.0/0 via 203.0.113.20" cl rd route add red 0.0.0.0/0 via 203.0.113.20
check "... rd del blue (its deletion is compacted away before C's agent hears of it)" cl rd del blue
check "... subnet del 5009 (the same)" cl subnet del 5009
check "... green's record made unusable (not deleted)" \
	env ETCDCTL_API=3 timeout 10 etcdctl --endpoints="http://127.0.0.1:$((ETCD_BASE + (m + 1) % 3))" \
	put /vsw/v1/rds/green '{"name": "green", "mac": "not a MAC"}'
live=http://127.0.0.1:$((ETCD_BASE + (m + 1) % 3))
rev=$(ETCDCTL_API=3 timeout 10 etcdctl --endpoints="$live" endpoint status -w json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Status"]["header"]["revision"])') ||
	fail "etcdctl endpoint status $live"
check "etcdctl compact $rev" env ETCDCTL_API=3 timeout 10 etcdctl --endpoints="$live" compact "$rev" --physical
kill -CONT "${AGENT_PID[C]}"
check "C's agent re-lists after its watch is cancelled as compacted" \
	wait_until 15 grep -q "is compacted" "$T_TMP/C/agent.log"
check "... and converges: .20 and .21 added" wait_until 10 lookup_is C 5001 203.0.113.21 "$PA_B"
check "... .1 deleted" wait_until 5 sh -c "! timeout 5 '$VSWCTL' -s '$T_TMP/C/vswd.sock' lookup show 5001 | grep -qw 203.0.113.1"
check "... t1 attached to red with its gateway" wait_until 5 attached_is C '[["red", "203.0.113.254/24"]]'
check "... the customer route applied" wait_until 5 routes_are C '[["0.0.0.0/0", "203.0.113.20"]]'
check "... routing domain blue, deleted meanwhile, deleted" wait_until 5 rd_lacks C blue
check "... while red stays (positive control)" rd_has C red
check "... subnet 5009, deleted meanwhile: its bridge domain deleted" wait_until 5 bd_lacks C 5009
check "... while 5001's stays (positive control)" has_bd C 5001
check "... green, whose record is there but unusable, is not taken for deleted" rd_has C green
check "... counted as a re-list" test "$(counter C relists)" -gt "$relists"
etcd_start "$m"
wait_until 20 etcd_healthy "$ETCD_URLS" || fail "etcd member e$m did not come back" "$T_TMP/etcd$m.log"

# ---------------------------------------------------------------- a silent watch
m=$(member_of C)
restarts=$(counter C watch_restarts)
kill -STOP "${ETCD_PIDS[$m]}"
log "etcd member e$m (C's watch) stopped with SIGSTOP: the stream stalls"
T0=$(date +%s%N)
check "vm add .30 through the other members" cl vm add 5001 203.0.113.30 02:00:00:01:00:30 pa=$PA_A
check "C's agent leaves the silent member and applies it" wait_until 15 lookup_is C 5001 203.0.113.30 "$PA_A"
pass "applied $((($(date +%s%N) - T0) / 1000000)) ms after the member stalled (--watch-timeout 3 s)"
check "C's agent now talks to another member" test "$(member_of C)" != "$m"
check "C's agent counted the watch restart" test "$(counter C watch_restarts)" -gt "$restarts"
check "C's agent logged why" grep -q "silent for longer than --watch-timeout" "$T_TMP/C/agent.log"
kill -CONT "${ETCD_PIDS[$m]}"

# ---------------------------------------------------------------- events.lost
MAC9=02:00:00:01:00:09
check "vm add vm9 at A (it will appear on B)" cl vm add 5001 203.0.113.9 $MAC9 host=A
wait_until 10 lookup_is B 5001 203.0.113.9 "$PA_A" || fail "B: vm9's record"
vm_ns "${NS_PREFIX}-fl" "fl${ID}" B t1 02:00:00:0f:00:01 203.0.113.250
lost=$(counter B events_lost)
# 20,000 frames from new source MACs, then ordinary frames (not an
# announcement: it takes the ring the flood filled) from vm9's MAC.  The
# kernel drops what vswd's port cannot take in time on a busy 2-core machine,
# and the flood's tail may be dropped so: vm9's frames come a moment later,
# a few of them, while the agent is still far behind the events.
ip netns exec "${NS_PREFIX}-fl" python3 - "fl${ID}n" "$MAC9" <<'PY' || fail "the MAC flood could not be sent"
import socket, struct, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
dst = bytes.fromhex("02ff00000001")
body = b"\x08\x00" + b"\x45" + b"\0" * 45
for i in range(20000):
    s.send(dst + bytes.fromhex("06aa") + struct.pack("!I", i) + body)
for _ in range(5):
    time.sleep(0.01)
    s.send(dst + bytes.fromhex(sys.argv[2].replace(":", "")) + body)
PY
check "B's vswd told its agent that events were lost" wait_until 10 sh -c "[ \"\$(timeout 10 '$VSWCLUSTER' -s '$T_TMP/B/vswd.sock' --json status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"counters\"][\"events_lost\"])')\" -gt $lost ]"
check "B's agent re-read vswd's MAC table" grep -q "re-reading its MAC table" "$T_TMP/B/agent.log"
check "B claimed vm9 from the re-read table" wait_until 10 lookup_is C 5001 203.0.113.9 "$PA_B"
check "etcd: vm9 at host B" test "$(cl --json vm list 5001 | python3 -c '
import json, sys
print([r["host"] for r in json.load(sys.stdin) if r["ca_ip"] == "203.0.113.9"])')" = "['B']"
log "B's agent:"
grep -E "dropped|claimed VSID 5001 203.0.113.9" "$T_TMP/B/agent.log" | sed 's/^/    /'
log "took $(($(date +%s) - T_START)) s"
