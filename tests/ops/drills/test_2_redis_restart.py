"""Drill: Redis dies (SIGKILL) for AGORA_DRILL_REDIS_OUTAGE_SECONDS and comes back empty. As documented
(docs/monitoring.md, Readiness): /readyz stays 200 ("degraded", Redis named), rate limits fail open, each
skipped check is logged (`ratelimit_cache_unavailable`) and counted (`agora_ratelimit_fail_open_total`), writes
still succeed; once Redis is back the limits hold again and the workers take tasks again."""
import json
import signal
import time

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.ops.chain import StackChain
from tests.ops.drills.drill import Report, seconds
from tests.ops.people import new_ip, person, session, wait_for_window
from tests.ops.stack import wait_for

pytestmark = pytest.mark.slow
OUTAGE = seconds("AGORA_DRILL_REDIS_OUTAGE_SECONDS", 3)


def fail_open_count(stack, web: int) -> float:
    text = requests.get(stack.web_url(web) + "/metrics", timeout=10).text
    return sum(sample.value for family in text_string_to_metric_families(text)
               if family.name == "agora_ratelimit_fail_open" for sample in family.samples
               if sample.name.endswith("_total") and sample.labels.get("group") == "global-ip")


def served_before_429(http, url: str, limit: int) -> int:
    for n in range(limit + 5):
        if http.get(url, timeout=30).status_code == 429:
            return n
    return limit + 5


def test_redis_restart_fails_open_as_documented(stack):
    report = Report(f"Redis killed and restarted empty ({OUTAGE:g} s down)")
    limit = int(stack.env["AGORA_RATE_LIMIT_PER_MIN"])
    sponsor = person(stack, 0)
    sponsor.authenticate()
    before = fail_open_count(stack, 0)
    log_offset = len(stack.services["web0"].log())
    down_at = time.monotonic()
    stack.redis().stop(signal.SIGKILL)
    report.did("killed redis-server (SIGKILL; it keeps nothing on disk, so it comes back empty)")

    for web in (0, 1):
        ready = requests.get(stack.web_url(web) + "/readyz", timeout=10)
        body = ready.json()
        assert ready.status_code == 200 and body["status"] == "degraded", body
        assert body["checks"]["database"] == "ok" and body["checks"]["redis"].startswith("failed")
    report.checked("/readyz on both web processes: 200, status `degraded`, the redis check named as failed "
                   "(the nodes stay in the proxy)")
    http = session(new_ip())
    statuses = [http.get(stack.web_url(0) + "/api/v1/jobs", timeout=30).status_code for _ in range(limit + 5)]
    assert statuses == [200] * (limit + 5)
    report.checked(f"one client sent {limit + 5} requests to web0, over its {limit}/min limit: all served (fail-open)")
    created = sponsor.create_job(title="during a Redis outage", prompt="p", bounty_usdc="2")
    report.checked(f"a write still succeeds (topic {created['id']}), its per-address limit failing open too")
    counted = fail_open_count(stack, 0) - before
    assert counted == limit + 5 + 1  # the client's requests and the sponsor's write, each skipped the global limit
    logged = [line for line in stack.services["web0"].log()[log_offset:].splitlines()
              if '"ratelimit_cache_unavailable"' in line]
    assert len(logged) >= limit + 5 and json.loads(logged[0])["level"] == "warning"
    report.checked(f"agora_ratelimit_fail_open_total{{group=\"global-ip\"}} on web0 rose by {counted:g}; web0 logged "
                   f"{len(logged)} `ratelimit_cache_unavailable` warnings")

    time.sleep(max(0.0, OUTAGE - (time.monotonic() - down_at)))
    stack.start_redis()
    report.did(f"started redis-server again after {time.monotonic() - down_at:.1f} s")
    wait_for(lambda: all(requests.get(stack.web_url(w) + "/readyz", timeout=5).json()["status"] == "ok"
                         for w in (0, 1)), timeout=30, what="readyz ok")
    report.checked("/readyz back to `ok` on both web processes")
    wait_for_window()
    alternating = session(new_ip())
    served = served_before_429(alternating, stack.web_url(0) + "/api/v1/jobs", limit)
    assert served == limit
    report.checked(f"limits hold again: a fresh client got its 429 after exactly {served} requests")
    chain = StackChain(stack)
    chain.mine(1)
    head = chain.head()
    wait_for(lambda: stack.pg.sql("SELECT min(last_block_number) FROM onchain_chainstream") == [(head,)], timeout=60,
             what="beat and a worker index again")
    report.checked(f"beat and the workers reconnected to the broker: the indexer reached the new block {head}")
