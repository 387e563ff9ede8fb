# SPDX-License-Identifier: BSD-3-Clause
"""Cluster convergence and scale, driven by bench/cluster (which builds the
hosts with tests/integration/cluster_lib.sh and passes their names here).

    python3 -m vswbench.cluster floor|converge|scale ARGS-AS-JSON

floor     the etcd floor: put on one member, the watch event on another.
converge  vm1 migrates A <-> B; the time from the gratuitous ARP sent by the
          VM on its new host to the first NVGRE frame from C's PA to the new
          host's PA seen on the router's link to C (kernel receive stamp).
scale     N VMs in M subnets loaded into a fresh agent; then R record
          changes per second for S seconds with the agent's lag sampled.

Every result is one JSON object on stdout; progress goes to stderr.
Python 3 standard library only.
"""

import ctypes
import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import base64

CLONE_NEWNET = 0x40000000
SO_TIMESTAMPNS = 35
ETH_P_ALL = 3
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def log(msg):
    print("[cluster] " + msg, file=sys.stderr, flush=True)


class netns:
    """with netns(NAME): sockets made inside belong to that namespace."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.back = os.open("/proc/self/ns/net", os.O_RDONLY)
        fd = os.open("/var/run/netns/" + self.name, os.O_RDONLY)
        try:
            if libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns " + self.name)
        finally:
            os.close(fd)

    def __exit__(self, *exc):
        libc.setns(self.back, CLONE_NEWNET)
        os.close(self.back)


def pct(values, p):
    v = sorted(values)
    if not v:
        return None
    k = min(len(v) - 1, max(0, -(-p * len(v) // 100) - 1))  # nearest rank: ceil(p% of n)
    return v[k]


def summary(values):
    return {"n": len(values), "median": pct(values, 50), "p99": pct(values, 99),
            "min": min(values) if values else None, "max": max(values) if values else None}


# ---------------------------------------------------------------- etcd

def b64(s):
    return base64.b64encode(s.encode()).decode()


class Etcd:
    def __init__(self, url):
        host, port = url.replace("http://", "").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=10)

    def call(self, path, body):
        self.conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError("etcd %s: HTTP %d %s" % (path, r.status, data[:200]))
        return json.loads(data)

    def put(self, key, value):
        return self.call("/v3/kv/put", {"key": b64(key), "value": b64(value)})


def watch_lines(url, key, on_line, stop):
    host, port = url.replace("http://", "").split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    c.request("POST", "/v3/watch", json.dumps({"create_request": {"key": b64(key)}}),
              {"Content-Type": "application/json"})
    r = c.getresponse()
    while not stop.is_set():
        line = r.readline()
        if not line:
            break
        on_line(time.time_ns(), line)


def floor(a):
    """Put on member 0, event on member 1's watch: a.count puts a.gap_ms apart."""
    urls = a["etcd"].split(",")
    key = a["prefix"] + "/floor"
    stop = threading.Event()
    got = {}

    def on_line(t, line):
        r = json.loads(line).get("result", {})
        for ev in r.get("events", []):
            got[base64.b64decode(ev["kv"]["value"]).decode()] = t

    th = threading.Thread(target=watch_lines, args=(urls[1], key, on_line, stop), daemon=True)
    th.start()
    time.sleep(0.5)  # the watch's create answer is not waited on below; give it time to start
    e = Etcd(urls[0])
    sent = {}
    for i in range(a["count"]):
        v = "p%d" % i
        sent[v] = time.time_ns()
        e.put(key, v)
        time.sleep(a["gap_ms"] / 1000.0)
    deadline = time.time() + 5
    while len(got) < len(sent) and time.time() < deadline:
        time.sleep(0.05)
    stop.set()
    lat = [(got[v] - sent[v]) / 1e6 for v in sent if v in got]
    return {"what": "etcd put on member 0 -> watch event on member 1 (ms)",
            "lost": len(sent) - len(lat), **summary(lat)}


# ---------------------------------------------------------------- convergence

def garp(mac, ip):
    m = bytes.fromhex(mac.replace(":", ""))
    i = socket.inet_aton(ip)
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, m, i, b"\0" * 6, i)
    return b"\xff" * 6 + m + b"\x08\x06" + arp + b"\0" * 18


def gre_to(frame, src_pa, dst_pa):
    """An IPv4 GRE (NVGRE) frame from src_pa to dst_pa?"""
    return (len(frame) >= 34 and frame[12:14] == b"\x08\x00" and frame[23] == 47 and
            frame[26:30] == src_pa and frame[30:34] == dst_pa)


def log_lines_after(path, offset, needle):
    """(new offset, [epoch ms of each line containing needle]) for lines after offset."""
    out = []
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read()
    today = time.strftime("%Y-%m-%d")
    for line in data.decode(errors="replace").splitlines():
        if needle in line:
            t = time.mktime(time.strptime(today + " " + line[:8], "%Y-%m-%d %H:%M:%S"))
            out.append(t * 1000 + int(line[9:12]))
    return offset + len(data), out


