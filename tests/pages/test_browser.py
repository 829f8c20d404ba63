"""Sponsor journeys in real headless Chromium against a live server on PostgreSQL."""
import os

import pytest
import requests
from eth_account import Account
from playwright.sync_api import expect, sync_playwright

from agora_sdk import AgoraClient
from apps.agents.services import reputation_set, stake_set

from .browser import install_wallet, launch, screenshot, watch_console

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make here are
# ordinary blocking calls on their own connection, which Django would otherwise refuse.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


class ConsoleErrors(list):
    """Console errors seen on any page. A test that provokes a failing request on purpose (a 401
    from /auth/verify) lists that status in `expected_statuses`; anything else fails the test."""

    expected_statuses: tuple = ()

    def unexpected(self) -> list:
        allowed = [f"status of {status}" for status in self.expected_statuses]
        return [e for e in self if not ("Failed to load resource" in e and any(a in e for a in allowed))]


@pytest.fixture
def console_errors():
    errors = ConsoleErrors()
    yield errors
    assert errors.unexpected() == [], "JavaScript console errors:\n" + "\n".join(errors.unexpected())


@pytest.fixture
def new_page(chromium, console_errors):
    contexts = []

    def make(*, account=None, reject=False, width=1280):
        context = chromium.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        watch_console(page, console_errors)
        if account is not None:
            install_wallet(page, account, reject=reject)
        return page

    yield make
    for context in contexts:
        context.close()


def _sign_in(page, base):
    page.goto(base + "/")
    page.get_by_role("button", name="Sign in with wallet").click()
    expect(page.locator(".account-chip")).to_be_visible()


def _agent(base, *, score=0):
    client = AgoraClient(base, Account.create().key.hex())
    client.ensure_agent_badge()
    stake_set(address=client.address, units=50_000_000, actor="test")
    if score:
        reputation_set(address=client.address, score=score, kind="dev_set", reason="browser test", actor="test")
    return client


def test_full_sponsor_journey(live_server, new_page):
    base = live_server.url
    sponsor = Account.create()
    page = new_page(account=sponsor)
    _sign_in(page, base)
    expect(page.locator(".account-chip")).to_have_attribute("title", sponsor.address.lower())
    screenshot(page, "home-signed-in")

    page.get_by_role("link", name="Post a topic").first.click()
    page.get_by_label("Title").fill("Map the EIP-4361 attack surface")
    page.get_by_label("Prompt").fill("List the ways a SIWE login can go wrong.\nCite sources.")
    page.get_by_label("Bounty (USDC)").fill("120.5")
    page.get_by_label("Tags").fill("security, ethereum")
    screenshot(page, "topic-new")
    page.get_by_role("button", name="Post topic").click()
    expect(page.locator("h1")).to_have_text("Map the EIP-4361 attack surface")
    job_id = page.locator("article.topic").get_attribute("data-job-id")

    writers = [_agent(base) for _ in range(2)]
    subs = [w.submit(job_id, f"Answer {i}", evidence=[{"type": "web", "source_url": "https://eips.ethereum.org/EIPS/eip-4361",
                                                      "claim": "nonce replay", "confidence": 0.8}])
            for i, w in enumerate(writers)]
    jurors = [_agent(base, score=s) for s in (16, 4, 1)]
    jurors[0].vote(job_id, subs[1]["id"])
    jurors[1].vote(job_id, subs[0]["id"])
    jurors[2].vote(job_id, subs[1]["id"])
    # the open topic's page refreshes itself: the ranking arrives without a reload
    expect(page.locator("#ranking li").first).to_have_attribute("data-submission-id", subs[1]["id"], timeout=15000)
    expect(page.locator("#submission-count")).to_have_text("2")
    screenshot(page, "topic-live-ranking")

    page.reload()
    page.locator(f'input[name="winner_submission_id"][value="{subs[1]["id"]}"]').check()
    page.get_by_label("I confirm this winner. Closing is final.").check()
    page.get_by_role("button", name="Close topic").click()
    receipt = page.locator("#receipt")
    expect(receipt).to_be_visible()
    screenshot(page, "topic-receipt")

    api = requests.get(f"{base}/api/v1/jobs/{job_id}", timeout=5).json()
    assert api["status"] == "closed"
    assert receipt.get_attribute("data-winner") == api["winner_submission_id"] == subs[1]["id"]
    shown_closed_at = page.locator("#receipt-closed-at").get_attribute("datetime")
    assert shown_closed_at == api["closed_at"] == api["receipt"]["closed_at"]
    rows = page.locator("#receipt-ranking tbody tr")
    shown = [(rows.nth(i).get_attribute("data-submission-id"), int(rows.nth(i).get_attribute("data-weighted")),
              int(rows.nth(i).get_attribute("data-voters"))) for i in range(rows.count())]
    assert shown == [(r["submission_id"], r["weighted_votes"], r["voters"]) for r in api["receipt"]["ranking"]]
    assert shown == [(subs[1]["id"], 5 + 2, 2), (subs[0]["id"], 3, 1)]
    for field in ("bounty_units", "agent_payout_units", "platform_fee_units", "jury_pool_units"):
        value = page.locator(f'#receipt-payout [data-field="{field}"]').get_attribute("data-value")
        assert int(value) == api["receipt"]["payout"][field], field
    assert page.locator('#receipt-policy [data-field="agr_mint_per_win"]').inner_text() == \
        str(api["receipt"]["policy"]["agr_mint_per_win"])
    expect(page.locator("#topic-status")).to_have_text("Closed")
    expect(page.locator("#close-form")).to_have_count(0)


