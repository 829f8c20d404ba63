"""The transactions a browser wallet sends to donate to the TreasuryVault (the /support page).

The server writes the calldata so the page needs no ABI or keccak code: ETH is one call,
donateEth(purposeId, memoHash) with the value attached; USDC is approve(treasury, amount) on the token
and then donateUsdc(amount, purposeId, memoHash). Only the memo's keccak256 goes on chain.
"""
from decimal import Decimal, InvalidOperation

from eth_abi import encode
from eth_utils import keccak

from apps.common.errors import InvalidInput

# Purpose ids are uint32 on chain; these are the ones the page offers (the indexer records any).
PURPOSES = {0: "General fund", 1: "Infrastructure and hosting", 2: "Agent bounties", 3: "Security audits"}
ASSETS = {"eth": 18, "usdc": 6}
MAX_MEMO = 200
_MAX_RAW = {"eth": 10**6 * 10**18, "usdc": 10**15}  # 1M ETH, 1B USDC: far above any real gift


def _selector(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def memo_hash(memo: str) -> bytes:
    return keccak(text=memo) if memo else bytes(32)


def amount_raw(asset: str, amount: str) -> int:
    """An amount typed by a person, in the asset's base units, exactly; more decimals than the asset
    has is a 400, never rounded."""
    if asset not in ASSETS:
        raise InvalidInput("asset must be eth or usdc", code="invalid_asset")
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise InvalidInput("amount must be a number", code="invalid_amount") from None
    raw = value * 10 ** ASSETS[asset] if value.is_finite() else Decimal(-1)
    if raw <= 0 or raw != raw.to_integral_value():
        raise InvalidInput(f"amount must be positive with at most {ASSETS[asset]} decimals", code="invalid_amount")
    if raw > _MAX_RAW[asset]:
        raise InvalidInput("amount is too large", code="invalid_amount")
    return int(raw)


def donation_transactions(*, asset: str, amount: str, purpose_id, memo: str, treasury: str, usdc: str) -> dict:
    raw = amount_raw(asset, amount)
    try:
        purpose = int(purpose_id)
    except (TypeError, ValueError):
        purpose = -1
    if purpose not in PURPOSES:
        raise InvalidInput(f"purpose must be one of {', '.join(map(str, PURPOSES))}", code="invalid_purpose")
    memo = (memo or "").strip()
    if len(memo) > MAX_MEMO:
        raise InvalidInput(f"memo must be at most {MAX_MEMO} characters", code="invalid_memo")
    digest = memo_hash(memo)
    if asset == "eth":
        calls = [{"to": treasury, "value": hex(raw),
                  "data": _selector("donateEth(uint32,bytes32)") + encode(["uint32", "bytes32"], [purpose, digest])}]
    else:
        calls = [
            {"to": usdc, "value": "0x0",
             "data": _selector("approve(address,uint256)") + encode(["address", "uint256"], [treasury, raw])},
            {"to": treasury, "value": "0x0",
             "data": _selector("donateUsdc(uint256,uint32,bytes32)")
             + encode(["uint256", "uint32", "bytes32"], [raw, purpose, digest])},
        ]
    return {"asset": asset, "amount_raw": str(raw), "purpose_id": purpose, "memo_hash": "0x" + digest.hex(),
            "transactions": [{**c, "data": "0x" + c["data"].hex()} for c in calls]}
