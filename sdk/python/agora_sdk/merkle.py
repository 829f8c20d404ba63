"""OpenZeppelin's StandardMerkleTree (``@openzeppelin/merkle-tree`` 1.0.8, dump format ``standard-v1``) in Python.

Roots, proofs and dumps are the JS library's for the same input, so a proof served by Agora can be checked with
either library, or on chain with OpenZeppelin's ``MerkleProof``, without trusting the server:

- leaf = keccak256(keccak256(abi.encode(leaf_encoding, value)));
- a parent = keccak256 of its two children, smaller first;
- leaves sorted by hash (stable for duplicates, like JS ``Array.prototype.sort``), the tree kept as an array with the
  root at 0, the children of i at 2i+1 and 2i+2, the i-th sorted leaf at ``len(tree) - 1 - i``.

Values stay as the caller gave them, in the caller's order; like in JS, bytes-typed fields are best given as 0x-hex
strings, which is how they appear in a dump (``bytes`` are rendered as lowercase 0x-hex there).
"""
from __future__ import annotations

import ctypes
import importlib.util
import re
import threading
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from eth_abi import encode as abi_encode
from eth_abi.exceptions import EncodingError
from eth_hash.auto import keccak as _eth_hash_keccak

__all__ = ["AGORA_LEAF_ENCODING", "StandardMerkleTree", "encode_agora_leaf", "keccak256", "leaf_hash", "process_proof",
           "verify_proof"]

# kind, topicId, recordId, contentHash, salt
AGORA_LEAF_ENCODING = ("string", "bytes32", "bytes32", "bytes32", "bytes32")

Keccak = Callable[[bytes], bytes]


def _load_keccak_lib() -> ctypes.CDLL | None:
    # pycryptodome's keccak objects cost ~4.5 us a hash, mostly Python-side set-up; driving its C library with one
    # long-lived state costs ~1.2 us, which is what keeps a 110k-leaf tree (330k hashes) around a second or less.
    try:
        lib = ctypes.CDLL(importlib.util.find_spec("Crypto.Hash._keccak").origin)
        for symbol in ("keccak_init", "keccak_reset", "keccak_absorb", "keccak_digest", "keccak_destroy"):
            getattr(lib, symbol)  # an older or different build lacks one: AttributeError, so the portable path
        return lib
    except (ImportError, AttributeError, OSError, TypeError):
        return None


_lib = _load_keccak_lib()
_SIZES = [ctypes.c_size_t(n) for n in range(1024)]  # made once: a c_size_t per call was ~10% of a hash


def _native_keccak() -> Keccak | None:
    # No argtypes (their conversions cost a third of a hash): every argument is passed as a ctypes object of the C
    # parameter's exact type, so nothing relies on how a bare Python int is widened.
    state, size_t = ctypes.c_void_p(), ctypes.c_size_t
    if _lib.keccak_init(ctypes.byref(state), size_t(64), ctypes.c_ubyte(24)):  # capacity 512 bits: keccak256
        return None
    out, out_size, keccak_padding = ctypes.create_string_buffer(32), size_t(32), ctypes.c_ubyte(1)  # SHA3 pads 0x06
    reset, absorb, digest, sizes = _lib.keccak_reset, _lib.keccak_absorb, _lib.keccak_digest, _SIZES

    def keccak(data: bytes) -> bytes:
        reset(state)
        absorb(state, data, sizes[len(data)] if len(data) < 1024 else size_t(len(data)))
        digest(state, out, out_size, keccak_padding)
        return out.raw

    weakref.finalize(keccak, _lib.keccak_destroy, state)
    return keccak


def _new_keccak() -> Keccak:
    keccak = _native_keccak() if _lib is not None else None
    # A C library that does not behave as expected must cost speed, never correctness.
    probes = (b"", b"agora", bytes(range(256)) * 3)  # the last spans several 136-byte blocks
    if keccak is None or any(keccak(p) != _eth_hash_keccak(p) for p in probes):
        return _eth_hash_keccak
    return keccak


_local = threading.local()


def _keccak() -> Keccak:
    # The native hasher owns a mutable C state and ctypes releases the GIL, so each thread gets its own.
    try:
        return _local.keccak
    except AttributeError:
        _local.keccak = _new_keccak()
        return _local.keccak


def keccak256(data: bytes) -> bytes:
    return _keccak()(data)


# --- ABI encoding -----------------------------------------------------------------------------------------------

_STRICT_HEX = re.compile(r"0x[0-9a-f]+", re.IGNORECASE)
_INT_TYPE = re.compile(r"u?int[0-9]*")
_BYTES_TYPE = re.compile(r"bytes[0-9]*")


def _coerce_bytes(value: Any) -> Any:
    # @metamask/abi-utils' createBytes: "0x" alone is empty, other strings must be 0x-hex, an odd digit count gets a
    # leading zero; anything else is left for eth_abi to accept or reject.
    if isinstance(value, str):
        if value.lower() == "0x":
            return b""
        if not _STRICT_HEX.fullmatch(value):
            raise ValueError(f"expected a 0x-hex string, got {value!r}")
        digits = value[2:]
        return bytes.fromhex(digits if len(digits) % 2 == 0 else "0" + digits)
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    return value


