"""The final vote: window, casting, tallies, finalize through the same close as the sponsor's."""
import importlib
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.agents.models import AgrLedger, ReputationLedger
from apps.jobs.models import FinalVote, Job, JobEvent, JobReceipt
from apps.onchain.anchoring import anchor_build, result_record
from tests.conftest import create_job, submit, vote

pytestmark = pytest.mark.django_db


def _final(wallet, job_id, submission_id):
    return wallet.client.post("/api/v1/final_votes", {"job_id": job_id, "submission_id": submission_id},
                              format="json")


def _end_window(job_id):
    """As if the window had run out (tests can't wait a day)."""
    Job.objects.filter(pk=job_id).update(final_vote_ends_at=timezone.now() - timedelta(seconds=1))


def _finalize(wallet, job_id):
    return wallet.client.post(f"/api/v1/jobs/{job_id}/finalize", format="json")


def _parse(value):
    return timezone.datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_the_window_opens_at_creation_with_the_default_or_the_given_length(sponsor, settings):
    job = create_job(sponsor)
    starts, ends = _parse(job["final_vote_starts_at"]), _parse(job["final_vote_ends_at"])
    assert job["final_vote_starts_at"].endswith("Z") and ends - starts == timedelta(seconds=86_400)
    assert abs(_parse(job["created_at"]) - starts) < timedelta(seconds=1)
    short = create_job(sponsor, final_vote_window_seconds=60)
    assert _parse(short["final_vote_ends_at"]) - _parse(short["final_vote_starts_at"]) == timedelta(seconds=60)
    month = create_job(sponsor, final_vote_window_seconds=30 * 86_400)
    assert _parse(month["final_vote_ends_at"]) - _parse(month["final_vote_starts_at"]) == timedelta(days=30)
    settings.AGORA_FINAL_VOTE_WINDOW_SECONDS = 3600
    hour = create_job(sponsor)
    assert _parse(hour["final_vote_ends_at"]) - _parse(hour["final_vote_starts_at"]) == timedelta(hours=1)
    assert (hour["featured_until"], hour["featured_score"]) == (None, 0)


