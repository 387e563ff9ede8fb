#!/usr/bin/env bash
# Multi-queue vhost-user ports, with DPDK virtio-user peers instead of QEMU:
# two ports vm0 and vm1 with queues=2 (vswd serves the sockets), a testpmd
# "VM" in txonly on vm0 sending on its two queues to the MAC of a testpmd
# "VM" in rxonly on vm1 (a static FDB entry, so every frame is unicast).
#
#  1. one worker: vswd receives on vm0 queue 1 as well as queue 0 exactly what
#     the peer sent on each (stats queues against the peer's per-stream
#     counters), forwards every frame (forward_unicast), and every frame is
#     delivered to the other peer or counted as dropped;
#  2. two workers: vm0's two RX queues are polled by different workers, each
#     worker's packet count (stats pmd) is exactly the sum of the queues
#     assigned to it, and each worker sends on its own TX queue of vm1, so the
#     receiving peer gets frames on both of its queues;
#  3. two workers, and a receiving peer that enables only one of vm1's two
#     queue pairs (virtio-user with 2 offered, testpmd --rxq=1): nothing stalls
#     or breaks, queue 0 still delivers, and what the worker owning TX queue 1
#     cannot send there is counted (drop_tx_full), never lost silently.
#
# usage: vhost_multiqueue.sh VSWD VSWCTL
# Needs root, dpdk-testpmd and hugepages for the peers (virtio-user shares its
# memory with vswd by file descriptor); exits 77 (SKIP) when it cannot run.
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"
. "$(dirname "$(realpath "$0")")/vhost_lib.sh"

require_root
require_binaries
require_cmd dpdk-testpmd taskset stdbuf timeout python3 mkfifo

TX_MAC=02:76:00:00:05:01
RX_MAC=02:76:00:00:05:02
TRAFFIC_S=${VSW_MQ_TRAFFIC_S:-2} # seconds of traffic per phase
PEER_PAGES=128                   # free 2 MiB hugepages both peers need together, with room
PEER_LIFETIME=120                # seconds: a peer never outlives a hung test by more

# ---------------------------------------------------------------- hugepages

require_hugepages() {
	local free total
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	[ "${free:-0}" -ge "$PEER_PAGES" ] && return 0
	total=$(cat /proc/sys/vm/nr_hugepages)
	on_exit "echo $total >/proc/sys/vm/nr_hugepages"
	echo $((total + PEER_PAGES - free)) >/proc/sys/vm/nr_hugepages 2>/dev/null || true
	free=$(awk '/^HugePages_Free:/ {print $2}' /proc/meminfo)
	[ "${free:-0}" -ge "$PEER_PAGES" ] ||
		skip "the virtio-user peers need $PEER_PAGES free 2 MiB hugepages; only ${free:-0} could be reserved"
	log "reserved hugepages for the peers (given back on exit)"
}

# ---------------------------------------------------------------- peers

declare -A P_PID=() # peer name -> pid (of timeout)
declare -A P_FD=()  # peer name -> fd of the FIFO its prompt reads
declare -A P_LOG=() # peer name -> its output

# peer_start NAME CPU SOCKET MAC QUEUE-PAIRS TESTPMD-ARGS...
#
# A testpmd with one virtio-user port offering 2 queue pairs (queues=2; cq=1:
# the control queue is how virtio-user enables the pairs it uses), of which
# testpmd uses QUEUE-PAIRS.  Main and forwarding lcore both on CPU.  It is
# driven through its prompt, which reads a FIFO.
peer_start() {
	local name=$1 cpu=$2 sock=$3 mac=$4 nq=$5 fifo=$T_TMP/$1.in fd
	shift 5
	P_LOG[$name]=$T_TMP/$name.log
	rm -f "$fifo"
	mkfifo "$fifo"
	exec {fd}<>"$fifo"
	P_FD[$name]=$fd
	echo "==== $(date +%T) start $name" >>"${P_LOG[$name]}"
	timeout -k 5 "$PEER_LIFETIME" taskset -c "$cpu" stdbuf -oL dpdk-testpmd --lcores "0@$cpu,1@$cpu" \
		--in-memory --single-file-segments --no-pci --log-level '*:notice' \
		--vdev "net_virtio_user0,path=$sock,mac=$mac,queues=2,cq=1" \
		-- -i --nb-cores=1 --rxq="$nq" --txq="$nq" --total-num-mbufs=8192 "$@" \
		<"$fifo" >>"${P_LOG[$name]}" 2>&1 &
	P_PID[$name]=$!
	track_pid "${P_PID[$name]}"
	wait_until 60 grep -q 'testpmd> ' "${P_LOG[$name]}" ||
		fail "testpmd peer $name did not reach its prompt within 60 s" "${P_LOG[$name]}"
}

# peer_cmd NAME COMMAND TEXT: send COMMAND; wait (10 s) until TEXT follows in the output.
peer_cmd() {
	local name=$1 cmd=$2 want=$3 mark
	mark=$(wc -c <"${P_LOG[$name]}")
	echo "$cmd" >&"${P_FD[$name]}"
	wait_until 10 bash -c 'tail -c +$(($2 + 1)) "$1" | grep -qF -- "$3"' _ \
		"${P_LOG[$name]}" "$mark" "$want" ||
		fail "peer $name: no '$want' within 10 s of '$cmd'" "${P_LOG[$name]}"
}

