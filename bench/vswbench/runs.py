# SPDX-License-Identifier: BSD-3-Clause
"""The measurements: forwarding rate (vsw and the testpmd ceiling), learning
rate, FDB memory and migration convergence.  Each function starts its own
processes and stops them before it returns, so vswd and testpmd never run at
the same time (two cores: they would share the forwarding core)."""

import os
import struct
import subprocess
import time

from .procs import BenchError, Testpmd, Vswd, proc_status_kb, window_rates

MBUF_BYTES = 2560       # one mbuf with the default 2176-byte data room, headers, rounding
MBUF_SLACK = 8192       # mbufs beyond the replayed traces: bursts in flight, TX buffers, caches
COUNTERS = ("forward_unicast", "flood_unknown_unicast", "flood_multicast", "drop_same_port",
            "drop_no_destination", "drop_tx_full", "drop_malformed", "drop_invalid_src_mac",
            "fdb_learned", "fdb_moves", "fdb_table_full")


def pow2ceil(n):
    p = 1
    while p < n:
        p *= 2
    return p


def tracegen(build, workdir, mode, stream, macs, size, seed, frames=0):
    path = os.path.join(workdir, "%s-%s-%d-%dB-s%d.pcap" % (mode, stream, macs, size, seed))
    if os.path.exists(path):
        return path
    argv = [os.path.join(build, "pcap", "vsw-tracegen"), "-m", mode, "-s", stream,
            "-n", str(macs), "-f", str(size), "--seed", str(seed), "-o", path]
    if frames:
        argv += ["-c", str(frames)]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return path


# Records per lookup.apply: one call and one save of vswd's configuration each, and a request
# line well under the control socket's 64 KiB (CTL_LINE_MAX), as vswagent batches them.
LOOKUP_APPLY_BATCH = 200


def lookup_apply(rpc, records):
    """Install lookup records ({vsid, ca_ip, ca_mac, pa} dicts) with lookup.apply, many per call."""
    for i in range(0, len(records), LOOKUP_APPLY_BATCH):
        batch = records[i:i + LOOKUP_APPLY_BATCH]
        r = rpc.call("lookup.apply", {"add": batch})
        if r.get("failed") or r.get("added") != len(batch):
            raise BenchError("lookup.apply refused records: %s" % (r.get("failed") or r))


def pcap_frames(path):
    """Records of a pcap file as a list of bytes (stdlib only)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    out, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + caplen])
        off += 16 + caplen
    return out


def trace_len(path):
    """Frames in a pcap written by vsw-tracegen (fixed-size records)."""
    with open(path, "rb") as f:
        f.seek(24)
        hdr = f.read(16)
    if len(hdr) < 16:
        return 0
    caplen = struct.unpack("<I", hdr[8:12])[0]
    return (os.path.getsize(path) - 24) // (16 + caplen)


# nvgre mode of vsw-tracegen: fixed addresses (pcap/trace.h, docs/bench.md).
NVGRE_VSID = 5001
NVGRE_LOCAL_PA = "198.51.100.1/24"
NVGRE_REMOTE_PA = "192.0.2.1"
NVGRE_GATEWAY = "198.51.100.254"
NVGRE_GATEWAY_MAC = "02:0a:00:00:00:fe"
CA_SET_LOCAL, CA_SET_REMOTE = 4, 5
# Counters an NVGRE run reports besides COUNTERS (deltas over the window).
NVGRE_COUNTERS = ("nvgre_encap_ok", "nvgre_decap_ok", "fdb_remote_no_record", "drop_split_horizon",
                  "drop_no_uplink", "drop_learn_limit")


def ca_mac(ca_set, index):
    """vsw-tracegen's trace_ca_mac(): 02:SET:index (32 bits, big-endian)."""
    return "02:%02x:%02x:%02x:%02x:%02x" % (ca_set, index >> 24 & 255, index >> 16 & 255,
                                            index >> 8 & 255, index & 255)


def ca_ip(ca_set, index):
    """trace_ca_ip(): local CAs 10.0.0.0 + 1 + index, remote 10.128.0.0 + 1 + index."""
    v = (0x0a800000 if ca_set == CA_SET_REMOTE else 0x0a000000) + 1 + index
    return "%d.%d.%d.%d" % (v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255)


