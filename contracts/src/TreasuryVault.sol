// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Owned} from "./Owned.sol";
import {SafeTransfer} from "./SafeTransfer.sol";
import {TokenNotAllowed, TransferFailed, ZeroAddress, ZeroAmount} from "./Errors.sol";

/// Donations in ETH and allow-listed ERC-20s, each tagged with a purpose and a memo hash;
/// owner-only spends; public totals in and out per (purpose, asset). asset 0x0 = ETH.
contract TreasuryVault is Owned {
    using SafeTransfer for address;

    address public immutable usdc;
    mapping(address => bool) public allowedToken;
    mapping(uint32 => mapping(address => uint256)) public totalIn;
    mapping(uint32 => mapping(address => uint256)) public totalOut;

    event DonationReceived(
        address indexed donor, address indexed asset, uint256 amount, uint32 indexed purposeId, bytes32 memoHash
    );
    event TreasurySpent(
        address indexed executor, address indexed to, address indexed asset, uint256 amount, uint32 purposeId,
        bytes32 memoHash
    );
    event TokenAllowed(address indexed token, bool allowed);

    constructor(address owner_, address usdc_) Owned(owner_) {
        if (usdc_ == address(0)) revert ZeroAddress();
        usdc = usdc_;
        allowedToken[usdc_] = true;
        emit TokenAllowed(usdc_, true);
    }

    /// Plain ETH transfers count as donations to purpose 0 with no memo.
    receive() external payable {
        _donateEth(0, bytes32(0));
    }

    function donateEth(uint32 purposeId, bytes32 memoHash) external payable {
        _donateEth(purposeId, memoHash);
    }

    function donateToken(address token, uint256 amount, uint32 purposeId, bytes32 memoHash) public {
        if (!allowedToken[token]) revert TokenNotAllowed();
        if (amount == 0) revert ZeroAmount();
        totalIn[purposeId][token] += amount;
        emit DonationReceived(msg.sender, token, amount, purposeId, memoHash);
        token.safeTransferFrom(msg.sender, address(this), amount);
    }

    function donateUsdc(uint256 amount, uint32 purposeId, bytes32 memoHash) external {
        donateToken(usdc, amount, purposeId, memoHash);
    }

    function spendEth(address payable to, uint256 amount, uint32 purposeId, bytes32 memoHash) external onlyOwner {
        _checkSpend(to, amount);
        totalOut[purposeId][address(0)] += amount;
        emit TreasurySpent(msg.sender, to, address(0), amount, purposeId, memoHash);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    function spendToken(address token, address to, uint256 amount, uint32 purposeId, bytes32 memoHash)
        public
        onlyOwner
    {
        if (token == address(0)) revert ZeroAddress();
        _checkSpend(to, amount);
        totalOut[purposeId][token] += amount;
        emit TreasurySpent(msg.sender, to, token, amount, purposeId, memoHash);
        token.safeTransfer(to, amount);
    }

    function spendUsdc(address to, uint256 amount, uint32 purposeId, bytes32 memoHash) external {
        spendToken(usdc, to, amount, purposeId, memoHash);
    }

    function setAllowedToken(address token, bool allowed) external onlyOwner {
        if (token == address(0)) revert ZeroAddress();
        allowedToken[token] = allowed;
        emit TokenAllowed(token, allowed);
    }

    /// In minus out for one purpose and asset; negative when a purpose spent more than it received.
    function netFor(uint32 purposeId, address asset) external view returns (int256) {
        return int256(totalIn[purposeId][asset]) - int256(totalOut[purposeId][asset]);
    }

    function _donateEth(uint32 purposeId, bytes32 memoHash) private {
        if (msg.value == 0) revert ZeroAmount();
        totalIn[purposeId][address(0)] += msg.value;
        emit DonationReceived(msg.sender, address(0), msg.value, purposeId, memoHash);
    }

    function _checkSpend(address to, uint256 amount) private pure {
        if (to == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
    }
}
