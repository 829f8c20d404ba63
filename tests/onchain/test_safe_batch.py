"""Safe Transaction Builder batches: the file format and checksum, and real execution by Safes 1.4.1 on anvil."""
import copy
import json

import pytest
from eth_abi import decode
from web3 import Web3
from web3.exceptions import ContractLogicError
from web3.logs import DISCARD

from apps.common.chain_client import contract, deploy, load_artifact
from apps.common.errors import InvalidInput
from apps.onchain.safe_batch import (  # _serialize/_keccak_text: only to replay the app's published test vector
    CALL,
    DELEGATECALL,
    SafeCall,
    _keccak_text,
    _serialize,
    safe_batch_build,
    safe_batch_checksum,
    safe_batch_checksum_valid,
    safe_batch_single_call,
    safe_batch_to_multisend,
)
from tests.onchain.safe import deploy_safe, deploy_safe_infra, safe_exec

POST_ANCHOR = next(item for item in load_artifact("AnchorRegistry")["abi"] if item.get("name") == "postAnchor")
REGISTRY = "0x5fbdb2315678afecb367f032d93f642f64180aa3"  # any address, lowercase: the file must checksum it
SAFE = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"
# (root, uri, schemaVersion, salt); the last uri is non-ASCII, in several UTF-8 lengths, to pin string handling
ANCHORS = [
    (Web3.keccak(text=f"root-{i}"), uri, version, Web3.keccak(text=f"salt-{i}"))
    for i, (uri, version) in enumerate([
        ("ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", 1),
        ("https://agora.example/snapshots/2.json", 1),
        ("ar://Yf2bQ0e1mL8", 4294967295),
        ("https://agora.example/snapshots/é-東京-🦊 \"quoted\"\n.json", 2),
    ])
]


def _calls(to: str, anchors=ANCHORS) -> list[SafeCall]:
    # roots as bytes, salts as hex strings: both forms callers hold must give the same file
    return [SafeCall(to=to, function=POST_ANCHOR,
                     values={"root": root, "uri": uri, "schemaVersion": version, "salt": "0x" + salt.hex()})
            for root, uri, version, salt in anchors]


def _batch(to: str = REGISTRY, safe: str = SAFE, anchors=ANCHORS) -> dict:
    return safe_batch_build(chain_id=31337, safe_address=safe, name="Anchors 2024-06-01",
                            description="Snapshot roots of closed topics", calls=_calls(to, anchors),
                            created_at_ms=1717200000123)


def _as_loaded(batch: dict) -> dict:
    """What operators download and Safe{Wallet} reads back: the JSON text, not our dict."""
    return json.loads(json.dumps(batch, ensure_ascii=False))


# --- the file --------------------------------------------------------------------------------------------------

def test_checksum_matches_the_transaction_builders_own_test_vector():
    # The file and expected hash of safe-global/safe-react-apps apps/tx-builder/src/lib/checksum.test.js: any
    # difference in key order, separators, escaping or the nulled name gives another hash.
    address = "0x49d4450977E2c95362C13D3a31a09311E0Ea26A6"
    file = {
        "version": "1.0", "chainId": "4", "createdAt": 1646321521061,
        "meta": {"name": "test batch file", "txBuilderVersion": "1.4.0", "checksum": "",
                 "createdFromSafeAddress": "0xDF8a1Ce35c9a6ACE153B4e0767942f1E2291a1Aa",
                 "createdFromOwnerAddress": address},
        "transactions": [
            {"to": address, "value": "0",
             "contractMethod": {"inputs": [{"internalType": "address", "name": "paramAddress", "type": "address"}],
                                "name": "testAddress", "payable": False},
             "contractInputsValues": {"paramAddress": address}},
            {"to": address, "value": "0",
             "contractMethod": {"inputs": [{"internalType": "bool", "name": "paramBool", "type": "bool"}],
                                "name": "testBool", "payable": False},
             "contractInputsValues": {"paramAddress": "", "paramBool": "false"}},
            {"to": address, "value": "2000000000000000000",
             "data": "0x42f4579000000000000000000000000049d4450977e2c95362c13d3a31a09311e0ea26a6"},
        ],
    }
    # The app's addChecksum hashed this file as given, meta.checksum "" included, with meta.name nulled.
    assert _keccak_text(_serialize({**file, "meta": {**file["meta"], "name": None}})) == (
        "0x4ecbfd364aa6759983915644e73f8bd411e85a2dc306f252a387c2728c4db64c")
    # Our public function drops meta.checksum first (as the app's validateChecksum does): a different, stable hash.
    assert safe_batch_checksum(file) == safe_batch_checksum({**file, "meta": {**file["meta"], "checksum": "0x1"}})


