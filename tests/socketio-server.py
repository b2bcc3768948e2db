#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# socketio-server.py — a real Socket.IO v4 server (Debian's python3-socketio on aiohttp) for
# test-socketio-feed: prints its port, obeys one command per stdin line, exits when stdin closes.
"""Commands (one per line on stdin; each answers one line of JSON on stdout):

  emit NAME JSON       emit NAME with the JSON argument to every client of both namespaces
  emit-ack NAME JSON   the same, asking for an ack; acks are recorded
  emit-binary NAME     emit NAME with a bytes argument (a binary packet plus an attachment)
  kick                 disconnect every client from its namespace (Socket.IO "41")
  close                close every Engine.IO session (Engine.IO "1")
  stall                stop pinging, and stop timing the clients out, so a client must notice
  stats                counters: attempts, joins, refused, disconnects, acks, clients

Namespaces "/test" and "/" accept auth {"token": "good-token"} and refuse anything else with
ConnectionRefusedError, which the client receives as a CONNECT_ERROR ("44").
"""

import argparse
import asyncio
import json
import socket
import sys

import engineio.asyncio_socket
import socketio
from aiohttp import web

GOOD_TOKEN = "good-token"
NAMESPACES = ("/test", "/")
# How long the server waits for a silent client once stalled: far beyond any test.
STALLED_TIMEOUT_S = 600

state = {
    "attempts": 0,
    "joins": 0,
    "refused": 0,
    "disconnects": 0,
    "acks": [],
    "clients": {},  # sid -> namespace
    "stalled": False,
}

# python-engineio schedules the next ping when a pong arrives. Once stalled, no new ping is
# scheduled; one already scheduled still goes out, and its pong restarts the server's read wait
# with the long timeout below, so the server never closes first: only the client can notice.
_schedule_ping = engineio.asyncio_socket.AsyncSocket.schedule_ping


def schedule_ping(self):
    if not state["stalled"]:
        _schedule_ping(self)


engineio.asyncio_socket.AsyncSocket.schedule_ping = schedule_ping


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def make_server(ping_interval, ping_timeout):
    sio = socketio.AsyncServer(async_mode="aiohttp", ping_interval=ping_interval,
                               ping_timeout=ping_timeout, logger=False, engineio_logger=False)

    # python-socketio awaits only handlers that are coroutine functions: one pair per namespace.
    def register(namespace):
        async def connect(sid, environ, auth=None):
            state["attempts"] += 1
            if not isinstance(auth, dict) or auth.get("token") != GOOD_TOKEN:
                state["refused"] += 1
                raise socketio.exceptions.ConnectionRefusedError("invalid token")
            state["joins"] += 1
            state["clients"][sid] = namespace

        async def disconnect(sid):
            state["disconnects"] += 1
            state["clients"].pop(sid, None)

        sio.on("connect", connect, namespace=namespace)
        sio.on("disconnect", disconnect, namespace=namespace)

    for namespace in NAMESPACES:
        register(namespace)
    return sio


async def emit_all(sio, name, data, want_ack):
    for ns in NAMESPACES:
        if want_ack:
            def record(*args, name=name, ns=ns):
                state["acks"].append({"name": name, "namespace": ns, "args": list(args)})

            await sio.emit(name, data, namespace=ns, callback=record)
        else:
            await sio.emit(name, data, namespace=ns)


async def command(sio, line):
    parts = line.split(" ", 2)
    verb = parts[0]
    if verb in ("emit", "emit-ack"):
        await emit_all(sio, parts[1], json.loads(parts[2]), verb == "emit-ack")
    elif verb == "emit-binary":
        await emit_all(sio, parts[1], b"\x00\x01binary", False)
    elif verb == "kick":
        for sid, ns in list(state["clients"].items()):
            await sio.disconnect(sid, namespace=ns)
    elif verb == "close":
        for eio_sid in list(sio.eio.sockets):
            await sio.eio.disconnect(eio_sid)
    elif verb == "stall":
        state["stalled"] = True
        sio.eio.ping_timeout = STALLED_TIMEOUT_S
    elif verb == "stats":
        reply({key: value for key, value in state.items() if key != "clients"}
              | {"clients": len(state["clients"])})
        return
    else:
        reply({"error": "unknown command " + verb})
        return
    reply({"ok": True})


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ping-interval", type=float, default=25)
    parser.add_argument("--ping-timeout", type=float, default=20)
    args = parser.parse_args()

    sio = make_server(args.ping_interval, args.ping_timeout)
    app = web.Application()
    sio.attach(app)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, listener)
    await site.start()
    reply(listener.getsockname()[1])

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while True:
        line = await reader.readline()
        if not line:
            break
        line = line.decode().strip()
        if line:
            await command(sio, line)
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
