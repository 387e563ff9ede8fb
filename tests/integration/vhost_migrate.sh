#!/usr/bin/env bash
# Real live migration between two local QEMUs on three vhost-user ports.
# Guest 1 starts on vm1 and migrates to a QEMU attached to vm3 while guest 2
# (on vm2) pings it every 0.1 s.  Reports the pings lost and checks that
# `vswctl fdb show` has guest 1's MAC on vm3 afterwards.
#
#   ANNOUNCE=on   the guest announces itself (virtio GUEST_ANNOUNCE: five
#                 rounds of gratuitous ARP); garp_rx must count them.
#   ANNOUNCE=off  guest_announce=off: QEMU sends VHOST_USER_SEND_RARP to
#                 vswd, the vhost library builds a RARP for guest 1's MAC
#                 into vm3's next RX burst, and that RARP moves the entry.
#                 A namespace on a tap port captures the flooded RARPs to
#                 prove they came from vm3 through the switch; rarp_rx must
#                 count them.
#
# usage: vhost_migrate.sh VSWD VSWCTL [on|off]   (root, QEMU; 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"
. "$(dirname "$(realpath "$0")")/vhost_lib.sh"

ANNOUNCE=${3:-on}
case $ANNOUNCE in
on) VSW_NIC_EXTRA= ;;
off) VSW_NIC_EXTRA=,guest_announce=off ;;
*) fail "announce must be on or off, not '$ANNOUNCE'" ;;
esac
TEST_NAME="vhost_migrate_announce_$ANNOUNCE"

require_qemu
require_tun
require_netns
require_cmd ip tcpdump

MAC1=52:54:00:00:06:01
MAC2=52:54:00:00:06:02
NS="${NS_PREFIX}-h"
TAPIF="vm${ID}t"
INTERVAL=0.1

start_vswd
for p in vm1 vm2 vm3; do
	check "port add $p vhost-user" vsw port add "$p" vhost-user "path=$T_TMP/$p.vhost"
done
make_netns "$NS"
check "port add t0 tap" vsw port add t0 tap "iface=$TAPIF"
track_iface "$TAPIF"
wait_until 10 ip link show "$TAPIF" || fail "tap $TAPIF did not appear"
ip link set "$TAPIF" netns "$NS"
ip -n "$NS" link set "$TAPIF" up

start_guest g1 "$MAC1" 203.0.113.1/24 "path=$T_TMP/vm1.vhost,server=on,wait=off"
start_guest g2 "$MAC2" 203.0.113.2/24 "path=$T_TMP/vm2.vhost,server=on,wait=off"
# The destination: same machine and devices, waiting for the migration stream.
start_guest g1dst "$MAC1" 203.0.113.1/24 "path=$T_TMP/vm3.vhost,server=on,wait=off" \
	-incoming "unix:$T_TMP/migrate.sock"
guest_wait_ready g1 90
guest_wait_ready g2 90
# QEMU answers QMP only once vswd is connected; the link comes up when the
# migrated driver state arrives (the device is not started before).
wait_until 30 bash -c "python3 '$GUEST_TOOLS/guestctl.py' qmp '${G_QMP[g1dst]}' 2 query-status | grep -q inmigrate" ||
	fail "the destination QEMU did not connect to vm3" "$T_TMP/qemu-g1dst.log"
pass "destination QEMU connected to vm3 and waits for the migration (link $(port_link vm3))"
check "guest 2 pings guest 1" guest_run g2 30 "ping -c 3 -W 3 203.0.113.1"
[ "$(fdb_port_of $MAC1)" = vm1 ] || fail "guest 1's MAC should be on vm1 before migrating"
pass "fdb show: $MAC1 on vm1 before migrating"

ip netns exec "$NS" timeout 120 tcpdump -i "$TAPIF" -n -U -w "$T_TMP/announce.pcap" \
	"arp or rarp" >"$T_TMP/tcpdump.log" 2>&1 &
track_pid $!
TCPDUMP_PID=$!
wait_until 10 grep -q "listening on" "$T_TMP/tcpdump.log" || fail "tcpdump did not start" "$T_TMP/tcpdump.log"
garp0=$(counter garp_rx)
rarp0=$(counter rarp_rx)

