#!/usr/bin/env python3
"""Drive a test guest from the vhost-user integration tests.

    guestctl.py run SERIAL-SOCKET TIMEOUT COMMAND
        Run COMMAND in the guest's console shell; print its output and exit
        with its status (124 on timeout, 125 when the console is unreachable).
    guestctl.py qmp QMP-SOCKET TIMEOUT COMMAND [JSON-ARGUMENTS]
        Run one QMP command; print the "return" value as JSON.
    guestctl.py migrate QMP-SOCKET TIMEOUT URI
        Start a migration and wait until it completes; print the seconds it
        took and QEMU's downtime figure.  Exit 1 if it fails.
"""
import json
import os
import re
import socket
import sys
import time


def die(code, msg):
    print(msg, file=sys.stderr)
    sys.exit(code)


def connect(path, deadline):
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError as e:
            s.close()
            if time.monotonic() >= deadline:
                die(125, "cannot connect to %s: %s" % (path, e))
            time.sleep(0.1)


def run(sock_path, timeout, command):
    deadline = time.monotonic() + timeout
    s = connect(sock_path, deadline)
    token = "VSW%d%d" % (os.getpid(), int(time.time() * 1000) % 100000)
    # The quotes split the markers in the echoed input line (which the tty
    # may also wrap), so only the shell's own output matches the patterns.
    # A newline, not ';', ends COMMAND: it may itself end with '&'.
    line = 'echo "@@S""%s@@"; %s\necho "@@E""%s=$?@@"\n' % (token, command, token)
    start = re.compile(r"@@S%s@@\n" % token)
    end = re.compile(r"@@E%s=(\d+)@@" % token)
    s.sendall(b"\n")
    time.sleep(0.2)
    s.sendall(line.encode())
    buf = ""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            sys.stdout.write(buf)
            die(124, "guest command timed out after %ss: %s" % (timeout, command))
        s.settimeout(min(left, 1.0))
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            continue
        if not chunk:
            die(125, "console %s closed" % sock_path)
        buf += chunk.decode(errors="replace").replace("\r", "")
        m = end.search(buf)
        if m:
            break
    s.close()
    body = buf[: m.start()]
    b = start.search(body)
    if b:
        body = body[b.end() :]
    sys.stdout.write(body)
    sys.exit(int(m.group(1)))


class Qmp:
    def __init__(self, path, deadline):
        self.s = connect(path, deadline)
        self.f = self.s.makefile("rwb")
        self.deadline = deadline
        self.read_reply()  # greeting
        self.call("qmp_capabilities")

    def read_reply(self):
        while True:
            self.s.settimeout(max(0.1, self.deadline - time.monotonic()))
            line = self.f.readline()
            if not line:
                die(1, "QMP connection closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def call(self, name, args=None):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.f.write(json.dumps(req).encode() + b"\n")
        self.f.flush()
        reply = self.read_reply()
        if "error" in reply:
            die(1, "QMP %s: %s" % (name, reply["error"].get("desc")))
        return reply.get("return")


def main():
    if len(sys.argv) < 5:
        die(2, __doc__)
    what, path, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    deadline = time.monotonic() + timeout
    if what == "run":
        run(path, timeout, sys.argv[4])
    elif what == "qmp":
        q = Qmp(path, deadline)
        args = json.loads(sys.argv[5]) if len(sys.argv) > 5 else None
        print(json.dumps(q.call(sys.argv[4], args)))
    elif what == "migrate":
        q = Qmp(path, deadline)
        start = time.monotonic()
        q.call("migrate", {"uri": sys.argv[4]})
        while True:
            st = q.call("query-migrate")
            status = st.get("status")
            if status == "completed":
                print("%.2f %s" % (time.monotonic() - start, st.get("downtime", "?")))
                return
            if status in ("failed", "cancelled"):
                die(1, "migration %s: %s" % (status, st.get("error-desc", "")))
            if time.monotonic() >= deadline:
                die(124, "migration still %s after %ss" % (status, timeout))
            time.sleep(0.1)
    else:
        die(2, __doc__)


if __name__ == "__main__":
    main()
