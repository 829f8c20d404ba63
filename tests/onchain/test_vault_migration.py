"""Moving to a new StakeVault (docs/contracts.md, "Moving to a new StakeVault"): the indexer follows the old
and the new vault at once and each agent's stake is the sum, until the old one is empty; a dev-chain
redeploy instead drops the old vault's stake."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

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


def test_the_indexer_follows_both_vaults_until_the_old_one_is_empty(chain, api, settings, tmp_path):
    alice = chain.accounts[5]
    chain.fund(alice, 1_000 * USDC)
    chain.set_unbonding_period(DAY)
    chain.deposit(alice, 10 * USDC)
    chain.index()
    old = chain.stream("stake_vault")
    live = tmp_path / "deployment.json"
    live.write_text(json.dumps({**chain.data, "rpc_url": chain.rpc_url}))
    settings.AGORA_DEPLOYMENT_FILE = str(live)

    new_file = tmp_path / "stake-vault-2.json"
    call_command("deploy_contracts", "--rpc-url", chain.rpc_url, "--only", "StakeVault", "--usdc", chain.usdc.address,
                 "--owner", chain.owner.address, "--slasher", chain.slasher.address, "--unbonding-period", "3600",
                 "--out", str(new_file), stdout=StringIO())
    deployed = json.loads(new_file.read_text())
    assert set(deployed["contracts"]) == {"StakeVault"}
    new = contract(chain.w3, "StakeVault", deployed["contracts"]["StakeVault"]["address"])
    new_address = new.address.lower()
    assert new.functions.unbondingPeriod().call() == 3600

    dry = _run("--from-file", str(new_file))
    assert f"{'stake_vault':<24} {old.contract_address}" in dry and "10 USDC staked by 1 agent(s)" in dry
    assert "dry run" in dry and ChainStream.objects.get(name="stake_vault").pk == old.pk
    assert "retired_contracts" not in json.loads(live.read_text())
    done = _run("--from-file", str(new_file), "--commit")
    assert "done" in done and "restart" in done
    old.refresh_from_db()
    assert old.name == f"stake_vault@{old.contract_address[:10]}" and not old.halted
    assert ChainStream.objects.get(name="stake_vault").contract_address == new_address
    pointed = json.loads(live.read_text())
    assert pointed["contracts"]["StakeVault"]["address"] == new_address
    assert pointed["retired_contracts"] == [{"name": "StakeVault", **chain.data["contracts"]["StakeVault"]}]
    assert pointed["contracts"]["TreasuryVault"] == chain.data["contracts"]["TreasuryVault"]
    # an older process still reading the old file finds the old vault's stream, not an error
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


def test_follow_new_refuses_what_makes_no_sense(chain, tmp_path, settings):
    stream = chain.stream("stake_vault")
    same = stake_vault_follow_new(chain_id=31337, contract_address=stream.contract_address, start_block=1, actor="t")
    assert same.pk == stream.pk  # already the current vault: nothing to do
    treasury = chain.stream("treasury_vault").contract_address
    with pytest.raises(InvalidInput, match="already followed"):
        stake_vault_follow_new(chain_id=31337, contract_address=treasury, start_block=1, actor="t")
    with pytest.raises(InvalidInput, match="no stake_vault stream"):
        stake_vault_follow_new(chain_id=8453, contract_address="0x" + "44" * 20, start_block=1, actor="t")
    with pytest.raises(CommandError, match="--start-block"):
        _run("--address", "0x" + "44" * 20)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"chain_id": 31337, "usdc_address": "0x" + "55" * 20,
                                 "contracts": {"StakeVault": {"address": "0x" + "44" * 20, "block_number": 1}}}))
    with pytest.raises(CommandError, match="takes USDC"):
        _run("--from-file", str(other), "--commit")
    with pytest.raises(CommandError, match="--only writes a new file"):
        call_command("deploy_contracts", "--rpc-url", chain.rpc_url, "--only", "StakeVault", "--usdc",
                     chain.usdc.address, "--out", str(other), stdout=StringIO())
    assert ChainStream.objects.filter(name__startswith="stake_vault").count() == 1


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
