"""Deploying the contract suite and the deployment file settings read (chain id, addresses, blocks)."""
import json
from datetime import UTC, datetime
from pathlib import Path

from eth_account import Account
from web3 import Web3

from apps.common.chain import normalize_address
from apps.common.chain_client import contract, deploy, send
from apps.common.errors import Conflict, InvalidInput

SUITE = ("StakeVault", "TreasuryVault", "AnchorRegistry")
DEV_CHAIN_IDS = {31337, 1337}
# anvil's first default account: public, well known, funded only on dev chains.
ANVIL_DEFAULT_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def read_deployment(path: Path) -> dict | None:
    try:
        return json.loads(Path(path).read_text())
    except FileNotFoundError:
        return None


def check_can_write(path: Path, chain_id: int, *, force: bool) -> None:
    existing = read_deployment(path)
    if existing and existing.get("chain_id") != chain_id and not force:
        raise Conflict(f"{path} holds a deployment for chain {existing.get('chain_id')}, not {chain_id}; "
                       "pass --force to overwrite it", code="deployment_exists")


def deploy_suite(*, w3: Web3, deployer_key: str, owner: str, slasher: str, usdc: str | None = None,
                 with_mock_usdc: bool = False, progress=print) -> dict:
    """Deploy StakeVault, TreasuryVault and AnchorRegistry (and a mock USDC on a dev chain)."""
    chain_id = w3.eth.chain_id
    owner, slasher = normalize_address(owner, field="owner"), normalize_address(slasher, field="slasher")
    if with_mock_usdc and chain_id not in DEV_CHAIN_IDS:
        raise InvalidInput(f"a mock USDC is only for dev chains {sorted(DEV_CHAIN_IDS)}, not {chain_id}",
                           code="not_a_dev_chain")
    if not with_mock_usdc and not usdc:
        raise InvalidInput("give the USDC address (--usdc) or --with-mock-usdc on a dev chain", code="usdc_required")
    account = Account.from_key(deployer_key)
    contracts = {}

    def record(name, address, receipt):
        contracts[name] = {"address": address, "block_number": receipt["blockNumber"],
                           "tx_hash": "0x" + receipt["transactionHash"].hex().removeprefix("0x")}
        progress(f"deployed {name:<15} at {address} (block {receipt['blockNumber']})")

    if with_mock_usdc:
        record("MockUSDC", *deploy(w3, account, "MockUSDC"))
        usdc = contracts["MockUSDC"]["address"]
    usdc = normalize_address(usdc, field="usdc")
    checksum = Web3.to_checksum_address
    record("StakeVault", *deploy(w3, account, "StakeVault", checksum(usdc), checksum(owner), checksum(slasher)))
    record("TreasuryVault", *deploy(w3, account, "TreasuryVault", checksum(owner), checksum(usdc)))
    record("AnchorRegistry", *deploy(w3, account, "AnchorRegistry", checksum(owner)))
    return {
        "chain_id": chain_id, "deployer": account.address.lower(), "owner": owner, "slasher": slasher,
        "usdc_address": usdc, "contracts": contracts,
        "deployed_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }


def write_deployment(path: Path, data: dict, *, force: bool) -> None:
    check_can_write(path, data["chain_id"], force=force)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)  # atomic: settings never read a half-written file


def fund_with_mock_usdc(*, w3: Web3, deployer_key: str, usdc: str, recipients: list[str], amount_units: int) -> None:
    account = Account.from_key(deployer_key)
    token = contract(w3, "MockUSDC", usdc)
    for recipient in recipients:
        send(w3, account, token.functions.mint(Web3.to_checksum_address(recipient), amount_units))
