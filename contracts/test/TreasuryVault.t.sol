// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "forge-std/Test.sol";
import {TreasuryVault} from "../src/TreasuryVault.sol";
import {MockUSDC} from "../src/mocks/MockUSDC.sol";
import {MockERC20} from "../src/mocks/MockERC20.sol";
import {NoBoolToken} from "../src/mocks/NoBoolToken.sol";
import "../src/Errors.sol";

/// Returns false instead of reverting: SafeTransfer must still refuse it.
contract FalseToken {
    function transferFrom(address, address, uint256) external pure returns (bool) {
        return false;
    }

    function transfer(address, uint256) external pure returns (bool) {
        return false;
    }
}

contract RejectsEth {
    receive() external payable {
        revert("no");
    }
}

contract TreasuryVaultTest is Test {
    event DonationReceived(
        address indexed donor, address indexed asset, uint256 amount, uint32 indexed purposeId, bytes32 memoHash
    );
    event TreasurySpent(
        address indexed executor, address indexed to, address indexed asset, uint256 amount, uint32 purposeId,
        bytes32 memoHash
    );
    event TokenAllowed(address indexed token, bool allowed);

    MockUSDC usdc;
    TreasuryVault treasury;
    address owner = makeAddr("owner");
    address donor = makeAddr("donor");
    address payee = makeAddr("payee");
    bytes32 memo = keccak256("thanks");

    function setUp() public {
        usdc = new MockUSDC();
        treasury = new TreasuryVault(owner, address(usdc));
        usdc.mint(donor, 1_000e6);
        vm.prank(donor);
        usdc.approve(address(treasury), type(uint256).max);
        vm.deal(donor, 100 ether);
    }

    function test_constructor() public {
        assertEq(treasury.owner(), owner);
        assertEq(treasury.usdc(), address(usdc));
        assertTrue(treasury.allowedToken(address(usdc)));
        vm.expectRevert(ZeroAddress.selector);
        new TreasuryVault(address(0), address(usdc));
        vm.expectRevert(ZeroAddress.selector);
        new TreasuryVault(owner, address(0));
    }

    function test_plain_eth_transfer_is_a_purpose_zero_donation() public {
        vm.expectEmit(true, true, true, true, address(treasury));
        emit DonationReceived(donor, address(0), 1 ether, 0, bytes32(0));
        vm.prank(donor);
        (bool ok,) = address(treasury).call{value: 1 ether}("");
        assertTrue(ok);
        assertEq(treasury.totalIn(0, address(0)), 1 ether);
        assertEq(address(treasury).balance, 1 ether);
    }

    function test_donate_eth_with_purpose_and_memo() public {
        vm.expectEmit(true, true, true, true, address(treasury));
        emit DonationReceived(donor, address(0), 2 ether, 7, memo);
        vm.prank(donor);
        treasury.donateEth{value: 2 ether}(7, memo);
        assertEq(treasury.totalIn(7, address(0)), 2 ether);
        assertEq(treasury.netFor(7, address(0)), int256(2 ether));
    }

    function test_donate_usdc_and_token() public {
        vm.expectEmit(true, true, true, true, address(treasury));
        emit DonationReceived(donor, address(usdc), 15e6, 3, memo);
        vm.prank(donor);
        treasury.donateUsdc(15e6, 3, memo);
        vm.prank(donor);
        treasury.donateToken(address(usdc), 5e6, 3, memo);
        assertEq(treasury.totalIn(3, address(usdc)), 20e6);
        assertEq(usdc.balanceOf(address(treasury)), 20e6);
    }

    function test_donation_reverts() public {
        vm.startPrank(donor);
        vm.expectRevert(ZeroAmount.selector);
        treasury.donateEth{value: 0}(1, memo);
        vm.expectRevert(ZeroAmount.selector);
        (bool ok,) = address(treasury).call{value: 0}("");
        ok;
        vm.expectRevert(ZeroAmount.selector);
        treasury.donateUsdc(0, 1, memo);
        MockERC20 other = new MockERC20("Other", "OTH", 18);
        vm.expectRevert(TokenNotAllowed.selector);
        treasury.donateToken(address(other), 1, 1, memo);
        vm.stopPrank();
        address broke = makeAddr("broke");
        vm.prank(broke);
        vm.expectRevert(TransferFailed.selector);
        treasury.donateUsdc(1, 1, memo);
    }

    function test_allow_list_is_owner_only() public {
        NoBoolToken token = new NoBoolToken();
        vm.prank(donor);
        vm.expectRevert(NotOwner.selector);
        treasury.setAllowedToken(address(token), true);
        vm.prank(owner);
        vm.expectRevert(ZeroAddress.selector);
        treasury.setAllowedToken(address(0), true);
        vm.expectEmit(true, false, false, true, address(treasury));
        emit TokenAllowed(address(token), true);
        vm.prank(owner);
        treasury.setAllowedToken(address(token), true);
        token.mint(donor, 50);
        vm.startPrank(donor);
        token.approve(address(treasury), 50);
        treasury.donateToken(address(token), 50, 2, memo); // no-bool token accepted
        vm.stopPrank();
        assertEq(token.balanceOf(address(treasury)), 50);
        vm.prank(owner);
        treasury.spendToken(address(token), payee, 20, 2, memo);
        assertEq(token.balanceOf(payee), 20);
        vm.prank(owner);
        treasury.setAllowedToken(address(token), false);
        vm.prank(donor);
        vm.expectRevert(TokenNotAllowed.selector);
        treasury.donateToken(address(token), 1, 2, memo);
    }

    function test_false_returning_token_is_refused() public {
        FalseToken token = new FalseToken();
        vm.prank(owner);
        treasury.setAllowedToken(address(token), true);
        vm.prank(donor);
        vm.expectRevert(TransferFailed.selector);
        treasury.donateToken(address(token), 1, 1, memo);
        vm.prank(owner);
        vm.expectRevert(TransferFailed.selector);
        treasury.spendToken(address(token), payee, 1, 1, memo);
    }

    function test_spends_are_owner_only_and_tracked() public {
        vm.startPrank(donor);
        treasury.donateEth{value: 3 ether}(1, memo);
        treasury.donateUsdc(100e6, 1, memo);
        vm.stopPrank();
        vm.startPrank(donor);
        vm.expectRevert(NotOwner.selector);
        treasury.spendEth(payable(donor), 1, 1, memo);
        vm.expectRevert(NotOwner.selector);
        treasury.spendUsdc(donor, 1, 1, memo);
        vm.expectRevert(NotOwner.selector);
        treasury.spendToken(address(usdc), donor, 1, 1, memo);
        vm.stopPrank();
        vm.startPrank(owner);
        vm.expectEmit(true, true, true, true, address(treasury));
        emit TreasurySpent(owner, payee, address(0), 1 ether, 1, memo);
        treasury.spendEth(payable(payee), 1 ether, 1, memo);
        vm.expectEmit(true, true, true, true, address(treasury));
        emit TreasurySpent(owner, payee, address(usdc), 40e6, 1, memo);
        treasury.spendUsdc(payee, 40e6, 1, memo);
        vm.stopPrank();
        assertEq(payee.balance, 1 ether);
        assertEq(usdc.balanceOf(payee), 40e6);
        assertEq(treasury.totalOut(1, address(0)), 1 ether);
        assertEq(treasury.totalOut(1, address(usdc)), 40e6);
        assertEq(treasury.netFor(1, address(usdc)), int256(60e6));
    }

    function test_net_can_go_negative_per_purpose() public {
        vm.prank(donor);
        treasury.donateUsdc(10e6, 1, memo);
        vm.prank(owner);
        treasury.spendUsdc(payee, 4e6, 2, memo);
        assertEq(treasury.netFor(2, address(usdc)), -int256(4e6));
    }

    function test_spend_reverts() public {
        vm.prank(donor);
        treasury.donateEth{value: 1 ether}(1, memo);
        vm.startPrank(owner);
        vm.expectRevert(ZeroAddress.selector);
        treasury.spendEth(payable(address(0)), 1, 1, memo);
        vm.expectRevert(ZeroAmount.selector);
        treasury.spendEth(payable(payee), 0, 1, memo);
        vm.expectRevert(ZeroAddress.selector);
        treasury.spendToken(address(0), payee, 1, 1, memo);
        vm.expectRevert(ZeroAddress.selector);
        treasury.spendUsdc(address(0), 1, 1, memo);
        vm.expectRevert(TransferFailed.selector);
        treasury.spendEth(payable(payee), 2 ether, 1, memo); // more than it holds
        RejectsEth rejecter = new RejectsEth();
        vm.expectRevert(TransferFailed.selector);
        treasury.spendEth(payable(address(rejecter)), 1, 1, memo);
        vm.expectRevert(TransferFailed.selector);
        treasury.spendUsdc(payee, 1, 1, memo); // holds no USDC
        vm.stopPrank();
    }

    function testFuzz_totals_follow_donations_and_spends(uint96 donated, uint96 spent, uint32 purpose) public {
        vm.assume(donated > 0 && spent > 0 && spent <= donated);
        vm.deal(donor, donated);
        vm.prank(donor);
        treasury.donateEth{value: donated}(purpose, memo);
        vm.prank(owner);
        treasury.spendEth(payable(payee), spent, purpose, memo);
        assertEq(treasury.totalIn(purpose, address(0)), donated);
        assertEq(treasury.totalOut(purpose, address(0)), spent);
        assertEq(treasury.netFor(purpose, address(0)), int256(uint256(donated)) - int256(uint256(spent)));
        assertEq(address(treasury).balance, uint256(donated) - spent);
    }

    function testFuzz_usdc_donations_accumulate(uint64 a, uint64 b) public {
        vm.assume(a > 0 && b > 0);
        usdc.mint(donor, uint256(a) + b);
        vm.startPrank(donor);
        treasury.donateUsdc(a, 9, memo);
        treasury.donateUsdc(b, 9, memo);
        vm.stopPrank();
        assertEq(treasury.totalIn(9, address(usdc)), uint256(a) + b);
    }
}
