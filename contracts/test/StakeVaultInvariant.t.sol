// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "forge-std/Test.sol";
import {StakeVault} from "../src/StakeVault.sol";
import {MockUSDC} from "../src/mocks/MockUSDC.sol";

/// Drives random deposits, withdrawal requests, withdrawals, slashes, period changes, time jumps and
/// direct USDC transfers by many agents, and keeps its own books.
contract StakeHandler is Test {
    StakeVault public vault;
    MockUSDC public usdc;
    address public owner;
    address public slasher;
    address[] public agents;
    mapping(address => uint256) public expectedActive;
    mapping(address => uint256) public expectedUnbonding;
    mapping(address => uint64) public expectedReleaseAt;
    uint256 public donated;
    uint256 public strangerSlashesAccepted;
    uint256 public slashesOverTheStake;
    uint256 public earlyWithdrawalsAccepted;

    constructor(StakeVault vault_, MockUSDC usdc_, address owner_, address slasher_) {
        vault = vault_;
        usdc = usdc_;
        owner = owner_;
        slasher = slasher_;
        for (uint256 i; i < 8; i++) {
            address a = makeAddr(string(abi.encodePacked("agent", vm.toString(i))));
            agents.push(a);
            usdc.mint(a, 10_000_000e6);
            vm.prank(a);
            usdc.approve(address(vault), type(uint256).max);
        }
    }

    function agentCount() external view returns (uint256) {
        return agents.length;
    }

    function deposit(uint256 who, uint256 amount) external {
        address a = agents[who % agents.length];
        amount = bound(amount, 1, 100_000e6);
        vm.prank(a);
        vault.deposit(amount);
        expectedActive[a] += amount;
    }

    function depositFor(uint256 payer, uint256 who, uint256 amount) external {
        address p = agents[payer % agents.length];
        address a = agents[who % agents.length];
        amount = bound(amount, 1, 100_000e6);
        vm.prank(p);
        vault.depositFor(a, amount);
        expectedActive[a] += amount;
    }

    function requestWithdrawal(uint256 who, uint256 amount) external {
        address a = _withActiveStake(who);
        if (a == address(0)) return;
        amount = bound(amount, 1, expectedActive[a]);
        vm.prank(a);
        vault.requestWithdrawal(amount);
        expectedActive[a] -= amount;
        expectedUnbonding[a] += amount;
        expectedReleaseAt[a] = uint64(block.timestamp) + vault.unbondingPeriod();
    }

    function withdraw(uint256 who, uint256 amount) external {
        address a = vault.unbondingPeriod() == 0 ? agents[who % agents.length] : _withReleasedBucket(who);
        if (a == address(0)) return;
        uint256 unbonding = expectedUnbonding[a];
        if (vault.unbondingPeriod() == 0) {
            if (unbonding + expectedActive[a] == 0) return;
            amount = bound(amount, 1, unbonding + expectedActive[a]);
            uint256 fromBucket = amount < unbonding ? amount : unbonding;
            _bucketTaken(a, fromBucket);
            expectedActive[a] -= amount - fromBucket;
        } else {
            amount = bound(amount, 1, unbonding);
            _bucketTaken(a, amount);
        }
        vm.prank(a);
        vault.withdraw(amount);
    }

    /// Tries to take unreleased stake while a period is set; the vault must refuse every time.
    function earlyWithdraw(uint256 who, uint256 amount) external {
        address a = agents[who % agents.length];
        if (vault.unbondingPeriod() == 0) return;
        if (expectedUnbonding[a] != 0 && block.timestamp >= expectedReleaseAt[a]) return;
        amount = bound(amount, 1, expectedActive[a] + expectedUnbonding[a] + 1);
        vm.prank(a);
        try vault.withdraw(amount) {
            earlyWithdrawalsAccepted++;
        } catch {}
    }

    function slash(uint256 who, uint256 amount, uint256 recipientIndex) external {
        address a = agents[who % agents.length];
        amount = bound(amount, 1, 200_000e6);
        uint256 held = expectedActive[a] + expectedUnbonding[a];
        vm.prank(slasher);
        uint256 actual = vault.slash(a, amount, agents[recipientIndex % agents.length]);
        if (actual > held || actual > amount) slashesOverTheStake++;
        uint256 fromActive = actual < expectedActive[a] ? actual : expectedActive[a];
        expectedActive[a] -= fromActive;
        _bucketTaken(a, actual - fromActive);
    }

    function strangerSlash(uint256 who, uint256 callerIndex, uint256 amount) external {
        address a = agents[who % agents.length];
        address caller = agents[callerIndex % agents.length];
        amount = bound(amount, 1, 200_000e6);
        vm.prank(caller);
        try vault.slash(a, amount, caller) {
            strangerSlashesAccepted++;
        } catch {}
    }

    /// Mostly 0 or a few whole periods, so both withdraw modes get exercised.
    function setUnbondingPeriod(uint256 choice) external {
        uint64[4] memory periods = [uint64(0), 1 hours, 7 days, 30 days];
        vm.prank(owner);
        vault.setUnbondingPeriod(periods[choice % 4]);
    }

    function passTime(uint256 seconds_) external {
        vm.warp(block.timestamp + bound(seconds_, 0, 10 days));
    }

    /// Someone sends USDC straight to the vault: it is nobody's stake.
    function donate(uint256 amount) external {
        amount = bound(amount, 1, 10_000e6);
        usdc.mint(address(this), amount);
        usdc.transfer(address(vault), amount);
        donated += amount;
    }

    /// Random agents rarely hold what a call needs after a few steps; start at a random one and
    /// take the first that qualifies, so the interesting paths run in most sequences.
    function _withActiveStake(uint256 who) private view returns (address) {
        for (uint256 i; i < agents.length; i++) {
            address a = agents[(who % agents.length + i) % agents.length];
            if (expectedActive[a] != 0) return a;
        }
        return address(0);
    }

    function _withReleasedBucket(uint256 who) private view returns (address) {
        for (uint256 i; i < agents.length; i++) {
            address a = agents[(who % agents.length + i) % agents.length];
            if (expectedUnbonding[a] != 0 && block.timestamp >= expectedReleaseAt[a]) return a;
        }
        return address(0);
    }

    function _bucketTaken(address a, uint256 amount) private {
        expectedUnbonding[a] -= amount;
        if (expectedUnbonding[a] == 0) expectedReleaseAt[a] = 0;
    }
}

