"""agora-verify: check a closed topic's anchor against the chain, from the command line.

Exit codes: 0 every check passed, 1 a check failed, 2 bad arguments or the server/RPC unreachable.
"""
from __future__ import annotations

import argparse
import re
import sys

from .verify import VerifyUnavailable, format_checks, parse_topic_id, verify_receipt

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agora-verify", description="Verify an Agora topic's on-chain anchor.")
    parser.add_argument("base_url", help="the Agora server, e.g. https://agora.example")
    parser.add_argument("topic_id", help="the closed topic's id")
    parser.add_argument("--rpc", required=True, help="a JSON-RPC URL of the chain the anchor is on")
    parser.add_argument("--record", help="check the proof of this record only (default: every record)")
    parser.add_argument("--owner", help="the address that must own the AnchorRegistry (the operators' Safe)")
    parser.add_argument("--confirmations", type=int, default=0, help="blocks the anchor must be below the head")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)  # argparse exits 2 on bad arguments
    try:
        topic_id = parse_topic_id(args.topic_id)
        if args.record is not None:
            parse_topic_id(args.record)
    except ValueError:
        parser.error("topic and record ids are UUIDs")
    if args.owner is not None and not _ADDRESS.fullmatch(args.owner):
        parser.error("--owner must be a 0x address")
    if args.confirmations < 0:
        parser.error("--confirmations must be 0 or more")
    try:
        result = verify_receipt(base_url=args.base_url, job_id=topic_id, rpc_url=args.rpc, record_id=args.record,
                                expected_owner=args.owner, confirmations=args.confirmations)
    except VerifyUnavailable as exc:
        print("\n".join(format_checks(exc.checks) + [f"error: {exc}"]), file=sys.stderr)
        return 2
    except Exception as exc:  # never a traceback: a verifier's user needs the reason, not our stack
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    print("\n".join(format_checks(result.checks)))
    print("verified" if result.ok else f"FAILED: {result.failed}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
