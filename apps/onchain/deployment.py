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
# StakeVault's unbonding period: a week for the Safe to act on evidence before stake leaves; none on a dev chain,
# where tests and the local stack expect withdraw to be immediate. The contract refuses more than 30 days.
DEFAULT_UNBONDING_PERIOD = 7 * 24 * 3600
MAX_UNBONDING_PERIOD = 30 * 24 * 3600


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


def resolve_unbonding_period(chain_id: int, unbonding_period: int | None) -> int:
    if unbonding_period is None:
        return 0 if chain_id in DEV_CHAIN_IDS else DEFAULT_UNBONDING_PERIOD
    if not 0 <= unbonding_period <= MAX_UNBONDING_PERIOD:
        raise InvalidInput(f"the unbonding period must be 0..{MAX_UNBONDING_PERIOD} seconds (30 days), "
                           f"not {unbonding_period}", code="invalid_unbonding_period")
    return unbonding_period


def deploy_suite(*, w3: Web3, deployer_key: str, owner: str, slasher: str, usdc: str | None = None,
                 with_mock_usdc: bool = False, unbonding_period: int | None = None, only=SUITE,
                 progress=print) -> dict:
    """Deploy StakeVault, TreasuryVault and AnchorRegistry (and a mock USDC on a dev chain), or `only`
    some of them (a vault migration deploys just a new StakeVault: docs/contracts.md).

    `unbonding_period` (seconds; None = 7 days, or 0 on a dev chain) is set on the StakeVault. Only its
    owner can set it and ownership is two-step, so for another owner the deployer owns the vault first,
    sets the period and hands over: the result's "pending_owner_acceptance" lists the contracts whose
    owner must still call acceptOwnership()."""
    unknown = set(only) - set(SUITE)
    if unknown or not only:
        raise InvalidInput(f"nothing to deploy among {sorted(unknown)}; choose from {', '.join(SUITE)}",
                           code="unknown_contract")
    chain_id = w3.eth.chain_id
    owner, slasher = normalize_address(owner, field="owner"), normalize_address(slasher, field="slasher")
    if with_mock_usdc and chain_id not in DEV_CHAIN_IDS:
        raise InvalidInput(f"a mock USDC is only for dev chains {sorted(DEV_CHAIN_IDS)}, not {chain_id}",
                           code="not_a_dev_chain")
    if not with_mock_usdc and not usdc:
        raise InvalidInput("give the USDC address (--usdc) or --with-mock-usdc on a dev chain", code="usdc_required")
    period = resolve_unbonding_period(chain_id, unbonding_period)
    account = Account.from_key(deployer_key)
    contracts = {}
    pending = []

    def record(name, address, receipt):
        contracts[name] = {"address": address, "block_number": receipt["blockNumber"],
                           "tx_hash": "0x" + receipt["transactionHash"].hex().removeprefix("0x")}
        progress(f"deployed {name:<15} at {address} (block {receipt['blockNumber']})")

    if with_mock_usdc:
        record("MockUSDC", *deploy(w3, account, "MockUSDC"))
        usdc = contracts["MockUSDC"]["address"]
    usdc = normalize_address(usdc, field="usdc")
    checksum = Web3.to_checksum_address
    hand_over = period != 0 and owner != account.address.lower()
    vault_owner = account.address if hand_over else checksum(owner)
    if "StakeVault" in only:
        record("StakeVault", *deploy(w3, account, "StakeVault", checksum(usdc), vault_owner, checksum(slasher)))
    if period and "StakeVault" in only:
        vault = contract(w3, "StakeVault", contracts["StakeVault"]["address"])
        send(w3, account, vault.functions.setUnbondingPeriod(period))
        progress(f"set StakeVault unbonding period to {period}s")
        if hand_over:
            send(w3, account, vault.functions.transferOwnership(checksum(owner)))
            pending.append("StakeVault")
            progress(f"proposed {owner} as StakeVault owner (two-step: not yet accepted)")
    if "TreasuryVault" in only:
        record("TreasuryVault", *deploy(w3, account, "TreasuryVault", checksum(owner), checksum(usdc)))
    if "AnchorRegistry" in only:
        record("AnchorRegistry", *deploy(w3, account, "AnchorRegistry", checksum(owner)))
    for name in pending:  # last, so it is not lost among the lines above
        progress(f"ACTION NEEDED: {owner} must call acceptOwnership() on {name} {contracts[name]['address']}; "
                 f"until then the deployer {account.address.lower()} owns it")
    return {
        "chain_id": chain_id, "deployer": account.address.lower(), "owner": owner, "slasher": slasher,
        "usdc_address": usdc, "contracts": contracts, "unbonding_period": period,
        "pending_owner_acceptance": pending,
        "deployed_at": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
    }


def replace_in_deployment(path: Path, name: str, info: dict) -> dict:
    """Point the deployment file's `name` at a new contract, keeping the old entry under
    "retired_contracts" (a vault migration still indexes the old vault: docs/contracts.md)."""
    data = read_deployment(path)
    if data is None:
        raise InvalidInput(f"no deployment file at {path}", code="no_deployment")
    old = data.setdefault("contracts", {}).get(name)
    if old and old["address"] != info["address"]:
        data.setdefault("retired_contracts", []).append({"name": name, **old})
    data["contracts"][name] = info
    write_deployment(path, data, force=False)
    return data


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