def run(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def converge(a):
    """a: ns_r, if_c (router's link to C), ns_vm1, ns_park, ns_vm3, ifs {A: name, B: name},
    pa {A,B,C}, mac1, logs {A,B,C}, count, vswctl, socks {A,B,C}."""
    pa = {h: socket.inet_aton(ip) for h, ip in a["pa"].items()}
    with netns(a["ns_r"]):
        cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        cap.bind((a["if_c"], 0))
    cap.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    cap.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    with netns(a["ns_vm1"]):
        sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sink.bind(("0.0.0.0", 9))  # no ICMP port unreachable back to C
    with netns(a["ns_vm3"]):
        src = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    stop = threading.Event()

    def stream():
        # 1 frame per 0.5 ms from vm3 on C to vm1: the resolution of the measurement.
        while not stop.is_set():
            try:
                src.sendto(b"x" * 18, ("203.0.113.1", 9))
            except OSError:
                pass
            time.sleep(0.0005)

    threading.Thread(target=stream, daemon=True).start()
    at = a["vm1_at"]
    offs = {h: os.path.getsize(p) for h, p in a["logs"].items()}
    res = []
    failures = 0
    for k in range(a["count"]):
        new = "B" if at == "A" else "A"
        old_if, new_if = a["ifs"][at], a["ifs"][new]
        run(["ip", "-n", a["ns_vm1"], "link", "set", old_if, "netns", a["ns_park"]])
        run(["ip", "-n", a["ns_park"], "link", "set", new_if, "netns", a["ns_vm1"]])
        run(["ip", "-n", a["ns_vm1"], "addr", "add", "203.0.113.1/24", "dev", new_if])
        run(["ip", "-n", a["ns_vm1"], "link", "set", new_if, "up"])
        with netns(a["ns_vm1"]):
            tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            tx.bind((new_if, 0))
        cap.setblocking(False)
        try:
            while True:
                cap.recv(65536)
        except BlockingIOError:
            pass
        cap.setblocking(True)
        cap.settimeout(0.2)
        t0 = time.time_ns()
        tx.send(garp(a["mac1"], "203.0.113.1"))
        tx.close()
        t1 = None
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                frame, anc, _, _ = cap.recvmsg(2048, 64)
            except socket.timeout:
                continue
            if not gre_to(frame, pa["C"], pa[new]):
                continue
            ts = None
            for lvl, typ, d in anc:
                if lvl == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS:
                    sec, nsec = struct.unpack("qq", d[:16])
                    ts = sec * 10**9 + nsec
            ts = ts or time.time_ns()
            if ts >= t0:
                t1 = ts
                break
        at = new
        if t1 is None:
            failures += 1
            log("migration %d to %s: C never sent to %s within 5 s" % (k + 1, new, a["pa"][new]))
            continue
        # Where the time went, from the agents' log stamps (ms resolution).
        offs[new], claimed = log_lines_after(a["logs"][new], offs[new], "claimed VSID")
        offs["C"], moved = log_lines_after(a["logs"]["C"], offs["C"], "moved from")
        r = {"to": new, "converged_ms": (t1 - t0) / 1e6}
        if claimed:
            r["claim_logged_ms"] = claimed[-1] - t0 / 1e6
        if moved:
            r["c_watch_logged_ms"] = moved[-1] - t0 / 1e6
        res.append(r)
        # The old host follows too before the next move (so it claims it back).
        old_sock = a["socks"][at == "A" and "B" or "A"]
        wait_old = time.time() + 5
        while time.time() < wait_old:
            out = subprocess.run([a["vswctl"], "-s", old_sock, "--json", "lookup", "show", "5001"],
                                 capture_output=True, text=True).stdout
            if any(x["ca_ip"] == "203.0.113.1" and x["pa"] == a["pa"][new]
                   for x in json.loads(out or "[]")):
                break
            time.sleep(0.02)
        if (k + 1) % 10 == 0:
            log("%d migrations, last %.1f ms" % (k + 1, r["converged_ms"]))
    stop.set()
    conv = [r["converged_ms"] for r in res]
    claim = [r["claim_logged_ms"] for r in res if "claim_logged_ms" in r]
    watch = [r["c_watch_logged_ms"] for r in res if "c_watch_logged_ms" in r]
    return {"what": "gratuitous ARP sent on the new host -> first NVGRE frame C -> new PA on the wire (ms)",
            "failures": failures, "converged": summary(conv),
            "claim_logged": summary(claim), "c_watch_logged": summary(watch),
            "vm1_at": at, "runs": res}


# ---------------------------------------------------------------- scale

def agent_status(vswcluster, sock):
    """The agent's status, or None if it did not answer within 10 s (it was busy: a sample lost)."""
    try:
        out = subprocess.run([vswcluster, "-s", sock, "--json", "status"], capture_output=True,
                             text=True, timeout=10).stdout
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out) if out else None


def vm_value(vsid, ip, mac, pa):
    return json.dumps({"vsid": vsid, "ca_ip": ip, "ca_mac": mac, "pa": pa, "host": "X"},
                      separators=(",", ":"), sort_keys=True)


