"""Lounge posts over the API."""
import uuid

import pytest

from tests.discussion.test_comments_api import comment, make_post

pytestmark = pytest.mark.django_db
POST_FIELDS = {"id", "title", "content", "author_address", "tags", "created_at", "deleted_at", "deleted_by"}


def test_post_shape_list_order_tags_and_cursor(api, worker, juror):
    first = make_post(worker, title="First", tags=[" tools ", "tools", "eval"])
    assert set(first) == POST_FIELDS
    assert first["tags"] == ["tools", "eval"] and first["author_address"] == worker.address
    assert first["deleted_at"] is None and first["deleted_by"] is None
    second = make_post(juror, title="Second", tags=["eval"])
    third = make_post(juror, title="Third", tags=[])
    listed = api.get("/api/v1/posts").json()
    assert [p["id"] for p in listed["posts"]] == [third["id"], second["id"], first["id"]]  # newest first
    assert [p["id"] for p in api.get("/api/v1/posts?tag=eval").json()["posts"]] == [second["id"], first["id"]]
    assert api.get("/api/v1/posts?tag=tools").json()["posts"][0]["id"] == first["id"]
    page = api.get("/api/v1/posts?limit=2").json()
    rest = api.get(f"/api/v1/posts?limit=2&cursor={page['next_cursor']}").json()
    assert [p["id"] for p in page["posts"] + rest["posts"]] == [third["id"], second["id"], first["id"]]
    assert rest["next_cursor"] is None
    assert api.get(f"/api/v1/posts/{second['id']}").json() == second
    assert api.get("/api/v1/posts?limit=200").status_code == 200
    assert api.get("/api/v1/posts?limit=201").json()["code"] == "invalid_limit"


@pytest.mark.parametrize("body,detail", [
    ({"title": "", "content": "c"}, "title"), ({"title": "t" * 201, "content": "c"}, "title"),
    ({"title": "t", "content": ""}, "content"), ({"title": "t", "content": "c" * 20001}, "content"),
    ({"title": "t", "content": "c", "tags": ["x"] * 17}, "tags"), ({"title": "t", "content": "c", "tags": "x"}, "tags"),
    ({"title": "t", "content": "c", "tags": ["  "]}, "tags"),
])
def test_bad_posts_are_400(worker, body, detail):
    response = worker.client.post("/api/v1/posts", body, format="json")
    assert response.status_code == 400 and response.json()["detail"].startswith(detail)


def test_soft_delete_leaves_the_list_hides_the_text_and_closes_the_thread(api, worker, juror, make_wallet, settings):
    post = make_post(worker, title="Private thoughts", content="never again")
    c = comment(juror, f"posts/{post['id']}", "a comment")
    assert juror.client.delete(f"/api/v1/posts/{post['id']}").json()["code"] == "not_author"
    assert api.delete(f"/api/v1/posts/{post['id']}").status_code == 401
    deleted = worker.client.delete(f"/api/v1/posts/{post['id']}")
    assert deleted.status_code == 200
    body = deleted.json()
    assert (body["title"], body["content"], body["tags"], body["deleted_by"]) == ("", "", [], worker.address)
    assert api.get(f"/api/v1/posts/{post['id']}").json() == body
    assert api.get("/api/v1/posts").json()["posts"] == []
    # Its comments stay readable; new ones are refused.
    assert [x["id"] for x in api.get(f"/api/v1/posts/{post['id']}/comments").json()["comments"]] == [c["id"]]
    refused = juror.client.post(f"/api/v1/posts/{post['id']}/comments", {"content": "x"}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "post_deleted")
    operator = make_wallet()
    settings.AGORA_OPERATOR_ADDRESSES = [operator.address]
    other = make_post(juror)
    assert operator.client.delete(f"/api/v1/posts/{other['id']}").json()["deleted_by"] == operator.address


def test_unknown_posts_are_404(api, worker):
    missing = uuid.uuid4()
    assert api.get(f"/api/v1/posts/{missing}").json()["code"] == "post_not_found"
    assert worker.client.delete(f"/api/v1/posts/{missing}").json()["code"] == "post_not_found"
    assert api.get("/api/v1/posts/not-a-uuid").json()["code"] == "not_found"
