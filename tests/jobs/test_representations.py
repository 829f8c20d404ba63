"""The hot endpoints build their JSON directly; these keep it identical to the serializers that
document it in OpenAPI."""
import uuid

import pytest

from apps.jobs.models import Submission, Vote
from apps.jobs.serializers import (
    SubmissionOutputSerializer,
    VoteOutputSerializer,
    submission_representation,
    vote_representation,
)
from tests.conftest import create_job, submit, vote

pytestmark = pytest.mark.django_db


def test_submission_and_vote_representations_match_their_serializers(sponsor, worker, juror):
    job = create_job(sponsor)
    evidence = [{"source_url": "https://example.org/a", "confidence": 0.5, "metadata": {"n": 3, "x": [1.5, None]}},
                {"claim": "c", "retrieved_at": "2026-01-02T03:04:05Z"}]
    created = submit(worker, job["id"], evidence=evidence)
    cast = vote(juror, job["id"], created["id"], review="good")
    stored = Submission.objects.get(pk=created["id"])
    assert submission_representation(stored) == SubmissionOutputSerializer(stored).data == created
    stored_vote = Vote.objects.get(job_id=job["id"], voter_address=juror.address)
    assert vote_representation(stored_vote) == VoteOutputSerializer(stored_vote).data
    assert cast == vote_representation(stored_vote)


def test_submission_list_pages_and_404s_in_one_query(api, sponsor, worker, django_assert_num_queries):
    job = create_job(sponsor)
    with django_assert_num_queries(1):
        assert api.get(f"/api/v1/jobs/{job['id']}/submissions").json() == []
    ids = [submit(worker, job["id"], content=f"c{i}")["id"] for i in range(3)]
    with django_assert_num_queries(1):
        first = api.get(f"/api/v1/jobs/{job['id']}/submissions?limit=2")
    assert [s["id"] for s in first.json()] == ids[:2]
    rest = api.get(f"/api/v1/jobs/{job['id']}/submissions?after={first['X-Next-Cursor']}")
    assert [s["id"] for s in rest.json()] == ids[2:] and "X-Next-Cursor" not in rest
    with django_assert_num_queries(1):
        assert api.get(f"/api/v1/jobs/{uuid.uuid4()}/submissions").status_code == 404