def test_batch_file_has_the_transaction_builder_shape():
    batch = _batch()
    assert set(batch) == {"version", "chainId", "createdAt", "meta", "transactions"}
    assert batch["version"] == "1.0" and batch["chainId"] == "31337" and batch["createdAt"] == 1717200000123
    assert batch["meta"] == {
        "name": "Anchors 2024-06-01", "description": "Snapshot roots of closed topics", "txBuilderVersion": "1.18.2",
        "createdFromSafeAddress": Web3.to_checksum_address(SAFE), "createdFromOwnerAddress": "",
        "checksum": batch["meta"]["checksum"],
    }
    assert batch["meta"]["checksum"].startswith("0x") and len(batch["meta"]["checksum"]) == 66
    assert len(batch["transactions"]) == len(ANCHORS)
    method = {"inputs": [{"internalType": "bytes32", "name": "root", "type": "bytes32"},
                         {"internalType": "string", "name": "uri", "type": "string"},
                         {"internalType": "uint32", "name": "schemaVersion", "type": "uint32"},
                         {"internalType": "bytes32", "name": "salt", "type": "bytes32"}],
              "name": "postAnchor", "payable": False}
    for tx, (root, uri, version, salt) in zip(batch["transactions"], ANCHORS, strict=True):
        assert tx == {"to": Web3.to_checksum_address(REGISTRY), "value": "0", "data": None, "contractMethod": method,
                      "contractInputsValues": {"root": "0x" + root.hex(), "uri": uri, "schemaVersion": str(version),
                                               "salt": "0x" + salt.hex()}}
        assert all(isinstance(value, str) for value in tx["contractInputsValues"].values())
    assert batch["transactions"][2]["contractInputsValues"]["schemaVersion"] == "4294967295"
    assert safe_batch_checksum_valid(batch)
    assert safe_batch_checksum_valid(_as_loaded(batch))  # survives the trip through a JSON file


def test_checksum_ignores_a_rename_but_catches_every_edit():
    batch = _as_loaded(_batch())
    renamed = copy.deepcopy(batch)
    renamed["meta"]["name"] = "renamed in the app"  # the app renames stored batches without re-hashing
    assert safe_batch_checksum_valid(renamed)
    edits = [
        lambda b: b["transactions"][1]["contractInputsValues"].update(schemaVersion="2"),
        lambda b: b["transactions"][3]["contractInputsValues"].update(uri=ANCHORS[3][1] + " "),
        lambda b: b["transactions"][0].update(to=Web3.to_checksum_address(SAFE)),
        lambda b: b["transactions"].reverse(),
        lambda b: b["meta"].update(description="other"),
        lambda b: b["meta"].update(createdFromSafeAddress=Web3.to_checksum_address(REGISTRY)),
        lambda b: b.update(chainId="1"),
        lambda b: b["meta"].pop("checksum"),
    ]
    for edit in edits:
        tampered = copy.deepcopy(batch)
        edit(tampered)
        assert not safe_batch_checksum_valid(tampered)
    assert not safe_batch_checksum_valid("not a batch")


def test_multisend_payload_packs_each_call_as_safe_wallet_does():
    batch = _as_loaded(_batch())
    to, data = safe_batch_to_multisend(batch, multisend_address="0x9641d764fc13c8b624c04430c7356c1c7c8102e2")
    assert to == "0x9641d764fc13c8B624c04430C7356C1C7C8102e2"
    payload = bytes.fromhex(data[2:])
    assert payload[:4] == Web3.keccak(text="multiSend(bytes)")[:4]
    (packed,) = decode(["bytes"], payload[4:])
    # an independent encoder (web3's, from the full ABI) must agree with ours, call by call
    registry = Web3().eth.contract(address=Web3.to_checksum_address(REGISTRY),
                                   abi=load_artifact("AnchorRegistry")["abi"])
    offset = 0
    for root, uri, version, salt in ANCHORS:
        operation, target = packed[offset], packed[offset + 1:offset + 21]
        value = int.from_bytes(packed[offset + 21:offset + 53], "big")
        length = int.from_bytes(packed[offset + 53:offset + 85], "big")
        call_data = packed[offset + 85:offset + 85 + length]
        assert (operation, "0x" + target.hex(), value) == (0, REGISTRY, 0)
        assert "0x" + call_data.hex() == registry.encode_abi("postAnchor", [root, uri, version, salt])
        offset += 85 + length
    assert offset == len(packed)


# --- on a real Safe --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def infra(anvil):
    return deploy_safe_infra(anvil.w3, anvil.accounts[0])