def _delta(a, b, extra=()):
    dt = b["t"] - a["t"]
    rx = sum(b["ports"][n]["rx_packets"] - a["ports"][n]["rx_packets"] for n in b["ports"])
    tx = sum(b["ports"][n]["tx_packets"] - a["ports"][n]["tx_packets"] for n in b["ports"])
    keys = list(COUNTERS) + list(extra)
    cnt = {k: b["counters"].get(k, 0) - a["counters"].get(k, 0) for k in keys}
    pa, pb = a["pmd"], b["pmd"]
    busy = pb["busy_cycles"] - pa["busy_cycles"]
    idle = pb["idle_cycles"] - pa["idle_cycles"]
    pkts = pb["packets"] - pa["packets"]
    bursts = pb["bursts"] - pa["bursts"]
    r = window_rates(dt, rx, tx, busy, idle, pkts)
    r.update({
        "counters": cnt,
        "unicast_fraction": cnt["forward_unicast"] / rx if rx else 0.0,
        "avg_burst": pkts / bursts if bursts else None,
    })
    return r


def _vsw_window(ctx, v, extra_counters=None):
    """After the warm-up, what vswd 'v' did in one window; extra_counters(counters) names
    counters to report besides COUNTERS.  Also its table size and memory at the end."""
    time.sleep(ctx.warmup)
    a = v.snapshot()
    time.sleep(ctx.window)
    b = v.snapshot()
    r = _delta(a, b, extra_counters(b["counters"]) if extra_counters else ())
    if r["rx_packets"] == 0 or r["tsc_hz"] == 0:
        raise BenchError("vswd's worker made no progress in the window (pmd %s -> %s):\n%s"
                         % (a["pmd"], b["pmd"], v.log_tail()))
    r["fdb_entries"] = b["counters"].get("fdb_entries")
    r["vswd_rss_kb"] = proc_status_kb(v.proc.pid, "VmRSS")
    r["vswd_hugetlb_kb"] = proc_status_kb(v.proc.pid, "HugetlbPages")
    return r


def run_vsw_l2(ctx, sc, fwd, rev):
    """vswd: pcap port pa replays 'fwd', pb replays 'rev'; each sends to the other."""
    frames = trace_len(fwd) + trace_len(rev)
    v = Vswd(ctx.build, ctx.workdir, ctx.eal(frames), sc["fdb_size"], frames + MBUF_SLACK)
    try:
        v.start()
        v.port_add("pa", "pcap", rx_pcap=fwd, infinite_rx=1)
        v.port_add("pb", "pcap", rx_pcap=rev, infinite_rx=1)
        # Warm-up: wait until both sides are learned, then let caches settle.
        want = 2 * sc["macs"]
        deadline = time.monotonic() + 120
        while True:
            s = v.snapshot()
            if s["counters"].get("fdb_entries", 0) >= want:
                break
            if time.monotonic() > deadline:
                raise BenchError("only %d of %d MACs learned after 120 s (fdb_table_full=%d)"
                                 % (s["counters"].get("fdb_entries", 0), want,
                                    s["counters"].get("fdb_table_full", 0)))
            time.sleep(0.05)
        return _vsw_window(ctx, v)
    finally:
        v.stop()


def _nvgre_counter_names(counters):
    """Every NVGRE drop reason vswd reports, plus NVGRE_COUNTERS."""
    names = list(NVGRE_COUNTERS)
    names += sorted(k for k in counters if k.startswith("drop_nvgre_") or k == "drop_no_route")
    return [k for k in names if k not in COUNTERS]


