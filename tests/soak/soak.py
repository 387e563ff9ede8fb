#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Soak: traffic, configuration churn, event subscribers and restarts, with checks.

Two vswd hosts, each in its own network namespace, carry an NVGRE overlay
(VSID 5001) through a router namespace; host A also switches local traffic
between tap ports and takes a stream of ever-new source MACs on a veth
(kernel) port.  Pings run the whole time.  Meanwhile a churn loop adds and
deletes bridge domains, ports, static MACs and lookup records, flushes,
changes limits and aging on both hosts, and connects and drops event
subscribers that read slowly or never.  Host A restarts every round, in
turn with SIGTERM, with SIGKILL, and with SIGKILL sent right after a
configuration-changing request whose reply it never waits for.

Checks (each one fails the run, with the vswd log):
  crash      vswd exits 0 on SIGTERM, -9 on SIGKILL, never otherwise, never
             by itself, and its log holds no sanitizer or segfault report;
  config     the file parses after every stop, and after every restart
             bd list, port list, lookup show and the static MACs equal what
             the churn loop knows was acknowledged (a request killed before
             its reply: the state before it or after it, nothing else);
  forwarding after every restart each traffic flow answers a ping again
             within FORWARD_TIMEOUT seconds;
  mbufs      with traffic paused and the base ports only, mbufs_in_use
             returns to the value measured before any traffic (mid-run and
             at the end, on both hosts);
  rss        VmRSS after a warm-up does not grow by more than RSS_GROWTH_MIB
             and RSS_GROWTH_PCT (host B lives the whole run; host A is
             sampled at the end of each of its lifetimes);
  stall      with never-reading subscribers attached during an event storm,
             ping latency between two of A's tap ports and the control
             socket's latency stay within bounds, and nothing is lost.

--inject NAME breaks one property on purpose, to show that its check fails:
crash, config, forwarding, mbufs, rss, stall.

usage: soak.py VSWD VSWCTL [--minutes N] [--inject NAME] [--keep]
       (root; exits 77 when it cannot run)
"""
import argparse
import collections
import copy
import fcntl
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time

ROUND_S = 6.0            # churn between two restarts of host A
FORWARD_TIMEOUT = 30.0   # seconds for forwarding to resume after a restart
START_TIMEOUT = 30.0     # seconds for vswd to answer after it is started
STOP_TIMEOUT = 60.0      # seconds for vswd to exit after SIGTERM (device teardown is slow under load)
KILL_TIMEOUT = 120.0     # ... after SIGKILL: only the kernel's device teardown, slow under load
RSS_GROWTH_MIB = 4.0     # allowed VmRSS growth after warm-up ...
RSS_GROWTH_PCT = 5.0     # ... and as a share of the post-warm-up level
STALL_RTT_FACTOR = 3.0   # ping p90 with stalled subscribers <= factor * baseline p90 ...
STALL_RTT_SLACK_MS = 2.0  # ... + slack
STALL_RPC_MS = 500.0     # a control call with stalled subscribers attached
CRASH_PATTERNS = re.compile(
    r"AddressSanitizer|UndefinedBehaviorSanitizer|runtime error:|Segmentation fault|"
    r"SIGSEGV|Aborted|PANIC|EAL: Error - exiting")

PA_A, PA_B = "198.51.100.1", "192.0.2.1"
GW_A, GW_B = "198.51.100.254", "192.0.2.254"
VSID1, VSID9 = 5001, 7001
TENANT_MTU = 1458
FLOOD_PPS = 300
RECORD_PAS = [PA_A, PA_B, "192.0.2.77", "198.51.100.77"]


class SoakFailure(Exception):
    pass


class Skip(Exception):
    pass


def now():
    return time.monotonic()


def sh(*cmd, check=True, timeout=30, ns=None):
    if ns:
        cmd = ("ip", "netns", "exec", ns) + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and r.returncode != 0:
        raise SoakFailure("command failed (%d): %s\n%s" % (r.returncode, " ".join(cmd),
                                                            r.stderr.strip()))
    return r


def wait_for(what, timeout, fn, interval=0.1):
    """Poll fn() until it returns a true value; fail after 'timeout' seconds."""
    deadline = now() + timeout
    while True:
        v = fn()
        if v:
            return v
        if now() >= deadline:
            raise SoakFailure("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(interval)


# ---------------------------------------------------------------- JSON-RPC

class RpcError(Exception):
    def __init__(self, code, message):
        super().__init__("%s (%s)" % (message, code))
        self.code = code


class Rpc:
    """One connection to a vswd control socket, reopened when it breaks."""

    def __init__(self, path):
        self.path = path
        self.sock = None
        self.buf = b""
        self.next_id = 1

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buf = None, b""

    def call(self, method, params=None, timeout=10.0):
        if self.sock is None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(self.path)
        self.sock.settimeout(timeout)
        rid = self.next_id
        self.next_id += 1
        req = {"jsonrpc": "2.0", "id": rid, "method": method, "params": params or {}}
        try:
            self.sock.sendall(json.dumps(req).encode() + b"\n")
            while True:
                while b"\n" not in self.buf:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("vswd closed the connection")
                    self.buf += chunk
                line, self.buf = self.buf.split(b"\n", 1)
                reply = json.loads(line)
                if reply.get("id") == rid:
                    break
        except (OSError, ValueError):
            self.close()
            raise
        if "error" in reply:
            raise RpcError(reply["error"].get("code"), reply["error"].get("message"))
        return reply["result"]


def unread(sub):
    """Bytes waiting unread in a subscriber's socket."""
    return struct.unpack("i", fcntl.ioctl(sub.sock.fileno(), termios.FIONREAD, b"\0\0\0\0"))[0]


