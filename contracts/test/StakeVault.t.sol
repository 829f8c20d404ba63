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
    event WithdrawalRequested(address indexed agent, uint256 amount, uint64 releaseAt);
    event UnbondingPeriodSet(uint64 period);

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

    // ---- unbonding ----

    function _stake(uint256 amount, uint64 period) internal {
        vm.prank(agent);
        vault.deposit(amount);
        vm.prank(owner);
        vault.setUnbondingPeriod(period);
    }

    function _assertBucket(uint256 amount, uint64 releaseAt) internal view {
        (uint256 a, uint64 r) = vault.unbondingOf(agent);
        assertEq(a, amount, "bucket amount");
        assertEq(r, releaseAt, "bucket releaseAt");
    }

    function test_unbonding_period_starts_at_zero_and_only_the_owner_sets_it_up_to_30_days() public {
        assertEq(vault.unbondingPeriod(), 0);
        assertEq(vault.MAX_UNBONDING_PERIOD(), 30 days);
        vm.expectEmit(false, false, false, true, address(vault));
        emit UnbondingPeriodSet(7 days);
        vm.prank(owner);
        vault.setUnbondingPeriod(7 days);
        assertEq(vault.unbondingPeriod(), 7 days);
        vm.prank(owner);
        vault.setUnbondingPeriod(30 days);
        assertEq(vault.unbondingPeriod(), 30 days);
        vm.prank(owner);
        vm.expectRevert(UnbondingPeriodTooLong.selector);
        vault.setUnbondingPeriod(30 days + 1);
        vm.prank(slasher);
        vm.expectRevert(NotOwner.selector);
        vault.setUnbondingPeriod(1);
        assertEq(vault.unbondingPeriod(), 30 days);
    }

    function test_requestWithdrawal_moves_active_stake_into_the_bucket_and_emits() public {
        _stake(10e6, 7 days);
        uint64 releaseAt = uint64(block.timestamp + 7 days);
        vm.expectEmit(true, false, false, true, address(vault));
        emit WithdrawalRequested(agent, 4e6, releaseAt);
        vm.prank(agent);
        vault.requestWithdrawal(4e6);
        assertEq(vault.activeStakeOf(agent), 6e6);
        _assertBucket(4e6, releaseAt);
        assertEq(vault.stakeOf(agent), 10e6); // still all slashable
        assertEq(vault.totalStaked(), 10e6);
        assertEq(usdc.balanceOf(address(vault)), 10e6);
    }

    function test_requestWithdrawal_accumulates_and_restarts_the_clock() public {
        _stake(10e6, 7 days);
        vm.prank(agent);
        vault.requestWithdrawal(3e6);
        vm.warp(block.timestamp + 5 days);
        vm.prank(agent);
        vault.requestWithdrawal(2e6);
        _assertBucket(5e6, uint64(block.timestamp + 7 days));
        vm.warp(block.timestamp + 3 days); // past the first request's release, not the reset one
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(UnbondingNotReleased.selector, uint64(block.timestamp + 4 days)));
        vault.withdraw(3e6);
    }

    function test_requestWithdrawal_reverts() public {
        _stake(5e6, 1 days);
        vm.startPrank(agent);
        vm.expectRevert(ZeroAmount.selector);
        vault.requestWithdrawal(0);
        vm.expectRevert(InsufficientStake.selector);
        vault.requestWithdrawal(5e6 + 1);
        vault.requestWithdrawal(5e6);
        vm.expectRevert(InsufficientStake.selector); // unbonding stake can't be requested twice
        vault.requestWithdrawal(1);
        vm.stopPrank();
        vm.prank(owner);
        vault.pause();
        vm.prank(payer);
        vm.expectRevert(PausedErr.selector);
        vault.requestWithdrawal(1);
    }

    function test_withdraw_with_a_period_pays_only_a_released_bucket() public {
        _stake(10e6, 7 days);
        vm.startPrank(agent);
        vm.expectRevert(WithdrawalNotRequested.selector); // active stake is no longer immediate
        vault.withdraw(1e6);
        vault.requestWithdrawal(4e6);
        uint64 releaseAt = uint64(block.timestamp + 7 days);
        vm.expectRevert(abi.encodeWithSelector(UnbondingNotReleased.selector, releaseAt));
        vault.withdraw(4e6);
        vm.warp(releaseAt - 1);
        vm.expectRevert(abi.encodeWithSelector(UnbondingNotReleased.selector, releaseAt));
        vault.withdraw(1);
        vm.warp(releaseAt);
        vm.expectRevert(InsufficientStake.selector); // active stake never pays while a period is set
        vault.withdraw(4e6 + 1);
        vm.expectEmit(true, false, false, true, address(vault));
        emit Withdrawn(agent, 3e6);
        vault.withdraw(3e6);
        _assertBucket(1e6, releaseAt);
        vm.expectEmit(true, false, false, true, address(vault));
        emit Withdrawn(agent, 1e6);
        vault.withdraw(1e6);
        vm.stopPrank();
        _assertBucket(0, 0);
        assertEq(vault.activeStakeOf(agent), 6e6);
        assertEq(vault.stakeOf(agent), 6e6);
        assertEq(vault.totalStaked(), 6e6);
        assertEq(usdc.balanceOf(agent), 1_000_000e6 - 6e6);
    }

    function test_withdraw_is_paused_for_released_buckets_too() public {
        _stake(10e6, 1 days);
        vm.prank(agent);
        vault.requestWithdrawal(10e6);
        vm.warp(block.timestamp + 1 days);
        vm.prank(owner);
        vault.pause();
        vm.prank(agent);
        vm.expectRevert(PausedErr.selector);
        vault.withdraw(10e6);
    }

    function test_period_zero_withdraw_takes_the_bucket_first_then_active() public {
        _stake(10e6, 7 days);
        vm.prank(agent);
        vault.requestWithdrawal(4e6);
        vm.prank(owner);
        vault.setUnbondingPeriod(0);
        vm.expectEmit(true, false, false, true, address(vault));
        emit Withdrawn(agent, 6e6);
        vm.prank(agent);
        vault.withdraw(6e6); // no warp: a bucket left from before pays at once
        _assertBucket(0, 0);
        assertEq(vault.activeStakeOf(agent), 4e6);
        assertEq(usdc.balanceOf(agent), 1_000_000e6 - 4e6);
        vm.prank(agent);
        vm.expectRevert(InsufficientStake.selector);
        vault.withdraw(4e6 + 1);
    }

    function test_period_zero_partial_withdraw_leaves_active_stake_alone() public {
        _stake(10e6, 7 days);
        vm.prank(agent);
        vault.requestWithdrawal(4e6);
        uint64 releaseAt = uint64(block.timestamp + 7 days);
        vm.prank(owner);
        vault.setUnbondingPeriod(0);
        vm.prank(agent);
        vault.withdraw(1e6);
        _assertBucket(3e6, releaseAt);
        assertEq(vault.activeStakeOf(agent), 6e6);
    }

    function test_period_zero_request_is_released_at_once() public {
        vm.prank(agent);
        vault.deposit(5e6);
        vm.expectEmit(true, false, false, true, address(vault));
        emit WithdrawalRequested(agent, 2e6, uint64(block.timestamp));
        vm.prank(agent);
        vault.requestWithdrawal(2e6);
        _assertBucket(2e6, uint64(block.timestamp));
        assertEq(vault.activeStakeOf(agent), 3e6);
        vm.prank(agent);
        vault.withdraw(5e6);
        assertEq(vault.stakeOf(agent), 0);
    }

    function test_raising_the_period_keeps_an_existing_release_time() public {
        _stake(10e6, 1 days);
        vm.prank(agent);
        vault.requestWithdrawal(2e6);
        vm.prank(owner);
        vault.setUnbondingPeriod(30 days);
        vm.warp(block.timestamp + 1 days);
        vm.prank(agent);
        vault.withdraw(2e6);
        assertEq(vault.stakeOf(agent), 8e6);
    }

    function test_slash_takes_active_first_then_unbonding() public {
        _stake(10e6, 7 days);
        vm.prank(agent);
        vault.requestWithdrawal(4e6);
        uint64 releaseAt = uint64(block.timestamp + 7 days);
        vm.prank(slasher);
        vault.slash(agent, 5e6, treasury);
        assertEq(vault.activeStakeOf(agent), 1e6);
        _assertBucket(4e6, releaseAt);
        vm.expectEmit(true, true, false, true, address(vault));
        emit Slashed(agent, treasury, 3e6, 3e6);
        vm.prank(slasher);
        assertEq(vault.slash(agent, 3e6, treasury), 3e6);
        assertEq(vault.activeStakeOf(agent), 0);
        _assertBucket(2e6, releaseAt); // a slash is not a new request: the clock stays
        vm.expectEmit(true, true, false, true, address(vault));
        emit Slashed(agent, treasury, 9e6, 2e6);
        vm.prank(slasher);
        assertEq(vault.slash(agent, 9e6, treasury), 2e6);
        _assertBucket(0, 0);
        assertEq(vault.stakeOf(agent), 0);
        assertEq(vault.totalStaked(), 0);
        assertEq(usdc.balanceOf(treasury), 10e6);
        assertEq(usdc.balanceOf(address(vault)), 0);
    }

    function test_slash_reaches_a_released_bucket_and_works_while_paused() public {
        _stake(3e6, 1 days);
        vm.prank(agent);
        vault.requestWithdrawal(3e6);
        vm.warp(block.timestamp + 2 days); // released but not yet collected: still slashable
        vm.prank(owner);
        vault.pause();
        vm.prank(slasher);
        assertEq(vault.slash(agent, 2e6, treasury), 2e6);
        _assertBucket(1e6, uint64(block.timestamp - 1 days));
        vm.prank(owner);
        vault.unpause();
        vm.prank(agent);
        vm.expectRevert(InsufficientStake.selector);
        vault.withdraw(3e6);
        vm.prank(agent);
        vault.withdraw(1e6);
        assertEq(usdc.balanceOf(agent), 1_000_000e6 - 2e6);
    }

    function test_usdc_sent_directly_is_not_stake() public {
        vm.prank(payer);
        usdc.transfer(address(vault), 5e6);
        _stake(1e6, 0);
        assertEq(vault.totalStaked(), 1e6);
        vm.prank(agent);
        vm.expectRevert(InsufficientStake.selector);
        vault.withdraw(1e6 + 1);
        vm.prank(slasher);
        assertEq(vault.slash(agent, 6e6, treasury), 1e6);
        assertEq(usdc.balanceOf(address(vault)), 5e6);
    }

    function testFuzz_setUnbondingPeriod_is_capped(uint64 period) public {
        vm.prank(owner);
        if (period > 30 days) vm.expectRevert(UnbondingPeriodTooLong.selector);
        vault.setUnbondingPeriod(period);
        assertEq(vault.unbondingPeriod(), period > 30 days ? 0 : period);
    }

    function testFuzz_withdraw_before_release_always_reverts(uint64 period, uint256 elapsed, uint256 amount) public {
        period = uint64(bound(period, 1, 30 days));
        elapsed = bound(elapsed, 0, period - 1);
        amount = bound(amount, 1, 1_000_000e6);
        _stake(amount, period);
        vm.startPrank(agent);
        vault.requestWithdrawal(amount);
        vm.warp(block.timestamp + elapsed);
        vm.expectRevert(
            abi.encodeWithSelector(UnbondingNotReleased.selector, uint64(block.timestamp - elapsed + period))
        );
        vault.withdraw(amount);
        vm.warp(block.timestamp + period - elapsed);
        vault.withdraw(amount);
        vm.stopPrank();
        assertEq(usdc.balanceOf(agent), 1_000_000e6);
    }

    function testFuzz_slash_never_takes_more_than_both_buckets_and_active_goes_first(
        uint256 stake,
        uint256 requested,
        uint256 slashAmount,
        uint64 period
    ) public {
        stake = bound(stake, 1, 1_000_000e6);
        requested = bound(requested, 0, stake);
        slashAmount = bound(slashAmount, 1, type(uint256).max);
        period = uint64(bound(period, 0, 30 days));
        _stake(stake, period);
        if (requested != 0) {
            vm.prank(agent);
            vault.requestWithdrawal(requested);
        }
        uint256 active = stake - requested;
        vm.prank(slasher);
        uint256 actual = vault.slash(agent, slashAmount, treasury);
        assertEq(actual, slashAmount < stake ? slashAmount : stake);
        uint256 fromActive = actual < active ? actual : active;
        assertEq(vault.activeStakeOf(agent), active - fromActive);
        (uint256 unbonding,) = vault.unbondingOf(agent);
        assertEq(unbonding, requested - (actual - fromActive));
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
