#!/usr/bin/env bash
# vswd restarts under running guests.  Guest 1 is on vm1 (vswd in client
# mode: QEMU serves the socket and waits; vswd reconnects on its own), guest
# 2 on vm2 (vswd in server mode: QEMU reconnect=1 comes back).  Guest 2
# pings guest 1 every 0.1 s while vswd is stopped and started again from its
# saved configuration, twice: after SIGTERM, and after SIGKILL (which leaves
# vm2's socket behind; the restart must clear it).  Pings must resume without
# restarting either guest.  Reports, per round, the seconds from "vswd
# answers" to "frames flow again", the whole outage, and the pings lost.
#
# usage: vhost_restart.sh VSWD VSWCTL   (root, QEMU; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"
. "$(dirname "$(realpath "$0")")/vhost_lib.sh"

require_qemu
require_cmd python3

MAC1=52:54:00:00:07:01
MAC2=52:54:00:00:07:02
INTERVAL=0.1
RESUME_LIMIT=20 # seconds after vswd answers

now() { date +%s.%N; }
elapsed() { python3 -c "print('%.2f' % ($2 - $1))"; }

start_vswd
check "port add vm1 vhost-user (client mode)" vsw port add vm1 vhost-user "path=$T_TMP/g1.vhost"
check "port add vm2 vhost-user mode=server" vsw port add vm2 vhost-user "path=$T_TMP/g2.vhost" mode=server
start_guest g1 "$MAC1" 203.0.113.1/24 "path=$T_TMP/g1.vhost,server=on,wait=off"
start_guest g2 "$MAC2" 203.0.113.2/24 "path=$T_TMP/g2.vhost,reconnect=1"
guest_wait_ready g1 90
guest_wait_ready g2 90
check "guest 2 pings guest 1" guest_run g2 30 "ping -c 3 -W 3 203.0.113.1"

# frames_flow: both guests' frames cross the switch again (counters restart with vswd).
frames_flow() {
	local n
	n=$(counter forward_unicast)
	[ -n "$n" ] && [ "$n" -ge 4 ]
}

# restart_round SIGNAL
restart_round() {
	local sig=$1 t_kill t_ready t_flow pid=$VSWD_PID
	guest_run g2 10 "ping -i $INTERVAL 203.0.113.1 >/tmp/ping.log 2>&1 &" >/dev/null ||
		fail "cannot start the ping in guest 2"
	sleep 2
	t_kill=$(now)
	if [ "$sig" = KILL ]; then
		VSWD_PID=
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null || true
		[ -S "$T_TMP/g2.vhost" ] && pass "SIGKILL left vm2's socket behind (the restart must clear it)"
	else
		stop_vswd
	fi
	log "vswd stopped with SIG$sig"
	sleep 1
	start_vswd
	t_ready=$(now)
	wait_until "$RESUME_LIMIT" frames_flow ||
		fail "after SIG$sig and a restart, guest traffic did not resume within ${RESUME_LIMIT}s"
	t_flow=$(now)
	[ "$(port_link vm1)" = up ] && [ "$(port_link vm2)" = up ] || fail "links not up after the restart"
	sleep 2
	guest_run g2 20 "kill -INT %1; sleep 0.5" >/dev/null || true
	guest_run g2 20 "cat /tmp/ping.log" >"$T_TMP/ping-$sig.log" || fail "cannot read the ping log"
	read -r sent got lost gap < <(ping_log_summary "$T_TMP/ping-$sig.log" $INTERVAL)
	pass "pings resumed after SIG$sig + restart without restarting the guests"
	echo "RESULT vhost_restart signal=$sig vswd_down_s=$(elapsed "$t_kill" "$t_ready") resume_after_ready_s=$(elapsed "$t_ready" "$t_flow") pings_sent=$sent lost=$lost longest_gap_s=$gap"
	[ "$(fdb_port_of $MAC1)" = vm1 ] && [ "$(fdb_port_of $MAC2)" = vm2 ] ||
		fail "fdb show should have the guests on vm1 and vm2 again"
	pass "fdb show: guests back on vm1 and vm2"
}

restart_round TERM
restart_round KILL
check "guest 1 pings guest 2 at the end" guest_run g1 30 "ping -c 3 -W 3 203.0.113.2"

stop_guest g1
stop_guest g2
stop_vswd
