"""Safe{Wallet} Transaction Builder batch files: build them, check their checksum, encode them as the Safe runs them.

The operators' Safe owns the AnchorRegistry and is the StakeVault's slasher; the server never holds its keys. It
exports a batch file that operators load into the Transaction Builder app, review and execute. The app reads:

- ``version`` "1.0" and ``chainId`` as a *string*: the app lists stored batches by ``chainId === chainInfo.chainId``,
  so a number would hide the batch on every chain.
- ``createdAt`` (ms, a number) and ``meta``: ``name`` (the label and download file name), ``description``,
  ``txBuilderVersion``, ``createdFromSafeAddress``, ``createdFromOwnerAddress`` and ``checksum``. On import the app
  recomputes the checksum and warns "This file was modified since it was generated" when it differs.
- per transaction ``to``, ``value`` (a string: the app refuses a file whose values or inputs are JSON numbers, they
  lose precision past 2^53), ``data`` (null: the app then encodes the call itself from ``contractMethod``, the ABI
  fragment ``{inputs: [{internalType, name, type}], name, payable}``, and ``contractInputsValues``, every value a
  string), so operators review a decoded call, not opaque hex.

The checksum (safe-global/safe-react-apps, apps/tx-builder/src/lib/checksum.ts) is keccak256 of a home-made
serialization of the batch with ``meta.checksum`` removed and ``meta.name`` set to null (renaming keeps it valid):
an object is ``{`` + JSON of its keys sorted + each value serialized and followed by ``,`` + ``}``; an array is
``[`` + items joined by ``,`` + ``]``; anything else is ``JSON.stringify`` of it. It detects edits, not forgery.

Safe{Wallet} executes a batch of several calls as one Safe transaction: DELEGATECALL (operation 1) to
MultiSendCallOnly 1.4.1 with ``multiSend(bytes)``, the bytes being each call packed as
``uint8 operation(0) . address to . uint256 value . uint256 dataLength . bytes data``.
"""
import json
import re
import time
from dataclasses import dataclass, field

from eth_abi import encode as abi_encode
from eth_utils import is_checksum_address, keccak, to_checksum_address

from apps.common.errors import InvalidInput

TX_BUILDER_VERSION = "1.18.2"  # the Transaction Builder release whose format this follows
MULTISEND_SELECTOR = keccak(text="multiSend(bytes)")[:4]
CALL, DELEGATECALL = 0, 1

_INT = re.compile(r"^(u?)int(\d*)$")
_BYTES_N = re.compile(r"^bytes(\d+)$")
_DECIMAL = re.compile(r"^-?[0-9]+$")
_HEX_INT = re.compile(r"^0x[0-9a-fA-F]+$")
_HEX_BYTES = re.compile(r"^0x(?:[0-9a-fA-F]{2})*$")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")


@dataclass(frozen=True)
class SafeCall:
    """One call for the Safe to make: target, ABI fragment of the function (from a contract's ABI), inputs by name."""
    to: str
    function: dict
    values: dict = field(default_factory=dict)


# --- values: one parser for what callers pass (Python values or strings) and what files hold (strings) -------------

def _bad(where: str, message: str) -> InvalidInput:
    return InvalidInput(f"{where}: {message}")


def _is_address(value) -> bool:
    """0x + 40 hex digits; a mixed-case one must carry a valid EIP-55 checksum (eth_utils.is_address skips that)."""
    if not isinstance(value, str) or not _HEX_ADDRESS.match(value):
        return False
    body = value[2:]
    return body in (body.lower(), body.upper()) or is_checksum_address(value)