# peer_quit NAME: quit testpmd and wait (20 s) for it to exit.
peer_quit() {
	local name=$1 pid=${P_PID[$1]} fd=${P_FD[$1]}
	{ echo quit >&"$fd"; } 2>/dev/null || true
	exec {fd}>&-
	wait_until 20 bash -c "! kill -0 $pid 2>/dev/null" || kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# peer_count NAME QUEUE rx|tx: packets of the peer's stream on QUEUE in the
# statistics its last 'stop' printed (one stream per queue); with one queue,
# the port's totals.
peer_count() {
	python3 - "${P_LOG[$1]}" "$2" "$3" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
text = text[text.rfind("Telling cores to stop"):]
queue, what = int(sys.argv[2]), sys.argv[3]
streams = re.findall(r"RX Port=\s*\d+/Queue=\s*(\d+) \S+ TX Port=\s*\d+/Queue=\s*\d+.*\n"
                     r"\s*RX-packets:\s*(\d+)\s+TX-packets:\s*(\d+)", text)
if streams:
    counts = {int(q): (int(rx), int(tx)) for q, rx, tx in streams}
    print(counts.get(queue, (0, 0))[0 if what == "rx" else 1])
else:
    port = text[text.find("Forward statistics for port 0"):]
    m = re.search(("RX" if what == "rx" else "TX") + r"-packets:\s*(\d+)", port)
    if m is None or queue != 0:
        sys.exit("no statistics for queue %d in %s" % (queue, sys.argv[1]))
    print(m.group(1))
PY
}

# ---------------------------------------------------------------- vswd's view

# q_count PORT QUEUE rx|tx|lcore: a stats queues field ("None" when null).
q_count() {
	local field=$3
	[ "$field" = lcore ] || field=${field}_packets
	vsw_json "str([q['$field'] for q in r if q['port'] == '$1' and q['queue'] == $2][0])" \
		stats queues
}

# port_count PORT FIELD: a stats show field of PORT.
port_count() {
	vsw_json "[p['$2'] for p in r['ports'] if p['name'] == '$1'][0]" stats show "$1"
}

# expect_equal DESCRIPTION ACTUAL EXPECTED
expect_equal() {
	[ "$2" = "$3" ] || fail "$1: $2, expected $3"
	pass "$1: $2"
}

# expect_above DESCRIPTION VALUE MIN
expect_above() {
	[ "$2" -gt "$3" ] || fail "$1: $2, expected more than $3"
	pass "$1: $2"
}

# workers_match_queues: for every worker, stats pmd's packet count is the sum
# of the RX queue counts of the queues stats queues says it polls, and it
# polls (rxqs) exactly those.
workers_match_queues() {
	local pmd queues
	pmd=$(vsw --json stats pmd)
	queues=$(vsw --json stats queues)
	python3 - "$pmd" "$queues" <<'PY'
import json, sys
pmd, queues = json.loads(sys.argv[1]), json.loads(sys.argv[2])
bad = False
for w in pmd:
    mine = [q for q in queues if q["lcore"] == w["lcore"]]
    total = sum(q["rx_packets"] for q in mine)
    print("lcore %d: %d packets, %d queues %s, their RX sum %d"
          % (w["lcore"], w["packets"], w["rxqs"],
             ["%s/%d" % (q["port"], q["queue"]) for q in mine], total))
    bad |= w["packets"] != total or w["rxqs"] != len(mine) or w["packets"] == 0
sys.exit(1 if bad else 0)
PY
}

# ---------------------------------------------------------------- one phase

# phase LABEL WORKERS RX-PEER-QUEUE-PAIRS: vswd with WORKERS workers, the two
# peers, TRAFFIC_S seconds of traffic, then every check on stopped counters.
phase() {
	local label=$1 workers=$2 rxq=$3 lcores
	log "---- $label: $workers worker(s), receiving peer with $rxq queue pair(s)"
	# Control thread and worker 1 on CPU 0, the last worker on CPU 1.
	lcores=$([ "$workers" -eq 1 ] && echo "0@0,1@1" || echo "0@0,1@0,2@1")
	rm -f "$CONFIG"
	# shellcheck disable=SC2034 # read by lib.sh's start_vswd
	VSWD_WORKERS=$workers
	start_vswd --eal --lcores "$lcores" --no-huge -m 512 --no-pci --no-shconf
	check "$label: port add vm0 vhost-user queues=2" \
		vsw port add vm0 vhost-user "path=$T_TMP/vm0.sock" mode=server queues=2
	check "$label: port add vm1 vhost-user queues=2" \
		vsw port add vm1 vhost-user "path=$T_TMP/vm1.sock" mode=server queues=2
	check "$label: static FDB entry for the receiving peer" vsw fdb add default "$RX_MAC" vm1

	peer_start rx 1 "$T_TMP/vm1.sock" "$RX_MAC" "$rxq" --forward-mode=rxonly
	peer_start tx 0 "$T_TMP/vm0.sock" "$TX_MAC" 2 --forward-mode=txonly \
		"--eth-peer=0,$RX_MAC" --txpkts=60
	wait_until 20 link_is vm0 up && wait_until 20 link_is vm1 up ||
		fail "$label: links did not come up with the peers attached"
	pass "$label: both links up with the peers attached"
	peer_cmd rx start "rxonly packet forwarding"
	peer_cmd tx start "txonly packet forwarding"
	sleep "$TRAFFIC_S"
	peer_cmd tx stop "Done."
	sleep 1 # vswd takes what the sender left in its rings, and the receiver what vswd sent
	peer_cmd rx stop "Done."

	local sent0 sent1 rx0 rx1 rx_all fwd tx1 drop1 got
	sent0=$(peer_count tx 0 tx)
	sent1=$(peer_count tx 1 tx)
	expect_above "$label: the sending peer sent on queue 0" "$sent0" 0
	expect_above "$label: the sending peer sent on queue 1" "$sent1" 0
	rx0=$(q_count vm0 0 rx)
	rx1=$(q_count vm0 1 rx)
	expect_equal "$label: vm0 queue 0 received what the peer sent on it" "$rx0" "$sent0"
	expect_equal "$label: vm0 queue 1 received what the peer sent on it" "$rx1" "$sent1"
	rx_all=$(port_count vm0 rx_packets)
	expect_equal "$label: vm0 rx_packets is the sum of its queues" "$rx_all" $((rx0 + rx1))
	fwd=$(counter forward_unicast)
	expect_equal "$label: every frame forwarded as unicast" "$fwd" "$rx_all"
	expect_equal "$label: nothing flooded" "$(counter flood_unknown_unicast)" 0
	tx1=$(port_count vm1 tx_packets)
	drop1=$(port_count vm1 tx_dropped)
	expect_equal "$label: vm1 sent + counted drops = vm0 received" $((tx1 + drop1)) "$rx_all"
	expect_equal "$label: vm1's drops are all drop_tx_full" "$(counter drop_tx_full)" "$drop1"
	got=$(($(peer_count rx 0 rx) + $([ "$rxq" -eq 2 ] && peer_count rx 1 rx || echo 0)))
	expect_equal "$label: the receiving peer got every frame vm1 sent" "$got" "$tx1"

	case $label in
	one-worker)
		expect_equal "one-worker: vm1 has one TX queue (one worker)" "$(q_count vm1 1 tx)" None
		expect_above "one-worker: frames delivered" "$tx1" 0
		check "one-worker: the worker's packets = the sum of the queues it polls" \
			workers_match_queues
		;;
	two-workers)
		local l0 l1
		l0=$(q_count vm0 0 lcore)
		l1=$(q_count vm0 1 lcore)
		[ "$l0" != None ] && [ "$l1" != None ] && [ "$l0" != "$l1" ] ||
			fail "two-workers: vm0's RX queues should be polled by two workers, not lcores $l0 and $l1"
		pass "two-workers: vm0 queue 0 polled by lcore $l0, queue 1 by lcore $l1"
		check "two-workers: each worker's packets = the sum of the queues it polls" \
			workers_match_queues
		expect_above "two-workers: vm1 TX queue 0 sent" "$(q_count vm1 0 tx)" 0
		expect_above "two-workers: vm1 TX queue 1 sent" "$(q_count vm1 1 tx)" 0
		expect_equal "two-workers: the receiving peer got on queue 1 what vm1 sent on it" \
			"$(peer_count rx 1 rx)" "$(q_count vm1 1 tx)"
		;;
	one-queue-enabled)
		expect_equal "one-queue-enabled: nothing sent on vm1's disabled queue 1" \
			"$(q_count vm1 1 tx)" 0
		expect_above "one-queue-enabled: queue 0 still delivers" "$(q_count vm1 0 tx)" 0
		# Frames of the worker owning TX queue 1 can only be dropped, and counted.
		[ "$drop1" -ge "$rx1" ] ||
			fail "one-queue-enabled: $drop1 drops on vm1, fewer than the $rx1 frames its queue-1 worker forwarded"
		pass "one-queue-enabled: the $rx1 frames for the disabled queue are counted drops ($drop1 in all)"
		check "one-queue-enabled: workers' packets = the sum of their queues" workers_match_queues
		link_is vm1 up || fail "one-queue-enabled: vm1's link went down"
		pass "one-queue-enabled: vm1's link stays up"
		;;
	esac

	peer_quit tx
	peer_quit rx
	wait_until 10 link_is vm0 down && wait_until 10 link_is vm1 down ||
		fail "$label: links did not go down when the peers quit"
	pass "$label: links down after the peers quit"
	stop_vswd
	[ ! -e "$T_TMP/vm0.sock" ] && [ ! -e "$T_TMP/vm1.sock" ] ||
		fail "$label: vswd left a vhost-user socket behind"
}

require_hugepages
phase one-worker 1 2
phase two-workers 2 2
phase one-queue-enabled 2 1
