"""The pages this issue added, through Django's test client: the topic page's final vote and boost,
/account, /support and its JSON endpoints, and the old system's topic links."""
from datetime import timedelta

import pytest
from django.utils import timezone
from eth_abi import decode
from eth_utils import keccak

from apps.agents.services import agr_credit
from apps.auth.models import AgentSession
from apps.auth.services import session_create
from apps.jobs.models import Job, JobBoost, JobReceipt
from tests.conftest import create_job, submit
from tests.pages.test_pages import _browser, _csrf

pytestmark = pytest.mark.django_db


def _final(wallet, job_id, submission_id):
    response = wallet.client.post("/api/v1/final_votes", {"job_id": job_id, "submission_id": submission_id},
                                  format="json")
    assert response.status_code == 200, response.content


def test_old_topic_links_redirect_permanently(sponsor):
    job = create_job(sponsor)
    client = _browser()
    for old in (f"/jobs/{job['id']}", f"/quests/{job['id']}"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, f"/topics/{job['id']}")
    assert client.get("/jobs/not-a-uuid").status_code == 404


def test_the_topic_page_shows_the_window_tallies_and_finalizes(sponsor, worker, make_wallet):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    voter = make_wallet(agent=True, stake_usdc=50, score=1)
    _final(voter, job["id"], sub["id"])
    page = _browser(voter.address)
    html = page.get(f"/topics/{job['id']}").content.decode()
    assert 'id="final-vote-countdown"' in html and f'data-ends-at="{job["final_vote_ends_at"]}"' in html
    assert f'<li data-submission-id="{sub["id"]}" data-votes="1">' in html
    assert 'id="finalize-form"' not in html  # the window is still open
    Job.objects.filter(pk=job["id"]).update(final_vote_ends_at=timezone.now() - timedelta(seconds=1))
    live = page.get(f"/topics/{job['id']}/live").content.decode()  # the refreshed fragment offers it
    assert 'id="finalize-form"' in live and 'id="final-vote-countdown"' not in live
    assert 'id="finalize-form"' not in _browser(sponsor.address).get(f"/topics/{job['id']}").content.decode()
    stranger = _browser(make_wallet().address)
    token = _csrf(stranger, f"/topics/{job['id']}")
    refused = stranger.post(f"/topics/{job['id']}/finalize", {"csrfmiddlewaretoken": token}, follow=True)
    assert "only a wallet that cast a final vote" in refused.content.decode()
    token = _csrf(page, f"/topics/{job['id']}")
    assert _browser().post(f"/topics/{job['id']}/finalize").status_code == 403  # no CSRF, no session
    done = page.post(f"/topics/{job['id']}/finalize", {"csrfmiddlewaretoken": token}, follow=True)
    html = done.content.decode()
    assert 'id="receipt-close-method" data-value="final_vote"' in html and 'id="finalize-form"' not in html
    assert JobReceipt.objects.get(job_id=job["id"]).close_method == "final_vote"


def test_boosting_from_the_topic_page(sponsor, make_wallet):
    job = create_job(sponsor)
    booster = make_wallet()
    page = _browser(booster.address)
    assert 'id="boost-form"' in page.get(f"/topics/{job['id']}").content.decode()
    assert 'id="boost-form"' not in _browser().get(f"/topics/{job['id']}").content.decode()
    token = _csrf(page, f"/topics/{job['id']}")
    poor = page.post(f"/topics/{job['id']}/boost", {"amount_agr": 5, "duration_hours": 2,
                                                    "csrfmiddlewaretoken": token}, follow=True).content.decode()
    assert "not enough AGR" in poor
    bad = page.post(f"/topics/{job['id']}/boost", {"amount_agr": 0, "duration_hours": 2,
                                                   "csrfmiddlewaretoken": token}, follow=True).content.decode()
    assert "greater than or equal to 1" in bad
    agr_credit(address=booster.address, amount=8, reason="test")
    html = page.post(f"/topics/{job['id']}/boost", {"amount_agr": 5, "duration_hours": 2,
                                                    "csrfmiddlewaretoken": token}, follow=True).content.decode()
    assert "Boosted with 5 AGR for 2 h" in html and 'id="topic-featured"' in html
    assert JobBoost.objects.get().booster_address == booster.address


