#!/usr/bin/env python3
"""faultreg.py - a fault-injecting registry proxy for integration tests (stdlib only).

Usage: faultreg.py --upstream 127.0.0.1:PORT [--port-file FILE] [--user U --password P]
                   [--log FILE] [--auth-all]

Listens on 127.0.0.1 (never anything else) on a free port, written to --port-file once the
socket is bound. Requests are forwarded to the real registry given by --upstream. The fault is
chosen by the first component of the repository name, so one server serves every scenario and
a test just picks a reference:

    127.0.0.1:PORT/<fault>/<upstream repo>:<tag>
    e.g. 127.0.0.1:PORT/err500-2/tiny/multi:1  ->  upstream tiny/multi:1, each URL 500s twice

  fault          effect (counters are per request path, so retries of one URL are counted)
  ok             plain proxy
  err500-N       500 N times, then proxy
  err500-always  always 500
  r429-N         429 with Retry-After: 1, N times, then proxy
  reset-N        blob GETs: headers + half the body, then TCP RST; N times, then proxy
  reset-always   blob GETs always reset (resumed Range requests get the headers only)
  short-N        blob GETs: full Content-Length, half the body, then close; N times
  short-always   blob GETs always short (resumed Range requests get the headers only)
  (Range requests are forwarded: the real registry answers 206 with Content-Range)
  corrupt        blob GETs: same length, one byte flipped (digest mismatch), always
  auth           Bearer token auth: 401 with
                   WWW-Authenticate: Bearer realm="http://127.0.0.1:PORT/token",
                                     service="faultreg",scope="repository:<repo>:pull"
                 GET /token needs HTTP Basic --user/--password and answers {"token": ...};
                 then requests need "Authorization: Bearer <token>"
  ctype          manifest GETs answer Content-Type: text/plain
  big            manifest GETs answer a 10 MB JSON body (valid JSON, Content-Length set)
  bigchunked     the same body, chunked, no Content-Length
  anything else  404 with a registry-style error body

GET /v2/ answers 200 "{}". With --auth-all every request, /v2/ included, needs the Bearer token
first (as Docker Hub does: the /v2/ challenge has no scope), whatever the fault. Every request is logged (method, path, fault, status) to --log.
Mocks stop at fault injection: real manifests and blobs come from the real registry.
"""

import argparse
import base64
import http.client
import http.server
import json
import os
import re
import secrets
import socket
import struct
import sys
import threading
import time

UPSTREAM = None
USER = None
PASSWORD = None
AUTH_ALL = False
TOKEN = secrets.token_hex(16)
LOG = None
LOCK = threading.Lock()
COUNTS = {}

PATH_RE = re.compile(r"^/v2/(?P<fault>[a-z0-9-]+)/(?P<repo>.+)/(?P<kind>manifests|blobs|tags)/(?P<ref>[^/]+)$")
FAULT_RE = re.compile(r"^(ok|auth|corrupt|ctype|big|bigchunked|(err500|r429|reset|short)-(\d+|always))$")


def log(msg):
    if LOG is None:
        return
    with LOCK:
        LOG.write("%.3f %s\n" % (time.time(), msg))
        LOG.flush()


def bump(key):
    """Number of times this key was seen before (0 on the first request)."""
    with LOCK:
        n = COUNTS.get(key, 0)
        COUNTS[key] = n + 1
        return n


