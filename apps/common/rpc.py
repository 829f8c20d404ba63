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
    # range_too_large, too_many_results, rate_limited, timeout, connection, rpc_error, and from the
    # indexer: lagging_node (a block missing at or below the node's head, or a head that went back),
    # wrong_chain (eth_chainId is not the stream's), inconsistent (logs outside what was asked)
    kind: str
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
        return _quantity(self.call("eth_blockNumber", []), "eth_blockNumber")

    def chain_and_head(self) -> tuple[int, int]:
        """eth_chainId and eth_blockNumber in one round trip, so checking the chain before every step is free."""
        chain_id, head = self.batch([("eth_chainId", []), ("eth_blockNumber", [])])
        return _quantity(chain_id, "eth_chainId"), _quantity(head, "eth_blockNumber")

    def block_hashes(self, numbers: list[int]) -> dict[int, str]:
        """Lowercase hashes of blocks the caller knows exist (at or below a head the node reported). A node
        that answers null for one (behind a load balancer, still syncing) is lagging: that is an RPC fault,
        never an empty hash that would look like a reorg or end up stored as a cursor."""
        blocks = self.batch([("eth_getBlockByNumber", [hex(n), False]) for n in numbers])
        hashes = {n: ((b or {}).get("hash") or "").lower() for n, b in zip(numbers, blocks, strict=True)}
        missing = [n for n, h in hashes.items() if not h]
        if missing:
            raise RpcError("lagging_node", f"the node has no block {missing[0]} yet ({len(missing)} missing)")
        return hashes

    def block_hash(self, number: int) -> str:
        return self.block_hashes([number])[number]

    def get_logs(self, address: str, from_block: int, to_block: int) -> list[dict]:
        return self.call("eth_getLogs", [{"address": address, "fromBlock": hex(from_block), "toBlock": hex(to_block)}],
                         from_block=from_block)


def _quantity(value, method: str) -> int:
    try:
        return int(value, 16)
    except (TypeError, ValueError):
        raise RpcError("rpc_error", f"{method} answered {str(value)[:60]!r}, not a hex quantity") from None


def rpc_from_settings() -> JsonRpc:
    return JsonRpc(settings.AGORA_RPC_URL, timeout=settings.AGORA_ONCHAIN_RPC_TIMEOUT)
