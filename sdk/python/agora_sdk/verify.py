"""Verify a closed topic's anchor from the outside: the published API fields, the published files and one
Ethereum JSON-RPC URL, nothing else. docs/anchoring.md describes the same steps for other languages.

The checks run in order and stop at the first failure, because each one relies on what the previous ones
established (no point checking proofs against a root the file does not give).
"""
from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from eth_abi import decode as abi_decode

from .anchoring import (
    LEAF_ENCODING,
    SCHEMA_VERSIONS,
    SNAPSHOT_KEYS,
    canonical_json,
    leaf_value,
    snapshot_records,
    snapshot_salt,
    uuid_bytes32,
)
from .jsonrpc import JsonRpc, RpcCallError, RpcUnavailable
from .merkle import StandardMerkleTree, keccak256, leaf_hash, verify_proof

__all__ = ["ANCHOR_POSTED_TOPIC", "CHECKS", "VerifyResult", "VerifyUnavailable", "dump_proof", "format_checks",
           "verify_receipt", "verify_record_proof"]

ANCHOR_POSTED_TOPIC = "0x" + keccak256(b"AnchorPosted(bytes32,string,uint32,bytes32)").hex()
OWNER_SELECTOR = "0x" + keccak256(b"owner()").hex()[:8]
CHECKS = ("anchored", "snapshot_hash", "schema", "leaves", "root", "proof", "event", "finality", "owner")
_BYTES32 = re.compile(r"0x[0-9a-f]{64}")
_ANCHOR_FIELDS = ("anchor_uri", "anchor_root", "anchor_salt", "anchor_schema_version", "anchor_tx_hash",
                  "anchor_chain_id", "anchor_contract_address", "anchor_block_number", "anchor_log_index")


@dataclass
class VerifyResult:
    ok: bool
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    failed: str | None = None


class VerifyUnavailable(Exception):
    """The server or the RPC could not be reached: not a failed check, since nothing was learned."""

    def __init__(self, message: str, checks: list[tuple[str, bool, str]]):
        super().__init__(message)
        self.checks = checks


class _Failed(Exception):
    pass


class _Unreachable(Exception):
    pass


def verify_record_proof(*, root: str, kind: str, topic_id: str, record_id: str, record: dict, salt: str,
                        proof: list[str]) -> bool:
    """Whether `proof` links this record (hashed here from its content, so the record is what is proven) to
    `root`. For one record out of /api/v1/jobs/{id}/proofs/{record_id}: pass its record, kind, leaf[4] as salt."""
    try:
        leaf = leaf_value(kind=kind, topic_id=topic_id, record_id=record_id, record=record, salt=salt)
        return verify_proof(root, leaf_hash(LEAF_ENCODING, leaf), proof)
    except (ValueError, TypeError):  # a malformed id, salt or node is a proof that does not verify
        return False


def dump_proof(dump: dict, tree_index: int) -> list[str]:
    """The sibling path of a leaf as the published dump has it (the dump's nodes, not a rebuilt tree: a
    dump whose nodes were tampered with must give proofs that fail)."""
    nodes = dump["tree"]
    if not isinstance(tree_index, int) or not 0 <= tree_index < len(nodes) or 2 * tree_index + 1 < len(nodes):
        raise ValueError(f"tree index {tree_index!r} is not a leaf")
    proof = []
    while tree_index > 0:
        proof.append(nodes[tree_index + 1 if tree_index % 2 else tree_index - 1])
        tree_index = (tree_index - 1) // 2
    return proof