def _coerce(abi_type: str, value: Any) -> Any:
    if _BYTES_TYPE.fullmatch(abi_type):
        return _coerce_bytes(value)
    if _INT_TYPE.fullmatch(abi_type) and isinstance(value, str):  # JSON has no big integers: JS dumps use strings
        return int(value, 16) if value.lower().startswith(("0x", "-0x")) else int(value, 10)
    return value


def _encode_generic(leaf_encoding: Sequence[str], value: Sequence[Any]) -> bytes:
    # Only top-level values are coerced the JS way; values inside arrays and tuples go to eth_abi as given.
    if len(value) != len(leaf_encoding):
        raise ValueError(f"expected {len(leaf_encoding)} values, got {len(value)}")
    try:
        return abi_encode(list(leaf_encoding), [_coerce(t, v) for t, v in zip(leaf_encoding, value, strict=True)])
    except EncodingError as error:  # one exception type for a bad value, whichever path rejected it
        raise ValueError(str(error)) from error


_STRING_OFFSET = (5 * 32).to_bytes(32, "big")  # the string's tail starts right after the five head words


def encode_agora_leaf(value: Sequence[Any]) -> bytes:
    """``abi.encode(string, bytes32, bytes32, bytes32, bytes32)`` written out by hand: ~10x faster than eth_abi.

    Takes 32-byte ``bytes`` or 0x + 64 hex digits for the four words; any other input takes the eth_abi path.
    """
    if len(value) == 5:
        kind, a, b, c, d = value
        words = None
        if kind.__class__ is a.__class__ is b.__class__ is c.__class__ is d.__class__ is str:
            if len(a) == len(b) == len(c) == len(d) == 66 and a[:2] == b[:2] == c[:2] == d[:2] == "0x":
                try:  # one fromhex for the four words: per-word parsing was a third of the build time
                    words = bytes.fromhex(a[2:] + b[2:] + c[2:] + d[2:])
                except ValueError:
                    pass
                if words is not None and len(words) != 128:  # fromhex skips spaces: a short result was not hex
                    words = None
        elif isinstance(kind, str) and all(isinstance(w, bytes) and len(w) == 32 for w in (a, b, c, d)):
            words = a + b + c + d
        if words is not None:
            raw = kind.encode()
            return b"".join((_STRING_OFFSET, words, len(raw).to_bytes(32, "big"), raw, bytes(-len(raw) % 32)))
    return _encode_generic(AGORA_LEAF_ENCODING, value)  # odd inputs: keep the JS semantics in one place


def _encoder(leaf_encoding: Sequence[str]) -> Callable[[Sequence[Any]], bytes]:
    if tuple(leaf_encoding) == AGORA_LEAF_ENCODING:
        return encode_agora_leaf
    return lambda value: _encode_generic(leaf_encoding, value)


def leaf_hash(leaf_encoding: Sequence[str], value: Sequence[Any]) -> bytes:
    keccak = _keccak()
    return keccak(keccak(_encoder(leaf_encoding)(value)))


# --- proofs -----------------------------------------------------------------------------------------------------

def _node(value: bytes | str) -> bytes:
    # As the JS library: a node is 32 bytes, given as bytes or as hex with an optional lowercase 0x.
    if isinstance(value, str):
        digits = value[2:] if value.startswith("0x") else value
        try:
            node = bytes.fromhex(digits) if len(digits) == 64 else b""
        except ValueError:
            node = b""
    else:
        node = bytes(value)
    if len(node) != 32:
        raise ValueError(f"a Merkle node must be 32 bytes, got {value!r}")
    return node


def _hex(node: bytes) -> str:
    return "0x" + node.hex()


def _hash_pair(keccak: Keccak, a: bytes, b: bytes) -> bytes:
    return keccak(a + b if a <= b else b + a)


def process_proof(leaf: bytes | str, proof: Iterable[bytes | str]) -> str:
    """The root (0x-hex) that ``proof`` leads to from ``leaf``, a leaf *hash* (see ``leaf_hash``)."""
    keccak = _keccak()
    node = _node(leaf)
    for sibling in proof:
        node = _hash_pair(keccak, node, _node(sibling))
    return _hex(node)


def verify_proof(root: bytes | str, leaf: bytes | str, proof: Iterable[bytes | str]) -> bool:
    """Whether ``proof`` links the leaf hash to ``root``; malformed (not 32-byte) nodes raise ValueError."""
    return _node(process_proof(leaf, proof)) == _node(root)


# --- the tree ---------------------------------------------------------------------------------------------------