def _parse_value(abi_type: str, value, where: str):
    """The Python value eth-abi encodes, from a native value or its batch-file string; InvalidInput if it won't fit."""
    if abi_type == "address":
        if not _is_address(value):
            raise _bad(where, f"{value!r} is not an address (40 hex digits, with a valid checksum if mixed-case)")
        return to_checksum_address(value)
    if abi_type == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        raise _bad(where, f"{value!r} is not a bool (true or false)")
    if abi_type == "string":
        if not isinstance(value, str):
            raise _bad(where, f"{value!r} is not a string")
        if _SURROGATE.search(value):
            raise _bad(where, "the string holds a lone UTF-16 surrogate, which UTF-8 cannot encode")
        return value
    if match := _INT.match(abi_type):
        return _parse_int(match, value, where)
    if abi_type == "bytes" or _BYTES_N.match(abi_type):
        return _parse_bytes(abi_type, value, where)
    raise _bad(where, f"type {abi_type} is not supported in a batch (elementary types only)")


def _parse_int(match: re.Match, value, where: str) -> int:
    unsigned, bits = match.group(1) == "u", int(match.group(2) or 256)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _bad(where, f"{value!r} is not an integer")
    if isinstance(value, str):
        if not (_DECIMAL.match(value) or _HEX_INT.match(value)):
            raise _bad(where, f"{value!r} is not a decimal (or 0x hex) integer")
        value = int(value, 16) if value.startswith("0x") else int(value)
    low, high = (0, 2**bits - 1) if unsigned else (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    if not low <= value <= high:
        raise _bad(where, f"{value} does not fit in {match.group(0)} ({low}..{high})")
    return value


def _parse_bytes(abi_type: str, value, where: str) -> bytes:
    if isinstance(value, str):
        if not _HEX_BYTES.match(value):
            raise _bad(where, f"{value!r} is not 0x-prefixed hex with whole bytes")
        value = bytes.fromhex(value[2:])
    if not isinstance(value, (bytes, bytearray)):
        raise _bad(where, f"{value!r} is not bytes")
    if abi_type != "bytes" and len(value) != int(abi_type[5:]):
        raise _bad(where, f"{abi_type} needs exactly {abi_type[5:]} bytes, got {len(value)}")
    return bytes(value)


def _value_text(abi_type: str, parsed) -> str:
    """The string the Transaction Builder shows and re-parses: decimal ints, 0x hex bytes, checksummed addresses."""
    if isinstance(parsed, bool):
        return "true" if parsed else "false"
    if isinstance(parsed, bytes):
        return "0x" + parsed.hex()
    return str(parsed)


def _check_type(abi_type, where: str) -> None:
    if not isinstance(abi_type, str):
        raise _bad(where, f"type {abi_type!r} is not an ABI type name")
    ok = abi_type in ("address", "bool", "string", "bytes")
    if match := _INT.match(abi_type):
        bits = int(match.group(2) or 256)
        ok = bits % 8 == 0 and 8 <= bits <= 256
    elif match := _BYTES_N.match(abi_type):
        ok = 1 <= int(match.group(1)) <= 32
    if not ok:
        raise _bad(where, f"type {abi_type} is not supported in a batch (elementary types only)")


def _address(value, where: str) -> str:
    if not _is_address(value):
        raise _bad(where, f"{value!r} is not an address")
    return to_checksum_address(value)


# --- building ---------------------------------------------------------------------------------------------------

def _contract_method(fragment, where: str) -> dict:
    if not isinstance(fragment, dict) or fragment.get("type", "function") != "function" or not fragment.get("name"):
        raise _bad(where, "the ABI fragment must be a function entry with a name")
    inputs = []
    if not isinstance(fragment.get("inputs") or [], list):
        raise _bad(where, "the ABI fragment's inputs must be a list")
    for index, item in enumerate(fragment.get("inputs") or []):
        if not isinstance(item, dict) or not item.get("name"):
            raise _bad(where, f"input {index} of {fragment['name']} has no name; batch values are keyed by name")
        _check_type(item.get("type", ""), f"{where} input {item['name']}")
        inputs.append({"internalType": item.get("internalType", item["type"]), "name": item["name"],
                       "type": item["type"]})
    payable = fragment.get("stateMutability") == "payable" or fragment.get("payable") is True
    return {"inputs": inputs, "name": fragment["name"], "payable": payable}


def _transaction(call: SafeCall, index: int) -> dict:
    where = f"call {index}"
    if not isinstance(call, SafeCall):
        raise _bad(where, "expected a SafeCall")
    method = _contract_method(call.function, where)
    where = f"call {index} ({method['name']})"
    names = [item["name"] for item in method["inputs"]]
    if not isinstance(call.values, dict):
        raise _bad(where, "values must be a dict of input name to value")
    if unknown := sorted(set(call.values) - set(names), key=repr):
        raise _bad(where, f"unknown input {', '.join(map(repr, unknown))}; the function takes {names}")
    if missing := [name for name in names if name not in call.values]:
        raise _bad(where, f"missing input {', '.join(map(repr, missing))}")
    values = {item["name"]: _value_text(item["type"], _parse_value(item["type"], call.values[item["name"]],
                                                                   f"{where} input {item['name']}"))
              for item in method["inputs"]}
    return {"to": _address(call.to, f"{where} to"), "value": "0", "data": None,
            "contractMethod": method, "contractInputsValues": values}


def safe_batch_build(*, chain_id: int, safe_address: str, name: str, description: str, calls: list[SafeCall],
                     created_at_ms: int | None = None) -> dict:
    """A Transaction Builder batch file (a JSON-ready dict) for `safe_address` to run `calls` in order."""
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or chain_id <= 0:
        raise InvalidInput(f"chain_id: {chain_id!r} is not a positive integer")
    if not isinstance(name, str) or not name.strip() or not isinstance(description, str):
        raise InvalidInput("name must be a non-empty string and description a string")
    if not calls:
        raise InvalidInput("calls: a batch needs at least one call")
    if created_at_ms is None:
        created_at_ms = int(time.time() * 1000)
    elif isinstance(created_at_ms, bool) or not isinstance(created_at_ms, int) or created_at_ms < 0:
        raise InvalidInput(f"created_at_ms: {created_at_ms!r} is not a millisecond timestamp")
    batch = {
        "version": "1.0", "chainId": str(chain_id), "createdAt": created_at_ms,
        "meta": {"name": name, "description": description, "txBuilderVersion": TX_BUILDER_VERSION,
                 "createdFromSafeAddress": _address(safe_address, "safe_address"), "createdFromOwnerAddress": ""},
        "transactions": [_transaction(call, index) for index, call in enumerate(calls)],
    }
    batch["meta"]["checksum"] = safe_batch_checksum(batch)
    return batch


# --- checksum ---------------------------------------------------------------------------------------------------

def _json_text(value) -> str:
    """JSON.stringify of a scalar, byte for byte: JS escapes lone surrogates as \\udxxx and keeps other non-ASCII."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # JS prints integral numbers without ".0"; batch files carry only integers, this is for odd imports
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _js_key_order(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")  # Array.prototype.sort compares UTF-16 code units


def _serialize(value) -> str:
    """The Transaction Builder's serializeJSONObject: sorted keys first, then every value followed by a comma."""
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_serialize(item) for item in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=_js_key_order)
        return "{[" + ",".join(_json_text(key) for key in keys) + "]" + "".join(
            _serialize(value[key]) + "," for key in keys) + "}"
    return _json_text(value)


