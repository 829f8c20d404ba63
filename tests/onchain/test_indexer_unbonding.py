"""Active and unbonding stake, projected from a real anvil's StakeVault events: requests, slashes,
period-0 withdrawals, reorgs, and a random walk compared with the contract's own getters."""
import random
from datetime import UTC, datetime

import pytest
from web3 import Web3

from apps.agents.models import OnchainStake
from apps.onchain.devharness import Harness
from apps.onchain.models import StakeLedger
from tests.conftest import create_job

pytestmark = pytest.mark.django_db
DAY = 24 * 3600
USDC = 10**6


@pytest.fixture
def chain(settings):
    settings.AGORA_ONCHAIN_CONFIRMATIONS = 0
    settings.AGORA_ONCHAIN_MAX_REORG_DEPTH = 16
    settings.AGORA_ONCHAIN_STAKE_ENABLED = True
    settings.AGORA_MIN_STAKE_USDC = "10"
    harness = Harness(settings)
    yield harness
    harness.stop()


def _projected(address) -> tuple[int, int, int, int]:
    """(total, active, unbonding, releaseAt as unix seconds or 0) as the indexer projected them."""
    row = OnchainStake.objects.filter(address=address.lower()).first()
    if row is None:
        return 0, 0, 0, 0
    release = int(row.unbonding_release_at.timestamp()) if row.unbonding_release_at else 0
    return int(row.staked_units), int(row.active_units), int(row.unbonding_units), release


def _on_chain(chain, address) -> tuple[int, int, int, int]:
    vault = chain.stake.functions
    address = Web3.to_checksum_address(address)
    unbonding, release = vault.unbondingOf(address).call()
    return vault.stakeOf(address).call(), vault.activeStakeOf(address).call(), unbonding, release


def _agent_with_eth(chain, make_wallet):
    agent = make_wallet(agent=True)
    chain.w3.provider.make_request("anvil_setBalance", [agent.account.address, hex(10**20)])
    chain.fund(agent.account, 1_000 * USDC)
    return agent


