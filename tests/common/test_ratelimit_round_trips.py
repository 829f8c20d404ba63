"""A bearer write pays one Redis round trip for the global and the per-address limits together, and
nothing escapes the global ceiling for it (apps/common/api/ratelimit.py)."""
import pytest

from apps.auth.models import AuthChallenge
from apps.common.api import ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_trips(monkeypatch):
    calls = []
    real = ratelimit._count_hits

    def counting(keys):
        calls.append(list(keys))
        return real(keys)

    monkeypatch.setattr(ratelimit, "_count_hits", counting)
    return calls


def _job_body():
    return {"title": "t", "prompt": "p", "bounty_usdc": 1}


def test_a_bearer_write_counts_both_limits_in_one_round_trip(make_wallet, round_trips):
    wallet = make_wallet()
    assert wallet.client.post("/api/v1/jobs", _job_body(), format="json").status_code == 201
    assert len(round_trips) == 1 and [k.split(":")[1] for k in round_trips[0]] == ["global-ip", "write-address"]


def test_reads_still_count_the_global_ceiling_before_the_view(api, round_trips):
    assert api.get("/api/v1/jobs").status_code == 200
    assert [[k.split(":")[1] for k in keys] for keys in round_trips] == [["global-ip"]]


def test_the_global_ceiling_still_refuses_bearer_writes(make_wallet, settings):
    settings.AGORA_RATE_LIMIT_PER_MIN = 2
    wallet = make_wallet()
    codes = [wallet.client.post("/api/v1/jobs", _job_body(), format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    limited = wallet.client.post("/api/v1/jobs", _job_body(), format="json")
    assert limited.json()["code"] == "rate_limited" and 1 <= int(limited["Retry-After"]) <= 60


def test_writes_refused_before_their_limit_still_count_against_the_ceiling(api, settings, round_trips):
    # A bad token never reaches enforce_write_address: the middleware counts the hit afterwards.
    settings.AGORA_RATE_LIMIT_PER_MIN = 2
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    codes = [api.post("/api/v1/votes", {}, format="json").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert all(len(keys) == 1 for keys in round_trips)


def test_bearer_writes_to_unmarked_views_are_counted_before_the_view_runs(api, settings):
    # The challenge endpoint doesn't count a write limit, so its global hit can't wait: the third call
    # is refused before the view creates a challenge.
    settings.AGORA_RATE_LIMIT_PER_MIN = 2
    api.credentials(HTTP_AUTHORIZATION="Bearer whatever")
    body = {"address": "0x" + "2" * 40}
    codes = [api.post("/api/v1/agents/auth/challenge", body, format="json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert AuthChallenge.objects.filter(address="0x" + "2" * 40).count() == 2
