#!/usr/bin/env python3
"""receiver.py - real local notification receivers for the notifier integration tests.

Three kinds, one process each, on 127.0.0.1 only:

  http      a plain HTTP webhook receiver (POST <any path>)
  https     the same behind TLS (--cert/--key: a server certificate the test made with openssl)
  dingtalk  a DingTalk custom-robot look-alike: it checks access_token (--token), that
            `timestamp` (ms) is within one hour of now and that
            sign == base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")) (--secret; the query
            value is URL-decoded first, so a sign that was not URL-encoded fails as on the real
            service), that the body is a markdown message, and answers 200 with
            {"errcode": 0, "errmsg": "ok"} or errcode 310000 "sign not match" / 300005
            "token is not exist" / 40035 "invalid message body".

Every request is appended to --log as one JSON line (flushed at once), in arrival order (a TLS
handshake the client broke off, e.g. because it rejected the certificate, is a line
{"t_ms": ..., "tls_error": "..."} without "n"):
  {"n": 1, "t_ms": ..., "method": "POST", "path": "/hook", "query": "a=1&b=2",
   "headers": {"content-type": "application/json", ...}   (names lower case)
   "body": "<UTF-8 text>", "body_sha256": "...", "answer": 200, "errcode": 0 (dingtalk),
   "signature_valid": true|false|null  (http/https with --secret: X-Drydock-Signature check),
   "sign_valid": true|false, "timestamp_ok": true|false, "token_ok": true|false (dingtalk),
   "slow_ms": 0, "fault": "none" | "status" | "errcode" | "slow"}
The log line is written when the request has been read, before any slow reply, so a request
the client gave up on is still recorded.

Fault modes (flags, or changed at run time with GET /__control?key=value&... which also
resets the request counter; /__control and /__health are never logged):
  fail_first=N      the first N requests answer `status` (default 500) instead of success
  status=CODE       the answer during fail_first (or always with fail_first=-1)
  retry_after=S     add "Retry-After: S" to those answers
  slow_ms=MS        sleep MS before answering ...
  slow_first=N      ... for the first N requests only (default: all, when slow_ms > 0)
  errcode_first=N   dingtalk: the first N answer HTTP 200 with errcode `errcode` (default
  errcode=CODE      130101, "send too fast") instead of 0
  down=1            close the connection without an answer (after logging)

Readiness: the chosen port is written to --port-file once the socket listens (port 0 = any
free port, no race). SIGTERM stops it.

Usage: receiver.py --kind http|https|dingtalk --port-file F --log F [--port P]
                   [--cert PEM --key PEM] [--secret S] [--token T] [fault flags as --x-y N]
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BODY_MAX = 4 << 20

FAULT_KEYS = {
    "fail_first": 0,
    "status": 500,
    "retry_after": "",
    "slow_ms": 0,
    "slow_first": -1,
    "errcode_first": 0,
    "errcode": 130101,
    "down": 0,
}

ERRMSG = {
    130101: "send too fast, exceed 20 times per minute",
    310000: "sign not match",
    300005: "token is not exist",
    40035: "invalid message body",
}


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.count = 0
        self.faults = dict(FAULT_KEYS)
        for k in FAULT_KEYS:
            v = getattr(args, k)
            if v is not None:
                self.faults[k] = v
        self.log = open(args.log, "a", encoding="utf-8")

    def next_request(self):
        with self.lock:
            self.count += 1
            return self.count, dict(self.faults)

    def control(self, query):
        with self.lock:
            for k, vs in urllib.parse.parse_qs(query, keep_blank_values=True).items():
                if k not in FAULT_KEYS:
                    raise ValueError("unknown control key " + k)
                v = vs[-1]
                self.faults[k] = v if k == "retry_after" else int(v)
            self.count = 0
            return dict(self.faults)

    def write(self, rec):
        line = json.dumps(rec, sort_keys=True, ensure_ascii=False)
        with self.lock:
            self.log.write(line + "\n")
            self.log.flush()


def dingtalk_sign(secret, ts):
    mac = hmac.new(secret.encode(), ("%s\n%s" % (ts, secret)).encode(), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "drydock-test-receiver/1"

    def log_message(self, fmt, *a):  # quiet: the JSON log is the record
        pass

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if "chunked" in te.lower():
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
                if len(out) > BODY_MAX:
                    raise ValueError("body too big")
        n = int(self.headers.get("Content-Length") or 0)
        if n > BODY_MAX:
            raise ValueError("body too big")
        return self.rfile.read(n) if n else b""

    def reply(self, status, body, extra=None):
        data = json.dumps(body).encode() if not isinstance(body, bytes) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def handle_any(self, method):
        st = self.server.state
        path, _, query = self.path.partition("?")
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        if path == "/__health":
            self.reply(200, {"ok": True})
            return
        if path == "/__control":
            try:
                self.reply(200, st.control(query))
            except ValueError as e:
                self.reply(400, {"error": str(e)})
            return
        n, f = st.next_request()
        text = body.decode("utf-8", errors="replace")
        rec = {
            "n": n,
            "t_ms": int(time.time() * 1000),
            "method": method,
            "path": path,
            "query": query,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": text,
            "body_sha256": hashlib.sha256(body).hexdigest(),
            "fault": "none",
            "slow_ms": 0,
        }
        status, answer, extra = 200, {"ok": True}, {}
        if st.args.kind == "dingtalk":
            answer = self.dingtalk_check(rec, query, text)
            status = 200
        elif st.args.secret is not None:
            want = "sha256=" + hmac.new(st.args.secret.encode(), body, hashlib.sha256).hexdigest()
            got = self.headers.get("X-Drydock-Signature")
            rec["signature_valid"] = got is not None and hmac.compare_digest(got, want)
        failing = f["fail_first"] < 0 or n <= f["fail_first"]
        if failing:
            status, answer = f["status"], {"error": "injected failure %d" % f["status"]}
            rec["fault"] = "status"
            if f["retry_after"] != "":
                extra["Retry-After"] = str(f["retry_after"])
        elif st.args.kind == "dingtalk" and n <= f["errcode_first"] and answer["errcode"] == 0:
            answer = {"errcode": f["errcode"], "errmsg": ERRMSG.get(f["errcode"], "injected")}
            rec["fault"] = "errcode"
        if st.args.kind == "dingtalk":
            rec["errcode"] = answer.get("errcode")
        slow = f["slow_ms"] if (f["slow_first"] < 0 or n <= f["slow_first"]) else 0
        rec["slow_ms"] = slow
        if slow and rec["fault"] == "none":
            rec["fault"] = "slow"
        rec["answer"] = status
        if f["down"]:
            rec["fault"] = "down"
            rec["answer"] = None
        st.write(rec)
        if f["down"]:
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if slow:
            time.sleep(slow / 1000.0)
        try:
            self.reply(status, answer, extra)
        except OSError:
            self.close_connection = True  # the client gave up (timeout): recorded already

    def dingtalk_check(self, rec, query, text):
        a = self.server.state.args
        q = urllib.parse.parse_qs(query, keep_blank_values=True)
        token = q.get("access_token", [None])[-1]
        ts = q.get("timestamp", [None])[-1]
        sign = q.get("sign", [None])[-1]
        rec["token_ok"] = a.token is None or token == a.token
        try:
            rec["timestamp_ok"] = abs(int(ts) - time.time() * 1000) <= 3600 * 1000
        except (TypeError, ValueError):
            rec["timestamp_ok"] = False
        if a.secret is None:
            rec["sign_valid"] = None
        else:
            rec["sign_valid"] = (sign is not None and ts is not None and
                                 hmac.compare_digest(sign, dingtalk_sign(a.secret, ts)))
        body_ok = False
        try:
            j = json.loads(text)
            body_ok = (j.get("msgtype") == "markdown" and
                       isinstance(j.get("markdown", {}).get("title"), str) and
                       isinstance(j.get("markdown", {}).get("text"), str))
        except (ValueError, AttributeError):
            pass
        rec["body_ok"] = body_ok
        if not rec["token_ok"]:
            code = 300005
        elif rec["sign_valid"] is False or not rec["timestamp_ok"]:
            code = 310000
        elif not body_ok:
            code = 40035
        else:
            return {"errcode": 0, "errmsg": "ok"}
        return {"errcode": code, "errmsg": ERRMSG[code]}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    tls = None

    def get_request(self):
        sock, addr = self.socket.accept()
        if self.tls is None:
            return sock, addr
        sock.settimeout(10)
        try:
            return self.tls.wrap_socket(sock, server_side=True), addr
        except (ssl.SSLError, OSError) as e:
            # the client refused our certificate (or spoke no TLS): record it, no request
            self.state.write({"t_ms": int(time.time() * 1000), "tls_error": str(e)})
            sock.close()
            raise


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kind", choices=["http", "https", "dingtalk"], required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file", required=True)
    p.add_argument("--log", required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--secret")
    p.add_argument("--token")
    for k, v in FAULT_KEYS.items():
        p.add_argument("--" + k.replace("_", "-"), dest=k, type=str if k == "retry_after" else int,
                       default=None)
    args = p.parse_args()
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.state = State(args)
    if args.kind == "https" or args.cert:
        if not (args.cert and args.key):
            p.error("--cert and --key are required for https")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.cert, args.key)
        srv.tls = ctx
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.1)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