@pytest.mark.parametrize("window", [59, 30 * 86_400 + 1, "600", 600.5, True, -1])
def test_a_window_outside_60s_to_30_days_is_a_400(sponsor, window):
    response = sponsor.client.post("/api/v1/jobs", {"title": "t", "prompt": "p", "bounty_usdc": 1,
                                                    "final_vote_window_seconds": window}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("final_vote_window_seconds")
    assert Job.objects.count() == 0


def test_casting_moving_and_the_tally_order(sponsor, make_wallet):
    job = create_job(sponsor)
    authors = [make_wallet(agent=True, stake_usdc=50) for _ in range(3)]
    subs = [submit(a, job["id"]) for a in authors]
    voters = [make_wallet(agent=True, stake_usdc=50, score=1) for _ in range(4)]
    first = _final(voters[0], job["id"], subs[0]["id"])
    assert first.status_code == 200, first.content
    cast = first.json()["vote"]
    assert set(cast) == {"id", "job_id", "submission_id", "voter_address", "created_at"}
    assert (cast["job_id"], cast["submission_id"], cast["voter_address"]) == (job["id"], subs[0]["id"],
                                                                              voters[0].address)
    moved = _final(voters[0], job["id"], subs[2]["id"]).json()["vote"]
    assert (moved["id"], moved["created_at"], moved["submission_id"]) == (cast["id"], cast["created_at"], subs[2]["id"])
    assert FinalVote.objects.filter(job_id=job["id"]).count() == 1
    _final(voters[1], job["id"], subs[1]["id"])
    _final(voters[2], job["id"], subs[1]["id"])
    _final(voters[3], job["id"], subs[0]["id"])
    body = sponsor.client.get(f"/api/v1/jobs/{job['id']}/final_votes").json()
    assert body["job_id"] == job["id"]
    # 2 votes first; subs[0] and subs[2] tie at 1: the earlier submission ranks first
    assert body["tallies"] == [{"submission_id": subs[1]["id"], "votes": 2, "voters": 2},
                               {"submission_id": subs[0]["id"], "votes": 1, "voters": 1},
                               {"submission_id": subs[2]["id"], "votes": 1, "voters": 1}]
    assert sponsor.client.get(f"/api/v1/jobs/{uuid.uuid4()}/final_votes").status_code == 404


def test_final_votes_take_the_jury_gates_and_refuse_self_votes(sponsor, worker, make_wallet, settings):
    job, other = create_job(sponsor), create_job(sponsor)
    sub, foreign = submit(worker, job["id"]), submit(worker, other["id"])
    codes = [_final(w, job["id"], sub["id"]).json()["code"] for w in (
        make_wallet(stake_usdc=50, score=5), make_wallet(agent=True, score=5), make_wallet(agent=True, stake_usdc=50))]
    assert codes == ["participant_type_required", "stake_required", "reputation_required"]
    worker_scored = make_wallet(agent=True, stake_usdc=50, score=4)
    own = submit(worker_scored, job["id"])
    response = _final(worker_scored, job["id"], own["id"])
    assert (response.status_code, response.json()["code"]) == (403, "self_vote")
    voter = make_wallet(agent=True, stake_usdc=50, score=1)
    response = _final(voter, job["id"], foreign["id"])
    assert (response.status_code, response.json()["code"]) == (400, "submission_not_in_job")
    assert _final(voter, str(uuid.uuid4()), sub["id"]).status_code == 404
    assert _final(voter, job["id"], "nope").status_code == 400
    assert voter.client.post("/api/v1/final_votes", [1], format="json").json()["code"] == "invalid_body"
    from rest_framework.test import APIClient
    assert APIClient().post("/api/v1/final_votes", {"job_id": job["id"], "submission_id": sub["id"]},
                            format="json").status_code == 401
    assert FinalVote.objects.count() == 0
    settings.AGORA_SERVICE_STAGE = "demo"  # demo drops stake and reputation, as for jury votes
    assert _final(make_wallet(agent=True), job["id"], sub["id"]).status_code == 200


def test_final_votes_only_inside_the_window_and_while_open(sponsor, worker, make_wallet):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    voter = make_wallet(agent=True, stake_usdc=50, score=1)
    Job.objects.filter(pk=job["id"]).update(final_vote_starts_at=timezone.now() + timedelta(minutes=5))
    response = _final(voter, job["id"], sub["id"])
    assert (response.status_code, response.json()["code"]) == (409, "final_vote_not_started")
    Job.objects.filter(pk=job["id"]).update(final_vote_starts_at=timezone.now() - timedelta(hours=1))
    _end_window(job["id"])
    response = _final(voter, job["id"], sub["id"])
    assert (response.status_code, response.json()["code"]) == (409, "final_vote_ended")
    assert "/finalize" in response.json()["detail"]
    closing = create_job(sponsor)
    s2 = submit(worker, closing["id"])
    sponsor.client.post(f"/api/v1/jobs/{closing['id']}/close", {"winner_submission_id": s2["id"]}, format="json")
    response = _final(voter, closing["id"], s2["id"])
    assert (response.status_code, response.json()["code"]) == (409, "job_closed")


def test_finalize_closes_with_the_final_votes_top_through_the_same_close(sponsor, make_wallet, juror):
    job = create_job(sponsor, bounty_usdc=10)
    a_author, b_author = make_wallet(agent=True, stake_usdc=50), make_wallet(agent=True, stake_usdc=50)
    a, b = submit(a_author, job["id"]), submit(b_author, job["id"])
    vote(juror, job["id"], a["id"])  # the jury recommends a ...
    voters = [make_wallet(agent=True, stake_usdc=50, score=1) for _ in range(3)]
    for v, target in zip(voters, (b, b, a), strict=True):  # ... the final vote decides b
        assert _final(v, job["id"], target["id"]).status_code == 200
    early = _finalize(voters[0], job["id"])
    assert (early.status_code, early.json()["code"]) == (409, "final_vote_not_ended")
    _end_window(job["id"])
    outsider = _finalize(make_wallet(agent=True, stake_usdc=50, score=1), job["id"])
    assert (outsider.status_code, outsider.json()["code"]) == (403, "not_final_voter")
    assert _finalize(sponsor, job["id"]).json()["code"] == "not_final_voter"

    response = _finalize(voters[2], job["id"])  # any wallet that voted, even for the loser
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"job", "winner_submission_id", "voting_summary"}
    closed = body["job"]
    assert body["winner_submission_id"] == b["id"] == closed["winner_submission_id"]
    assert closed["status"] == "closed" and closed["receipt"]["close_method"] == "final_vote"
    assert body["voting_summary"]["tallies"] == [{k: r[k] for k in ("submission_id", "weighted_votes", "voters")}
                                                 for r in closed["receipt"]["ranking"]]
    assert body["voting_summary"]["tallies"][0]["submission_id"] == a["id"]  # the jury's ranking, frozen
    assert body["voting_summary"]["final_tallies"][0] == {"submission_id": b["id"], "votes": 2, "voters": 2}
    payout = closed["receipt"]["payout"]
    assert (payout["agent_payout_units"], payout["platform_fee_units"], payout["jury_pool_units"]) == (
        7_000_000, 2_500_000, 500_000)
    win = sponsor.client.get(f"/api/v1/reputation/{b_author.address}").json()
    lose = sponsor.client.get(f"/api/v1/reputation/{a_author.address}").json()
    assert (win["wins"], win["losses"], lose["wins"], lose["losses"]) == (1, 0, 0, 1)
    assert ReputationLedger.objects.filter(job_id=job["id"], kind__in=["win", "loss"]).count() == 2
    assert AgrLedger.objects.get(job_id=job["id"], kind="earned").address == b_author.address
    event = JobEvent.objects.get(job_id=job["id"], kind="closed")
    assert (event.actor, event.data["close_method"]) == (voters[2].address, "final_vote")
    assert JobReceipt.objects.get(job_id=job["id"]).close_method == "final_vote"
    # the same anchoring: the snapshot's result says how the topic closed
    anchor = anchor_build(job_id=job["id"])
    assert anchor.leaves == 1 + 2 + 1 + 1
    assert result_record(Job.objects.get(pk=job["id"]))["close_method"] == "final_vote"

    again = _finalize(voters[0], job["id"])
    late_close = sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": a["id"]},
                                     format="json")
    assert (again.status_code, again.json()["code"], late_close.status_code) == (409, "job_closed", 409)


