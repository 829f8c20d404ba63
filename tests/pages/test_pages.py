"""Server-rendered pages through Django's test client (the browser journeys are in test_browser.py)."""
import pytest
from django.test import Client

from apps.auth.browser import SESSION_KEY
from tests.conftest import create_job, submit, vote

pytestmark = pytest.mark.django_db


def _browser(address: str | None = None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if address:
        session = client.session
        session[SESSION_KEY] = address
        session.save()
    return client


def _csrf(client, path) -> str:
    client.get(path)
    return client.cookies["csrftoken"].value


def test_every_page_renders_with_a_title(sponsor, worker, juror):
    job = create_job(sponsor, title="A <b>bold</b> task", prompt="Line one\n<script>alert(1)</script>")
    sub = submit(worker, job["id"], evidence=[{"source_url": "https://example.org", "claim": "c", "confidence": 0}])
    vote(juror, job["id"], sub["id"])
    client = _browser()
    for path, title in [("/", "Bounties for AI agents"), ("/explore?status=all", "Explore topics"),
                        (f"/topics/{job['id']}", "A &lt;b&gt;bold&lt;/b&gt; task"),
                        (f"/agents/{worker.address}", "Agent"), ("/leaderboard", "Leaderboard")]:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert f"<title>{title}" in html, path
    detail = client.get(f"/topics/{job['id']}").content.decode()
    assert "<script>alert(1)</script>" not in detail and "&lt;script&gt;alert(1)&lt;/script&gt;" in detail
    assert "confidence 0" in detail


def test_404_page_and_bad_ids(client):
    for path in ("/topics/00000000-0000-0000-0000-000000000000", "/topics/nope", "/agents/0xnope", "/nowhere"):
        response = client.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


def test_new_topic_needs_sign_in_and_validates_next_to_fields(sponsor):
    assert _browser().get("/topics/new").status_code == 401
    client = _browser(sponsor.address)
    token = _csrf(client, "/topics/new")
    bad = client.post("/topics/new", {"title": "", "prompt": "p", "bounty_usdc": "1.1234567", "tags": "a," * 20,
                                      "csrfmiddlewaretoken": token})
    html = bad.content.decode()
    assert bad.status_code == 400
    assert 'id="id_title-error"' in html and 'id="id_bounty_usdc-error"' in html and 'id="id_tags-error"' in html
    ok = client.post("/topics/new", {"title": "Real", "prompt": "Do it", "bounty_usdc": "12.5", "tags": "x, y",
                                     "csrfmiddlewaretoken": token})
    assert ok.status_code == 302
    from apps.jobs.models import Job

    job = Job.objects.get(title="Real")
    assert (job.sponsor_address, job.bounty_units, job.tags) == (sponsor.address, 12_500_000, ["x", "y"])


def test_new_topic_without_csrf_is_refused(sponsor):
    client = _browser(sponsor.address)
    response = client.post("/topics/new", {"title": "t", "prompt": "p", "bounty_usdc": "1"})
    assert response.status_code == 403


def test_close_form_only_for_the_sponsor_and_forged_posts_get_403(sponsor, worker, make_wallet):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    stranger = make_wallet()
    as_stranger = _browser(stranger.address)
    assert 'id="close-form"' not in as_stranger.get(f"/topics/{job['id']}").content.decode()
    assert 'id="close-form"' not in _browser().get(f"/topics/{job['id']}").content.decode()
    token = _csrf(as_stranger, f"/topics/{job['id']}")
    forged = as_stranger.post(f"/topics/{job['id']}/close", {"winner_submission_id": sub["id"], "confirm": "on",
                                                             "csrfmiddlewaretoken": token})
    assert forged.status_code == 403
    anonymous = _browser()
    token = _csrf(anonymous, f"/topics/{job['id']}")
    assert anonymous.post(f"/topics/{job['id']}/close", {"winner_submission_id": sub["id"], "confirm": "on",
                                                         "csrfmiddlewaretoken": token}).status_code == 403
    as_sponsor = _browser(sponsor.address)
    assert 'id="close-form"' in as_sponsor.get(f"/topics/{job['id']}").content.decode()
    token = _csrf(as_sponsor, f"/topics/{job['id']}")
    unconfirmed = as_sponsor.post(f"/topics/{job['id']}/close", {"winner_submission_id": sub["id"],
                                                                 "csrfmiddlewaretoken": token})
    assert unconfirmed.status_code == 400 and 'id="confirm-error"' in unconfirmed.content.decode()
    closed = as_sponsor.post(f"/topics/{job['id']}/close", {"winner_submission_id": sub["id"], "confirm": "on",
                                                            "csrfmiddlewaretoken": token}, follow=True)
    html = closed.content.decode()
    assert 'id="receipt"' in html and 'id="close-form"' not in html


def test_explore_filters_and_pagination(sponsor, worker):
    for i in range(23):
        create_job(sponsor, title=f"topic {i}", tags=["even" if i % 2 == 0 else "odd"])
    closing = create_job(sponsor, title="closed one")
    sub = submit(worker, closing["id"])
    sponsor.client.post(f"/api/v1/jobs/{closing['id']}/close", {"winner_submission_id": sub["id"]}, format="json")
    client = _browser()
    first = client.get("/explore").content.decode()
    assert "23 topics" in first and "Page 1 of 2" in first and "closed one" not in first
    second = client.get("/explore?status=open&page=2").content.decode()
    assert "topic 0" in second and "Page 2 of 2" in second
    everything = client.get("/explore?status=all").content.decode()
    assert "24 topics" in everything and "closed one" in everything
    evens = client.get("/explore?status=open&tag=even").content.decode()
    assert "12 topics tagged" in evens and "status=open&amp;tag=even&amp;page=2" not in evens
    assert client.get("/explore?status=bogus&page=999").status_code == 200


def test_the_500_page_leaks_nothing(settings):
    settings.ROOT_URLCONF = "tests.pages.urls_500"
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/boom")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html and "<title>Something went wrong" in html
    assert "hunter2" not in html and "Traceback" not in html and "RuntimeError" not in html
