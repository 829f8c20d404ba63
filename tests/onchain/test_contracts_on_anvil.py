"""The deployed suite behaves on a real chain as the Foundry tests say it does."""
import pytest
from web3 import Web3
from web3.exceptions import ContractCustomError
from web3.logs import DISCARD

from apps.common.chain_client import contract, send
from apps.common.errors import InvalidInput
from apps.onchain.deployment import deploy_suite
from apps.onchain.events import decode_log


def _handles(anvil, suite):
    c = suite["data"]["contracts"]
    return (contract(anvil.w3, "MockUSDC", c["MockUSDC"]["address"]),
            contract(anvil.w3, "StakeVault", c["StakeVault"]["address"]),
            contract(anvil.w3, "TreasuryVault", c["TreasuryVault"]["address"]),
            contract(anvil.w3, "AnchorRegistry", c["AnchorRegistry"]["address"]))


def test_suite_is_deployed_with_the_given_roles(anvil, suite):
    usdc, stake, treasury, anchors = _handles(anvil, suite)
    for info in suite["data"]["contracts"].values():
        assert len(anvil.w3.eth.get_code(Web3.to_checksum_address(info["address"]))) > 0
        assert info["block_number"] >= 1 and info["tx_hash"].startswith("0x") and len(info["tx_hash"]) == 66
    assert stake.functions.owner().call() == suite["owner"].address
    assert stake.functions.slasher().call() == suite["slasher"].address
    assert stake.functions.usdc().call().lower() == suite["data"]["usdc_address"]
    assert treasury.functions.allowedToken(usdc.address).call() is True
    assert anchors.functions.owner().call() == suite["owner"].address
    assert usdc.functions.decimals().call() == 6


def test_stake_deposit_and_capped_slash_on_chain(anvil, suite, snapshot):
    usdc, stake, _, _ = _handles(anvil, suite)
    agent, recipient = anvil.accounts[5], anvil.accounts[6]
    send(anvil.w3, suite["deployer"], usdc.functions.mint(agent.address, 50 * 10**6))
    send(anvil.w3, agent, usdc.functions.approve(stake.address, 2**256 - 1))
    receipt = send(anvil.w3, agent, stake.functions.deposit(20 * 10**6))
    (deposited,) = stake.events.Deposited().process_receipt(receipt, errors=DISCARD)
    assert deposited["args"]["agent"] == agent.address and deposited["args"]["amount"] == 20 * 10**6
    receipt = send(anvil.w3, suite["slasher"], stake.functions.slash(agent.address, 30 * 10**6, recipient.address))
    (slashed,) = stake.events.Slashed().process_receipt(receipt, errors=DISCARD)
    assert (slashed["args"]["requestedAmount"], slashed["args"]["actualAmount"]) == (30 * 10**6, 20 * 10**6)
    assert stake.functions.stakeOf(agent.address).call() == 0
    assert usdc.functions.balanceOf(recipient.address).call() == 20 * 10**6
    with pytest.raises(Exception, match="revert|NotSlasher|0x"):
        send(anvil.w3, agent, stake.functions.slash(agent.address, 1, agent.address))


def test_treasury_donations_and_anchor_post_on_chain(anvil, suite, snapshot):
    usdc, _, treasury, anchors = _handles(anvil, suite)
    donor = anvil.accounts[7]
    memo = Web3.keccak(text="for the jury pool")
    send(anvil.w3, donor, treasury.functions.donateEth(3, memo), value=10**18)
    send(anvil.w3, suite["deployer"], usdc.functions.mint(donor.address, 12 * 10**6))
    send(anvil.w3, donor, usdc.functions.approve(treasury.address, 12 * 10**6))
    receipt = send(anvil.w3, donor, treasury.functions.donateUsdc(12 * 10**6, 3, memo))
    (event,) = treasury.events.DonationReceived().process_receipt(receipt, errors=DISCARD)
    assert event["args"]["asset"] == usdc.address and event["args"]["purposeId"] == 3
    assert treasury.functions.totalIn(3, "0x" + "0" * 40).call() == 10**18
    assert treasury.functions.netFor(3, usdc.address).call() == 12 * 10**6
    root = Web3.keccak(text="snapshot")
    receipt = send(anvil.w3, suite["owner"], anchors.functions.postAnchor(root, "https://a/1.json", 1, b"\x01" * 32))
    (posted,) = anchors.events.AnchorPosted().process_receipt(receipt, errors=DISCARD)
    assert posted["args"]["root"] == root and posted["args"]["uri"] == "https://a/1.json"