class _Verifier:
    def __init__(self, *, base_url, job_id, rpc_url, record_id, expected_owner, confirmations, session):
        self.base_url, self.job_id, self.record_id = base_url.rstrip("/"), str(job_id), record_id
        self.expected_owner = expected_owner.lower() if expected_owner else None
        self.confirmations = confirmations
        self.http = session or requests.Session()
        self.rpc = JsonRpc(rpc_url, session=self.http)
        self.job: dict[str, Any] = {}

    def _get(self, url: str, what: str) -> requests.Response:
        try:
            response = self.http.get(url, timeout=30)
        except requests.RequestException as exc:
            raise _Unreachable(f"could not fetch the {what} at {url}: {type(exc).__name__}") from None
        if response.status_code != 200:
            raise _Failed(f"the {what} at {url} answered HTTP {response.status_code}")
        return response

    def anchored(self) -> str:
        try:
            self.job = self._get(f"{self.base_url}/api/v1/jobs/{self.job_id}", "topic").json()
        except ValueError:
            raise _Failed("the topic's API answer is not JSON") from None
        missing = [name for name in _ANCHOR_FIELDS if self.job.get(name) is None]
        if missing:
            raise _Failed(f"not anchored on chain yet (status {self.job.get('anchor_status')}; no {missing[0]})")
        return f"status {self.job['anchor_status']}, tx {self.job['anchor_tx_hash']}"

    def snapshot_hash(self) -> str:
        self.snapshot_bytes = self._get(self.job["anchor_uri"], "snapshot").content
        digest = snapshot_salt(self.snapshot_bytes)
        if digest != self.job["anchor_salt"].lower():
            raise _Failed(f"keccak256 of the file is {digest}, the anchor's salt is {self.job['anchor_salt']}")
        return f"{len(self.snapshot_bytes)} bytes, keccak256 {digest}"

    def schema(self) -> str:
        version = self.job["anchor_schema_version"]
        if version not in SCHEMA_VERSIONS:
            raise _Failed(f"schema version {version} is not one this SDK reads {SCHEMA_VERSIONS}")
        try:
            self.snapshot = json.loads(self.snapshot_bytes, parse_float=_no_float)
        except ValueError as exc:
            raise _Failed(f"the snapshot is not valid float-free JSON: {exc}") from None
        if not isinstance(self.snapshot, dict) or tuple(sorted(self.snapshot)) != SNAPSHOT_KEYS:
            raise _Failed(f"the snapshot's top-level keys are not {list(SNAPSHOT_KEYS)}")
        if self.snapshot["schema_version"] != version:
            raise _Failed(f"the file says schema {self.snapshot['schema_version']}, the anchor {version}")
        if canonical_json(self.snapshot) != self.snapshot_bytes:
            raise _Failed("the snapshot is not RFC 8785 canonical JSON")
        return f"version {version}, canonical JSON"

    def leaves(self) -> str:
        tree_url = self.job["anchor_uri"].removesuffix(".json") + ".tree.json"
        try:
            self.dump = self._get(tree_url, "tree dump").json()
            assert self.dump["format"] == "standard-v1" and tuple(self.dump["leafEncoding"]) == LEAF_ENCODING
            entries = [(list(e["value"]), e["treeIndex"]) for e in self.dump["values"]]
            by_key = {(v[0], str(v[2]).lower()): (v, i) for v, i in entries}
            self.records = list(snapshot_records(self.snapshot))
            topic_id = self.snapshot["topic"]["id"]
        except (ValueError, KeyError, TypeError, IndexError, AssertionError):
            raise _Failed("the tree dump or the snapshot does not have the standard-v1 / schema 1 shape") from None
        if len(by_key) != len(entries):
            raise _Failed("the dump has two leaves for the same record")
        self.leaf_of: dict[tuple[str, str], tuple[list, int]] = {}
        for kind, record_id, record in self.records:
            key = (kind, uuid_bytes32(record_id))
            if key not in by_key:
                raise _Failed(f"no leaf in the dump for {kind} {record_id}")
            value, index = by_key[key]
            salt = str(value[4]).lower()
            if not _BYTES32.fullmatch(salt):
                raise _Failed(f"the dump's salt for {kind} {record_id} is not bytes32")
            expected = leaf_value(kind=kind, topic_id=topic_id, record_id=record_id, record=record, salt=salt)
            if [value[0], *(str(x).lower() for x in value[1:])] != expected:
                raise _Failed(f"the dump's leaf for {kind} {record_id} is not the record's (content hash differs)")
            self.leaf_of[key] = (expected, index)
        if len(entries) != len(self.records):
            raise _Failed(f"the dump has {len(entries) - len(self.records)} leaves that are no record of the snapshot")
        return f"{len(entries)} leaves, one per record"

    def root(self) -> str:
        rebuilt = StandardMerkleTree.of([leaf for leaf, _ in self.leaf_of.values()], LEAF_ENCODING).root
        if rebuilt != self.job["anchor_root"].lower():
            raise _Failed(f"the leaves give root {rebuilt}, the anchor says {self.job['anchor_root']}")
        return rebuilt

    def proof(self) -> str:
        wanted = [(kind, rid, record) for kind, rid, record in self.records
                  if self.record_id is None or uuid_bytes32(rid) == _bytes32_or_none(self.record_id)]
        if not wanted:
            raise _Failed(f"no record {self.record_id} in this topic's snapshot")
        topic_id = self.snapshot["topic"]["id"]
        for kind, rid, record in wanted:
            leaf, index = self.leaf_of[(kind, uuid_bytes32(rid))]
            try:
                path = dump_proof(self.dump, index)
            except (ValueError, KeyError, TypeError) as exc:
                raise _Failed(f"no proof for {kind} {rid} in the dump: {exc}") from None
            if not verify_record_proof(root=self.job["anchor_root"], kind=kind, topic_id=topic_id, record_id=rid,
                                       record=record, salt=leaf[4], proof=path):
                raise _Failed(f"the dump's proof for {kind} {rid} does not lead to the root")
        return f"{len(wanted)} proof(s) verified"

    def event(self) -> str:
        job, registry = self.job, self.job["anchor_contract_address"].lower()
        chain_id = self.rpc.chain_id()
        if chain_id != job["anchor_chain_id"] or self.snapshot["chain_id"] != chain_id:
            raise _Failed(f"the RPC is chain {chain_id}; the anchor says {job['anchor_chain_id']}, "
                          f"the snapshot {self.snapshot['chain_id']}")
        if self.snapshot["registry_address"] and self.snapshot["registry_address"].lower() != registry:
            raise _Failed(f"posted to {registry}, the snapshot names registry {self.snapshot['registry_address']}")
        receipt = self.rpc.receipt(job["anchor_tx_hash"])
        if not receipt:
            raise _Failed(f"no transaction {job['anchor_tx_hash']} on chain {chain_id}")
        if int(receipt["status"], 16) != 1 or int(receipt["blockNumber"], 16) != job["anchor_block_number"]:
            raise _Failed(f"the transaction failed or is in block {int(receipt['blockNumber'], 16)}, "
                          f"not {job['anchor_block_number']}")
        log = next((x for x in receipt["logs"] if int(x["logIndex"], 16) == job["anchor_log_index"]), None)
        if log is None or log["address"].lower() != registry or log.get("removed"):
            raise _Failed(f"no log of {registry} at index {job['anchor_log_index']}")
        expected = [ANCHOR_POSTED_TOPIC, job["anchor_root"].lower(),
                    "0x" + job["anchor_schema_version"].to_bytes(32, "big").hex(), job["anchor_salt"].lower()]
        if [t.lower() for t in log["topics"]] != expected:
            raise _Failed("the log is not AnchorPosted(root, schemaVersion, salt) of this anchor")
        try:
            (uri,) = abi_decode(["string"], bytes.fromhex(log["data"][2:]))
        except Exception:  # eth_abi raises several types for bad data; all mean "not this event"
            raise _Failed("the log's data is not an ABI string") from None
        if uri != job["anchor_uri"]:
            raise _Failed(f"the event's uri is {uri!r}, not {job['anchor_uri']!r}")
        self.block_number = job["anchor_block_number"]
        return f"AnchorPosted at block {self.block_number}, log {job['anchor_log_index']}, chain {chain_id}"

    def finality(self) -> str:
        depth = self.rpc.head() - self.block_number
        if depth < self.confirmations:
            raise _Failed(f"{depth} blocks deep, {self.confirmations} required")
        return f"{depth} blocks deep (required {self.confirmations})"

    def owner(self) -> str:
        registry = self.job["anchor_contract_address"]
        # The owner when the anchor was posted is what matters (ownership can move later); a node without
        # that block's state (not an archive node) gets the current owner, and the detail says so.
        block, when = hex(self.block_number), f"at block {self.block_number}"
        try:
            owner_word = self.rpc.eth_call(registry, OWNER_SELECTOR, block)
        except RpcCallError:
            block, when = "latest", "now (the RPC has no state for the anchor's block)"
            owner_word = self.rpc.eth_call(registry, OWNER_SELECTOR, block)
        if len(owner_word) != 32 or not self.rpc.code(registry, block):
            raise _Failed(f"{registry} has no code or no owner()")
        owner = "0x" + owner_word[12:].hex()
        if owner != self.expected_owner:
            raise _Failed(f"the registry's owner {when} is {owner}, not {self.expected_owner}")
        if not self.rpc.code(owner, block):
            raise _Failed(f"the owner {owner} has no code: a single key, not a Safe")
        return f"owner {when} is {owner}, a contract"