def test_a_non_sponsor_never_sees_the_close_form(live_server, new_page):
    base = live_server.url
    owner = AgoraClient(base, Account.create().key.hex())
    job = owner.create_job(title="Someone else's topic", prompt="p", bounty_usdc=1)
    _agent(base).submit(job["id"], "work")
    page = new_page(account=Account.create())
    _sign_in(page, base)
    page.goto(f"{base}/topics/{job['id']}")
    expect(page.locator("h1")).to_have_text("Someone else's topic")
    expect(page.locator("#close-form")).to_have_count(0)
    anonymous = new_page()
    anonymous.goto(f"{base}/topics/{job['id']}")
    expect(anonymous.locator("#close-form")).to_have_count(0)


def test_sign_in_without_a_wallet_says_what_is_needed(live_server, new_page):
    page = new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Sign in with wallet").click()
    expect(page.locator("#wallet-status")).to_contain_text("No browser wallet found")
    expect(page.locator("#wallet-status")).to_have_attribute("data-kind", "error")


def test_a_rejected_signature_shows_a_clear_message(live_server, new_page):
    page = new_page(account=Account.create(), reject=True)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Sign in with wallet").click()
    expect(page.locator("#wallet-status")).to_contain_text("You rejected the signature request")
    expect(page.get_by_role("button", name="Sign in with wallet")).to_be_enabled()
    expect(page.locator(".account-chip")).to_have_count(0)


def test_an_expired_challenge_shows_a_clear_message(live_server, new_page, settings, console_errors):
    settings.AGORA_AUTH_NONCE_TTL_SECONDS = 0  # issued already expired
    console_errors.expected_statuses = (401,)  # the refused verify request itself
    page = new_page(account=Account.create())
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Sign in with wallet").click()
    expect(page.locator("#wallet-status")).to_contain_text("expired")
    expect(page.locator(".account-chip")).to_have_count(0)


def test_sign_out_ends_the_session(live_server, new_page, console_errors):
    console_errors.expected_statuses = (401,)  # /topics/new answers 401 once signed out
    page = new_page(account=Account.create())
    _sign_in(page, live_server.url)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in with wallet")).to_be_visible()
    page.goto(live_server.url + "/topics/new")
    expect(page.locator("h1")).to_have_text("Sign in to continue")


def test_explore_filters_keep_state_in_the_url_and_paginate(live_server, new_page):
    base = live_server.url
    sponsor = AgoraClient(base, Account.create().key.hex())
    for i in range(22):
        sponsor.create_job(title=f"Open topic {i:02d}", prompt="p", bounty_usdc=i, tags=["batch"])
    closing = sponsor.create_job(title="Closed topic", prompt="p", bounty_usdc=5, tags=["batch"])
    sub = _agent(base).submit(closing["id"], "w")
    sponsor.close_job(closing["id"], sub["id"])
    page = new_page()
    page.goto(base + "/explore")
    expect(page.locator("#result-count")).to_have_text("22 topics")
    expect(page.get_by_text("Closed topic")).to_have_count(0)
    page.get_by_label("Status").select_option("all")
    page.get_by_label("Tag", exact=True).fill("batch")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(f"{base}/explore?status=all&tag=batch")
    expect(page.locator("#result-count")).to_have_text("23 topics tagged “batch”")
    expect(page.get_by_role("link", name="Closed topic")).to_be_visible()
    screenshot(page, "explore")
    page.get_by_role("link", name="Older →").click()
    expect(page).to_have_url(f"{base}/explore?status=all&tag=batch&page=2")
    expect(page.locator("#topic-list > li")).to_have_count(3)
    expect(page.get_by_label("Status")).to_have_value("all")


def test_pages_render_without_errors_and_fit_a_phone(live_server, new_page, console_errors):
    console_errors.expected_statuses = (404,)  # the not-found page is visited on purpose
    base = live_server.url
    sponsor = AgoraClient(base, Account.create().key.hex())
    job = sponsor.create_job(title="A topic with a long title that has to wrap on a small phone screen", prompt="p",
                             bounty_usdc="1234567.891011", tags=["mobile", "layout"])
    agent = _agent(base)
    agent.submit(job["id"], "An answer long enough to wrap " * 5)
    for width in (1280, 375):
        page = new_page(width=width)
        for name, path in [("home", "/"), ("explore", "/explore"), ("topic", f"/topics/{job['id']}"),
                           ("agent", f"/agents/{agent.address}"), ("leaderboard", "/leaderboard"),
                           ("not-found", "/topics/00000000-0000-0000-0000-000000000000")]:
            response = page.goto(base + path)
            assert response.status == (404 if name == "not-found" else 200), path
            assert page.title().endswith("· Agora"), path
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways at {width}px"
            screenshot(page, f"{name}-{width}")
