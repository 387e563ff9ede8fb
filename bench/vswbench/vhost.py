# SPDX-License-Identifier: BSD-3-Clause
"""VM-to-VM throughput through two vhost-user ports (issue 5), against
testpmd's own vhost-to-vhost io forwarding on the same two sockets with the
same peer.

The "VMs" are one dpdk-testpmd with two virtio-user ports (net_virtio_user0 on
the socket of vhost-user port vm0, net_virtio_user1 on vm1), pinned with both
its lcores to CPU 0; the switch's worker (vswd, or the ceiling's forwarding
lcore) is alone on CPU 1.  The peer primes the loop with 'start tx_first' and
then io-forwards what it receives on one port out of the other, so frames go
round vm0 -> switch -> vm1 -> peer -> vm0 ... and vm1 -> switch -> vm0 -> peer
-> vm1 ... at whatever rate the slower side allows.  Each peer port has a
fixed MAC and sends to the other's (--eth-peer), and both MACs are static FDB
entries on vswd, so every frame is unicast.

Why one looping peer and not a txonly peer plus an rxonly peer: with two
cores the two peers would share CPU 0, and the kernel (HZ=250 here) switches
between two busy pollers every few milliseconds.  While the txonly peer runs
the rxonly one does not, its RX ring (at most a few thousand frames) fills in
well under a millisecond and the switch drops the rest: measured with the
ceiling, 99 % of the frames were dropped at the switch's TX (docs/bench.md).
A single peer thread never waits for another one.

Mpps is frames received by both switch ports per second (both directions
together, as for L2); cycles per packet come from the switch's own cycle
accounting (vswd stats.pmd; testpmd --record-core-cycles), and Mpps per core
= TSC rate / cycles per packet: what one fully busy core would move.
"""

import os
import re
import subprocess
import threading
import time

from . import procs
from .procs import BenchError, Testpmd, Vswd
from .runs import _delta

PORTS = ("vm0", "vm1")                                 # vswd port names; testpmd ports 0 and 1
PEER_MACS = ("02:76:00:00:00:00", "02:76:00:00:00:01")  # virtio_user0, virtio_user1
QUEUE_SIZE = 1024       # virtio ring entries per queue of the peer (virtio-user queue_size=)
TX_FIRST_BURSTS = 16    # bursts of 32 the peer sends on each port to prime the loop
PEER_MBUFS = 16384      # the peer's mbufs: both RX rings, in-flight frames, caches
SWITCH_MBUFS = 32767    # vswd's and the ceiling's mbufs
SWITCH_CPU, PEER_CPU = 1, 0
LINK_TIMEOUT = 30.0     # seconds for the peer to attach to both sockets
LCORE_THREAD = "rte-worker-1"  # DPDK's name for the thread of lcore 1 (the forwarding lcore)
FULL_CPU_SHARE = 0.95   # below this, something else ran on the forwarding thread's CPU


def scenario(frame_size=64):
    """The plan entry of a vhost scenario (bench/run --vhost, --scenarios vhost[:SIZE])."""
    return {"name": "vhost-%dB" % frame_size, "kind": "vhost", "frame_size": frame_size,
            "label": "vhost-user VM-VM %dB" % frame_size, "macs": len(PEER_MACS),
            "fdb_entries_expected": len(PEER_MACS), "fdb_size": 65536, "target_fraction": None,
            "method": "one testpmd peer (2 virtio-user ports, both lcores on CPU %d) loops frames "
                      "through the switch both ways (tx_first %d bursts, then io); switch worker "
                      "alone on CPU %d: vswd (2 vhost-user ports, static FDB) or testpmd io between "
                      "2 net_vhost ports" % (PEER_CPU, TX_FIRST_BURSTS, SWITCH_CPU)}


def check_requirements():
    """The virtio-user peer needs hugepages (its memory is shared with the switch by fd)."""
    free = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("HugePages_Free:"):
                free = int(line.split()[1])
    mounted = any(" hugetlbfs " in line for line in open("/proc/mounts"))
    if free < 128 or not mounted:
        raise BenchError("the virtio-user peer needs hugepages (%d free 2 MiB pages, hugetlbfs %s); "
                         "reserve them: echo 512 > /proc/sys/vm/nr_hugepages; mount -t hugetlbfs "
                         "nodev /dev/hugepages" % (free, "mounted" if mounted else "not mounted"))


