"""Chain client: ABIs and bytecode from contracts/artifacts, web3 handles, signed sends."""
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from eth_account import Account
from web3 import Web3

ARTIFACTS_DIR = Path(__file__).resolve().parent.parent.parent / "contracts" / "artifacts"


@cache
def load_artifact(name: str) -> dict:
    """{"abi": [...], "bytecode": "0x..."} as built by `make contracts`."""
    path = ARTIFACTS_DIR / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"no artifact for {name} at {path}; run `make contracts`")
    return json.loads(path.read_text())


def web3_for(rpc_url: str | None = None, *, timeout: float = 10) -> Web3:
    url = rpc_url or settings.AGORA_RPC_URL
    if not url:
        raise ValueError("no RPC URL: set AGORA_RPC_URL or pass --rpc-url")
    return Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))


def contract(w3: Web3, name: str, address: str):
    return w3.eth.contract(address=Web3.to_checksum_address(address), abi=load_artifact(name)["abi"])


def send(w3: Web3, account, call, *, value: int = 0, gas: int | None = None) -> dict:
    """Sign locally and send a contract call or constructor; wait for the receipt; raise on revert.
    `gas` skips the estimate, for calls whose cost depends on the block they land in."""
    params = {"from": account.address, "nonce": w3.eth.get_transaction_count(account.address, "pending"),
              "chainId": w3.eth.chain_id, "value": value}
    if gas is not None:
        params["gas"] = gas
    tx = call.build_transaction(params)
    signed = Account.sign_transaction(tx, account.key)
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed.raw_transaction), timeout=120)
    if receipt["status"] != 1:
        raise RuntimeError(f"transaction {receipt['transactionHash'].hex()} reverted")
    return receipt


def deploy(w3: Web3, account, name: str, *args) -> tuple[str, dict]:
    artifact = load_artifact(name)
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = send(w3, account, factory.constructor(*args))
    return receipt["contractAddress"].lower(), receipt