def _keccak_text(text: str) -> str:
    return "0x" + keccak(text.encode("utf-8", "surrogatepass")).hex()


def safe_batch_checksum(batch: dict) -> str:
    """meta.checksum as the Transaction Builder computes it: without the checksum itself, with meta.name as null."""
    meta = {key: value for key, value in batch["meta"].items() if key != "checksum"}
    return _keccak_text(_serialize({**batch, "meta": {**meta, "name": None}}))


def safe_batch_checksum_valid(batch) -> bool:
    """True when meta.checksum matches the content, i.e. the Transaction Builder imports it without a warning."""
    try:
        checksum = batch["meta"]["checksum"]
        return isinstance(checksum, str) and checksum == safe_batch_checksum(batch)
    except (KeyError, TypeError, AttributeError):
        return False


# --- execution encoding -----------------------------------------------------------------------------------------

def _uint_text(value, where: str) -> int:
    if not isinstance(value, str) or not _DECIMAL.match(value) or value.startswith("-"):
        raise _bad(where, f"{value!r} is not a decimal string of wei")
    if int(value) >= 2**256:
        raise _bad(where, f"{value} does not fit in uint256")
    return int(value)


def safe_batch_call_data(transaction: dict, where: str = "transaction") -> bytes:
    """Calldata of one batch transaction: its raw `data`, or the call encoded from contractMethod + string inputs."""
    if not isinstance(transaction, dict):
        raise _bad(where, "expected an object")
    if transaction.get("data") is not None:
        return _parse_bytes("bytes", transaction["data"], f"{where} data")
    method, values = transaction.get("contractMethod"), transaction.get("contractInputsValues")
    if not isinstance(method, dict) or not method.get("name") or not isinstance(values, dict):
        raise _bad(where, "needs data, or contractMethod and contractInputsValues")
    inputs = method.get("inputs") or []
    if not isinstance(inputs, list) or not all(isinstance(item, dict) for item in inputs):
        raise _bad(where, "contractMethod.inputs must be a list of objects")
    names = [item.get("name") for item in inputs]
    if unknown := sorted(set(values) - set(names), key=repr):
        raise _bad(where, f"unknown input {', '.join(map(repr, unknown))}; {method['name']} takes {names}")
    types, args = [], []
    for item in inputs:
        here = f"{where} ({method['name']}) input {item.get('name')}"
        _check_type(item.get("type", ""), here)
        if item["name"] not in values:
            raise _bad(here, "missing")
        if not isinstance(values[item["name"]], str):
            raise _bad(here, "batch-file values must be strings")
        types.append(item["type"])
        args.append(_parse_value(item["type"], values[item["name"]], here))
    selector = keccak(text=f"{method['name']}({','.join(types)})")[:4]
    return selector + abi_encode(types, args)


