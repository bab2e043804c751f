#!/usr/bin/python3
"""tokenserver.py - a registry token service (the Docker/distribution token protocol) for
tests that run the real docker-registry in token-auth mode.

  GET /token?service=S&scope=T:NAME:ACTIONS[&scope=...]   (HTTP Basic: --user/--password)

answers {"token": JWT, "access_token": JWT, "expires_in": 300} where the JWT is RS256-signed
with --key, carries --cert in its "x5c" header (the registry checks it against its
rootcertbundle) and grants exactly the requested scopes. Wrong or missing credentials: 401.
Every request is logged as one JSON line to --log: {"user", "scopes", "status"}.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--log", required=True)
    a = ap.parse_args()
    der = subprocess.run(["openssl", "x509", "-in", a.cert, "-outform", "DER"],
                         check=True, capture_output=True).stdout
    x5c = base64.b64encode(der).decode()
    want = "Basic " + base64.b64encode(f"{a.user}:{a.password}".encode()).decode()

    def sign(payload):
        head = b64url(json.dumps({"typ": "JWT", "alg": "RS256", "x5c": [x5c]}).encode())
        body = b64url(json.dumps(payload).encode())
        msg = f"{head}.{body}".encode()
        sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", a.key],
                             input=msg, check=True, capture_output=True).stdout
        return f"{head}.{body}.{b64url(sig)}"

    class H(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            u = urllib.parse.urlparse(self.path)
            q = urllib.parse.parse_qs(u.query)
            scopes = q.get("scope", [])
            ok = u.path == "/token" and self.headers.get("Authorization") == want
            with open(a.log, "a") as f:
                f.write(json.dumps({"user": a.user if ok else None, "scopes": scopes,
                                    "status": 200 if ok else 401}) + "\n")
            if not ok:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="token"')
                self.end_headers()
                return
            access = []
            for s in scopes:
                parts = s.split(":")
                if len(parts) >= 3:
                    access.append({"type": parts[0], "name": ":".join(parts[1:-1]),
                                   "actions": parts[-1].split(",")})
            now = int(time.time())
            tok = sign({"iss": a.issuer, "sub": a.user, "aud": q.get("service", [""])[0],
                        "exp": now + 300, "nbf": now - 10, "iat": now,
                        "jti": b64url(os.urandom(12)), "access": access})
            body = json.dumps({"token": tok, "access_token": tok, "expires_in": 300}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", a.port), H)
    print("listening", file=sys.stderr, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
