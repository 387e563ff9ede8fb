#!/usr/bin/env bash
# Three tap ports, each moved into its own network namespace: every pair
# pings, each port's link follows its interface in that namespace, the MAC
# table holds exactly the three namespaces' MACs, port.del cuts one
# namespace off, malformed JSON-RPC gets -32700 without disturbing
# traffic, bad port.add calls are refused, configuration survives a restart,
# and a corrupt configuration file stops vswd with a message naming it.
#
# usage: tap_ping.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_tun
require_cmd ip ping python3 timeout
require_binaries
require_netns

NAMES=(a b c)
declare -A NS TAPIF IP MAC
for i in 0 1 2; do
	x=${NAMES[$i]}
	NS[$x]="${NS_PREFIX}-$x"
	TAPIF[$x]="vt${ID}$x" # ≤ 10 characters
	IP[$x]="203.0.113.$((i + 1))"
done

# attach X: tap port pX (interface TAPIF[X]) into namespace NS[X] as IP[X]/24.
attach() {
	local x=$1
	track_iface "${TAPIF[$x]}"
	wait_until 10 ip link show "${TAPIF[$x]}" || fail "tap ${TAPIF[$x]} did not appear in the host namespace"
	ip link set "${TAPIF[$x]}" netns "${NS[$x]}"
	ip -n "${NS[$x]}" addr add "${IP[$x]}/24" dev "${TAPIF[$x]}"
	ip -n "${NS[$x]}" link set "${TAPIF[$x]}" up
	MAC[$x]=$(mac_of "${NS[$x]}" "${TAPIF[$x]}")
}

start_vswd

# ---------------------------------------------------------------- ports and pings

for x in "${NAMES[@]}"; do
	make_netns "${NS[$x]}"
	check "port add p$x tap iface=${TAPIF[$x]}" vsw port add "p$x" tap "iface=${TAPIF[$x]}"
	attach "$x"
done
log "namespaces: ${NS[a]} ${NS[b]} ${NS[c]}; MACs: ${MAC[a]} ${MAC[b]} ${MAC[c]}"

for x in "${NAMES[@]}"; do
	for y in "${NAMES[@]}"; do
		[ "$x" = "$y" ] && continue
		check "ping $x -> $y (${IP[$y]})" ping_ok "${NS[$x]}" "${IP[$y]}"
	done
done

# ---------------------------------------------------------------- MAC table

# The namespaces have IPv6 off, so nothing but our pings and ARP was sent.
fdb_exact() {
	vsw --json fdb show | python3 -c '
import json, sys
got = sorted((e["mac"].lower(), e["port"], e["bd"]) for e in json.load(sys.stdin))
want = sorted((m.lower(), p, "default") for m, p in zip(sys.argv[1::2], sys.argv[2::2]))
if got != want:
    sys.exit("fdb show: got %s, want %s" % (got, want))
' "${MAC[a]}" pa "${MAC[b]}" pb "${MAC[c]}" pc
}
check "fdb show lists exactly the three MACs on pa, pb, pc" fdb_exact

vsw port list >"$T_TMP/ports.txt" 2>&1 || fail "vswctl port list" "$T_TMP/ports.txt"
for x in "${NAMES[@]}"; do
	grep -qw "p$x" "$T_TMP/ports.txt" || fail "port list does not show p$x" "$T_TMP/ports.txt"
done
pass "port list shows pa, pb, pc"

# ---------------------------------------------------------------- link state

# link_is PORT STATE: port list reports that link state ("up" or "down") for PORT.
link_is() {
	vsw --json port list | python3 -c '
import json, sys
ports = {e["name"]: e for e in json.load(sys.stdin)}
sys.exit(0 if ports[sys.argv[1]]["link"] == sys.argv[2] else 1)' "$1" "$2"
}

# The interfaces are in their namespaces now, where vswd cannot see them by
# name; the link shown is what each namespace says (checked once a second).
for x in "${NAMES[@]}"; do
	check "p$x link up while ${TAPIF[$x]} is up in ${NS[$x]}" wait_until 5 link_is "p$x" up
done
ip -n "${NS[a]}" link set "${TAPIF[a]}" down
check "pa link down after 'ip link set down' in ${NS[a]}" wait_until 5 link_is pa down
check "pb link still up" link_is pb up
ip -n "${NS[a]}" link set "${TAPIF[a]}" up
check "pa link up again after 'ip link set up'" wait_until 5 link_is pa up
check "ping a -> b after the link came back" ping_ok "${NS[a]}" "${IP[b]}"

# ---------------------------------------------------------------- bad requests

# Malformed JSON while a ping runs: the ping must not lose a packet.
ip netns exec "${NS[a]}" ping -n -c 30 -i 0.05 -W 1 "${IP[b]}" >"$T_TMP/bgping.txt" 2>&1 &
BGPING=$!
track_pid "$BGPING"
for req in '{"jsonrpc":"2.0","id":1,"method":' 'this is not json' '{"jsonrpc":"2.0","id":2,"method":"port.list",}' \
	'{"jsonrpc":"2.0","id":3,"method":"port.list"'; do
	code=$(rpc_error_code "$req" 2>"$T_TMP/rpc.err") || fail "no JSON-RPC error reply to '$req'" "$T_TMP/rpc.err"
	[ "$code" = "-32700" ] || fail "reply to malformed request '$req' has code $code, wanted -32700"
	pass "malformed request '$req' -> error -32700"
