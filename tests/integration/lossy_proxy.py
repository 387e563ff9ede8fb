#!/usr/bin/env python3
"""Stand between a client and etcd's HTTP gateway, and lose one reply.

usage: lossy_proxy.py LISTEN-PORT ETCD-URL PATH LOG

Every POST to 127.0.0.1:LISTEN-PORT is sent on to ETCD-URL as it came, and
etcd's answer goes back unchanged, except for the first POST to PATH: etcd
gets it and answers, and the proxy closes the client's connection without
a byte of that answer, as a member that applied a request and then died
before replying would look to the client.  Each such request is logged to
LOG as one line: the path and etcd's answer.  "listening" goes to stdout
once the port is open.
"""
import http.server
import sys
import urllib.request

PORT, ETCD, LOSE, LOG = int(sys.argv[1]), sys.argv[2].rstrip("/"), sys.argv[3], sys.argv[4]
lost = False


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global lost
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        req = urllib.request.Request(ETCD + self.path, data=body,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, answer = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, answer = e.code, e.read()
        if self.path == LOSE and not lost:
            lost = True
            with open(LOG, "a") as log:
                log.write("%s %s\n" % (self.path, answer.decode(errors="replace")))
            self.close_connection = True
            self.connection.close()
            return
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print("listening on 127.0.0.1:%d" % PORT, flush=True)
server.serve_forever()