def run_vsw_nvgre(ctx, sc, trace):
    """vswd with one tenant (bd t1, VSID 5001) and an uplink; one pcap port replays 'trace'.

    nvgre-encap: port 'vm' (pcap, in t1) replays the tenant stream, the uplink 'up' is a null
    port; every frame goes to a remote CA with a lookup record at 192.0.2.1 and is encapsulated.
    nvgre-decap: the uplink 'up' (pcap) replays the encap stream, port 'vm' (null, in t1) holds
    the local CAs as static MACs; every frame is decapsulated and delivered to 'vm'."""
    n = sc["macs"]
    frames = trace_len(trace)
    encap = sc["kind"] == "nvgre-encap"
    v = Vswd(ctx.build, ctx.workdir, ctx.eal(frames), sc["fdb_size"], frames + MBUF_SLACK)
    try:
        v.start()
        rpc = v.rpc
        rpc.call("bd.add", {"name": "t1", "vsid": NVGRE_VSID})
        if encap:
            v.port_add("up", "null")
        else:
            v.port_add("vm", "null", bd="t1")
            for i in range(n):
                rpc.call("fdb.add", {"bd": "t1", "mac": ca_mac(CA_SET_LOCAL, i), "port": "vm"})
            # The replay starts here; frames before the overlay is configured are dropped
            # (not our PA, unknown VSID) and fall outside the window.
            v.port_add("up", "pcap", rx_pcap=trace, infinite_rx=1)
        rpc.call("uplink.set", {"port": "up"})
        rpc.call("pa.add", {"address": NVGRE_LOCAL_PA})
        rpc.call("route.add", {"prefix": "0.0.0.0/0", "via": NVGRE_GATEWAY})
        rpc.call("neigh.add", {"ip": NVGRE_GATEWAY, "mac": NVGRE_GATEWAY_MAC})
        lookup_apply(rpc, [{"vsid": NVGRE_VSID, "ca_ip": ca_ip(CA_SET_REMOTE, i),
                            "ca_mac": ca_mac(CA_SET_REMOTE, i), "pa": NVGRE_REMOTE_PA}
                           for i in range(n)])
        if encap:
            v.port_add("vm", "pcap", rx_pcap=trace, infinite_rx=1, bd="t1")
        # Warm-up: every source learned (local CAs on 'vm', or remote CAs at the remote PA)
        # and the overlay step under way, then let caches settle.
        ok_key = "nvgre_encap_ok" if encap else "nvgre_decap_ok"
        # (decap: the table also holds the N static local CAs.)
        want = sc["fdb_entries_expected"]
        deadline = time.monotonic() + 120
        while True:
            s = v.snapshot()
            c = s["counters"]
            if c.get("fdb_entries", 0) >= want and c.get(ok_key, 0) > 0:
                break
            if time.monotonic() > deadline:
                raise BenchError("after 120 s: %d of %d FDB entries, %s=%d; counters:\n%s"
                                 % (c.get("fdb_entries", 0), want, ok_key, c.get(ok_key, 0),
                                    {k: x for k, x in c.items() if x}))
            time.sleep(0.05)
        r = _vsw_window(ctx, v, _nvgre_counter_names)
        # Encapsulated frames are not counted as forward_unicast; decapsulated ones are.
        r["ok_counter"] = ok_key
        r["ok_fraction"] = r["counters"][ok_key] / r["rx_packets"]
        if encap:
            r["unicast_fraction"] = r["ok_fraction"]
        return r
    finally:
        v.stop()


def _io_ports(sc, traces):
    """The ports of a scenario as the io-forward build gets them: the same kinds, names and
    traces as vsw's run, without bridge domains or overlay (that build never looks)."""
    replay = {"infinite_rx": 1}
    if sc["kind"] == "l2":
        return [("pa", "pcap", dict(replay, rx_pcap=traces[0])),
                ("pb", "pcap", dict(replay, rx_pcap=traces[1]))]
    src, sink = ("up", "vm") if sc["kind"] == "nvgre-decap" else ("vm", "up")
    return [(sink, "null", {}), (src, "pcap", dict(replay, rx_pcap=traces[0]))]


def run_vsw_io(ctx, sc, traces):
    """vswd's floor: the build made with -Dbench_io_forward=true on the scenario's ports and
    traces.  It sends every frame to the other port unswitched, as testpmd's io mode does, so
    its gap to testpmd is what vswd's poll loop, TX buffering and accounting cost, and its
    gap to vsw is the switching (parse, learn, look up, act; encap or decap)."""
    frames = sum(trace_len(t) for t in traces)
    v = Vswd(ctx.io_build, ctx.workdir, ctx.eal(frames), sc["fdb_size"], frames + MBUF_SLACK,
             tag="vswd-io")
    try:
        v.start()
        if not v.rpc.call("system.version").get("bench_io_forward"):
            raise BenchError("%s/ctl/vswd is not an io-forward build; give --io-build a "
                             "directory of its own (bench/run configures it)" % ctx.io_build)
        for name, ptype, options in _io_ports(sc, traces):
            v.port_add(name, ptype, **options)
        deadline = time.monotonic() + 60
        while v.snapshot()["counters"].get("forward_unicast", 0) == 0:
            if time.monotonic() > deadline:
                raise BenchError("io-forward vswd sent nothing in 60 s:\n" + v.log_tail())
            time.sleep(0.05)
        return _vsw_window(ctx, v)
    finally:
        v.stop()


