"""agora_sdk.merkle on its own: layout, proofs, tampering, dumps and the hand-rolled encoder, checked against eth_abi
and eth_hash (an independent path) and against vectors produced once with @openzeppelin/merkle-tree 1.0.8."""
import json
import random
import threading

import pytest
from eth_abi import encode as abi_encode
from eth_hash.auto import keccak as reference_keccak

from agora_sdk import merkle
from agora_sdk.merkle import AGORA_LEAF_ENCODING, StandardMerkleTree, leaf_hash, process_proof, verify_proof

ENCODING = list(AGORA_LEAF_ENCODING)


def word(digit):
    return "0x" + digit * 64


def agora_values(n, seed=7):
    rnd = random.Random(seed)
    return [[rnd.choice(["vote", "submission"])] + ["0x" + rnd.randbytes(32).hex() for _ in range(4)] for _ in range(n)]


def reference_leaf(value):
    encoded = abi_encode(ENCODING, [value[0]] + [bytes.fromhex(v[2:]) for v in value[1:]])
    return reference_keccak(reference_keccak(encoded))


def reference_pair(a, b):
    return reference_keccak(min(a, b) + max(a, b))


# Printed by StandardMerkleTree.of(THREE, ENCODING) from @openzeppelin/merkle-tree 1.0.8 under Node 20.
THREE = [["vote", word("1"), word("2"), word("3"), word("4")],
         ["submission", word("5"), word("6"), word("7"), word("8")],
         ["", word("9"), word("a"), word("b"), word("c")]]
THREE_ROOT = "0x162b1c015c9204c78830499d579a0cc1275b1c0dce0022366b91f2f40cdb2aad"
THREE_PROOF_1 = ["0x33f61cc5a26a577cfc6fcb6962b767c5006158813ba0a41d17618f7f2847b74b",
                 "0xec280c92ade017d502844f65c8e7422893cee8d7d9fe8e376ec2301d844346d7"]


def test_three_leaves_match_the_js_library():
    tree = StandardMerkleTree.of(THREE, ENCODING)
    assert tree.root == THREE_ROOT
    assert tree.get_proof(1) == THREE_PROOF_1
    assert [entry["treeIndex"] for entry in tree.dump()["values"]] == [2, 3, 4]


def test_one_leaf_is_its_own_root_with_an_empty_proof():
    tree = StandardMerkleTree.of(THREE[:1], ENCODING)
    assert tree.root == "0x" + reference_leaf(THREE[0]).hex()
    assert tree.get_proof(0) == []
    assert StandardMerkleTree.verify(tree.root, ENCODING, THREE[0], [])
    assert tree.dump()["tree"] == [tree.root]


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7, 8, 9])
def test_layout_is_the_sorted_array_tree(n):
    values = agora_values(n, seed=n)
    leaves = sorted(reference_leaf(v) for v in values)
    expected = [b""] * (n - 1) + leaves[::-1]  # the i-th smallest leaf sits at len - 1 - i
    for i in range(n - 2, -1, -1):
        expected[i] = reference_pair(expected[2 * i + 1], expected[2 * i + 2])
    dump = StandardMerkleTree.of(values, ENCODING).dump()
    assert dump["tree"] == ["0x" + node.hex() for node in expected]
    assert [entry["value"] for entry in dump["values"]] == values  # caller's order, not the sorted one
    assert all(dump["tree"][e["treeIndex"]] == "0x" + reference_leaf(e["value"]).hex() for e in dump["values"])


def test_unsorted_leaves_keep_the_given_order():
    values = agora_values(5)
    tree = StandardMerkleTree.of(values, ENCODING, sort_leaves=False)
    assert [e["treeIndex"] for e in tree.dump()["values"]] == [8, 7, 6, 5, 4]
    assert tree.root != StandardMerkleTree.of(values, ENCODING).root


@pytest.mark.parametrize("n", list(range(1, 18)) + [100, 257])
def test_every_proof_verifies_from_the_leaf_hash_alone(n):
    values = agora_values(n, seed=100 + n)
    tree = StandardMerkleTree.of(values, ENCODING)
    for i, value in enumerate(values):
        proof = tree.get_proof(i)
        assert proof == tree.get_proof(value)
        assert len(proof) <= n.bit_length()
        assert process_proof(leaf_hash(ENCODING, value), proof) == tree.root
        assert verify_proof(tree.root, leaf_hash(ENCODING, value), proof)
        assert StandardMerkleTree.verify(tree.root, ENCODING, value, proof)
        assert tree.verify_leaf(i, proof) and tree.verify_leaf(value, proof)