contract StakeVaultInvariantTest is Test {
    StakeVault vault;
    MockUSDC usdc;
    StakeHandler handler;

    function setUp() public {
        usdc = new MockUSDC();
        address owner = makeAddr("owner");
        address slasher = makeAddr("slasher");
        vault = new StakeVault(address(usdc), owner, slasher);
        handler = new StakeHandler(vault, usdc, owner, slasher);
        targetContract(address(handler));
    }

    function invariant_both_buckets_sum_to_totalStaked_within_the_balance() public view {
        uint256 sum;
        for (uint256 i; i < handler.agentCount(); i++) {
            address a = handler.agents(i);
            (uint256 unbonding,) = vault.unbondingOf(a);
            sum += vault.activeStakeOf(a) + unbonding;
        }
        assertEq(sum, vault.totalStaked());
        assertLe(vault.totalStaked(), usdc.balanceOf(address(vault)));
        assertEq(usdc.balanceOf(address(vault)), vault.totalStaked() + handler.donated());
    }

    function invariant_each_agent_matches_its_own_history() public view {
        for (uint256 i; i < handler.agentCount(); i++) {
            address a = handler.agents(i);
            (uint256 unbonding, uint64 releaseAt) = vault.unbondingOf(a);
            assertEq(vault.activeStakeOf(a), handler.expectedActive(a));
            assertEq(unbonding, handler.expectedUnbonding(a));
            assertEq(releaseAt, handler.expectedReleaseAt(a));
            assertEq(vault.stakeOf(a), vault.activeStakeOf(a) + unbonding);
        }
    }

    function invariant_a_slash_never_takes_more_than_both_buckets_hold() public view {
        assertEq(handler.slashesOverTheStake(), 0);
    }

    function invariant_unreleased_stake_never_pays_out_while_a_period_is_set() public view {
        assertEq(handler.earlyWithdrawalsAccepted(), 0);
    }

    function invariant_only_the_slasher_takes_stake() public view {
        assertEq(handler.strangerSlashesAccepted(), 0);
    }
}
