"""The whole path on a real anvil with a real Safe 1.4.1 as the StakeVault's slasher: propose, approve,
export, the Safe executes the exported batch, the indexer links the Slashed events back; plus unbonding,
reorgs and slashes no proposal explains."""
import re

import pytest
from django.test import Client
from web3 import Web3

from apps.agents.models import OnchainStake
from apps.agents.services import profile_ensure, profile_update, stake_set
from apps.auth.services import session_create
from apps.common.chain_client import send
from apps.onchain.devharness import Harness
from apps.onchain.models import SlashingEvent
from apps.onchain.safe_batch import DELEGATECALL, safe_batch_single_call, safe_batch_to_multisend
from apps.slashing.models import SlashProposal, UnexplainedSlash
from apps.slashing.operators import operator_from_user
from apps.slashing.services import slash_export, slash_proposal_approve
from tests.conftest import Wallet, create_job, submit
from tests.onchain.safe import deploy_safe, deploy_safe_infra, safe_exec

from .conftest import propose

pytestmark = pytest.mark.django_db
USDC = 10**6


@pytest.fixture
def chain(settings):
    settings.AGORA_ONCHAIN_CONFIRMATIONS = 0
    settings.AGORA_SLASH_RESPONSE_HOURS = 0  # the window has passed by the time anyone approves
    harness = Harness(settings)
    settings.AGORA_STAKE_CONTRACT_ADDRESS = harness.stake.address.lower()
    yield harness
    harness.stop()


@pytest.fixture
def safe(chain):
    """A 2-of-2 Safe that became the slasher the two-step way: the owner proposes it, the Safe accepts."""
    w3, owners = chain.w3, [chain.accounts[8], chain.accounts[9]]
    infra = deploy_safe_infra(w3, chain.deployer)
    proxy = deploy_safe(w3, chain.deployer, infra, [o.address for o in owners], 2)
    send(w3, chain.owner, chain.stake.functions.proposeSlasher(proxy.address))
    safe_exec(w3, proxy, owners, chain.stake.address, chain.stake.encode_abi("acceptSlasher", []), 0)
    assert chain.stake.functions.slasher().call() == proxy.address
    return {"proxy": proxy, "owners": owners, "multisend": infra.multisend.address}


def _staked(chain, index: int, units: int):
    account = chain.accounts[index]
    chain.fund(account, 10**4 * USDC)
    chain.deposit(account, units)
    return account


def _execute(chain, safe, batch):
    """What Safe{Wallet} does with the file: one call as a plain CALL, several through MultiSendCallOnly."""
    if len(batch["transactions"]) == 1:
        to, value, data = safe_batch_single_call(batch)
        return safe_exec(chain.w3, safe["proxy"], safe["owners"], to, data, 0, value=value)
    to, data = safe_batch_to_multisend(batch, multisend_address=safe["multisend"])
    return safe_exec(chain.w3, safe["proxy"], safe["owners"], to, data, DELEGATECALL)


def _approve(user, proposal):
    return slash_proposal_approve(proposal_id=proposal.pk, operator=operator_from_user(user), reason="checked")


def _page_rows(html: str) -> dict:
    return {m[0]: (int(m[1]), m[2]) for m in re.findall(
        r'data-event="([^"]+)" data-amount="(\d+)" data-proposal="([^"]*)"', html)}


def test_propose_approve_export_execute_and_link(chain, safe, ops, settings, sponsor, api):
    settings.AGORA_SLASH_APPROVALS = 2
    cheat, short = _staked(chain, 5, 50 * USDC), _staked(chain, 6, 40 * USDC)
    recipient = chain.accounts[7].address
    address = cheat.address.lower()
    profile_ensure(address=address)
    profile_update(address=address, changes={"participant_type": "agent"})
    stake_set(address=address, units=50 * USDC, actor="test")  # the off-chain gate for submitting
    job = create_job(sponsor)
    sub = submit(Wallet(session_create(address=address)[1], cheat), job["id"])
    chain.index()
    first = propose(ops["alice"], cheat.address, units=20 * USDC, recipient_address=recipient,
                    violation_type="fabricated_evidence", submission_id=sub["id"])
    second = propose(ops["alice"], short.address, units=30 * USDC, recipient_address=recipient)
    for proposal in (first, second):
        assert _approve(ops["bob"], proposal).status == "proposed"  # two approvals needed
        assert _approve(ops["carol"], proposal).status == "approved"
    chain.withdraw(short, 25 * USDC)  # the stake drops after approval: the slash will take less
    batch = slash_export(proposal_ids=[first.pk, second.pk], safe_address=safe["proxy"].address,
                         operator=operator_from_user(ops["carol"]))
    receipt = _execute(chain, safe, batch)
    chain.index()

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.executed_units, second.status, second.executed_units) == (
        "executed", 20 * USDC, "executed", 15 * USDC)
    assert [e.kind for e in first.events.order_by("id")] == [
        "proposed", "approval", "approval", "approved", "exported", "executed"]
    event = SlashingEvent.objects.get(pk=first.slashing_event_id)
    assert str(event.job_id) == job["id"]
    assert event.tx_hash == "0x" + receipt["transactionHash"].hex().removeprefix("0x")
    assert chain.stake.functions.stakeOf(cheat.address).call() == 30 * USDC
    assert chain.usdc.functions.balanceOf(recipient).call() == 35 * USDC
    assert OnchainStake.objects.get(address=address).staked_units == 30 * USDC
    assert UnexplainedSlash.objects.count() == 0
    # the API and the public page say the same thing
    by_job = api.get(f"/api/v1/slashing/events?job_id={job['id']}").json()["events"]
    assert [(e["id"], e["amount_usdc"], e["proposal_id"], e["violation_type"], e["reason"], e["evidence"],
             e["unexplained"]) for e in by_job] == [(event.id, 20, str(first.pk), "fabricated_evidence",
                                                      first.reason, first.evidence, False)]
    listed = api.get("/api/v1/slashing/events").json()["events"]
    page = _page_rows(Client().get("/slashing").content.decode())
    assert page == {e["id"]: (e["amount_usdc"] * USDC, e["proposal_id"]) for e in listed} and len(page) == 2
    assert event.id in Client().get(f"/agents/{address}").content.decode()
    detail = api.get(f"/api/v1/slashing/proposals/{first.pk}").json()
    assert (detail["status"], detail["executed_amount_usdc"], detail["slashing_event_id"]) == ("executed", 20, event.id)


