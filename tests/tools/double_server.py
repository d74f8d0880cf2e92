"""Serve loop shared by the HTTP test doubles in this directory
(webhook_sink.py, registry_double.py, community_server_double.py).

    serve(handler, port_dir, bind="127.0.0.1", tls_cert=None, tls_key=None)

Runs a threading HTTP server (HTTPS when tls_cert is given, with tls_key)
for `handler` on BIND at a kernel-chosen port; an address with ':' is
dual-stack (v6 socket with IPV6_V6ONLY off: every local IPv4 and IPv6
address). Writes the port to PORT_DIR/port only once the socket accepts
connections, by rename, so a poller never reads a partial number. SIGTERM
stops it; serve then returns 0, the doubles' exit status.

QuietHandler is BaseHTTPRequestHandler without the per-request stderr log,
which would otherwise interleave with the suites' own output.
"""
import http.server
import os
import signal
import socket
import ssl
import threading


class QuietHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, fmt, *a):
        pass


class _DualStackServer(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def serve(handler, port_dir, bind="127.0.0.1", tls_cert=None, tls_key=None):
    srv_class = _DualStackServer if ":" in bind else http.server.ThreadingHTTPServer
    srv = srv_class((bind, 0), handler)
    # A request still running (a trickle, a delayed fault) must not hold up exit.
    srv.daemon_threads = True
    if tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(tls_cert, tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    # The signal handler runs on the main thread, inside serve_forever, which
    # shutdown() waits for: calling it there would deadlock.
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    tmp = os.path.join(port_dir, "port.tmp")
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, os.path.join(port_dir, "port"))
    srv.serve_forever()
    return 0
