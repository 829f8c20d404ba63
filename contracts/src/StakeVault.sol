// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Owned} from "./Owned.sol";
import {SafeTransfer} from "./SafeTransfer.sol";
import {InsufficientStake, NotPendingSlasher, NotSlasher, PausedErr, ZeroAddress, ZeroAmount} from "./Errors.sol";

/// Agents' USDC stake. Only the slasher (the operators' Safe) can slash, capped at the stake.
contract StakeVault is Owned {
    using SafeTransfer for address;

    address public immutable usdc;
    address public slasher;
    address public pendingSlasher;
    bool public paused;
    uint256 public totalStaked;
    mapping(address => uint256) public stakeOf;

    event Deposited(address indexed payer, address indexed agent, uint256 amount);
    event Withdrawn(address indexed agent, uint256 amount);
    event Slashed(address indexed agent, address indexed recipient, uint256 requestedAmount, uint256 actualAmount);
    event Paused(address account);
    event Unpaused(address account);
    event SlasherProposed(address indexed currentSlasher, address indexed proposedSlasher);
    event SlasherAccepted(address indexed previousSlasher, address indexed newSlasher);

    constructor(address usdc_, address owner_, address slasher_) Owned(owner_) {
        if (usdc_ == address(0) || slasher_ == address(0)) revert ZeroAddress();
        usdc = usdc_;
        slasher = slasher_;
        emit SlasherAccepted(address(0), slasher_);
    }

    modifier whenNotPaused() {
        if (paused) revert PausedErr();
        _;
    }

    function deposit(uint256 amount) external {
        _deposit(msg.sender, amount);
    }

    function depositFor(address agent, uint256 amount) external {
        if (agent == address(0)) revert ZeroAddress();
        _deposit(agent, amount);
    }

    function _deposit(address agent, uint256 amount) private whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        stakeOf[agent] += amount;
        totalStaked += amount;
        emit Deposited(msg.sender, agent, amount);
        usdc.safeTransferFrom(msg.sender, address(this), amount);
    }

    function withdraw(uint256 amount) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        uint256 current = stakeOf[msg.sender];
        if (amount > current) revert InsufficientStake();
        stakeOf[msg.sender] = current - amount;
        totalStaked -= amount;
        emit Withdrawn(msg.sender, amount);
        usdc.safeTransfer(msg.sender, amount);
    }

    /// Takes up to `amount` from `agent`'s stake (never more than it holds) and sends it to
    /// `recipient`. Works while paused: enforcement must not depend on the pause switch.
    function slash(address agent, uint256 amount, address recipient) external returns (uint256 actualAmount) {
        if (msg.sender != slasher) revert NotSlasher();
        if (agent == address(0) || recipient == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 current = stakeOf[agent];
        actualAmount = amount < current ? amount : current;
        stakeOf[agent] = current - actualAmount;
        totalStaked -= actualAmount;
        emit Slashed(agent, recipient, amount, actualAmount);
        if (actualAmount != 0) usdc.safeTransfer(recipient, actualAmount);
    }

    function pause() external onlyOwner {
        paused = true;
        emit Paused(msg.sender);
    }

    function unpause() external onlyOwner {
        paused = false;
        emit Unpaused(msg.sender);
    }

    function proposeSlasher(address newSlasher) external onlyOwner {
        if (newSlasher == address(0)) revert ZeroAddress();
        pendingSlasher = newSlasher;
        emit SlasherProposed(slasher, newSlasher);
    }

    function acceptSlasher() external {
        if (msg.sender != pendingSlasher) revert NotPendingSlasher();
        address previous = slasher;
        slasher = msg.sender;
        pendingSlasher = address(0);
        emit SlasherAccepted(previous, msg.sender);
    }
}
