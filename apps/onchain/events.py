"""Decode raw logs with eth-abi directly, from the ABIs in contracts/artifacts."""
from dataclasses import dataclass
from functools import cache

from eth_abi import decode as abi_decode
from eth_utils import keccak

from apps.common.chain_client import load_artifact

STREAM_CONTRACTS = {"stake_vault": "StakeVault", "treasury_vault": "TreasuryVault",
                    "anchor_registry": "AnchorRegistry"}


def stream_kind(name: str) -> str:
    """stake_vault for "stake_vault" and for "stake_vault@0x1234abcd", the name a stream keeps when a newer
    contract takes over the plain name (a vault migration, a dev-chain redeploy)."""
    return name.split("@", 1)[0]


@dataclass(frozen=True)
class EventSpec:
    name: str
    indexed: tuple  # (name, type)
    data: tuple


@cache
def specs_for(contract: str) -> dict[str, EventSpec]:
    """topic0 (0x-hex) -> how to decode that event."""
    specs = {}
    for item in load_artifact(contract)["abi"]:
        if item["type"] != "event" or item.get("anonymous"):
            continue
        types = ",".join(i["type"] for i in item["inputs"])
        topic0 = "0x" + keccak(text=f"{item['name']}({types})").hex()
        specs[topic0] = EventSpec(
            name=item["name"],
            indexed=tuple((i["name"], i["type"]) for i in item["inputs"] if i["indexed"]),
            data=tuple((i["name"], i["type"]) for i in item["inputs"] if not i["indexed"]),
        )
    return specs


def _plain(abi_type: str, value):
    if abi_type == "address":
        return value.lower()
    if abi_type.startswith("bytes"):
        return "0x" + bytes(value).hex()
    if abi_type.startswith(("uint", "int")):
        return str(value)  # as a string: JSON consumers lose precision past 2**53
    return value


def _static_word(abi_type: str, word: str):
    """One 32-byte ABI word (64 hex chars) of a static type, by slicing: eth-abi's generic
    decoder was most of the indexer's time (bench/indexer.py --profile), and these types are
    fixed layouts. Anything else goes through eth-abi."""
    if abi_type == "address":
        return "0x" + word[24:].lower()
    if abi_type.startswith("uint"):
        return str(int(word, 16))
    if abi_type.startswith("int"):
        value = int(word, 16)
        return str(value - (1 << 256) if value >= 1 << 255 else value)
    if abi_type == "bytes32":
        return "0x" + word.lower()
    if abi_type == "bool":
        return int(word, 16) != 0
    return None


_STATIC = ("address", "bool", "bytes32") + tuple(f"uint{n}" for n in range(8, 257, 8)) + tuple(
    f"int{n}" for n in range(8, 257, 8))


def decode_log(contract: str, log: dict) -> tuple[str, dict] | None:
    """(event name, args) or None for a log this contract's ABI doesn't describe."""
    topics = log.get("topics") or []
    spec = specs_for(contract).get(topics[0].lower()) if topics else None
    if spec is None:
        return None
    args = {}
    for (name, abi_type), topic in zip(spec.indexed, topics[1:], strict=False):
        if abi_type in _STATIC:
            args[name] = _static_word(abi_type, topic[2:])
        else:
            (value,) = abi_decode([abi_type], bytes.fromhex(topic[2:]))
            args[name] = _plain(abi_type, value)
    if spec.data:
        data = log["data"][2:]
        if all(t in _STATIC for _, t in spec.data):
            for i, (name, abi_type) in enumerate(spec.data):
                args[name] = _static_word(abi_type, data[i * 64:(i + 1) * 64])
        else:
            values = abi_decode([t for _, t in spec.data], bytes.fromhex(data))
            for (name, abi_type), value in zip(spec.data, values, strict=False):
                args[name] = _plain(abi_type, value)
    return spec.name, args
