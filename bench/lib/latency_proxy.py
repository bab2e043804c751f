#!/usr/bin/python3
"""latency_proxy.py - a TCP relay on 127.0.0.1 that delays every chunk by a fixed one-way
latency in each direction: the loopback registry then answers like one across a network
(RTT = 2 x --delay-ms), without touching its bandwidth. For bench_fleet.sh --rtt: a fleet
whose registry is remote is bound by round trips, not by the registry's CPU on this machine.

Usage: latency_proxy.py --port P --upstream HOST:PORT --delay-ms D
Order is kept per direction; a closed side closes the other once its delayed data is out.
"""
import argparse
import asyncio
import sys


async def pump(reader, writer, delay):
    queue = asyncio.Queue()
    loop = asyncio.get_running_loop()

    async def sender():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if data is None:
                break
            writer.write(data)
            await writer.drain()
        try:
            writer.write_eof()
        except (OSError, RuntimeError):
            pass

    task = asyncio.create_task(sender())
    try:
        while True:
            data = await reader.read(65536)
            queue.put_nowait((loop.time() + delay, data or None))
            if not data:
                break
    except (ConnectionError, OSError):
        queue.put_nowait((loop.time(), None))
    try:
        await task
    except (ConnectionError, OSError):
        pass


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--delay-ms", type=float, required=True)
    a = ap.parse_args()
    host, port = a.upstream.rsplit(":", 1)
    delay = a.delay_ms / 1000.0

    async def handle(cr, cw):
        try:
            ur, uw = await asyncio.open_connection(host, int(port))
        except OSError:
            cw.close()
            return
        await asyncio.gather(pump(cr, uw, delay), pump(ur, cw, delay))
        for w in (cw, uw):
            w.close()

    server = await asyncio.start_server(handle, "127.0.0.1", a.port, backlog=512)
    print("listening", file=sys.stderr, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