def test_account_edits_the_profile_and_revokes_only_ones_own_sessions(make_wallet):
    me, other = make_wallet(), make_wallet()
    assert _browser().get("/account").status_code == 401
    mine, token = session_create(address=me.address)
    foreign, _ = session_create(address=other.address)
    agr_credit(address=me.address, amount=50, reason="won a topic")
    page = _browser(me.address)
    html = page.get("/account").content.decode()
    assert f'data-session-id="{mine.id}" data-state="active"' in html and str(foreign.id) not in html
    assert 'id="agr-balance" data-value="50"' in html and 'id="stake-eligible" data-value="false"' in html
    csrf = _csrf(page, "/account")
    bad = page.post("/account", {"nickname": "x", "avatar_url": "ftp://nope", "participant_type": "agent",
                                 "csrfmiddlewaretoken": csrf})
    assert bad.status_code == 400 and 'id="id_avatar_url-error"' in bad.content.decode()
    saved = page.post("/account", {"nickname": "Ada", "avatar_url": "https://example.org/a.png",
                                   "participant_type": "agent", "csrfmiddlewaretoken": csrf}, follow=True)
    assert "Profile saved." in saved.content.decode()
    profile = me.client.get("/api/v1/profile").json()
    assert (profile["nickname"], profile["avatar_url"], profile["participant_type"]) == (
        "Ada", "https://example.org/a.png", "agent")
    page.post(f"/account/sessions/{foreign.id}/revoke", {"csrfmiddlewaretoken": csrf})
    assert AgentSession.objects.get(pk=foreign.id).revoked_at is None
    page.post(f"/account/sessions/{mine.id}/revoke", {"csrfmiddlewaretoken": csrf})
    assert AgentSession.objects.get(pk=mine.id).revoked_at is not None
    me.client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.client.get("/api/v1/profile").status_code == 401


def test_support_page_and_its_donation_transactions(settings):
    settings.AGORA_TREASURY_ADDRESS = ""
    client = _browser()
    assert 'id="support-unavailable"' in client.get("/support").content.decode()
    response = client.get("/support/donation-tx?asset=eth&amount=1&purpose=0")
    assert (response.status_code, response.json()["code"]) == (503, "treasury_not_configured")
    treasury = settings.AGORA_TREASURY_ADDRESS = "0x" + "7" * 40
    assert 'id="donate-form"' in client.get("/support").content.decode()
    eth = client.get("/support/donation-tx", {"asset": "eth", "amount": "0.0105", "purpose": "2",
                                              "memo": "for hosting"}).json()
    assert (eth["chain_id"], eth["amount_raw"], eth["purpose_id"]) == (31337, str(105 * 10**14), 2)
    assert eth["memo_hash"] == "0x" + keccak(text="for hosting").hex()
    (tx,) = eth["transactions"]
    assert (tx["to"], tx["value"]) == (treasury, hex(105 * 10**14))
    assert tx["data"][:10] == "0x" + keccak(text="donateEth(uint32,bytes32)")[:4].hex()
    assert decode(["uint32", "bytes32"], bytes.fromhex(tx["data"][10:])) == (2, keccak(text="for hosting"))
    usdc = client.get("/support/donation-tx", {"asset": "usdc", "amount": "12.5", "purpose": "0"}).json()
    approve, donate = usdc["transactions"]
    assert approve["to"] == settings.AGORA_USDC_ADDRESS and approve["value"] == donate["value"] == "0x0"
    assert decode(["address", "uint256"], bytes.fromhex(approve["data"][10:])) == (treasury, 12_500_000)
    assert decode(["uint256", "uint32", "bytes32"], bytes.fromhex(donate["data"][10:])) == (12_500_000, 0, bytes(32))
    for query, code in [({"asset": "btc", "amount": "1", "purpose": "0"}, "invalid_asset"),
                        ({"asset": "usdc", "amount": "1.0000001", "purpose": "0"}, "invalid_amount"),
                        ({"asset": "eth", "amount": "0", "purpose": "0"}, "invalid_amount"),
                        ({"asset": "eth", "amount": "NaN", "purpose": "0"}, "invalid_amount"),
                        ({"asset": "eth", "amount": "1", "purpose": "99"}, "invalid_purpose"),
                        ({"asset": "eth", "amount": "1", "purpose": "0", "memo": "m" * 201}, "invalid_memo")]:
        response = client.get("/support/donation-tx", query)
        assert (response.status_code, response.json()["code"]) == (400, code), query
    assert client.get("/support/donations/0x12").json()["code"] == "invalid_tx_hash"
    pending = client.get("/support/donations/0x" + "ab" * 32).json()
    assert (pending["counted"], pending["entries"], pending["donor"]) == (False, [], None)
