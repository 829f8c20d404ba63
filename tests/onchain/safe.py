"""A real Safe 1.4.1 on anvil for tests: deploy the contracts, create Safes, sign and execute Safe transactions."""
import json
from dataclasses import dataclass

from eth_account.messages import encode_typed_data
from web3 import Web3
from web3.logs import DISCARD

from apps.common.chain_client import send
from tests.chain import ROOT

SAFE_ARTIFACTS = ROOT / "node_modules" / "@safe-global" / "safe-contracts" / "build" / "artifacts" / "contracts"
ZERO = "0x" + "0" * 40
SAFE_TX_TYPES = {
    "EIP712Domain": [{"name": "chainId", "type": "uint256"}, {"name": "verifyingContract", "type": "address"}],
    "SafeTx": [{"name": "to", "type": "address"}, {"name": "value", "type": "uint256"},
               {"name": "data", "type": "bytes"}, {"name": "operation", "type": "uint8"},
               {"name": "safeTxGas", "type": "uint256"}, {"name": "baseGas", "type": "uint256"},
               {"name": "gasPrice", "type": "uint256"}, {"name": "gasToken", "type": "address"},
               {"name": "refundReceiver", "type": "address"}, {"name": "nonce", "type": "uint256"}],
}


def safe_artifact(path: str) -> dict:
    return json.loads((SAFE_ARTIFACTS / path).read_text())


def _deploy_raw(w3: Web3, account, artifact: dict):
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = send(w3, account, factory.constructor())
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])


@dataclass
class SafeInfra:
    """The shared Safe 1.4.1 contracts every Safe on the chain uses."""
    singleton: object
    factory: object
    handler: object
    multisend: object


def deploy_safe_infra(w3: Web3, deployer) -> SafeInfra:
    return SafeInfra(
        singleton=_deploy_raw(w3, deployer, safe_artifact("Safe.sol/Safe.json")),
        factory=_deploy_raw(w3, deployer, safe_artifact("proxies/SafeProxyFactory.sol/SafeProxyFactory.json")),
        handler=_deploy_raw(w3, deployer, safe_artifact(
            "handler/CompatibilityFallbackHandler.sol/CompatibilityFallbackHandler.json")),
        multisend=_deploy_raw(w3, deployer, safe_artifact("libraries/MultiSendCallOnly.sol/MultiSendCallOnly.json")),
    )


def deploy_safe(w3: Web3, deployer, infra: SafeInfra, owners: list[str], threshold: int, *, salt_nonce: int = 0):
    """A Safe proxy set up with `owners` and `threshold` and the compatibility fallback handler (for EIP-1271)."""
    setup = infra.singleton.encode_abi(
        "setup", [list(owners), threshold, ZERO, b"", infra.handler.address, ZERO, 0, ZERO])
    receipt = send(w3, deployer, infra.factory.functions.createProxyWithNonce(infra.singleton.address, setup,
                                                                               salt_nonce))
    (created,) = infra.factory.events.ProxyCreation().process_receipt(receipt, errors=DISCARD)
    return w3.eth.contract(address=created["args"]["proxy"], abi=infra.singleton.abi)


def safe_tx_hash(w3: Web3, safe, to: str, data: str | bytes, operation: int, *, value: int = 0,
                 nonce: int | None = None) -> bytes:
    """The EIP-712 SafeTx digest owners sign (no gas refund: safeTxGas, baseGas, gasPrice are 0)."""
    message = {"to": Web3.to_checksum_address(to), "value": value,
               "data": bytes.fromhex(data[2:]) if isinstance(data, str) else data, "operation": operation,
               "safeTxGas": 0, "baseGas": 0, "gasPrice": 0, "gasToken": ZERO, "refundReceiver": ZERO,
               "nonce": safe.functions.nonce().call() if nonce is None else nonce}
    typed = {"types": SAFE_TX_TYPES, "primaryType": "SafeTx",
             "domain": {"chainId": w3.eth.chain_id, "verifyingContract": safe.address}, "message": message}
    signable = encode_typed_data(full_message=typed)
    return Web3.keccak(b"\x19" + signable.version + signable.header + signable.body)


def safe_exec(w3: Web3, safe, owners: list, to: str, data: str | bytes, operation: int, *, value: int = 0) -> dict:
    """Sign the SafeTx with each owner key (ECDSA, v 27/28, sorted by owner address, as the Safe requires), execute
    it from the first key's account, and return the receipt; raises if the Safe rejects it or the call fails."""
    digest = safe_tx_hash(w3, safe, to, data, operation, value=value)
    # the locally built digest must be the Safe's own, or every signature below would be checked against another hash
    assert digest == safe.functions.getTransactionHash(
        Web3.to_checksum_address(to), value, data, operation, 0, 0, 0, ZERO, ZERO, safe.functions.nonce().call(),
    ).call()
    ordered = sorted(owners, key=lambda account: int(account.address, 16))
    signatures = b"".join(account.unsafe_sign_hash(digest).signature for account in ordered)
    call = safe.functions.execTransaction(Web3.to_checksum_address(to), value, data, operation, 0, 0, 0, ZERO, ZERO,
                                          signatures)
    receipt = send(w3, owners[0], call)
    # a failing inner call does not revert execTransaction when safeTxGas > 0: ExecutionSuccess is the real signal
    assert safe.events.ExecutionSuccess().process_receipt(receipt, errors=DISCARD), "Safe transaction failed"
    return receipt