def _json_value(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


class StandardMerkleTree:
    """Build with ``of``, restore with ``load``; ``root``, ``get_proof`` and ``dump`` match the JS library."""

    def __init__(self, nodes: list[bytes], values: list[Any], tree_indices: list[int], leaf_encoding: Sequence[str]):
        self._nodes = nodes
        self._values = values
        self._tree_indices = tree_indices
        self.leaf_encoding = tuple(leaf_encoding)
        self._lookup: dict[bytes, int] | None = None

    @classmethod
    def of(cls, values: Iterable[Sequence[Any]], leaf_encoding: Sequence[str], *,
           sort_leaves: bool = True) -> StandardMerkleTree:
        values = list(values)
        if not values:
            raise ValueError("expected a non-zero number of leaves")
        keccak, encode = _keccak(), _encoder(leaf_encoding)
        hashes = [keccak(keccak(encode(value))) for value in values]
        order = sorted(range(len(values)), key=hashes.__getitem__) if sort_leaves else range(len(values))
        last = 2 * len(values) - 2
        nodes: list[bytes] = [b""] * (last + 1)
        tree_indices = [0] * len(values)
        for position, value_index in enumerate(order):
            nodes[last - position] = hashes[value_index]
            tree_indices[value_index] = last - position
        for i in range(len(values) - 2, -1, -1):
            nodes[i] = _hash_pair(keccak, nodes[2 * i + 1], nodes[2 * i + 2])
        return cls(nodes, values, tree_indices, leaf_encoding)

    @classmethod
    def load(cls, data: dict[str, Any]) -> StandardMerkleTree:
        """Restore a ``standard-v1`` dump, checking every node and value (a dump is untrusted input)."""
        if data.get("format") != "standard-v1":
            raise ValueError(f"unknown format {data.get('format')!r}")
        if data.get("leafEncoding") is None:
            raise ValueError("expected a leaf encoding")
        nodes = [_node(node) for node in data["tree"]]
        entries = data["values"]
        tree = cls(nodes, [e["value"] for e in entries], [e["treeIndex"] for e in entries], data["leafEncoding"])
        tree._validate()
        return tree

    @staticmethod
    def verify(root: bytes | str, leaf_encoding: Sequence[str], value: Sequence[Any],
               proof: Iterable[bytes | str]) -> bool:
        """Whether ``value`` is in the tree of ``root``: all a verifier needs besides the proof."""
        return verify_proof(root, leaf_hash(leaf_encoding, value), proof)

    @property
    def root(self) -> str:
        return _hex(self._nodes[0])

    def __len__(self) -> int:
        return len(self._values)

    @property
    def values(self) -> list[Any]:
        return list(self._values)

    def leaf_hash(self, value: Sequence[Any]) -> bytes:
        return leaf_hash(self.leaf_encoding, value)

    def get_proof(self, index_or_value: int | Sequence[Any]) -> list[str]:
        """Sibling hashes from the leaf up, for a value or for its index in the values as given."""
        value_index = self._value_index(index_or_value)
        tree_index, proof = self._tree_indices[value_index], []
        while tree_index > 0:
            proof.append(_hex(self._nodes[tree_index + 1 if tree_index % 2 else tree_index - 1]))
            tree_index = (tree_index - 1) // 2
        return proof

    def verify_leaf(self, index_or_value: int | Sequence[Any], proof: Iterable[bytes | str]) -> bool:
        if isinstance(index_or_value, int) and not isinstance(index_or_value, bool):
            index_or_value = self._values[self._value_index(index_or_value)]
        return verify_proof(self._nodes[0], self.leaf_hash(index_or_value), proof)

    def dump(self) -> dict[str, Any]:
        return {
            "format": "standard-v1",
            "leafEncoding": list(self.leaf_encoding),
            "tree": [_hex(node) for node in self._nodes],
            "values": [{"value": _json_value(value), "treeIndex": tree_index}
                       for value, tree_index in zip(self._values, self._tree_indices, strict=True)],
        }

    def _value_index(self, index_or_value: int | Sequence[Any]) -> int:
        if isinstance(index_or_value, int) and not isinstance(index_or_value, bool):
            if not 0 <= index_or_value < len(self._values):  # no Python negative indexing: JS has none
                raise IndexError("index out of bounds")
            return index_or_value
        if self._lookup is None:
            # Like the JS library's lookup, a value given twice resolves to its last occurrence.
            self._lookup = {self._nodes[t]: i for i, t in enumerate(self._tree_indices)}
        try:
            return self._lookup[self.leaf_hash(index_or_value)]
        except KeyError:
            raise ValueError("leaf is not in tree") from None

    def _validate(self) -> None:
        nodes, keccak = self._nodes, _keccak()
        if not nodes:
            raise ValueError("the tree has no nodes")
        encode = _encoder(self.leaf_encoding)
        for value, tree_index in zip(self._values, self._tree_indices, strict=True):
            if not isinstance(tree_index, int) or not 0 <= tree_index < len(nodes) or 2 * tree_index + 1 < len(nodes):
                raise ValueError(f"tree index {tree_index!r} is not a leaf")
            if nodes[tree_index] != keccak(keccak(encode(value))):
                raise ValueError("the tree does not contain the expected value")
        for i, node in enumerate(nodes):
            left, right = 2 * i + 1, 2 * i + 2
            if right >= len(nodes):
                if left < len(nodes):
                    raise ValueError("the tree is not a valid Merkle tree")
            elif node != _hash_pair(keccak, nodes[left], nodes[right]):
                raise ValueError("the tree is not a valid Merkle tree")
