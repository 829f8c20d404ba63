"""EIP-1271 signature checks for contract wallets (e.g. a Safe), over JSON-RPC.

Off unless AGORA_AUTH_EIP1271_ENABLED and AGORA_RPC_URL are set. An RPC failure is a 503:
never a silent accept, never a 500.
"""
from django.conf import settings
from eth_account.messages import _hash_eip191_message, encode_defunct
from web3 import Web3
from web3.exceptions import ContractLogicError

from apps.common.chain_client import web3_for
from apps.common.errors import ServiceUnavailable

MAGIC_VALUE = bytes.fromhex("1626ba7e")
_ABI = [{
    "name": "isValidSignature", "type": "function", "stateMutability": "view",
    "inputs": [{"name": "hash", "type": "bytes32"}, {"name": "signature", "type": "bytes"}],
    "outputs": [{"name": "", "type": "bytes4"}],
}]


def is_valid_contract_signature(*, address: str, message: str, signature: bytes) -> bool:
    if not (settings.AGORA_AUTH_EIP1271_ENABLED and settings.AGORA_RPC_URL):
        return False
    digest = _hash_eip191_message(encode_defunct(text=message))
    w3 = web3_for(settings.AGORA_RPC_URL, timeout=5)
    try:
        if not w3.eth.get_code(Web3.to_checksum_address(address)):
            return False
        contract = w3.eth.contract(address=Web3.to_checksum_address(address), abi=_ABI)
        result = contract.functions.isValidSignature(digest, signature).call()
    except ContractLogicError:
        return False  # the wallet reverted: it does not accept this signature
    except Exception as exc:
        raise ServiceUnavailable(f"could not reach the chain to check a contract-wallet signature: "
                                 f"{type(exc).__name__}", code="rpc_unavailable") from None
    return bytes(result) == MAGIC_VALUE