class Dpdk(Testpmd):
    """dpdk-testpmd with any arguments, driven through its prompt."""

    def __init__(self, argv, workdir, tag):
        super().__init__([], [], 0, workdir)
        self.argv = ["stdbuf", "-oL"] + argv
        self.log = os.path.join(workdir, tag + ".log")
        self.tag = tag

    def start(self, timeout=120.0):
        # Testpmd.start would also start io forwarding; the peer must not start before its links.
        self.proc = procs._register(subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True))
        threading.Thread(target=self._reader, daemon=True).start()
        self._wait_for(lambda t: "testpmd> " in t, timeout, "prompt (%s)" % self.tag)

    def command(self, line, until="testpmd> ", timeout=30.0):
        """Send a command; return what testpmd printed until 'until' (by default its prompt)."""
        mark = len(self.text())
        self.send(line)
        self._wait_for(lambda t: until in t[mark:], timeout, "reply to '%s' (%s)" % (line, self.tag))
        return self.text()[mark:]

    def links_up(self):
        return self.command("show port info all").count("Link status: up")

    def fwd_stats(self):
        """'show fwd stats all' since the last 'clear fwd stats all': packets, drops, cycles."""
        out = self.command("show fwd stats all")
        acc = out[out.find("Accumulated forward statistics"):]
        num = lambda key: int(re.search(key + r":\s+(\d+)", acc).group(1)) if key + ":" in acc else 0
        res = {"rx_packets": num("RX-packets"), "rx_dropped": num("RX-dropped"),
               "tx_packets": num("TX-packets"), "tx_dropped": num("TX-dropped")}
        m = re.search(r"CPU cycles/packet=([\d.]+) \(\w+ cycles=(\d+) / total \w+ packets=(\d+)\) "
                      r"at (\d+) MHz", out)
        if m:
            res.update(cycles_per_packet=float(m.group(1)), busy_cycles=int(m.group(2)),
                       cycle_packets=int(m.group(3)), tsc_hz=int(m.group(4)) * 1e6)
        return res


def peer_argv(socks, frame_size):
    """The VMs: one testpmd, both lcores on PEER_CPU, a virtio-user port on each socket."""
    argv = ["taskset", "-c", str(PEER_CPU), "dpdk-testpmd", "--lcores",
            "0@%d,1@%d" % (PEER_CPU, PEER_CPU), "--in-memory", "--single-file-segments", "--no-pci",
            "--log-level", "*:error"]
    for i, (sock, mac) in enumerate(zip(socks, PEER_MACS)):
        argv += ["--vdev", "net_virtio_user%d,path=%s,mac=%s,queue_size=%d"
                 % (i, sock, mac, QUEUE_SIZE)]
    return argv + ["--", "-i", "--forward-mode=io", "--nb-cores=1", "--no-flush-rx",
                   "--record-core-cycles", "--rxd=%d" % QUEUE_SIZE, "--txd=%d" % QUEUE_SIZE,
                   "--eth-peer=0,%s" % PEER_MACS[1], "--eth-peer=1,%s" % PEER_MACS[0],
                   "--txpkts=%d" % (frame_size - 4), "--total-num-mbufs=%d" % PEER_MBUFS]


def switch_eal(ctx):
    """Main lcore on CPU 0, the one forwarding lcore alone on SWITCH_CPU."""
    eal = ctx.eal(0)
    i = eal.index("-l")
    eal[i:i + 2] = ["--lcores", "0@%d,1@%d" % (PEER_CPU, SWITCH_CPU)]
    return eal


def sockets(ctx):
    socks = [os.path.join(ctx.workdir, "vhost-%s.sock" % n) for n in PORTS]
    for s in socks:
        if os.path.exists(s):
            os.unlink(s)
    return socks


def wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > deadline:
            raise BenchError("no %s within %.0f s" % (what, timeout))
        time.sleep(0.1)


