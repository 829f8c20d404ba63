"""Drill: PostgreSQL crashes (immediate stop, no checkpoint) under write load through both web processes, stays
down for AGORA_DRILL_PG_OUTAGE_SECONDS, and comes back. /readyz answers 503 naming the database while it is
down and 200 after; writes meanwhile answer 503 with Retry-After; every acknowledged write is there afterwards,
nothing is half-written, and the workers and beat carry on by themselves."""
import threading
import time
from collections import Counter

import pytest
import requests

from agora_sdk.errors import AgoraError
from tests.ops.chain import StackChain
from tests.ops.drills.drill import Report, seconds
from tests.ops.people import person
from tests.ops.stack import wait_for

pytestmark = pytest.mark.slow
OUTAGE = seconds("AGORA_DRILL_PG_OUTAGE_SECONDS", 3)
TAGS = ["drill", "postgres"]


def test_postgres_restart_under_write_load(stack):
    report = Report(f"PostgreSQL crash and restart under write load ({OUTAGE:g} s down)")
    sponsors = [person(stack, i % 2) for i in range(8)]
    for sponsor in sponsors:
        sponsor.authenticate()
    acked, failures, readiness = [], Counter(), []
    stop = threading.Event()

    def write(sponsor):  # one write every 0.6 s at most: under the stack's 120/min per-IP ceiling
        while not stop.wait(0.6):
            try:
                acked.append((time.monotonic(), sponsor.create_job(title="drill", prompt="p", bounty_usdc="1.5",
                                                                   tags=TAGS)["id"]))
            except AgoraError as exc:
                failures[f"{exc.status} {exc.code}"] += 1
            except requests.RequestException as exc:
                failures[type(exc).__name__] += 1

    def probe():
        while not stop.is_set():
            for web in (0, 1):
                try:
                    response = requests.get(stack.web_url(web) + "/readyz", timeout=5)
                    readiness.append((time.monotonic(), web, response.status_code, response.json()["checks"]))
                except requests.RequestException as exc:
                    readiness.append((time.monotonic(), web, type(exc).__name__, {}))
            time.sleep(0.2)

    threads = [threading.Thread(target=write, args=(s,), daemon=True) for s in sponsors]
    threads.append(threading.Thread(target=probe, daemon=True))
    for thread in threads:
        thread.start()
    wait_for(lambda: len(acked) >= 8, timeout=60, what="writes flowing")
    report.did(f"8 sponsors creating topics through web0 and web1; {len(acked)} acknowledged so far")
    down_at = time.monotonic()
    stack.pg.stop("immediate")
    report.did("stopped PostgreSQL with `pg_ctl stop -m immediate` (a crash: the restart replays the WAL)")
    time.sleep(OUTAGE)
    starting_at = time.monotonic()
    stack.pg.start()
    up_at = time.monotonic()
    report.did(f"started it again after {up_at - down_at:.1f} s")
    count_at_up = len(acked)
    wait_for(lambda: len([a for a in acked if a[0] > up_at]) >= 8, timeout=60, what="writes flowing again")
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    during = [r for r in readiness if down_at + 0.5 < r[0] < starting_at]
    after = [r for r in readiness if r[0] > up_at]
    assert during and all(status == 503 and checks["database"].startswith("failed") for _t, _w, status, checks
                          in during), during
    assert {web for _t, web, *_ in during} == {0, 1}
    ready_again = {web: min(t for t, w, status, _c in after if w == web and status == 200) - up_at for web in (0, 1)}
    assert all(status == 200 for t, w, status, _c in after if t > up_at + max(ready_again.values()))
    report.checked(f"/readyz: 503 naming the database on both web processes while it was down ({len(during)} "
                   f"probes); 200 again {ready_again[0]:.1f} s (web0) and {ready_again[1]:.1f} s (web1) after the "
                   "start")
    assert set(failures) <= {"503 database_unavailable"}, failures
    report.checked(f"writes during the outage: {dict(failures) or 'none failed'} (503 with Retry-After, never a "
                   f"500); {len(acked) - count_at_up} acknowledged after the restart")

    ids = {topic for _t, topic in acked}
    stored = {str(row[0]) for row in stack.pg.sql("SELECT id FROM jobs_job WHERE id = ANY(%s::uuid[])", [list(ids)])}
    assert stored == ids
    report.checked(f"all {len(ids)} acknowledged topics are in the database")
    # every topic these sponsors created (acknowledged or not) was written whole: its tags and its created event
    partial = stack.pg.sql(
        "SELECT j.id FROM jobs_job j WHERE j.sponsor_address = ANY(%s) AND ("
        " (SELECT count(*) FROM jobs_jobtag t WHERE t.job_id = j.id) <> %s OR"
        " (SELECT count(*) FROM jobs_jobevent e WHERE e.job_id = j.id AND e.kind = 'created') <> 1)",
        [[s.address for s in sponsors], len(TAGS)])
    addresses = [s.address for s in sponsors]
    total = stack.pg.sql("SELECT count(*) FROM jobs_job WHERE sponsor_address = ANY(%s)", [addresses])
    assert partial == []
    report.checked(f"nothing half-written: each of the {total[0][0]} topics written has its {len(TAGS)} tag rows and "
                   "its `created` event")

    chain = StackChain(stack)
    chain.mine(1)
    head = chain.head()
    wait_for(lambda: stack.pg.sql("SELECT min(last_block_number) FROM onchain_chainstream") == [(head,)], timeout=60,
             what="beat and a worker index again")
    report.checked(f"beat and the workers reconnected by themselves: the indexer reached the new block {head}")
