"""A local JSON-RPC proxy in front of anvil that injects provider faults: into eth_getLogs, and a node
that lags behind or sits on another chain."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


class FaultyRpc:
    """`faults` is consumed one per eth_getLogs call: "range_hint", "range", "too_many", "429",
    "timeout", "twice" (the range's logs served twice), "stale" (the previous range's answer served
    again for this one) or None (pass through). `always` repeats forever.

    Node modes, set on the proxy at any time, in single and batch calls alike: `head` (eth_blockNumber
    answers it), `hide_above` (eth_getBlockByNumber answers null above that block: a node that doesn't
    have it yet) and `chain_id` (eth_chainId answers it)."""

    def __init__(self, upstream: str, faults: list, *, always: str | None = None, timeout_sleep: float = 1.5):
        self.upstream = upstream
        self.faults = list(faults)
        self.always = always
        self.timeout_sleep = timeout_sleep
        self.head = self.hide_above = self.chain_id = None
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
        answer = requests.post(self.upstream, json=body, timeout=10).json()
        if isinstance(body, list):
            by_id = {item["id"]: item for item in body}
            return 200, [self._as_node(by_id.get(item.get("id"), {}), item) for item in answer]
        return 200, self._as_node(body, answer)

    def _as_node(self, call: dict, answer: dict) -> dict:
        """The answer a lagging node, or one on another chain, would have given."""
        method, params = call.get("method"), call.get("params") or []
        if method == "eth_blockNumber" and self.head is not None:
            return {**answer, "result": hex(self.head)}
        if method == "eth_chainId" and self.chain_id is not None:
            return {**answer, "result": hex(self.chain_id)}
        if method == "eth_getBlockByNumber" and self.hide_above is not None and int(params[0], 16) > self.hide_above:
            return {**answer, "result": None}
        return answer

    def close(self):
        self.server.shutdown()
