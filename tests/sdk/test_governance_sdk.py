"""The SDK's final-vote, finalize, boost and stats methods and their example, against a live server."""
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from eth_account import Account

from agora_sdk import AgoraClient, BadRequestError, ConflictError, ForbiddenError
from apps.jobs.models import Job
from tests.sdk.test_sdk import dev_server  # noqa: F401  (the live server with dev helpers on)

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "sdk" / "python" / "examples"))
import final_vote_and_boost  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def _end_window(job_id, _seconds):
    Job.objects.filter(pk=job_id).update(final_vote_ends_at=timezone.now() - timedelta(seconds=1))


def test_the_example_runs_a_final_vote_finalize_and_boost(dev_server):  # noqa: F811
    steps = final_vote_and_boost.run(dev_server, "sdk-secret", window_seconds=120, wait=_end_window)
    job = steps["job"]
    opened, ends = (timezone.datetime.fromisoformat(job[k].replace("Z", "+00:00"))
                    for k in ("final_vote_starts_at", "final_vote_ends_at"))
    assert ends - opened == timedelta(seconds=120)
    b = steps["final_vote"]["submission_id"]
    assert steps["final_tally"]["tallies"][0] == {"submission_id": b, "votes": 1, "voters": 1}
    assert steps["finalized"] == {"winner_submission_id": b, "close_method": "final_vote",
                                  "final_tallies": steps["final_tally"]["tallies"]}
    assert steps["winner_agr"]["balance"] == 50
    assert steps["boost"]["featured_score"] == 20 and steps["boost"]["featured_until"].endswith("Z")
    assert steps["stats"]["users_total"] == 4 and steps["stats"]["final_votes_total"] == 1


def test_sdk_errors_map_for_the_new_operations(dev_server):  # noqa: F811
    sponsor, agent = (AgoraClient(dev_server, Account.create().key.hex()) for _ in range(2))
    job = sponsor.create_job(title="t", prompt="p", bounty_usdc=1)
    with pytest.raises(BadRequestError):
        sponsor.create_job(title="t", prompt="p", final_vote_window_seconds=10)
    agent.ensure_agent_badge()
    agent.dev_set_stake(50, dev_secret="sdk-secret")
    agent.dev_set_reputation(4, dev_secret="sdk-secret")
    own = agent.submit(job["id"], "mine")
    with pytest.raises(ForbiddenError) as err:
        agent.final_vote(job["id"], own["id"])
    assert err.value.code == "self_vote"
    with pytest.raises(ConflictError) as err:
        agent.finalize(job["id"])
    assert err.value.code == "final_vote_not_ended"
    with pytest.raises(ConflictError) as err:
        agent.boost(job["id"], amount_agr=1, duration_hours=1)
    assert err.value.code == "insufficient_agr"
    assert agent.final_votes(job["id"])["tallies"] == [{"submission_id": own["id"], "votes": 0, "voters": 0}]
