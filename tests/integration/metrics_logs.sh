#!/bin/bash
# Metrics and logs (issue 16).
#
# vswd runs with --metrics 127.0.0.1:0 and logs to syslog, where syslog is a
# datagram socket this test listens on (--syslog-socket): nothing reaches
# the host's log.  A pcap port replays NB_FRAMES broadcasts into bridge
# domain "m" with a ring and a null port, so the counters move and then
# stand still; then:
#  - a curl scrape parses strictly as the Prometheus text format (every
#    line; promtool check metrics too when installed) and its values equal
#    `vswctl --json stats`, `stats pmd` and `bd list` (prom_check.py);
#  - other paths get 404, other methods 405, garbage 400, and vswd lives;
#  - a scraper that never finishes its request holds up neither the control
#    socket nor another scrape;
#  - `vswctl log level` shows and changes the level: at err a configuration
#    change (notice) is not logged, back at notice it is; at debug each
#    scrape is logged, at info it is not; a bad level is refused.
#
# usage: metrics_logs.sh VSWD VSWCTL   (root; exits 77 when it cannot run)
. "$(dirname "$0")/lib.sh" "$@"
require_binaries
require_cmd curl
require_cmd python3

NB_FRAMES=20
HERE=$(cd "$(dirname "$0")" && pwd)
SYSLOG_SOCK=$T_TMP/log.sock
SYSLOG_OUT=$T_TMP/syslog.txt
IN=$T_TMP/in.pcap

# The log daemon: one line per datagram into SYSLOG_OUT, for at most 5 minutes.
python3 - "$SYSLOG_SOCK" "$SYSLOG_OUT" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(300)
with open(sys.argv[2], "a") as out:
    try:
        while True:
            out.write(s.recv(65536).decode(errors="replace") + "\n")
            out.flush()
    except socket.timeout:
        pass
PY
track_pid $!
wait_until 10 test -S "$SYSLOG_SOCK" || fail "the test's syslog listener did not start"

# NB_FRAMES broadcasts of 60 bytes from 02:00:00:00:00:01.
python3 - "$IN" "$NB_FRAMES" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(int(sys.argv[2])):
        frame = b"\xff" * 6 + bytes.fromhex("020000000001") + b"\x88\xb5" + bytes([i]) * 46
        f.write(struct.pack("<IIII", 1, i, len(frame), len(frame)) + frame)
PY

start_vswd --log syslog --syslog-socket "$SYSLOG_SOCK" --metrics 127.0.0.1:0
VSWD_LOG=$SYSLOG_OUT # what dump_context shows on failure
wait_until 10 grep -q 'metrics at http://' "$SYSLOG_OUT" || fail "vswd did not log its metrics address to syslog" "$SYSLOG_OUT"
ADDR=$(sed -n 's|.*metrics at http://\([^/]*\)/metrics.*|\1|p' "$SYSLOG_OUT" | tail -n 1)
URL=http://$ADDR/metrics
log "metrics at $URL"
check "vswd's messages reach syslog as daemon.notice with ident vswd" \
	grep -q "^<29>vswd\[$VSWD_PID\]: vsw .* ready" "$SYSLOG_OUT"

# ---- the counters move, then stand still
check "bd add m" vsw bd add m
check "port add r1 ring" vsw port add r1 ring bd=m
check "port add n1 null" vsw port add n1 null bd=m
check "port add p1 pcap (replays $NB_FRAMES frames)" vsw port add p1 pcap "rx_pcap=$IN" bd=m
rx_done() { [ "$(vsw_json '[p["rx_packets"] for p in r["ports"] if p["name"] == "p1"][0]' stats)" = "$NB_FRAMES" ]; }
wait_until 20 rx_done || fail "p1 did not receive its $NB_FRAMES frames" <(vsw stats)
# Flooding is done once the null port has sent them all.
tx_done() { [ "$(vsw_json '[p["tx_packets"] for p in r["ports"] if p["name"] == "n1"][0]' stats)" = "$NB_FRAMES" ]; }
wait_until 20 tx_done || fail "n1 did not send the $NB_FRAMES flooded frames" <(vsw stats)

# ---- a real scrape, checked line by line and against vswctl
SCRAPE=$T_TMP/scrape.txt
check "curl scrapes $URL" curl -sS -f -m 5 -o "$SCRAPE" -D "$T_TMP/headers.txt" "$URL"
check "Content-Type is the text format 0.0.4" grep -qi '^Content-Type: text/plain; version=0.0.4' "$T_TMP/headers.txt"
vsw --json -a stats >"$T_TMP/stats.json"
vsw --json stats pmd >"$T_TMP/pmd.json"
vsw --json bd list >"$T_TMP/bds.json"
check "the scrape is valid exposition format and equals vswctl's numbers" \
	python3 "$HERE/prom_check.py" "$SCRAPE" "$T_TMP/stats.json" "$T_TMP/pmd.json" "$T_TMP/bds.json"
