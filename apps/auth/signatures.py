"""EIP-191 personal_sign recovery, strict about the signature's form."""
import re

from eth_account import Account
from eth_account.messages import encode_defunct

from apps.common.errors import NotAuthenticated

_HEX = re.compile(r"^(0x)?[0-9a-fA-F]*$")


def parse_signature(signature) -> bytes:
    """65 bytes of hex, with or without 0x; v as 27/28 or 0/1 (normalised to 27/28)."""
    if not isinstance(signature, str) or not _HEX.match(signature):
        raise NotAuthenticated("signature must be hex", code="signature_malformed")
    raw = signature[2:] if signature[:2].lower() == "0x" else signature
    if len(raw) != 130:
        raise NotAuthenticated("signature must be 65 bytes (130 hex characters)", code="signature_malformed")
    data = bytearray(bytes.fromhex(raw))
    if data[64] in (0, 1):
        data[64] += 27
    if data[64] not in (27, 28):
        raise NotAuthenticated("signature v must be 27/28 or 0/1", code="signature_malformed")
    return bytes(data)


def recover_signer(message: str, signature: bytes) -> str | None:
    try:
        return Account.recover_message(encode_defunct(text=message), signature=signature).lower()
    except Exception:  # eth-keys raises several types for off-curve or high-s values
        return None