@pytest.fixture
def owned_registry(anvil, infra, snapshot):
    """make(owners, threshold) -> (safe, registry): a fresh Safe and an AnchorRegistry it owns, reverted after."""
    def make(owners, threshold):
        safe = deploy_safe(anvil.w3, anvil.accounts[0], infra, [owner.address for owner in owners], threshold)
        address, _ = deploy(anvil.w3, anvil.accounts[0], "AnchorRegistry", safe.address)
        registry = contract(anvil.w3, "AnchorRegistry", address)
        assert registry.functions.owner().call() == safe.address
        return safe, registry
    return make


def _posted(registry, receipt) -> list[tuple]:
    events = registry.events.AnchorPosted().process_receipt(receipt, errors=DISCARD)
    assert all(event["address"] == registry.address for event in events)
    return [(e["args"]["root"], e["args"]["uri"], e["args"]["schemaVersion"], e["args"]["salt"]) for e in events]


def _export(safe, registry, anchors=ANCHORS) -> dict:
    return _as_loaded(_batch(to=registry.address.lower(), safe=safe.address, anchors=anchors))


def test_1_of_1_safe_runs_the_batch_through_multisend(anvil, infra, owned_registry):
    owner = anvil.accounts[5]
    safe, registry = owned_registry([owner], 1)
    batch = _export(safe, registry)
    assert safe_batch_checksum_valid(batch)
    to, data = safe_batch_to_multisend(batch, multisend_address=infra.multisend.address)
    receipt = safe_exec(anvil.w3, safe, [owner], to, data, DELEGATECALL)
    assert _posted(registry, receipt) == ANCHORS  # every anchor, exact values, batch order
    assert safe.functions.nonce().call() == 1  # one Safe transaction for the whole batch


def test_2_of_3_safe_needs_two_owner_signatures(anvil, infra, owned_registry):
    owners = anvil.accounts[5:8]
    safe, registry = owned_registry(owners, 2)
    to, data = safe_batch_to_multisend(_export(safe, registry), multisend_address=infra.multisend.address)
    with pytest.raises(ContractLogicError, match="GS020"):  # one signature is below the threshold
        safe_exec(anvil.w3, safe, [owners[1]], to, data, DELEGATECALL)
    # two signers given in descending address order: the helper must sort them ascending, as the Safe requires
    signers = sorted(owners, key=lambda account: int(account.address, 16), reverse=True)[:2]
    receipt = safe_exec(anvil.w3, safe, signers, to, data, DELEGATECALL)
    assert _posted(registry, receipt) == ANCHORS


def test_a_non_owner_key_cannot_run_the_batch(anvil, infra, owned_registry):
    safe, registry = owned_registry([anvil.accounts[5]], 1)
    to, data = safe_batch_to_multisend(_export(safe, registry), multisend_address=infra.multisend.address)
    with pytest.raises(ContractLogicError, match="GS026"):  # signer is not an owner
        safe_exec(anvil.w3, safe, [anvil.accounts[9]], to, data, DELEGATECALL)
    assert safe.functions.nonce().call() == 0
    assert registry.events.AnchorPosted().get_logs(from_block=0) == []


def test_a_one_call_batch_runs_as_a_plain_call(anvil, owned_registry):
    owner = anvil.accounts[5]
    safe, registry = owned_registry([owner], 1)
    to, value, data = safe_batch_single_call(_export(safe, registry, anchors=ANCHORS[3:]))
    assert to == registry.address and value == 0
    receipt = safe_exec(anvil.w3, safe, [owner], to, data, CALL)
    assert _posted(registry, receipt) == ANCHORS[3:]
    with pytest.raises(InvalidInput, match="4 transactions; only a one-call batch"):
        safe_batch_single_call(_export(safe, registry))


# --- bad input -------------------------------------------------------------------------------------------------

GOOD = {"root": b"\x01" * 32, "uri": "ipfs://x", "schemaVersion": 1, "salt": b"\x02" * 32}


