#!/usr/bin/env python
"""Index >= 20,000 StakeVault events from an empty database and print events/s end to end
(RPC -> decoded -> committed PostgreSQL rows), next to the naive path (web3
contract.events.X.get_logs + one ORM save per event) on the same chain, in the same run.

    .venv/bin/python bench/indexer.py [--events 20000] [--per-block 500]

Uses its own database (agora_bench_indexer) and its own anvil. Target (issue 5): >= 5,000
events/s end to end and >= 5x the naive path.
"""
import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "agora_bench_indexer"
DB_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"


def setup():
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME}", f"CREATE DATABASE {DB_NAME}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "agora.settings.test", "DATABASE_URL": DB_URL}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True, env=env)
    os.environ.update(env)
    import django

    django.setup()


def emit(harness, total: int, per_block: int) -> int:
    """depositFor from one funded payer (an unlocked anvil account, so anvil signs), automine off,
    mined per_block transactions at a time."""
    from eth_account import Account

    w3, payer = harness.w3, harness.accounts[3]
    harness.fund(payer, 10**15)
    agents = [Account.create().address for _ in range(1000)]
    w3.provider.make_request("evm_setAutomine", [False])
    nonce = w3.eth.get_transaction_count(payer.address)
    started = time.perf_counter()
    batch = []
    for i in range(total):
        tx = {"from": payer.address, "to": harness.stake.address, "nonce": hex(nonce + i), "gas": hex(120_000),
              "data": harness.stake.encode_abi("depositFor", [agents[i % len(agents)], 1000 + i])}
        batch.append({"jsonrpc": "2.0", "id": i, "method": "eth_sendTransaction", "params": [tx]})
        if len(batch) == per_block:
            _send(harness.rpc_url, batch)
            harness.mine(1)
            batch = []
        if (i + 1) % 5000 == 0:
            print(f"  emitted {i + 1}/{total} events ({time.perf_counter() - started:.0f}s)", flush=True)
    if batch:
        _send(harness.rpc_url, batch)
        harness.mine(1)
    w3.provider.make_request("evm_setAutomine", [True])
    return total


def _send(url, batch):
    import requests

    for item in requests.post(url, json=batch, timeout=120).json():
        if "error" in item:
            raise SystemExit(f"send failed: {item['error']}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--per-block", type=int, default=500)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the indexing run")
    args = parser.parse_args()
    setup()
    from django.conf import settings
    from django.db import connection

    from apps.common.rpc import JsonRpc
    from apps.onchain.devharness import Harness
    from apps.onchain.indexer import run_until_idle
    from apps.onchain.models import ChainEvent, StakeLedger

    settings.AGORA_ONCHAIN_CONFIRMATIONS = 0
    settings.AGORA_ONCHAIN_START_RANGE = settings.AGORA_ONCHAIN_MAX_RANGE = 10_000
    harness = Harness(settings, anvil_args=("--gas-limit", "300000000"))
    try:
        print(f"emitting {args.events} Deposited events on anvil, {args.per_block} per block ...", flush=True)
        emit(harness, args.events, args.per_block)
        stream = harness.stream("stake_vault")
        print(f"chain head {harness.head()}; indexing from block {stream.start_block} into an empty database")

        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        started = time.perf_counter()
        run_until_idle(stream_ids=[stream.id], rpc=JsonRpc(harness.rpc_url, timeout=120))
        ours = time.perf_counter() - started
        if profiler:
            import pstats

            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(18)
        events = ChainEvent.objects.filter(stream=stream, name="Deposited").count()
        assert events == args.events == StakeLedger.objects.count(), (events, StakeLedger.objects.count())

        naive_events, naive = naive_path(harness, stream.start_block)
        assert naive_events == args.events
        ours_rate, naive_rate = events / ours, naive_events / naive
        print(f"indexer (raw eth_getLogs, static words sliced / eth-abi, COPY, one transaction per range): "
              f"{events} events in {ours:.2f}s = {ours_rate:,.0f} events/s")
        print(f"naive (web3 events.Deposited.get_logs + one ORM save per event):                              "
              f"{naive_events} events in {naive:.2f}s = {naive_rate:,.0f} events/s")
        print(f"ratio {ours_rate / naive_rate:.1f}x")
        print(f"{'PASS' if ours_rate >= 5000 else 'MISS'}  >= 5,000 events/s end to end")
        print(f"{'PASS' if ours_rate >= 5 * naive_rate else 'MISS'}  >= 5x the naive path")
    finally:
        harness.stop()
        connection.close()


def naive_path(harness, from_block):
    """What a straightforward indexer does: web3's decoder and a save per event."""
    from apps.onchain.models import ChainEvent, ChainStream

    stream = ChainStream.objects.create(name="naive", chain_id=1, contract_address="0x" + "1" * 40, start_block=0,
                                        next_block=0)
    contract = harness.stake
    started = time.perf_counter()
    head = harness.head()
    count = 0
    for start in range(from_block, head + 1, 2000):
        logs = contract.events.Deposited.get_logs(from_block=start, to_block=min(head, start + 1999))
        for entry in logs:
            ChainEvent.objects.create(
                id=f"naive:{entry['transactionHash'].hex()}:{entry['logIndex']}", stream=stream,
                block_number=entry["blockNumber"], block_hash=entry["blockHash"].hex(),
                tx_hash=entry["transactionHash"].hex(), log_index=entry["logIndex"], name="Deposited",
                args={k: str(v).lower() for k, v in entry["args"].items()})
            count += 1
    return count, time.perf_counter() - started


if __name__ == "__main__":
    main()