def _testpmd_window(ctx, frames, vdevs):
    """testpmd io forwarding on 'vdevs': frames received by all ports over the window."""
    t = Testpmd(ctx.eal(frames), vdevs, frames + MBUF_SLACK, ctx.workdir, ctx.burst)
    try:
        t.start()
        time.sleep(ctx.warmup)
        ta, sa = t.port_stats()
        time.sleep(ctx.window)
        tb, sb = t.port_stats()
        if len(sa) < 2 or len(sb) < 2:
            raise BenchError("cannot parse testpmd port stats:\n" + t.text()[-1500:])
        rx = sum(b[0] - a[0] for a, b in zip(sa, sb))
        return {"window_s": tb - ta, "mpps": rx / (tb - ta) / 1e6,
                "testpmd_mpps": sum(b[1] for b in sb) / 1e6, "rx_packets": rx}
    finally:
        t.stop()


def run_testpmd_nvgre(ctx, sc, trace):
    """The ceiling for one replay port: testpmd io from the pcap port to a null port that
    never receives (net_null no-rx=1, what vswd's null port is), the same pair of ports
    vsw polls; port 0 is the one vsw receives the trace on."""
    frames = trace_len(trace)
    vdevs = ["net_pcap0,rx_pcap=%s,infinite_rx=1" % trace, "net_null0,no-rx=1"]
    return _testpmd_window(ctx, frames, vdevs)


def run_testpmd_l2(ctx, fwd, rev):
    """The ceiling: testpmd io forwarding on the same two pcap ports, 0 <-> 1."""
    frames = trace_len(fwd) + trace_len(rev)
    vdevs = ["net_pcap0,rx_pcap=%s,infinite_rx=1" % fwd, "net_pcap1,rx_pcap=%s,infinite_rx=1" % rev]
    return _testpmd_window(ctx, frames, vdevs)


def run_learning(ctx, nb_macs):
    """Learning rate: every frame from a new source, until the table is full.

    The table is created with exactly nb_macs entries.  A second vswd with a
    1K-entry table and the same ports gives the baseline for the memory the
    table takes (DPDK heap in hugepages, /proc/PID/status HugetlbPages)."""
    trace = tracegen(ctx.build, ctx.workdir, "learn", "fwd", nb_macs, 64, ctx.seed)
    frames = trace_len(trace)
    res = {"capacity": nb_macs, "trace_frames": frames}

    base = Vswd(ctx.build, ctx.workdir, ctx.eal(frames), 1024, frames + MBUF_SLACK, tag="base")
    try:
        base.start()
        base.port_add("sink", "null")
        base.port_add("src", "pcap", rx_pcap=trace, infinite_rx=1)
        time.sleep(1.0)
        res["baseline_hugetlb_kb"] = proc_status_kb(base.proc.pid, "HugetlbPages")
        res["baseline_rss_kb"] = proc_status_kb(base.proc.pid, "VmRSS")
    finally:
        base.stop()

    v = Vswd(ctx.build, ctx.workdir, ctx.eal(frames), nb_macs, frames + MBUF_SLACK, tag="learn")
    try:
        v.start()
        v.port_add("sink", "null")
        samples = []
        t_add = time.monotonic()
        v.port_add("src", "pcap", rx_pcap=trace, infinite_rx=1)
        last_change, last = time.monotonic(), -1
        while time.monotonic() - t_add < 30:
            s = v.snapshot()
            c = s["counters"]
            samples.append((s["t"] - t_add, c["fdb_learned"], c["fdb_entries"],
                            c.get("fdb_table_full", 0), s["pmd"]["packets"], s["pmd"]["busy_cycles"]))
            # fdb_learned, not fdb_entries: the entry count may be off by a few while
            # workers learn (fdb.h), and would never look settled.
            if c["fdb_learned"] != last:
                last, last_change = c["fdb_learned"], time.monotonic()
            # Full: the table refuses MACs, or every source is in, and nothing is learned for 0.5 s.
            if (c.get("fdb_table_full", 0) > 0 or c["fdb_entries"] >= nb_macs) and \
                    time.monotonic() - last_change > 0.5:
                break
        res["full_hugetlb_kb"] = proc_status_kb(v.proc.pid, "HugetlbPages")
        res["full_rss_kb"] = proc_status_kb(v.proc.pid, "VmRSS")
    finally:
        v.stop()

    final = samples[-1][1]
    res["learned"] = final
    res["entries"] = samples[-1][2]
    res["table_full_frames"] = samples[-1][3]
    res["fill_pct"] = 100.0 * samples[-1][2] / nb_macs
    res["nb_samples"] = len(samples)
    lo = next((s for s in samples if s[1] >= 0.05 * final), None)
    hi = next((s for s in samples if s[1] >= 0.95 * final), None)
    if lo is not None and hi is not None and hi[0] > lo[0]:
        res["learn_per_s"] = (hi[1] - lo[1]) / (hi[0] - lo[0])
        res["cycles_per_frame_while_learning"] = (hi[5] - lo[5]) / max(1, hi[4] - lo[4])
        res["window_s"] = hi[0] - lo[0]
    first = next((s for s in samples if s[1] > 0), None)
    if first is not None and hi is not None:
        res["time_to_95pct_s"] = hi[0] - first[0]
    if res.get("baseline_hugetlb_kb") and res.get("full_hugetlb_kb"):
        res["fdb_memory_mb"] = (res["full_hugetlb_kb"] - res["baseline_hugetlb_kb"]) / 1024.0
    return res


