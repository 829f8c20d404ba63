"""Drill: the Celery worker building a closed topic's snapshot is SIGKILLed mid-build. Nothing half-built is
left (files first, row last, in one transaction under the topic's lock); beat's anchor_sweep hands the topic
to the other worker, which builds it; the message the dead worker held, delivered again, finds it built. The
anchor is built exactly once, and its snapshot file is whole (its keccak256 is the salt the row records)."""
import random
import re
import signal
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from agora_sdk.anchoring import snapshot_salt
from tests.ops.chain import broker
from tests.ops.drills.drill import Report, seconds
from tests.ops.people import person
from tests.ops.stack import wait_for

pytestmark = pytest.mark.slow
VOTES = int(seconds("AGORA_DRILL_SNAPSHOT_VOTES", 40000))  # enough for a build of a few seconds


def _seed_votes(stack, job_id: str, votes: int) -> str:
    """Submissions and votes as vote_cast leaves them (counters included), written by COPY: the API would take
    minutes for this many. Returns the submission with the most weight."""
    rng = random.Random(3)
    subs = [uuid.uuid4() for _ in range(max(1, votes // 100))]  # few submitters: the close records each outcome
    tally = {sub: [0, 0] for sub in subs}
    start = datetime.now(UTC) - timedelta(hours=1)
    with psycopg.connect(stack.pg.url()) as conn, conn.cursor() as cur:
        with cur.copy("COPY jobs_submission (id, job_id, agent_address, content, evidence, created_at, weighted_votes,"
                      " voters) FROM STDIN") as copy:
            for i, sub in enumerate(subs):
                copy.write_row((sub, job_id, f"0x{3 * 10**9 + i:040x}", f"answer {i} " * 20, "[]",
                                start + timedelta(milliseconds=i), 0, 0))
        with cur.copy("COPY jobs_vote (id, job_id, submission_id, voter_address, weight, review, created_at, "
                      "updated_at) FROM STDIN") as copy:
            for i in range(votes):
                sub, weight = rng.choice(subs), rng.randint(1, 5)
                tally[sub][0] += weight
                tally[sub][1] += 1
                at = start + timedelta(seconds=1, milliseconds=i)
                copy.write_row((uuid.uuid4(), job_id, sub, f"0x{10**9 + i:040x}", weight, "", at, at))
        cur.executemany("UPDATE jobs_submission SET weighted_votes = %s, voters = %s WHERE id = %s",
                        [(w, n, sub) for sub, (w, n) in tally.items()])
    return str(max(subs, key=lambda sub: tally[sub][0]))


def _locked(stack, job_id: str) -> bool:
    """Whether a builder holds the topic's row lock (anchor_build takes it first): a NOWAIT lock attempt fails."""
    with psycopg.connect(stack.pg.url()) as conn:
        try:
            conn.execute("SELECT 1 FROM jobs_job WHERE id = %s FOR UPDATE NOWAIT", [job_id])
        except psycopg.errors.LockNotAvailable:
            return True
        conn.rollback()
    return False


def test_a_worker_killed_mid_snapshot_leaves_it_to_the_sweep(stack):
    report = Report("a Celery worker SIGKILLed in the middle of a snapshot build")
    sponsor = person(stack, 0)
    job = sponsor.create_job(title="a big topic", prompt="p", bounty_usdc="100")["id"]
    winner = _seed_votes(stack, job, VOTES)
    report.did(f"seeded topic {job} with {VOTES} votes over {VOTES // 100} submissions")
    offsets = {name: len(stack.services[name].log()) for name in ("worker1", "worker2")}
    sponsor.close_job(job, winner)
    report.did("closed it through the API: the close enqueues anchor_build on commit")

    def receiver():
        for name, offset in offsets.items():
            if re.search(r"anchor_build\[[^]]+\] received", stack.services[name].log()[offset:]):
                return name
    victim = wait_for(receiver, timeout=30, what="a worker received anchor_build")
    survivor = "worker2" if victim == "worker1" else "worker1"
    wait_for(lambda: _locked(stack, job), timeout=30, what="the build holds the topic's row lock")
    time.sleep(0.5)
    assert stack.pg.sql("SELECT count(*) FROM jobs_anchorbatch WHERE job_id = %s", [job]) == [(0,)], \
        "the build finished before the kill: raise AGORA_DRILL_SNAPSHOT_VOTES"
    stack.services[victim].stop(signal.SIGKILL)
    killed_at = time.monotonic()
    report.did(f"{victim} received it and took the topic's lock; killed {victim} (main process and its pool "
               "child) 0.5 s into the build")
    assert stack.pg.sql("SELECT count(*) FROM jobs_anchorbatch WHERE job_id = %s", [job]) == [(0,)]
    assert "anchor_built" not in stack.services[victim].log()[offsets[victim]:]
    report.checked("no anchor row and no anchor_built event from the killed build")

    wait_for(lambda: stack.pg.sql("SELECT 1 FROM jobs_anchorbatch WHERE job_id = %s", [job]), timeout=90,
             what="the sweep rebuilt the anchor")
    (actor,), = stack.pg.sql("SELECT actor FROM jobs_jobevent WHERE job_id = %s AND kind = 'anchor_built'", [job])
    assert actor == "anchor_sweep" and "anchor_sweep" in stack.services[survivor].log()[offsets[survivor]:]
    report.checked(f"beat's anchor_sweep built it on {survivor} {time.monotonic() - killed_at:.1f} s after the kill "
                   "(AGORA_ANCHOR_SWEEP_AFTER_SECONDS=2, every 3 s here; 60/60 s by default)")
    (root, salt, leaves, snapshot_name), = stack.pg.sql(
        "SELECT anchor_root, salt, leaves, snapshot_name FROM jobs_anchorbatch WHERE job_id = %s", [job])
    snapshot = (stack.base / "anchors" / snapshot_name).read_bytes()
    assert snapshot_salt(snapshot) == salt and leaves > VOTES
    report.checked(f"the snapshot file is whole: keccak256 of its {len(snapshot)} bytes is the recorded salt; "
                   f"{leaves} leaves, root {root}")

    stack.start_worker(int(victim[-1]))
    offsets = {name: len(stack.services[name].log()) for name in ("worker1", "worker2")}
    broker(stack).send_task("apps.onchain.tasks.anchor_build", args=[job])  # the dead worker's message, again
    wait_for(lambda: any(re.search(r"anchor_build\[[^]]+\] succeeded", stack.services[name].log()[offset:])
                         for name, offset in offsets.items()), timeout=60, what="anchor_build ran again")
    assert stack.pg.sql("SELECT count(*) FROM jobs_jobevent WHERE job_id = %s AND kind = 'anchor_built'", [job]) \
        == [(1,)]
    assert stack.pg.sql("SELECT anchor_root FROM jobs_anchorbatch WHERE job_id = %s", [job]) == [(root,)]
    report.checked(f"restarted {victim}; anchor_build delivered again found the anchor built: still one "
                   "anchor_built event, the same root")
