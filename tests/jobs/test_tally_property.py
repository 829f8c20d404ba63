"""Property: after any sequence of votes and vote moves, the running counters equal a recount."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.agents.services import profile_update, reputation_set, stake_set
from apps.jobs.selectors import vote_tally, vote_tally_recount
from apps.jobs.services import job_create, submission_create, vote_cast

VOTERS = [f"0x{i:040x}" for i in range(1, 7)]
AUTHORS = [f"0x{i:040x}" for i in range(100, 104)]


@pytest.fixture
def topic(db):
    for i, address in enumerate(VOTERS + AUTHORS):
        profile_update(address=address, changes={"participant_type": "agent"})
        stake_set(address=address, units=50_000_000, actor="test")
        reputation_set(address=address, score=1 + i * 3, kind="dev_set", reason="test", actor="test")
    job = job_create(sponsor="0x" + "9" * 40, title="t", prompt="p", bounty_units=0, tags=[])
    subs = [submission_create(job_id=job.id, agent=a, content="c", evidence=[]).id for a in AUTHORS]
    return job.id, subs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.integers(0, len(VOTERS) - 1), st.integers(0, len(AUTHORS) - 1)), max_size=25))
def test_counters_always_equal_the_recount(topic, moves):
    job_id, subs = topic
    for voter, sub in moves:
        vote_cast(job_id=job_id, submission_id=subs[sub], voter=VOTERS[voter])
    assert vote_tally(job_id=job_id) == vote_tally_recount(job_id=job_id)
