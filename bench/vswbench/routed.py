# SPDX-License-Identifier: BSD-3-Clause
"""Routed scenarios (routing domains, issue 15): 64-byte IPv4 frames from N
VMs of subnet s1 (10.0.0.0/16, VSID 5001) to the router MAC, addressed to N
VMs of subnet s2 (10.128.0.0/16, VSID 5002) of the same routing domain.

    routed-local   the s2 VMs live on this host: static MACs on a null port 'vm2'
    routed-remote  they live on 192.0.2.1: every frame is routed and encapsulated
                   with VSID 5002 towards the uplink (a null port)

One pcap port 'vm' in s1 replays the trace; the ceiling is testpmd io from
the same pcap port to a null port (runs.run_testpmd_nvgre).

The s2 VMs are numbered one after another (10.128.0.1, .2, ...), as a
tenant's usually are; with scattered=True (bench/run --routed-destinations
scattered) they are N random hosts of 10.128.0.0/16 instead, the case where
the route cache's dense placement cannot help (docs/routing.md)."""

import os
import random
import struct
import time

from . import runs
from .procs import BenchError, Vswd

ROUTER_MAC = bytes.fromhex("027672000001")   # given with rd add mac=..., so it is fixed
SRC_SET, DST_SET = 4, 5


# Host numbers of the scattered s2 VMs: a fixed random sample of the /16.
_SCATTERED = random.Random(1).sample(range(1, 65534), 32768)


def _ip(set_, i, scattered=False):
    if set_ == DST_SET:
        return 0x0a800000 + (_SCATTERED[i] if scattered else 1 + i)
    return 0x0a000000 + 1 + i


def _mac(set_, i):
    return bytes([0x02, set_]) + struct.pack(">I", i)


def _csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def trace(workdir, n, size=64, scattered=False):
    """4 N frames: VM i of s1 -> VM (i * 7 + k) mod N of s2, UDP, 'size' bytes on the wire
    without FCS (at least 60)."""
    if scattered and n > len(_SCATTERED):
        raise BenchError("scattered destinations: at most %d VMs, not %d" % (len(_SCATTERED), n))
    path = os.path.join(workdir, "routed-%s%d-%dB.pcap" % ("scattered-" if scattered else "", n, size))
    if os.path.exists(path):
        return path
    ip_len = max(size, 60) - 14
    recs = []
    for k in range(4):
        for i in range(n):
            d = (i * 7 + k) % n
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, 0, 0x4000, 64, 17, 0,
                             struct.pack(">I", _ip(SRC_SET, i)), struct.pack(">I", _ip(DST_SET, d, scattered)))
            ip = ip[:10] + struct.pack("!H", _csum(ip)) + ip[12:]
            udp = struct.pack("!HHHH", 1024 + k, 5001, ip_len - 20, 0)
            frame = ROUTER_MAC + _mac(SRC_SET, i) + b"\x08\x00" + ip + udp
            frame += bytes(14 + ip_len - len(frame))
            recs.append(frame)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for fr in recs:
            f.write(struct.pack("<IIII", 0, 0, len(fr), len(fr)) + fr)
    return path


def _dotted(v):
    return "%d.%d.%d.%d" % (v >> 24, v >> 16 & 255, v >> 8 & 255, v & 255)


def _counter_names(counters):
    names = ["routed_local", "routed_remote", "routed_flood_local", "nvgre_encap_ok"]
    names += sorted(k for k in counters if k.startswith("drop_rd_") or k.startswith("drop_nvgre_"))
    return [k for k in names if k not in runs.COUNTERS]


def run_vsw(ctx, sc, path):
    n = sc["macs"]
    remote = sc["kind"] == "routed-remote"
    frames = runs.trace_len(path)
    v = Vswd(ctx.build, ctx.workdir, ctx.eal(frames), sc["fdb_size"], frames + runs.MBUF_SLACK)
    try:
        v.start()
        rpc = v.rpc
        rpc.call("rd.add", {"name": "bench", "mac": ":".join("%02x" % b for b in ROUTER_MAC)})
        rpc.call("bd.add", {"name": "s1", "vsid": 5001})
        rpc.call("bd.add", {"name": "s2", "vsid": 5002})
        rpc.call("bd.set", {"name": "s1", "rd": "bench", "gateway": "10.0.255.254/16"})
        rpc.call("bd.set", {"name": "s2", "rd": "bench", "gateway": "10.128.255.254/16"})
        v.port_add("up", "null")
        v.port_add("vm2", "null", bd="s2")
        rpc.call("uplink.set", {"port": "up"})
        rpc.call("pa.add", {"address": runs.NVGRE_LOCAL_PA})
        rpc.call("route.add", {"prefix": "0.0.0.0/0", "via": runs.NVGRE_GATEWAY})
        rpc.call("neigh.add", {"ip": runs.NVGRE_GATEWAY, "mac": runs.NVGRE_GATEWAY_MAC})
        pa = runs.NVGRE_REMOTE_PA if remote else runs.NVGRE_LOCAL_PA.split("/")[0]
        macs = [":".join("%02x" % b for b in _mac(DST_SET, i)) for i in range(n)]
        runs.lookup_apply(rpc, [{"vsid": 5002, "ca_ip": _dotted(_ip(DST_SET, i, ctx.routed_scattered)),
                                 "ca_mac": macs[i], "pa": pa} for i in range(n)])
        if not remote:
            for mac in macs:
                rpc.call("fdb.add", {"bd": "s2", "mac": mac, "port": "vm2"})
        v.port_add("vm", "pcap", rx_pcap=path, infinite_rx=1, bd="s1")
        ok_key = "routed_remote" if remote else "routed_local"
        deadline = time.monotonic() + 120
        while True:
            c = v.snapshot()["counters"]
            if c.get(ok_key, 0) > 0 and c.get("fdb_learned", 0) >= n:
                break
            if time.monotonic() > deadline:
                raise BenchError("after 120 s: %s=%d; counters:\n%s" % (
                    ok_key, c.get(ok_key, 0), {k: x for k, x in c.items() if x}))
            time.sleep(0.05)
        r = runs._vsw_window(ctx, v, _counter_names)
        r["ok_counter"] = ok_key
        r["ok_fraction"] = r["counters"][ok_key] / r["rx_packets"]
        r["unicast_fraction"] = r["ok_fraction"]
        return r
    finally:
        v.stop()
