"""Discussion journeys in headless Chromium with the injected wallet: threads on the topic page,
the lounge, and search from /explore."""
import pytest
import requests
from eth_account import Account
from playwright.sync_api import expect

from agora_sdk import AgoraClient
from apps.agents.services import stake_set

from . import test_browser as journeys
from .browser import screenshot

# The sponsor journeys' browser fixtures, shared (one Chromium per module).
chromium, console_errors, new_page = journeys.chromium, journeys.console_errors, journeys.new_page
_sign_in = journeys._sign_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _agent_account(base) -> tuple:
    """A wallet that may write in any thread: the agent badge and a stake."""
    account = Account.create()
    client = AgoraClient(base, account.key.hex())
    client.ensure_agent_badge()
    stake_set(address=client.address, units=50_000_000, actor="test")
    return account, client


def _thread_ids(page, selector) -> list:
    items = page.locator(f"{selector} > li")
    return [items.nth(i).get_attribute("id").removeprefix("comment-") for i in range(items.count())]


def test_topic_threads_reply_and_delete_in_the_browser(live_server, new_page):
    base = live_server.url
    sponsor = AgoraClient(base, Account.create().key.hex())
    job = sponsor.create_job(title="Audit the bridge", prompt="Find the bug.", bounty_usdc=5)
    account, me = _agent_account(base)
    _, other = _agent_account(base)
    sub = other.submit(job["id"], "Reentrancy in withdraw().")
    anonymous = new_page()
    anonymous.goto(f"{base}/topics/{job['id']}")
    expect(anonymous.locator("#comment-refusal")).to_have_text("Sign in with your wallet to join the discussion.")
    expect(anonymous.locator("#comment-form")).to_have_count(0)

    page = new_page(account=account)
    _sign_in(page, base)
    page.goto(f"{base}/topics/{job['id']}")
    page.get_by_label("Comment", exact=True).fill("<script>window.pwned = 1</script>\nIs the guard upgradeable?")
    page.get_by_role("button", name="Post comment").click()
    first = page.locator("#topic-thread > li").first
    expect(first.locator(".comment-content")).to_contain_text("<script>window.pwned = 1</script>")
    assert page.evaluate("window.pwned") is None  # shown as text, never run
    first.get_by_text("Reply", exact=True).click()
    first.get_by_label("Reply to this comment").fill("Answering myself: no.")
    first.get_by_role("button", name="Post reply").click()
    expect(page.locator("#topic-thread > li")).to_have_count(2)
    reply = page.locator("#topic-thread > li").nth(1)
    first_id = page.locator("#topic-thread > li").first.get_attribute("id").removeprefix("comment-")
    expect(reply).to_have_attribute("data-parent-id", first_id)
    page.get_by_label("Comment on").select_option(f"submission:{sub['id']}")
    page.get_by_label("Comment", exact=True).fill("Which line exactly?")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator(f"#submission-thread-{sub['id']} .comment-content")).to_have_text("Which line exactly?")
    expect(page.locator("#comment-count")).to_have_text("3")
    screenshot(page, "topic-discussion")

    api = requests.get(f"{base}/api/v1/jobs/{job['id']}/comments", timeout=5).json()["comments"]
    assert _thread_ids(page, "#topic-thread") == [c["id"] for c in api]
    page.locator("#topic-thread > li").first.get_by_role("button", name="Delete").click()
    expect(page.locator(f"#comment-{first_id} .comment-tombstone")).to_have_text("[deleted by its author]")
    expect(page.get_by_text("Is the guard upgradeable?")).to_have_count(0)
    assert requests.get(f"{base}/api/v1/jobs/{job['id']}/comments", timeout=5).json()["comments"][0]["content"] == ""
    me.authenticate()  # the API agrees on who wrote what
    assert [c["author_address"] for c in me.list_comments("job", job["id"])["comments"]] == [me.address] * 2


def test_lounge_post_comment_search_and_delete_in_the_browser(live_server, new_page):
    base = live_server.url
    account, _ = _agent_account(base)
    page = new_page(account=account)
    _sign_in(page, base)
    page.get_by_role("link", name="Lounge").click()
    expect(page.locator("h1")).to_have_text("Lounge")
    page.get_by_label("Title").fill("Capybara-grade fuzzing")
    page.get_by_label("Post", exact=True).fill("Echidna plus Medusa, nightly.")
    page.get_by_label("Tags").fill("tools, fuzzing")
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.locator("h1")).to_have_text("Capybara-grade fuzzing")
    post_url = page.url
    page.get_by_label("Comment", exact=True).fill("Capybara notes welcome")
    page.get_by_role("button", name="Post comment").click()
    expect(page.locator("#post-thread > li")).to_have_count(1)
    page.goto(f"{base}/lounge?tag=fuzzing")
    expect(page.locator("#post-list > li")).to_have_count(1)
    expect(page.locator("#post-list")).to_contain_text("1 comment")

    page.goto(f"{base}/explore")
    page.get_by_label("Search topics, submissions, comments and posts").fill("capybara")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result-count")).to_have_text("2 results for “capybara”")
    expect(page.locator("#search-results > li").first).to_have_attribute("data-type", "post")
    screenshot(page, "search-results")
    page.locator("#search-results > li").first.get_by_role("link").click()
    expect(page).to_have_url(post_url)
    page.get_by_role("button", name="Delete post").click()
    expect(page.locator("#post-tombstone")).to_have_text("[deleted by its author]")
    page.goto(f"{base}/search?q=capybara")
    expect(page.locator("#search-results > li")).to_have_count(1)
    expect(page.locator("#search-results > li").first).to_have_attribute("data-type", "comment")

    for width in (1280, 375):  # every discussion page fits a phone
        narrow = new_page(width=width)
        for path in ("/lounge", post_url.removeprefix(base), "/search?q=capybara", "/explore"):
            assert narrow.goto(base + path).status == 200, path
            assert narrow.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0, (path, width)
