"""The anchored snapshot format (schema version 1), shared by the server that builds it and by
anyone who verifies it. docs/anchoring.md describes the same rules in prose.

A closed topic's snapshot is one RFC 8785 (JCS) canonical JSON document. Each record in it (the
topic, every submission, every vote, the result) becomes one Merkle leaf

    (string kind, bytes32 topicId, bytes32 recordId, bytes32 contentHash, bytes32 salt)

with ids as their 16 UUID bytes left-padded to 32, contentHash = keccak256(JCS(record)), and a salt
the server derives from a secret (published in the tree dump, so verifiers just read it). The tree is
OpenZeppelin's StandardMerkleTree; its root, the snapshot's URI, the schema version and
keccak256(snapshot bytes) are what the operators' Safe posts to the AnchorRegistry.
"""
from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import rfc8785

from .merkle import AGORA_LEAF_ENCODING, keccak256

SCHEMA_VERSION = 1
SCHEMA_VERSIONS = (1,)  # what verify_snapshot reads; a new schema adds its number here
LEAF_ENCODING = AGORA_LEAF_ENCODING
KINDS = ("topic", "submission", "vote", "result")
# Top-level keys of a v1 snapshot, in JCS order (sorted): the builder streams them in this order.
SNAPSHOT_KEYS = ("chain_id", "final_votes", "registry_address", "result", "schema_version", "submissions",
                 "topic", "votes")
_SAFE_INT = 2**53  # beyond it a JSON number is not exact in every parser, so it becomes a string
_BYTES32_PAD = "0x" + "00" * 16
# Lead bytes of 4-byte UTF-8 sequences, i.e. code points above U+FFFF (0xF5..0xFF never occur in UTF-8).
_ASTRAL_UTF8 = re.compile(rb"[\xf0-\xf4]")


def uuid_bytes32(value: uuid.UUID | str) -> str:
    """A UUID as bytes32: its 16 bytes left-padded with zeros, 0x-hex."""
    if isinstance(value, uuid.UUID):  # the builder passes UUIDs as read: no str() and parse back
        return _BYTES32_PAD + value.hex
    return _BYTES32_PAD + uuid.UUID(str(value)).hex


def plain(value: Any) -> Any:
    """Snapshot-safe JSON: floats and Decimals become decimal strings, big integers strings, so the
    document has no floats and every number is exact in any JSON parser."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if -_SAFE_INT < value < _SAFE_INT else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return str(value)


def _bmp_keys_only(value: Any) -> bool:
    if isinstance(value, dict):
        return all(all(ord(c) < 0x10000 for c in k) and _bmp_keys_only(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_bmp_keys_only(v) for v in value)
    return True


def canonical_json(value: Any) -> bytes:
    """RFC 8785 bytes of an already plain() value.

    Why not always the rfc8785 package: it costs about 26 us a record against 8 us for json.dumps,
    and a snapshot has 100k+ records. For values with no floats, json.dumps with sorted keys, no
    whitespace and ensure_ascii=False writes exactly JCS, except that Python sorts keys by code
    point and JCS by UTF-16 code unit, which differ only for keys outside the BMP: those go through
    the package. tests/sdk/test_anchoring.py checks the two agree.

    Walking every key in Python to look for such characters cost more than the encoding itself, so
    the encoded bytes are scanned instead (in C): with no character above U+FFFF anywhere in them,
    no key has one. Only a document that has one somewhere pays for the walk."""
    body = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")
    if body.isascii() or _ASTRAL_UTF8.search(body) is None or _bmp_keys_only(value):
        return body
    return rfc8785.dumps(value)


def content_hash(record: Any) -> str:
    return "0x" + keccak256(canonical_json(record)).hex()


def snapshot_records(snapshot: dict) -> Iterator[tuple[str, str, dict]]:
    """(kind, record id, record) for every leaf of a snapshot, in leaf order."""
    topic_id = snapshot["topic"]["id"]
    yield "topic", topic_id, snapshot["topic"]
    for submission in snapshot["submissions"]:
        yield "submission", submission["id"], submission
    for vote in snapshot["votes"]:
        yield "vote", vote["id"], vote
    yield "result", topic_id, snapshot["result"]


def leaf_value(*, kind: str, topic_id: str, record_id: str, record: dict, salt: str) -> list[str]:
    return [kind, uuid_bytes32(topic_id), uuid_bytes32(record_id), content_hash(record), salt]


def snapshot_salt(snapshot_bytes: bytes) -> str:
    """postAnchor's salt: keccak256 of the snapshot file, so the event commits to the exact bytes."""
    return "0x" + keccak256(snapshot_bytes).hex()
