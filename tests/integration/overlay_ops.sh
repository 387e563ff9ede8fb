#!/usr/bin/env bash
# What an operator reads and types on the overlay, on null ports (no traffic
# needed): outputs that state what is true and guard rails for commands that
# cut every tunnel.  Each check failed before issue 17's fixes.
#
# usage: overlay_ops.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$(realpath "$0")")/lib.sh" "$@"

require_root
require_cmd python3 timeout
require_binaries

start_vswd
check "ports and a tenant subnet" vsw port add up null
check "port add vm1" vsw port add vm1 null
check "bd add t1 vsid=5001" vsw bd add t1 vsid=5001
check "port add vm2 in t1" vsw port add vm2 null bd=t1
check "port add spare in t1" vsw port add spare null bd=t1
check "uplink set up" vsw uplink set up
check "pa add 198.51.100.1/24" vsw pa add 198.51.100.1/24

check "pa list keeps the prefix length" test "$(vsw_json 'r[0]["address"]' pa list)" = 198.51.100.1/24
check "bd list does not count the uplink in 'default' (1 port: vm1)" \
	test "$(vsw_json '[b["ports"] for b in r if b["name"] == "default"][0]' bd list)" -eq 1

# Routes: a replacement says what it replaced.
check "route add 0.0.0.0/0 via .254" vsw route add 0.0.0.0/0 via 198.51.100.254
check "a new route replaced nothing" \
	test "$(vsw_json 'r["replaced_via"]' route add 10.0.0.0/8 via 198.51.100.254)" = ""
check "replacing the default route names the gateway it replaced" \
	test "$(vsw_json 'r["replaced_via"]' route add 0.0.0.0/0 via 198.51.100.253)" = 198.51.100.254

# Records: a changed CA MAC leaves no stale entry; record entries say so.
check "lookup add .5 with MAC :05" vsw lookup add 5001 203.0.113.5 02:00:00:00:00:05 192.0.2.9
check "the record's MAC is in the MAC table, type record, no age" \
	test "$(vsw_json '[(e["type"], e["age"], e["port"]) for e in r if e["mac"] == "02:00:00:00:00:05"]' fdb show t1)" \
	= '[["record", null, "pa:192.0.2.9"]]'
check "lookup add .5 again with MAC :06" vsw lookup add 5001 203.0.113.5 02:00:00:00:00:06 192.0.2.9
check "the old MAC's record entry is gone, the new one is there" \
	test "$(vsw_json 'sorted(e["mac"] for e in r)' fdb show t1)" = '["02:00:00:00:00:06"]'

# The PA's next hop (the default gateway) cannot be resolved on a null uplink.
check "neigh show lists the unresolved next hop as incomplete" wait_until 5 test \
	"$(vsw_json '[(n["ip"], n["state"], n["mac"]) for n in r]' neigh show)" \
	= '[["198.51.100.253", "incomplete", null]]'

check "tunnel list: the PA waits for its next hop" test \
	"$(vsw_json '[(t["pa"], t["vsid"], t["state"], t["next_hop"], t["src_pa"]) for t in r]' tunnel list)" \
	= '[["192.0.2.9", 5001, "no_neighbour", "198.51.100.253", "198.51.100.1"]]'

# Guard rails and exit codes.
expect_exit 1 "uplink set on another port is refused without force=true" vsw uplink set spare
refusal=$(vsw uplink set spare 2>&1 || true)
check "the refusal says how to do it" test -n "$(grep -o 'add force=true' <<<"$refusal")"
check "the uplink did not move" test "$(vsw_json 'r["overlay"]["uplink"]' show)" = up
check "uplink set spare force=true" vsw uplink set spare force=true
check "the old uplink joined 'default' (2 ports: vm1, up)" \
	test "$(vsw_json '[b["ports"] for b in r if b["name"] == "default"][0]' bd list)" -eq 2
expect_exit 2 "a mistyped noun is a usage error (lokup show)" vsw lokup show
expect_exit 2 "a mistyped verb is a usage error (lookup ad)" vsw lookup ad
check "vswctl --help lists vhost-user among port types" \
	bash -c "'$VSWCTL' --help | grep -q 'types: tap kernel vhost-user'"
check "vswd logged the accepted change, method and parameters" \
	grep -qF 'config: route.add {"prefix":"0.0.0.0/0","via":"198.51.100.253"}' "$VSWD_LOG"
check "vswd did not log the refused one as a change" \
	test "$(grep -c 'config: uplink.set {"port":"spare"}' "$VSWD_LOG")" -eq 0
stop_vswd
