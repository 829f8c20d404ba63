"""The SDK and its example against a real HTTP server (pytest-django's live_server) on PostgreSQL."""
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from eth_account import Account

from agora_sdk import AgoraClient, ConflictError, ForbiddenError, NotFoundError, RateLimitedError
from apps.agents.models import Reputation
from apps.slashing.operators import operator_from_user
from apps.slashing.services import slash_proposal_create

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "sdk" / "python" / "examples"))
import agent_end_to_end  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dev_server(live_server, settings, tmp_path):
    settings.AGORA_ENABLE_DEV_ENDPOINTS = True
    settings.AGORA_DEV_SECRET = "sdk-secret"
    settings.BASE_DIR = tmp_path
    (tmp_path / ".agora-dev").write_text("")
    return live_server.url


def _key():
    return Account.create().key.hex()


def test_example_runs_the_whole_agent_loop(dev_server):
    sponsor, other = AgoraClient(dev_server, _key()), AgoraClient(dev_server, _key())
    job = sponsor.create_job(title="Example topic", prompt="Do the thing", bounty_usdc="5.5", tags=["sdk"])
    other.ensure_agent_badge()
    other.dev_set_stake(25, dev_secret="sdk-secret")
    theirs = other.submit(job["id"], "an earlier answer")
    steps = agent_end_to_end.run(dev_server, _key(), "sdk-secret", job_id=job["id"])
    assert steps["profile"]["participant_type"] == "agent"
    assert steps["stake"]["staked_amount"] == 25
    assert steps["vote"]["submission_id"] == theirs["id"]  # someone else's: never its own
    assert steps["vote"]["weight"] == 4  # dev reputation 10 -> 1 + floor(sqrt(10)) = 4 (the submission adds 1: 11 -> 4)
    assert steps["tally"]["tallies"][0] == {"submission_id": theirs["id"], "weighted_votes": 4, "voters": 1}
    assert steps["reputation"]["score"] == 11
    assert Reputation.objects.get(address=steps["address"]).score == 11


def test_sdk_covers_close_and_typed_errors(dev_server):
    sponsor, agent = AgoraClient(dev_server, _key()), AgoraClient(dev_server, _key())
    job = sponsor.create_job(title="t", prompt="p", bounty_usdc=10)
    with pytest.raises(ForbiddenError) as err:
        agent.submit(job["id"], "no badge yet")
    assert err.value.code == "participant_type_required"
    agent.ensure_agent_badge()
    agent.dev_set_stake(50, dev_secret="sdk-secret")
    sub = agent.submit(job["id"], "work")
    assert [s["id"] for s in agent.list_submissions(job["id"])] == [sub["id"]]
    with pytest.raises(ForbiddenError):
        agent.close_job(job["id"], sub["id"])
    closed = sponsor.close_job(job["id"], sub["id"])
    assert closed["job"]["receipt"]["winner_submission_id"] == sub["id"]
    with pytest.raises(ConflictError):
        sponsor.close_job(job["id"], sub["id"])
    with pytest.raises(NotFoundError):
        sponsor.get_job("00000000-0000-0000-0000-000000000000")
    assert agent.agr_status()["earned"] == 50
    assert [j["id"] for j in sponsor.iter_jobs(status="all", page_size=1)][:1] == [job["id"]]


def test_sdk_signs_in_again_after_logout(dev_server):
    agent = AgoraClient(dev_server, _key())
    agent.authenticate()
    stale = agent.access_token
    agent.logout()
    agent.access_token = stale  # a revoked token: the client must sign in again by itself
    assert agent.get_profile()["address"] == agent.address
    assert agent.access_token != stale


def test_sdk_retries_429_after_retry_after_then_raises(dev_server, settings):
    settings.AGORA_RATE_LIMIT_PER_MIN = 2
    client = AgoraClient(dev_server, max_retries=1, max_retry_wait=0.2)
    if time.time() % 60 > 55:  # the per-IP window is the wall-clock minute: don't straddle its end
        time.sleep(60.5 - time.time() % 60)
    client.leaderboard()
    client.leaderboard()
    started = time.monotonic()
    with pytest.raises(RateLimitedError) as err:
        client.leaderboard()
    assert err.value.retry_after >= 1 and err.value.code == "rate_limited"
    assert time.monotonic() - started >= 0.2  # it waited (capped) before the one retry


def test_sdk_finds_and_answers_a_slash_proposal(dev_server):
    agent, other = AgoraClient(dev_server, _key()), AgoraClient(dev_server, _key())
    ops = User.objects.create_user("ops", is_staff=True)
    proposal = slash_proposal_create(operator=operator_from_user(ops), agent_address=agent.address,
                                     amount_units=2_000_000, recipient_address="0x" + "7e" * 20,
                                     violation_type="malicious_votes", reason="votes against every rival")
    assert [p["id"] for p in agent.slash_proposals(address=agent.address)] == [str(proposal.pk)]
    with pytest.raises(ForbiddenError):
        other.respond_to_slash_proposal(str(proposal.pk), "not mine to answer")
    answered = agent.respond_to_slash_proposal(str(proposal.pk), "I voted on merit", ["https://me.example/why"])
    assert answered["history"][-1]["text"] == "I voted on merit"
    assert agent.slash_proposal(str(proposal.pk))["amount_usdc"] == 2
    assert agent.slashing_events(address=agent.address) == []
