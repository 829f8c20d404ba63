"""The deployed suite behaves on a real chain as the Foundry tests say it does."""
import pytest
from web3 import Web3
from web3.logs import DISCARD

from apps.common.chain_client import contract, send


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