def scale_load(a):
    """Write a.vms records in a.subnets subnets under a.prefix (4 writers)."""
    urls = a["etcd"].split(",")
    e = Etcd(urls[0])
    for s in range(a["subnets"]):
        e.put("%s/subnets/%d" % (a["prefix"], 7000 + s), json.dumps({"name": "s%d" % s, "vsid": 7000 + s}))
    t = time.time()

    def writer(part):
        w = Etcd(urls[part % len(urls)])
        for i in range(part, a["vms"], 4):
            vsid = 7000 + i % a["subnets"]
            ip = "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255)
            w.put("%s/vms/%d/%s" % (a["prefix"], vsid, ip),
                  vm_value(vsid, ip, "02:10:00:00:%02x:%02x" % ((i >> 8) & 255, i & 255), a["pas"][0]))

    ths = [threading.Thread(target=writer, args=(p,)) for p in range(4)]
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    return {"written_s": time.time() - t}


def scale_sync(a):
    """Start the agent (a.start_cmd), time until its status says in sync with all records
    and vswd holds them."""
    t0 = time.time()
    proc = subprocess.Popen(a["start_cmd"], stdout=open(a["agent_log"], "ab"), stderr=subprocess.STDOUT)
    samples = []
    deadline = t0 + a["timeout"]
    synced = None
    while time.time() < deadline:
        s = None
        try:
            s = agent_status(a["vswcluster"], a["sock"])
        except (ValueError, subprocess.TimeoutExpired):
            pass
        if s:
            samples.append({"t": round(time.time() - t0, 2), "added": s["counters"]["lookups_added"],
                            "lag": s["lag"], "vms": s["vms"]})
            if s["vms"] >= a["vms"] and s["lag"] == 0 and s["counters"]["lookups_added"] >= a["vms"]:
                synced = time.time() - t0
                break
        time.sleep(0.5)
    held = subprocess.run([a["vswctl"], "-s", a["sock"], "--json", "lookup", "show"],
                          capture_output=True, text=True).stdout
    n_held = len(json.loads(held)) if held else 0
    return {"pid": proc.pid, "sync_s": synced, "vswd_records": n_held, "samples": samples[-20:],
            "rate_per_s": (a["vms"] / synced) if synced else None}


def scale_rate(a):
    """a.rate changes/s for a.seconds (4 writers), the agent's lag sampled every 0.5 s."""
    urls = a["etcd"].split(",")
    stop = threading.Event()
    done = [0]
    top = [0]  # highest store revision the writers were answered with
    t0 = time.time()

    def writer(part):
        w = Etcd(urls[part % len(urls)])
        i = part
        per = a["rate"] / 4.0
        n = 0
        while not stop.is_set():
            due = t0 + n / per
            now = time.time()
            if due > now:
                time.sleep(due - now)
            vsid = 7000 + i % a["subnets"]
            ip = "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255)
            pa = a["pas"][(n // 1) % 2]
            r = w.put("%s/vms/%d/%s" % (a["prefix"], vsid, ip),
                      vm_value(vsid, ip, "02:10:00:00:%02x:%02x" % ((i >> 8) & 255, i & 255), pa))
            top[0] = max(top[0], int(r["header"]["revision"]))
            done[0] += 1
            n += 1
            i = (i + 4) % a["vms"]

    ths = [threading.Thread(target=writer, args=(p,), daemon=True) for p in range(4)]
    for th in ths:
        th.start()
    lags = []
    while time.time() - t0 < a["seconds"]:
        s = agent_status(a["vswcluster"], a["sock"])
        # The agent's own lag only knows revisions it has heard of; etcd's is the truth.
        lags.append({"t": round(time.time() - t0, 2), "lag": s["lag"] if s else None,
                     "behind_etcd": top[0] - s["revision"] if s else None, "written": done[0]})
        time.sleep(0.5)
    stop.set()
    for th in ths:
        th.join(timeout=5)
    wrote = done[0]
    elapsed = time.time() - t0
    t_end = time.time()
    drained = None
    while time.time() - t_end < a["drain_timeout"]:
        s = agent_status(a["vswcluster"], a["sock"])
        if s and s["revision"] >= top[0]:
            drained = time.time() - t_end
            break
        time.sleep(0.5)
    vals = [x["behind_etcd"] for x in lags if x["behind_etcd"] is not None]
    return {"asked_per_s": a["rate"], "written": wrote, "written_per_s": wrote / elapsed,
            "behind_etcd_max": max(vals) if vals else None,
            "behind_etcd_last": vals[-1] if vals else None,
            "lag_samples": lags, "drained_after_s": drained}


def main():
    what, args = sys.argv[1], json.loads(sys.argv[2])
    fn = {"floor": floor, "converge": converge, "scale_load": scale_load,
          "scale_sync": scale_sync, "scale_rate": scale_rate}[what]
    print(json.dumps(fn(args)))


if __name__ == "__main__":
    main()