# --- unbonding ------------------------------------------------------------------------------------------------

DAY = 24 * 3600


def _error_selector(signature: str) -> str:
    return "0x" + Web3.keccak(text=signature)[:4].hex().removeprefix("0x")


def _decoded_logs(anvil, address: str, receipt) -> list[tuple[str, dict]]:
    """The vault's logs in the receipt's block, fetched as raw JSON and decoded the way the indexer does."""
    block = hex(receipt["blockNumber"])
    raw = anvil.w3.provider.make_request("eth_getLogs", [{"address": address, "fromBlock": block, "toBlock": block}])
    return [decode_log("StakeVault", log) for log in raw["result"]]


def _staked_agent(anvil, suite, agent, units):
    usdc, stake, _, _ = _handles(anvil, suite)
    send(anvil.w3, suite["deployer"], usdc.functions.mint(agent.address, units))
    send(anvil.w3, agent, usdc.functions.approve(stake.address, 2**256 - 1))
    send(anvil.w3, agent, stake.functions.deposit(units))
    return usdc, stake


def _increase_time(anvil, seconds: int) -> None:
    anvil.w3.provider.make_request("evm_increaseTime", [seconds])
    anvil.w3.provider.make_request("evm_mine", [])


def test_request_withdrawal_emits_an_event_the_indexer_decodes(anvil, suite, snapshot):
    agent = anvil.accounts[5]
    _, stake = _staked_agent(anvil, suite, agent, 20 * 10**6)
    receipt = send(anvil.w3, suite["owner"], stake.functions.setUnbondingPeriod(DAY))
    assert _decoded_logs(anvil, stake.address, receipt) == [("UnbondingPeriodSet", {"period": str(DAY)})]
    receipt = send(anvil.w3, agent, stake.functions.requestWithdrawal(8 * 10**6))
    release_at = anvil.w3.eth.get_block(receipt["blockNumber"])["timestamp"] + DAY
    assert _decoded_logs(anvil, stake.address, receipt) == [
        ("WithdrawalRequested",
         {"agent": agent.address.lower(), "amount": str(8 * 10**6), "releaseAt": str(release_at)})]
    assert stake.functions.unbondingOf(agent.address).call() == [8 * 10**6, release_at]
    assert stake.functions.activeStakeOf(agent.address).call() == 12 * 10**6
    assert stake.functions.stakeOf(agent.address).call() == 20 * 10**6  # still slashable in full


def test_withdraw_reverts_before_release_and_pays_after(anvil, suite, snapshot):
    agent = anvil.accounts[5]
    usdc, stake = _staked_agent(anvil, suite, agent, 20 * 10**6)
    send(anvil.w3, suite["owner"], stake.functions.setUnbondingPeriod(DAY))
    with pytest.raises(ContractCustomError, match=_error_selector("WithdrawalNotRequested()")):
        send(anvil.w3, agent, stake.functions.withdraw(1))
    send(anvil.w3, agent, stake.functions.requestWithdrawal(8 * 10**6))
    with pytest.raises(ContractCustomError, match=_error_selector("UnbondingNotReleased(uint64)")):
        send(anvil.w3, agent, stake.functions.withdraw(8 * 10**6))
    _increase_time(anvil, DAY)
    receipt = send(anvil.w3, agent, stake.functions.withdraw(8 * 10**6))
    assert _decoded_logs(anvil, stake.address, receipt) == [
        ("Withdrawn", {"agent": agent.address.lower(), "amount": str(8 * 10**6)})]
    assert usdc.functions.balanceOf(agent.address).call() == 8 * 10**6
    assert stake.functions.unbondingOf(agent.address).call() == [0, 0]
    assert stake.functions.stakeOf(agent.address).call() == 12 * 10**6