def test_tampering_with_leaf_proof_or_root_fails():
    values = agora_values(10)
    tree = StandardMerkleTree.of(values, ENCODING)
    value, proof = values[3], tree.get_proof(3)
    flipped = proof[1][:-1] + ("0" if proof[1][-1] != "0" else "1")
    assert not StandardMerkleTree.verify(tree.root, ENCODING, ["submission"] + value[1:], proof)  # other kind
    assert not StandardMerkleTree.verify(tree.root, ENCODING, value[:4] + [word("f")], proof)  # other salt
    assert not StandardMerkleTree.verify(tree.root, ENCODING, value, [proof[0], flipped, *proof[2:]])
    assert not StandardMerkleTree.verify(tree.root, ENCODING, value, proof[:-1])
    assert not StandardMerkleTree.verify(tree.root, ENCODING, value, proof + [word("0")])
    assert not StandardMerkleTree.verify(tree.root, ENCODING, value, proof[::-1])
    assert not StandardMerkleTree.verify(StandardMerkleTree.of(values[:9], ENCODING).root, ENCODING, value, proof)
    assert not verify_proof(tree.root, leaf_hash(ENCODING, values[4]), proof)  # a proof is for one leaf only


def test_root_comparison_ignores_hex_case_and_accepts_bytes():
    tree = StandardMerkleTree.of(THREE, ENCODING)
    leaf = leaf_hash(ENCODING, THREE[1])
    assert verify_proof("0x" + THREE_ROOT[2:].upper(), leaf, THREE_PROOF_1)
    assert verify_proof(bytes.fromhex(THREE_ROOT[2:]), "0x" + leaf.hex(), [bytes.fromhex(p[2:]) for p in THREE_PROOF_1])
    assert tree.verify_leaf(THREE[1], THREE_PROOF_1)


@pytest.mark.parametrize("bad", ["0x1234", word("g"), "0X" + "1" * 64, b"\x00" * 31, "0x" + " 1" * 32])
def test_malformed_nodes_raise(bad):
    leaf = leaf_hash(ENCODING, THREE[1])
    with pytest.raises(ValueError):
        verify_proof(THREE_ROOT, leaf, [THREE_PROOF_1[0], bad])
    with pytest.raises(ValueError):
        verify_proof(bad, leaf, THREE_PROOF_1)
    with pytest.raises(ValueError):
        process_proof(bad, THREE_PROOF_1)


def test_value_lookup_errors_and_duplicates():
    values = agora_values(6)
    values.append(list(values[2]))  # the same leaf twice: the JS lookup resolves to the last one
    tree = StandardMerkleTree.of(values, ENCODING)
    assert tree.get_proof(values[2]) == tree.get_proof(6) != tree.get_proof(2)
    assert tree.verify_leaf(2, tree.get_proof(2)) and tree.verify_leaf(6, tree.get_proof(6))
    with pytest.raises(ValueError, match="not in tree"):
        tree.get_proof(["vote", word("0"), word("0"), word("0"), word("0")])
    for index in (-1, 7):
        with pytest.raises(IndexError):
            tree.get_proof(index)
    with pytest.raises(ValueError):
        StandardMerkleTree.of([], ENCODING)


def test_dump_and_load_round_trip_through_json():
    values = agora_values(11) + [["kind, ünïcode ✓", b"\x01" * 32, word("2"), word("3"), word("4")]]
    tree = StandardMerkleTree.of(values, ENCODING)
    dump = tree.dump()
    assert list(dump) == ["format", "leafEncoding", "tree", "values"]
    assert dump["format"] == "standard-v1" and dump["leafEncoding"] == ENCODING
    assert dump["values"][-1]["value"][1] == "0x" + "01" * 32  # bytes are dumped as the JS callers give them: hex
    loaded = StandardMerkleTree.load(json.loads(json.dumps(dump)))
    assert loaded.root == tree.root and len(loaded) == 12
    assert loaded.dump() == dump
    assert all(loaded.get_proof(i) == tree.get_proof(i) for i in range(12))
    assert loaded.get_proof(dump["values"][-1]["value"]) == tree.get_proof(11)


def _tampered(dump, change):
    copy = json.loads(json.dumps(dump))
    change(copy)
    return copy