def test_a_request_moves_stake_to_unbonding_and_the_gates_count_only_active(chain, make_wallet, sponsor, client):
    agent = _agent_with_eth(chain, make_wallet)
    chain.set_unbonding_period(3 * DAY)
    chain.deposit(agent.account, 15 * USDC)
    chain.index()
    job = create_job(sponsor)
    body = {"job_id": job["id"], "content": "x"}
    assert agent.client.post("/api/v1/submissions", body, format="json").status_code == 201

    receipt = chain.request_withdrawal(agent.account, 8 * USDC)
    chain.index()
    release = chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"] + 3 * DAY
    assert _projected(agent.address) == _on_chain(chain, agent.address) == (15 * USDC, 7 * USDC, 8 * USDC, release)
    release_iso = datetime.fromtimestamp(release, UTC).isoformat().replace("+00:00", "Z")

    status = agent.client.get(f"/api/v1/stake/status?address={agent.address}").json()
    assert (status["staked_amount"], status["unbonding_amount"], status["unbonding_release_at"]) == (7, 8, release_iso)
    assert status["is_eligible"] is False
    assert status["stake_tx_hash"] == "0x" + receipt["transactionHash"].hex().removeprefix("0x")
    second = create_job(sponsor)
    refused = agent.client.post("/api/v1/submissions", {"job_id": second["id"], "content": "x"}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "stake_required"
    page = client.get(f"/agents/{agent.address}").content.decode()
    assert 'id="agent-stake">7<' in page and 'id="agent-unbonding">8' in page and release_iso[:10] in page

    # released after the period: withdrawing the bucket leaves active stake alone
    chain.pass_time(3 * DAY)
    chain.withdraw(agent.account, 8 * USDC)
    chain.index()
    assert _projected(agent.address) == _on_chain(chain, agent.address) == (7 * USDC, 7 * USDC, 0, 0)
    status = agent.client.get(f"/api/v1/stake/status?address={agent.address}").json()
    assert (status["unbonding_amount"], status["unbonding_release_at"]) == (0, None)
    assert 'id="agent-unbonding"' not in client.get(f"/agents/{agent.address}").content.decode()


def test_a_slash_during_unbonding_takes_active_first_then_the_bucket(chain):
    alice, carol = chain.accounts[5], chain.accounts[7]
    chain.fund(alice, 1_000 * USDC)
    chain.set_unbonding_period(7 * DAY)
    chain.deposit(alice, 10 * USDC)
    chain.request_withdrawal(alice, 6 * USDC)
    chain.index()
    _, _, _, release = _on_chain(chain, alice.address)

    chain.slash(alice, 7 * USDC, carol)  # 4 from active, 3 from the bucket, whose release time stays
    chain.index()
    assert _projected(alice.address) == _on_chain(chain, alice.address) == (3 * USDC, 0, 3 * USDC, release)

    chain.slash(alice, 50 * USDC, carol)  # capped at what is left, all of it unbonding
    chain.index()
    assert _projected(alice.address) == _on_chain(chain, alice.address) == (0, 0, 0, 0)
    assert OnchainStake.objects.get(address=alice.address.lower()).unbonding_release_at is None


def test_a_reorg_that_removes_a_request_restores_the_split(chain):
    alice = chain.accounts[5]
    chain.fund(alice, 1_000 * USDC)
    chain.set_unbonding_period(DAY)
    chain.deposit(alice, 20 * USDC)
    chain.request_withdrawal(alice, 5 * USDC)
    chain.index()
    before = _projected(alice.address)
    snap = chain.snapshot()
    chain.request_withdrawal(alice, 9 * USDC)  # tops the bucket up and restarts its clock
    chain.index()
    assert _projected(alice.address)[1:3] == (6 * USDC, 14 * USDC)
    chain.revert(snap)
    chain.mine(5)
    results = chain.index()
    assert "reorg" in {r.status for r in results}
    assert _projected(alice.address) == before == _on_chain(chain, alice.address)
    assert StakeLedger.objects.filter(kind="WithdrawalRequested").count() == 1


def test_with_period_zero_withdraw_takes_the_bucket_then_active_as_before(chain):
    alice, bob = chain.accounts[5], chain.accounts[6]
    for who in (alice, bob):
        chain.fund(who, 1_000 * USDC)
    chain.deposit(alice, 10 * USDC)
    chain.request_withdrawal(alice, 4 * USDC)  # released at once with no period
    chain.withdraw(alice, 6 * USDC)  # 4 from the bucket, then 2 from active
    chain.deposit(bob, 5 * USDC)
    chain.withdraw(bob, 2 * USDC)  # no request at all: plain immediate withdraw
    chain.index()
    assert _projected(alice.address) == _on_chain(chain, alice.address) == (4 * USDC, 4 * USDC, 0, 0)
    assert _projected(bob.address) == _on_chain(chain, bob.address) == (3 * USDC, 3 * USDC, 0, 0)


def test_a_random_walk_projects_exactly_what_the_contract_holds(chain):
    """Random deposits, requests, withdrawals, slashes, period changes, time jumps and reorgs, indexed
    at random points; after every index each agent's projection equals the vault's getters. Every draw
    is made whatever the branch, so the seed fixes the walk (block times still follow the wall clock)."""
    rng = random.Random(2)
    agents = chain.accounts[5:9]
    for who in agents:
        chain.fund(who, 10**12)
    funcs = chain.stake.functions
    snapshot, checks, saw_unbonding = None, 0, False
    for _ in range(70):
        who = rng.choice(agents)
        op = rng.choice(["deposit", "deposit", "request", "request", "withdraw", "withdraw", "slash", "period", "time",
                         "fork"])
        share, index_now, drop_fork = rng.random(), rng.random() < 0.3, rng.random() < 0.5
        period_choice, seconds, mined = rng.choice([0, 0, 3600, DAY]), rng.choice([600, 3600, DAY]), rng.randint(1, 4)
        active, (bucket, release) = funcs.activeStakeOf(who.address).call(), funcs.unbondingOf(who.address).call()
        period = funcs.unbondingPeriod().call()
        now = chain.w3.eth.get_block("latest")["timestamp"]
        if op == "deposit":
            chain.deposit(who, _part(share, 50 * USDC))
        elif op == "request" and active:
            chain.request_withdrawal(who, _part(share, active))
        elif op == "withdraw" and period == 0 and active + bucket:
            chain.withdraw(who, _part(share, active + bucket))
        elif op == "withdraw" and period and bucket and release <= now:
            chain.withdraw(who, _part(share, bucket))
        elif op == "slash":
            chain.slash(who, _part(share, 60 * USDC), agents[0])
        elif op == "period":
            chain.set_unbonding_period(period_choice)
        elif op == "time":
            chain.pass_time(seconds)
        elif op == "fork" and snapshot is None:
            snapshot = chain.snapshot()
        if index_now:
            if snapshot is not None and drop_fork:  # drop everything since the snapshot: a reorg
                head_before = chain.head()
                chain.revert(snapshot)
                # The replacing branch outgrows the old head, as a real reorg's does: a head below one
                # already seen is a lagging node to the indexer, which waits instead of rolling back.
                chain.mine(head_before - chain.head() + mined)
                snapshot = None
            chain.index()
            for agent in agents:
                assert _projected(agent.address) == _on_chain(chain, agent.address)
            checks += 1
            saw_unbonding |= OnchainStake.objects.filter(unbonding_units__gt=0).exists()
    chain.index()
    for agent in agents:
        assert _projected(agent.address) == _on_chain(chain, agent.address)
    # the walk reached the interesting states, or it proves little
    assert checks >= 5 and saw_unbonding and chain.stream("stake_vault").reorgs >= 1
    assert {"Slashed", "Withdrawn", "WithdrawalRequested"} <= set(StakeLedger.objects.values_list("kind", flat=True))


def _part(share: float, limit: int) -> int:
    """1..limit, from a draw in [0, 1)."""
    return 1 + int(share * (limit - 1))
