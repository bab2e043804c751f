#!/usr/bin/env python3
"""fleet_events.py - count CompletionEvents per job on a Redis stream (bench/bench_fleet.sh).

Usage: fleet_events.py PORT [STREAM]   (STREAM default dd:events)

Prints "<count> <job_id>" per job, sorted by job_id. The stream entries carry binary protobuf
(field "event" = CompletionEvent, whose field 1 is job_id: tag 0x0a, one length byte, bytes),
so this speaks RESP over a raw socket instead of going through redis-cli's text output.
It reads the whole stream with one XRANGE; fine for a benchmark's few hundred entries.
"""
import collections
import socket
import sys


def main():
    port = int(sys.argv[1])
    stream = (sys.argv[2] if len(sys.argv) > 2 else "dd:events").encode()
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    rf = sock.makefile("rb")
    args = [b"XRANGE", stream, b"-", b"+"]
    req = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
    sock.sendall(req)

    def read():
        line = rf.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [read() for _ in range(n)]
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else rf.read(n + 2)[:-2]
        if kind == b":":
            return int(rest)
        if kind == b"-":
            raise SystemExit("redis: " + rest.decode(errors="replace"))
        return rest

    counts = collections.Counter()
    for _entry_id, fields in read() or []:
        for key, val in zip(fields[0::2], fields[1::2]):
            if key == b"event" and val[:1] == b"\x0a" and len(val) >= 2:
                counts[val[2:2 + val[1]].decode(errors="replace")] += 1
    for job, n in sorted(counts.items()):
        print(n, job)


if __name__ == "__main__":
    main()