def test_finalize_without_final_votes_is_a_409_and_the_sponsor_may_still_close(sponsor, worker, make_wallet):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    _end_window(job["id"])
    response = _finalize(make_wallet(agent=True, stake_usdc=50, score=1), job["id"])
    assert (response.status_code, response.json()["code"]) == (409, "no_final_votes")
    assert _finalize(sponsor, str(uuid.uuid4())).status_code == 404
    closed = sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": sub["id"]},
                                 format="json").json()
    assert closed["job"]["receipt"]["close_method"] == "sponsor"
    assert "final_tallies" not in closed["voting_summary"]


def test_existing_topics_get_a_window_from_their_creation(sponsor, settings):
    job = create_job(sponsor)
    Job.objects.filter(pk=job["id"]).update(final_vote_starts_at=timezone.now() + timedelta(days=9),
                                            final_vote_ends_at=timezone.now() + timedelta(days=9))
    migration = importlib.import_module("apps.jobs.migrations.0009_final_vote_and_boosts")
    settings.AGORA_FINAL_VOTE_WINDOW_SECONDS = 7200
    with connection.schema_editor(atomic=False) as editor:
        migration.windows_from_creation(None, editor)
    row = Job.objects.get(pk=job["id"])
    assert row.final_vote_starts_at == row.created_at
    assert row.final_vote_ends_at == row.created_at + timedelta(seconds=7200)


def test_the_final_vote_tally_is_constant_in_queries(api, sponsor, make_wallet):
    from django.test.utils import CaptureQueriesContext

    job = create_job(sponsor)

    def grow(n):
        for _ in range(n):
            author = make_wallet(agent=True, stake_usdc=50, score=1)
            sub = submit(author, job["id"])
            _final(make_wallet(agent=True, stake_usdc=50, score=1), job["id"], sub["id"])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(f"/api/v1/jobs/{job['id']}/final_votes").status_code == 200
        return len(ctx.captured_queries)

    grow(2)
    small = queries()
    grow(6)
    assert queries() == small
