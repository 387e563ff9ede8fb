#!/usr/bin/env bash
# Aging on a real worker: with `bd set default aging=4`, two MACs that keep
# talking stay in the table well past the aging time (the worker's clock
# moves on, so their last-seen stamps do), and once they fall silent both
# are forgotten within a few seconds of it.
#
# usage: fdb_aging.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_tun
require_cmd ip ping timeout
require_binaries
require_netns

AGING=4
NAMES=(a b)
declare -A NS TAPIF IP MAC
for i in 0 1; do
	x=${NAMES[$i]}
	NS[$x]="${NS_PREFIX}-$x"
	TAPIF[$x]="vt${ID}$x"
	IP[$x]="203.0.113.$((i + 1))"
done

start_vswd
for x in "${NAMES[@]}"; do
	make_netns "${NS[$x]}"
	check "port add p$x tap iface=${TAPIF[$x]}" vsw port add "p$x" tap "iface=${TAPIF[$x]}"
	track_iface "${TAPIF[$x]}"
	wait_until 10 ip link show "${TAPIF[$x]}" || fail "tap ${TAPIF[$x]} did not appear"
	ip link set "${TAPIF[$x]}" netns "${NS[$x]}"
	ip -n "${NS[$x]}" addr add "${IP[$x]}/24" dev "${TAPIF[$x]}"
	ip -n "${NS[$x]}" link set "${TAPIF[$x]}" up
	MAC[$x]=$(mac_of "${NS[$x]}" "${TAPIF[$x]}")
done
check "bd set default aging=$AGING" vsw bd set default "aging=$AGING"
check "ping a -> b" ping_ok "${NS[a]}" "${IP[b]}"

# in_fdb MAC: the MAC table has MAC (any port).
in_fdb() {
	vsw fdb show | grep -qi "$1"
}
# both_in_fdb: a's and b's MACs are both in the table.
both_in_fdb() {
	in_fdb "${MAC[a]}" && in_fdb "${MAC[b]}"
}
# none_in_fdb: neither is.
none_in_fdb() {
	! in_fdb "${MAC[a]}" && ! in_fdb "${MAC[b]}"
}

# Traffic for 3 aging periods: the entries must be there at every look.
ip netns exec "${NS[a]}" ping -n -q -i 0.2 -w $((3 * AGING)) "${IP[b]}" >/dev/null 2>&1 &
PING=$!
track_pid "$PING"
for ((s = 0; s < 3 * AGING - 1; s++)); do
	both_in_fdb || fail "a MAC that keeps talking was aged out after ${s} s of traffic (aging=$AGING)"
	sleep 1
done
pass "both MACs stay in the table through $((3 * AGING - 1)) s of traffic (aging=$AGING)"
wait "$PING" || true

# Silence: both go within the aging time plus the refresh interval and the walk.
check "both MACs aged out within $((AGING + 6)) s of silence" wait_until $((AGING + 6)) none_in_fdb
pass "fdb_aging"
