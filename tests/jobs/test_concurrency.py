"""Real threads, each with its own PostgreSQL connection, against committed data."""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from apps.agents.models import Reputation, ReputationLedger
from apps.agents.rules import jury_weight
from apps.common.errors import ApplicationError
from apps.jobs.models import JobReceipt, Submission, Vote
from apps.jobs.selectors import vote_tally, vote_tally_recount
from apps.jobs.services import job_close, submission_create, vote_cast
from tests.conftest import create_job, submit

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(fns):
    """Start every callable at the same moment; return each one's result or exception."""
    barrier = threading.Barrier(len(fns))

    def wrap(fn):
        barrier.wait()
        try:
            return fn()
        except Exception as exc:  # collected and asserted by the caller
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(fns)) as pool:
        return list(pool.map(wrap, fns))


def test_two_concurrent_closes_leave_one_winner_and_one_409(sponsor, make_wallet):
    job = create_job(sponsor)
    a = submit(make_wallet(agent=True, stake_usdc=50), job["id"])
    b = submit(make_wallet(agent=True, stake_usdc=50), job["id"])
    results = _run_together([
        lambda: job_close(job_id=job["id"], actor=sponsor.address, winner_submission_id=a["id"]),
        lambda: job_close(job_id=job["id"], actor=sponsor.address, winner_submission_id=b["id"]),
    ])
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], ApplicationError) and errors[0].status_code == 409
    receipt = JobReceipt.objects.get(job_id=job["id"])
    winner = next(r for r in results if not isinstance(r, Exception)).winner_submission_id
    assert receipt.winner_submission_id == winner
    detail = sponsor.client.get(f"/api/v1/jobs/{job['id']}").json()
    assert detail["winner_submission_id"] == str(winner)


def test_fifty_concurrent_voters_tally_exactly_the_sum_of_their_weights(sponsor, make_wallet):
    job = create_job(sponsor)
    subs = [submit(make_wallet(agent=True, stake_usdc=50), job["id"]) for _ in range(3)]
    voters = [make_wallet(agent=True, stake_usdc=50, score=i + 1) for i in range(50)]
    plan = [(v, subs[i % 3]["id"]) for i, v in enumerate(voters)]
    results = _run_together([
        (lambda v=v, s=s: vote_cast(job_id=job["id"], submission_id=s, voter=v.address)) for v, s in plan
    ])
    assert not [r for r in results if isinstance(r, Exception)]
    expected = {}
    for i, (_, sid) in enumerate(plan):
        expected[sid] = expected.get(sid, 0) + jury_weight(i + 1)
    tallies = sponsor.client.get(f"/api/v1/jobs/{job['id']}/votes").json()["tallies"]
    assert {t["submission_id"]: t["weighted_votes"] for t in tallies} == expected
    assert sum(t["voters"] for t in tallies) == 50
    assert vote_tally(job_id=job["id"]) == vote_tally_recount(job_id=job["id"])


def test_a_voter_moving_their_vote_concurrently_never_leaves_two(sponsor, make_wallet):
    job = create_job(sponsor)
    subs = [submit(make_wallet(agent=True, stake_usdc=50), job["id"]) for _ in range(4)]
    voter = make_wallet(agent=True, stake_usdc=50, score=4)
    _run_together([
        (lambda s=s: vote_cast(job_id=job["id"], submission_id=s["id"], voter=voter.address)) for s in subs * 5
    ])
    votes = list(Vote.objects.filter(job_id=job["id"]))
    assert len(votes) == 1 and votes[0].weight == 3
    tallies = sponsor.client.get(f"/api/v1/jobs/{job['id']}/votes").json()["tallies"]
    assert sum(t["voters"] for t in tallies) == 1 and sum(t["weighted_votes"] for t in tallies) == 3
    assert vote_tally(job_id=job["id"]) == vote_tally_recount(job_id=job["id"])


def test_votes_racing_a_close_either_land_in_the_receipt_or_get_409(sponsor, make_wallet):
    job = create_job(sponsor)
    sub = submit(make_wallet(agent=True, stake_usdc=50), job["id"])
    voters = [make_wallet(agent=True, stake_usdc=50, score=1) for _ in range(12)]
    calls = [(lambda v=v: vote_cast(job_id=job["id"], submission_id=sub["id"], voter=v.address)) for v in voters]
    calls.insert(6, lambda: job_close(job_id=job["id"], actor=sponsor.address, winner_submission_id=sub["id"]))
    results = _run_together(calls)
    landed = Vote.objects.filter(job_id=job["id"]).count()
    rejected = [r for r in results if isinstance(r, ApplicationError) and r.status_code == 409]
    assert landed + len(rejected) == 12
    receipt = JobReceipt.objects.get(job_id=job["id"])
    assert receipt.ranking[0]["voters"] == landed  # nothing counted after the close froze the ranking
    assert receipt.ranking == vote_tally_recount(job_id=job["id"])
    assert connection.vendor == "postgresql"


def test_racing_first_submissions_by_one_agent_earn_one_point(sponsor, make_wallet):
    job = create_job(sponsor)
    agent = make_wallet(agent=True, stake_usdc=50)
    results = _run_together([
        (lambda n=n: submission_create(job_id=job["id"], agent=agent.address, content=f"copy {n}", evidence=[]))
        for n in range(8)
    ])
    assert not [r for r in results if isinstance(r, Exception)]
    assert Submission.objects.filter(job_id=job["id"], agent_address=agent.address).count() == 8
    assert ReputationLedger.objects.filter(address=agent.address, kind="submission").count() == 1
    assert Reputation.objects.get(address=agent.address).score == 1
