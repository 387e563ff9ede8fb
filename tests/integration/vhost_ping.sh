#!/usr/bin/env bash
# Two QEMU guests on two vhost-user ports ping each other through vswd: vm1
# in client mode (QEMU serves the socket, vswd connects and reconnects), vm2
# in server mode (vswd serves, QEMU reconnect=1).  A tap port in a namespace
# shares the bridge domain.  Link state follows the guests (port list, link
# event counters), and the MAC table holds each guest on its own port.  Then
# guest 2's QEMU is SIGKILLed while guest 1 pings it and the namespace: vswd
# counts the link down, frames for guest 2 become drop_link_down instead of
# piling up, the control socket keeps answering, and guest 1 keeps reaching
# the namespace.  Guest 2 comes back on the same port.
#
# usage: vhost_ping.sh VSWD VSWCTL   (root, QEMU; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"
. "$(dirname "$(realpath "$0")")/vhost_lib.sh"

require_qemu
require_tun
require_netns
require_cmd ip ping

MAC1=52:54:00:00:05:01
MAC2=52:54:00:00:05:02
NS="${NS_PREFIX}-h"
TAPIF="vh${ID}t"

# Extra vswd arguments, e.g. VSW_VHOST_VSWD_ARGS="--eal -l 0-1 --no-huge -m 512 --no-pci".
# shellcheck disable=SC2086
start_vswd ${VSW_VHOST_VSWD_ARGS-}
check "port add vm1 vhost-user (client mode)" \
	vsw port add vm1 vhost-user "path=$T_TMP/g1.vhost"
check "port add vm2 vhost-user mode=server" \
	vsw port add vm2 vhost-user "path=$T_TMP/g2.vhost" mode=server
[ -S "$T_TMP/g2.vhost" ] || fail "server-mode port did not create $T_TMP/g2.vhost"
pass "server-mode port listens on its socket"
[ "$(port_link vm1)" = down ] && [ "$(port_link vm2)" = down ] ||
	fail "vhost-user ports without a guest should have their link down"
pass "link is down before the guests start"
expect_exit 1 "queues=0 is refused" vsw port add bad vhost-user "path=$T_TMP/x" queues=0
expect_exit 1 "mode=bogus is refused" vsw port add bad vhost-user "path=$T_TMP/x" mode=bogus
expect_exit 1 "a relative path is refused" vsw port add bad vhost-user path=relative.sock
expect_exit 1 "a socket someone else serves is refused" \
	vsw port add bad vhost-user "path=$T_TMP/g2.vhost" mode=server

make_netns "$NS"
check "port add t0 tap" vsw port add t0 tap "iface=$TAPIF"
track_iface "$TAPIF"
wait_until 10 ip link show "$TAPIF" || fail "tap $TAPIF did not appear"
ip link set "$TAPIF" netns "$NS"
ip -n "$NS" addr add 203.0.113.10/24 dev "$TAPIF"
ip -n "$NS" link set "$TAPIF" up

t0=$(date +%s.%N)
start_guest g1 "$MAC1" 203.0.113.1/24 "path=$T_TMP/g1.vhost,server=on,wait=off"
start_guest g2 "$MAC2" 203.0.113.2/24 "path=$T_TMP/g2.vhost,reconnect=1"
guest_wait_ready g1 90
guest_wait_ready g2 90
log "guests booted in $(python3 -c "import time; print('%.1f' % (time.time() - $t0))") s"
wait_until 10 link_is vm1 up && wait_until 10 link_is vm2 up ||
	fail "links did not come up with the guests"
pass "links are up with the guests attached"
[ "$(counter port_link_up_events)" -ge 2 ] || fail "port_link_up_events should count both guests"
pass "port_link_up_events = $(counter port_link_up_events)"

check "guest 1 pings guest 2" guest_run g1 30 "ping -c 3 -W 3 203.0.113.2"
check "guest 2 pings guest 1" guest_run g2 30 "ping -c 3 -W 3 203.0.113.1"
check "guest 1 pings the namespace" guest_run g1 30 "ping -c 3 -W 3 203.0.113.10"
check "the namespace pings guest 2" ping_ok "$NS" 203.0.113.2
[ "$(fdb_port_of $MAC1)" = vm1 ] || fail "guest 1's MAC $MAC1 should be on vm1"
[ "$(fdb_port_of $MAC2)" = vm2 ] || fail "guest 2's MAC $MAC2 should be on vm2"
pass "fdb show: $MAC1 on vm1, $MAC2 on vm2"

# ---------------------------------------------------------------- a peer that vanishes

guest_run g1 10 "ping -i 0.1 203.0.113.2 >/tmp/p2.log 2>&1 & ping -i 0.1 203.0.113.10 >/tmp/pns.log 2>&1 &" >/dev/null ||
	fail "cannot start pings in guest 1"
sleep 2
downs=$(counter port_link_down_events)
stop_guest g2 KILL
log "guest 2 killed (SIGKILL) during traffic"
wait_until 10 counter_above port_link_down_events "$downs" ||
	fail "no link down event after guest 2 disappeared"
pass "link down counted when guest 2 disappeared"
[ "$(port_link vm2)" = down ] || fail "vm2's link should be down"
pass "vm2 link down"
sleep 3
dropped=$(counter drop_link_down)
[ "$dropped" -gt 0 ] || fail "frames for the vanished guest should be counted as drop_link_down"
pass "frames for the vanished guest counted: drop_link_down = $dropped"
check "the control socket still answers" vsw port list
check "the namespace still reaches guest 1" ping_ok "$NS" 203.0.113.1
out=$(guest_run g1 20 "kill -INT %1 %2; sleep 0.5; tail -n 3 /tmp/pns.log") || fail "cannot stop the pings in guest 1"
read -r sent got lost gap < <(ping_log_summary <(guest_run g1 20 "cat /tmp/pns.log") 0.1)
log "guest 1 -> namespace while guest 2 vanished: $sent sent, $got received, $lost lost, longest gap ${gap}s"
[ "$got" -gt 0 ] && [ "$lost" -le 3 ] || fail "guest 1 -> namespace lost $lost of $sent pings while guest 2 vanished"
pass "guest 1 -> namespace unaffected ($lost of $sent lost)"

# ---------------------------------------------------------------- the guest comes back

start_guest g2b "$MAC2" 203.0.113.2/24 "path=$T_TMP/g2.vhost,reconnect=1"
guest_wait_ready g2b 90
check "guest 2 (restarted) pings guest 1 on the same port" guest_run g2b 30 "ping -c 3 -W 3 203.0.113.1"
[ "$(port_link vm2)" = up ] || fail "vm2's link should be up again"
pass "vm2 link up again"

stop_guest g1
stop_guest g2b
stop_vswd
