import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from apps.agents.models import AgrLedger, ReputationLedger
from apps.agents.rules import jury_weight
from apps.jobs.models import Job, JobReceipt, Vote
from tests.conftest import create_job, submit, vote

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("score, weight", [(0, 1), (1, 2), (3, 2), (4, 3), (15, 4), (16, 5), (10**6, 5)])
def test_jury_weight_formula(score, weight):
    assert jury_weight(score) == weight


def test_vote_weight_comes_from_reputation_at_vote_time(make_wallet, sponsor, worker):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    juror = make_wallet(agent=True, stake_usdc=50, score=9)
    cast = vote(juror, job["id"], sub["id"], review="solid")
    assert (cast["weight"], cast["voter_address"], cast["review"]) == (4, juror.address, "solid")
    assert cast["created_at"].endswith("Z")


def test_voting_again_moves_the_vote(juror, sponsor, worker, make_wallet):
    job = create_job(sponsor)
    first = submit(worker, job["id"])
    second = submit(make_wallet(agent=True, stake_usdc=50), job["id"])
    a = vote(juror, job["id"], first["id"])
    b = vote(juror, job["id"], second["id"])
    assert a["id"] == b["id"] and b["submission_id"] == second["id"]
    assert Vote.objects.filter(job_id=job["id"]).count() == 1
    tallies = juror.client.get(f"/api/v1/jobs/{job['id']}/votes").json()["tallies"]
    assert tallies[0] == {"submission_id": second["id"], "weighted_votes": 5, "voters": 1}
    assert tallies[1] == {"submission_id": first["id"], "weighted_votes": 0, "voters": 0}


def test_vote_gates(make_wallet, sponsor, worker, settings):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    body = {"job_id": job["id"], "submission_id": sub["id"]}
    not_agent = make_wallet(stake_usdc=50, score=5)
    assert not_agent.client.post("/api/v1/votes", body, format="json").json()["code"] == "participant_type_required"
    unstaked = make_wallet(agent=True, score=5)
    assert unstaked.client.post("/api/v1/votes", body, format="json").json()["code"] == "stake_required"
    no_rep = make_wallet(agent=True, stake_usdc=50)
    response = no_rep.client.post("/api/v1/votes", body, format="json")
    assert response.status_code == 403 and response.json()["code"] == "reputation_required"
    settings.AGORA_SERVICE_STAGE = "demo"
    assert no_rep.client.post("/api/v1/votes", body, format="json").status_code == 200


