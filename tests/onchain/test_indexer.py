"""The indexer against a real anvil and real PostgreSQL: ingestion, projections, reorgs."""
from decimal import Decimal

import pytest

from apps.agents.models import AgentProfile, OnchainStake
from apps.onchain.devharness import Harness
from apps.onchain.models import ChainEvent, ChainStream, ReorgLog, SlashingEvent
from apps.treasury.models import DonorTotal, TreasuryEntry
from apps.treasury.services import avatar_seed_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(settings):
    settings.AGORA_ONCHAIN_CONFIRMATIONS = 0
    settings.AGORA_ONCHAIN_MAX_REORG_DEPTH = 16
    settings.AGORA_ETH_USD_RATE = "2500.50"
    harness = Harness(settings)
    yield harness
    harness.stop()


def _stake(address):
    row = OnchainStake.objects.filter(address=address.lower()).first()
    return row.staked_units if row else Decimal(0)


def test_every_event_reaches_its_projection_exactly(chain, api):
    alice, bob, carol = chain.accounts[5], chain.accounts[6], chain.accounts[7]
    for who in (alice, bob, carol):
        chain.fund(who, 1_000 * 10**6)
    chain.deposit(alice, 100_000_001)
    chain.deposit(bob, 50 * 10**6)
    chain.withdraw(alice, 1)
    slash = chain.slash(bob, 80 * 10**6, carol)  # capped at bob's 50
    chain.donate_eth(carol, 3 * 10**15, purpose=7)  # 0.003 ETH at $2500.50 = $7.5015
    chain.donate_usdc(carol, 2_500_000, purpose=7)  # $2.50 -> total $10.0015: donor
    chain.donate_usdc(alice, 4 * 10**6, purpose=2)
    chain.spend_usdc(bob, 1_500_000, purpose=2)
    chain.anchor()
    results = chain.index()
    assert {r.status for r in results} <= {"advanced", "idle"}

    assert _stake(alice.address) == 100 * 10**6
    assert _stake(bob.address) == 0
    stake = OnchainStake.objects.get(address=bob.address.lower())
    assert stake.stake_tx_hash == "0x" + slash["transactionHash"].hex().removeprefix("0x")
    status = api.get(f"/api/v1/stake/status?address={bob.address}").json()
    assert status["staked_amount"] == 0
    slashed = SlashingEvent.objects.get()
    assert (slashed.agent_address, slashed.amount_units, slashed.requested_units) == (bob.address.lower(), 50 * 10**6,
                                                                                     80 * 10**6)
    listed = api.get(f"/api/v1/slashing/events?address={bob.address}").json()["events"]
    assert listed[0]["amount_usdc"] == 50 and listed[0]["recipient_address"] == carol.address.lower()

    eth = TreasuryEntry.objects.get(address=carol.address.lower(), asset="0x" + "0" * 40)
    assert (eth.amount_raw, eth.usd_micro, eth.eth_usd_rate, eth.purpose_id) == (3 * 10**15, 7_501_500,
                                                                                 Decimal("2500.50"), 7)
    donor = DonorTotal.objects.get(address=carol.address.lower())
    assert donor.total_usd_micro == 10_001_500
    profile = AgentProfile.objects.get(address=carol.address.lower())
    assert profile.avatar_mode == "donor"
    assert profile.avatar_seed == avatar_seed_for(carol.address.lower(), donor.first_donation_event_id)
    assert DonorTotal.objects.get(address=alice.address.lower()).total_usd_micro == 4 * 10**6
    assert AgentProfile.objects.get(address=alice.address.lower()).avatar_mode == "manual"
    spend = TreasuryEntry.objects.get(direction="out")
    assert (spend.address, spend.amount_raw, spend.executor) == (bob.address.lower(), 1_500_000,
                                                                 chain.owner.address.lower())
    anchor = ChainEvent.objects.get(name="AnchorPosted")
    assert anchor.args["uri"] == "https://agora.example/a.json" and anchor.args["root"] == "0x" + "01" * 32
    assert ChainEvent.objects.filter(id__startswith="31337:0x").count() == ChainEvent.objects.count()


def test_replaying_a_range_changes_nothing(chain):
    alice = chain.accounts[5]
    chain.fund(alice, 10**9)
    chain.deposit(alice, 10**6)
    chain.donate_usdc(alice, 20 * 10**6)
    chain.index()
    before = (list(ChainEvent.objects.order_by("id").values_list("id", "args")), _stake(alice.address),
              DonorTotal.objects.get().total_usd_micro)
    for stream in ChainStream.objects.all():  # force the same blocks to be read again
        ChainStream.objects.filter(pk=stream.pk).update(next_block=stream.start_block, last_block_number=None,
                                                        last_block_hash="")
    chain.index()
    after = (list(ChainEvent.objects.order_by("id").values_list("id", "args")), _stake(alice.address),
             DonorTotal.objects.get().total_usd_micro)
    assert after == before


