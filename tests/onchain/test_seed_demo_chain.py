"""`make run`'s demo data on the local chain: stake for the demo agent and juror, a donation from the sponsor,
and a closed demo topic with its receipt, all through the real contracts and services."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from eth_account import Account

from apps.agents.models import OnchainStake
from apps.jobs.management.commands.seed_demo import DEMO_CLOSED_TITLE, DEMO_KEYS
from apps.jobs.models import Job, JobReceipt
from apps.onchain.devharness import Harness
from apps.treasury.models import TreasuryEntry

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def chain(settings):
    settings.AGORA_ONCHAIN_CONFIRMATIONS = 0
    harness = Harness(settings)
    settings.AGORA_STAKE_CONTRACT_ADDRESS = harness.stake.address.lower()
    settings.AGORA_TREASURY_ADDRESS = harness.treasury.address.lower()
    yield harness
    harness.stop()


def test_seed_demo_chain_stakes_and_donates_once_and_the_indexer_shows_it(chain):
    sponsor, agent, juror = (Account.from_key(DEMO_KEYS[k]) for k in ("sponsor", "agent", "juror"))
    for account in (sponsor, agent, juror):  # make run's anvil gives them ETH; deploy_contracts --fund, USDC
        chain.w3.provider.make_request("anvil_setBalance", [account.address, hex(10**20)])
        chain.fund(account, 10_000 * 10**6)
    call_command("seed_demo_chain", stdout=StringIO())
    again = StringIO()
    call_command("seed_demo_chain", stdout=again)
    assert "already on chain" in again.getvalue()
    assert chain.stake.functions.stakeOf(agent.address).call() == 100 * 10**6  # not twice
    chain.index()
    assert OnchainStake.objects.get(address=agent.address.lower()).staked_units == 100 * 10**6
    assert OnchainStake.objects.get(address=juror.address.lower()).staked_units == 100 * 10**6
    assert TreasuryEntry.objects.filter(address=sponsor.address.lower()).exists()


def test_seed_demo_chain_refuses_a_chain_without_the_vaults(chain, settings):
    settings.AGORA_STAKE_CONTRACT_ADDRESS = ""
    with pytest.raises(CommandError, match="deploy_contracts"):
        call_command("seed_demo_chain")


def test_seed_demo_closes_a_topic_with_its_receipt_once():
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    closed = Job.objects.get(title=DEMO_CLOSED_TITLE)
    assert closed.status == "closed" and JobReceipt.objects.filter(job=closed).count() == 1
    assert Job.objects.filter(title=DEMO_CLOSED_TITLE).count() == 1
