"""The few Ethereum JSON-RPC calls a verifier needs, over plain requests: the SDK stays free of web3."""
from __future__ import annotations

import itertools
from typing import Any

import requests


class RpcUnavailable(Exception):
    """The node could not be reached: nothing was learned about the anchor."""


class RpcCallError(Exception):
    """The node answered with a JSON-RPC error (e.g. no state for an old block)."""


class JsonRpc:
    def __init__(self, url: str, *, session: requests.Session | None = None, timeout: float = 15.0):
        self.url, self.timeout = url, timeout
        self.http = session or requests.Session()
        self._ids = itertools.count(1)

    def call(self, method: str, *params: Any) -> Any:
        try:
            response = self.http.post(self.url, json={"jsonrpc": "2.0", "id": next(self._ids), "method": method,
                                                      "params": list(params)}, timeout=self.timeout)
            body = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise RpcUnavailable(f"{method} on {self.url}: {type(exc).__name__}") from None
        if not isinstance(body, dict):
            raise RpcUnavailable(f"{method} on {self.url}: not a JSON-RPC answer")
        if body.get("error"):
            raise RpcCallError(f"{method}: {body['error'].get('message', body['error'])}")
        return body.get("result")

    def chain_id(self) -> int:
        return int(self.call("eth_chainId"), 16)

    def head(self) -> int:
        return int(self.call("eth_blockNumber"), 16)

    def receipt(self, tx_hash: str) -> dict | None:
        return self.call("eth_getTransactionReceipt", tx_hash)

    def code(self, address: str, block: str = "latest") -> bytes:
        return bytes.fromhex((self.call("eth_getCode", address, block) or "0x")[2:])

    def eth_call(self, to: str, data: str, block: str = "latest") -> bytes:
        return bytes.fromhex((self.call("eth_call", {"to": to, "data": data}, block) or "0x")[2:])