def test_a_withdrawal_requested_during_the_proposal_is_still_slashed(chain, safe, ops):
    send(chain.w3, chain.owner, chain.stake.functions.setUnbondingPeriod(3600))
    agent = _staked(chain, 5, 40 * USDC)
    proposal = propose(ops["alice"], agent.address, units=25 * USDC, recipient_address=chain.accounts[7].address)
    send(chain.w3, agent, chain.stake.functions.requestWithdrawal(40 * USDC))  # the agent tries to leave
    assert chain.stake.functions.activeStakeOf(agent.address).call() == 0
    with pytest.raises(Exception, match=Web3.keccak(text="UnbondingNotReleased(uint64)")[:4].hex()):
        chain.withdraw(agent, 40 * USDC)
    chain.index()
    assert _approve(ops["bob"], proposal).status == "approved"  # the indexed total still counts unbonding stake
    _execute(chain, safe, slash_export(proposal_ids=[proposal.pk], safe_address=safe["proxy"].address,
                                       operator=operator_from_user(ops["bob"])))
    chain.index()
    proposal.refresh_from_db()
    assert (proposal.status, proposal.executed_units) == ("executed", 25 * USDC)
    amount, _release = chain.stake.functions.unbondingOf(agent.address).call()
    assert amount == 15 * USDC and chain.stake.functions.stakeOf(agent.address).call() == 15 * USDC
    assert OnchainStake.objects.get(address=agent.address.lower()).staked_units == 15 * USDC


def test_unexplained_slashes_are_flagged_and_a_reorg_returns_the_proposal(chain, safe, ops, client, api):
    agent = _staked(chain, 5, 30 * USDC)
    recipient = chain.accounts[7].address
    proposal = propose(ops["alice"], agent.address, units=10 * USDC, recipient_address=recipient)
    chain.index()
    _approve(ops["bob"], proposal)
    batch = slash_export(proposal_ids=[proposal.pk], safe_address=safe["proxy"].address,
                         operator=operator_from_user(ops["bob"]))
    before = chain.snapshot()
    _execute(chain, safe, batch)
    chain.index()
    proposal.refresh_from_db()
    assert proposal.status == "executed"
    # the same file executed again, and a slash the Safe made with no proposal at all
    _execute(chain, safe, batch)
    stray = chain.stake.encode_abi("slash", [agent.address, 3 * USDC, recipient])
    safe_exec(chain.w3, safe["proxy"], safe["owners"], chain.stake.address, stray, 0)
    chain.index()
    flagged = {u.slashing_event.amount_units: u for u in UnexplainedSlash.objects.select_related("slashing_event")}
    assert sorted(flagged) == [3 * USDC, 10 * USDC]
    assert flagged[10 * USDC].duplicate_of_id == proposal.pk and "second Slashed" in flagged[10 * USDC].reason
    assert flagged[3 * USDC].reason == "no exported proposal has this agent, recipient and amount"
    assert SlashProposal.objects.get().slashing_event_id != flagged[10 * USDC].slashing_event_id
    events = api.get(f"/api/v1/slashing/events?address={agent.address}").json()["events"]
    assert [(e["amount_usdc"], e["unexplained"], e["proposal_id"] is None) for e in events] == [
        (3, True, True), (10, True, True), (10, False, False)]
    client.force_login(ops["alice"])
    assert 'data-figure="unexplained-slashes-investigate-now">2<' in client.get("/admin/").content.decode()
    assert "agora_unexplained_slashes_total 2.0" in client.get("/metrics").content.decode()
    assert Client().get("/slashing").content.decode().count("Unexplained</strong>") == 2

    chain.revert(before)
    chain.mine(5)  # a longer chain without any of the Safe's slashes
    assert "reorg" in {r.status for r in chain.index()}
    proposal.refresh_from_db()
    assert (proposal.status, proposal.slashing_event_id, proposal.executed_units) == ("exported", None, None)
    assert proposal.events.latest("id").kind == "reorged"
    assert UnexplainedSlash.objects.count() == 0 and SlashingEvent.objects.count() == 0
    assert OnchainStake.objects.get(address=agent.address.lower()).staked_units == 30 * USDC
    _execute(chain, safe, batch)  # the Safe's nonce was reverted too: the file runs once more
    chain.index()
    proposal.refresh_from_db()
    assert proposal.status == "executed" and proposal.executed_units == 10 * USDC
