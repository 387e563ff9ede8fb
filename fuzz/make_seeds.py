#!/usr/bin/env python3
"""Seed corpora for the fuzz harnesses (fuzz/fuzz_common.h has the input format).

    make_seeds.py HARNESS OUTDIR [PCAP...]

Writes to OUTDIR the synthetic seeds of HARNESS (frames aimed at the host the
packet harnesses set up: its VM MACs, lookup records, PA and VSID) and, from
each PCAP given, one seed per frame (at most 64 per file) plus one seed of
its first 16 frames together.  The pcap harness gets the files themselves
and truncated copies.  fuzz/seeds/ holds the synthetic seeds, made with no
PCAP arguments; ./run fuzz adds the pcap-derived ones in its work directory.
"""
import hashlib
import os
import struct
import sys

VM_A = bytes.fromhex("02000000000a")   # local CA 203.0.113.1, on vm1
VM_B = bytes.fromhex("02000000000b")   # remote CA 203.0.113.2, on PA 192.0.2.1
VM_5 = bytes.fromhex("020000000005")   # allowed on vm5
GW = bytes.fromhex("02000000fefe")
BCAST = b"\xff" * 6
OUR_PA = bytes([198, 51, 100, 1])
THEIR_PA = bytes([192, 0, 2, 1])
PORT_FLAGS = {"pipeline_tenant": [0, 1, 2, 4], "pipeline_uplink": [0, 5], "uplink_arp": [0],
              "arp_suppress": [0, 1]}


def pcap_frames(path):
    """The records of a classic pcap file (either byte order), as bytes."""
    data = open(path, "rb").read()
    if len(data) < 24:
        return []
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        return []
    out, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        off += 16
        out.append(data[off:off + incl])
        off += incl
    return out


def record(frame, flags=0):
    frame = frame[:0xffff]
    return bytes([flags]) + struct.pack(">H", len(frame)) + frame


def ip_cksum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return struct.pack("!H", ~s & 0xffff)


def nvgre(inner, vsid=5001, flow=7, src=THEIR_PA, dst=OUR_PA):
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + 8 + len(inner), 0, 0x4000, 64, 47,
                               0, src, dst))
    ip[10:12] = ip_cksum(bytes(ip))
    gre = struct.pack("!HHI", 0x2000, 0x6558, vsid << 8 | flow)
    return b"\x02" * 6 + GW + b"\x08\x00" + bytes(ip) + gre + inner


OUR_PA6 = bytes.fromhex("20010db8000100000000000000000001")
THEIR_PA6 = bytes.fromhex("20010db8000200000000000000000004")
GW6 = bytes.fromhex("20010db80001000000000000000000fe")


def nvgre6(inner, vsid=5001, flow=7, src=THEIR_PA6, dst=OUR_PA6):
    ip6 = struct.pack("!IHBB16s16s", 6 << 28 | 0x1234, 8 + len(inner), 47, 63, src, dst)
    gre = struct.pack("!HHI", 0x2000, 0x6558, vsid << 8 | flow)
    return b"\x02" * 6 + GW + b"\x86\xdd" + ip6 + gre + inner


def icmp6_sum(src, dst, msg):
    data = src + dst + struct.pack("!IxxxB", len(msg), 58) + msg
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def nd(typ, src, dst, target, opt, mac, eth_dst, flags=0):
    msg = bytearray(struct.pack("!BBHB3x16sBB6s", typ, 0, 0, flags, target, opt, 1, mac))
    msg[2:4] = struct.pack("!H", icmp6_sum(src, dst, bytes(msg)))
    ip6 = struct.pack("!IHBB16s16s", 6 << 28, len(msg), 58, 255, src, dst)
    return eth_dst + mac + b"\x86\xdd" + ip6 + bytes(msg)


def ipv4_frame(dst, src, size=60):
    return (dst + src + b"\x08\x00").ljust(size, b"\x00")


def arp(op, sha, spa, tpa, src=None, dst=BCAST, tha=b"\x00" * 6):
    body = struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + sha + bytes(spa) + tha + bytes(tpa)
    return (dst + (src or sha) + b"\x08\x06" + body).ljust(60, b"\x00")


