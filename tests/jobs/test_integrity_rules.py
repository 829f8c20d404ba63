"""Jury and reward integrity: no self-votes, no sponsor submissions to or wins of its own topic, one reputation
point per topic, win rewards only from a minimum bounty, and close details labelled as reported (their
checks on a real chain are in tests/onchain/test_close_verify.py)."""
import pytest
from django.test import Client

from apps.agents.models import AgrLedger, ReputationLedger
from apps.auth.browser import SESSION_KEY
from apps.jobs.models import Job, JobStatus, Submission, Vote
from apps.onchain.anchoring import topic_record
from tests.conftest import create_job, submit, vote

pytestmark = pytest.mark.django_db


def _close(wallet, job_id, winner_id, **extra):
    return wallet.client.post(f"/api/v1/jobs/{job_id}/close", {"winner_submission_id": winner_id, **extra},
                              format="json")


def _rep(client, address) -> dict:
    return client.get(f"/api/v1/reputation/{address}").json()


def _agr(client, address) -> int:
    return client.get(f"/api/v1/agr/status?address={address}").json()["earned"]


def test_nobody_votes_for_their_own_submission(sponsor, make_wallet):
    job = create_job(sponsor)
    author = make_wallet(agent=True, stake_usdc=50, score=4)
    other = submit(make_wallet(agent=True, stake_usdc=50), job["id"])
    own = submit(author, job["id"])
    response = author.client.post("/api/v1/votes", {"job_id": job["id"], "submission_id": own["id"]}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "self_vote"
    assert not Vote.objects.filter(job_id=job["id"]).exists()
    # a vote for someone else's work is fine, and moving it onto one's own is refused and leaves it in place
    vote(author, job["id"], other["id"])
    response = author.client.post("/api/v1/votes", {"job_id": job["id"], "submission_id": own["id"]}, format="json")
    assert response.json()["code"] == "self_vote"
    tallies = {t["submission_id"]: (t["weighted_votes"], t["voters"])
               for t in sponsor.client.get(f"/api/v1/jobs/{job['id']}/votes").json()["tallies"]}
    assert tallies == {other["id"]: (3, 1), own["id"]: (0, 0)}


def test_a_self_vote_from_before_the_rule_cannot_be_cast_again(sponsor, make_wallet):
    job = create_job(sponsor)
    author = make_wallet(agent=True, stake_usdc=50, score=4)
    own = submit(author, job["id"])
    # as the old server let it happen: the vote row and the running counters together
    Vote.objects.create(job_id=job["id"], submission_id=own["id"], voter_address=author.address, weight=3)
    Submission.objects.filter(pk=own["id"]).update(weighted_votes=3, voters=1)
    response = author.client.post("/api/v1/votes", {"job_id": job["id"], "submission_id": own["id"]}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "self_vote"


def test_a_sponsor_cannot_submit_to_its_own_topic(make_wallet):
    sponsor = make_wallet(agent=True, stake_usdc=50)
    job = create_job(sponsor)
    response = sponsor.client.post("/api/v1/submissions", {"job_id": job["id"], "content": "mine"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "own_topic"
    assert not Submission.objects.filter(job_id=job["id"]).exists()
    assert not ReputationLedger.objects.filter(address=sponsor.address, kind="submission").exists()


def test_a_sponsor_cannot_win_its_own_topic(make_wallet, worker):
    sponsor = make_wallet(agent=True, stake_usdc=50)
    job = create_job(sponsor)
    # a submission the sponsor made before sponsors were refused
    own = Submission.objects.create(job_id=job["id"], agent_address=sponsor.address, content="mine")
    fair = submit(worker, job["id"])
    response = _close(sponsor, job["id"], str(own.id))
    assert response.status_code == 403 and response.json()["code"] == "own_topic"
    assert Job.objects.get(pk=job["id"]).status == JobStatus.OPEN
    assert _agr(sponsor.client, sponsor.address) == 0 and _rep(sponsor.client, sponsor.address)["wins"] == 0
    html = _browser(sponsor.address).get(f"/topics/{job['id']}").content.decode()
    assert f'value="{own.id}" disabled' in html and "a sponsor can't win its own topic" in html
    assert f'value="{fair["id"]}" disabled' not in html
    assert _close(sponsor, job["id"], fair["id"]).status_code == 200


def test_only_the_first_submission_to_a_topic_earns_reputation(sponsor, worker):
    job, other = create_job(sponsor), create_job(sponsor)
    for n in range(16):  # spam: sixteen used to reach the maximum jury weight
        submit(worker, job["id"], content=f"attempt {n}")
    assert _rep(worker.client, worker.address)["score"] == 1
    submit(worker, other["id"])  # a first submission to another topic earns its point
    assert _rep(worker.client, worker.address)["score"] == 2
    rows = ReputationLedger.objects.filter(address=worker.address, kind="submission")
    assert sorted(str(r.job_id) for r in rows) == sorted([job["id"], other["id"]])
    assert all(r.delta == 1 for r in rows)


def test_a_rewarded_win_adds_points_and_agr(sponsor, make_wallet, settings):
    settings.AGORA_REP_PER_WIN = 3
    job = create_job(sponsor, bounty_usdc=10)  # exactly the default minimum
    winner, loser = make_wallet(agent=True, stake_usdc=50), make_wallet(agent=True, stake_usdc=50)
    win, _ = submit(winner, job["id"]), submit(loser, job["id"])
    closed = _close(sponsor, job["id"], win["id"])
    assert closed.status_code == 200
    policy = closed.json()["job"]["receipt"]["policy"]
    assert (policy["agr_min_bounty_usdc"], policy["reputation_per_win"], policy["reputation_per_submission"]) == \
        (10, 3, 1)
    assert _rep(sponsor.client, winner.address)["score"] == 1 + 3
    assert _rep(sponsor.client, loser.address)["score"] == 1
    assert _agr(sponsor.client, winner.address) == 50


@pytest.mark.parametrize("bounty, minimum", [(0, "10"), (9.999999, "10"), (0, "0")])
def test_a_win_below_the_minimum_bounty_is_recorded_but_earns_nothing(sponsor, worker, settings, bounty, minimum):
    settings.AGORA_AGR_MIN_BOUNTY_USDC = minimum
    job = create_job(sponsor, bounty_usdc=bounty)
    sub = submit(worker, job["id"])
    assert _close(sponsor, job["id"], sub["id"]).status_code == 200
    rep = _rep(sponsor.client, worker.address)
    assert (rep["wins"], rep["score"]) == (1, 1)  # the win counts; only the submission's point was earned
    assert not AgrLedger.objects.filter(job_id=job["id"]).exists()
    assert ReputationLedger.objects.get(job_id=job["id"], kind="win").delta == 0


def test_the_minimum_bounty_is_configurable(sponsor, worker, settings):
    settings.AGORA_AGR_MIN_BOUNTY_USDC = "0.5"
    job = create_job(sponsor, bounty_usdc=0.5)
    sub = submit(worker, job["id"])
    assert _close(sponsor, job["id"], sub["id"]).json()["job"]["receipt"]["policy"]["agr_min_bounty_usdc"] == 0.5
    assert _agr(sponsor.client, worker.address) == 50


def test_close_details_without_an_rpc_are_labelled_as_reported(sponsor, worker, settings):
    settings.AGORA_RPC_URL = ""
    job, bare = create_job(sponsor), create_job(sponsor)
    sub, other = submit(worker, job["id"]), submit(worker, bare["id"])
    closed = _close(sponsor, job["id"], sub["id"], close_tx_hash="0x" + "ab" * 32, close_block_number=7)
    assert closed.status_code == 200
    body = closed.json()["job"]
    assert body["close_details_verified"] is False and body["close_block_number"] == 7
    assert body["close_chain_id"] is None  # nothing is filled in from a chain nobody asked
    page = sponsor.client.get(f"/topics/{job['id']}").content.decode()
    assert "reported by the sponsor" in page and "verified on chain" not in page
    assert _close(sponsor, bare["id"], other["id"]).json()["job"]["close_details_verified"] is None
    assert "reported by the sponsor" not in sponsor.client.get(f"/topics/{bare['id']}").content.decode()
    assert sponsor.client.get(f"/api/v1/jobs/{job['id']}").json()["close_details_verified"] is False
    assert topic_record(Job.objects.get(pk=job["id"]))["close"]["details"] == "reported"  # in the snapshot too


def test_open_topics_have_no_close_verification(sponsor):
    job = create_job(sponsor)
    assert job["close_details_verified"] is None


def _browser(address: str) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = address
    session.save()
    return client


def test_the_new_topic_page_states_the_rules(sponsor, settings):
    settings.AGORA_AGR_MIN_BOUNTY_USDC = "25"
    page = _browser(sponsor.address).get("/topics/new")
    assert page.status_code == 200
    html = page.content.decode()
    assert "can't submit to this topic or win it" in html and "at least 25 USDC" in html
