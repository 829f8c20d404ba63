"""The pages this issue added, in real headless Chromium with the injected wallet: finalizing a topic
after its final vote, the account page, and a donation sent to a real anvil and counted by the indexer."""
import re
from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from eth_account import Account
from eth_utils import keccak
from playwright.sync_api import expect

from agora_sdk import AgoraClient
from apps.agents.services import agr_credit
from apps.common.chain_client import send
from apps.jobs.models import Job
from apps.onchain.devharness import Harness
from apps.treasury.models import TreasuryEntry

from .browser import install_wallet, screenshot
from .test_browser import _agent, _sign_in, chromium, console_errors, new_page  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_final_voter_finalizes_from_the_topic_page(live_server, new_page):  # noqa: F811
    base = live_server.url
    sponsor = AgoraClient(base, Account.create().key.hex())
    job = sponsor.create_job(title="Which report is right?", prompt="p", bounty_usdc=20, final_vote_window_seconds=3600)
    a, b = (_agent(base).submit(job["id"], f"answer {i}") for i in range(2))
    voter, other = _agent(base, score=1), _agent(base, score=1)
    voter.final_vote(job["id"], b["id"])
    other.final_vote(job["id"], b["id"])
    page = new_page(account=voter.account)
    _sign_in(page, base)
    page.goto(f"{base}/quests/{job['id']}")  # an old link lands on the topic
    expect(page).to_have_url(f"{base}/topics/{job['id']}")
    expect(page.locator("#final-vote-countdown")).to_contain_text("min")
    left = int(page.locator("#final-vote-countdown").get_attribute("data-seconds-left"))
    assert 3500 < left <= 3600
    expect(page.locator(f'#final-tally li[data-submission-id="{b["id"]}"]')).to_have_attribute("data-votes", "2")
    expect(page.locator("#my-final-vote")).to_have_attribute("data-submission-id", b["id"])
    expect(page.locator("#finalize-form")).to_have_count(0)
    screenshot(page, "topic-final-vote-open")

    Job.objects.filter(pk=job["id"]).update(final_vote_ends_at=timezone.now() - timedelta(seconds=1))
    page.reload()
    expect(page.locator("#final-vote-status")).to_contain_text("ready to finalize")
    page.get_by_role("button", name="Finalize with the top submission").click()
    expect(page.locator("#receipt-close-method")).to_have_attribute("data-value", "final_vote")
    expect(page.locator("#receipt")).to_have_attribute("data-winner", b["id"])
    screenshot(page, "topic-finalized")
    api = requests.get(f"{base}/api/v1/jobs/{job['id']}", timeout=5).json()
    assert (api["status"], api["winner_submission_id"], api["receipt"]["close_method"]) == ("closed", b["id"],
                                                                                         "final_vote")
    assert a["id"] != api["winner_submission_id"]


def test_the_account_page_edits_the_profile_and_revokes_a_session(live_server, new_page):  # noqa: F811
    base = live_server.url
    me = Account.create()
    sdk = AgoraClient(base, me.key.hex())
    token = sdk.authenticate()  # an API session the page should list
    agr_credit(address=me.address.lower(), amount=75, reason="won a topic")
    page = new_page(account=me)
    _sign_in(page, base)
    page.locator(".account-chip").click()
    expect(page.locator("h1")).to_have_text("Your account")
    expect(page.locator("#agr-balance")).to_have_text("75")
    expect(page.locator("#stake-eligible")).to_have_attribute("data-value", "false")
    page.get_by_label("Nickname").fill("Ada the agent")
    page.get_by_label("Participant type").select_option("agent")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Profile saved.")).to_be_visible()
    expect(page.get_by_label("Nickname")).to_have_value("Ada the agent")
    profile = sdk.get_profile()
    assert (profile["nickname"], profile["participant_type"]) == ("Ada the agent", "agent")
    row = page.locator("#sessions tbody tr").first
    expect(row).to_have_attribute("data-state", "active")
    screenshot(page, "account")
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator("#sessions tbody tr").first).to_have_attribute("data-state", "revoked")
    stale = requests.get(f"{base}/api/v1/profile", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert stale.status_code == 401
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/account", "/support"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, path


def test_a_donation_from_the_support_page_is_counted_and_earns_the_donor_avatar(live_server, new_page, settings):  # noqa: F811
    chain = Harness(settings)  # a fresh anvil with the suite deployed and the indexer's streams
    try:
        settings.AGORA_TREASURY_ADDRESS = chain.treasury.address.lower()
        settings.AGORA_ONCHAIN_CONFIRMATIONS = 0
        settings.AGORA_ETH_USD_RATE = "3000"
        donor = chain.accounts[7]
        page = new_page()
        install_wallet(page, donor, rpc_url=chain.rpc_url)
        page.goto(live_server.url + "/support")
        page.get_by_label("Amount").fill("0.004")  # $12 at $3000
        page.get_by_label("Purpose").select_option(label="Agent bounties")
        page.get_by_label("Memo (optional)").fill("keep the lights on")
        page.get_by_role("button", name="Donate with wallet").click()
        expect(page.locator("#donate-tx")).to_have_text(re.compile(r"^0x[0-9a-f]{64}$"), timeout=20000)  # mined
        tx_hash = page.locator("#donate-tx").inner_text()
        expect(page.locator("#donate-counted")).to_have_attribute("data-counted", "false")
        chain.index()
        expect(page.locator("#donate-counted")).to_have_attribute("data-counted", "true", timeout=20000)
        expect(page.locator("#donate-total")).to_have_text("$12.00")
        avatar = page.locator("#donor-avatar")
        expect(avatar).to_be_visible()
        assert avatar.get_attribute("src") == f"/avatars/{donor.address.lower()}.svg"
        screenshot(page, "support-donated")
        entry = TreasuryEntry.objects.get(tx_hash=tx_hash)
        assert (entry.address, entry.amount_raw, entry.purpose_id, entry.asset) == (
            donor.address.lower(), 4 * 10**15, 2, "0x" + "0" * 40)
        assert entry.memo_hash == "0x" + keccak(text="keep the lights on").hex()

        # USDC takes two transactions from the wallet: approve, then donateUsdc
        send(chain.w3, chain.deployer, chain.usdc.functions.mint(donor.address, 5 * 10**6))
        page.get_by_label("Asset").select_option("usdc")
        page.get_by_label("Amount").fill("2.5")
        page.get_by_role("button", name="Donate with wallet").click()
        expect(page.locator("#donate-tx")).not_to_have_text(tx_hash, timeout=20000)
        usdc_tx = page.locator("#donate-tx").inner_text()
        chain.index()
        expect(page.locator("#donate-total")).to_have_text("$14.50", timeout=20000)
        usdc_entry = TreasuryEntry.objects.get(tx_hash=usdc_tx)
        assert (usdc_entry.asset, usdc_entry.amount_raw, usdc_entry.usd_micro) == (chain.usdc.address.lower(),
                                                                                  2_500_000, 2_500_000)
        assert chain.usdc.functions.balanceOf(donor.address).call() == 2_500_000
    finally:
        chain.stop()
