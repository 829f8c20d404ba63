"""Who holds the contracts' keys, read from the chain: the Safe key checklist in one command
(`manage.py check_deployment --safe-threshold N`, docs/runbook.md "Safe keys").

Every role (each contract's owner, the StakeVault's slasher) must be a Safe: a contract that answers
getThreshold() >= N and getOwners(), with no handover still pending. The deployer's key was hot (it sat in
a deploy shell), so it must hold no role and be none of the Safes' owners, and this machine's environment
must not hold it any more.
"""
import os
from dataclasses import dataclass, field

from web3 import Web3

from apps.common.chain_client import contract

# The two Safe (1.3, 1.4.1) views we need; anything answering them is treated as a multisig.
SAFE_VIEWS_ABI = [
    {"type": "function", "name": "getThreshold", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "uint256"}]},
    {"type": "function", "name": "getOwners", "stateMutability": "view", "inputs": [],
     "outputs": [{"name": "", "type": "address[]"}]},
]
ZERO = "0x" + "0" * 40
HOT_KEY_VARIABLES = ("AGORA_DEPLOYER_KEY",)


@dataclass
class Custody:
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def custody_check(*, w3: Web3, contracts: dict, deployer: str, min_threshold: int, safe: str | None = None,
                  environ=os.environ) -> Custody:
    result = Custody()
    roles = {}  # address -> the roles it holds
    for name in ("StakeVault", "TreasuryVault", "AnchorRegistry"):
        if name not in contracts:
            continue
        owned = contract(w3, name, contracts[name]["address"])
        roles.setdefault(owned.functions.owner().call().lower(), []).append(f"owner of {name}")
        if int(owned.functions.pendingOwner().call(), 16):
            result.problems.append(f"{name}: ownership handover to {owned.functions.pendingOwner().call().lower()} "
                                   "is still pending (the Safe must call acceptOwnership())")
        if name == "StakeVault":
            roles.setdefault(owned.functions.slasher().call().lower(), []).append("slasher of StakeVault")
            if int(owned.functions.pendingSlasher().call(), 16):
                result.problems.append("StakeVault: a slasher handover is still pending (acceptSlasher())")
    deployer = (deployer or "").lower()
    for holder, held in roles.items():
        info = _safe_info(w3, holder)
        if info is None:
            kind = "a contract that is not a Safe" if w3.eth.get_code(Web3.to_checksum_address(holder)) else "a key"
            result.problems.append(f"{holder} ({', '.join(held)}) is {kind}, not a Safe")
            continue
        threshold, owners = info
        result.lines.append(f"  Safe           {holder}: {threshold} of {len(owners)} ({', '.join(owners)})")
        result.lines.append(f"                 {', '.join(held)}")
        if threshold < min_threshold:
            result.problems.append(f"Safe {holder} needs {threshold} signature(s); the checklist asks for at least "
                                   f"{min_threshold}")
        if deployer and deployer in owners:
            result.problems.append(f"the deployer {deployer} is an owner of Safe {holder}: its key was hot")
        if safe and holder != safe.lower():
            result.problems.append(f"{', '.join(held)} is Safe {holder}, not the expected {safe.lower()}")
    if deployer in roles:
        result.problems.append(f"the deployer {deployer} still holds: {', '.join(roles[deployer])}")
    for name in HOT_KEY_VARIABLES:
        if environ.get(name):
            result.problems.append(f"{name} is set in this environment: no private key belongs on a server")
    return result


def _safe_info(w3: Web3, address: str) -> tuple[int, list[str]] | None:
    checksum = Web3.to_checksum_address(address)
    if not w3.eth.get_code(checksum):
        return None
    safe = w3.eth.contract(address=checksum, abi=SAFE_VIEWS_ABI)
    try:
        return safe.functions.getThreshold().call(), [o.lower() for o in safe.functions.getOwners().call()]
    except Exception:  # reverts or returns nothing decodable: some other contract
        return None