def _eth(frame):
    return frame[0:6], frame[6:12], struct.unpack("!H", frame[12:14])[0]


def run_migration(ctx):
    """Traffic to M (from its peer on port 'peer'), M on port 'old', then M's
    gratuitous ARP from port 'new'.  'old' and 'new' write what they transmit
    to pcap files; the GARP is flooded to 'old', so the order of that file
    tells exactly which frames to M the switch still sent there afterwards."""
    wd = ctx.workdir
    traffic = tracegen(ctx.build, wd, "migrate", "traffic", 1, 64, ctx.seed)
    old_rx = tracegen(ctx.build, wd, "migrate", "old", 1, 64, ctx.seed)
    garp = tracegen(ctx.build, wd, "migrate", "garp", 1, 64, ctx.seed)
    old_tx, new_tx = os.path.join(wd, "migrate-old-tx.pcap"), os.path.join(wd, "migrate-new-tx.pcap")
    m = pcap_frames(garp)[0][6:12]
    v = Vswd(ctx.build, wd, ctx.eal(2048), 65536, 2048 + MBUF_SLACK, tag="migrate")
    try:
        v.start()
        v.port_add("old", "pcap", rx_pcap=old_rx, tx_pcap=old_tx)
        time.sleep(0.2)
        v.port_add("peer", "pcap", rx_pcap=traffic, infinite_rx=1)
        time.sleep(0.2)
        before = v.snapshot()
        v.port_add("new", "pcap", rx_pcap=garp, tx_pcap=new_tx)
        time.sleep(0.2)
        v.rpc.call("port.del", {"name": "peer"})  # stop the traffic before the files grow large
        after = v.snapshot()
    finally:
        v.stop()  # closes the ports: the tx files are complete now

    res = {"moves": after["counters"].get("fdb_moves", 0) - before["counters"].get("fdb_moves", 0)}
    old_frames, new_frames = pcap_frames(old_tx), pcap_frames(new_tx)
    garp_at = next((i for i, f in enumerate(old_frames) if _eth(f)[2] == 0x0806), None)
    to_m = [i for i, f in enumerate(old_frames) if _eth(f)[0] == m and _eth(f)[2] == 0x0800]
    seq = lambda f: struct.unpack("!I", f[42:46])[0]
    res["to_m_on_old_before_garp"] = len([i for i in to_m if garp_at is None or i < garp_at])
    res["garp_seen_on_old"] = garp_at is not None
    res["misdelivered_after_garp"] = len([i for i in to_m if garp_at is not None and i > garp_at])
    new_to_m = [f for f in new_frames if _eth(f)[0] == m and _eth(f)[2] == 0x0800]
    res["to_m_on_new"] = len(new_to_m)
    if to_m and new_to_m:
        last_old, first_new = seq(old_frames[to_m[-1]]), seq(new_to_m[0])
        n = trace_len(traffic)  # sequence numbers repeat with the stream's length
        res["last_seq_old"], res["first_seq_new"] = last_old, first_new
        res["seq_gap"] = (first_new - last_old - 1) % n
    for path in (old_tx, new_tx):
        os.unlink(path)
    return res
