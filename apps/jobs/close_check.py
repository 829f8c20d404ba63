"""Close details the sponsor enters (tx hash, chain, block, ...) are its word until the chain confirms them.

With AGORA_RPC_URL set and a close_tx_hash given, the transaction is looked up before the close: it must
have a receipt on the configured chain, must have succeeded, and must agree with every detail given
(chain id, block number, log index, contract). A mismatch is a 400 the sponsor can fix (a typo must not
be published as a chain fact), an unreachable RPC a 503 (retry, or close without the details). Verified
details are stored with close_details_verified = true, and the chain id and block number are filled in
from the receipt when left out. Without an RPC or without a tx hash, details are stored as given with
close_details_verified = false ("reported by the sponsor"); with no details at all it stays null.

Verification says the transaction exists and succeeded where the sponsor says; not what it did."""
import requests
from django.conf import settings

from apps.common.errors import InvalidInput, ServiceUnavailable
from apps.common.rpc import JsonRpc, RpcError


def close_details_check(fields: dict) -> tuple[dict, bool | None]:
    """Returns the close fields to store and whether the chain confirmed them (None: none given)."""
    if not fields:
        return fields, None
    if not settings.AGORA_RPC_URL or not fields.get("close_tx_hash"):
        return fields, False
    chain_id, receipt = _lookup(fields["close_tx_hash"])
    if fields.get("close_chain_id") not in (None, chain_id):
        raise InvalidInput(f"close_chain_id {fields['close_chain_id']} is not the chain this server verifies "
                           f"against ({chain_id})", code="close_tx_mismatch")
    if not receipt:
        raise InvalidInput(f"close_tx_hash has no receipt on chain {chain_id}: not mined yet, or not on this chain",
                           code="close_tx_not_found")
    if receipt.get("status") not in ("0x1", 1):
        raise InvalidInput("close_tx_hash is a failed (reverted) transaction", code="close_tx_failed")
    block = int(receipt["blockNumber"], 16)
    wrong = _mismatches(fields, receipt, block)
    if wrong:
        raise InvalidInput(f"the transaction on chain does not match {', '.join(wrong)}", code="close_tx_mismatch")
    return {**fields, "close_chain_id": chain_id, "close_block_number": block}, True


def _lookup(tx_hash: str) -> tuple[int, dict | None]:
    rpc = JsonRpc(settings.AGORA_RPC_URL, timeout=settings.AGORA_CLOSE_VERIFY_TIMEOUT)
    try:
        chain_hex, receipt = rpc.batch([("eth_chainId", []), ("eth_getTransactionReceipt", [tx_hash])])
    except (RpcError, requests.RequestException) as exc:
        raise ServiceUnavailable(f"could not check close_tx_hash on chain ({exc}); retry, or close without "
                                 "the close_* details", code="rpc_unavailable") from None
    return int(chain_hex, 16), receipt


def _mismatches(fields: dict, receipt: dict, block: int) -> list[str]:
    wrong = []
    if fields.get("close_block_number") is not None and fields["close_block_number"] != block:
        wrong.append(f"close_block_number (mined in block {block})")
    logs = {int(log["logIndex"], 16): log["address"].lower() for log in receipt.get("logs") or []}
    log_index, contract = fields.get("close_log_index"), fields.get("close_contract_address")
    if log_index is not None and log_index not in logs:
        wrong.append("close_log_index (no such log in the transaction)")
    elif contract is not None:
        # The named log's emitter, or else the contract called or any emitter in the transaction.
        seen = {logs[log_index]} if log_index is not None else {(receipt.get("to") or "").lower(), *logs.values()}
        if contract not in seen:
            wrong.append("close_contract_address")
    return wrong
