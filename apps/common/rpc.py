"""A small JSON-RPC client for the indexer: raw requests (80k logs/s vs web3's 1.7k, docs/architecture.md),
with provider faults classified so the indexer can narrow its range or back off."""
import itertools
import re
from dataclasses import dataclass

import requests
from django.conf import settings

_RANGE_HINT = re.compile(r"\[\s*(0x[0-9a-fA-F]+)\s*,\s*(0x[0-9a-fA-F]+)\s*\]")
_SIZE_HINT = re.compile(r"(?:up to|maximum|max(?:imum)? block range(?: is)?|limited to)\s*(?:a\s*)?(\d+)\s*(?:block)?",
                        re.IGNORECASE)
_RANGE_WORDS = ("block range", "range too large", "range is too large", "exceed maximum block range", "too wide")
_RESULT_WORDS = ("more than 10000 results", "too many results", "query returned more than", "limit exceeded",
                 "response size exceeded", "log response size")


@dataclass
class RpcError(Exception):
    kind: str  # range_too_large, too_many_results, rate_limited, timeout, connection, rpc_error
    message: str
    suggested_size: int | None = None

    def __str__(self):
        return f"{self.kind}: {self.message}"


def classify(message: str, from_block: int | None = None) -> RpcError:
    lowered = message.lower()
    suggested = None
    hint = _RANGE_HINT.search(message)
    if hint and from_block is not None:
        start, end = int(hint.group(1), 16), int(hint.group(2), 16)
        suggested = max(1, end - max(start, from_block) + 1)
    elif (size := _SIZE_HINT.search(message)) is not None:
        suggested = max(1, int(size.group(1)))
    if any(word in lowered for word in _RESULT_WORDS):
        return RpcError("too_many_results", message, suggested)
    if any(word in lowered for word in _RANGE_WORDS):
        return RpcError("range_too_large", message, suggested)
    if "rate limit" in lowered or "too many requests" in lowered:
        return RpcError("rate_limited", message)
    return RpcError("rpc_error", message, suggested)


class JsonRpc:
    def __init__(self, url: str, *, timeout: float = 10.0):
        self.url = url
        self.timeout = timeout
        self.http = requests.Session()
        self._ids = itertools.count(1)

    def _post(self, payload):
        try:
            response = self.http.post(self.url, json=payload, timeout=self.timeout)
        except requests.Timeout as exc:
            raise RpcError("timeout", str(exc)) from None
        except requests.ConnectionError as exc:
            raise RpcError("connection", str(exc)[:300]) from None
        if response.status_code == 429:
            raise RpcError("rate_limited", f"HTTP 429 {response.text[:200]}")
        if response.status_code >= 400:
            raise classify(f"HTTP {response.status_code} {response.text[:300]}")
        try:
            return response.json()
        except ValueError:
            raise RpcError("rpc_error", f"not JSON: {response.text[:200]}") from None

    def call(self, method: str, params: list, *, from_block: int | None = None):
        body = self._post({"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params})
        if "error" in body:
            error = body["error"]
            raise classify(f"{error.get('code')}: {error.get('message')} {error.get('data') or ''}".strip(), from_block)
        return body["result"]

    def batch(self, calls: list[tuple[str, list]]) -> list:
        if not calls:
            return []
        payload = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        body = self._post(payload)
        if not isinstance(body, list):
            raise classify(str(body.get("error", body)))
        by_id = {item.get("id"): item for item in body}
        results = []
        for i in range(len(calls)):
            item = by_id.get(i)
            if item is None or "error" in item:
                raise classify(str((item or {}).get("error", "missing batch response")))
            results.append(item["result"])
        return results

    # --- the calls the indexer makes -------------------------------------------------
    def block_number(self) -> int:
        return int(self.call("eth_blockNumber", []), 16)

    def block_hashes(self, numbers: list[int]) -> dict[int, str]:
        blocks = self.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        return {n: (b or {}).get("hash", "") for n, b in zip(numbers, blocks, strict=True)}

    def block_hash(self, number: int) -> str:
        return self.block_hashes([number])[number]

    def get_logs(self, address: str, from_block: int, to_block: int) -> list[dict]:
        return self.call("eth_getLogs", [{"address": address, "fromBlock": hex(from_block), "toBlock": hex(to_block)}],
                         from_block=from_block)


def rpc_from_settings() -> JsonRpc:
    return JsonRpc(settings.AGORA_RPC_URL, timeout=settings.AGORA_ONCHAIN_RPC_TIMEOUT)
