"""The operator's day in real headless Chromium with the injected wallet: sign in to /admin/ with the
wallet, see the queue, open a topic, export the pending anchors for the Safe. And a wallet that is not
an operator's is refused. The screenshots in docs/img/ come from this test: run it with
AGORA_DOCS_SCREENSHOTS=1 to refresh them (otherwise they go to test-artifacts/, so a test run leaves
the docs alone)."""
import json
import os
from pathlib import Path

import pytest
from eth_account import Account
from playwright.sync_api import expect

from agora_sdk import AgoraClient
from apps.jobs.models import AnchorBatch, AnchorStatus
from apps.onchain.anchoring import anchor_build

from .browser import SCREENSHOTS
from .test_browser import _agent, chromium, console_errors, new_page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
SAFE = "0x" + "5a" * 20


def _doc_shot(page, name: str) -> None:
    # The viewport only (not full_page): the part an operator sees first, and a small PNG.
    folder = DOCS_IMG if os.environ.get("AGORA_DOCS_SCREENSHOTS") else SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))


def _closed_topic(base) -> str:
    sponsor = AgoraClient(base, Account.create().key.hex())
    job = sponsor.create_job(title="Audit the indexer's reorg handling", prompt="Find the gaps, with sources.",
                             bounty_usdc="250", tags=["ops", "indexer"])
    subs = [_agent(base).submit(job["id"], f"Report {i}: the cursor check runs before every step.") for i in range(2)]
    _agent(base, score=16).vote(job["id"], subs[1]["id"])
    sponsor.close_job(job["id"], subs[1]["id"])
    if not AnchorBatch.objects.filter(job_id=job["id"]).exists():
        anchor_build(job_id=job["id"])
    return job["id"]


def _wallet_sign_in(page, base):
    page.goto(base + "/admin/")
    expect(page).to_have_url(base + "/admin/login/?next=/admin/")
    page.get_by_role("button", name="Sign in with wallet").click()


def test_an_operators_day(live_server, new_page, settings):  # noqa: F811
    base = live_server.url
    operator = Account.create()
    settings.AGORA_OPERATOR_ADDRESSES = [operator.address.lower()]
    settings.AGORA_ANCHOR_REGISTRY_ADDRESS = "0x" + "a1" * 20  # the export names it; no chain is needed
    job_id = _closed_topic(base)

    page = new_page(account=operator)
    page.goto(base + "/admin/login/")
    _doc_shot(page, "console-login")
    _wallet_sign_in(page, base)
    # Signed in, on the dashboard: the queue leads, with the pending anchor highlighted and a link to act.
    expect(page).to_have_url(base + "/admin/")
    expect(page.locator("#user-tools")).to_contain_text(operator.address.lower())
    row = page.locator("#attention tr", has=page.locator('[data-figure="anchors-to-export-for-the-safe"]'))
    expect(row).to_have_class("urgent")
    expect(row.locator("td.figure")).to_have_text("1")
    _doc_shot(page, "console-dashboard")

    # Open the topic from the Topics section.
    page.locator("#content-main tr.model-job th a").click()
    page.get_by_role("link", name="Audit the indexer's reorg handling").click()
    expect(page.locator(".field-bounty .readonly")).to_have_text("250 USDC")
    expect(page.locator(".field-tag_list .readonly")).to_have_text("ops, indexer")
    expect(page.locator("#submissions-group tbody tr.has_original")).to_have_count(2)
    expect(page.locator("#votes-group tbody tr.has_original")).to_have_count(1)
    expect(page.locator(".field-anchor_detail")).to_contain_text("Pending")
    expect(page.get_by_role("link", name="Sponsor page")).to_have_attribute("href", f"/topics/{job_id}")
    page.locator(".field-payout").scroll_into_view_if_needed()
    _doc_shot(page, "console-topic")

    # Back to the queue, and export the pending anchors for the Safe.
    page.goto(base + "/admin/")
    row.get_by_role("link", name="Export").click()
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option("export_to_safe")
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Safe address").fill(SAFE)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the Safe batch").click()
    batch = json.loads(Path(download.value.path()).read_text())
    anchor = AnchorBatch.objects.get(job_id=job_id)
    assert anchor.status == AnchorStatus.EXPORTED
    assert anchor.anchor_root.removeprefix("0x") in json.dumps(batch)
    page.goto(base + "/admin/")
    expect(page.locator('[data-figure="anchors-to-export-for-the-safe"]')).to_have_text("0")


def test_a_wallet_that_is_not_an_operators_is_refused(live_server, new_page, settings, console_errors):  # noqa: F811
    base = live_server.url
    settings.AGORA_OPERATOR_ADDRESSES = [Account.create().address.lower()]
    console_errors.expected_statuses = (403,)
    page = new_page(account=Account.create())
    _wallet_sign_in(page, base)
    expect(page.locator("#wallet-status")).to_contain_text("not an operator")
    page.goto(base + "/admin/")
    expect(page).to_have_url(base + "/admin/login/?next=/admin/")
