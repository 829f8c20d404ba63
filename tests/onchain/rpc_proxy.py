"""A JSON-RPC proxy in front of anvil that records the methods asked, and can delay or fail some."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


class RpcProxy:
    """`delays`: seconds to sleep before answering a request that asks for that method; `fail`:
    methods answered with HTTP 502 (a provider outage). `methods` lists every method asked, in order."""

    def __init__(self, upstream: str, *, delays: dict | None = None, fail: tuple = ()):
        self.upstream, self.delays, self.fail = upstream, dict(delays or {}), set(fail)
        self.methods: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                body = json.loads(raw)
                asked = [item["method"] for item in (body if isinstance(body, list) else [body])]
                proxy.methods.extend(asked)
                time.sleep(max([proxy.delays.get(m, 0) for m in asked]))
                if proxy.fail.intersection(asked):
                    status, data = 502, b"bad gateway"
                else:
                    upstream = requests.post(proxy.upstream, data=raw, headers={"Content-Type": "application/json"},
                                             timeout=60)
                    status, data = upstream.status_code, upstream.content
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its deadline): that is what some tests check

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