@pytest.mark.parametrize(("to", "function", "values", "message"), [
    ("0x123", POST_ANCHOR, GOOD, r"call 0 \(postAnchor\) to: '0x123' is not an address"),
    ("0x5FBDB2315678AFECB367F032D93F642F64180Aa3", POST_ANCHOR, GOOD, "is not an address"),  # bad checksum
    (REGISTRY, POST_ANCHOR, {**GOOD, "rooot": b"\x01" * 32}, "unknown input 'rooot'"),
    (REGISTRY, POST_ANCHOR, {k: v for k, v in GOOD.items() if k != "salt"}, "missing input 'salt'"),
    (REGISTRY, POST_ANCHOR, {**GOOD, "schemaVersion": 2**32}, "input schemaVersion: 4294967296 does not fit in uint32"),
    (REGISTRY, POST_ANCHOR, {**GOOD, "schemaVersion": -1}, "does not fit in uint32"),
    (REGISTRY, POST_ANCHOR, {**GOOD, "schemaVersion": True}, "is not an integer"),
    (REGISTRY, POST_ANCHOR, {**GOOD, "schemaVersion": "1.5"}, "is not a decimal"),
    (REGISTRY, POST_ANCHOR, {**GOOD, "root": b"\x01" * 31}, "input root: bytes32 needs exactly 32 bytes, got 31"),
    (REGISTRY, POST_ANCHOR, {**GOOD, "root": "0xzz"}, "is not 0x-prefixed hex"),
    (REGISTRY, POST_ANCHOR, {**GOOD, "uri": 5}, "input uri: 5 is not a string"),
    (REGISTRY, POST_ANCHOR, {**GOOD, "uri": "bad \ud800"}, "lone UTF-16 surrogate"),
    (REGISTRY, {**POST_ANCHOR, "type": "event"}, GOOD, "must be a function entry"),
    (REGISTRY, {"name": "f", "type": "function", "inputs": [{"name": "t", "type": "tuple"}]}, {"t": "x"},
     "type tuple is not supported"),
    (REGISTRY, {"name": "f", "type": "function", "inputs": [{"name": "a", "type": "uint7"}]}, {"a": 1},
     "type uint7 is not supported"),
    (REGISTRY, {"name": "f", "type": "function", "inputs": ["uint256"]}, {}, "input 0 of f has no name"),
    (REGISTRY, POST_ANCHOR, [1, 2], "values must be a dict"),
])
def test_bad_calls_raise_invalid_input(to, function, values, message):
    with pytest.raises(InvalidInput, match=message) as raised:
        safe_batch_build(chain_id=1, safe_address=SAFE, name="n", description="",
                         calls=[SafeCall(to, function, values)])
    assert raised.value.code == "invalid" and raised.value.status_code == 400


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"chain_id": 0}, "chain_id: 0 is not a positive integer"),
    ({"safe_address": "safe"}, "safe_address: 'safe' is not an address"),
    ({"calls": []}, "a batch needs at least one call"),
    ({"name": " "}, "name must be a non-empty string"),
    ({"created_at_ms": -5}, "created_at_ms"),
])
def test_bad_batch_arguments_raise_invalid_input(kwargs, message):
    args = {"chain_id": 1, "safe_address": SAFE, "name": "n", "description": "",
            "calls": [SafeCall(REGISTRY, POST_ANCHOR, GOOD)], **kwargs}
    with pytest.raises(InvalidInput, match=message):
        safe_batch_build(**args)


@pytest.mark.parametrize(("edit", "message"), [
    (lambda tx: tx["contractInputsValues"].update(schemaVersion="4294967296"), "does not fit in uint32"),
    (lambda tx: tx["contractInputsValues"].update(schemaVersion="abc"), "is not a decimal"),
    (lambda tx: tx["contractInputsValues"].update(schemaVersion=1), "batch-file values must be strings"),
    (lambda tx: tx["contractInputsValues"].update(salt="0x12"), "bytes32 needs exactly 32 bytes"),
    (lambda tx: tx["contractInputsValues"].update(extra="1"), "unknown input 'extra'"),
    (lambda tx: tx["contractInputsValues"].pop("uri"), "input uri: missing"),
    (lambda tx: tx.update(to="nowhere"), "transaction 1 to: 'nowhere' is not an address"),
    (lambda tx: tx.update(value=0), "transaction 1 value: 0 is not a decimal string"),
    (lambda tx: tx.pop("contractMethod"), "needs data, or contractMethod and contractInputsValues"),
    (lambda tx: tx.update(data="0x1"), "is not 0x-prefixed hex"),
    (lambda tx: tx["contractMethod"].update(inputs=["bytes32"]), "inputs must be a list of objects"),
    (lambda tx: tx["contractMethod"]["inputs"][2].update(type=None), "type None is not an ABI type name"),
])
def test_bad_batch_file_values_raise_invalid_input(edit, message):
    batch = _as_loaded(_batch())
    edit(batch["transactions"][1])
    with pytest.raises(InvalidInput, match=message):
        safe_batch_to_multisend(batch, multisend_address=REGISTRY)


def test_bad_multisend_address_or_empty_batch_raise_invalid_input():
    with pytest.raises(InvalidInput, match="multisend_address"):
        safe_batch_to_multisend(_batch(), multisend_address="0x0")
    with pytest.raises(InvalidInput, match="no transactions"):
        safe_batch_to_multisend({**_batch(), "transactions": []}, multisend_address=REGISTRY)
