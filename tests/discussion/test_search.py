"""GET /api/v1/search/semantic: PostgreSQL full-text search with a trigram (or prefix) fallback."""
import uuid

import pytest
from django.db import connection

from apps.discussion import search as discussion_search
from apps.discussion.trigram import trigram_available, trigram_install
from apps.jobs.models import Job
from tests.conftest import create_job, submit, vote
from tests.discussion.test_comments_api import comment, make_post

pytestmark = pytest.mark.django_db


def search(api, q, **params):
    response = api.get("/api/v1/search/semantic", {"q": q, **params})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["query"] == q and body["count"] == len(body["results"])
    return body["results"]


@pytest.fixture
def corpus(sponsor, worker, juror):
    job = create_job(sponsor, title="Audit the zebra bridge contract", prompt="Find reentrancy in the bridge.")
    other = create_job(sponsor, title="Summarise rollups", prompt="Mention the zebra crossing analogy once.")
    sub = submit(worker, job["id"], content="The withdraw function is reentrant.",
                 evidence=[{"claim": "checks-effects-interactions missing", "quote": "call.value before update"}])
    post = make_post(juror, title="Favourite fuzzers", content="Echidna finds reentrancy quickly.")
    on_job = comment(juror, f"jobs/{job['id']}", "Is the reentrancy guard upgradeable?")
    on_post = comment(worker, f"posts/{post['id']}", "Medusa is faster than Echidna.")
    return {"job": job, "other": other, "sub": sub, "post": post, "on_job": on_job, "on_post": on_post}


def test_every_kind_is_found_with_its_title_and_text(api, corpus):
    results = search(api, "reentrancy")
    by_id = {r["id"]: r for r in results}
    assert set(results[0]) == {"type", "id", "title", "content", "similarity"}
    assert by_id[corpus["job"]["id"]]["type"] == "job"
    assert by_id[corpus["sub"]["id"]] == {**by_id[corpus["sub"]["id"]], "type": "submission",
                                          "title": "Audit the zebra bridge contract"}  # the topic's title
    assert by_id[corpus["on_job"]["id"]]["title"] == "Audit the zebra bridge contract"
    assert by_id[corpus["post"]["id"]]["content"] == "Echidna finds reentrancy quickly."
    sims = [r["similarity"] for r in results]
    assert sims == sorted(sims, reverse=True)
    # "reentrant" shares no stem with "reentrancy": the short query's trigram fallback finds it, below the rest
    assert [r["id"] for r in results if r["similarity"] < 0.5] == [corpus["sub"]["id"]]
    assert all(0.5 < s <= 1 for s in sims[:-1])
    assert search(api, "Medusa")[0] == {"type": "comment", "id": corpus["on_post"]["id"],
                                        "title": "Favourite fuzzers", "content": "Medusa is faster than Echidna.",
                                        "similarity": search(api, "Medusa")[0]["similarity"]}


def test_a_title_outranks_the_body_and_evidence_is_searchable(api, corpus):
    zebra = search(api, "zebra")
    assert [r["id"] for r in zebra] == [corpus["job"]["id"], corpus["other"]["id"]]  # title (A) over prompt (B)
    assert [r["id"] for r in search(api, "checks-effects-interactions")] == [corpus["sub"]["id"]]
    assert search(api, '"bridge contract" -rollups')[0]["id"] == corpus["job"]["id"]  # web-search syntax


def test_type_filter_and_limit(api, corpus):
    assert {r["type"] for r in search(api, "reentrancy", type="comment")} == {"comment"}
    assert [r["id"] for r in search(api, "reentrancy", type="post")] == [corpus["post"]["id"]]
    assert len(search(api, "reentrancy", limit=2)) == 2
    assert {r["type"] for r in search(api, "reentrancy", type="all")} == {"job", "submission", "comment", "post"}


def test_soft_deleted_comments_and_posts_are_never_found(api, corpus, worker, juror):
    assert search(api, "Medusa")
    worker.client.delete(f"/api/v1/comments/{corpus['on_post']['id']}")
    assert search(api, "Medusa") == []
    keep = comment(worker, f"posts/{corpus['post']['id']}", "Foundry invariant tests too.")
    juror.client.delete(f"/api/v1/posts/{corpus['post']['id']}")
    assert search(api, "Echidna") == []
    # its comments stay searchable, but no longer carry the deleted post's title
    assert search(api, "invariant") == [{**search(api, "invariant")[0], "id": keep["id"], "title": ""}]