@pytest.mark.parametrize("change", [
    lambda d: d.update(format="standard-v2"),
    lambda d: d.pop("leafEncoding"),
    lambda d: d["values"][0]["value"].__setitem__(0, "forged"),
    lambda d: d["values"][0].update(treeIndex=0),
    lambda d: d["values"][0].update(treeIndex=99),
    lambda d: d["tree"].__setitem__(1, word("0")),
    lambda d: d["tree"].__setitem__(0, word("0")),
    lambda d: d["tree"].pop(),
    lambda d: d.update(tree=[]),
], ids=["format", "encoding", "value", "internal-index", "index-range", "node", "root", "shape", "empty"])
def test_load_rejects_tampered_dumps(change):
    dump = StandardMerkleTree.of(agora_values(5), ENCODING).dump()
    with pytest.raises(ValueError):
        StandardMerkleTree.load(_tampered(dump, change))


KINDS = ["", "a", "vote", "x" * 31, "x" * 32, "x" * 33, "y" * 64, "z" * 65, "é" * 16, "é" * 17, "投票" * 6, "🗳️ vote",
         "\x00", "line\nbreak"]


@pytest.mark.parametrize("kind", KINDS)
def test_fast_encoder_equals_eth_abi(kind):
    rnd = random.Random(kind)
    words = [rnd.randbytes(32) for _ in range(4)]
    expected = abi_encode(ENCODING, [kind, *words])
    assert merkle.encode_agora_leaf([kind, *words]) == expected
    assert merkle.encode_agora_leaf((kind, *["0x" + w.hex() for w in words])) == expected
    assert merkle.encode_agora_leaf([kind, *["0x" + w.hex().upper() for w in words]]) == expected
    assert merkle.encode_agora_leaf([kind, words[0], "0x" + words[1].hex(), *words[2:]]) == expected  # mixed forms
    assert len(expected) == 32 * 6 + -(-len(kind.encode()) // 32) * 32


def test_fast_encoder_hands_odd_inputs_to_eth_abi_with_the_js_coercions():
    # Short hex is right-padded and odd digit counts get a leading zero, as @metamask/abi-utils does.
    assert merkle.encode_agora_leaf(["k", "0x1", "0x0203", "0x", b"\x04"]) == abi_encode(
        ENCODING, ["k", b"\x01", b"\x02\x03", b"", b"\x04"])
    for bad in (["k", "1" * 64, word("1"), word("1"), word("1")],  # no 0x: JS rejects it too
                ["k", "0x" + "1" * 66, word("1"), word("1"), word("1")],  # 33 bytes
                ["k", word("1"), word("1"), word("1")],  # a field short
                [b"k", word("1"), word("1"), word("1"), word("1")]):  # bytes for the string: eth_abi's refusal
        with pytest.raises(ValueError):
            merkle.encode_agora_leaf(bad)


def test_other_encodings_go_through_eth_abi():
    encoding = ["address", "uint256", "bytes32", "bool"]
    value = ["0x" + "ab" * 20, "1000000000000000000000", "0x1234", True]
    expected = reference_keccak(reference_keccak(abi_encode(
        encoding, ["0x" + "ab" * 20, 10**21, b"\x12\x34", True])))
    assert leaf_hash(encoding, value) == expected
    assert leaf_hash(encoding, [value[0], "0x3635c9adc5dea00000", value[2], True]) == expected
    tree = StandardMerkleTree.of([value, [value[0], 1, word("0"), False]], encoding)
    assert StandardMerkleTree.verify(tree.root, encoding, value, tree.get_proof(0))


def test_native_keccak_equals_eth_hash_across_block_boundaries():
    keccak = merkle._new_keccak()
    assert keccak is not reference_keccak, "the fast pycryptodome path should be in use here"
    rnd = random.Random(3)
    for size in list(range(0, 300)) + [1000, 5000]:  # the rate is 136 bytes
        data = rnd.randbytes(size)
        assert keccak(data) == reference_keccak(data) == merkle.keccak256(data)


def test_threads_building_at_once_agree():
    values = agora_values(3000)
    expected = StandardMerkleTree.of(values, ENCODING).root
    roots, errors = [], []

    def build():
        try:
            roots.extend(StandardMerkleTree.of(values, ENCODING).root for _ in range(3))
        except Exception as error:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=build) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and roots == [expected] * 12