def thread_cpu_s(pid):
    """CPU seconds the forwarding lcore thread of process 'pid' has run, or None."""
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            base = "/proc/%d/task/%s/" % (pid, tid)
            with open(base + "comm") as f:
                if f.read().strip() != LCORE_THREAD:
                    continue
            with open(base + "stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        pass
    return None


class CpuShare:
    """Share of the window's wall time that the switch's and the peer's forwarding
    threads ran: below FULL_CPU_SHARE, another process took their CPU."""

    def __init__(self, switch_pid, peer_pid):
        self.pids = (switch_pid, peer_pid)
        self.t0 = time.monotonic()
        self.cpu0 = [thread_cpu_s(p) for p in self.pids]

    def result(self):
        dt = time.monotonic() - self.t0
        cpu1 = [thread_cpu_s(p) for p in self.pids]
        share = [None if a is None or b is None else (b - a) / dt for a, b in zip(self.cpu0, cpu1)]
        return {"switch_cpu_share": share[0], "peer_cpu_share": share[1]}


def peer_result(pc, window_s):
    """The peer's own load: if it was 100 % busy, it, not the switch, set the rate."""
    if "busy_cycles" not in pc:
        return {"peer_fwd": pc}
    return {"peer_fwd": pc, "peer_cycles_per_packet": pc["cycles_per_packet"],
            "peer_busy_pct": 100.0 * pc["busy_cycles"] / (pc["tsc_hz"] * window_s)}


def start_peer(ctx, sc, socks, links_up):
    p = Dpdk(peer_argv(socks, sc["frame_size"]), ctx.workdir, "peer")
    p.start()
    wait_for(links_up, LINK_TIMEOUT, "link up on both vhost-user ports (peer log: %s)" % p.log)
    p.command("start tx_first %d" % TX_FIRST_BURSTS, "io packet forwarding")
    return p


def stop_all(peer, switch, socks):
    """Stop the peer (if it started) before the switch, then remove the vhost-user sockets."""
    if peer is not None:
        peer.stop()
    switch.stop()
    for s in socks:
        if os.path.exists(s):
            os.unlink(s)


def run_vsw(ctx, sc):
    """vswd: two vhost-user ports (mode=server), both peer MACs static, one worker on CPU 1."""
    socks = sockets(ctx)
    v = Vswd(ctx.build, ctx.workdir, switch_eal(ctx), sc["fdb_size"], SWITCH_MBUFS, tag="vswd-vhost")
    p = None
    try:
        v.start()
        for name, sock, mac in zip(PORTS, socks, PEER_MACS):
            v.port_add(name, "vhost-user", path=sock, mode="server", queues=1)
            v.rpc.call("fdb.add", {"bd": "default", "mac": mac, "port": name})
        links = lambda: sum(1 for x in v.rpc.call("port.list") if x["link"] == "up") == len(PORTS)
        p = start_peer(ctx, sc, socks, links)
        wait_for(lambda: v.snapshot()["counters"].get("forward_unicast", 0) > 0, 10,
                 "frame forwarded by vswd")
        time.sleep(ctx.warmup)
        a = v.snapshot()
        p.command("clear fwd stats all")
        share = CpuShare(v.proc.pid, p.proc.pid)
        time.sleep(ctx.window)
        b = v.snapshot()
        cpu = share.result()
        pc = p.fwd_stats()
        r = _delta(a, b, ("drop_link_down",))
        if r["rx_packets"] == 0 or not r["cycles_per_packet"]:
            raise BenchError("vswd's worker forwarded nothing in the window (pmd %s -> %s):\n%s"
                             % (a["pmd"], b["pmd"], v.log_tail()))
        r["mpps_per_core"] = r["tsc_hz"] / r["cycles_per_packet"] / 1e6
        r["ports"] = {n: {k: b["ports"][n][k] - a["ports"][n][k] for k in
                          ("rx_packets", "tx_packets", "tx_dropped")} for n in PORTS}
        r.update(peer_result(pc, r["window_s"]))
        r.update(cpu)
        return r
    finally:
        stop_all(p, v, socks)


def run_ceiling(ctx, sc):
    """testpmd io between two net_vhost ports (servers) on the same sockets, same peer."""
    socks = sockets(ctx)
    vdevs = []
    for i, s in enumerate(socks):
        vdevs += ["--vdev", "net_vhost%d,iface=%s,queues=1" % (i, s)]
    c = Dpdk(["dpdk-testpmd"] + switch_eal(ctx) + vdevs +
             ["--", "-i", "--forward-mode=io", "--nb-cores=1", "--no-flush-rx",
              "--burst=%d" % ctx.burst, "--record-core-cycles",
              "--total-num-mbufs=%d" % SWITCH_MBUFS], ctx.workdir, "ceiling")
    p = None
    try:
        c.start()
        c.command("start", "io packet forwarding")
        p = start_peer(ctx, sc, socks, lambda: c.links_up() == len(PORTS))
        wait_for(lambda: sum(x[0] for x in c.port_stats()[1]) > 0, 10, "frame forwarded by testpmd")
        time.sleep(ctx.warmup)
        ta, sa = c.port_stats()
        for t in (c, p):
            t.command("clear fwd stats all")
        share = CpuShare(c.proc.pid, p.proc.pid)
        time.sleep(ctx.window)
        tb, sb = c.port_stats()
        cpu = share.result()
        cc, pc = c.fwd_stats(), p.fwd_stats()
        if len(sa) < 2 or len(sb) < 2 or "cycles_per_packet" not in cc:
            raise BenchError("cannot parse testpmd's statistics:\n" + c.text()[-1500:])
        rx = sum(y[0] - x[0] for x, y in zip(sa, sb))
        r = {"window_s": tb - ta, "mpps": rx / (tb - ta) / 1e6, "rx_packets": rx,
             "fwd": cc, "cycles_per_packet": cc["cycles_per_packet"], "tsc_hz": cc["tsc_hz"],
             "mpps_per_core": cc["tsc_hz"] / cc["cycles_per_packet"] / 1e6,
             "busy_pct": 100.0 * cc["busy_cycles"] / (cc["tsc_hz"] * (tb - ta)),
             "tx_dropped": cc["tx_dropped"]}
        r.update(peer_result(pc, tb - ta))
        r.update(cpu)
        return r
    finally:
        stop_all(p, c, socks)


def aggregate(sc, summary):
    """Medians of what only vhost runs have; 'summary' is report.summary."""
    v, c = sc["vsw"], sc["ceiling"]
    for side, key in ((v, "mpps_per_core"), (v, "peer_busy_pct"), (c, "mpps_per_core"),
                      (c, "cycles_per_packet"), (c, "busy_pct"), (c, "peer_busy_pct")):
        side[key] = summary([r.get(key) for r in side["runs"]])
    for side in (v, c):
        for key in ("switch_cpu_share", "peer_cpu_share"):
            side[key] = summary([r.get(key) for r in side["runs"]])
        side["runs_with_cpu_taken"] = sum(
            1 for r in side["runs"] if (r.get("switch_cpu_share") or 1) < FULL_CPU_SHARE
            or (r.get("peer_cpu_share") or 1) < FULL_CPU_SHARE)
    v["tx_dropped_in_windows"] = sum(p["tx_dropped"] for r in v["runs"] for p in r["ports"].values())
    c["tx_dropped_in_windows"] = sum(r["tx_dropped"] for r in c["runs"])
    if v["mpps_per_core"] and c["mpps_per_core"]:
        sc["per_core_fraction_of_ceiling"] = \
            v["mpps_per_core"]["median"] / c["mpps_per_core"]["median"]


def print_table(results, out, fmt_range):
    """Per-core rates under the main table, for vhost scenarios only."""
    rows = [("vhost-user VM-VM", "Mpps achieved", "busy %", "cyc/pkt", "Mpps per core",
             "peer busy %", "TX drops", "cpu share switch/peer")]
    pct = lambda s: "%.0f%%" % (100 * s["min"]) if s else "?"
    for sc in results["scenarios"]:
        if sc.get("kind") != "vhost" or "vsw" not in sc:
            continue
        for who, side in (("vsw %dB" % sc["frame_size"], sc["vsw"]),
                          ("testpmd io %dB" % sc["frame_size"], sc["ceiling"])):
            rows.append((who, fmt_range(side.get("mpps")), fmt_range(side.get("busy_pct"), "%.0f"),
                         fmt_range(side.get("cycles_per_packet"), "%.0f"),
                         fmt_range(side.get("mpps_per_core")),
                         fmt_range(side.get("peer_busy_pct"), "%.0f"),
                         str(side.get("tx_dropped_in_windows", "-")),
                         "min %s/%s" % (pct(side.get("switch_cpu_share")),
                                        pct(side.get("peer_cpu_share")))))
    if len(rows) == 1:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out.write("\n")
    for r in rows:
        out.write("  ".join(x.ljust(w) for x, w in zip(r, widths)).rstrip() + "\n")
    out.write("(both directions; Mpps per core = TSC rate / cycles per packet from the switch's "
              "own cycle accounting)\n")
    for sc in results["scenarios"]:
        taken = sum(sc.get(k, {}).get("runs_with_cpu_taken", 0) for k in ("vsw", "ceiling"))
        if taken:
            out.write("warning: in %d run(s) of %s another process took CPU from the switch or "
                      "the peer (cpu share < %d%%): not comparable, run again on an idle machine\n"
                      % (taken, sc["name"], 100 * FULL_CPU_SHARE))
