"""Rate limits are counted in the shared Redis, so two web processes enforce one limit: a client alternating
between them gets its 429 at the same count as a client that only talks to one."""
import pytest
from eth_account import Account

from tests.ops.people import new_ip, session, wait_for_window

pytestmark = pytest.mark.slow


def _served_before_429(stack, webs: list[int], *, method: str, path: str, body=None, limit: int) -> tuple[int, str]:
    http = session(new_ip())
    for n in range(limit + 5):
        response = http.request(method, stack.web_url(webs[n % len(webs)]) + path, json=body, timeout=30)
        if response.status_code == 429:
            return n, response.headers.get("Retry-After", "")
        assert response.status_code < 400, (n, response.status_code, response.text)
    return limit + 5, ""


@pytest.mark.parametrize("method, path, limit_env", [
    # the global per-IP ceiling on /api/ (one pipelined INCR per request, apps/common/api/ratelimit.py)
    ("GET", "/api/v1/jobs", "AGORA_RATE_LIMIT_PER_MIN"),
    # the per-IP sign-in limit (django-ratelimit's counter in the same Redis)
    ("POST", "/api/v1/agents/auth/challenge", "AGORA_AUTH_RATE_LIMIT_PER_MIN"),
])
def test_a_client_alternating_between_web_processes_is_limited_at_the_same_count(stack, method, path, limit_env):
    limit = int(stack.env[limit_env])
    body = {"address": Account.create().address} if method == "POST" else None
    wait_for_window()
    alternating, retry_after = _served_before_429(stack, [0, 1], method=method, path=path, body=body, limit=limit)
    one_web, _ = _served_before_429(stack, [1], method=method, path=path, body=body, limit=limit)
    print(f"{method} {path}: limit {limit}/min; served before the 429: {alternating} alternating between "
          f"web0 and web1, {one_web} on web1 alone; Retry-After {retry_after}s")
    assert alternating == one_web == limit
    assert 1 <= int(retry_after) <= 60
