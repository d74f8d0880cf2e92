#!/usr/bin/env python3
"""Test double of a plugin registry: a real HTTP(S) server on 127.0.0.1 for
the SSRF-safe fetcher's tests.

    registry_double.py DIR --root BUNDLE_DIR [--tls-cert PEM --tls-key PEM]
        [--bind ADDR]

Listens on ADDR (default 127.0.0.1; "::" is dual-stack: every local IPv4 and
IPv6 address, for tests that give names to addresses on lo) on a kernel-chosen port, writes it to DIR/port once it accepts
connections, stops on SIGTERM. Routes (GET only):
  /redir?to=URL[&code=302]   redirect (301/302/303/307/308) to URL
  /trickle?bytes=N           Content-Length N, then one byte per second
  /huge?bytes=N[&chunked=1]  N bytes of 'x', with Content-Length or chunked
  /_double/stats             {"total": n, "paths": {"/path": n}}
  anything else              the file ROOT/path (PATH.sig is just a file), 404 if absent
"""
import argparse
import json
import os
import sys
import threading
import time
import urllib.parse

from double_server import QuietHandler, serve


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--root", required=True)
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--bind", default="127.0.0.1")
    args = ap.parse_args()
    lock = threading.Lock()
    stats = {"total": 0, "paths": {}}
    root = os.path.realpath(args.root)

    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def head(self, status, length=None, ctype="application/octet-stream", extra=()):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            if length is not None:
                self.send_header("Content-Length", str(length))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()

        def do_GET(self):
            u = urllib.parse.urlsplit(self.path)
            q = urllib.parse.parse_qs(u.query)
            if u.path == "/_double/stats":
                with lock:
                    data = json.dumps(stats).encode()
                self.head(200, len(data), "application/json")
                return self.wfile.write(data)
            with lock:
                stats["total"] += 1
                stats["paths"][u.path] = stats["paths"].get(u.path, 0) + 1
            if u.path == "/redir":
                code = int(q.get("code", ["302"])[0])
                return self.head(code, 0, extra=(("Location", q.get("to", ["/"])[0]),))
            if u.path == "/trickle":
                n = int(q.get("bytes", ["60"])[0])
                self.head(200, n)
                try:
                    for _ in range(n):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                        time.sleep(1)
                except OSError:
                    pass
                return
            if u.path == "/huge":
                n = int(q.get("bytes", ["1048577"])[0])
                chunked = q.get("chunked", ["0"])[0] == "1"
                self.head(200, None if chunked else n,
                          extra=(("Transfer-Encoding", "chunked"),) if chunked else ())
                block = b"x" * 65536
                try:
                    while n > 0:
                        part = block[:min(n, len(block))]
                        if chunked:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                        else:
                            self.wfile.write(part)
                        n -= len(part)
                    if chunked:
                        self.wfile.write(b"0\r\n\r\n")
                except OSError:
                    pass
                return
            path = os.path.realpath(os.path.join(root, urllib.parse.unquote(u.path).lstrip("/")))
            if not path.startswith(root + os.sep) or not os.path.isfile(path):
                return self.head(404, 0)
            with open(path, "rb") as f:
                data = f.read()
            self.head(200, len(data))
            self.wfile.write(data)

    return serve(Handler, args.dir, args.bind, args.tls_cert, args.tls_key)


if __name__ == "__main__":
    sys.exit(main())
