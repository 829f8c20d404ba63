// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "forge-std/Test.sol";
import {StakeVault} from "../src/StakeVault.sol";
import {MockUSDC} from "../src/mocks/MockUSDC.sol";

/// Drives random deposits, withdrawals and slashes by many agents, and keeps its own books.
contract StakeHandler is Test {
    StakeVault public vault;
    MockUSDC public usdc;
    address public slasher;
    address[] public agents;
    mapping(address => uint256) public expectedStake;
    uint256 public strangerSlashesAccepted;

    constructor(StakeVault vault_, MockUSDC usdc_, address slasher_) {
        vault = vault_;
        usdc = usdc_;
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
        expectedStake[a] += amount;
    }

    function depositFor(uint256 payer, uint256 who, uint256 amount) external {
        address p = agents[payer % agents.length];
        address a = agents[who % agents.length];
        amount = bound(amount, 1, 100_000e6);
        vm.prank(p);
        vault.depositFor(a, amount);
        expectedStake[a] += amount;
    }

    function withdraw(uint256 who, uint256 amount) external {
        address a = agents[who % agents.length];
        if (expectedStake[a] == 0) return;
        amount = bound(amount, 1, expectedStake[a]);
        vm.prank(a);
        vault.withdraw(amount);
        expectedStake[a] -= amount;
    }

    function slash(uint256 who, uint256 amount, uint256 recipientIndex) external {
        address a = agents[who % agents.length];
        amount = bound(amount, 1, 200_000e6);
        vm.prank(slasher);
        uint256 actual = vault.slash(a, amount, agents[recipientIndex % agents.length]);
        expectedStake[a] -= actual;
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
}

contract StakeVaultInvariantTest is Test {
    StakeVault vault;
    MockUSDC usdc;
    StakeHandler handler;

    function setUp() public {
        usdc = new MockUSDC();
        address slasher = makeAddr("slasher");
        vault = new StakeVault(address(usdc), makeAddr("owner"), slasher);
        handler = new StakeHandler(vault, usdc, slasher);
        targetContract(address(handler));
    }

    function invariant_sum_of_stakes_equals_vault_balance() public view {
        uint256 sum;
        for (uint256 i; i < handler.agentCount(); i++) {
            sum += vault.stakeOf(handler.agents(i));
        }
        assertEq(sum, usdc.balanceOf(address(vault)));
        assertEq(sum, vault.totalStaked());
    }

    function invariant_each_stake_matches_its_own_history() public view {
        for (uint256 i; i < handler.agentCount(); i++) {
            address a = handler.agents(i);
            assertEq(vault.stakeOf(a), handler.expectedStake(a));
        }
    }

    function invariant_only_the_slasher_takes_stake() public view {
        assertEq(handler.strangerSlashesAccepted(), 0);
    }
}
