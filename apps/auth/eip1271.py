"""EIP-1271 signature checks for contract wallets (e.g. a Safe), over JSON-RPC.

Off unless AGORA_AUTH_EIP1271_ENABLED and AGORA_RPC_URL are set. The wallet's code is the caller's,
so a check must not let it hold a worker: at most two round trips (eth_chainId + eth_getCode as one
batch, then one eth_call), the eth_call capped at AGORA_AUTH_EIP1271_GAS, and all of it within
AGORA_AUTH_EIP1271_DEADLINE_SECONDS (each request's timeout is the time left).

Outcomes: True (the wallet approves); False (no code there, the wallet said no, reverted or ran out
of gas); NotAuthenticated when the RPC can't tell whether the address is a contract at all (down, or
on another chain), so a plain account's wrong signature stays a 401 while the RPC is down; or
ServiceUnavailable when the address is a contract but the RPC failed while asking it.
"""
import time

import requests
import structlog
from django.conf import settings
from eth_abi import encode
from eth_account.messages import _hash_eip191_message, encode_defunct

from apps.common.errors import NotAuthenticated, ServiceUnavailable
from apps.common.rpc import JsonRpc, RpcError

log = structlog.get_logger(__name__)

MAGIC_VALUE = bytes.fromhex("1626ba7e")  # also isValidSignature's selector
_RESULT_BYTES = 32  # one ABI word: bytes4, left-aligned, zero-padded


class _Unreachable(Exception):
    """No JSON-RPC answer in time: connection refused, HTTP error, timeout, deadline passed."""


def enabled() -> bool:
    return bool(settings.AGORA_AUTH_EIP1271_ENABLED and settings.AGORA_RPC_URL)


def is_valid_contract_signature(*, address: str, message: str, signature: bytes) -> bool:
    if not enabled():
        return False
    rpc = _DeadlineRpc(settings.AGORA_RPC_URL, settings.AGORA_AUTH_EIP1271_DEADLINE_SECONDS)
    try:
        return _check(rpc, address=address, message=message, signature=signature)
    finally:
        rpc.http.close()


def _check(rpc, *, address: str, message: str, signature: bytes) -> bool:
    try:
        chain_hex, code = rpc.batch([("eth_chainId", []), ("eth_getCode", [address, "latest"])])
    except (RpcError, _Unreachable, TypeError, ValueError) as exc:
        log.warning("eip1271_rpc_unavailable", step="get_code", error=str(exc)[:200])
        raise _unknown("the chain could not be reached") from None
    if _int(chain_hex) != settings.AGORA_CHAIN_ID:
        # Another chain's contract at this address says nothing about this deployment's sign-in.
        log.error("eip1271_rpc_wrong_chain", rpc_chain_id=chain_hex, expected=settings.AGORA_CHAIN_ID)
        raise _unknown("the server's RPC is on another chain")
    if not isinstance(code, str) or code in ("0x", "0x0", ""):
        return False  # a plain account: only ecrecover can sign for it
    digest = _hash_eip191_message(encode_defunct(text=message))
    call = {"to": address, "gas": hex(settings.AGORA_AUTH_EIP1271_GAS),
            "data": "0x" + (MAGIC_VALUE + encode(["bytes32", "bytes"], [digest, signature])).hex()}
    try:
        result = rpc.call("eth_call", [call, "latest"])
    except RpcError as exc:  # a JSON-RPC error object: the node ran it (reverted, out of gas)...
        if exc.kind == "rpc_error":
            return False
        raise _unavailable(exc) from None  # ...unless it was the provider refusing (rate limit)
    except _Unreachable as exc:
        raise _unavailable(exc) from None
    return _approves(result)


def _approves(result) -> bool:
    """Exactly one word holding the magic value. Anything longer is refused: a contract that echoes
    its calldata would otherwise "approve" everything, since the selector equals the magic value."""
    if not isinstance(result, str) or not result.startswith("0x"):
        return False
    try:
        data = bytes.fromhex(result[2:])
    except ValueError:
        return False
    return len(data) == _RESULT_BYTES and data[:4] == MAGIC_VALUE and not any(data[4:])


def _unknown(why: str) -> NotAuthenticated:
    return NotAuthenticated(f"signature does not match the issued message for this address (contract wallets "
                            f"could not be checked: {why}; try again later)", code="signature_invalid")


def _unavailable(exc) -> ServiceUnavailable:
    log.warning("eip1271_rpc_unavailable", step="eth_call", error=str(exc)[:200])
    return ServiceUnavailable("could not reach the chain to check a contract-wallet signature; try again",
                              code="rpc_unavailable")


def _int(value) -> int | None:
    try:
        return int(value, 16)
    except (TypeError, ValueError):
        return None


class _DeadlineRpc(JsonRpc):
    """Each request may use only the time left before the deadline, and any failure to get a JSON-RPC
    answer is _Unreachable (JsonRpc's own _post files HTTP errors under the same kind as reverts)."""

    def __init__(self, url: str, seconds: float):
        super().__init__(url)
        self.deadline = time.monotonic() + seconds

    def _post(self, payload):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise _Unreachable("the contract-wallet check ran out of time")
        try:
            response = self.http.post(self.url, json=payload, timeout=left)
        except requests.RequestException as exc:
            raise _Unreachable(f"{type(exc).__name__}: {str(exc)[:200]}") from None
        if response.status_code != 200:
            raise _Unreachable(f"HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise _Unreachable("the RPC's answer is not JSON") from None