def test_a_reorg_that_removes_a_deposit_reverts_the_stake(chain):
    alice = chain.accounts[5]
    chain.fund(alice, 10**9)
    chain.deposit(alice, 5 * 10**6)
    chain.index()
    snap = chain.snapshot()
    chain.deposit(alice, 7 * 10**6)
    chain.index()
    assert _stake(alice.address) == 12 * 10**6
    chain.revert(snap)
    chain.mine(5)  # the new branch is longer than the old one
    results = chain.index()
    assert "reorg" in {r.status for r in results}
    assert _stake(alice.address) == 5 * 10**6
    assert ChainEvent.objects.filter(name="Deposited").count() == 1
    stream = chain.stream("stake_vault")
    assert stream.reorgs == 1 and stream.rolled_back_events == 1
    log = ReorgLog.objects.get(stream=stream)
    assert log.events_removed == 1 and log.kind == "reorg"


def test_a_reorg_that_replaces_a_donation_keeps_only_the_new_one(chain):
    donor = chain.accounts[8]
    chain.fund(donor, 10**9)
    chain.index()
    snap = chain.snapshot()
    chain.donate_usdc(donor, 15 * 10**6, purpose=1)  # crosses $10: donor mode on
    chain.index()
    assert AgentProfile.objects.get(address=donor.address.lower()).avatar_mode == "donor"
    chain.revert(snap)
    chain.donate_usdc(donor, 3 * 10**6, purpose=4)  # a different donation in its place
    chain.mine(3)
    chain.index()
    entries = list(TreasuryEntry.objects.filter(address=donor.address.lower()).values_list("amount_raw", "purpose_id"))
    assert entries == [(3 * 10**6, 4)]
    assert DonorTotal.objects.get(address=donor.address.lower()).total_usd_micro == 3 * 10**6
    # rolling back the donation that crossed the threshold turns donor mode off again
    profile = AgentProfile.objects.get(address=donor.address.lower())
    assert profile.avatar_mode == "manual"


def test_anvil_reorg_is_detected_by_hash(chain):
    alice = chain.accounts[5]
    chain.fund(alice, 10**9)
    chain.deposit(alice, 4 * 10**6)
    chain.mine(2)
    chain.index()
    old_hash = chain.stream("stake_vault").last_block_hash
    # anvil_reorg: drop the last 3 blocks and mine 3 new ones (a real reorganisation, same height)
    chain.w3.provider.make_request("anvil_reorg", [3, []])
    results = chain.index()
    assert "reorg" in {r.status for r in results}
    assert chain.stream("stake_vault").last_block_hash != old_hash
    assert _stake(alice.address) == 0  # the deposit was in a dropped block


def test_a_reorg_while_the_indexer_was_stopped_is_found_on_restart(chain):
    alice = chain.accounts[5]
    chain.fund(alice, 10**9)
    snap = chain.snapshot()
    chain.deposit(alice, 9 * 10**6)
    chain.index()  # ... and the indexer stops here
    chain.revert(snap)
    chain.mine(4)  # the chain moved on without that deposit while nobody watched
    chain.index()  # restart: the stored hash no longer matches
    assert _stake(alice.address) == 0
    assert chain.stream("stake_vault").reorgs == 1


def test_three_reorgs_in_a_row(chain):
    alice = chain.accounts[5]
    chain.fund(alice, 10**9)
    chain.index()
    for amount in (1, 2, 3):
        snap = chain.snapshot()
        chain.deposit(alice, amount * 10**6)
        chain.index()
        chain.revert(snap)
        chain.mine(2)
    chain.deposit(alice, 10 * 10**6)
    chain.index()
    assert _stake(alice.address) == 10 * 10**6
    assert chain.stream("stake_vault").reorgs == 3
    assert ChainEvent.objects.filter(name="Deposited").count() == 1


def test_a_reorg_deeper_than_the_maximum_halts_the_stream(chain, settings, client):
    settings.AGORA_ONCHAIN_MAX_REORG_DEPTH = 4
    alice = chain.accounts[5]
    chain.fund(alice, 10**9)
    chain.index()
    snap = chain.snapshot()
    fork = chain.head()  # the last block both branches share
    chain.deposit(alice, 6 * 10**6)
    chain.mine(10)
    chain.index()
    chain.revert(snap)
    chain.mine(20)
    results = chain.index()
    stream = chain.stream("stake_vault")
    assert stream.halted and "deeper than" in stream.halted_reason
    assert any(r.status == "halted" for r in results)
    assert _stake(alice.address) == 6 * 10**6  # nothing guessed: the data stays until an operator acts
    metrics = client.get("/metrics").content.decode()
    assert 'agora_indexer_halted{stream="stake_vault"} 1.0' in metrics
    # the runbook's recovery ("Deep reorg: a halted stream"): rewind to a block both chains agree on, then index
    from io import StringIO

    from django.core.management import call_command

    status = StringIO()
    call_command("indexer_status", stdout=status)
    assert "HALTED: reorg deeper than" in status.getvalue()
    call_command("indexer_reset_cursor", "--stream", "stake_vault", "--to-block", str(fork), "--commit",
                 stdout=StringIO())
    assert not chain.stream("stake_vault").halted
    chain.index()
    assert _stake(alice.address) == 0  # the deposit was on the abandoned branch
    assert 'agora_indexer_halted{stream="stake_vault"} 0.0' in client.get("/metrics").content.decode()
