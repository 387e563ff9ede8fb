# shellcheck shell=bash
# Helpers for the cluster tests (vswagent + etcd), sourced after lib.sh:
#
#     . "$(dirname "$(realpath "$0")")/lib.sh" "$1" "$2"
#     . "$(dirname "$(realpath "$0")")/cluster_lib.sh" "$3" "$4"   # vswagent, vswcluster
#
# It provides: a 3-member etcd cluster on loopback (unique ports, temporary
# data dirs, stopped on exit), three vsw hosts A, B, C, each a vswd in its own
# network namespace with a kernel uplink into a router namespace on its own
# provider subnet, one vswagent per host (in the root namespace, where etcd's
# loopback is), VM namespaces on veth ports, and `host X` / `on X CMD` to
# point vsw/vsw_json at a host.  Every wait is bounded.
VSWAGENT=$(realpath "$1")
VSWCLUSTER=$(realpath "$2")

require_etcd() {
	command -v etcd >/dev/null 2>&1 && command -v etcdctl >/dev/null 2>&1 ||
		skip "needs etcd and etcdctl (apt-get install etcd-server etcd-client)"
	[ -x "$VSWAGENT" ] || skip "vswagent not built: $VSWAGENT"
	[ -x "$VSWCLUSTER" ] || skip "vswcluster not built: $VSWCLUSTER"
}

# ---------------------------------------------------------------- etcd

# Ports: 10 per run from the pid, so parallel runs of other worktrees differ,
# below the kernel's ephemeral range (32768 up) so that no client connection
# holds one; a range any socket uses (a benchmark's cluster) is skipped.
etcd_ports_free() {
	! ss -Htan 2>/dev/null | awk '{print $4}' | grep -Eq ":($1|$(($1 + 1))|$(($1 + 2))|$(($1 + 5))|$(($1 + 6))|$(($1 + 7)))\$"
}
ETCD_BASE=$((12000 + (ID % 2000) * 10))
for ((k = 1; k <= 50; k++)); do
	etcd_ports_free "$ETCD_BASE" && break
	ETCD_BASE=$((12000 + ((ID + 97 * k) % 2000) * 10))
done
ETCD_PIDS=("" "" "")
ETCD_URLS="http://127.0.0.1:$ETCD_BASE,http://127.0.0.1:$((ETCD_BASE + 1)),http://127.0.0.1:$((ETCD_BASE + 2))"
ETCD_PEERS="e0=http://127.0.0.1:$((ETCD_BASE + 5)),e1=http://127.0.0.1:$((ETCD_BASE + 6)),e2=http://127.0.0.1:$((ETCD_BASE + 7))"

# etcd_start I: start member I (0-2); its data dir survives a stop, so a restart rejoins.
etcd_start() {
	local i=$1 state=new
	[ -d "$T_TMP/etcd$i" ] && state=existing
	etcd --name "e$i" --data-dir "$T_TMP/etcd$i" \
		--listen-client-urls "http://127.0.0.1:$((ETCD_BASE + i))" \
		--advertise-client-urls "http://127.0.0.1:$((ETCD_BASE + i))" \
		--listen-peer-urls "http://127.0.0.1:$((ETCD_BASE + 5 + i))" \
		--initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_BASE + 5 + i))" \
		--initial-cluster "$ETCD_PEERS" --initial-cluster-state "$state" \
		--initial-cluster-token "vsw$ID" \
		--experimental-watch-progress-notify-interval=1s \
		--heartbeat-interval 50 --election-timeout 500 \
		>>"$T_TMP/etcd$i.log" 2>&1 &
	ETCD_PIDS[$i]=$!
	track_pid "${ETCD_PIDS[$i]}"
}