def fetch_upstream(method, path, headers):
    conn = http.client.HTTPConnection(UPSTREAM, timeout=30)
    try:
        conn.request(method, path, headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        return resp.status, resp.getheaders(), body
    finally:
        conn.close()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "faultreg/1"

    def log_message(self, fmt, *args):  # quiet stderr; we log to --log
        pass

    def send_plain(self, status, body, ctype="application/json", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error_json(self, status, code, message, extra=None):
        body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
        self.send_plain(status, body, extra=extra)

    def do_HEAD(self):
        self.handle_any()

    def do_GET(self):
        self.handle_any()

    def handle_any(self):
        status = self.route()
        log("%s %s -> %s" % (self.command, self.path, status))

    def route(self):
        path = self.path.split("?", 1)[0]
        if path == "/token":
            return self.token()
        if path in ("/v2", "/v2/"):
            if AUTH_ALL and not self.authorised(None, None):
                return 401
            self.send_plain(200, b"{}")
            return 200
        m = PATH_RE.match(path)
        if not m or not FAULT_RE.match(m.group("fault")):
            self.send_error_json(404, "NAME_UNKNOWN", "repository name not known to faultreg")
            return 404
        fault, repo, kind = m.group("fault"), m.group("repo"), m.group("kind")
        upath = "/v2/%s/%s/%s" % (repo, kind, m.group("ref"))
        parts = fault.split("-")
        if parts[0] in ("err500", "r429", "reset", "short"):
            limit = None if parts[1] == "always" else int(parts[1])
            seen = bump((fault, self.command, path))
            active = limit is None or seen < limit
        else:
            limit, active = None, True

        if (fault == "auth" or AUTH_ALL) and not self.authorised(fault, repo):
            return 401
        if parts[0] == "err500" and active:
            self.send_error_json(500, "UNKNOWN", "injected internal server error")
            return 500
        if parts[0] == "r429" and active:
            self.send_error_json(429, "TOOMANYREQUESTS", "injected rate limit",
                                 {"Retry-After": "1"})
            return 429

        fwd = {}
        for h in ("Accept", "Range"):
            if self.headers.get(h):
                fwd[h] = self.headers[h]
        try:
            ustatus, uheaders, body = fetch_upstream(self.command, upath, fwd)
        except OSError as e:
            self.send_error_json(502, "UNKNOWN", "upstream: %s" % e)
            return 502
        hdrs = {k.lower(): v for k, v in uheaders}

        if ustatus == 200 and kind == "manifests" and fault in ("big", "bigchunked"):
            return self.big_manifest(hdrs, chunked=(fault == "bigchunked"))
        if ustatus == 200 and kind == "manifests" and fault == "ctype":
            hdrs["content-type"] = "text/plain; charset=utf-8"
        is_blob_get = ustatus in (200, 206) and kind == "blobs" and self.command == "GET"
        if is_blob_get and fault == "corrupt" and body:
            body = bytearray(body)
            body[len(body) // 2] ^= 0x01
            body = bytes(body)
        if is_blob_get and active and parts[0] in ("reset", "short") and len(body) > 1:
            # a resumed (Range, 206) transfer under "-always" gets no bytes at all, so a client
            # that resumes cannot creep to the end half a remainder at a time
            keep = 0 if (ustatus == 206 and limit is None) else len(body) // 2
            return self.broken_body(ustatus, hdrs, body, keep, reset=(parts[0] == "reset"))

        self.send_response(ustatus)
        for k in ("content-type", "docker-content-digest", "etag", "www-authenticate",
                  "content-range", "accept-ranges"):
            if k in hdrs:
                self.send_header(k.title(), hdrs[k])
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        # HEAD answers carry the upstream Content-Length and no body
        self.send_header("Content-Length", hdrs.get("content-length", "0") if self.command == "HEAD"
                         else str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return ustatus

    def authorised(self, fault, repo):
        got = self.headers.get("Authorization", "")
        if got == "Bearer " + TOKEN:
            return True
        host, port = self.server.server_address[:2]
        challenge = 'Bearer realm="http://%s:%d/token",service="faultreg"' % (host, port)
        if repo is not None:
            challenge += ',scope="repository:%s/%s:pull"' % (fault, repo)
        self.send_error_json(401, "UNAUTHORIZED", "authentication required",
                             {"WWW-Authenticate": challenge})
        return False

    def token(self):
        got = self.headers.get("Authorization", "")
        want = "Basic " + base64.b64encode(("%s:%s" % (USER, PASSWORD)).encode()).decode()
        if got != want:
            self.send_error_json(401, "UNAUTHORIZED", "bad username or password",
                                 {"WWW-Authenticate": 'Basic realm="faultreg"'})
            return 401
        body = json.dumps({"token": TOKEN, "access_token": TOKEN, "expires_in": 300,
                           "issued_at": "2024-01-01T00:00:00Z"}).encode()
        self.send_plain(200, body)
        return 200

    def big_manifest(self, hdrs, chunked):
        # valid JSON: a real-looking manifest with a 10 MB annotation
        pad = "x" * (10 * 1000 * 1000)
        body = json.dumps({"schemaVersion": 2,
                           "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": "sha256:" + "0" * 64, "size": 2},
                           "layers": [],
                           "annotations": {"pad": pad}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD":
            return 200
        try:
            if chunked:
                step = 64 * 1024
                for i in range(0, len(body), step):
                    piece = body[i:i + step]
                    self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.wfile.write(body)
        except OSError:
            pass  # the client hung up after its cap: that is the point
        self.close_connection = True
        return 200

    def broken_body(self, status, hdrs, body, keep, reset):
        """Promise len(body) bytes, send `keep` of them, then RST or FIN."""
        self.send_response(status)
        self.send_header("Content-Type", hdrs.get("content-type", "application/octet-stream"))
        for k in ("docker-content-digest", "content-range", "accept-ranges"):
            if k in hdrs:
                self.send_header(k.title(), hdrs[k])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body[:keep])
            self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True
        if reset:
            # SO_LINGER {on, 0}: close() sends RST instead of FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return "%d+reset@%d" % (status, keep)
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        return "%d+short@%d" % (status, keep)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        log("handler error from %s: %s" % (client_address, sys.exc_info()[1]))


def main():
    global UPSTREAM, USER, PASSWORD, LOG, AUTH_ALL
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--port-file")
    ap.add_argument("--user", default="u")
    ap.add_argument("--password", default="p")
    ap.add_argument("--log")
    ap.add_argument("--auth-all", action="store_true")
    a = ap.parse_args()
    UPSTREAM, USER, PASSWORD, AUTH_ALL = a.upstream, a.user, a.password, a.auth_all
    if a.log:
        LOG = open(a.log, "a")
    srv = Server(("127.0.0.1", 0), Handler)
    port = srv.server_address[1]
    if a.port_file:
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(a.port_file + ".tmp", a.port_file)
    else:
        print(port, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
