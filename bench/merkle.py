#!/usr/bin/env python
"""Time agora_sdk.merkle on Agora leaves: tree build, one proof, one verification, at 1k, 10k and 110k leaves.

    .venv/bin/python bench/merkle.py [--runs 5] [--sizes 1000,10000,110000] [--keccak native|eth-hash]

110k is a closed topic's snapshot at the planned ceiling (10k submissions + 100k votes); the snapshot budget is 5 s,
so the build should stay well under 2 s. Figures are medians over --runs builds (proofs: over 1,000 leaves).
--keccak eth-hash times the portable fallback (eth_hash's pycryptodome backend) instead of the native path.
"""
import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sdk" / "python"))

from agora_sdk import merkle  # noqa: E402
from agora_sdk.merkle import AGORA_LEAF_ENCODING, StandardMerkleTree, leaf_hash, verify_proof  # noqa: E402


def agora_values(n, rnd):
    kinds = ["submission"] * 1 + ["vote"] * 10  # the planned mix: ten votes per submission
    return [[rnd.choice(kinds)] + ["0x" + rnd.randbytes(32).hex() for _ in range(4)] for _ in range(n)]


def median_seconds(action, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(values, rnd, runs):
    build = median_seconds(lambda: StandardMerkleTree.of(values, AGORA_LEAF_ENCODING), runs)
    tree = StandardMerkleTree.of(values, AGORA_LEAF_ENCODING)
    sample = rnd.sample(range(len(values)), min(len(values), 1000))
    proofs = {i: tree.get_proof(i) for i in sample}
    prove = median_seconds(lambda: [tree.get_proof(i) for i in sample], runs) / len(sample)
    hashes = {i: leaf_hash(AGORA_LEAF_ENCODING, values[i]) for i in sample}
    verify = median_seconds(lambda: [verify_proof(tree.root, hashes[i], proofs[i]) for i in sample], runs) / len(sample)
    assert all(verify_proof(tree.root, hashes[i], proofs[i]) for i in sample)
    return build, prove, verify, len(proofs[sample[0]])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000,110000")
    parser.add_argument("--keccak", choices=["native", "eth-hash"], default="native")
    args = parser.parse_args()
    if args.keccak == "eth-hash":
        merkle._local.keccak = merkle._eth_hash_keccak  # this thread's hasher: what a machine without the C path gets
    native = merkle._keccak() is not merkle._eth_hash_keccak
    print(f"keccak: {'pycryptodome C library via ctypes' if native else 'eth_hash'}")
    rnd = random.Random(1)
    for size in (int(s) for s in args.sizes.split(",")):
        build, prove, verify, depth = measure(agora_values(size, rnd), rnd, args.runs)
        print(f"{size:>7} leaves: build {build * 1000:8.1f} ms   proof {prove * 1e6:6.1f} us   "
              f"verify {verify * 1e6:6.1f} us   (proof length {depth}, median of {args.runs})")


if __name__ == "__main__":
    main()
