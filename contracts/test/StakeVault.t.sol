// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "forge-std/Test.sol";
import {StakeVault} from "../src/StakeVault.sol";
import {MockUSDC} from "../src/mocks/MockUSDC.sol";
import {NoBoolToken} from "../src/mocks/NoBoolToken.sol";
import "../src/Errors.sol";

contract StakeVaultTest is Test {
    event Deposited(address indexed payer, address indexed agent, uint256 amount);
    event Withdrawn(address indexed agent, uint256 amount);
    event Slashed(address indexed agent, address indexed recipient, uint256 requestedAmount, uint256 actualAmount);
    event Paused(address account);
    event Unpaused(address account);
    event SlasherProposed(address indexed currentSlasher, address indexed proposedSlasher);
    event SlasherAccepted(address indexed previousSlasher, address indexed newSlasher);
    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    MockUSDC usdc;
    StakeVault vault;
    address owner = makeAddr("owner");
    address slasher = makeAddr("slasher");
    address agent = makeAddr("agent");
    address payer = makeAddr("payer");
    address treasury = makeAddr("treasury");

    function setUp() public {
        usdc = new MockUSDC();
        vault = new StakeVault(address(usdc), owner, slasher);
        for (uint256 i; i < 2; i++) {
            address who = i == 0 ? agent : payer;
            usdc.mint(who, 1_000_000e6);
            vm.prank(who);
            usdc.approve(address(vault), type(uint256).max);
        }
    }

    function test_constructor_sets_getters() public view {
        assertEq(vault.usdc(), address(usdc));
        assertEq(vault.owner(), owner);
        assertEq(vault.slasher(), slasher);
        assertEq(vault.pendingSlasher(), address(0));
        assertFalse(vault.paused());
    }

    function test_constructor_rejects_zero_addresses() public {
        vm.expectRevert(ZeroAddress.selector);
        new StakeVault(address(0), owner, slasher);
        vm.expectRevert(ZeroAddress.selector);
        new StakeVault(address(usdc), address(0), slasher);
        vm.expectRevert(ZeroAddress.selector);
        new StakeVault(address(usdc), owner, address(0));
    }

    function test_deposit_credits_caller_and_emits() public {
        vm.expectEmit(true, true, false, true, address(vault));
        emit Deposited(agent, agent, 10e6);
        vm.prank(agent);
        vault.deposit(10e6);
        assertEq(vault.stakeOf(agent), 10e6);
        assertEq(vault.totalStaked(), 10e6);
        assertEq(usdc.balanceOf(address(vault)), 10e6);
    }

    function test_depositFor_credits_agent_and_charges_payer() public {
        vm.expectEmit(true, true, false, true, address(vault));
        emit Deposited(payer, agent, 7e6);
        vm.prank(payer);
        vault.depositFor(agent, 7e6);
        assertEq(vault.stakeOf(agent), 7e6);
        assertEq(vault.stakeOf(payer), 0);
        assertEq(usdc.balanceOf(payer), 1_000_000e6 - 7e6);
    }

    function test_deposit_reverts() public {
        vm.startPrank(agent);
        vm.expectRevert(ZeroAmount.selector);
        vault.deposit(0);
        vm.expectRevert(ZeroAddress.selector);
        vault.depositFor(address(0), 1);
        vm.stopPrank();
        address broke = makeAddr("broke");
        vm.prank(broke);
        vm.expectRevert(TransferFailed.selector);
        vault.deposit(1);
    }

    function test_withdraw_returns_funds_and_emits() public {
        vm.startPrank(agent);
        vault.deposit(10e6);
        vm.expectEmit(true, false, false, true, address(vault));
        emit Withdrawn(agent, 4e6);
        vault.withdraw(4e6);
        vm.stopPrank();
        assertEq(vault.stakeOf(agent), 6e6);
        assertEq(usdc.balanceOf(agent), 1_000_000e6 - 6e6);
    }

    function test_withdraw_reverts() public {
        vm.startPrank(agent);
        vault.deposit(5e6);
        vm.expectRevert(ZeroAmount.selector);
        vault.withdraw(0);
        vm.expectRevert(InsufficientStake.selector);
        vault.withdraw(5e6 + 1);
        vm.stopPrank();
        vm.prank(payer);
        vm.expectRevert(InsufficientStake.selector);
        vault.withdraw(1);
    }

    function test_slash_takes_requested_amount() public {
        vm.prank(agent);
        vault.deposit(10e6);
        vm.expectEmit(true, true, false, true, address(vault));
        emit Slashed(agent, treasury, 3e6, 3e6);
        vm.prank(slasher);
        uint256 actual = vault.slash(agent, 3e6, treasury);
        assertEq(actual, 3e6);
        assertEq(vault.stakeOf(agent), 7e6);
        assertEq(usdc.balanceOf(treasury), 3e6);
    }

    function test_slash_caps_at_stake_and_reports_both_amounts() public {
        vm.prank(agent);
        vault.deposit(2e6);
        vm.expectEmit(true, true, false, true, address(vault));
        emit Slashed(agent, treasury, 9e6, 2e6);
        vm.prank(slasher);
        assertEq(vault.slash(agent, 9e6, treasury), 2e6);
        assertEq(vault.stakeOf(agent), 0);
        assertEq(vault.totalStaked(), 0);
    }

    function test_slash_of_empty_stake_moves_nothing() public {
        vm.expectEmit(true, true, false, true, address(vault));
        emit Slashed(agent, treasury, 1e6, 0);
        vm.prank(slasher);
        assertEq(vault.slash(agent, 1e6, treasury), 0);
        assertEq(usdc.balanceOf(treasury), 0);
    }

    function test_slash_reverts() public {
        vm.prank(agent);
        vault.deposit(2e6);
        vm.prank(owner);
        vm.expectRevert(NotSlasher.selector);
        vault.slash(agent, 1, treasury);
        vm.prank(agent);
        vm.expectRevert(NotSlasher.selector);
        vault.slash(agent, 1, agent);
        vm.startPrank(slasher);
        vm.expectRevert(ZeroAmount.selector);
        vault.slash(agent, 0, treasury);
        vm.expectRevert(ZeroAddress.selector);
        vault.slash(agent, 1, address(0));
        vm.expectRevert(ZeroAddress.selector);
        vault.slash(address(0), 1, treasury);
        vm.stopPrank();
    }

    function test_pause_blocks_deposits_and_withdrawals_but_not_slashing() public {
        vm.prank(agent);
        vault.deposit(5e6);
        vm.expectEmit(false, false, false, true, address(vault));
        emit Paused(owner);
        vm.prank(owner);
        vault.pause();
        assertTrue(vault.paused());
        vm.startPrank(agent);
        vm.expectRevert(PausedErr.selector);
        vault.deposit(1);
        vm.expectRevert(PausedErr.selector);
        vault.depositFor(payer, 1);
        vm.expectRevert(PausedErr.selector);
        vault.withdraw(1);
        vm.stopPrank();
        vm.prank(slasher);
        vault.slash(agent, 1e6, treasury);
        vm.expectEmit(false, false, false, true, address(vault));
        emit Unpaused(owner);
        vm.prank(owner);
        vault.unpause();
        vm.prank(agent);
        vault.withdraw(4e6);
        assertEq(vault.stakeOf(agent), 0);
    }

    function test_only_owner_pauses() public {
        vm.prank(agent);
        vm.expectRevert(NotOwner.selector);
        vault.pause();
        vm.prank(slasher);
        vm.expectRevert(NotOwner.selector);
        vault.unpause();
    }

    function test_two_step_slasher_handover() public {
        address next = makeAddr("nextSlasher");
        vm.prank(agent);
        vm.expectRevert(NotOwner.selector);
        vault.proposeSlasher(next);
        vm.prank(owner);
        vm.expectRevert(ZeroAddress.selector);
        vault.proposeSlasher(address(0));
        vm.expectEmit(true, true, false, false, address(vault));
        emit SlasherProposed(slasher, next);
        vm.prank(owner);
        vault.proposeSlasher(next);
        assertEq(vault.pendingSlasher(), next);
        assertEq(vault.slasher(), slasher); // nothing changes until accepted
        vm.prank(agent);
        vm.expectRevert(NotPendingSlasher.selector);
        vault.acceptSlasher();
        vm.expectEmit(true, true, false, false, address(vault));
        emit SlasherAccepted(slasher, next);
        vm.prank(next);
        vault.acceptSlasher();
        assertEq(vault.slasher(), next);
        assertEq(vault.pendingSlasher(), address(0));
        vm.prank(slasher);
        vm.expectRevert(NotSlasher.selector);
        vault.slash(agent, 1, treasury);
    }

    function test_two_step_owner_handover() public {
        address next = makeAddr("nextOwner");
        vm.prank(agent);
        vm.expectRevert(NotOwner.selector);
        vault.transferOwnership(next);
        vm.prank(owner);
        vm.expectRevert(ZeroAddress.selector);
        vault.transferOwnership(address(0));
        vm.expectEmit(true, true, false, false, address(vault));
        emit OwnershipTransferStarted(owner, next);
        vm.prank(owner);
        vault.transferOwnership(next);
        vm.prank(agent);
        vm.expectRevert(NotPendingOwner.selector);
        vault.acceptOwnership();
        vm.expectEmit(true, true, false, false, address(vault));
        emit OwnershipTransferred(owner, next);
        vm.prank(next);
        vault.acceptOwnership();
        assertEq(vault.owner(), next);
        vm.prank(owner);
        vm.expectRevert(NotOwner.selector);
        vault.pause();
    }

    function test_works_with_a_token_that_returns_no_bool() public {
        NoBoolToken token = new NoBoolToken();
        StakeVault v = new StakeVault(address(token), owner, slasher);
        token.mint(agent, 100);
        vm.startPrank(agent);
        token.approve(address(v), 100);
        v.deposit(60);
        v.withdraw(10);
        vm.stopPrank();
        vm.prank(slasher);
        v.slash(agent, 20, treasury);
        assertEq(token.balanceOf(address(v)), 30);
        assertEq(token.balanceOf(agent), 50);
        assertEq(token.balanceOf(treasury), 20);
        vm.prank(agent);
        vm.expectRevert(TransferFailed.selector); // the token reverts: surfaced as TransferFailed
        v.deposit(1000);
    }

    function testFuzz_deposit_withdraw_roundtrip(uint256 depositAmount, uint256 withdrawAmount) public {
        depositAmount = bound(depositAmount, 1, 1_000_000e6);
        withdrawAmount = bound(withdrawAmount, 1, depositAmount);
        vm.startPrank(agent);
        vault.deposit(depositAmount);
        vault.withdraw(withdrawAmount);
        vm.stopPrank();
        assertEq(vault.stakeOf(agent), depositAmount - withdrawAmount);
        assertEq(usdc.balanceOf(address(vault)), depositAmount - withdrawAmount);
        assertEq(usdc.balanceOf(agent), 1_000_000e6 - depositAmount + withdrawAmount);
    }

    function testFuzz_slash_never_exceeds_stake(uint256 stake, uint256 requested) public {
        stake = bound(stake, 1, 1_000_000e6);
        requested = bound(requested, 1, type(uint256).max);
        vm.prank(agent);
        vault.deposit(stake);
        vm.prank(slasher);
        uint256 actual = vault.slash(agent, requested, treasury);
        assertEq(actual, requested < stake ? requested : stake);
        assertEq(vault.stakeOf(agent), stake - actual);
        assertEq(usdc.balanceOf(treasury), actual);
        assertEq(usdc.balanceOf(address(vault)), vault.totalStaked());
    }

    function testFuzz_only_slasher_can_slash(address caller) public {
        vm.assume(caller != slasher);
        vm.prank(agent);
        vault.deposit(1e6);
        vm.prank(caller);
        vm.expectRevert(NotSlasher.selector);
        vault.slash(agent, 1, caller);
    }
}
