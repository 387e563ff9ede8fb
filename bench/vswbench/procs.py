# SPDX-License-Identifier: BSD-3-Clause
"""Processes the benchmark starts: vswd (driven over its JSON-RPC socket) and
dpdk-testpmd (driven through its interactive prompt).

Every process is started in its own session and registered, so that
kill_all() -- called on every exit path, including Ctrl-C -- can stop exactly
the processes this benchmark started, by pid, and nothing else.
"""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time

_started = []  # Popen objects still possibly alive


class BenchError(Exception):
    """A run could not be done; the message says why."""


def _register(proc):
    _started.append(proc)
    return proc


def stop_proc(proc, timeout=10.0):
    """SIGTERM, then SIGKILL after 'timeout' seconds; returns the exit status."""
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        except ProcessLookupError:
            pass
    if proc in _started:
        _started.remove(proc)
    return proc.returncode


def kill_all():
    for proc in list(_started):
        try:
            stop_proc(proc, timeout=5)
        except Exception:  # best effort on the way out
            pass


def other_dpdk_processes():
    """Pids and names of vswd/testpmd/ovs-vswitchd processes we did not start (they skew results)."""
    ours = {p.pid for p in _started}
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in ours or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/comm" % pid) as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm in ("vswd", "dpdk-testpmd") or comm.startswith(("test_", "ovs-vswitchd")):
            found.append("%s(%s)" % (comm, pid))
    return found


def window_rates(dt, rx, tx, busy, idle, pkts):
    """What every switch's window reports alike: frame rates over 'dt' seconds, and from its
    PMD thread's busy/idle cycles and packets, cycles per packet, load and the TSC rate."""
    return {
        "window_s": dt,
        "mpps": rx / dt / 1e6,
        "tx_mpps": tx / dt / 1e6,
        "rx_packets": rx,
        "tx_packets": tx,
        "cycles_per_packet": busy / pkts if pkts else None,
        "busy_pct": 100.0 * busy / (busy + idle) if busy + idle else None,
        "tsc_hz": (busy + idle) / dt,
    }