def _safe_batch_calls(batch) -> list[tuple[str, int, bytes]]:
    transactions = batch.get("transactions") if isinstance(batch, dict) else None
    if not isinstance(transactions, list) or not transactions:
        raise InvalidInput("batch: no transactions")
    calls = []
    for index, tx in enumerate(transactions):
        where = f"transaction {index}"
        if not isinstance(tx, dict):
            raise _bad(where, "expected an object")
        calls.append((_address(tx.get("to"), f"{where} to"), _uint_text(tx.get("value"), f"{where} value"),
                      safe_batch_call_data(tx, where)))
    return calls


def safe_batch_to_multisend(batch: dict, *, multisend_address: str) -> tuple[str, str]:
    """(to, data) of the Safe transaction that runs the batch: DELEGATECALL (operation 1) to MultiSendCallOnly."""
    to = _address(multisend_address, "multisend_address")
    packed = b"".join(
        CALL.to_bytes(1, "big") + bytes.fromhex(target[2:]) + value.to_bytes(32, "big")
        + len(data).to_bytes(32, "big") + data
        for target, value, data in _safe_batch_calls(batch))
    return to, "0x" + (MULTISEND_SELECTOR + abi_encode(["bytes"], [packed])).hex()


def safe_batch_single_call(batch: dict) -> tuple[str, int, str]:
    """(to, value, data) of a one-call batch, which Safe{Wallet} sends as a plain CALL (operation 0), not MultiSend."""
    calls = _safe_batch_calls(batch)
    if len(calls) != 1:
        raise InvalidInput(f"batch: {len(calls)} transactions; only a one-call batch runs without MultiSend")
    to, value, data = calls[0]
    return to, value, "0x" + data.hex()
