#!/usr/bin/env python3
"""802.1Q sub-interfaces in user space, for kernels built without 8021q.

usage: vlan_host.py IFACE VLAN:TAPNAME ...

Makes a tap interface TAPNAME per VLAN and relays frames between it and
IFACE, as the kernel's `ip link add link IFACE name TAPNAME type vlan id VLAN`
would: frames the stack sends on TAPNAME leave IFACE tagged with VLAN, and
frames arriving on IFACE tagged with VLAN come up on TAPNAME untagged.
Frames of other VLANs, and untagged ones, are ignored, as the kernel does.
Runs until killed (or 120 s); prints "ready" once every tap exists.
"""
import fcntl
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 0x10
PACKET_OUTGOING = 4
TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def main():
    iface = sys.argv[1]
    taps = {}  # vlan -> tap fd
    for arg in sys.argv[2:]:
        vlan, name = arg.split(":")
        taps[int(vlan)] = open_tap(name)
    vlan_of = {fd: vlan for vlan, fd in taps.items()}
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind((iface, 0))
    sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    print("ready", flush=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([sock] + list(vlan_of), [], [], 1.0)
        for fd in ready:
            if fd is sock:
                data, anc, _, addr = sock.recvmsg(65536, socket.CMSG_SPACE(20))
                if addr[2] == PACKET_OUTGOING or len(data) < 14:
                    continue
                vlan = None
                for level, kind, aux in anc:
                    if level == SOL_PACKET and kind == PACKET_AUXDATA and len(aux) >= 20:
                        status, _, _, _, _, tci, _ = struct.unpack("IIIHHHH", aux[:20])
                        if status & TP_STATUS_VLAN_VALID:
                            vlan = tci & 0xFFF
                if vlan is None and data[12:14] == b"\x81\x00" and len(data) >= 18:
                    vlan = struct.unpack("!H", data[14:16])[0] & 0xFFF
                    data = data[:12] + data[16:]
                if vlan in taps:
                    os.write(taps[vlan], data)
            else:
                data = os.read(fd, 65536)
                if len(data) >= 14:
                    tag = struct.pack("!HH", 0x8100, vlan_of[fd])
                    sock.send(data[:12] + tag + data[12:])


if __name__ == "__main__":
    main()
