#!/usr/bin/env python3
"""Stand between a client and vswd's control socket, and make vswd refuse one method.

usage: refusing_proxy.py LISTEN-SOCKET VSWD-SOCKET METHOD LOG

Every connection to LISTEN-SOCKET gets a connection of its own to vswd, and
bytes flow both ways unchanged, except that a request for METHOD is sent to
vswd as METHOD + ".refused", which vswd does not know, so that vswd itself
refuses it (as a vswd without that method would).  Each such request is
logged to LOG as one line: the monotonic time in seconds.
"""
import asyncio
import json
import os
import sys
import time

LISTEN, VSWD, METHOD, LOG = sys.argv[1:5]


async def pump_requests(reader, writer, log):
    while True:
        line = await reader.readline()
        if not line:
            break
        try:
            req = json.loads(line)
        except ValueError:
            req = None
        if isinstance(req, dict) and req.get("method") == METHOD:
            req["method"] = METHOD + ".refused"
            line = (json.dumps(req) + "\n").encode()
            log.write("%.3f\n" % time.monotonic())
            log.flush()
        writer.write(line)
        await writer.drain()
    writer.close()


async def pump_replies(reader, writer):
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            break
        writer.write(chunk)
        await writer.drain()
    writer.close()


async def main():
    log = open(LOG, "a")

    async def client(creader, cwriter):
        try:
            vreader, vwriter = await asyncio.open_unix_connection(VSWD, limit=1 << 24)
        except OSError:
            cwriter.close()
            return
        await asyncio.gather(pump_requests(creader, vwriter, log),
                             pump_replies(vreader, cwriter), return_exceptions=True)

    if os.path.exists(LISTEN):
        os.unlink(LISTEN)
    server = await asyncio.start_unix_server(client, path=LISTEN, limit=1 << 24)
    async with server:
        await server.serve_forever()


asyncio.run(main())
