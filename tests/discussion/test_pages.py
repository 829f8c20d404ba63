"""The discussion on the server-rendered pages (Django's test client; the browser journeys are in
tests/pages/test_browser_discussion.py)."""
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.discussion.models import Comment, Post
from tests.conftest import create_job, submit
from tests.discussion.test_comments_api import comment, make_post
from tests.pages.test_pages import _browser, _csrf

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


def _post(client, path, data, page):
    return client.post(path, {**data, "csrfmiddlewaretoken": _csrf(client, page)})


def test_the_topic_page_shows_threads_escaped_and_a_form_only_to_who_may_write(sponsor, worker, juror, make_wallet):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    parent = comment(juror, f"jobs/{job['id']}", f"Careful: {XSS}")
    reply = comment(worker, f"jobs/{job['id']}", "Noted.", parent_id=parent["id"])
    on_sub = comment(sponsor, f"submissions/{sub['id']}", "Which version?")
    html = _browser().get(f"/topics/{job['id']}").content.decode()
    assert XSS not in html and "Careful: &lt;script&gt;alert(1)&lt;/script&gt;" in html
    thread = re.findall(r'id="comment-([0-9a-f-]{36})"', html)
    assert thread == [parent["id"], reply["id"], on_sub["id"]]
    assert 'style="--indent: 1"' in html and f'id="submission-thread-{sub["id"]}"' in html
    assert 'id="comment-form"' not in html and "Sign in with your wallet to join the discussion." in html
    human = _browser(make_wallet().address).get(f"/topics/{job['id']}").content.decode()
    assert 'id="comment-form"' not in human and "participant_type" in human
    for who in (sponsor, worker):  # the sponsor always; an agent that passes the gate
        page = _browser(who.address).get(f"/topics/{job['id']}").content.decode()
        assert 'id="comment-form"' in page and f'value="submission:{sub["id"]}"' in page


def test_comment_reply_and_delete_through_the_page_forms(sponsor, worker, juror):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    page = f"/topics/{job['id']}"
    client = _browser(juror.address)
    posted = _post(client, "/comments/new", {"target": f"submission:{sub['id']}", "content": "Source?"}, page)
    made = Comment.objects.get(author_address=juror.address)
    assert posted.status_code == 302 and posted["Location"] == f"{page}#comment-{made.id}"
    assert (made.target_type, str(made.target_id)) == ("submission", sub["id"])
    as_worker = _browser(worker.address)
    replied = _post(as_worker, "/comments/new", {"target": f"submission:{sub['id']}", "parent_id": made.id,
                                                 "content": "The 2024 report."}, page)
    assert replied.status_code == 302 and Comment.objects.get(parent=made).author_address == worker.address
    assert _post(as_worker, f"/comments/{made.id}/delete", {}, page).status_code == 403
    deleted = _post(client, f"/comments/{made.id}/delete", {}, page)
    assert deleted.status_code == 302
    html = client.get(page).content.decode()
    assert "Source?" not in html and "[deleted by its author]" in html and "The 2024 report." in html
    # refusals come back as a notice on the page, never a 500
    empty = _post(client, "/comments/new", {"target": f"job:{job['id']}", "content": ""}, page)
    assert empty.status_code == 302 and empty["Location"] == f"{page}#discussion"
    wrong_parent = _post(client, "/comments/new", {"target": f"job:{job['id']}", "parent_id": made.id,
                                                   "content": "x"}, page)
    assert "parent_id is not a comment on the same target" in client.get(wrong_parent["Location"]).content.decode()
    for target in ("vote:" + job["id"], "job:nope", "job:00000000-0000-0000-0000-000000000000", ""):
        assert _post(client, "/comments/new", {"target": target, "content": "x"}, page).status_code in (302, 404)
    assert not Comment.objects.filter(content="x").exists()
    assert _browser().post("/comments/new", {"target": f"job:{job['id']}", "content": "x"}).status_code == 403  # CSRF


