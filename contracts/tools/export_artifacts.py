#!/usr/bin/env python3
"""Copy ABI + creation bytecode of the deployable contracts from forge's out/ into
contracts/artifacts/<Name>.json (checked in; Django loads them from there).

    python contracts/tools/export_artifacts.py [--out contracts/out] [--dest contracts/artifacts]
"""
import argparse
import json
from pathlib import Path

CONTRACTS = {
    "StakeVault": "StakeVault.sol",
    "TreasuryVault": "TreasuryVault.sol",
    "AnchorRegistry": "AnchorRegistry.sol",
    "MockUSDC": "MockUSDC.sol",
    "NoBoolToken": "NoBoolToken.sol",
    "MockERC1271Wallet": "MockERC1271Wallet.sol",
    "GasBurning1271Wallet": "GasBurning1271Wallet.sol",
}
HERE = Path(__file__).resolve().parent.parent


def export(out: Path, dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for name, source in CONTRACTS.items():
        built = json.loads((out / source / f"{name}.json").read_text())
        artifact = {"contractName": name, "abi": built["abi"], "bytecode": built["bytecode"]["object"]}
        path = dest / f"{name}.json"
        path.write_text(json.dumps(artifact, indent=1, sort_keys=True) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--dest", type=Path, default=HERE / "artifacts")
    args = parser.parse_args()
    for path in export(args.out, args.dest):
        print(f"wrote {path}")