def test_slash_takes_unbonding_stake_after_active_is_gone(anvil, suite, snapshot):
    agent, recipient = anvil.accounts[5], anvil.accounts[6]
    usdc, stake = _staked_agent(anvil, suite, agent, 10 * 10**6)
    send(anvil.w3, suite["owner"], stake.functions.setUnbondingPeriod(7 * DAY))
    send(anvil.w3, agent, stake.functions.requestWithdrawal(6 * 10**6))
    send(anvil.w3, suite["slasher"], stake.functions.slash(agent.address, 7 * 10**6, recipient.address))
    assert stake.functions.activeStakeOf(agent.address).call() == 0
    assert stake.functions.unbondingOf(agent.address).call()[0] == 3 * 10**6
    receipt = send(anvil.w3, suite["slasher"], stake.functions.slash(agent.address, 5 * 10**6, recipient.address))
    assert _decoded_logs(anvil, stake.address, receipt) == [
        ("Slashed", {"agent": agent.address.lower(), "recipient": recipient.address.lower(),
                     "requestedAmount": str(5 * 10**6), "actualAmount": str(3 * 10**6)})]
    assert stake.functions.unbondingOf(agent.address).call() == [0, 0]
    assert stake.functions.stakeOf(agent.address).call() == 0
    assert usdc.functions.balanceOf(recipient.address).call() == 10 * 10**6


def test_deploy_suite_leaves_anvil_without_an_unbonding_period(anvil, suite):
    _, stake, _, _ = _handles(anvil, suite)
    assert suite["data"]["unbonding_period"] == 0
    assert suite["data"]["pending_owner_acceptance"] == []
    assert stake.functions.unbondingPeriod().call() == 0
    assert stake.functions.owner().call() == suite["owner"].address
    assert int(stake.functions.pendingOwner().call(), 16) == 0


def _deploy(anvil, *, owner, unbonding_period):
    messages = []
    data = deploy_suite(w3=anvil.w3, deployer_key=anvil.accounts[0].key, owner=owner.address,
                        slasher=anvil.accounts[2].address, with_mock_usdc=True, unbonding_period=unbonding_period,
                        progress=messages.append)
    handles = {name: contract(anvil.w3, name, info["address"]) for name, info in data["contracts"].items()}
    return data, handles, "\n".join(messages)


def test_deploy_suite_sets_the_period_directly_when_the_deployer_owns(anvil, snapshot):
    deployer = anvil.accounts[0]
    data, handles, printed = _deploy(anvil, owner=deployer, unbonding_period=3 * DAY)
    stake = handles["StakeVault"]
    assert stake.functions.unbondingPeriod().call() == 3 * DAY
    assert stake.functions.owner().call() == deployer.address
    assert int(stake.functions.pendingOwner().call(), 16) == 0
    assert data["unbonding_period"] == 3 * DAY and data["pending_owner_acceptance"] == []
    assert "acceptOwnership" not in printed


def test_deploy_suite_sets_the_period_then_proposes_another_owner(anvil, snapshot):
    deployer, owner = anvil.accounts[0], anvil.accounts[1]
    data, handles, printed = _deploy(anvil, owner=owner, unbonding_period=7 * DAY)
    stake = handles["StakeVault"]
    assert stake.functions.unbondingPeriod().call() == 7 * DAY
    assert stake.functions.owner().call() == deployer.address  # until the owner accepts
    assert stake.functions.pendingOwner().call() == owner.address
    assert data["pending_owner_acceptance"] == ["StakeVault"]
    assert data["owner"] == owner.address.lower()
    assert f"ACTION NEEDED: {owner.address.lower()} must call acceptOwnership() on StakeVault" in printed
    for name in ("TreasuryVault", "AnchorRegistry"):  # owned directly: nothing to set on them
        assert handles[name].functions.owner().call() == owner.address
    send(anvil.w3, owner, stake.functions.acceptOwnership())
    assert stake.functions.owner().call() == owner.address
    send(anvil.w3, owner, stake.functions.setUnbondingPeriod(0))
    assert stake.functions.unbondingPeriod().call() == 0


def test_deploy_suite_refuses_a_period_over_30_days_before_spending_gas(anvil):
    nonce = anvil.w3.eth.get_transaction_count(anvil.accounts[0].address)
    with pytest.raises(InvalidInput, match="unbonding period"):
        _deploy(anvil, owner=anvil.accounts[1], unbonding_period=30 * DAY + 1)
    assert anvil.w3.eth.get_transaction_count(anvil.accounts[0].address) == nonce
