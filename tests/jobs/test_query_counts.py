"""List endpoints must not issue more queries as rows grow (no N+1)."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import create_job, submit, vote

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _close(sponsor, job_id, sub_id):
    sponsor.client.post(f"/api/v1/jobs/{job_id}/close", {"winner_submission_id": sub_id}, format="json")


@pytest.mark.parametrize("url", [
    "/api/v1/jobs?status=all&limit=200", "/api/v1/agent/bootstrap?status=all&limit=200",
    "/api/v1/reputation/leaderboard?limit=200",
])
def test_topic_lists_are_constant_in_queries(api, sponsor, worker, juror, url):
    def grow(n):
        for _ in range(n):
            job = create_job(sponsor)
            sub = submit(worker, job["id"])
            vote(juror, job["id"], sub["id"])
            _close(sponsor, job["id"], sub["id"])
    grow(2)
    small = _queries(api, url)
    grow(8)
    assert _queries(api, url) == small


def test_submissions_votes_and_profiles_are_constant_in_queries(api, sponsor, make_wallet):
    job = create_job(sponsor)
    wallets = [make_wallet(agent=True, stake_usdc=50, score=2) for _ in range(12)]
    target = submit(make_wallet(agent=True, stake_usdc=50), job["id"])["id"]  # nobody votes for their own
    for w in wallets[:2]:
        submit(w, job["id"])
        vote(w, job["id"], target)
    counts = [_queries(api, f"/api/v1/jobs/{job['id']}/submissions"), _queries(api, f"/api/v1/jobs/{job['id']}/votes"),
              _queries(api, "/api/v1/profiles?addresses=" + ",".join(w.address for w in wallets[:2]))]
    for w in wallets[2:]:
        submit(w, job["id"])
        vote(w, job["id"], target)
    assert counts == [_queries(api, f"/api/v1/jobs/{job['id']}/submissions"),
                      _queries(api, f"/api/v1/jobs/{job['id']}/votes"),
                      _queries(api, "/api/v1/profiles?addresses=" + ",".join(w.address for w in wallets))]
