import uuid

import pytest

from apps.jobs.models import Job
from tests.conftest import create_job, submit

pytestmark = pytest.mark.django_db


def test_create_makes_the_caller_the_sponsor_and_returns_the_v1_shape(sponsor):
    job = create_job(sponsor, bounty_usdc=12.345678, tags=["a", "b", "a"])
    assert job["sponsor_address"] == sponsor.address
    assert job["bounty_usdc"] == 12.345678
    assert job["tags"] == ["a", "b"]
    assert job["status"] == "open" and job["winner_submission_id"] is None and job["receipt"] is None
    assert job["created_at"].endswith("Z")
    for field in ("close_tx_hash", "anchor_root", "anchor_tx_hash", "anchor_log_index"):
        assert field in job and job[field] is None
    assert Job.objects.get(pk=job["id"]).bounty_units == 12_345_678


@pytest.mark.parametrize("overrides, field", [
    ({"title": ""}, "title"),
    ({"title": "x" * 141}, "title"),
    ({"prompt": ""}, "prompt"),
    ({"prompt": "x" * 20001}, "prompt"),
    ({"bounty_usdc": -1}, "bounty_usdc"),
    ({"bounty_usdc": 1.0000001}, "bounty_usdc"),
    ({"bounty_usdc": "lots"}, "bounty_usdc"),
    ({"bounty_usdc": 10**12}, "bounty_usdc"),
    ({"tags": [f"t{i}" for i in range(17)]}, "tags"),
    ({"tags": ["x" * 41]}, "tags"),
    ({"tags": "notalist"}, "tags"),
])
def test_create_rejects_bad_input_with_a_clear_400(sponsor, overrides, field):
    body = {"title": "t", "prompt": "p", "bounty_usdc": 1, **overrides}
    response = sponsor.client.post("/api/v1/jobs", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith(field)
    assert Job.objects.count() == 0


def test_bounty_boundaries_are_exact(sponsor):
    assert create_job(sponsor, bounty_usdc=0)["bounty_usdc"] == 0
    assert create_job(sponsor, bounty_usdc=0.000001)["bounty_usdc"] == 0.000001


def test_list_is_newest_first_with_cursor_pagination_and_filters(sponsor, worker):
    ids = [create_job(sponsor, title=f"t{i}", tags=["even" if i % 2 == 0 else "odd"])["id"] for i in range(7)]
    seen, cursor = [], None
    while True:
        response = sponsor.client.get("/api/v1/jobs", {"limit": 3, **({"cursor": cursor} if cursor else {})})
        body = response.json()
        seen += [j["id"] for j in body["jobs"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    evens = sponsor.client.get("/api/v1/jobs", {"tag": "even", "limit": 200}).json()["jobs"]
    assert [j["id"] for j in evens] == [ids[6], ids[4], ids[2], ids[0]]
    # a tag's pages follow the cursor the same way, and combine with the status filter
    first = sponsor.client.get("/api/v1/jobs", {"tag": "odd", "limit": 2}).json()
    rest = sponsor.client.get("/api/v1/jobs", {"tag": "odd", "limit": 2, "cursor": first["next_cursor"]}).json()
    assert [j["id"] for j in first["jobs"] + rest["jobs"]] == [ids[5], ids[3], ids[1]] and rest["next_cursor"] is None
    sub = submit(worker, ids[3])
    sponsor.client.post(f"/api/v1/jobs/{ids[3]}/close", {"winner_submission_id": sub["id"]}, format="json")
    open_odd = sponsor.client.get("/api/v1/jobs", {"tag": "odd"}).json()["jobs"]
    closed_odd = sponsor.client.get("/api/v1/jobs", {"tag": "odd", "status": "closed"}).json()["jobs"]
    assert [j["id"] for j in open_odd] == [ids[5], ids[1]] and [j["id"] for j in closed_odd] == [ids[3]]


def test_status_filter_shows_closed_only_with_all(sponsor, worker):
    open_job, closing = create_job(sponsor), create_job(sponsor)
    sub = submit(worker, closing["id"])
    sponsor.client.post(f"/api/v1/jobs/{closing['id']}/close", {"winner_submission_id": sub["id"]}, format="json")
    default = [j["id"] for j in sponsor.client.get("/api/v1/jobs").json()["jobs"]]
    everything = [j["id"] for j in sponsor.client.get("/api/v1/jobs?status=all").json()["jobs"]]
    closed = [j["id"] for j in sponsor.client.get("/api/v1/jobs?status=closed").json()["jobs"]]
    assert default == [open_job["id"]]
    assert set(everything) == {open_job["id"], closing["id"]}
    assert closed == [closing["id"]]


@pytest.mark.parametrize("query", ["status=bogus", "limit=0", "limit=201", "limit=abc", "cursor=!!!"])
def test_list_rejects_bad_query_parameters(api, query):
    response = api.get(f"/api/v1/jobs?{query}")
    assert response.status_code == 400 and set(response.json()) == {"detail", "code"}


def test_detail_and_404(api, sponsor):
    job = create_job(sponsor)
    assert api.get(f"/api/v1/jobs/{job['id']}").json() == job
    missing = api.get(f"/api/v1/jobs/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["code"] == "job_not_found"
    assert api.get("/api/v1/jobs/not-a-uuid").status_code == 404


def test_submission_requires_agent_type_with_a_hint(make_wallet, sponsor):
    job = create_job(sponsor)
    human = make_wallet(stake_usdc=50)
    response = human.client.post("/api/v1/submissions", {"job_id": job["id"], "content": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "participant_type_required"
    assert "participant_type" in response.json()["detail"] and "PUT /api/v1/profile" in response.json()["detail"]


def test_submission_requires_stake_outside_demo(make_wallet, sponsor, settings):
    job = create_job(sponsor)
    unstaked = make_wallet(agent=True)
    body = {"job_id": job["id"], "content": "x"}
    response = unstaked.client.post("/api/v1/submissions", body, format="json")
    assert response.status_code == 403 and response.json()["code"] == "stake_required"
    settings.AGORA_SERVICE_STAGE = "demo"
    assert unstaked.client.post("/api/v1/submissions", body, format="json").status_code == 201


def test_submission_adds_one_reputation_point_recorded_in_the_ledger(worker, sponsor):
    from apps.agents.models import ReputationLedger

    job = create_job(sponsor)
    sub = submit(worker, job["id"], evidence=[{"type": "web", "source_url": "https://example.org/a",
                                               "quote": "q", "confidence": 0.5, "metadata": {"k": 1}}])
    assert sub["agent_address"] == worker.address and sub["evidence"][0]["source_url"] == "https://example.org/a"
    rep = worker.client.get(f"/api/v1/reputation/{worker.address}").json()
    assert rep["score"] == 1 and rep["level"] == 1
    entry = ReputationLedger.objects.get(address=worker.address)
    assert (entry.kind, entry.delta, entry.score_after, str(entry.submission_id)) == ("submission", 1, 1, sub["id"])


@pytest.mark.parametrize("evidence, fragment", [
    ([{"source_url": "ftp://example.org/x"}], "source_url"),
    ([{"source_url": "javascript:alert(1)"}], "source_url"),
    ([{"confidence": 1.5}], "confidence"),
    ([{"quote": "x" * 5001}], "quote"),
    ([{}] * 51, "evidence"),
    ("notalist", "evidence"),
    ([{"metadata": {"blob": "x" * 5000}}], "metadata"),
])
def test_evidence_is_validated(worker, sponsor, evidence, fragment):
    job = create_job(sponsor)
    response = worker.client.post("/api/v1/submissions", {"job_id": job["id"], "content": "x", "evidence": evidence},
                                  format="json")
    assert response.status_code == 400, response.content
    assert fragment in response.json()["detail"]


def test_submission_edges(worker, sponsor):
    job = create_job(sponsor)
    post = worker.client.post
    assert post("/api/v1/submissions", {"job_id": str(uuid.uuid4()), "content": "x"}, format="json").status_code == 404
    assert post("/api/v1/submissions", {"job_id": "nope", "content": "x"}, format="json").status_code == 400
    assert post("/api/v1/submissions", {"job_id": job["id"], "content": ""}, format="json").status_code == 400
    assert post("/api/v1/submissions", {"job_id": job["id"], "content": "x" * 20001},
                format="json").status_code == 400


def test_submissions_list_is_a_bare_list_in_creation_order_with_paging(worker, sponsor, api):
    job = create_job(sponsor)
    ids = [submit(worker, job["id"], content=f"c{i}")["id"] for i in range(5)]
    response = api.get(f"/api/v1/jobs/{job['id']}/submissions")
    assert [s["id"] for s in response.json()] == ids
    first = api.get(f"/api/v1/jobs/{job['id']}/submissions?limit=2")
    assert [s["id"] for s in first.json()] == ids[:2]
    rest = api.get(f"/api/v1/jobs/{job['id']}/submissions?after={first['X-Next-Cursor']}")
    assert [s["id"] for s in rest.json()] == ids[2:]
    assert api.get(f"/api/v1/jobs/{uuid.uuid4()}/submissions").status_code == 404


def test_job_representation_matches_the_documented_fields(sponsor, worker):
    from apps.jobs.serializers import JobListOutputSerializer, JobOutputSerializer

    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    closed = sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": sub["id"]},
                                 format="json").json()["job"]
    declared = set(JobOutputSerializer().fields)
    assert set(job) == declared and set(closed) == declared
    page = sponsor.client.get("/api/v1/jobs?status=all").json()
    assert set(page) == set(JobListOutputSerializer().fields)
    assert page["jobs"] and all(set(listed) == declared for listed in page["jobs"])
