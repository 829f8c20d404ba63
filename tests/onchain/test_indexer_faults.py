"""Provider faults, SIGKILL mid-batch, and two workers at once."""
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections

from apps.agents.models import OnchainStake
from apps.common.rpc import JsonRpc
from apps.onchain.devharness import Harness, bulk_deposits
from apps.onchain.indexer import index_step, run_until_idle
from apps.onchain.models import ChainEvent, ChainStream, StakeLedger

from .faulty_rpc import FaultyRpc

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chain(settings):
    settings.AGORA_ONCHAIN_CONFIRMATIONS = 0
    settings.AGORA_ONCHAIN_BACKOFF_BASE_SECONDS = 0.05
    settings.AGORA_ONCHAIN_BACKOFF_CAP_SECONDS = 0.2
    harness = Harness(settings)
    yield harness
    harness.stop()


def _stakes() -> dict:
    return {row.address: int(row.staked_units) for row in OnchainStake.objects.all()}


def _chain_stakes(chain, addresses) -> dict:
    from web3 import Web3

    return {a: chain.stake.functions.stakeOf(Web3.to_checksum_address(a)).call() for a in addresses}


def _index_until_done(chain, rpc, *, rounds=200):
    for _ in range(rounds):
        chain.index(rpc)
        streams = list(ChainStream.objects.all())
        if all(s.last_block_number == chain.head() and s.retry_at is None for s in streams):
            return
        time.sleep(0.05)
    raise AssertionError("the indexer did not catch up")


@pytest.mark.django_db
def test_provider_faults_narrow_the_range_recover_and_widen_again(chain, settings):
    settings.AGORA_ONCHAIN_START_RANGE = 64
    expected = bulk_deposits(chain, agents=20, per_agent=3, per_block=2)
    ChainStream.objects.update(range_size=64)
    proxy = FaultyRpc(chain.rpc_url, ["range_hint", "range", "too_many", "429", "timeout", "twice", None, "twice",
                                      None, None, "stale", None, "stale"])
    try:
        _index_until_done(chain, JsonRpc(proxy.url, timeout=0.5))
    finally:
        proxy.close()
    streams = list(ChainStream.objects.all())  # the faults land on whichever stream asks next
    seen = set().union(*(s.rpc_errors for s in streams))
    assert seen >= {"too_many_results", "range_too_large", "rate_limited", "timeout", "inconsistent"}
    assert min(proxy.get_logs_ranges) <= 2  # it narrowed to the provider's hint ...
    narrowed = [s for s in streams if "too_many_results" in s.rpc_errors or "range_too_large" in s.rpc_errors]
    assert all(s.range_size > 2 for s in narrowed)  # ... and grew back after clean calls
    assert _stakes() == expected == _chain_stakes(chain, expected)
    assert StakeLedger.objects.count() == ChainEvent.objects.filter(name="Deposited").count() == 60


@pytest.mark.django_db
def test_a_failing_provider_is_not_busy_looped(chain, settings):
    # a backoff long enough that 20 steps on a loaded machine all fall inside it
    settings.AGORA_ONCHAIN_BACKOFF_BASE_SECONDS = settings.AGORA_ONCHAIN_BACKOFF_CAP_SECONDS = 30
    proxy = FaultyRpc(chain.rpc_url, [], always="429")
    chain.mine(3)
    try:
        rpc = JsonRpc(proxy.url, timeout=1)
        stream = chain.stream("stake_vault")
        first = index_step(stream.id, rpc=rpc)
        calls_after_first = proxy.requests
        later = [index_step(stream.id, rpc=rpc) for _ in range(20)]
    finally:
        proxy.close()
    assert first.status == "rpc_error"
    assert {r.status for r in later} == {"backoff"}
    assert proxy.requests == calls_after_first  # no RPC traffic while backing off
    stream.refresh_from_db()
    assert stream.retry_at is not None and stream.consecutive_failures == 1


@pytest.mark.django_db(transaction=True)
def test_sigkill_mid_batch_many_times_then_finish_equals_a_clean_run(chain, settings):
    expected = bulk_deposits(chain, agents=40, per_agent=5, per_block=4)
    ChainStream.objects.update(range_size=2)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "agora.settings.test", "AGORA_RPC_URL": chain.rpc_url,
           "DATABASE_URL": _database_url(), "AGORA_ONCHAIN_CONFIRMATIONS": "0", "AGORA_ONCHAIN_START_RANGE": "2",
           "AGORA_ONCHAIN_MAX_RANGE": "2"}
    rng = random.Random(20261121)
    kills = 0
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, "manage.py", "run_indexer"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.8, 2.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=30)
    _terminate_other_backends()
    final = subprocess.run([sys.executable, "manage.py", "run_indexer"], cwd=ROOT, env=env, capture_output=True,
                           text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-2000:]
    assert kills >= 5
    killed_run = (sorted(ChainEvent.objects.values_list("id", flat=True)), _stakes())
    assert len(killed_run[0]) == len(set(killed_run[0]))
    assert ChainEvent.objects.filter(name="Deposited").count() == 200 == StakeLedger.objects.count()
    assert killed_run[1] == expected == _chain_stakes(chain, expected)
    # a clean single run from scratch gives exactly the same state
    for stream in ChainStream.objects.all():
        from apps.onchain.services import stream_cursor_reset

        stream_cursor_reset(stream_id=stream.id, to_block=stream.start_block, actor="test")
    assert ChainEvent.objects.count() == 0 and all(v == 0 for v in _stakes().values())
    chain.index()
    assert (sorted(ChainEvent.objects.values_list("id", flat=True)), _stakes()) == killed_run


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_end_like_one(chain):
    expected = bulk_deposits(chain, agents=25, per_agent=4, per_block=3)
    ChainStream.objects.update(range_size=3)
    ids = [s.id for s in chain.streams]

    def worker():
        try:
            for _ in range(3):  # a worker that found a stream locked comes back later, as beat would
                run_until_idle(stream_ids=ids, rpc=JsonRpc(chain.rpc_url))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    chain.index()
    assert ChainEvent.objects.filter(name="Deposited").count() == 100 == StakeLedger.objects.count()
    assert _stakes() == expected
    stream = chain.stream("stake_vault")
    assert stream.events_ingested == ChainEvent.objects.filter(stream=stream).count()  # once, not per worker


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _terminate_other_backends():
    with connection.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()")