done
code=$(rpc_error_code '{"jsonrpc":"2.0","id":4,"method":"no.such.method"}' 2>"$T_TMP/rpc.err") ||
	fail "no reply to an unknown method" "$T_TMP/rpc.err"
[ "$code" = "-32601" ] || fail "unknown method: code $code, wanted -32601"
pass "unknown method -> error -32601"
code=$(rpc_error_code '[1,2,3]' 2>"$T_TMP/rpc.err") || fail "no reply to a non-object request" "$T_TMP/rpc.err"
[ "$code" = "-32600" ] || fail "non-object request: code $code, wanted -32600"
pass "non-object request -> error -32600"
rc=0
wait_until 20 bash -c "! kill -0 $BGPING 2>/dev/null" || fail "background ping did not finish within 20 s"
wait "$BGPING" || rc=$?
grep -q ' 30 received' "$T_TMP/bgping.txt" ||
	fail "ping during malformed requests lost packets (exit $rc)" "$T_TMP/bgping.txt"
pass "ping during malformed requests: $(grep -o '[0-9]* packets transmitted, [0-9]* received' "$T_TMP/bgping.txt")"
check "vswd still answers after malformed requests" vsw version

expect_exit 1 "port add with a bad type is refused" vsw port add pbad no-such-type
expect_exit 1 "port add with a duplicate name is refused" vsw port add pa null
expect_exit 2 "vswctl usage error" vsw port add
expect_exit 3 "vswctl cannot connect" timeout 20 "$VSWCTL" -s "$T_TMP/no-such.sock" version

# ---------------------------------------------------------------- port del

check "port del pc" vsw port del pc
check "after port del pc: a cannot reach c" ping_fails "${NS[a]}" "${IP[c]}"
check "after port del pc: a -> b still works" ping_ok "${NS[a]}" "${IP[b]}"
check "after port del pc: b -> a still works" ping_ok "${NS[b]}" "${IP[a]}"
expect_exit 1 "port del of a missing port is refused" vsw port del pc

# ---------------------------------------------------------------- persistence

check "bd add keepme" vsw bd add keepme
check "port add pn null bd=keepme" vsw port add pn null bd=keepme
stop_vswd
for x in a b; do
	ip netns exec "${NS[$x]}" ip link show "${TAPIF[$x]}" >/dev/null 2>&1 &&
		fail "tap ${TAPIF[$x]} still exists in ${NS[$x]} after vswd stopped"
done
pass "tap interfaces went away with vswd"
[ -s "$CONFIG" ] || fail "no configuration file $CONFIG after changes"
pass "configuration saved in $CONFIG"

start_vswd
vsw --json port list >"$T_TMP/ports.json" 2>&1 || fail "port list after restart" "$T_TMP/ports.json"
python3 - "$T_TMP/ports.json" <<'EOF' >"$T_TMP/check.out" 2>&1 || fail "ports after restart" "$T_TMP/check.out"
import json, sys
ports = {p["name"]: p for p in json.load(open(sys.argv[1]))}
want = {"pa": ("tap", "default"), "pb": ("tap", "default"), "pn": ("null", "keepme")}
got = {n: (p["type"], p["bd"]) for n, p in ports.items()}
if got != want:
    sys.exit("port list after restart: got %s, want %s" % (got, want))
EOF
pass "after restart: port list shows pa, pb (tap) and pn (null in keepme), not pc"
vsw bd list >"$T_TMP/bds.txt" 2>&1 || fail "bd list after restart" "$T_TMP/bds.txt"
grep -qw keepme "$T_TMP/bds.txt" || fail "bd keepme missing after restart" "$T_TMP/bds.txt"
pass "after restart: bd list shows keepme"
for x in a b; do
	check "after restart: tap ${TAPIF[$x]} re-created in the host namespace" wait_until 10 ip link show "${TAPIF[$x]}"
done
for x in a b; do
	attach "$x"
done
check "after restart: ping a -> b" ping_ok "${NS[a]}" "${IP[b]}"
check "after restart: ping b -> a" ping_ok "${NS[b]}" "${IP[a]}"

# ---------------------------------------------------------------- corrupt config

stop_vswd
printf '{"version": 1, "ports": [ {"name": "pa", ' >"$CONFIG"
rc=0
timeout 30 "$VSWD" --socket "$SOCK" --config "$CONFIG" --workers "$VSWD_WORKERS" --idle-sleep 100 \
	>"$T_TMP/corrupt.out" 2>&1 || rc=$?
cat "$T_TMP/corrupt.out" >>"$VSWD_LOG"
[ "$rc" -ne 124 ] || fail "vswd kept running on a corrupt config file" "$T_TMP/corrupt.out"
[ "$rc" -ne 0 ] || fail "vswd exited 0 on a corrupt config file" "$T_TMP/corrupt.out"
grep -qF "$CONFIG" "$T_TMP/corrupt.out" ||
	fail "vswd's message about the corrupt config does not name $CONFIG" "$T_TMP/corrupt.out"
pass "corrupt config: vswd exits $rc naming the file: $(grep -F "$CONFIG" "$T_TMP/corrupt.out" | head -n 1)"
[ ! -e "$SOCK" ] || fail "vswd left $SOCK behind after refusing the config"
pass "corrupt config: no socket left behind"