guest_run g2 10 "ping -i $INTERVAL 203.0.113.1 >/tmp/ping.log 2>&1 &" >/dev/null ||
	fail "cannot start the ping in guest 2"
sleep 2
result=$(python3 "$GUEST_TOOLS/guestctl.py" migrate "${G_QMP[g1]}" 120 "unix:$T_TMP/migrate.sock") ||
	fail "migration failed: $result" "$T_TMP/qemu-g1.log"
read -r mig_s downtime_ms <<<"$result"
pass "guest 1 migrated from vm1 to vm3 in ${mig_s}s (QEMU downtime ${downtime_ms} ms)"
# The source is paused now; what an orchestrator does next is quit it.
guest_qmp g1 quit >/dev/null 2>&1 || true
stop_guest g1
wait_until 10 [ "$(fdb_port_of $MAC1)" = vm3 ] || true
sleep 3
G_SERIAL[g1]=${G_SERIAL[g1dst]}
check "guest 1 answers on its new port" guest_run g2 30 "ping -c 2 -W 3 203.0.113.1"
guest_run g2 20 "kill -INT %1; sleep 0.5" >/dev/null || true
guest_run g2 20 "cat /tmp/ping.log" >"$T_TMP/ping.log" || fail "cannot read the ping log"
read -r sent got lost gap < <(ping_log_summary "$T_TMP/ping.log" $INTERVAL)
log "announce=$ANNOUNCE: guest 2 -> guest 1 during migration: $sent sent, $got received, $lost lost, longest gap ${gap}s"
[ "$got" -gt 0 ] || fail "no ping got through" "$T_TMP/ping.log"
echo "RESULT vhost_migrate announce=$ANNOUNCE migration_s=$mig_s downtime_ms=$downtime_ms pings_sent=$sent lost=$lost longest_gap_s=$gap"

port=$(fdb_port_of $MAC1)
[ "$port" = vm3 ] || fail "after migration, fdb show has $MAC1 on '$port', not vm3"
pass "fdb show: $MAC1 moved to vm3"
# The source QEMU stops vm1's device before the destination starts, so vm1's
# link may go down, and its MACs be flushed, before the announcement arrives:
# a MAC that reappears on another port soon after such a flush is still a move.
moves=$(counter fdb_moves)
[ "$moves" -ge 1 ] || fail "fdb_moves should count the move"
pass "fdb_moves = $moves"

kill -INT "$TCPDUMP_PID" 2>/dev/null || true
wait_until 5 bash -c "! kill -0 $TCPDUMP_PID 2>/dev/null" || true
rarps=$(tcpdump -r "$T_TMP/announce.pcap" -n -e rarp 2>/dev/null | grep -ci "$MAC1" || true)
garps=$(tcpdump -r "$T_TMP/announce.pcap" -n -e arp 2>/dev/null | grep -i "$MAC1" | grep -c "Request who-has 203.0.113.1 tell 203.0.113.1\|Reply 203.0.113.1 is-at" || true)
garp=$(($(counter garp_rx) - garp0))
rarp=$(($(counter rarp_rx) - rarp0))
log "announce=$ANNOUNCE: flooded to the namespace: $rarps RARP and $garps gratuitous ARP from $MAC1; vswd counted garp_rx +$garp, rarp_rx +$rarp"
if [ "$ANNOUNCE" = off ]; then
	[ "$rarps" -ge 1 ] || fail "no RARP for $MAC1 reached the namespace: VHOST_USER_SEND_RARP did not turn into a frame"
	pass "VHOST_USER_SEND_RARP became $rarps RARP frame(s) through the switch"
	[ "$rarp" -ge 1 ] || fail "rarp_rx did not count the RARPs"
	pass "rarp_rx counted $rarp"
else
	[ "$garps" -ge 1 ] || fail "the guest's gratuitous ARPs did not reach the namespace"
	pass "guest announced itself: $garps gratuitous ARP(s) through the switch"
	[ "$garp" -ge 1 ] || fail "garp_rx did not count the announcements"
	pass "garp_rx counted $garp"
fi

stop_guest g1dst
stop_guest g2
stop_vswd