def _no_float(text: str):
    raise ValueError(f"a float ({text}): amounts and weights must be decimal strings")


def _bytes32_or_none(value: str) -> str | None:
    try:
        return uuid_bytes32(value)
    except ValueError:
        return None


def verify_receipt(*, base_url: str, job_id: str, rpc_url: str, record_id: str | None = None,
                   expected_owner: str | None = None, confirmations: int = 0,
                   session: requests.Session | None = None) -> VerifyResult:
    """Run the checks (CHECKS; owner only when expected_owner is given) in order, stopping at the first
    failure. Raises VerifyUnavailable when the server or the RPC cannot be reached."""
    verifier = _Verifier(base_url=base_url, job_id=job_id, rpc_url=rpc_url, record_id=record_id,
                         expected_owner=expected_owner, confirmations=confirmations, session=session)
    result = VerifyResult(ok=True)
    for name in CHECKS:
        if name == "owner" and verifier.expected_owner is None:
            continue
        step: Callable[[], str] = getattr(verifier, name)
        try:
            result.checks.append((name, True, step()))
        except _Failed as failure:
            result.checks.append((name, False, str(failure)))
            result.ok, result.failed = False, name
            return result
        except (RpcUnavailable, _Unreachable) as exc:
            raise VerifyUnavailable(str(exc), result.checks) from None
        except RpcCallError as exc:  # the node refused a call it should answer: the anchor cannot be shown
            result.checks.append((name, False, str(exc)))
            result.ok, result.failed = False, name
            return result
    return result


def format_checks(checks: list[tuple[str, bool, str]]) -> list[str]:
    return [f"{'ok  ' if passed else 'FAIL'} {name:<13} {detail}" for name, passed, detail in checks]


def parse_topic_id(value: str) -> str:
    """A topic id as the API spells it; ValueError for anything that is not a UUID."""
    return str(uuid.UUID(value))
