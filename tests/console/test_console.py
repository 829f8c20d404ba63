"""The console as an operator uses it: the dashboard's queue with links to act, and a topic's page."""
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from apps.jobs.models import AnchorBatch
from apps.onchain.anchoring import anchor_build
from apps.onchain.models import ChainStream
from tests.conftest import create_job, submit, vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    client.force_login(User.objects.create_superuser("ops", "ops@agora.example", "pw"))
    return client


def _row(html: str, figure: str) -> str:
    found = re.search(rf'<tr class="(\w+)">\s*<th scope="row">[^<]*</th>\s*<td class="figure" data-figure="{figure}">'
                      rf'([^<]*)</td>\s*<td>(.*?)</td>', html, re.S)
    assert found, figure
    return found.groups()


def _closed_topic(sponsor, worker, juror):
    job = create_job(sponsor, title="Ops review", tags=["ops", "infra"], bounty_usdc="12.5")
    sub = submit(worker, job["id"], content="The fix, with sources.")
    vote(juror, job["id"], sub["id"], review="solid")
    closed = sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": sub["id"]}, format="json")
    assert closed.status_code == 200, closed.content
    anchor_build(job_id=job["id"])  # what the after-commit task does; this test's transaction never commits
    return job, sub


def test_the_queue_leads_with_what_needs_a_human_and_links_to_act(operator, sponsor, worker, juror):
    html = operator.get("/admin/").content.decode()
    assert html.index("Needs a human") < html.index("At a glance")
    assert _row(html, "anchors-to-export-for-the-safe")[:2] == ("calm", "0")
    _closed_topic(sponsor, worker, juror)
    ChainStream.objects.create(name="stake_vault", chain_id=31337, contract_address="0x" + "1" * 40, start_block=0,
                               next_block=1, halted=True)
    html = operator.get("/admin/").content.decode()
    state, value, act = _row(html, "anchors-to-export-for-the-safe")
    assert (state, value) == ("urgent", "1") and "/admin/jobs/anchorbatch/?status__exact=pending" in act
    assert operator.get("/admin/jobs/anchorbatch/?status__exact=pending").status_code == 200
    state, value, act = _row(html, "halted-or-lagging-indexer-streams")
    assert (state, value) == ("urgent", "1") and "stake_vault" in act
    for figure in ("slash-proposals-awaiting-approval", "unexplained-slashes-investigate-now"):
        link = re.search(r'href="([^"]+)"', _row(html, figure)[2]).group(1).replace("&amp;", "&")
        assert operator.get(link).status_code == 200, link  # a filter the list accepts (else a ?e=1 redirect)


def test_recent_5xx_and_429_are_counted(operator, settings):
    settings.ROOT_URLCONF = "tests.pages.urls_500"
    settings.AGORA_ADMIN_LOGIN_RATE_LIMIT_PER_MIN = 1
    html = operator.get("/admin/").content.decode()
    assert _row(html, "server-errors-5xx-last-60-min")[1] == "0"
    assert _row(html, "rate-limited-requests-429-last-60-min")[1] == "0"
    visitor = Client(raise_request_exception=False)
    assert visitor.get("/boom").status_code == 500
    assert visitor.get("/boom").status_code == 500
    statuses = [visitor.post("/admin/login/", {"username": "x", "password": "y"}).status_code for _ in range(3)]
    assert statuses.count(429) == 2
    html = operator.get("/admin/").content.decode()
    assert _row(html, "server-errors-5xx-last-60-min")[:2] == ("urgent", "2")
    assert _row(html, "rate-limited-requests-429-last-60-min")[:2] == ("urgent", "2")


def test_a_closed_topic_page_shows_the_topic_whole(operator, sponsor, worker, juror):
    job, sub = _closed_topic(sponsor, worker, juror)
    html = operator.get(f"/admin/jobs/job/{job['id']}/change/").content.decode()
    assert re.search(r'field-bounty.*?<div class="readonly">12.5 USDC</div>', html, re.S)
    assert re.search(r'field-tag_list.*?<div class="readonly">ops, infra</div>', html, re.S)
    assert f'href="/topics/{job["id"]}"' in html and f'href="/api/v1/jobs/{job["id"]}"' in html
    # Inline submissions and votes.
    assert "The fix, with sources." in html and worker.address in html
    assert "solid" in html and juror.address in html
    # The frozen receipt and the anchor.
    assert re.search(r"winning agent [\d.]+ USDC · jury pool [\d.]+ USDC", html)
    assert '<table class="ranking">' in html
    anchor = AnchorBatch.objects.get(job_id=job["id"])
    assert f"/admin/jobs/anchorbatch/{anchor.pk}/change/" in html and anchor.anchor_root in html
    # Close fields that were never given (an API close has no chain details) are not shown empty.
    assert "Close tx hash" not in html


def test_an_open_topic_page_has_no_close_sections(operator, sponsor):
    job = create_job(sponsor)
    html = operator.get(f"/admin/jobs/job/{job['id']}/change/").content.decode()
    assert "100 USDC" in html and "Receipt (frozen at close)" not in html


def test_one_name_per_concept(operator):
    html = operator.get("/admin/").content.decode()
    for wrong in ("Jobs<", "Job receipts", "Treasury entrys", "Anchor batchs", "Audit entrys", "Anchor mismatchs"):
        assert wrong not in html, wrong
    for right in ("Topics<", "Receipts", "Treasury entries", "Anchors", "Audit entries"):
        assert right in html, right
