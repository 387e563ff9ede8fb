#!/usr/bin/env bash
# docs/nvgre.md's two-host recipe, run from the text of the doc so that the
# doc cannot rot: every ```sh block after a `<!-- recipe: two-hosts -->`
# marker, in order, each in its own `bash -e` (a block must stand alone, as
# when pasted into a fresh shell), with the build's vswd and vswctl first in
# PATH; then what the doc promises (pings, `tunnel list`, `fdb show`, TCP
# with the offload turned off); then the block marked
# `<!-- recipe: two-hosts teardown -->`, which must leave no daemon, no
# namespace and no file behind.  The teardown block also runs on every
# failure path.
#
# The doc uses fixed names (nv-hosta, /run/vsw/hosta.sock, ...).  So that a
# parallel run, or a machine that already has them, cannot collide, the
# script re-executes itself in a new network namespace and a private mount
# namespace with a tmpfs on /run: `ip netns` names, interfaces and the doc's
# /run/vsw files all exist only for this run.
#
# usage: nvgre_doc_recipe.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
if [ -z "${VSW_RECIPE_ISOLATED:-}" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "SKIP: needs root (network and mount namespaces)"
		exit 77
	fi
	if ! command -v unshare >/dev/null 2>&1; then
		echo "SKIP: needs unshare (util-linux)"
		exit 77
	fi
	export VSW_RECIPE_ISOLATED=1
	exec unshare --mount --net --propagation private -- "$(realpath "$0")" "$@"
fi

# In our own namespaces: a private /run (ip netns keeps its names in
# /run/netns; the doc keeps its sockets in /run/vsw), loopback up.
mount -t tmpfs -o mode=0755 vsw-recipe /run || {
	echo "SKIP: cannot mount a private /run"
	exit 77
}
ip link set lo up

. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_cmd ip ping python3 timeout ethtool socat sysctl xargs
require_binaries
require_netns

# Context on failure: both hosts, as the doc's check block sees them.
dump_context() {
	local h c
	for h in hosta hostb; do
		echo "---- $h (/run/vsw/$h.sock) ----"
		[ -S "/run/vsw/$h.sock" ] || continue
		for c in "show" "tunnel list" "fdb show" "neigh show" "stats"; do
			echo "\$ vswctl $c"
			# shellcheck disable=SC2086
			timeout 10 "$VSWCTL" -s "/run/vsw/$h.sock" $c 2>&1 | sed 's/^/    /' || true
		done
		echo "---- $h: vswd log (last 30 lines) ----"
		tail -n 30 "/run/vsw/$h.log" 2>/dev/null | sed 's/^/    /'
	done
}

DOC=$(realpath "$(dirname "$(realpath "$0")")/../../docs/nvgre.md")
[ -f "$DOC" ] || fail "no $DOC"

# ---------------------------------------------------------------- the blocks

# Blocks to $T_TMP/block-N.sh (in document order) and $T_TMP/teardown.sh.
# A marker not followed by a ```sh fence, a fence never closed, or a number
# of teardown blocks other than one is an error in the doc.
check "docs/nvgre.md: recipe blocks extracted" python3 - "$DOC" "$T_TMP" <<'EOF'
import re, sys
doc, out = sys.argv[1], sys.argv[2]
lines = open(doc).read().split("\n")
marker = re.compile(r"^<!-- recipe: two-hosts( teardown)? -->\s*$")
blocks, teardown, i = [], [], 0
while i < len(lines):
    m = marker.match(lines[i])
    if not m:
        i += 1
        continue
    where = "%s:%d" % (doc, i + 1)
    if i + 1 >= len(lines) or lines[i + 1].strip() != "```sh":
        sys.exit(where + ": marker not followed by a ```sh fence")
    j = i + 2
    while j < len(lines) and lines[j].strip() != "```":
        j += 1
    if j >= len(lines):
        sys.exit(where + ": fence never closed")
    text = "# " + where + "\n" + "\n".join(lines[i + 2:j]) + "\n"
    (teardown if m.group(1) else blocks).append(text)
    i = j + 1
if len(teardown) != 1:
    sys.exit("%s: %d teardown blocks, wanted 1" % (doc, len(teardown)))
if len(blocks) < 5:
    sys.exit("%s: only %d recipe blocks" % (doc, len(blocks)))
for n, b in enumerate(blocks):
    open("%s/block-%d.sh" % (out, n + 1), "w").write(b)
open(out + "/teardown.sh", "w").write(teardown[0])
print(len(blocks), "blocks and a teardown")
EOF
NB_BLOCKS=$(find "$T_TMP" -maxdepth 1 -name 'block-*.sh' | wc -l)
log "$NB_BLOCKS recipe blocks from $DOC"

# The doc says plain `vswd` and `vswctl`: this build's, first in PATH.
mkdir -p "$T_TMP/bin"
ln -s "$VSWD" "$T_TMP/bin/vswd"
ln -s "$VSWCTL" "$T_TMP/bin/vswctl"
export PATH="$T_TMP/bin:$PATH"
unset VSW_SOCKET

# Teardown: the doc's block, on every exit path (lib.sh runs on_exit
# commands).  Whatever survives it is killed here by pid, and fails the test.
TEARDOWN_DONE=
VSWD_PIDS=()
# running PID: PID exists and is not a zombie.  The daemons' parent shell
# (a block's bash) is gone, so whoever adopted them reaps them, a little later.
running() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st#Z}" = "$st" ]
}
teardown() {
	[ -n "$TEARDOWN_DONE" ] && return 0
	TEARDOWN_DONE=1
	log "teardown block"
	bash "$T_TMP/teardown.sh" >"$T_TMP/teardown.out" 2>&1 || true
	sed 's/^/    /' "$T_TMP/teardown.out"
}
leftovers() {
	local p
	teardown
	for p in "${VSWD_PIDS[@]+"${VSWD_PIDS[@]}"}"; do
		if running "$p"; then
			echo "cleanup: vswd $p survived the doc's teardown: SIGKILL" >&2
			kill -KILL "$p" 2>/dev/null
		fi
	done
	for p in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		ip netns del "$p" 2>/dev/null
	done
}
on_exit leftovers