log "$(python3 "$HERE/prom_check.py" "$SCRAPE" "$T_TMP/stats.json" "$T_TMP/pmd.json" "$T_TMP/bds.json")"
# A positive control: the frames are in the scrape, not only zeros that happen to match.
check "vsw_port_rx_packets_total{port=\"p1\"} $NB_FRAMES" grep -qx "vsw_port_rx_packets_total{port=\"p1\"} $NB_FRAMES" "$SCRAPE"
check "vsw_flood_multicast_total $NB_FRAMES" grep -qx "vsw_flood_multicast_total $NB_FRAMES" "$SCRAPE"
check "vsw_bd_macs{bd=\"m\"} 1" grep -qx 'vsw_bd_macs{bd="m"} 1' "$SCRAPE"
check "vsw_worker_busy_cycles_total is there" grep -q '^vsw_worker_busy_cycles_total{lcore="1"} [1-9]' "$SCRAPE"
if command -v promtool >/dev/null; then
	check "promtool check metrics" sh -c "promtool check metrics <'$SCRAPE'"
else
	log "promtool not installed (Debian package prometheus): prom_check.py's parser only"
fi

# ---- what is not a scrape
status() { curl -s -o /dev/null -m 5 -w '%{http_code}' "$@"; }
check "GET /other is 404" test "$(status "http://$ADDR/other")" = 404
check "POST /metrics is 405" test "$(status -X POST "$URL")" = 405
check "HEAD /metrics is 200" test "$(status -I "$URL")" = 200
garbage() {
	python3 - "$ADDR" "$1" <<'PY'
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=5)
s.sendall(sys.argv[2].encode("latin-1").decode("unicode_escape").encode("latin-1"))
print(s.recv(200).split(b"\r\n")[0].decode())
PY
}
check "binary garbage is 400" test "$(garbage '\x00\xff\x13\n\n')" = "HTTP/1.1 400 Bad Request"
check "HTTP/0.9 is 400" test "$(garbage 'GET /metrics\r\n\r\n')" = "HTTP/1.1 400 Bad Request"
check "vswd still answers" vsw version

# ---- a scraper that never finishes holds up nobody
python3 - "$ADDR" "$T_TMP/slow.ready" <<'PY' &
import socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=5)
s.sendall(b"GET /metr")
open(sys.argv[2], "w").close()
time.sleep(8)
PY
track_pid $!
wait_until 5 test -e "$T_TMP/slow.ready" || fail "the slow scraper did not connect"
t0=$(date +%s%N)
check "a scrape beside the slow one" curl -sS -f -m 2 -o /dev/null "$URL"
check "the control socket beside the slow one" timeout 2 "$VSWCTL" -s "$SOCK" -t 2 version
ms=$((($(date +%s%N) - t0) / 1000000))
log "scrape and vswctl beside a stalled scraper: $ms ms"
check "both within 1 s" test "$ms" -lt 1000

# ---- log levels at run time
check "log level shows info, sink syslog" sh -c "'$VSWCTL' -s '$SOCK' --json log level | grep -q '\"level\":\"info\",\"sink\":\"syslog\"'"
check "log level err" vsw log level err
check "bd add hidden (a notice, not logged at err)" vsw bd add hidden
check "log level notice" vsw log level notice
check "bd add shown (logged at notice)" vsw bd add shown
wait_until 5 grep -q '^<29>vswd\[[0-9]*\]: config: bd.add {"name":"shown"}' "$SYSLOG_OUT" ||
	fail "the notice after 'log level notice' did not reach syslog" "$SYSLOG_OUT"
check "nothing was logged at err about bd hidden" sh -c "! grep -q '\"name\":\"hidden\"' '$SYSLOG_OUT'"
check "log level info" vsw log level info
curl -sS -m 5 -o /dev/null "$URL?at=info"
check "log level debug" vsw log level debug
wait_until 5 grep -q '^<30>vswd\[[0-9]*\]: log level debug (was info)' "$SYSLOG_OUT" ||
	fail "the level change was not logged at info" "$SYSLOG_OUT"
curl -sS -m 5 -o /dev/null "$URL?at=debug"
wait_until 5 grep -q "^<31>vswd\[[0-9]*\]: metrics: 200 for 'GET /metrics?at=debug HTTP/1.1'" "$SYSLOG_OUT" ||
	fail "the scrape at debug was not logged as daemon.debug" "$SYSLOG_OUT"
check "the scrape at info was not logged" sh -c "! grep -q 'at=info' '$SYSLOG_OUT'"
check_fails "log level loud is refused" vsw log level loud
check "the refusal names the levels" sh -c "'$VSWCTL' -s '$SOCK' log level loud 2>&1 | grep -q 'use err, warning, notice, info or debug'"
check "log level back to info" vsw log level info

stop_vswd
check "the stop reached syslog" grep -q '^<29>vswd\[[0-9]*\]: shutting down' "$SYSLOG_OUT"
log "all $NB_PASS checks passed"