def synthetic(harness):
    t203 = lambda h: [203, 0, 113, h]
    frames = {
        "unicast_to_remote": ipv4_frame(VM_B, VM_A),
        "broadcast": ipv4_frame(BCAST, VM_A),
        "arp_for_record": arp(1, VM_A, t203(1), t203(2)),
        "garp": arp(1, VM_A, t203(1), t203(1)),
        "rarp": (BCAST + VM_A + b"\x80\x35" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 3) + VM_A
                 + b"\x00" * 4 + VM_A + b"\x00" * 4).ljust(60, b"\x00"),
        "una": (bytes.fromhex("333300000001") + VM_A + b"\x86\xdd"
                + bytes([0x60, 0, 0, 0, 0, 32, 58, 255]) + b"\x00" * 32
                + bytes([136, 0, 0, 0, 0x20]) + b"\x00" * 27),
        "allowed_src": ipv4_frame(BCAST, VM_5),
        "jumbo": ipv4_frame(VM_B, VM_A, 3000),
    }
    if harness in ("pipeline_uplink",):
        frames = {
            "nvgre_unicast": nvgre(ipv4_frame(VM_A, VM_B)),
            "nvgre_broadcast": nvgre(ipv4_frame(BCAST, VM_B)),
            "nvgre_garp": nvgre(arp(1, VM_B, [203, 0, 113, 2], [203, 0, 113, 2])),
            "nvgre_unknown_vsid": nvgre(ipv4_frame(VM_A, VM_B), vsid=7777),
            "nvgre_not_our_pa": nvgre(ipv4_frame(VM_A, VM_B), dst=bytes([198, 51, 100, 9])),
            "arp_for_pa": arp(1, GW, [198, 51, 100, 254], list(OUR_PA)),
            "nvgre6_unicast": nvgre6(ipv4_frame(VM_A, bytes.fromhex("02000000000d"))),
            "nvgre6_not_our_pa": nvgre6(ipv4_frame(VM_A, VM_B), dst=THEIR_PA6),
            "ns_for_pa6": nd(135, GW6, bytes.fromhex("ff0200000000000000000001ff000001"),
                             OUR_PA6, 1, GW, bytes.fromhex("3333ff000001")),
            "na_from_gw6": nd(136, GW6, OUR_PA6, GW6, 2, GW, b"\x02" * 6, 0x60),
        }
    if harness == "uplink_arp":
        frames = {
            "request_for_pa": arp(1, GW, [198, 51, 100, 254], list(OUR_PA)),
            "request_from_new": arp(1, bytes.fromhex("020000000077"), [198, 51, 100, 77],
                                    list(OUR_PA)),
            "reply_from_gw": arp(2, GW, [198, 51, 100, 254], list(OUR_PA), dst=b"\x02" * 6),
            "probe": arp(1, GW, [0, 0, 0, 0], list(OUR_PA)),
        }
    if harness == "arp_suppress":
        frames = {
            "request_remote": arp(1, VM_A, t203(1), t203(2)),
            "request_local": arp(1, VM_B, t203(9), t203(1)),
            "request_own": arp(1, VM_A, t203(1), t203(1)),
            "dad_probe": arp(1, bytes.fromhex("02000000000c"), [0, 0, 0, 0], t203(3)),
            "reply": arp(2, VM_A, t203(1), t203(2), dst=VM_B),
        }
    seeds = {}
    for name, frame in frames.items():
        seeds[name] = record(frame)
    # Several frames in one input, one burst, then again with a round after each.
    seeds["all_one_burst"] = b"".join(record(f, i & 7) for i, f in enumerate(frames.values()))
    seeds["all_round_each"] = b"".join(record(f, 0x08 | (i & 7)) for i, f in enumerate(frames.values()))
    seeds["split_segments"] = b"".join(record(f, 0x10 | 0x40) for f in frames.values())
    if harness == "pipeline_tenant":
        # vm7 (port 6) trunks VLANs 10 and 20, native 10; vm8 (port 7) is an access port of 20.
        tag = lambda f, vid: f[:12] + struct.pack("!HH", 0x8100, vid) + f[12:]
        seeds["vlan"] = b"".join([
            record(tag(ipv4_frame(BCAST, VM_A), 10), 6), record(tag(ipv4_frame(VM_A, VM_B), 20), 6),
            record(ipv4_frame(BCAST, VM_B), 6), record(tag(ipv4_frame(BCAST, VM_A), 30), 6),
            record(tag(ipv4_frame(BCAST, VM_A), 0), 6), record(ipv4_frame(VM_B, VM_A), 7),
            record(tag(ipv4_frame(BCAST, VM_A), 20), 7), record(ipv4_frame(BCAST, VM_5), 0x08 | 7),
            record(tag(ipv4_frame(BCAST, VM_A), 20)[:16], 6)])
    return seeds


def write(outdir, name, data):
    with open(os.path.join(outdir, name), "wb") as f:
        f.write(data)


def main():
    harness, outdir, pcaps = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(outdir, exist_ok=True)
    if harness in PORT_FLAGS:
        if not pcaps:
            for name, data in synthetic(harness).items():
                write(outdir, name, data)
        for path in pcaps:
            base = os.path.basename(path).rsplit(".", 1)[0]
            frames = pcap_frames(path)
            flags = PORT_FLAGS[harness]
            for i, f in enumerate(frames[:64]):
                write(outdir, "%s-%03d" % (base, i), record(f, flags[i % len(flags)]))
            if len(frames) > 1:
                write(outdir, base + "-burst", b"".join(record(f, flags[i % len(flags)])
                                                        for i, f in enumerate(frames[:16])))
    elif harness == "pcap":
        for path in pcaps:
            data = open(path, "rb").read()
            base = os.path.basename(path).rsplit(".", 1)[0]
            if len(data) <= 65536:
                write(outdir, base, data)
            for cut in (24, 40, 100, 1000):
                if cut < len(data):
                    write(outdir, "%s-cut%d" % (base, cut), data[:cut])
    else:
        sys.exit("make_seeds.py: harness %s has only committed seeds (fuzz/seeds/%s)" % (harness, harness))


if __name__ == "__main__":
    main()