def test_vote_must_name_a_submission_of_that_topic(juror, sponsor, worker):
    job, other = create_job(sponsor), create_job(sponsor)
    foreign = submit(worker, other["id"])
    response = juror.client.post("/api/v1/votes", {"job_id": job["id"], "submission_id": foreign["id"]}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "submission_not_in_job"
    response = juror.client.post("/api/v1/votes", {"job_id": job["id"], "submission_id": str(uuid.uuid4())},
                                 format="json")
    assert response.status_code == 400
    response = juror.client.post("/api/v1/votes", {"job_id": str(uuid.uuid4()), "submission_id": foreign["id"]},
                                 format="json")
    assert response.status_code == 404


def test_tally_orders_by_weight_then_earlier_submission(make_wallet, sponsor):
    job = create_job(sponsor)
    agents = [make_wallet(agent=True, stake_usdc=50) for _ in range(3)]
    subs = [submit(a, job["id"]) for a in agents]
    heavy = make_wallet(agent=True, stake_usdc=50, score=16)   # weight 5
    light = [make_wallet(agent=True, stake_usdc=50, score=1) for _ in range(2)]  # weight 2 each
    vote(heavy, job["id"], subs[2]["id"])
    vote(light[0], job["id"], subs[1]["id"])
    vote(light[1], job["id"], subs[0]["id"])
    tallies = sponsor.client.get(f"/api/v1/jobs/{job['id']}/votes").json()
    assert tallies["job_id"] == job["id"]
    # subs[0] and subs[1] tie at 2: the earlier submission ranks first
    assert [(t["submission_id"], t["weighted_votes"], t["voters"]) for t in tallies["tallies"]] == [
        (subs[2]["id"], 5, 1), (subs[0]["id"], 2, 1), (subs[1]["id"], 2, 1)]


def _close(wallet, job_id, winner_id, **extra):
    return wallet.client.post(f"/api/v1/jobs/{job_id}/close", {"winner_submission_id": winner_id, **extra},
                              format="json")


def test_close_writes_the_whole_receipt_at_once(sponsor, juror, make_wallet, settings):
    job = create_job(sponsor, bounty_usdc=100.000001)
    winner_agent, loser_agent = make_wallet(agent=True, stake_usdc=50), make_wallet(agent=True, stake_usdc=50)
    win, lose = submit(winner_agent, job["id"]), submit(loser_agent, job["id"])
    vote(juror, job["id"], win["id"])
    tx = "0x" + "Ab" * 32
    response = _close(sponsor, job["id"], win["id"], close_tx_hash=tx, close_chain_id=8453,
                      close_contract_address="0x" + "C" * 40, close_block_number=123, close_log_index=4)
    assert response.status_code == 200, response.content
    body = response.json()
    closed = body["job"]
    assert body["winner_submission_id"] == win["id"] == closed["winner_submission_id"]
    assert closed["status"] == "closed" and closed["closed_at"].endswith("Z")
    assert closed["close_tx_hash"] == tx.lower() and closed["close_contract_address"] == "0x" + "c" * 40
    assert (closed["close_chain_id"], closed["close_block_number"], closed["close_log_index"]) == (8453, 123, 4)
    receipt = closed["receipt"]
    assert receipt["winner_submission_id"] == win["id"] and receipt["closed_at"] == closed["closed_at"]
    assert [(r["submission_id"], r["weighted_votes"]) for r in receipt["ranking"]] == [(win["id"], 5), (lose["id"], 0)]
    assert body["voting_summary"]["tallies"][0]["submission_id"] == win["id"]
    assert receipt["policy"]["agent_payout_usdc_pct"] == 70 and receipt["policy"]["agr_mint_per_win"] == 50
    payout = receipt["payout"]
    assert payout["bounty_units"] == 100_000_001
    assert payout["agent_payout_units"] == 70_000_000 and payout["jury_pool_units"] == 5_000_000
    assert payout["platform_fee_units"] == 25_000_001
    assert payout["agent_payout_units"] + payout["jury_pool_units"] + payout["platform_fee_units"] == 100_000_001
    win_rep = sponsor.client.get(f"/api/v1/reputation/{winner_agent.address}").json()
    lose_rep = sponsor.client.get(f"/api/v1/reputation/{loser_agent.address}").json()
    assert (win_rep["wins"], win_rep["losses"], lose_rep["wins"], lose_rep["losses"]) == (1, 0, 0, 1)
    assert "first_win" in win_rep["badges"]
    assert ReputationLedger.objects.filter(job_id=job["id"], kind__in=["win", "loss"]).count() == 2
    agr = sponsor.client.get(f"/api/v1/agr/status?address={winner_agent.address}").json()
    assert agr == {"address": winner_agent.address, "balance": 50, "earned": 50, "spent": 0}
    # the receipt does not follow later policy changes
    settings.AGORA_AGENT_PAYOUT_PCT = 10
    settings.AGORA_AGR_MINT_PER_WIN = 999
    again = sponsor.client.get(f"/api/v1/jobs/{job['id']}").json()
    assert again["receipt"] == receipt and again == closed


def test_close_rules(sponsor, worker, make_wallet):
    job, other = create_job(sponsor), create_job(sponsor)
    sub, foreign = submit(worker, job["id"]), submit(worker, other["id"])
    stranger = make_wallet()
    assert _close(stranger, job["id"], sub["id"]).json()["code"] == "not_sponsor"
    assert _close(stranger, job["id"], sub["id"]).status_code == 403
    response = _close(sponsor, job["id"], foreign["id"])
    assert response.status_code == 400 and response.json()["code"] == "submission_not_in_job"
    assert _close(sponsor, str(uuid.uuid4()), sub["id"]).status_code == 404
    assert _close(sponsor, job["id"], sub["id"], close_tx_hash="0x12").status_code == 400
    assert _close(sponsor, job["id"], sub["id"], close_contract_address="nope").status_code == 400
    assert _close(sponsor, job["id"], sub["id"], close_block_number=-1).status_code == 400
    assert _close(sponsor, job["id"], sub["id"]).status_code == 200
    second = _close(sponsor, job["id"], sub["id"])
    assert second.status_code == 409 and second.json()["code"] == "job_closed"
    assert AgrLedger.objects.filter(job_id=job["id"]).count() == 1


def test_closed_topic_takes_no_submissions_or_votes(sponsor, worker, juror):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    assert _close(sponsor, job["id"], sub["id"]).status_code == 200
    late_sub = worker.client.post("/api/v1/submissions", {"job_id": job["id"], "content": "late"}, format="json")
    late_vote = juror.client.post("/api/v1/votes", {"job_id": job["id"], "submission_id": sub["id"]}, format="json")
    assert (late_sub.status_code, late_vote.status_code) == (409, 409)
    assert late_vote.json()["code"] == "job_closed"


def test_receipt_rows_are_immutable_in_the_database(sponsor, worker):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    _close(sponsor, job["id"], sub["id"])
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        JobReceipt.objects.filter(job_id=job["id"]).update(payout={})
    with pytest.raises(IntegrityError), transaction.atomic():
        JobReceipt.objects.filter(job_id=job["id"]).delete()


def test_receipts_refuse_truncate(sponsor, worker):
    job = create_job(sponsor)
    _close(sponsor, job["id"], submit(worker, job["id"])["id"])
    with pytest.raises(IntegrityError, match="TRUNCATE"), transaction.atomic(), connection.cursor() as cur:
        # test connections allow it (pytest's flush is a TRUNCATE); switch that off as the app runs
        cur.execute("SET LOCAL agora.allow_receipt_truncate = 'off'")
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the close's deferred FK checks would block TRUNCATE
        cur.execute("TRUNCATE jobs_jobreceipt")
    assert Job.objects.get(pk=job["id"]).receipt is not None
