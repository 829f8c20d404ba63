"""Two Celery workers (fed index_streams as fast as beat could) and a dedicated `run_indexer --loop` all index
the same streams at once. Each step holds its stream's row lock (FOR UPDATE SKIP LOCKED) from the first RPC
call to the commit, so no step of a stream ever overlaps another: the RPC proxy holds every eth_getLogs for
a while, so an overlap, if the lock failed, would be caught in flight."""
import re
import signal
import threading
import time
from collections import defaultdict

import pytest

from tests.ops.chain import StackChain, broker
from tests.ops.stack import Service, wait_for

pytestmark = pytest.mark.slow


def _streams(stack) -> dict[str, tuple]:
    rows = stack.pg.sql("SELECT name, contract_address, last_block_number, events_ingested, rpc_errors "
                        "FROM onchain_chainstream")
    return {name: (address, cursor, events, errors) for name, address, cursor, events, errors in rows}


def test_an_indexer_step_never_runs_twice_at_once(stack):
    chain = StackChain(stack)
    wait_for(lambda: len(_streams(stack)) == 3, timeout=30, what="beat created the streams")
    payers = chain.accounts[4:7]
    for account in payers:
        chain.fund(account, 10**12)
    worker_logs = {name: len(stack.services[name].log()) for name in ("worker1", "worker2")}
    indexer = Service("run_indexer", ["python", "manage.py", "run_indexer", "--loop", "--interval", "0.2"],
                      env=stack.env, logs=stack.logs).start()
    celery = broker(stack)
    stop_feeding = threading.Event()

    def feed():  # what beat sends, many times faster
        while not stop_feeding.wait(0.25):
            celery.send_task("apps.onchain.tasks.index_streams", expires=5)

    feeder = threading.Thread(target=feed, daemon=True)
    try:
        def stepping():  # new blocks until the indexer (not a beat-fed worker) indexes one: it is up, now race
            chain.mine(1)
            return re.search(r": blocks \d+-\d+", indexer.log())
        wait_for(stepping, timeout=90, every=0.3, what="run_indexer stepping")
        stack.rpc.get_logs_delay = 0.1
        first_call = len(stack.rpc.calls)
        started = time.monotonic()
        feeder.start()
        for round_ in range(12):  # deposits and donations spread over ~100 blocks, several per range
            for account in payers:
                chain.deposit(account, 10**6 + round_)
            chain.donate(payers[round_ % 3], 10**6)
            chain.mine(4)
        head = chain.head()
        wait_for(lambda: all(cursor == head for _a, cursor, _e, _r in _streams(stack).values()), timeout=120,
                 every=0.25, what=f"every stream indexed to block {head}")
    finally:
        stop_feeding.set()
        indexer.stop(signal.SIGTERM)  # finishes its step, then exits
        stack.rpc.get_logs_delay = 0.0
    took = time.monotonic() - started

    calls = defaultdict(list)
    for call in stack.rpc.calls[first_call:]:
        calls[call.address].append(call)
    streams = _streams(stack)
    steps = {"run_indexer": len(re.findall(r": blocks \d+-\d+", indexer.log()))}
    for name, offset in worker_logs.items():
        log = stack.services[name].log()[offset:]
        succeeded = re.findall(r"index_streams\[[^]]+\] succeeded in [\d.]+s: (\[.*\])", log)
        steps[name] = sum(text.count("'advanced'") for text in succeeded)
    print(f"indexed to block {head} in {took:.1f}s; eth_getLogs per stream: "
          f"{ {name: len(calls[address]) for name, (address, *_r) in streams.items()} }; steps won: {steps}")
    for name, (address, _cursor, _events, errors) in streams.items():
        mine = sorted(calls[address], key=lambda c: c.started)
        assert mine, f"{name}: no eth_getLogs during the race"
        for before, after in zip(mine, mine[1:], strict=False):
            # one at a time, and each range once: the next step starts where the last one ended
            assert after.started >= before.finished, f"{name}: two steps in flight at once: {before} {after}"
            assert after.from_block == before.to_block + 1, f"{name}: range fetched twice or skipped: {before} {after}"
        assert mine[-1].to_block == head
        assert not errors, f"{name}: step errors {errors}"  # a double insert would have been an 'internal' error
    assert streams["stake_vault"][2] == chain.logs(streams["stake_vault"][0])  # every event once, none twice
    assert streams["treasury_vault"][2] == chain.logs(streams["treasury_vault"][0])
    # a real race: each of the three indexers won steps
    assert all(count > 0 for count in steps.values()), steps