# etcd_stop I [SIGNAL]: stop member I and wait for it.
etcd_stop() {
	local pid=${ETCD_PIDS[$1]} k
	[ -n "$pid" ] || return 0
	kill "-${2:-TERM}" "$pid" 2>/dev/null || true
	kill -CONT "$pid" 2>/dev/null || true # a member a test stopped with SIGSTOP
	for ((k = 0; k < 100; k++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	ETCD_PIDS[$1]=
}

etcd_healthy() {
	ETCDCTL_API=3 timeout 5 etcdctl --endpoints="$1" endpoint health >/dev/null 2>&1
}

etcd_cluster_start() {
	etcd_start 0
	etcd_start 1
	etcd_start 2
	wait_until 40 etcd_healthy "$ETCD_URLS" || fail "etcd cluster did not become healthy" "$T_TMP/etcd0.log"
	log "etcd members on 127.0.0.1:$ETCD_BASE-$((ETCD_BASE + 2))"
}

# cl ARGS...: vswcluster against this test's etcd.
cl() {
	timeout 20 "$VSWCLUSTER" --etcd "$ETCD_URLS" "$@"
}

# ---------------------------------------------------------------- hosts

declare -A HOST_PID=() AGENT_PID=() HOST_NS=() HOST_PA=() HOST_GW=() HOST_UP=()
CUR_HOST=
host() {
	[ -n "$CUR_HOST" ] && HOST_PID[$CUR_HOST]=$VSWD_PID
	CUR_HOST=$1
	VSWD_NETNS=${HOST_NS[$1]}
	SOCK=$T_TMP/$1/vswd.sock
	CONFIG=$T_TMP/$1/config.json
	VSWD_LOG=$T_TMP/$1/vswd.log
	VSWD_PID=${HOST_PID[$1]:-}
}
on() {
	local was=$CUR_HOST rc=0
	host "$1"
	shift
	"$@" || rc=$?
	host "$was"
	return "$rc"
}

# no_offload NS IF
no_offload() { ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1 || true; }

# link PREFIX NS_INNER NS_HOST: veth ${PREFIX}h (up, in NS_HOST) <-> ${PREFIX}n (in NS_INNER).
link() {
	ip link add "${1}h" type veth peer name "${1}n"
	track_iface "${1}h"
	ip link set "${1}n" netns "$2"
	ip link set "${1}h" netns "$3"
	ip netns exec "$3" sysctl -qw "net.ipv6.conf.${1}h.disable_ipv6=1" >/dev/null 2>&1 || true
	ip -n "$3" link set "${1}h" up
	no_offload "$3" "${1}h"
	no_offload "$2" "${1}n"
}

# make_host NAME PA/PREFIX GW: namespace, uplink into the router, vswd, uplink/PA/route.
NS_R="${NS_PREFIX}-r"
make_host() {
	local h=$1 pa=${2%/*} plen=${2#*/} gw=$3 up
	up="u${h,,}${ID}"
	HOST_NS[$h]="${NS_PREFIX}-h${h,,}"
	HOST_PA[$h]=$pa
	HOST_GW[$h]=$gw
	HOST_UP[$h]=$up
	make_netns "${HOST_NS[$h]}"
	mkdir -p "$T_TMP/$h"
	link "$up" "$NS_R" "${HOST_NS[$h]}"
	ip -n "$NS_R" addr add "$gw/$plen" dev "${up}n"
	ip -n "$NS_R" link set "${up}n" up
	host "$h"
	# shellcheck disable=SC2086 # CLUSTER_VSWD_ARGS: extra vswd arguments, split on spaces
	start_vswd ${CLUSTER_VSWD_ARGS:-}
	check "$h: uplink, PA $pa/$plen, default route via $gw" sh -c "
		v() { timeout 20 '$VSWCTL' -s '$SOCK' \"\$@\"; }
		v port add up kernel iface=${up}h && v uplink set up && v pa add $pa/$plen &&
		v route add 0.0.0.0/0 via $gw"
}

# vm_ns NS PREFIX HOST BD MAC IP: a VM namespace on a veth whose host end is port PREFIX on HOST.
vm_ns() {
	local ns=$1 p=$2 h=$3 bd=$4 mac=$5 ip=$6
	make_netns "$ns"
	link "$p" "$ns" "${HOST_NS[$h]}"
	ip -n "$ns" link set "${p}n" address "$mac" mtu 1458
	ip -n "$ns" addr add "$ip/24" dev "${p}n"
	ip -n "$ns" link set "${p}n" up
	on "$h" vsw port add "$p" kernel "iface=${p}h" bd="$bd" >/dev/null ||
		fail "$h: port add $p in $bd"
}

# start_agent HOST [ARGS...]
start_agent() {
	local h=$1
	shift
	"$VSWAGENT" --etcd "$ETCD_URLS" --host "$h" --socket "$T_TMP/$h/vswd.sock" --ttl 3 \
		--resync 10 --watch-timeout 5 "$@" >>"$T_TMP/$h/agent.log" 2>&1 &
	AGENT_PID[$h]=$!
	track_pid "${AGENT_PID[$h]}"
	wait_until 10 test -S "$T_TMP/$h/vswd.sock.agent" || fail "$h: vswagent did not start" "$T_TMP/$h/agent.log"
}

# kill_agent HOST [SIGNAL]
kill_agent() {
	local pid=${AGENT_PID[$1]:-} k
	[ -n "$pid" ] || return 0
	kill "-${2:-TERM}" "$pid" 2>/dev/null || true
	kill -CONT "$pid" 2>/dev/null || true # an agent a test stopped with SIGSTOP
	for ((k = 0; k < 50; k++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	AGENT_PID[$1]=
}

# agent_status HOST PYTHON-EXPR: evaluate EXPR with s = the agent's status.
agent_status() {
	timeout 10 "$VSWCLUSTER" -s "$T_TMP/$1/vswd.sock" --json status | python3 -c '
import json, sys
s = json.load(sys.stdin)
print(eval(sys.argv[1]))' "$2"
}

# lookup_pa HOST VSID CA: the PA of that record in HOST's vswd ("" if none).
lookup_pa() {
	on "$1" vsw_json '"".join(x["pa"] for x in r if x["ca_ip"] == "'"$3"'")' lookup show "$2"
}
# lookup_is HOST VSID CA PA: succeeds once HOST's record points at PA.
lookup_is() { [ "$(lookup_pa "$1" "$2" "$3")" = "$4" ]; }

has_bd() { on "$1" vsw_json '[b["name"] for b in r if b["vsid"] == '"$2"']' bd list | grep -q '"'; }

# Context on failure: every host, agent logs, etcd.
eval "lib_dump_context() $(declare -f dump_context | tail -n +2)"
dump_context() {
	local was=$CUR_HOST h
	for h in "${!HOST_NS[@]}"; do
		host "$h"
		echo "==== host $h"
		if vswd_alive; then
			for c in "bd list" "lookup show" "fdb show"; do
				echo "\$ vswctl $c"
				# shellcheck disable=SC2086
				timeout 10 "$VSWCTL" -s "$SOCK" $c 2>&1 | sed 's/^/    /' || true
			done
		fi
		echo "---- agent log $h (last 25 lines)"
		tail -n 25 "$T_TMP/$h/agent.log" 2>/dev/null | sed 's/^/    /'
		lib_dump_context
	done
	echo "\$ vswcluster vm list"
	cl vm list 2>&1 | sed 's/^/    /' || true
	host "$was"
}

cluster_cleanup() {
	local rc=$? cur=$CUR_HOST h
	trap - EXIT
	set +e
	for h in "${!AGENT_PID[@]}"; do kill_agent "$h"; done
	for h in "${!HOST_NS[@]}"; do
		[ "$h" = "$cur" ] && continue
		host "$h"
		kill_vswd
		if [ "$VSWD_RC" -ne 0 ]; then
			echo "cleanup: vswd of host $h exited with status $VSWD_RC" >&2
			[ "$rc" -eq 0 ] && rc=1
		fi
	done
	[ -n "$cur" ] && host "$cur"
	for h in 0 1 2; do etcd_stop "$h"; done
	(exit "$rc")
	lib_cleanup
}
trap cluster_cleanup EXIT

# build_cluster: etcd, router, hosts A B C on three provider subnets, agents.
build_cluster() {
	make_netns "$NS_R"
	ip netns exec "$NS_R" sysctl -qw net.ipv4.ip_forward=1
	etcd_cluster_start
	make_host A 192.0.2.1/26 192.0.2.62
	make_host B 192.0.2.65/26 192.0.2.126
	make_host C 198.51.100.1/24 198.51.100.254
	for h in A B C; do start_agent "$h"; done
	wait_until 10 sh -c "'$VSWCLUSTER' --etcd '$ETCD_URLS' host list | grep -c ' alive ' | grep -qx 3" ||
		fail "three hosts did not register" "$T_TMP/A/agent.log"
	pass "three agents registered their hosts"
}

# ---------------------------------------------------------------- tenants
# The layout cluster_migration.sh, the demo (./run demo cluster) and the
# benchmark (bench/cluster) share.  Two tenants reuse 203.0.113.0/24:
#
#   tenant 1 (VSID 5001, bd t1): vm1 203.0.113.1 on A (moves to B), vm3 203.0.113.3 on C
#   tenant 2 (VSID 6001, bd t2): x1  203.0.113.1 on B,              x3  203.0.113.3 on C
#
# vm1's interface on B (port m1) waits in namespace ${NS_PREFIX}-park until it moves.
MAC1=02:00:00:01:00:01 MAC3=02:00:00:01:00:03 MACX1=02:00:00:02:00:01 MACX3=02:00:00:02:00:03
NS_VM1="${NS_PREFIX}-vm1" NS_VM3="${NS_PREFIX}-vm3" NS_X1="${NS_PREFIX}-x1" NS_X3="${NS_PREFIX}-x3"
NS_PARK="${NS_PREFIX}-park"
VM1_AT=A

# cluster_tenants: subnets and VMs declared once with vswcluster; waits (bounded)
# until every host's vswd has the bridge domains and records.
cluster_tenants() {
	local h
	check "vswcluster subnet add t1 vsid=5001" cl subnet add t1 vsid=5001
	check "vswcluster subnet add t2 vsid=6001" cl subnet add t2 vsid=6001
	for h in A B C; do
		wait_until 10 has_bd "$h" 5001 || fail "$h: the agent did not create the bridge domain of VSID 5001"
		wait_until 10 has_bd "$h" 6001 || fail "$h: the agent did not create the bridge domain of VSID 6001"
	done
	pass "every host has bridge domains t1 (5001) and t2 (6001), made by its agent"
	vm_ns "$NS_VM1" "v1${ID}" A t1 $MAC1 203.0.113.1
	vm_ns "$NS_VM3" "v3${ID}" C t1 $MAC3 203.0.113.3
	vm_ns "$NS_X1" "x1${ID}" B t2 $MACX1 203.0.113.1
	vm_ns "$NS_X3" "x3${ID}" C t2 $MACX3 203.0.113.3
	make_netns "$NS_PARK"
	link "m1${ID}" "$NS_PARK" "${HOST_NS[B]}"
	ip -n "$NS_PARK" link set "m1${ID}n" address $MAC1 mtu 1458
	on B vsw port add m1 kernel "iface=m1${ID}h" bd=t1 >/dev/null || fail "B: port add m1"
	check "vswcluster vm add: vm1 on A (host=A)" cl vm add 5001 203.0.113.1 $MAC1 host=A
	check "vswcluster vm add: vm3 on C" cl vm add 5001 203.0.113.3 $MAC3 host=C
	check "vswcluster vm add: x1 on B (tenant 2, same CA as vm1)" cl vm add 6001 203.0.113.1 $MACX1 host=B
	check "vswcluster vm add: x3 on C" cl vm add 6001 203.0.113.3 $MACX3 pa=${HOST_PA[C]}
	for h in A B C; do
		wait_until 10 lookup_is "$h" 5001 203.0.113.1 "${HOST_PA[A]}" || fail "$h: record of vm1 not applied"
		wait_until 10 lookup_is "$h" 6001 203.0.113.3 "${HOST_PA[C]}" || fail "$h: record of x3 not applied"
	done
	pass "all four records reached every host's vswd"
}

# vm1_move: vm1 moves to the other of A and B: its interface there (same MAC
# and CA) takes its place in vm1's namespace, and it announces itself with a
# gratuitous ARP.  No command is typed on any host.
vm1_move() {
	local from=v1${ID}n to=m1${ID}n
	[ "$VM1_AT" = B ] && from=m1${ID}n to=v1${ID}n
	ip -n "$NS_VM1" link set "$from" netns "$NS_PARK"
	ip -n "$NS_PARK" link set "$to" netns "$NS_VM1"
	ip -n "$NS_VM1" addr add 203.0.113.1/24 dev "$to"
	ip -n "$NS_VM1" link set "$to" up
	ip netns exec "$NS_VM1" arping -q -U -c 2 -w 2 -I "$to" 203.0.113.1 || true
	if [ "$VM1_AT" = A ]; then VM1_AT=B; else VM1_AT=A; fi
}

# show_cluster: what an operator looks at: records, hosts, each host's lookup records.
show_cluster() {
	local h
	log "\$ vswcluster vm list"
	cl vm list | sed 's/^/    /'
	log "\$ vswcluster host list"
	cl host list | sed 's/^/    /'
	for h in A B C; do
		log "\$ vswctl lookup show    (host $h, PA ${HOST_PA[$h]})"
		on "$h" vsw lookup show | sed 's/^/    /'
	done
}
