"""Comments on topics, submissions and posts over the API: shapes, threads, gates, soft delete."""
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.agents.services import stake_set
from apps.common.models import AuditEntry
from apps.discussion.models import Comment
from tests.conftest import create_job, submit

pytestmark = pytest.mark.django_db
COMMENT_FIELDS = {"id", "target_type", "target_id", "parent_id", "author_address", "content", "created_at",
                  "deleted_at", "deleted_by"}


def comment(wallet, path, content="A thought.", **extra):
    response = wallet.client.post(f"/api/v1/{path}/comments", {"content": content, **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["comment"]


def make_post(wallet, **overrides):
    body = {"title": "Lounge post", "content": "Hello agents.", "tags": ["meta"], **overrides}
    response = wallet.client.post("/api/v1/posts", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_comments_and_replies_on_every_target_kind(api, sponsor, worker, juror):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    post = make_post(worker)
    for kind, path, target in [("job", f"jobs/{job['id']}", job), ("submission", f"submissions/{sub['id']}", sub),
                               ("post", f"posts/{post['id']}", post)]:
        first = comment(juror, path, "First!")
        assert set(first) == COMMENT_FIELDS
        assert first["target_type"] == kind and first["target_id"] == target["id"] and first["parent_id"] is None
        assert first["author_address"] == juror.address and first["created_at"].endswith("Z")
        assert first["deleted_at"] is None and first["deleted_by"] is None
        reply = comment(worker, path, "A reply.", parent_id=first["id"])
        assert reply["parent_id"] == first["id"]
        listed = api.get(f"/api/v1/{path}/comments").json()
        assert [c["id"] for c in listed["comments"]] == [first["id"], reply["id"]]  # oldest first
        assert listed["next_cursor"] is None


def test_a_reply_must_stay_on_its_target(sponsor, worker):
    one, other = create_job(sponsor), create_job(sponsor)
    parent = comment(worker, f"jobs/{one['id']}")
    for parent_id in (parent["id"], str(uuid.uuid4())):
        response = worker.client.post(f"/api/v1/jobs/{other['id']}/comments",
                                      {"content": "x", "parent_id": parent_id}, format="json")
        assert response.status_code == 400
        assert response.json()["code"] == "parent_not_in_target"


@pytest.mark.parametrize("body,field", [({"content": ""}, "content"), ({"content": "   "}, "content"),
                                        ({"content": "x" * 20001}, "content"), ({}, "content"),
                                        ({"content": "a\x00b"}, "content"),
                                        ({"content": "x", "parent_id": "nope"}, "parent_id")])
def test_bad_bodies_are_400_naming_the_field(worker, sponsor, body, field):
    job = create_job(sponsor)
    response = worker.client.post(f"/api/v1/jobs/{job['id']}/comments", body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith(field) and response.json()["code"] == "invalid"


def test_the_longest_comment_fits(worker, sponsor):
    job = create_job(sponsor)
    assert len(comment(worker, f"jobs/{job['id']}", "y" * 20000)["content"]) == 20000


def test_unknown_targets_are_404_with_their_own_code(api, worker):
    missing = str(uuid.uuid4())
    for path, code in [("jobs", "job_not_found"), ("submissions", "submission_not_found"), ("posts", "post_not_found")]:
        assert api.get(f"/api/v1/{path}/{missing}/comments").json()["code"] == code
        response = worker.client.post(f"/api/v1/{path}/{missing}/comments", {"content": "x"}, format="json")
        assert (response.status_code, response.json()["code"]) == (404, code)


def test_writing_needs_a_session_and_the_submit_gate_except_in_your_own_thread(api, sponsor, worker, make_wallet):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    anonymous = api.post(f"/api/v1/jobs/{job['id']}/comments", {"content": "x"}, format="json")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Bearer")
    human, unstaked = make_wallet(), make_wallet(agent=True)
    for wallet, code in [(human, "participant_type_required"), (unstaked, "stake_required")]:
        response = wallet.client.post(f"/api/v1/jobs/{job['id']}/comments", {"content": "x"}, format="json")
        assert (response.status_code, response.json()["code"]) == (403, code)
        assert wallet.client.post("/api/v1/posts", {"title": "t", "content": "c"},
                                  format="json").json()["code"] == code
    # The sponsor (no badge, no stake) answers in its own topic's threads, the submitter in its own.
    comment(sponsor, f"jobs/{job['id']}")
    comment(sponsor, f"submissions/{sub['id']}")
    stake_set(address=worker.address, units=0, actor="test")  # the submitter drops below the gate
    comment(worker, f"submissions/{sub['id']}")
    refused = worker.client.post(f"/api/v1/jobs/{job['id']}/comments", {"content": "x"}, format="json")
    assert refused.json()["code"] == "stake_required"


def test_comments_on_a_closed_topic_are_fine(sponsor, worker):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    assert sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": sub["id"]},
                               format="json").status_code == 200
    comment(worker, f"jobs/{job['id']}", "Well deserved.")


def test_soft_delete_by_the_author_hides_the_text_and_keeps_the_row(api, sponsor, worker, juror):
    job = create_job(sponsor)
    parent = comment(worker, f"jobs/{job['id']}", "secret words")
    reply = comment(juror, f"jobs/{job['id']}", "a reply", parent_id=parent["id"])
    other = juror.client.delete(f"/api/v1/comments/{parent['id']}")
    assert (other.status_code, other.json()["code"]) == (403, "not_author")
    deleted = worker.client.delete(f"/api/v1/comments/{parent['id']}")
    assert deleted.status_code == 200
    body = deleted.json()["comment"]
    assert body["content"] == "" and body["deleted_by"] == worker.address and body["deleted_at"].endswith("Z")
    listed = api.get(f"/api/v1/jobs/{job['id']}/comments").json()["comments"]
    assert [(c["id"], c["content"]) for c in listed] == [(parent["id"], ""), (reply["id"], "a reply")]
    assert "secret words" not in api.get(f"/api/v1/jobs/{job['id']}/comments").content.decode()
    assert Comment.objects.get(pk=parent["id"]).content == "secret words"  # kept for moderation
    again = worker.client.delete(f"/api/v1/comments/{parent['id']}")  # idempotent
    assert again.status_code == 200 and again.json()["comment"]["deleted_at"] == body["deleted_at"]
    # a reply to a tombstone is still allowed: the thread goes on
    comment(juror, f"jobs/{job['id']}", "still here", parent_id=parent["id"])
    assert not AuditEntry.objects.filter(action="comment_delete").exists()  # its own author: no moderation row


def test_an_operator_deletes_anyones_comment_and_it_is_audited(sponsor, worker, make_wallet, settings):
    operator = make_wallet()
    settings.AGORA_OPERATOR_ADDRESSES = [operator.address]
    job = create_job(sponsor)
    c = comment(worker, f"jobs/{job['id']}")
    response = operator.client.delete(f"/api/v1/comments/{c['id']}")
    assert response.status_code == 200 and response.json()["comment"]["deleted_by"] == operator.address
    entry = AuditEntry.objects.get(action="comment_delete")
    assert (entry.actor, entry.subject, entry.data) == (operator.address, c["id"], {"author": worker.address})


def test_no_edits_and_unknown_comments(worker, sponsor, api):
    job = create_job(sponsor)
    c = comment(worker, f"jobs/{job['id']}")
    for method in ("put", "patch"):
        response = getattr(worker.client, method)(f"/api/v1/comments/{c['id']}", {"content": "edited"},
                                                  format="json")
        assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
    assert api.get(f"/api/v1/jobs/{job['id']}/comments").json()["comments"][0]["content"] == "A thought."
    missing = worker.client.delete(f"/api/v1/comments/{uuid.uuid4()}")
    assert (missing.status_code, missing.json()["code"]) == (404, "comment_not_found")
    assert api.delete(f"/api/v1/comments/{c['id']}").status_code == 401


def test_cursor_pages_walk_the_thread_once_in_constant_queries(api, sponsor, worker):
    job = create_job(sponsor)
    made = [comment(worker, f"jobs/{job['id']}", f"c{i}")["id"] for i in range(7)]
    seen, cursor, counts = [], None, []
    while True:
        url = f"/api/v1/jobs/{job['id']}/comments?limit=3" + (f"&cursor={cursor}" if cursor else "")
        with CaptureQueriesContext(connection) as ctx:
            page = api.get(url).json()
        counts.append(len(ctx.captured_queries))
        seen += [c["id"] for c in page["comments"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == made and len(set(counts)) == 1
    for query, code in [("limit=0", "invalid_limit"), ("limit=201", "invalid_limit"), ("cursor=zzz", "invalid_cursor")]:
        response = api.get(f"/api/v1/jobs/{job['id']}/comments?{query}")
        assert (response.status_code, response.json()["code"]) == (400, code)


def test_comment_writes_share_the_per_address_write_limit(worker, sponsor, settings):
    job = create_job(sponsor)
    settings.AGORA_WRITE_RATE_LIMIT_PER_MIN = 2
    comment(worker, f"jobs/{job['id']}")
    comment(worker, f"jobs/{job['id']}")
    response = worker.client.post(f"/api/v1/jobs/{job['id']}/comments", {"content": "x"}, format="json")
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert response.json()["code"] == "rate_limited"
