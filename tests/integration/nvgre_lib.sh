#!/usr/bin/env bash
# Shared by the two-host overlay tests (nvgre_two_hosts.sh, rd_two_hosts.sh),
# sourced after lib.sh: two vswd "hosts" A and B whose kernel uplink ports
# are veths into a router namespace, A in 198.51.100.0/24 and B (in a
# network namespace of its own, as a second machine) in 192.0.2.0/24, and
# the helpers that make VM interfaces.  `host X` makes lib.sh's vsw,
# start_vswd and friends act on host X; `on X CMD` runs one command there.
# overlay_uplink X configures host X's uplink, PA and provider route.

# ---------------------------------------------------------------- two daemons
#
# lib.sh drives one vswd through SOCK, CONFIG, VSWD_LOG and VSWD_PID; `host X`
# points them at host X's daemon, so start_vswd, stop_vswd, vsw and
# vsw_json act on it.  The cleanup trap stops both.
mkdir -p "$T_TMP/A" "$T_TMP/B"
NS_HB="${NS_PREFIX}-hb"
declare -A HOST_PID=([A]="" [B]="")
CUR_HOST=A
host() {
	HOST_PID[$CUR_HOST]=$VSWD_PID
	CUR_HOST=$1
	# Host B runs in its own network namespace, as a second machine would.
	if [ "$1" = B ]; then VSWD_NETNS=$NS_HB; else VSWD_NETNS=; fi
	SOCK=$T_TMP/$1/vswd.sock
	CONFIG=$T_TMP/$1/config.json
	VSWD_LOG=$T_TMP/$1/vswd.log
	VSWD_PID=${HOST_PID[$1]}
}
host A

# on HOST CMD...: run CMD with host HOST current, then go back.
on() {
	local was=$CUR_HOST rc=0
	host "$1"
	shift
	"$@" || rc=$?
	host "$was"
	return "$rc"
}

# Context on failure: both daemons.
eval "lib_dump_context() $(declare -f dump_context | tail -n +2)"
dump_context() {
	local was=$CUR_HOST h
	for h in A B; do
		host "$h"
		echo "==== host $h"
		if vswd_alive; then
			for c in "show" "neigh show" "lookup show"; do
				echo "\$ vswctl $c"
				# shellcheck disable=SC2086
				timeout 10 "$VSWCTL" -s "$SOCK" $c 2>&1 | sed 's/^/    /' || true
			done
		fi
		lib_dump_context
	done
	host "$was"
}

nvgre_cleanup() {
	local rc=$? cur=$CUR_HOST h
	trap - EXIT
	set +e
	# The daemon that is not current; lib_cleanup stops the current one.
	for h in A B; do
		[ "$h" = "$cur" ] && continue
		host "$h"
		kill_vswd
		if [ "$VSWD_RC" -ne 0 ]; then
			echo "cleanup: vswd of host $h exited with status $VSWD_RC on SIGTERM" >&2
			[ "$rc" -eq 0 ] && rc=1
		fi
		host "$cur"
	done
	(exit "$rc")
	lib_cleanup
}
trap nvgre_cleanup EXIT

# ---------------------------------------------------------------- addresses

PA_A=198.51.100.1
PA_B=192.0.2.1
GW_A=198.51.100.254
GW_B=192.0.2.254
NS_R="${NS_PREFIX}-r"
# Host B's own stack: its daemon and the host ends of its links live here,
# so the two daemons' AF_PACKET sockets never share a namespace (the DPDK
# af_packet driver picks fanout group ids that may collide across processes).
make_netns "$NS_R"
make_netns "$NS_HB"

# no_offload NS IF: no TX checksum offload, so the kernel never hands a frame
# with a partial checksum to AF_PACKET or to the other end.
no_offload() {
	if [ "$1" = - ]; then
		ethtool -K "$2" tx off >/dev/null 2>&1 || true
	else
		ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1 || true
	fi
}

# veth PREFIX NS [HOSTNS]: host end ${PREFIX}h (up, for a kernel port; in
# HOSTNS if given, else in the root namespace), other end ${PREFIX}n in NS (down).
veth() {
	ip link add "${1}h" type veth peer name "${1}n"
	track_iface "${1}h"
	sysctl -qw "net.ipv6.conf.${1}h.disable_ipv6=1" >/dev/null 2>&1 || true
	ip link set "${1}n" netns "$2"
	if [ -n "${3:-}" ]; then
		ip link set "${1}h" netns "$3"
		ip -n "$3" link set "${1}h" up
		no_offload "$3" "${1}h"
	else
		ip link set "${1}h" up
		no_offload - "${1}h"
	fi
	no_offload "$2" "${1}n"
}

# Router: forwards between the two provider subnets.
UA="ua${ID}"
UB="ub${ID}"
veth "$UA" "$NS_R"
veth "$UB" "$NS_R" "$NS_HB"
ip -n "$NS_R" addr add "$GW_A/24" dev "${UA}n"
ip -n "$NS_R" addr add "$GW_B/24" dev "${UB}n"
ip -n "$NS_R" link set "${UA}n" up
ip -n "$NS_R" link set "${UB}n" up
ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
GW_B_MAC=$(mac_of "$NS_R" "${UB}n")
GW_A_MAC=$(mac_of "$NS_R" "${UA}n")

# vm PREFIX NS MAC IP [HOSTNS]: a VM interface.  The MTU is set later (tenant MTU).
vm() {
	veth "$1" "$2" "${5:-}"
	ip -n "$2" link set "${1}n" address "$3"
	ip -n "$2" addr add "$4/24" dev "${1}n"
	ip -n "$2" link set "${1}n" up
}
# overlay_uplink: the current host's uplink port "up", its PA and its
# provider route to the other host's subnet (B also pins its gateway's MAC,
# A resolves its own by ARP).
overlay_uplink() {
	if [ "$CUR_HOST" = A ]; then
		check "A: port add up (kernel)" vsw port add up kernel "iface=${UA}h"
		check "A: uplink set up" vsw uplink set up mtu=1500
		check "A: pa add $PA_A/24" vsw pa add "$PA_A/24"
		check "A: route add 0.0.0.0/0 via $GW_A" vsw route add 0.0.0.0/0 via "$GW_A"
	else
		check "B: port add up (kernel)" vsw port add up kernel "iface=${UB}h"
		check "B: uplink set up" vsw uplink set up
		check "B: pa add $PA_B/24 port=up" vsw pa add "$PA_B/24" port=up
		check "B: route add 198.51.100.0/24 via $GW_B" vsw route add 198.51.100.0/24 via "$GW_B"
		check "B: neigh add $GW_B (static)" vsw neigh add "$GW_B" "$GW_B_MAC"
	fi
}
