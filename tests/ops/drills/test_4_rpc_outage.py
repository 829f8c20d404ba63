"""Drill: the chain provider goes down (its port refuses connections) for AGORA_DRILL_RPC_OUTAGE_SECONDS while
the chain moves on. The indexer (beat + workers) backs off instead of hammering it; agora_indexer_lag_seconds
and agora_indexer_consecutive_failures show the outage, and a real Prometheus with the shipped rules has
AgoraIndexerRpcFailing pending (firing after 2 minutes); once the provider is back, every stream catches up
within 10 s and the alert clears."""
import json
import time

import pytest
from django.conf import settings

from tests.ops.chain import StackChain
from tests.ops.drills.drill import Report, seconds
from tests.ops.prometheus import Prometheus
from tests.ops.stack import wait_for

pytestmark = pytest.mark.slow
OUTAGE = seconds("AGORA_DRILL_RPC_OUTAGE_SECONDS", 10)
CATCH_UP = 10  # seconds, from the issue


def _streams(stack) -> dict:
    rows = stack.pg.sql("SELECT name, last_block_number, rpc_errors, consecutive_failures FROM onchain_chainstream")
    return {name: {"cursor": cursor, "errors": sum((errors or {}).values()), "failures": failures}
            for name, cursor, errors, failures in rows}


def test_rpc_outage_backs_off_alerts_and_catches_up(stack):
    report = Report(f"the RPC provider down for {OUTAGE:g} s")
    chain = StackChain(stack)
    payer = chain.accounts[7]
    chain.fund(payer, 10**12)
    wait_for(lambda: all(s["cursor"] == chain.head() and s["failures"] == 0 for s in _streams(stack).values()),
             timeout=60, what="indexer caught up before the drill")
    prometheus = Prometheus(stack, stack.base / "prometheus").start()
    try:
        prometheus.wait_targets_up(2)
        assert prometheus.alerts("AgoraIndexerRpcFailing") == []
        before = _streams(stack)
        stack.rpc.down()
        down_at = time.monotonic()
        report.did("took the RPC provider down: its port refuses connections")
        deposits = 0
        pending_after = None
        while time.monotonic() - down_at < OUTAGE:
            chain.deposit(payer, 10**6)  # the chain moves on without us (straight to anvil)
            chain.mine(3)
            deposits += 1
            if pending_after is None and prometheus.alerts("AgoraIndexerRpcFailing"):
                pending_after = time.monotonic() - down_at
            time.sleep(0.5)
        head = chain.head()
        during = _streams(stack)
        lag = {r["metric"]["stream"]: float(r["value"][1])
               for r in prometheus.query("min by (stream) (agora_indexer_lag_seconds)")}
        failing = prometheus.alerts("AgoraIndexerRpcFailing")
        report.did(f"meanwhile: {deposits} deposits and {4 * deposits} blocks on the chain (head {head})")
        assert pending_after is not None and {a["state"] for a in failing} <= {"pending", "firing"}
        assert {a["labels"]["stream"] for a in failing} == set(during)
        report.checked(f"Prometheus: AgoraIndexerRpcFailing {failing[0]['state']} for all {len(failing)} streams, "
                       f"{pending_after:.1f} s into the outage (it fires after 2 minutes)")
        assert all(value > OUTAGE - 2 * settings.AGORA_INDEX_EVERY_SECONDS for value in lag.values()), lag
        report.checked(f"agora_indexer_lag_seconds near the end: "
                       f"{json.dumps({k: round(v, 1) for k, v in sorted(lag.items())})}")
        probes = {name: during[name]["errors"] - before[name]["errors"] for name in during}
        ticks = OUTAGE / settings.AGORA_INDEX_EVERY_SECONDS
        # backing off: a failing stream is probed at most once per beat tick (retry delay 1, 2, 4 s, capped at
        # 4 s < the 5 s tick), never in a tight loop
        assert all(1 <= count <= ticks + 2 for count in probes.values()), probes
        report.checked(f"backed off: failed probes per stream {probes} over {OUTAGE:g} s (at most one per "
                       f"{settings.AGORA_INDEX_EVERY_SECONDS:g} s beat tick; consecutive failures "
                       f"{ {n: s['failures'] for n, s in during.items()} })")

        stack.rpc.up()
        up_at = time.monotonic()
        report.did("brought the RPC provider back")
        wait_for(lambda: all(s["cursor"] == head for s in _streams(stack).values()), timeout=60, every=0.2,
                 what=f"caught up to {head}")
        caught_up = time.monotonic() - up_at
        assert caught_up <= CATCH_UP, f"caught up {caught_up:.1f} s after the recovery"
        report.checked(f"every stream caught up to block {head} {caught_up:.1f} s after the recovery "
                       f"(limit {CATCH_UP} s)")
        assert stack.pg.sql("SELECT count(*) FROM onchain_chainevent WHERE name = 'Deposited' AND "
                            "addresses LIKE %s", [f"%{payer.address.lower()}%"]) == [(deposits,)]
        report.checked(f"all {deposits} deposits made during the outage are indexed")
        wait_for(lambda: prometheus.alerts("AgoraIndexerRpcFailing") == [], timeout=30, what="the alert clears")
        report.checked(f"AgoraIndexerRpcFailing cleared {time.monotonic() - up_at:.1f} s after the recovery")
    finally:
        if not stack.rpc.listening:
            stack.rpc.up()  # leave the stack whole for the next drill
        prometheus.stop()
