"""Finalize racing a sponsor close, and AGR spends racing each other: real threads, real PostgreSQL."""
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.agents.models import AgrLedger
from apps.agents.selectors import agr_status
from apps.agents.services import agr_credit
from apps.common.errors import ApplicationError
from apps.jobs.boost_services import job_boost
from apps.jobs.final_vote_services import final_vote_cast, job_finalize
from apps.jobs.models import Job, JobBoost, JobReceipt
from apps.jobs.services import job_close
from tests.conftest import create_job, submit
from tests.jobs.test_concurrency import _run_together

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_finalize_racing_a_sponsor_close_leaves_one_winner_and_one_409(sponsor, make_wallet):
    job = create_job(sponsor)
    a = submit(make_wallet(agent=True, stake_usdc=50), job["id"])
    b = submit(make_wallet(agent=True, stake_usdc=50), job["id"])
    voter = make_wallet(agent=True, stake_usdc=50, score=1)
    final_vote_cast(job_id=job["id"], submission_id=b["id"], voter=voter.address)
    Job.objects.filter(pk=job["id"]).update(final_vote_ends_at=timezone.now() - timedelta(seconds=1))
    calls = {"final_vote": lambda: job_finalize(job_id=job["id"], actor=voter.address),
             "sponsor": lambda: job_close(job_id=job["id"], actor=sponsor.address, winner_submission_id=a["id"])}
    order = ["final_vote", "sponsor"]
    results = dict(zip(order, _run_together([calls[name] for name in order]), strict=True))
    failed = {name: r for name, r in results.items() if isinstance(r, Exception)}
    assert len(failed) == 1, results
    (loser, error), = failed.items()
    assert isinstance(error, ApplicationError) and (error.status_code, error.code) == (409, "job_closed")
    winner_method = "sponsor" if loser == "final_vote" else "final_vote"
    receipt = JobReceipt.objects.get(job_id=job["id"])
    assert receipt.close_method == winner_method
    assert str(receipt.winner_submission_id) == (a["id"] if winner_method == "sponsor" else b["id"])
    assert sponsor.client.get(f"/api/v1/jobs/{job['id']}").json()["winner_submission_id"] == str(
        receipt.winner_submission_id)


def test_concurrent_boosts_never_overdraw_the_agr_balance(sponsor, make_wallet):
    jobs = [create_job(sponsor) for _ in range(2)]
    booster = make_wallet()
    agr_credit(address=booster.address, amount=100, reason="test")
    results = _run_together([
        (lambda i=i: job_boost(job_id=jobs[i % 2]["id"], booster=booster.address, amount_agr=30, duration_hours=1))
        for i in range(8)])
    ok = [r for r in results if isinstance(r, JobBoost)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(ok) == 3 and len(refused) == 5, results
    assert {(e.status_code, e.code) for e in refused} == {(409, "insufficient_agr")}
    assert agr_status(address=booster.address) == {"address": booster.address, "balance": 10, "earned": 100,
                                                   "spent": 90}
    assert AgrLedger.objects.filter(address=booster.address, kind="spent").count() == JobBoost.objects.count() == 3
