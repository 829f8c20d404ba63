"""Jurors vote and move their votes while sponsors close, through both web processes at once, and two closes of
each topic race each other. Afterwards every tally is exact (each submission's weighted total is the sum of its
votes' weights, in the counters and in the frozen receipt), every acknowledged vote is the one stored, and each
topic has exactly one winner, one receipt and one outcome per submitter."""
import random
import threading
import time

import pytest

from agora_sdk.errors import AgoraError, ConflictError
from apps.agents.rules import jury_weight
from tests.ops.people import grant, on_web, person

pytestmark = pytest.mark.slow
TOPICS, JURORS, ROUNDS = 4, 10, 3


def test_closes_and_votes_stay_exact_under_concurrent_load(stack):
    rng = random.Random(12)
    sponsor = person(stack, 0)
    agents = [person(stack, i % 2) for i in range(3)]
    jurors = [person(stack, i % 2) for i in range(JURORS)]
    scores = {juror.address: [1, 4, 9, 16, 2][i % 5] for i, juror in enumerate(jurors)}  # weights 2, 3, 4, 5, 2
    grant(stack, {**{agent.address: 0 for agent in agents}, **scores})
    topics = [sponsor.create_job(title=f"load {i}", prompt="p", bounty_usdc="10.000001", tags=["load"])["id"]
              for i in range(TOPICS)]
    subs = {topic: [agent.submit(topic, f"work of {agent.address}")["id"] for agent in agents] for topic in topics}
    for client in [sponsor, *jurors]:
        client.authenticate()  # sign-ins before the clock starts

    acked = {}  # (juror, topic) -> (submission, weight) of the last vote the server acknowledged
    acks = []
    refused, errors, closes = [], [], {topic: [] for topic in topics}
    half_in = threading.Event()  # closes start mid-load, once about half the votes are in

    def juror_loop(index, juror):
        clients = [juror, on_web(juror, stack, 1 - index % 2)]
        for round_ in range(ROUNDS):
            for topic in rng.sample(topics, len(topics)):
                choice = rng.choice(subs[topic])
                try:
                    vote = clients[round_ % 2].vote(topic, choice)
                    acked[juror.address, topic] = (choice, vote["weight"])
                    acks.append(topic)
                    if len(acks) >= TOPICS * JURORS * ROUNDS // 2:
                        half_in.set()
                except ConflictError:
                    refused.append((juror.address, topic))  # closed meanwhile
                except AgoraError as exc:
                    errors.append(exc)

    def closer(topic, web, winner):
        half_in.wait(timeout=120)
        try:
            on_web(sponsor, stack, web).close_job(topic, winner)
            closes[topic].append(winner)
        except ConflictError:
            pass
        except AgoraError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=juror_loop, args=(i, j), daemon=True) for i, j in enumerate(jurors)]
    threads += [threading.Thread(target=closer, args=(topic, web, subs[topic][web]), daemon=True)
                for topic in topics for web in (0, 1)]  # two closes per topic, one through each web process
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "load still running after 180 s"
    took = time.monotonic() - started
    print(f"{len(acks)} votes acknowledged ({len(acked)} juror-topic pairs), {len(refused)} refused after a close, "
          f"{TOPICS} topics closed with 2 racing closes each, in {took:.1f}s through web0 and web1")
    assert not errors, errors
    sql = stack.pg.sql
    for topic in topics:
        assert len(closes[topic]) == 1, f"{topic}: {len(closes[topic])} closes succeeded"
        (status, winner), = sql("SELECT status, winner_submission_id::text FROM jobs_job WHERE id = %s", [topic])
        (receipt_winner, ranking), = sql("SELECT winner_submission_id::text, ranking FROM jobs_jobreceipt "
                                         "WHERE job_id = %s", [topic])
        assert status == "closed" and winner == receipt_winner == closes[topic][0]
        assert sql("SELECT count(*) FROM jobs_jobevent WHERE job_id = %s AND kind = 'closed'", [topic]) == [(1,)]
        votes = {(voter, sub): weight for voter, sub, weight in sql(
            "SELECT voter_address, submission_id::text, weight FROM jobs_vote WHERE job_id = %s", [topic])}
        # every acknowledged vote is stored as acknowledged (a voter's last word), and nothing else is
        mine = {(juror, sub): weight for (juror, t), (sub, weight) in acked.items() if t == topic}
        assert votes == mine
        for (juror, _sub), weight in votes.items():
            assert weight == jury_weight(scores[juror])
        # the tally: counters, recount and the frozen receipt agree, Σ weights per submission
        recount = {sub: (sum(w for (_j, s), w in votes.items() if s == sub), sum(1 for (_j, s) in votes if s == sub))
                   for sub in subs[topic]}
        counters = {sub: (weighted, voters) for sub, weighted, voters in sql(
            "SELECT id::text, weighted_votes, voters FROM jobs_submission WHERE job_id = %s", [topic])}
        frozen = {row["submission_id"]: (row["weighted_votes"], row["voters"]) for row in ranking}
        assert counters == frozen == recount
        assert sum(w for w, _n in frozen.values()) == sum(votes.values())
        # one outcome per submitter in the reputation ledger, one AGR credit for the winner
        outcomes = sql("SELECT address, kind FROM agents_reputationledger "
                       "WHERE job_id = %s AND kind IN ('win', 'loss')", [topic])
        assert sorted(kind for _a, kind in outcomes) == ["loss", "loss", "win"]
        assert sql("SELECT count(*) FROM agents_agrledger WHERE job_id = %s", [topic]) == [(1,)]
