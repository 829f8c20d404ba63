"""Operators' view of the indexer: commands, admin, metrics, the treasury page, donor avatars."""
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from apps.agents.models import AgentProfile, OnchainStake
from apps.onchain.devharness import Harness
from apps.onchain.models import ChainEvent, ChainStream, ReorgLog
from apps.treasury.avatars import avatar_svg

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(settings):
    settings.AGORA_ONCHAIN_CONFIRMATIONS = 0
    harness = Harness(settings)
    yield harness
    harness.stop()


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_status_reset_and_backfill_commands(chain):
    alice = chain.accounts[5]
    chain.fund(alice, 10**9)
    first = chain.deposit(alice, 3 * 10**6)["blockNumber"]
    second = chain.deposit(alice, 4 * 10**6)["blockNumber"]
    _run("run_indexer")
    status = _run("indexer_status")
    assert "stake_vault" in status and "treasury_vault" in status and "ok" in status

    dry = _run("indexer_reset_cursor", "--stream", "stake_vault", "--to-block", str(second))
    assert "rolls back 1 event(s)" in dry and "dry run" in dry
    assert OnchainStake.objects.get(address=alice.address.lower()).staked_units == 7 * 10**6
    done = _run("indexer_reset_cursor", "--stream", "stake_vault", "--to-block", str(second), "--commit")
    assert "rolled back 1 event(s)" in done
    assert OnchainStake.objects.get(address=alice.address.lower()).staked_units == 3 * 10**6
    assert ReorgLog.objects.get(kind="reset").actor == "indexer_reset_cursor"
    _run("run_indexer", "--stream", "stake_vault")
    assert OnchainStake.objects.get(address=alice.address.lower()).staked_units == 7 * 10**6

    dry = _run("indexer_backfill", "--stream", "stake_vault", "--from-block", str(first), "--to-block", str(second))
    assert "dry run" in dry and "rolls back 2 stored event(s)" in dry
    out = StringIO()
    call_command("indexer_backfill", "--stream", "stake_vault", "--from-block", str(first), "--to-block",
                 str(second), "--commit", stdout=out)
    assert "backfilled" in out.getvalue()
    assert OnchainStake.objects.get(address=alice.address.lower()).staked_units == 7 * 10**6
    assert ChainEvent.objects.filter(name="Deposited").count() == 2


@pytest.mark.parametrize("args, message", [
    (["indexer_reset_cursor", "--stream", "nope", "--to-block", "1"], "no stream named"),
    (["indexer_reset_cursor", "--stream", "stake_vault", "--to-block", "-1"], ">= 0"),
    (["indexer_backfill", "--stream", "stake_vault", "--from-block", "9", "--to-block", "3"], "from-block"),
])
def test_commands_reject_bad_input(chain, args, message):
    with pytest.raises(CommandError, match=message):
        call_command(*args, stdout=StringIO())


def test_backfill_beyond_the_safe_head_stops_with_a_clear_error(chain):
    with pytest.raises(CommandError, match="safe head"):
        call_command("indexer_backfill", "--stream", "stake_vault", "--from-block", "1", "--to-block", "100000",
                     "--commit", stdout=StringIO())


def test_admin_reset_is_guarded_by_typing_the_stream_name(chain, client):
    alice = chain.accounts[5]
    chain.fund(alice, 10**9)
    block = chain.deposit(alice, 2 * 10**6)["blockNumber"]
    chain.index()
    client.force_login(User.objects.create_superuser("ops", "o@x", "pw"))
    stream = chain.stream("stake_vault")
    url = "/admin/onchain/chainstream/"
    wrong = client.post(url, {"action": "reset_cursor_action", "_selected_action": [stream.pk], "apply": "1",
                              "to_block": block, "confirm_name": "stake"})
    assert wrong.status_code == 200 and "Type stake_vault exactly" in wrong.content.decode()
    assert ChainEvent.objects.filter(name="Deposited").count() == 1
    ok = client.post(url, {"action": "reset_cursor_action", "_selected_action": [stream.pk], "apply": "1",
                           "to_block": block, "confirm_name": "stake_vault"})
    assert ok.status_code == 302
    assert ChainEvent.objects.filter(name="Deposited").count() == 0
    assert ReorgLog.objects.get(kind="reset").actor == "admin:ops"
    assert client.get("/admin/onchain/chainevent/?q=" + alice.address.lower()).status_code == 200
    dashboard = client.get("/admin/").content.decode()
    assert "Indexer stake_vault" in dashboard