def test_the_index_follows_edits_but_not_votes_or_closes(api, corpus, sponsor, juror):
    job_id = corpus["job"]["id"]
    Job.objects.filter(pk=job_id).update(title="Audit the okapi bridge contract")  # e.g. an operator's fix
    assert [r["id"] for r in search(api, "okapi")][0] == job_id
    assert job_id not in [r["id"] for r in search(api, "zebra")]
    sub = next(r for r in search(api, "reentrant") if r["id"] == corpus["sub"]["id"])
    assert sub["title"] == "Audit the okapi bridge contract"

    def row_version():
        with connection.cursor() as cur:
            cur.execute("SELECT xmin::text FROM discussion_searchdocument WHERE object_id = ANY(%s) ORDER BY object_id",
                        [[uuid.UUID(job_id), uuid.UUID(corpus["sub"]["id"])]])
            return cur.fetchall()

    before = row_version()
    vote(juror, job_id, corpus["sub"]["id"])
    assert sponsor.client.post(f"/api/v1/jobs/{job_id}/close", {"winner_submission_id": corpus["sub"]["id"]},
                               format="json").status_code == 200
    assert row_version() == before  # counters and close fields changed; the text did not


def test_very_common_queries_rank_the_newest_matches_only(api, sponsor, monkeypatch):
    made = [create_job(sponsor, title=f"Walrus field notes {i}", prompt="walrus " * (i + 1))["id"] for i in range(5)]

    def found(**params):  # three words: full text only, no near matches topping up
        return {r["id"] for r in search(api, "walrus field notes", **params)}

    assert found() == set(made)  # few matches: all of them are ranked
    monkeypatch.setattr(discussion_search, "RANK_ALL", 0)  # as if the words were in thousands of documents
    monkeypatch.setattr(discussion_search, "RECENT", 3)
    assert found() == set(made[2:])  # the three newest matches, ranked among themselves
    assert found(type="job", limit=2) < set(made[2:]) and found(type="post") == set()
    monkeypatch.setattr(discussion_search, "WINDOW", 2)  # and no more than the two newest documents read
    assert found() == set(made[3:])


def test_short_queries_get_near_matches_below_the_exact_ones(api, sponsor):
    exact = create_job(sponsor, title="Eth gas notes", prompt="p")
    near = create_job(sponsor, title="Ethereum staking", prompt="p")
    results = search(api, "eth")
    assert [r["id"] for r in results] == [exact["id"], near["id"]]
    assert results[0]["similarity"] > 0.5 > results[1]["similarity"] >= 0.25  # a word beginning
    typo = search(api, "etherium staking")  # a misspelling: trigram word similarity
    assert [r["id"] for r in typo] == [near["id"]] and 0 < typo[0]["similarity"] < 0.25
    assert search(api, "etherium gas staking notes") == []  # four words: full text only


def test_without_pg_trgm_short_queries_fall_back_to_prefixes(api, sponsor):
    exact = create_job(sponsor, title="Eth gas notes", prompt="p")
    near = create_job(sponsor, title="Ethereum staking", prompt="p")
    assert trigram_available()
    with connection.cursor() as cur:
        cur.execute("DROP EXTENSION pg_trgm CASCADE")  # takes the index with it; rolled back after the test
    trigram_available.cache_clear()
    try:
        assert not trigram_available()
        results = search(api, "eth")
        assert [r["id"] for r in results] == [exact["id"], near["id"]]
        assert results[1]["similarity"] < 0.5
        assert search(api, "etherium") == []  # typos need pg_trgm
    finally:
        trigram_available.cache_clear()


def test_the_migration_carries_on_when_the_role_may_not_create_pg_trgm():
    role = f"agora_limited_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cur:  # all rolled back after the test
        cur.execute("DROP EXTENSION pg_trgm CASCADE")
        cur.execute(f"CREATE ROLE {role} NOLOGIN")
        cur.execute(f"GRANT ALL ON discussion_searchdocument TO {role}")
        cur.execute(f"SET ROLE {role}")
        try:
            assert trigram_install(connection) is False
            cur.execute("SELECT count(*) FROM discussion_searchdocument")  # the transaction is still usable
        finally:
            cur.execute("RESET ROLE")
        trigram_available.cache_clear()
        try:
            assert not trigram_available()
            assert trigram_install(connection) is True  # the owner may: the index comes back
            assert trigram_available()
        finally:
            trigram_available.cache_clear()


@pytest.mark.parametrize("params,code", [
    ({}, "invalid_query"), ({"q": "   "}, "invalid_query"), ({"q": "x" * 201}, "invalid_query"),
    ({"q": "a\x00b"}, "invalid_query"), ({"q": "x", "type": "vote"}, "invalid_type"),
    ({"q": "x", "limit": "0"}, "invalid_limit"), ({"q": "x", "limit": "201"}, "invalid_limit"),
])
def test_bad_queries_are_400(api, params, code):
    response = api.get("/api/v1/search/semantic", params)
    assert (response.status_code, response.json()["code"]) == (400, code)


def test_odd_queries_never_fail(api, corpus):
    for q in ['"unterminated', "-", "!!", "a:*", "&|!()", "the", "' OR 1=1 --", "é ü ß", "x" * 200, "_", "%", "a<%b"]:
        search(api, q)