# run_block N: block N in its own `bash -e`, its output to the log.
run_block() {
	local f=$T_TMP/block-$1.sh out=$T_TMP/block-$1.out
	log "block $1: $(sed -n 1p "$f" | sed 's/^# //')"
	if ! timeout 60 bash -e "$f" >"$out" 2>&1; then
		cp /run/vsw/host*.log "$T_TMP/" 2>/dev/null || true
		fail "recipe block $1 failed (exit status above; vswd logs copied to $T_TMP)" "$out"
	fi
	sed 's/^/    /' "$out" | head -n 80
	pass "recipe block $1"
}

T0=$(date +%s%N)
for ((n = 1; n <= NB_BLOCKS; n++)); do
	run_block "$n"
	# Once the daemons are up, note their pids: the cleanup kills them by pid
	# if the teardown block did not stop them.
	if [ "${#VSWD_PIDS[@]}" -eq 0 ] && [ -S /run/vsw/hosta.sock ]; then
		read -r -a VSWD_PIDS <<<"$(ip netns pids nv-hosta 2>/dev/null) $(ip netns pids nv-hostb 2>/dev/null)"
	fi
done
log "recipe ran in $((($(date +%s%N) - T0) / 1000000)) ms"

# ---------------------------------------------------------------- what the doc promises

check "the daemons of both hosts are running (pids ${VSWD_PIDS[*]})" test "${#VSWD_PIDS[@]}" -eq 2

# on HOST ARGS...: vsw_json against that host's daemon.
on() {
	local h=$1
	shift
	SOCK=/run/vsw/$h.sock vsw_json "$@"
}

check "A: tunnel list: 5001 to 192.0.2.1 resolved via 198.51.100.254 from 198.51.100.1" test "$(on hosta \
	'[(t["vsid"], t["pa"], t["state"], t["next_hop"], t["src_pa"]) for t in r]' tunnel list)" \
	= '[[5001, "192.0.2.1", "resolved", "198.51.100.254", "198.51.100.1"]]'
check "B: tunnel list: 5001 to 198.51.100.1 resolved via 192.0.2.254 from 192.0.2.1" test "$(on hostb \
	'[(t["vsid"], t["pa"], t["state"], t["next_hop"], t["src_pa"]) for t in r]' tunnel list)" \
	= '[[5001, "198.51.100.1", "resolved", "192.0.2.254", "192.0.2.1"]]'
# Exactly the two VMs' MACs: no host end leaked into the tenant segment.
check "A: fdb show t1: VM1 learned on vm1, VM2 from its record, nothing else" test "$(on hosta \
	'sorted((e["mac"], e["port"], e["type"]) for e in r)' fdb show t1)" \
	= '[["02:00:00:00:01:01", "vm1", "dynamic"], ["02:00:00:00:01:02", "pa:192.0.2.1", "record"]]'
check "B: fdb show t1: VM1 from its record, VM2 learned on vm2, nothing else" test "$(on hostb \
	'sorted((e["mac"], e["port"], e["type"]) for e in r)' fdb show t1)" \
	= '[["02:00:00:00:01:01", "pa:198.51.100.1", "record"], ["02:00:00:00:01:02", "vm2", "dynamic"]]'
check "A: neigh show: the router resolved by ARP" test "$(on hosta \
	'[(n["ip"], n["state"]) for n in r]' neigh show)" = '[["198.51.100.254", "resolved"]]'
check "A and B: frames went both ways through the tunnel" test "$(on hosta \
	'min(r["counters"].get("nvgre_encap_ok", 0), r["counters"].get("nvgre_decap_ok", 0)) > 0' stats)/$(on hostb \
	'min(r["counters"].get("nvgre_encap_ok", 0), r["counters"].get("nvgre_decap_ok", 0)) > 0' stats)" = True/True

# TCP, which the doc says needs the VMs' TX checksum offload off (it is).
ip netns exec nv-vm2 timeout 10 socat -u TCP-LISTEN:5001,reuseaddr "OPEN:$T_TMP/tcp.txt,creat,trunc" \
	>"$T_TMP/socat.out" 2>&1 &
track_pid $!
LISTENER=$!
wait_until 5 sh -c "ip netns exec nv-vm2 ss -Hltn 'sport = :5001' | grep -q ." ||
	fail "socat did not listen in nv-vm2" "$T_TMP/socat.out"
check "TCP from VM1 to VM2 across the overlay" sh -c \
	"echo across-the-overlay | ip netns exec nv-vm1 timeout 10 socat -u - TCP:203.0.113.2:5001,connect-timeout=5"
wait "$LISTENER" 2>/dev/null || true
check "VM2 received the TCP payload" grep -qx across-the-overlay "$T_TMP/tcp.txt"

# ---------------------------------------------------------------- the doc's teardown

cp /run/vsw/host*.log "$T_TMP/" 2>/dev/null || true
teardown
still=()
for p in "${VSWD_PIDS[@]}"; do
	running "$p" && still+=("$p")
done
check "teardown stopped both daemons" test "${#still[@]}" -eq 0
check "teardown deleted every namespace" test -z "$(ip netns list)"
check "teardown removed the demo's files" test -z "$(ls -A /run/vsw 2>/dev/null)"
check "no veth is left" test -z "$(ip -o link show type veth)"
log "recipe and teardown in $((($(date +%s%N) - T0) / 1000000)) ms"
