"""EIP-191 personal_sign recovery, strict about the signature's form."""
import re

from eth_account import Account
from eth_account.messages import encode_defunct

from apps.common.errors import NotAuthenticated

_HEX = re.compile(r"^(0x)?[0-9a-fA-F]*$")
ECDSA_LENGTH = 65
# Contract wallets (EIP-1271) may send several concatenated signatures, e.g. an m-of-n Safe.
MAX_CONTRACT_SIGNATURE_BYTES = 65 * 16


def parse_signature(signature, *, allow_contract: bool = False) -> bytes:
    """65 bytes of hex, with or without 0x; v as 27/28 or 0/1 (normalised to 27/28). With
    allow_contract, longer signatures pass through untouched for the wallet contract to judge."""
    if not isinstance(signature, str) or not _HEX.match(signature):
        raise NotAuthenticated("signature must be hex", code="signature_malformed")
    raw = signature[2:] if signature[:2].lower() == "0x" else signature
    if len(raw) % 2:
        raise NotAuthenticated("signature has an odd number of hex characters", code="signature_malformed")
    data = bytearray(bytes.fromhex(raw))
    if len(data) != ECDSA_LENGTH:
        if allow_contract and ECDSA_LENGTH < len(data) <= MAX_CONTRACT_SIGNATURE_BYTES:
            return bytes(data)
        raise NotAuthenticated("signature must be 65 bytes (130 hex characters)", code="signature_malformed")
    if data[64] in (0, 1):
        data[64] += 27
    if data[64] not in (27, 28) and not allow_contract:
        raise NotAuthenticated("signature v must be 27/28 or 0/1", code="signature_malformed")
    return bytes(data)


def recover_signer(message: str, signature: bytes) -> str | None:
    if len(signature) != ECDSA_LENGTH or signature[64] not in (27, 28):
        return None
    try:
        return Account.recover_message(encode_defunct(text=message), signature=signature).lower()
    except Exception:  # eth-keys raises several types for off-curve or high-s values
        return None
