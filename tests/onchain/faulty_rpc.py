"""A local JSON-RPC proxy in front of anvil that injects provider faults into eth_getLogs."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


class FaultyRpc:
    """`faults` is consumed one per eth_getLogs call: "range_hint", "range", "too_many", "429",
    "timeout", "twice" (the range's logs served twice), "stale" (the previous range's answer served
    again for this one) or None (pass through). `always` repeats forever."""

    def __init__(self, upstream: str, faults: list, *, always: str | None = None, timeout_sleep: float = 1.5):
        self.upstream = upstream
        self.faults = list(faults)
        self.always = always
        self.timeout_sleep = timeout_sleep
        self.requests = 0
        self.get_logs_ranges = []
        self.last_logs = None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                proxy.requests += 1
                status, payload = proxy.handle(body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def handle(self, body):
        if isinstance(body, dict) and body.get("method") == "eth_getLogs":
            params = body["params"][0]
            start, end = int(params["fromBlock"], 16), int(params["toBlock"], 16)
            self.get_logs_ranges.append(end - start + 1)
            fault = self.always or (self.faults.pop(0) if self.faults else None)
            error = {
                "range_hint": (200, {"jsonrpc": "2.0", "id": body["id"], "error": {"code": -32005, "message":
                               f"query returned more than 10000 results. Try with this block range "
                               f"[{hex(start)}, {hex(start + 1)}]."}}),
                "too_many": (200, {"jsonrpc": "2.0", "id": body["id"], "error": {"code": -32005,
                             "message": "query returned more than 10000 results"}}),
                "range": (200, {"jsonrpc": "2.0", "id": body["id"], "error": {"code": -32602,
                          "message": "block range too large"}}),
                "429": (429, {"jsonrpc": "2.0", "id": body["id"],
                              "error": {"code": 429, "message": "Too Many Requests"}}),
            }.get(fault)
            if error:
                return error
            if fault == "timeout":
                time.sleep(self.timeout_sleep)
            if fault == "stale" and self.last_logs is not None:
                return 200, {"jsonrpc": "2.0", "id": body["id"], "result": self.last_logs}
            upstream = requests.post(self.upstream, json=body, timeout=10).json()
            if upstream.get("result"):
                self.last_logs = upstream["result"]
            if fault == "twice" and isinstance(upstream.get("result"), list):
                upstream["result"] = upstream["result"] + upstream["result"]
            return 200, upstream
        return 200, requests.post(self.upstream, json=body, timeout=10).json()

    def close(self):
        self.server.shutdown()
