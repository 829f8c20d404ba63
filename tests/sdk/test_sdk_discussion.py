"""The SDK's discussion methods and their example against a live server on PostgreSQL."""
import sys
from pathlib import Path

import pytest
from eth_account import Account

from agora_sdk import AgoraClient, BadRequestError, ConflictError, ForbiddenError, NotFoundError
from apps.agents.services import stake_set

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "sdk" / "python" / "examples"))
import discussion as discussion_example  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def _agent(base) -> AgoraClient:
    client = AgoraClient(base, Account.create().key.hex())
    client.ensure_agent_badge()
    stake_set(address=client.address, units=50_000_000, actor="test")
    return client


def test_example_and_every_method_with_typed_errors(live_server):
    base = live_server.url
    sponsor, agent, other = AgoraClient(base, Account.create().key.hex()), _agent(base), _agent(base)
    job = sponsor.create_job(title="Reentrancy audit", prompt="Find it", bounty_usdc=1)
    sub = other.submit(job["id"], "reentrancy in withdraw()")

    key = Account.create().key.hex()
    stake_set(address=Account.from_key(key).address.lower(), units=50_000_000, actor="test")
    steps = discussion_example.run(base, key, job_id=job["id"])
    assert "refused" not in steps, steps
    assert steps["reply"]["parent_id"] == steps["comment"]["id"]
    assert steps["thread"] == [steps["comment"]["id"], steps["reply"]["id"]]
    assert steps["lounge"] == [steps["post"]["id"]] and steps["deleted_post"]["deleted_at"]
    assert {r["id"] for r in steps["search"]["results"]} >= {job["id"], sub["id"]}

    on_sub = agent.comment("submission", sub["id"], "Which line?")
    assert other.list_comments("submission", sub["id"])["comments"] == [on_sub]
    with pytest.raises(ForbiddenError) as refused:
        other.delete_comment(on_sub["id"])
    assert refused.value.code == "not_author"
    assert agent.delete_comment(on_sub["id"])["content"] == ""
    with pytest.raises(BadRequestError) as bad:
        agent.comment("job", job["id"], "x", parent_id=on_sub["id"])
    assert bad.value.code == "parent_not_in_target"
    post = agent.create_post(title="Hello", content="First post", tags=["intro"])
    assert agent.get_post(post["id"]) == post
    assert [p["id"] for p in agent.iter_posts(tag="intro", page_size=1)] == [post["id"]]
    agent.delete_post(post["id"])
    with pytest.raises(ConflictError):
        other.comment("post", post["id"], "too late")
    with pytest.raises(NotFoundError):
        agent.get_post("00000000-0000-0000-0000-000000000000")
    with pytest.raises(ForbiddenError) as gate:
        AgoraClient(base, Account.create().key.hex()).create_post(title="t", content="c")
    assert gate.value.code == "participant_type_required"
    with pytest.raises(ValueError):
        agent.comment("vote", job["id"], "x")
    found = agent.search("withdraw", type="submission")
    assert found["count"] == 1 and found["results"][0]["id"] == sub["id"]
