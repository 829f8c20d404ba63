"""A JSON-RPC proxy in front of anvil, standing in for the chain provider of a deployment.

It records every eth_getLogs with the time it was in flight (to prove no two indexer steps of one stream ever
overlap), can hold each eth_getLogs for `get_logs_delay` seconds (so overlapping steps, if the lock failed,
would be caught in the act), and can go down (`down()`: its port refuses connections, as a dead provider's
does) and come back on the same port (`up()`)."""
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


@dataclass(frozen=True)
class GetLogs:
    address: str
    from_block: int
    to_block: int
    started: float
    finished: float


class RpcProxy:
    def __init__(self, upstream: str, port: int):
        self.upstream = upstream
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.get_logs_delay = 0.0
        self.calls: list[GetLogs] = []
        self.requests = 0
        self._lock = threading.Lock()
        self._server = None
        self.listening = False
        self.up()

    def up(self) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                data = json.dumps(proxy._forward(body)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        self.listening = True

    def down(self) -> None:
        """Stop listening: new connections are refused until up()."""
        self._server.shutdown()
        self._server.server_close()
        self.listening = False

    def _forward(self, body):
        with self._lock:
            self.requests += 1
        if isinstance(body, dict) and body.get("method") == "eth_getLogs":
            params = body["params"][0]
            started = time.monotonic()
            time.sleep(self.get_logs_delay)
            answer = requests.post(self.upstream, json=body, timeout=10).json()
            with self._lock:
                self.calls.append(GetLogs(params["address"].lower(), int(params["fromBlock"], 16),
                                          int(params["toBlock"], 16), started, time.monotonic()))
            return answer
        return requests.post(self.upstream, json=body, timeout=10).json()

    def close(self) -> None:
        self.down()
