"""Rate limits and bounded work on the sponsor pages and the admin sign-in."""
import pytest
from django.test import Client

from apps.auth.browser import SESSION_KEY
from apps.jobs import views
from tests.conftest import create_job, submit

pytestmark = pytest.mark.django_db


def _signed_in(address: str) -> Client:
    client = Client()
    session = client.session
    session[SESSION_KEY] = address
    session.save()
    return client


def test_the_topic_form_shares_the_per_address_write_limit(sponsor, settings):
    settings.AGORA_WRITE_RATE_LIMIT_PER_MIN = 2
    page = _signed_in(sponsor.address)
    form = {"title": "From the page", "prompt": "p", "bounty_usdc": "1", "tags": ""}
    codes = [page.post("/topics/new", form).status_code for _ in range(2)]
    limited = page.post("/topics/new", form)
    assert codes == [302, 302] and limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert "Too many changes" in limited.content.decode()
    # one budget per wallet, whichever door it comes through
    api = sponsor.client.post("/api/v1/jobs", {"title": "t", "prompt": "p", "bounty_usdc": 1}, format="json")
    assert api.status_code == 429


def test_the_close_form_shares_it_too(sponsor, worker, settings):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    settings.AGORA_WRITE_RATE_LIMIT_PER_MIN = 2  # create_job above was the sponsor's first write this minute
    assert sponsor.client.post("/api/v1/jobs", {"title": "t", "prompt": "p", "bounty_usdc": 1},
                               format="json").status_code == 201
    closed = _signed_in(sponsor.address).post(f"/topics/{job['id']}/close",
                                              {"winner_submission_id": sub["id"], "confirm": "on"})
    assert closed.status_code == 302 and closed["Retry-After"]
    assert sponsor.client.get(f"/api/v1/jobs/{job['id']}").json()["status"] == "open"


def test_the_live_fragment_is_limited_per_ip(sponsor, settings):
    job = create_job(sponsor)
    settings.AGORA_LIVE_RATE_LIMIT_PER_MIN = 2
    client = Client()
    codes = [client.get(f"/topics/{job['id']}/live").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get(f"/topics/{job['id']}/live")["Retry-After"]


def test_the_live_fragment_shows_one_page_of_submissions_and_the_top_of_the_ranking(
        sponsor, make_wallet, monkeypatch):
    monkeypatch.setattr(views, "SUBMISSIONS_PER_PAGE", 3)
    monkeypatch.setattr(views, "RANKING_SHOWN", 2)
    job = create_job(sponsor)
    for _ in range(5):
        submit(make_wallet(agent=True, stake_usdc=50), job["id"])
    first = Client().get(f"/topics/{job['id']}/live").content.decode()
    assert first.count('class="submission"') == 3 and 'id="submission-count">5<' in first
    assert first.count("data-submission-id=") == 2 and "and 3 more submissions" in first
    second = Client().get(f"/topics/{job['id']}/live?page=2").content.decode()
    assert second.count('class="submission"') == 2
    detail = Client().get(f"/topics/{job['id']}?page=2").content.decode()
    assert f"/topics/{job['id']}/live?page=2" in detail  # the refresh keeps the page the reader is on


def test_admin_sign_in_attempts_are_limited_per_ip(settings):
    settings.AGORA_ADMIN_LOGIN_RATE_LIMIT_PER_MIN = 2
    client = Client()
    attempts = [client.post("/admin/login/", {"username": "ops", "password": f"guess{i}"}).status_code
                for i in range(3)]
    assert attempts == [200, 200, 429]
    assert client.get("/admin/login/").status_code == 200  # the form itself still shows
