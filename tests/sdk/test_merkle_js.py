"""agora_sdk.merkle against @openzeppelin/merkle-tree 1.0.8 itself: 1,000 seeded random trees go to one Node
process (tests/sdk/merkle_reference.mjs) in one batch; every root, 5% of the proofs and a few whole dumps must be
the same. A failure names the seed and tree, so it reproduces."""
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from agora_sdk.merkle import AGORA_LEAF_ENCODING, StandardMerkleTree

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("merkle_reference.mjs")
SEED = 20240607
TREES = 1000
DUMPED = 12
# Kinds around the 32-byte padding edges, with multi-byte UTF-8 where characters and bytes count differently.
KINDS = ["vote", "submission", "", "x" * 31, "x" * 32, "x" * 33, "é" * 16, "投票", "🗳️", "a\nb \"q\" \\ /"]
OTHER_ENCODING = ["address", "uint256", "bytes32", "bool"]  # takes the eth_abi path on the Python side


def _bytes32(rnd):
    digits = rnd.randbytes(32).hex()
    return "0x" + (digits.upper() if rnd.random() < 0.05 else digits)  # the dump keeps the caller's spelling


def _agora_value(rnd):
    return [rnd.choice(KINDS), _bytes32(rnd), _bytes32(rnd), _bytes32(rnd), _bytes32(rnd)]


def _other_value(rnd):
    short = "0x" + rnd.randbytes(rnd.randint(1, 32)).hex()  # shorter than 32 bytes: right-padded by both sides
    return ["0x" + rnd.randbytes(20).hex(), str(rnd.getrandbits(rnd.choice([8, 64, 256]))), short, rnd.random() < .5]


def _cases():
    rnd = random.Random(SEED)
    # Every size once, then small random ones: the JS library spends ~150 us on a leaf, so 1,000 trees of up to 300
    # leaves each would take the Node side ~35 s here; this mix has ~67k leaves.
    sizes = list(range(1, 301)) + [rnd.randint(1, 64) for _ in range(TREES - 300)]
    rnd.shuffle(sizes)
    cases = []
    for number, size in enumerate(sizes):
        other = number % 50 == 0
        make = _other_value if other else _agora_value
        values = [make(rnd) for _ in range(size)]
        if size > 2 and number % 10 == 0:  # equal leaves: the sort must be stable and lookups pick the last one
            values[rnd.randrange(size)] = list(values[0])
        cases.append({
            "encoding": OTHER_ENCODING if other else list(AGORA_LEAF_ENCODING),
            "values": values,
            "proofIndices": rnd.sample(range(size), -(-size // 20)),  # 5%, rounded up
            "proofValues": [values[0]],
            "dump": number < DUMPED,
        })
    return cases


@pytest.fixture(scope="module")
def node():
    path = shutil.which("node")
    if path is None or not (ROOT / "node_modules" / "@openzeppelin" / "merkle-tree").is_dir():
        pytest.fail("needs node and @openzeppelin/merkle-tree in node_modules: run `npm install`")
    return path


def test_python_matches_the_js_library_on_random_trees(node):
    cases = _cases()
    done = subprocess.run([node, str(SCRIPT)], input=json.dumps(cases, ensure_ascii=False).encode(), cwd=ROOT,
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    results = json.loads(done.stdout)
    assert len(results) == TREES

    proofs_compared = dumps_compared = 0
    for number, (case, js) in enumerate(zip(cases, results, strict=True)):
        where = f"seed {SEED}, tree {number} ({len(case['values'])} leaves, {case['encoding']})"
        tree = StandardMerkleTree.of(case["values"], case["encoding"])
        assert tree.root == js["root"], where
        for index, proof in zip(case["proofIndices"], js["proofs"], strict=True):
            assert tree.get_proof(index) == proof, f"{where}, proof of value {index}"
            assert StandardMerkleTree.verify(js["root"], case["encoding"], case["values"][index], proof), where
        for value, proof in zip(case["proofValues"], js["valueProofs"], strict=True):
            assert tree.get_proof(value) == proof, f"{where}, proof by value"
        proofs_compared += len(js["proofs"])
        if js["dump"] is not None:
            assert json.dumps(tree.dump(), ensure_ascii=False, separators=(",", ":")) == js["dump"], where
            assert StandardMerkleTree.load(json.loads(js["dump"])).root == js["root"], where
            dumps_compared += 1

    assert proofs_compared >= sum(len(c["values"]) for c in cases) // 20
    assert dumps_compared == DUMPED
    assert {len(c["values"]) for c in cases} == set(range(1, 301))