def send_and_forget(path, method, params):
    """Send one request and return at once, without reading the reply."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    s.sendall(json.dumps({"jsonrpc": "2.0", "id": 1, "method": method,
                          "params": params}).encode() + b"\n")
    return s


# ---------------------------------------------------------------- the model

def empty_model():
    return {"bds": {}, "ports": {}, "lookups": {}, "statics": {}}


def bd_row(vsid=None):
    return {"vsid": vsid, "aging": 300, "max_macs": 0, "learning": True,
            "limit_action": "forward"}


BD_KEYS = {"aging": "aging", "max-macs": "max_macs", "learning": "learning",
           "limit-action": "limit_action"}


def apply_op(model, method, p):
    """The configuration after 'method' with params 'p' succeeds."""
    m = copy.deepcopy(model)
    if method == "bd.add":
        m["bds"][p["name"]] = bd_row(p.get("vsid"))
    elif method == "bd.del":
        del m["bds"][p["name"]]
    elif method == "bd.set":
        for k, v in p.items():
            if k != "name":
                m["bds"][p["name"]][BD_KEYS[k]] = v
    elif method == "port.add":
        m["ports"][p["name"]] = {"type": p["type"], "bd": p.get("bd", "default"), "max_macs": 0}
    elif method == "port.del":
        del m["ports"][p["name"]]
        m["statics"] = {k: v for k, v in m["statics"].items() if v != p["name"]}
    elif method == "port.set":
        m["ports"][p["name"]]["max_macs"] = p["max-macs"]
    elif method == "lookup.add":
        m["lookups"][(p["vsid"], p["ca_ip"])] = (p["ca_mac"], p["pa"])
    elif method == "lookup.del":
        del m["lookups"][(p["vsid"], p["ca_ip"])]
    elif method == "fdb.add":
        m["statics"][(p["bd"], p["mac"])] = p["port"]
    elif method == "fdb.del":
        del m["statics"][(p["bd"], p["mac"])]
    elif method == "fdb.flush":
        pass
    else:
        raise AssertionError(method)
    return m


def model_view(m):
    """A model in the form actual_view() reports, comparable with ==."""
    return {
        "bds": {k: dict(v) for k, v in m["bds"].items()},
        "ports": {k: dict(v) for k, v in m["ports"].items()},
        "lookups": {"%d/%s" % k: list(v) for k, v in m["lookups"].items()},
        "statics": {"%s/%s" % k: v for k, v in m["statics"].items()},
    }


def view_diff(want, got):
    out = []
    for sect in want:
        w, g = want[sect], got[sect]
        for k in sorted(set(w) | set(g)):
            if w.get(k) != g.get(k):
                out.append("  %s %s: acknowledged %s, vswd reports %s" % (sect, k, w.get(k), g.get(k)))
    return "\n".join(out)


# ---------------------------------------------------------------- a host

class Host:
    def __init__(self, soak, name, ns):
        self.soak, self.name, self.ns = soak, name, ns
        d = os.path.join(soak.tmp, name)
        os.makedirs(d, exist_ok=True)
        self.sock = os.path.join(d, "vswd.sock")
        self.config = os.path.join(d, "config.json")
        self.log = os.path.join(d, "vswd.log")
        self.proc = None
        self.rpc = Rpc(self.sock)
        self.model = empty_model()
        self.base_ports = set()       # never churned
        self.base_bds = set()
        self.churn_bds, self.churn_ports = set(), set()
        self.counter = 0
        self.ops = collections.Counter()
        self.refused = 0
        self.last_counters = {}       # this process's last stats sample
        self.totals = collections.Counter()  # summed over finished processes
        self.port_totals = collections.Counter()
        self.last_ports = {}
        self.lifetimes = 0
        self.end_rss = []             # (t, kB) at the end of each lifetime
        self.mbuf_baseline = None

    # -- process

    def start(self):
        with open(self.log, "a") as log:
            log.write("==== %s start\n" % time.strftime("%T"))
            log.flush()
            self.proc = subprocess.Popen(
                ["ip", "netns", "exec", self.ns, self.soak.vswd, "--socket", self.sock,
                 "--config", self.config, "--workers", "1", "--idle-sleep", "100",
                 "--mbufs", "8191", "--eal", "-l", "0-1", "--no-huge", "-m", "1024",
                 "--no-pci", "--no-shconf"],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.rpc.close()
        self.last_counters, self.last_ports = {}, {}
        self.lifetimes += 1

        def ready():
            if self.proc.poll() is not None:
                self.crash("exited with status %s during start-up" % self.proc.returncode)
            try:
                Rpc(self.sock).call("system.version", timeout=2)
                return True
            except (OSError, ValueError, RpcError):
                return False
        wait_for("vswd %s to answer on %s" % (self.name, self.sock), START_TIMEOUT, ready)

    @property
    def pid(self):
        """The vswd process itself (ip netns exec execs it, so the same pid)."""
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def check_alive(self):
        if self.proc is not None and self.proc.poll() is not None:
            self.crash("exited by itself with status %s" % self.proc.returncode)

    def crash(self, why):
        tail = ""
        try:
            with open(self.log, errors="replace") as f:
                tail = "".join(f.readlines()[-40:])
        except OSError:
            pass
        raise SoakFailure("crash: vswd %s %s\n---- %s (last 40 lines) ----\n%s"
                          % (self.name, why, self.log, tail))

    def stop(self, how):
        """Stop with SIGTERM ('term') or SIGKILL ('kill'); check the exit status."""
        self.sample()
        self.end_rss.append((now(), self.rss()))
        self.fold_counters()
        if how == "term":
            self.proc.send_signal(signal.SIGTERM)
            try:
                rc = self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.crash("did not exit within %.0f s of SIGTERM" % STOP_TIMEOUT)
            if rc != 0:
                self.crash("exited with status %s after SIGTERM (wanted 0)" % rc)
        else:
            t = now()
            self.proc.send_signal(signal.SIGKILL)
            try:
                rc = self.proc.wait(KILL_TIMEOUT)
            except subprocess.TimeoutExpired:
                raise SoakFailure("vswd %s (pid %d) still there %.0f s after SIGKILL, in the "
                                  "kernel (wchan %s): closing its tap and AF_PACKET devices"
                                  % (self.name, self.pid, KILL_TIMEOUT, self.wchan()))
            self.soak.kill_reap_s = max(self.soak.kill_reap_s, now() - t)
            if rc != -signal.SIGKILL:
                self.crash("exited with status %s, not by our SIGKILL" % rc)
        self.proc = None
        self.rpc.close()
        self.scan_log()
        self.check_file()

    def wchan(self):
        try:
            with open("/proc/%d/wchan" % self.pid) as f:
                return f.read().strip() or "?"
        except OSError:
            return "?"

    def scan_log(self):
        with open(self.log, errors="replace") as f:
            for line in f:
                if CRASH_PATTERNS.search(line):
                    self.crash("logged: %s" % line.strip())

    def check_file(self):
        """The saved configuration parses as JSON (what python3 -m json.tool checks)."""
        if not os.path.exists(self.config):
            return
        try:
            with open(self.config) as f:
                json.load(f)
        except ValueError as e:
            shutil.copy(self.config, self.config + ".bad")
            raise SoakFailure("config: %s does not parse: %s (kept as %s.bad)"
                              % (self.config, e, self.config))
        self.soak.stats["config_files_parsed"] += 1

    def rss(self):
        try:
            with open("/proc/%d/status" % self.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except (OSError, TypeError):
            pass
        return None

    # -- calls

    def call(self, method, params=None, timeout=10.0):
        self.check_alive()
        try:
            return self.rpc.call(method, params, timeout)
        except (OSError, ValueError) as e:
            self.check_alive()
            raise SoakFailure("vswd %s: %s failed: %s" % (self.name, method, e))

    def change(self, method, params):
        """A configuration change the model knows; it must be acknowledged."""
        try:
            self.call(method, params)
        except RpcError as e:
            raise SoakFailure("vswd %s refused %s %s: %s" % (self.name, method, params, e))
        self.model = apply_op(self.model, method, params)
        self.ops[method] += 1

    def sample(self):
        if not self.alive():
            return
        try:
            s = self.call("stats.show", timeout=5)
        except RpcError:
            return
        self.last_counters = s["counters"]
        self.last_ports = {p["name"]: p for p in s["ports"]}

    def fold_counters(self):
        for k, v in self.last_counters.items():
            if k not in ("fdb_entries", "mbufs_in_use"):
                self.totals[k] += v
        for p in self.last_ports.values():
            for k in ("rx_packets", "tx_packets", "rx_dropped", "tx_dropped"):
                self.port_totals[k] += p[k]
        self.last_counters, self.last_ports = {}, {}

    def counters_now(self):
        c = collections.Counter(self.totals)
        for k, v in self.last_counters.items():
            if k not in ("fdb_entries", "mbufs_in_use"):
                c[k] += v
        return c

    def ports_now(self):
        c = collections.Counter(self.port_totals)
        for p in self.last_ports.values():
            for k in ("rx_packets", "tx_packets", "rx_dropped", "tx_dropped"):
                c[k] += p[k]
        return c

    # -- what vswd says

    def actual_view(self):
        bds = {b["name"]: {"vsid": b["vsid"], "aging": b["aging"], "max_macs": b["max_macs"],
                           "learning": b["learning"], "limit_action": b["limit_action"]}
               for b in self.call("bd.list") if b["name"] != "default"}
        ports = {p["name"]: {"type": p["type"], "bd": p["bd"], "max_macs": p["max_macs"]}
                 for p in self.call("port.list")}
        lookups = {"%d/%s" % (r["vsid"], r["ca_ip"]): [r["ca_mac"], r["pa"]]
                   for r in self.call("lookup.show")}
        statics = {"%s/%s" % (e["bd"], e["mac"]): e["port"]
                   for e in self.call("fdb.show") if e["type"] == "static"}
        return {"bds": bds, "ports": ports, "lookups": lookups, "statics": statics}

    def mbufs_in_use(self):
        return self.call("stats.show")["counters"]["mbufs_in_use"]

    # -- churn

    def uniq(self, prefix):
        self.counter += 1
        return "%s%d" % (prefix, self.counter)

    def pick_op(self, rng):
        """A configuration change that is valid in the current model."""
        m = self.model
        cbds = sorted(b for b in m["bds"] if b in self.churn_bds)
        cports = sorted(p for p in m["ports"] if p in self.churn_ports)
        empty_cbds = [b for b in cbds if not any(p["bd"] == b for p in m["ports"].values())]
        clookups = sorted(k for k in m["lookups"] if k[1].startswith("203.0.113.1") and
                          int(k[1].rsplit(".", 1)[1]) >= 100)
        used_vsids = {b["vsid"] for b in m["bds"].values() if b["vsid"]}
        choices = []
        if len(cbds) < 8:
            choices += ["bd.add"] * 3
        if empty_cbds:
            choices += ["bd.del"] * 2
        choices += ["bd.set"] * 3
        if cbds and len(cports) < 12:
            choices += ["port.add"] * 3
        if cports:
            choices += ["port.del"] * 2 + ["port.set"]
        choices += ["lookup.add"] * (4 if len(clookups) < 40 else 1)
        if clookups:
            choices += ["lookup.del"] * 2
        if cports and len(m["statics"]) < 20:
            choices += ["fdb.add"] * 2
        if m["statics"]:
            choices += ["fdb.del"]
        choices += ["fdb.flush"]
        op = rng.choice(choices)
        if op == "bd.add":
            p = {"name": self.uniq("c")}
            if rng.random() < 0.5:
                p["vsid"] = rng.choice([v for v in range(8001, 8100) if v not in used_vsids])
            return op, p
        if op == "bd.del":
            return op, {"name": rng.choice(empty_cbds)}
        if op == "bd.set":
            name = rng.choice(cbds + ["mac", "t1"])
            if name == "t1":
                key, val = rng.choice([("aging", rng.choice([60, 300])),
                                       ("max-macs", rng.choice([0, 100]))])
            elif name == "mac":
                key, val = rng.choice([("aging", rng.choice([2, 5, 10])),
                                       ("max-macs", rng.choice([50, 200, 500])),
                                       ("limit-action", rng.choice(["forward", "drop"]))])
            else:
                key, val = rng.choice([("aging", rng.choice([0, 5, 30, 300])),
                                       ("max-macs", rng.choice([0, 50, 1000])),
                                       ("learning", rng.choice([True, False])),
                                       ("limit-action", rng.choice(["forward", "drop"]))])
            return op, {"name": name, key: val}
        if op == "port.add":
            bd = rng.choice(cbds)
            taps = sum(1 for q in cports if m["ports"][q]["type"] == "tap")
            # A tap port's RX ring holds 1023 of the 8191 buffers: at most 5 taps in all.
            if self.name == "A" and taps < 2 and rng.random() < 0.15:
                # A tap port: vswd makes a kernel interface (in host A's namespace).
                return op, {"name": self.uniq("ct"), "type": "tap", "bd": bd,
                            "iface": "s%dt%d" % (self.soak.id, self.counter)}
            return op, {"name": self.uniq("cp"), "type": "null", "bd": bd}
        if op == "port.del":
            return op, {"name": rng.choice(cports)}
        if op == "port.set":
            return op, {"name": rng.choice(cports + sorted(self.base_vm_ports)),
                        "max-macs": rng.choice([0, 8, 64])}
        if op == "lookup.add":
            k = rng.randrange(60)
            vsid = rng.choice([VSID1, VSID9])
            return op, {"vsid": vsid, "ca_ip": "203.0.113.%d" % (100 + k),
                        "ca_mac": "02:5a:%02x:%02x:00:%02x" % (vsid >> 8, vsid & 0xff, k),
                        "pa": rng.choice(RECORD_PAS)}
        if op == "lookup.del":
            vsid, ca = rng.choice(clookups)
            return op, {"vsid": vsid, "ca_ip": ca}
        if op == "fdb.add":
            port = rng.choice(cports)
            return op, {"bd": m["ports"][port]["bd"], "port": port,
                        "mac": "02:5b:00:00:%02x:%02x" % (rng.randrange(4), rng.randrange(256))}
        if op == "fdb.del":
            bd, mac = rng.choice(sorted(m["statics"]))
            return op, {"bd": bd, "mac": mac}
        bd = rng.choice(["mac", "t1", None] + cbds)
        return op, ({"bd": bd} if bd else {})

    def note_churn(self, method, p):
        if method == "bd.add":
            self.churn_bds.add(p["name"])
        elif method == "port.add":
            self.churn_ports.add(p["name"])

    def churn_once(self, rng):
        method, p = self.pick_op(rng)
        self.note_churn(method, p)
        try:
            self.change(method, p)
        except SoakFailure as e:
            # A static MAC may be refused when the same MAC is static elsewhere
            # in that domain already; anything else is a failure.
            if method == "fdb.add" and "exists" in str(e):
                self.refused += 1
                return
            raise

    def remove_churn_ports(self):
        for name in sorted(p for p in self.model["ports"] if p in self.churn_ports):
            self.change("port.del", {"name": name})

    def compare(self, pending=None):
        """vswd's configuration equals the model (or, with a pending request, the
        model after it); adopt whichever matched."""
        got = self.actual_view()
        want = model_view(self.model)
        if got == want:
            return "before"
        if pending is not None:
            after = apply_op(self.model, *pending)
            if got == model_view(after):
                self.model = after
                self.ops[pending[0]] += 1
                return "after"
            raise SoakFailure(
                "config: after restart, vswd %s holds neither the acknowledged configuration "
                "nor that plus the unanswered %s %s:\nagainst the acknowledged one:\n%s\n"
                "against it plus the request:\n%s"
                % (self.name, pending[0], pending[1], view_diff(want, got),
                   view_diff(model_view(after), got)))
        raise SoakFailure("config: vswd %s does not hold the acknowledged configuration:\n%s"
                          % (self.name, view_diff(want, got)))


# ---------------------------------------------------------------- subscribers

class Subscriber:
    """An events.subscribe connection that reads slowly ('slow') or never ('stalled')."""

    def __init__(self, host, kind, rcvbuf=4096):
        self.host, self.kind = host, kind
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(5)
        self.sock.connect(host.sock)
        self.sock.sendall(b'{"jsonrpc":"2.0","id":1,"method":"events.subscribe"}\n')
        self.sock.setblocking(False)
        self.bytes = 0
        self.born = now()
        self.lifetime = random.uniform(2, 12)

    def tick(self):
        if self.kind != "slow":
            return
        try:
            data = self.sock.recv(512)
            self.bytes += len(data)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            pass

    def drain_for(self, needle):
        """Read what is there; True once 'needle' has been seen."""
        if not hasattr(self, "seen"):
            self.seen = b""
        try:
            while True:
                data = self.sock.recv(65536)
                if not data:
                    break
                self.bytes += len(data)
                hit = needle in self.seen + data
                self.seen = (self.seen + data)[-4096:]
                if hit:
                    self.seen += needle
                    return True
        except (BlockingIOError, InterruptedError):
            pass
        return needle in self.seen

    def expired(self):
        return now() - self.born > self.lifetime

    def close(self):
        self.sock.close()


# ---------------------------------------------------------------- traffic

def flood_main(iface, pps, seed):
    """Broadcast frames from ever-new source MACs on iface (runs in its namespace)."""
    rng = random.Random(seed)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    interval = 10.0 / pps
    nxt = time.monotonic()
    while True:
        for _ in range(10):
            src = bytes([0x02, 0x5c]) + rng.getrandbits(32).to_bytes(4, "big")
            frame = b"\xff" * 6 + src + struct.pack("!H", 0x88b5) + b"soak" * 12
            try:
                s.send(frame)
            except OSError:
                pass
        nxt += interval
        delay = nxt - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:
            nxt = time.monotonic()


class Soak:
    def __init__(self, args):
        self.args = args
        self.vswd, self.vswctl = os.path.realpath(args.vswd), os.path.realpath(args.vswctl)
        self.id = os.getpid() % 10000
        self.tmp = tempfile.mkdtemp(prefix="vsw-soak.")
        self.rng = random.Random(args.seed)
        self.netns = []
        self.bg = []           # background processes (pings, flood)
        self.pings = {}
        self.subs = []
        self.stats = collections.Counter()
        self.rss = {"A": [], "B": []}
        self.rss_stop = threading.Event()
        self.resume_times = []
        self.kill_reap_s = 0.0
        self.t0 = now()
        p = "s%d" % self.id
        self.ns = {k: "%s-%s" % (p, k) for k in ("ha", "hb", "r", "v1", "v3", "vb", "l1", "l2", "fl")}
        self.A = Host(self, "A", self.ns["ha"])
        self.B = Host(self, "B", self.ns["hb"])
        self.A.base_vm_ports = {"va1", "ta3", "tl1", "tl2"}
        self.B.base_vm_ports = {"vb2"}

    def say(self, msg):
        print("[soak %s] %s" % (time.strftime("%M:%S", time.gmtime(now() - self.t0)), msg),
              flush=True)

    # -- set-up

    def mkns(self, name):
        sh("ip", "netns", "add", name)
        self.netns.append(name)
        sh("ip", "-n", name, "link", "set", "lo", "up")
        sh("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
           "net.ipv6.conf.default.disable_ipv6=1", ns=name, check=False)

    def veth(self, prefix, ns_far, ns_near):
        """prefix+'h' (up, in ns_near, for a kernel port) -- prefix+'n' in ns_far."""
        sh("ip", "link", "add", prefix + "h", "netns", ns_near, "type", "veth",
           "peer", "name", prefix + "n", "netns", ns_far)
        sh("ip", "-n", ns_near, "link", "set", prefix + "h", "up")
        for ns, ifc in ((ns_near, prefix + "h"), (ns_far, prefix + "n")):
            sh("ethtool", "-K", ifc, "tx", "off", ns=ns, check=False)

    def vm_addr(self, ns, ifc, mac, ip, mtu=None):
        sh("ip", "-n", ns, "link", "set", ifc, "address", mac)
        if mtu:
            sh("ip", "-n", ns, "link", "set", ifc, "mtu", str(mtu))
        sh("ip", "-n", ns, "addr", "add", ip + "/24", "dev", ifc)
        sh("ip", "-n", ns, "link", "set", ifc, "up")

    def setup(self):
        n = self.ns
        for k in n:
            self.mkns(n[k])
        i = self.id
        # Router between the provider subnets.
        self.veth("s%dua" % i, n["r"], n["ha"])
        self.veth("s%dub" % i, n["r"], n["hb"])
        sh("ip", "-n", n["r"], "addr", "add", GW_A + "/24", "dev", "s%duan" % i)
        sh("ip", "-n", n["r"], "addr", "add", GW_B + "/24", "dev", "s%dubn" % i)
        sh("ip", "-n", n["r"], "link", "set", "s%duan" % i, "up")
        sh("ip", "-n", n["r"], "link", "set", "s%dubn" % i, "up")
        sh("sysctl", "-qw", "net.ipv4.ip_forward=1", ns=n["r"])
        gw_b_mac = sh("cat", "/sys/class/net/s%dubn/address" % i, ns=n["r"]).stdout.strip()
        # VMs on veth (kernel) ports: v1 on A, vb on B; the flooder on A.
        self.veth("s%dv1" % i, n["v1"], n["ha"])
        self.vm_addr(n["v1"], "s%dv1n" % i, "02:00:00:01:00:01", "203.0.113.1", TENANT_MTU)
        self.veth("s%dvb" % i, n["vb"], n["hb"])
        self.vm_addr(n["vb"], "s%dvbn" % i, "02:00:00:01:00:02", "203.0.113.2", TENANT_MTU)
        self.veth("s%dfl" % i, n["fl"], n["ha"])
        sh("ip", "-n", n["fl"], "link", "set", "s%dfln" % i, "up")

        A, B = self.A, self.B
        A.start()
        B.start()
        a = [("bd.add", {"name": "t1", "vsid": VSID1}), ("bd.add", {"name": "t9", "vsid": VSID9}),
             ("bd.add", {"name": "loc"}), ("bd.add", {"name": "mac"}),
             ("bd.set", {"name": "mac", "aging": 5}), ("bd.set", {"name": "mac", "max-macs": 200}),
             ("port.add", {"name": "up", "type": "kernel", "iface": "s%duah" % i}),
             ("port.add", {"name": "va1", "type": "kernel", "iface": "s%dv1h" % i, "bd": "t1"}),
             ("port.add", {"name": "ta3", "type": "tap", "iface": "s%dta3" % i, "bd": "t1"}),
             ("port.add", {"name": "tl1", "type": "tap", "iface": "s%dtl1" % i, "bd": "loc"}),
             ("port.add", {"name": "tl2", "type": "tap", "iface": "s%dtl2" % i, "bd": "loc"}),
             ("port.add", {"name": "fl", "type": "kernel", "iface": "s%dflh" % i, "bd": "mac"}),
             ("port.add", {"name": "fs", "type": "null", "bd": "mac"})]
        b = [("bd.add", {"name": "t1", "vsid": VSID1}), ("bd.add", {"name": "t9", "vsid": VSID9}),
             ("bd.add", {"name": "mac"}),
             ("port.add", {"name": "up", "type": "kernel", "iface": "s%dubh" % i}),
             ("port.add", {"name": "vb2", "type": "kernel", "iface": "s%dvbh" % i, "bd": "t1"})]
        records = [("lookup.add", {"vsid": VSID1, "ca_ip": "203.0.113.1",
                                   "ca_mac": "02:00:00:01:00:01", "pa": PA_A}),
                   ("lookup.add", {"vsid": VSID1, "ca_ip": "203.0.113.3",
                                   "ca_mac": "02:00:00:01:00:03", "pa": PA_A}),
                   ("lookup.add", {"vsid": VSID1, "ca_ip": "203.0.113.2",
                                   "ca_mac": "02:00:00:01:00:02", "pa": PA_B})]
        for h, ops in ((A, a + records), (B, b + records)):
            for method, p in ops:
                h.change(method, p)
            h.base_ports = set(h.model["ports"])
            h.base_bds = set(h.model["bds"])
        # The overlay's own configuration; not churned, checked through system.show.
        A.call("uplink.set", {"port": "up", "mtu": 1500})
        A.call("pa.add", {"address": PA_A + "/24"})
        A.call("route.add", {"prefix": "0.0.0.0/0", "via": GW_A})
        B.call("uplink.set", {"port": "up", "mtu": 1500})
        B.call("pa.add", {"address": PA_B + "/24"})
        B.call("route.add", {"prefix": "198.51.100.0/24", "via": GW_B})
        B.call("neigh.add", {"ip": GW_B, "mac": gw_b_mac})
        # The uplink leaves its bridge domain: the model follows what port.list says.
        for h in (A, B):
            h.model["ports"]["up"]["bd"] = ""
            h.overlay = self.overlay_view(h)
        self.attach_taps()

    def overlay_view(self, h):
        s = h.call("system.show")
        return json.dumps([s["overlay"], s["routes"]], sort_keys=True)

    def attach_taps(self):
        """Move host A's tap interfaces into their VMs' namespaces (after every start)."""
        i, n = self.id, self.ns
        for ifc, ns, mac, ip, mtu in (("s%dta3" % i, n["v3"], "02:00:00:01:00:03", "203.0.113.3", TENANT_MTU),
                                      ("s%dtl1" % i, n["l1"], "02:00:00:0a:00:0b", "203.0.113.11", None),
                                      ("s%dtl2" % i, n["l2"], "02:00:00:0a:00:0c", "203.0.113.12", None)):
            wait_for("tap %s in host A's namespace" % ifc, 10,
                     lambda: sh("ip", "-n", self.A.ns, "link", "show", ifc, check=False).returncode == 0)
            sh("ip", "-n", self.A.ns, "link", "set", ifc, "netns", ns)
            if self.args.inject == "forwarding" and self.stats["restarts"] >= 1 and ifc.endswith("ta3"):
                continue  # left down with no address: forwarding to .3 cannot resume
            self.vm_addr(ns, ifc, mac, ip, mtu)

    FLOWS = [("vb", "203.0.113.1", "overlay B->A veth"), ("vb", "203.0.113.3", "overlay B->A tap"),
             ("v1", "203.0.113.3", "A local veth->tap"), ("l1", "203.0.113.12", "A local tap->tap")]

    def start_traffic(self):
        for ns, dst, what in self.FLOWS:
            p = subprocess.Popen(["ip", "netns", "exec", self.ns[ns], "ping", "-n", "-q",
                                  "-i", "0.05", "-W", "1", dst],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            self.bg.append(p)
            self.pings[what] = p
        p = subprocess.Popen(["ip", "netns", "exec", self.ns["fl"], sys.executable,
                              os.path.realpath(__file__), "--flood", "s%dfln" % self.id,
                              str(FLOOD_PPS), str(self.args.seed)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.bg.append(p)
        self.flood = p

    def pause_traffic(self, pause):
        for p in self.bg:
            if p.poll() is None:
                p.send_signal(signal.SIGSTOP if pause else signal.SIGCONT)

    def forwarding_resumes(self):
        t = now()
        for ns, dst, what in self.FLOWS:
            try:
                wait_for("forwarding to resume: %s (ping %s from %s)" % (what, dst, ns),
                         FORWARD_TIMEOUT,
                         lambda: sh("ping", "-n", "-c", "1", "-W", "1", dst, ns=self.ns[ns],
                                    check=False).returncode == 0, interval=0.05)
            except SoakFailure as e:
                raise SoakFailure("forwarding: %s" % e)
        self.resume_times.append(now() - t)

    # -- RSS sampling

    def rss_sampler(self):
        while not self.rss_stop.wait(1.0):
            for h in (self.A, self.B):
                v = h.rss()
                if v:
                    if self.args.inject == "rss" and h is self.B:
                        v += int((now() - self.t0) * 200)  # a simulated leak of 200 kB/s
                    self.rss[h.name].append((now() - self.t0, h.pid, v))

    # -- checks

    def quiesce_check(self, label):
        """Traffic paused, churn ports gone: buffers in use back at the baseline."""
        self.pause_traffic(True)
        self.drop_subscribers()
        for h in (self.A, self.B):
            h.remove_churn_ports()
        if self.args.inject == "mbufs" and label == "end":
            # Something that holds buffers and is not in the baseline: an
            # infinite_rx pcap port keeps every frame of its file in a buffer.
            self.A.call("port.add", {"name": "leak", "type": "pcap", "infinite_rx": 1,
                                     "rx_pcap": self.leak_pcap(), "bd": "mac"})
        res = {h.name: self.settled_mbufs(h) for h in (self.A, self.B)}
        self.pause_traffic(False)
        self.say("mbufs in use (%s): A %d (baseline %d), B %d (baseline %d)"
                 % (label, res["A"], self.A.mbuf_baseline, res["B"], self.B.mbuf_baseline))
        for h in (self.A, self.B):
            if res[h.name] != h.mbuf_baseline:
                raise SoakFailure("mbufs: host %s holds %d packet buffers with traffic stopped, "
                                  "%d before any traffic with the same ports (%s)"
                                  % (h.name, res[h.name], h.mbuf_baseline, label))
        self.stats["mbuf_checks"] += 1

    def settled_mbufs(self, h):
        """mbufs_in_use once it has been the same for 1 s (bounded: 20 s)."""
        hist = []

        def steady():
            hist.append(h.mbufs_in_use())
            return len(hist) >= 6 and len(set(hist[-6:])) == 1
        try:
            wait_for("mbufs_in_use on %s to settle" % h.name, 20, steady, interval=0.2)
        except SoakFailure:
            pass  # report the last value; the comparison decides
        return hist[-1]

    def leak_pcap(self):
        path = os.path.join(self.tmp, "leak.pcap")
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
            frame = b"\xff" * 6 + b"\x02\x5d\x00\x00\x00\x01" + b"\x88\xb5" + b"\x00" * 46
            for k in range(500):
                f.write(struct.pack("<IIII", k, 0, len(frame), len(frame)) + frame)
        return path

    def ping_stats(self, count=100):
        r = sh("ping", "-n", "-c", str(count), "-i", "0.01", "-W", "1", "203.0.113.12",
               ns=self.ns["l1"], check=False, timeout=60)
        rtts = [float(x) for x in re.findall(r"time=([0-9.]+) ms", r.stdout)]
        m = re.search(r"(\d+) packets transmitted, (\d+) received", r.stdout)
        sent, got = (int(m.group(1)), int(m.group(2))) if m else (count, len(rtts))
        rtts.sort()
        p90 = rtts[int(len(rtts) * 0.9) - 1] if rtts else float("inf")
        return {"sent": sent, "received": got, "median": statistics.median(rtts) if rtts else
                float("inf"), "p90": p90}

    def rpc_ms(self):
        t = now()
        self.A.call("system.version")
        return (now() - t) * 1000

    def stall_check(self):
        """Never-reading subscribers during an event storm do not slow the workers."""
        self.drop_subscribers()
        base = self.ping_stats()
        base_rpc = max(self.rpc_ms() for _ in range(5))
        pmd0 = self.A.call("stats.pmd")[0]["packets"]
        self.A.change("bd.set", {"name": "mac", "max-macs": 0})
        subs = [Subscriber(self.A, "stalled", rcvbuf=1024) for _ in range(4)]
        self.subs += subs
        stop = threading.Event()

        def storm():  # re-learn the flooder's MACs: a steady stream of fdb.learned events
            while not stop.wait(0.3):
                try:
                    Rpc(self.A.sock).call("fdb.flush", {"bd": "mac"}, timeout=5)
                except (OSError, ValueError, RpcError):
                    pass
        stormer = threading.Thread(target=storm, daemon=True)
        stormer.start()
        injector = None
        if self.args.inject == "stall":
            def inject():  # the workers slowed: vswd stopped 40 ms of every 60
                while not stop.is_set():
                    os.kill(self.A.pid, signal.SIGSTOP)
                    time.sleep(0.04)
                    os.kill(self.A.pid, signal.SIGCONT)
                    time.sleep(0.02)
            injector = threading.Thread(target=inject, daemon=True)
            injector.start()
        try:
            # The subscribers must really be behind: what they left unread has
            # stopped growing (the socket is full, vswd holds the rest back).
            last = {}

            def full():
                cur = {id(x): unread(x) for x in subs}
                ok = last and all(cur[k] > 0 and cur[k] == last.get(k) for k in cur)
                last.clear()
                last.update(cur)
                return ok
            wait_for("the stalled subscribers' sockets to fill", 30, full, interval=0.5)
            stalled = self.ping_stats(300)
            stalled_rpc = max(self.rpc_ms() for _ in range(5))
        finally:
            stop.set()
            stormer.join()
            if injector:
                injector.join()
                os.kill(self.A.pid, signal.SIGCONT)
        # ... and vswd dropped events for them: once one catches up, it is told.
        learned0 = self.A.call("stats.show")["counters"]["fdb_learned"]
        try:
            wait_for("events.lost on a stalled subscriber that catches up", 20,
                     lambda: any(x.drain_for(b'"events.lost"') for x in subs), interval=0.05)
        except SoakFailure as e:
            raise SoakFailure("stall: %s (the check stalled nothing?): read %s bytes, fdb_learned "
                              "+%d while draining; last bytes: %r"
                              % (e, [x.bytes for x in subs],
                                 self.A.call("stats.show")["counters"]["fdb_learned"] - learned0,
                                 subs[0].seen[-200:]))
        pmd1 = self.A.call("stats.pmd")[0]["packets"]
        self.drop_subscribers()
        self.say("stalled subscribers: ping median %.3f ms p90 %.3f ms (%d/%d) against %.3f / %.3f ms "
                 "(%d/%d) without; control call %.1f ms against %.1f; worker packets +%d"
                 % (stalled["median"], stalled["p90"], stalled["received"], stalled["sent"],
                    base["median"], base["p90"], base["received"], base["sent"], stalled_rpc,
                    base_rpc, pmd1 - pmd0))
        self.stall_result = {"base": base, "stalled": stalled, "rpc_ms": stalled_rpc,
                             "base_rpc_ms": base_rpc}
        limit = base["p90"] * STALL_RTT_FACTOR + STALL_RTT_SLACK_MS
        if stalled["received"] < stalled["sent"] or stalled["p90"] > limit:
            raise SoakFailure("stall: with stalled subscribers ping p90 %.3f ms (limit %.3f), "
                              "%d of %d answered"
                              % (stalled["p90"], limit, stalled["received"], stalled["sent"]))
        if stalled_rpc > STALL_RPC_MS:
            raise SoakFailure("stall: a control call took %.0f ms with stalled subscribers"
                              % stalled_rpc)
        if pmd1 <= pmd0:
            raise SoakFailure("stall: the worker received nothing while subscribers stalled")
        self.stats["stall_checks"] += 1

    # -- subscribers during churn

    def churn_subscribers(self):
        for s in list(self.subs):
            s.tick()
            if s.expired():
                s.close()
                self.subs.remove(s)
        if len(self.subs) < 4 and self.rng.random() < 0.3:
            h = self.rng.choice([self.A, self.B])
            try:
                self.subs.append(Subscriber(h, self.rng.choice(["slow", "stalled"])))
                self.stats["subscribers"] += 1
            except OSError:
                pass

    def drop_subscribers(self):
        for s in self.subs:
            s.close()
        self.subs = []

    # -- restarts

    def restart_A(self, how):
        A = self.A
        self.drop_subscribers()
        pending = None
        if how == "midwrite":
            method, p = A.pick_op(self.rng)
            A.note_churn(method, p)
            s = send_and_forget(A.sock, method, p)
            if self.rng.random() < 0.5:  # at once, or while vswd may be writing the file
                time.sleep(self.rng.uniform(0, 0.003))
            A.stop("kill")
            s.close()
            pending = (method, p)
        else:
            A.stop(how)
        if self.args.inject == "config" and self.stats["restarts"] == 1:
            with open(A.config) as f:
                c = json.load(f)
            c["lookups"] = c.get("lookups", [])[1:]
            with open(A.config, "w") as f:
                json.dump(c, f)
        if self.args.inject == "crash" and self.stats["restarts"] == 1:
            A.start()
            os.kill(A.pid, signal.SIGSEGV)
            A.proc.wait(10)
            A.stop("term")
        A.start()
        self.stats["restarts"] += 1
        self.stats["restarts_" + how] += 1
        outcome = A.compare(pending)
        if pending:
            self.stats["midwrite_" + outcome] += 1
        if self.overlay_view(A) != A.overlay:
            raise SoakFailure("config: host A's uplink, PAs or routes changed across a restart")
        self.attach_taps()
        self.forwarding_resumes()

    # -- the run

    def progress(self, rnd):
        ca, cb = self.A.counters_now(), self.B.counters_now()
        fwd = sum(c[k] for c in (ca, cb) for k in ("forward_unicast", "flood_multicast",
                                                      "flood_unknown_unicast"))
        drops = collections.Counter()
        for c in (ca, cb):
            for k, v in c.items():
                if k.startswith("drop_") and v:
                    drops[k] += v
        rss = lambda n: (self.rss[n][-1][2] / 1024) if self.rss[n] else 0
        st = self.stats
        self.say("round %d: restarts %d (SIGTERM %d, SIGKILL %d, SIGKILL mid-write %d: %d applied, "
                 "%d not); changes A %d B %d; frames switched %d, encapsulated %d, decapsulated %d; "
                 "drops %s; RSS A %.0f B %.0f MiB"
                 % (rnd, st["restarts"], st["restarts_term"], st["restarts_kill"],
                    st["restarts_midwrite"], st["midwrite_after"], st["midwrite_before"],
                    sum(self.A.ops.values()), sum(self.B.ops.values()), fwd,
                    ca["nvgre_encap_ok"] + cb["nvgre_encap_ok"],
                    ca["nvgre_decap_ok"] + cb["nvgre_decap_ok"],
                    ", ".join("%s %d" % kv for kv in sorted(drops.items())) or "none",
                    rss("A"), rss("B")))

    def run(self):
        deadline = self.t0 + self.args.minutes * 60
        self.say("work dir %s; namespaces %s-*; %.1f minutes" % (self.tmp, "s%d" % self.id,
                                                               self.args.minutes))
        self.setup()
        self.say("set up: two hosts, overlay VSID %d, 4 ping flows, %d frames/s of new MACs"
                 % (VSID1, FLOOD_PPS))
        self.forwarding_resumes()
        for h in (self.A, self.B):
            h.mbuf_baseline = self.settled_mbufs(h)
        self.say("baseline mbufs in use: A %d, B %d" % (self.A.mbuf_baseline, self.B.mbuf_baseline))
        threading.Thread(target=self.rss_sampler, daemon=True).start()
        self.start_traffic()
        kinds = ["term", "kill", "midwrite", "midwrite"]
        rnd = 0
        stall_done = mid_done = False
        while now() < deadline:
            rnd += 1
            end = min(now() + ROUND_S, deadline)
            while now() < end:
                for h in (self.A, self.B):
                    h.churn_once(self.rng)
                self.churn_subscribers()
                for h in (self.A, self.B):
                    h.sample()
                self.check_background()
                time.sleep(0.15)
            elapsed = (now() - self.t0) / (deadline - self.t0)
            if not stall_done and elapsed > 0.3:
                self.stall_check()
                stall_done = True
            if not mid_done and elapsed > 0.5:
                self.quiesce_check("mid-run")
                self.B.compare()
                mid_done = True
            if now() < deadline:
                self.restart_A(kinds[(rnd - 1) % len(kinds)])
            self.progress(rnd)
        self.finish()

    def check_background(self):
        for h in (self.A, self.B):
            h.check_alive()
        for p in self.bg:
            if p.poll() is not None:
                raise SoakFailure("a traffic generator exited (status %s)" % p.returncode)

    def finish(self):
        self.quiesce_check("end")
        self.A.compare()
        self.B.compare()
        self.rss_stop.set()
        self.say("stopping the traffic")
        ping_out = {}
        for what, p in self.pings.items():
            p.send_signal(signal.SIGINT)
            out = p.communicate(timeout=10)[0]
            m = re.search(r"(\d+) packets transmitted, (\d+) received", out)
            ping_out[what] = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        self.flood.kill()
        self.flood.wait()
        for h in (self.A, self.B):
            h.sample()
        self.check_rss()
        for h in (self.A, self.B):
            h.stop("term")
        self.report(ping_out)

    def check_rss(self):
        warm = max(30.0, 0.25 * self.args.minutes * 60)
        pid_b = self.B.pid
        b = [(t, v) for t, pid, v in self.rss["B"] if t >= warm and pid == pid_b]
        self.rss_result = {}
        series = [("B (whole run)", [v for _, v in b])]
        series.append(("A (end of each lifetime)", [v for _, v in self.A.end_rss[2:] if v]))
        for name, vals in series:
            if len(vals) < 5:
                self.say("RSS %s: too few samples (%d) to judge" % (name, len(vals)))
                continue
            k = max(1, len(vals) // 5)
            first, last = statistics.median(vals[:k]), statistics.median(vals[-k:])
            growth = last - first
            self.rss_result[name] = (first, last, min(vals), max(vals))
            self.say("RSS %s: %.1f MiB after warm-up, %.1f MiB at the end (min %.1f, max %.1f)"
                     % (name, first / 1024, last / 1024, min(vals) / 1024, max(vals) / 1024))
            if growth > RSS_GROWTH_MIB * 1024 and growth > first * RSS_GROWTH_PCT / 100:
                raise SoakFailure("rss: %s grew from %.1f to %.1f MiB (limit: %.0f MiB and %.0f %%)"
                                  % (name, first / 1024, last / 1024, RSS_GROWTH_MIB,
                                     RSS_GROWTH_PCT))

    def report(self, pings):
        st = self.stats
        ca, cb = self.A.counters_now(), self.B.counters_now()
        summary = {
            "minutes": self.args.minutes,
            "restarts": {"total": st["restarts"], "sigterm": st["restarts_term"],
                         "sigkill": st["restarts_kill"], "sigkill_mid_write": st["restarts_midwrite"],
                         "mid_write_applied": st["midwrite_after"],
                         "mid_write_not_applied": st["midwrite_before"]},
            "changes_acknowledged": {"A": dict(self.A.ops), "B": dict(self.B.ops)},
            "config_files_parsed": st["config_files_parsed"],
            "slowest_sigkill_reap_s": self.kill_reap_s,
            "subscribers": st["subscribers"],
            "forwarding_resumed_s": {"max": max(self.resume_times), "median":
                                     statistics.median(self.resume_times)},
            "frames": {h.name: {k: v for k, v in sorted(c.items()) if v and not k.startswith("drop_")}
                       for h, c in ((self.A, ca), (self.B, cb))},
            "drops": {h.name: {k: v for k, v in sorted(c.items()) if v and k.startswith("drop_")}
                      for h, c in ((self.A, ca), (self.B, cb))},
            "ports": {"A": dict(self.A.ports_now()), "B": dict(self.B.ports_now())},
            "pings": {k: {"sent": s, "received": r, "lost": s - r} for k, (s, r) in pings.items()},
            "mbuf_baseline": {"A": self.A.mbuf_baseline, "B": self.B.mbuf_baseline},
            "rss_kib": self.rss_result,
            "stall": getattr(self, "stall_result", None),
        }
        path = os.path.join(self.tmp, "summary.json")
        with open(path, "w") as f:
            json.dump(summary, f, indent=1, sort_keys=True)
        print(json.dumps(summary, indent=1, sort_keys=True))
        self.say("PASS: %d restarts (SIGTERM %d, SIGKILL %d, SIGKILL mid-write %d), every check held"
                 % (st["restarts"], st["restarts_term"], st["restarts_kill"],
                    st["restarts_midwrite"]))

    def cleanup(self, ok):
        self.rss_stop.set()
        self.drop_subscribers()
        for p in self.bg:
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.kill()
            p.wait()
        for h in (self.A, self.B):
            if h.proc is not None and h.proc.poll() is None:
                h.proc.send_signal(signal.SIGCONT)
                h.proc.send_signal(signal.SIGTERM)
                try:
                    h.proc.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    h.proc.kill()
                    h.proc.wait()
        for ns in reversed(self.netns):
            sh("ip", "netns", "del", ns, check=False)
        if ok and not self.args.keep:
            shutil.rmtree(self.tmp, ignore_errors=True)
        else:
            self.say("files kept in %s" % self.tmp)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--flood":
        flood_main(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("vswd")
    ap.add_argument("vswctl")
    ap.add_argument("--minutes", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--inject", choices=["crash", "config", "forwarding", "mbufs", "rss", "stall"])
    ap.add_argument("--keep", action="store_true", help="keep the work dir even on success")
    args = ap.parse_args()
    if args.seed is None:
        args.seed = int(time.time()) % 100000
    if os.geteuid() != 0:
        print("SKIP: the soak needs root (network namespaces, tap and veth interfaces)")
        return 77
    for c in ("ip", "ping", "ethtool"):
        if shutil.which(c) is None:
            print("SKIP: the soak needs the '%s' command" % c)
            return 77
    if not os.path.exists("/dev/net/tun"):
        print("SKIP: the soak needs /dev/net/tun")
        return 77
    soak = Soak(args)
    print("[soak] seed %d%s" % (args.seed, " inject " + args.inject if args.inject else ""),
          flush=True)
    ok = False
    try:
        soak.run()
        ok = True
    except SoakFailure as e:
        soak.say("FAIL: %s" % e)
    except KeyboardInterrupt:
        soak.say("interrupted")
    finally:
        soak.cleanup(ok)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
