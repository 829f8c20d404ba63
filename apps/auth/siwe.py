"""Builds the EIP-4361 (Sign-In with Ethereum) text the server issues.

Written by hand because the `siwe` package pins web3 < 8 (docs/architecture.md); the server only ever
verifies a signature over the exact text it stored, so no parser is needed.
"""
from datetime import datetime
from urllib.parse import urlsplit

from eth_utils import to_checksum_address

from apps.common.timefmt import iso_z

STATEMENT = "Sign in to Agora. This request does not trigger a transaction or cost gas."


def build_message(*, base_url: str, address: str, chain_id: int, nonce: str,
                  issued_at: datetime, expires_at: datetime) -> str:
    parts = urlsplit(base_url)
    domain = parts.netloc
    return (
        f"{domain} wants you to sign in with your Ethereum account:\n"
        f"{to_checksum_address(address)}\n"
        f"\n"
        f"{STATEMENT}\n"
        f"\n"
        f"URI: {base_url.rstrip('/')}\n"
        f"Version: 1\n"
        f"Chain ID: {chain_id}\n"
        f"Nonce: {nonce}\n"
        f"Issued At: {iso_z(issued_at)}\n"
        f"Expiration Time: {iso_z(expires_at)}"
    )