def proc_status_kb(pid, field):
    """A 'kB' field of /proc/PID/status (VmRSS, HugetlbPages), or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


class Rpc:
    """One JSON-RPC 2.0 connection to vswd: one request line, one reply line."""

    def __init__(self, path, timeout=20.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""
        self.next_id = 1

    def call(self, method, params=None):
        req = {"jsonrpc": "2.0", "id": self.next_id, "method": method}
        if params is not None:
            req["params"] = params
        self.next_id += 1
        self.sock.sendall(json.dumps(req).encode() + b"\n")
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise BenchError("vswd closed the control connection during %s" % method)
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        reply = json.loads(line)
        if "error" in reply:
            raise BenchError("vswd refused %s: %s" % (method, reply["error"].get("message")))
        return reply.get("result")

    def close(self):
        self.sock.close()


class Vswd:
    """A vswd with a private socket and config file in 'workdir'."""

    def __init__(self, build, workdir, eal, fdb_size, mbufs, tag="vswd"):
        self.build = build
        self.sock = os.path.join(workdir, tag + ".sock")
        self.config = os.path.join(workdir, tag + ".json")
        self.log = os.path.join(workdir, tag + ".log")
        self.argv = [os.path.join(build, "ctl", "vswd"), "--socket", self.sock,
                     "--config", self.config, "--workers", "1", "--idle-sleep", "0",
                     "--fdb-size", str(fdb_size), "--mbufs", str(mbufs), "--eal"] + eal
        self.proc = None
        self.rpc = None

    def start(self, timeout=120.0):
        for path in (self.config, self.sock):
            if os.path.exists(path):
                os.unlink(path)
        deadline = time.monotonic() + timeout
        # The binary may be relinked by a concurrent build (EACCES, ETXTBSY): retry a while.
        for attempt in range(30):
            try:
                with open(self.log, "w") as logf:
                    self.proc = _register(subprocess.Popen(
                        self.argv, stdout=logf, stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL, start_new_session=True))
                break
            except OSError as e:
                if attempt == 29:
                    raise BenchError("cannot run %s: %s" % (self.argv[0], e))
                time.sleep(1)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError("vswd exited during start-up (status %d):\n%s"
                                 % (self.proc.returncode, self.log_tail()))
            if os.path.exists(self.sock):
                try:
                    self.rpc = Rpc(self.sock)
                    self.rpc.call("system.version")
                    return self
                except (OSError, BenchError):
                    self.rpc = None
            time.sleep(0.05)
        raise BenchError("vswd did not open its socket within %.0f s:\n%s" % (timeout, self.log_tail()))

    def log_tail(self, n=15):
        try:
            with open(self.log, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def port_add(self, name, ptype, **options):
        params = {"name": name, "type": ptype}
        params.update(options)
        return self.rpc.call("port.add", params)

    def snapshot(self):
        """Port stats, counters and worker load at one moment (midpoint time)."""
        t0 = time.monotonic()
        stats = self.rpc.call("stats.show")
        pmd = self.rpc.call("stats.pmd")
        t1 = time.monotonic()
        return {"t": (t0 + t1) / 2, "ports": {p["name"]: p for p in stats["ports"]},
                "counters": stats["counters"], "pmd": pmd[0] if pmd else {}}

    def stop(self):
        if self.rpc is not None:
            try:
                self.rpc.close()
            except OSError:
                pass
            self.rpc = None
        if self.proc is not None:
            rc = stop_proc(self.proc)
            self.proc = None
            return rc
        return 0


class Testpmd:
    """dpdk-testpmd in interactive mode, fed commands on stdin."""

    def __init__(self, eal, vdevs, mbufs, workdir, burst=32):
        # Line-buffered: testpmd prints with stdio, which a pipe would hold back.
        self.argv = ["stdbuf", "-oL", "dpdk-testpmd"] + eal
        for v in vdevs:
            self.argv += ["--vdev", v]
        # One forwarding core (lcore 1), io forwarding, both ports on it, the switch's burst size.
        self.argv += ["--", "-i", "--forward-mode=io", "--nb-cores=1", "--rxq=1", "--txq=1",
                      "--no-flush-rx", "--burst=%d" % burst, "--total-num-mbufs=%d" % mbufs]
        self.log = os.path.join(workdir, "testpmd.log")
        self.out = []
        self.lock = threading.Lock()
        self.proc = None

    def _reader(self):
        for chunk in iter(lambda: self.proc.stdout.read1(65536), b""):
            with self.lock:
                self.out.append(chunk.decode(errors="replace"))

    def text(self):
        with self.lock:
            return "".join(self.out)

    def _wait_for(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred(self.text()):
                return
            if self.proc.poll() is not None:
                raise BenchError("testpmd exited (status %d) while waiting for %s:\n%s"
                                 % (self.proc.returncode, what, self.text()[-2000:]))
            time.sleep(0.02)
        raise BenchError("testpmd: no %s within %.0f s:\n%s" % (what, timeout, self.text()[-2000:]))

    def send(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def start(self, timeout=180.0):
        self.proc = _register(subprocess.Popen(self.argv, stdin=subprocess.PIPE,
                                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                               start_new_session=True))
        threading.Thread(target=self._reader, daemon=True).start()
        self._wait_for(lambda t: "testpmd> " in t, timeout, "prompt")
        self.send("start")
        self._wait_for(lambda t: "io packet forwarding - ports" in t, 30, "forwarding start")

    def port_stats(self):
        """Send 'show port stats all'; return (time, [(rx_packets, rx_pps), ...])."""
        mark = len(self.text())
        t0 = time.monotonic()
        self.send("show port stats all")
        self._wait_for(lambda t: t[mark:].count("Tx-pps:") >= 2, 30, "port stats")
        t1 = time.monotonic()
        new = self.text()[mark:]
        rx = [int(x) for x in re.findall(r"RX-packets:\s+(\d+)", new)[:2]]
        pps = [int(x) for x in re.findall(r"Rx-pps:\s+(\d+)", new)[:2]]
        return (t0 + t1) / 2, list(zip(rx, pps))

    def stop(self):
        if self.proc is None:
            return
        try:
            self.send("stop")
            self.send("quit")
            self.proc.stdin.close()
            self.proc.wait(timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            pass
        stop_proc(self.proc)
        with open(self.log, "w") as f:
            f.write(self.text())
        self.proc = None