def test_metrics_expose_every_stream(chain, client):
    chain.mine(2)
    chain.index()
    text = client.get("/metrics").content.decode()
    for name in ("head_block", "safe_head_block", "cursor_block", "lag_blocks", "last_step_seconds",
                 "last_success_timestamp_seconds", "events_total", "reorgs_total", "rolled_back_events_total",
                 "consecutive_failures", "lag_seconds"):
        assert f'agora_indexer_{name}{{stream="stake_vault"}}' in text, name
    assert 'agora_indexer_lag_blocks{stream="treasury_vault"} 0.0' in text
    assert 'agora_indexer_consecutive_failures{stream="treasury_vault"} 0.0' in text
    lag = float(text.split('agora_indexer_lag_seconds{stream="treasury_vault"} ')[1].split()[0])
    assert 0 <= lag < 30  # seconds since the step just taken


def test_treasury_page_and_donor_avatar(chain, client):
    donor, small = chain.accounts[8], chain.accounts[9]
    chain.fund(donor, 10**9)
    chain.fund(small, 10**9)
    chain.donate_usdc(donor, 12 * 10**6, purpose=3)
    chain.donate_eth(donor, 10**15, purpose=3)
    chain.donate_usdc(small, 10**6, purpose=3)
    chain.spend_usdc(small, 5 * 10**6, purpose=3)
    chain.index()
    html = client.get("/treasury").content.decode()
    assert "<title>Treasury" in html
    assert f'href="/agents/{donor.address.lower()}"' in html
    assert 'data-purpose="3"' in html and 'data-in="13000000" data-out="5000000"' in html
    profile = AgentProfile.objects.get(address=donor.address.lower())
    assert profile.avatar_mode == "donor"
    first = client.get(f"/avatars/{donor.address}.svg")
    second = client.get(f"/avatars/{donor.address.lower()}.svg")
    assert first["Content-Type"] == "image/svg+xml" and first.content == second.content
    assert first.content.decode() == avatar_svg(profile.avatar_seed)
    assert avatar_svg("a") != avatar_svg("b") and avatar_svg("a") == avatar_svg("a")
    assert 'id="donor-avatar"' in client.get(f"/agents/{donor.address}").content.decode()
    assert AgentProfile.objects.get(address=small.address.lower()).avatar_mode == "manual"
    assert client.get("/avatars/0xnope.svg").status_code == 404


def test_onchain_stake_gates_submissions_when_enabled(chain, settings, make_wallet, sponsor):
    from tests.conftest import create_job

    settings.AGORA_ONCHAIN_STAKE_ENABLED = True
    agent = make_wallet(agent=True, stake_usdc=50)  # an off-chain stake no longer counts
    job = create_job(sponsor)
    body = {"job_id": job["id"], "content": "x"}
    assert agent.client.post("/api/v1/submissions", body, format="json").json()["code"] == "stake_required"
    chain.fund(chain.accounts[5], 10**9)
    from apps.common.chain_client import send

    send(chain.w3, chain.accounts[5], chain.stake.functions.depositFor(agent.account.address, 10 * 10**6))
    chain.index()
    status = agent.client.get(f"/api/v1/stake/status?address={agent.address}").json()
    assert status["staked_amount"] == 10 and status["stake_chain_id"] == 31337
    assert status["stake_contract_address"] == chain.stream("stake_vault").contract_address
    assert agent.client.post("/api/v1/submissions", body, format="json").status_code == 201
    assert ChainStream.objects.count() == 3


def test_the_beat_task_indexes_every_stream(chain, settings):
    from apps.onchain.tasks import index_streams

    entry = settings.CELERY_BEAT_SCHEDULE["onchain-index-streams"]
    assert entry["task"] == "apps.onchain.tasks.index_streams" and entry["options"]["expires"] > 0
    alice = chain.accounts[5]
    chain.fund(alice, 10**9)
    chain.deposit(alice, 6 * 10**6)
    results = index_streams()
    assert any(r["stream"] == "stake_vault" and r["status"] == "advanced" for r in results)
    assert OnchainStake.objects.get(address=alice.address.lower()).staked_units == 6 * 10**6
    settings.AGORA_RPC_URL = ""
    assert index_streams() == []  # nothing configured: nothing to do, no error