def test_the_topic_page_reads_threads_in_constant_queries(sponsor, worker, juror):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert _browser(juror.address).get(f"/topics/{job['id']}").status_code == 200
        return len(ctx.captured_queries)

    comment(juror, f"jobs/{job['id']}")
    before = queries()
    for i in range(5):
        parent = comment(juror, f"jobs/{job['id']}", f"c{i}")
        comment(worker, f"submissions/{sub['id']}", f"s{i}")
        comment(sponsor, f"jobs/{job['id']}", f"r{i}", parent_id=parent["id"])
    assert queries() == before


def test_lounge_write_read_and_delete(worker, juror, make_wallet):
    old = make_post(juror, title="Old news", tags=["news"])
    client = _browser(worker.address)
    lounge = client.get("/lounge").content.decode()
    assert 'id="post-form"' in lounge and "Old news" in lounge and "0 comments" in lounge
    bad = _post(client, "/lounge/new", {"title": "", "content": "c", "tags": ""}, "/lounge")
    assert bad.status_code == 400 and 'id="post-form"' in bad.content.decode()
    made = _post(client, "/lounge/new", {"title": f"Tools {XSS}", "content": "I use\nFoundry.", "tags": "tools, x"},
                 "/lounge")
    post = Post.objects.get(author_address=worker.address)
    assert made.status_code == 302 and made["Location"] == f"/lounge/{post.id}"
    assert post.tags == ["tools", "x"]
    page = client.get(f"/lounge/{post.id}").content.decode()
    assert XSS not in page and "I use<br>Foundry." in page and 'id="post-delete-form"' in page
    assert 'id="post-delete-form"' not in _browser(juror.address).get(f"/lounge/{post.id}").content.decode()
    tagged = _browser().get("/lounge?tag=news").content.decode()
    assert "Old news" in tagged and "Tools" not in tagged and "Sign in with your wallet" in tagged
    assert "participant_type" in _browser(make_wallet().address).get("/lounge").content.decode()
    _post(client, "/comments/new", {"target": f"post:{old['id']}", "content": "nice"}, "/lounge")
    assert "1 comment" in _browser().get("/lounge").content.decode()
    assert _post(_browser(juror.address), f"/lounge/{post.id}/delete", {}, "/lounge").status_code == 403
    assert _post(client, f"/lounge/{post.id}/delete", {}, "/lounge").status_code == 302
    gone = client.get(f"/lounge/{post.id}").content.decode()
    assert "Foundry" not in gone and "[deleted by its author]" in gone and "its thread is closed" in gone
    assert "Tools" not in client.get("/lounge").content.decode()
    assert client.get("/lounge?cursor=garbage").status_code == 200
    assert client.get("/lounge/00000000-0000-0000-0000-000000000000").status_code == 404


def test_search_page_and_the_box_on_explore(sponsor, worker, api):
    job = create_job(sponsor, title="Quokka census", prompt="Count them.")
    sub = submit(worker, job["id"], content="About 10,000 quokkas on Rottnest.")
    post = make_post(worker, title="Quokka selfies", content="Ethics?")
    on_post = comment(worker, f"posts/{post['id']}", "quokka etiquette")
    explore = _browser().get("/explore").content.decode()
    assert 'action="/search"' in explore and 'name="q"' in explore
    html = _browser().get("/search?q=quokka").content.decode()
    links = dict(re.findall(r'data-id="([0-9a-f-]{36})">.*?<a href="([^"]+)"', html, re.S))
    assert links == {job["id"]: f"/topics/{job['id']}", sub["id"]: f"/topics/{job['id']}#submission-{sub['id']}",
                     post["id"]: f"/lounge/{post['id']}",
                     on_post["id"]: f"/lounge/{post['id']}#comment-{on_post['id']}"}
    only_posts = _browser().get("/search?q=quokka&type=post").content.decode()
    assert "1 result for" in only_posts
    assert _browser().get("/search?q=" + "x" * 201).status_code == 400
    assert _browser().get("/search").status_code == 200
