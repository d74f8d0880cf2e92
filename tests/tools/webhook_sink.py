#!/usr/bin/env python3
"""Test double of a webhook receiver: a real HTTP server on 127.0.0.1.

    webhook_sink.py DIR [--status CODE]

Listens on a kernel-chosen port and writes it to DIR/port once it accepts
connections. Every POST body is stored as DIR/NNNN.json (NNNN counts from
0001, in arrival order) and answered with CODE (default 200); the request
path and headers go to DIR/NNNN.meta so a test can check what was sent
without ever printing the URL's secret part itself. Other methods get 405.
Stops on SIGTERM.
"""
import argparse
import os
import sys
import threading

from double_server import QuietHandler, serve


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--status", type=int, default=200)
    args = ap.parse_args()
    lock = threading.Lock()
    counter = [0]

    class Handler(QuietHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length) if length > 0 else b""
            with lock:
                counter[0] += 1
                stem = os.path.join(args.dir, "%04d" % counter[0])
            with open(stem + ".meta.tmp", "w") as f:
                f.write("path %s\n" % self.path)
                for k, v in self.headers.items():
                    f.write("%s: %s\n" % (k, v))
            with open(stem + ".json.tmp", "wb") as f:
                f.write(body)
            # Bodies appear complete or not at all for pollers.
            os.rename(stem + ".meta.tmp", stem + ".meta")
            os.rename(stem + ".json.tmp", stem + ".json")
            self.send_response(args.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            self.send_response(405)
            self.send_header("Content-Length", "0")
            self.end_headers()

    return serve(Handler, args.dir)


if __name__ == "__main__":
    sys.exit(main())
