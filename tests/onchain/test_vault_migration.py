"""Moving to a new StakeVault (docs/runbook.md, "Moving to a new StakeVault"): the indexer follows the old
and the new vault at once and each agent's stake is the sum, until the old one is empty; a dev-chain
redeploy instead drops the old vault's stake."""
from io import StringIO

import pytest
from django.core.management import call_command

from apps.agents.models import OnchainStake
from apps.common.chain_client import contract, deploy, send
from apps.common.errors import InvalidInput
from apps.common.rpc import JsonRpc
from apps.onchain.devharness import Harness
from apps.onchain.indexer import run_until_idle
from apps.onchain.models import ChainStream
from apps.onchain.services import stake_vault_follow_new, stream_ensure

pytestmark = pytest.mark.django_db
DAY = 24 * 3600
USDC = 10**6


@pytest.fixture
def chain(settings):
    settings.AGORA_ONCHAIN_CONFIRMATIONS = 0
    settings.AGORA_ONCHAIN_STAKE_ENABLED = True
    harness = Harness(settings)
    yield harness
    harness.stop()


def _new_vault(chain):
    address, receipt = deploy(chain.w3, chain.deployer, "StakeVault", chain.usdc.address, chain.owner.address,
                              chain.slasher.address)
    return contract(chain.w3, "StakeVault", address), receipt["blockNumber"]


def _index_all(chain):
    ids = list(ChainStream.objects.filter(halted=False).values_list("id", flat=True))
    return run_until_idle(stream_ids=ids, rpc=JsonRpc(chain.rpc_url, timeout=5))


def _stake(address):
    row = OnchainStake.objects.get(address=address.lower())
    return int(row.staked_units), int(row.active_units), int(row.unbonding_units)


def _run(*args) -> str:
    out = StringIO()
    call_command("stake_vault_migrate", *args, stdout=out)
    return out.getvalue()


def test_the_indexer_follows_both_vaults_until_the_old_one_is_empty(chain, api):
    alice = chain.accounts[5]
    chain.fund(alice, 1_000 * USDC)
    chain.set_unbonding_period(DAY)
    chain.deposit(alice, 10 * USDC)
    chain.index()
    old = chain.stream("stake_vault")
    new, block = _new_vault(chain)
    new_address = new.address.lower()

    dry = _run("--address", new.address, "--start-block", str(block))
    assert f"{'stake_vault':<24} {old.contract_address}" in dry and "10 USDC staked by 1 agent(s)" in dry
    assert "dry run" in dry and ChainStream.objects.filter(name="stake_vault").get().pk == old.pk
    done = _run("--address", new.address, "--start-block", str(block), "--commit")
    assert "done" in done
    old.refresh_from_db()
    assert old.name == f"stake_vault@{old.contract_address[:10]}" and not old.halted
    assert ChainStream.objects.get(name="stake_vault").contract_address == new_address
    # the deployment file may still name the old vault, or already the new one: both are followed
    assert stream_ensure(name="stake_vault", chain_id=31337, contract_address=old.contract_address,
                         start_block=0).pk == old.pk

    # alice moves: asks her old stake back and deposits into the new vault meanwhile
    chain.request_withdrawal(alice, 10 * USDC)
    send(chain.w3, alice, chain.usdc.functions.approve(new.address, 2**256 - 1))
    send(chain.w3, alice, new.functions.deposit(12 * USDC))
    _index_all(chain)
    assert _stake(alice.address) == (22 * USDC, 12 * USDC, 10 * USDC)
    status = api.get(f"/api/v1/stake/status?address={alice.address}").json()
    assert (status["staked_amount"], status["unbonding_amount"], status["is_eligible"]) == (12, 10, True)
    assert status["stake_contract_address"] == new_address  # the latest event behind the figure

    chain.pass_time(DAY)
    chain.withdraw(alice, 10 * USDC)
    _index_all(chain)
    assert _stake(alice.address) == (12 * USDC, 12 * USDC, 0)
    listing = _run()
    assert f"{old.name:<24} {old.contract_address}" in listing and "0 USDC staked by 0 agent(s)" in listing
    assert "12 USDC staked by 1 agent(s)" in listing
    assert new.functions.stakeOf(alice.address).call() + chain.stake.functions.stakeOf(alice.address).call() == \
        12 * USDC


def test_follow_new_refuses_what_makes_no_sense(chain):
    stream = chain.stream("stake_vault")
    same = stake_vault_follow_new(chain_id=31337, contract_address=stream.contract_address, start_block=1, actor="t")
    assert same.pk == stream.pk  # already the current vault: nothing to do
    treasury = chain.stream("treasury_vault").contract_address
    with pytest.raises(InvalidInput, match="already followed"):
        stake_vault_follow_new(chain_id=31337, contract_address=treasury, start_block=1, actor="t")
    with pytest.raises(InvalidInput, match="no stake_vault stream"):
        stake_vault_follow_new(chain_id=8453, contract_address="0x" + "44" * 20, start_block=1, actor="t")


def test_a_dev_chain_redeploy_drops_the_old_vaults_stake(chain):
    alice = chain.accounts[5]
    chain.fund(alice, 1_000 * USDC)
    chain.deposit(alice, 5 * USDC)
    chain.index()
    assert _stake(alice.address) == (5 * USDC, 5 * USDC, 0)
    new, block = _new_vault(chain)
    stream_ensure(name="stake_vault", chain_id=31337, contract_address=new.address, start_block=block)
    assert ChainStream.objects.get(name__startswith="stake_vault@").halted
    assert _stake(alice.address) == (0, 0, 0)
    send(chain.w3, alice, chain.usdc.functions.approve(new.address, 2**256 - 1))
    send(chain.w3, alice, new.functions.deposit(3 * USDC))
    _index_all(chain)
    assert _stake(alice.address) == (3 * USDC, 3 * USDC, 0)
