// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Owned} from "./Owned.sol";
import {SafeTransfer} from "./SafeTransfer.sol";
import {
    InsufficientStake,
    NotPendingSlasher,
    NotSlasher,
    PausedErr,
    UnbondingNotReleased,
    UnbondingPeriodTooLong,
    WithdrawalNotRequested,
    ZeroAddress,
    ZeroAmount
} from "./Errors.sol";

/// Agents' USDC stake. Only the slasher (the operators' Safe) can slash, capped at the stake.
/// @dev Each agent's stake sits in two buckets: active (counts for eligibility) and one unbonding
/// bucket (on its way out). Both stay slashable: misconduct found after an agent asked to leave
/// must still cost it, which is the reason the unbonding period exists at all.
contract StakeVault is Owned {
    using SafeTransfer for address;

    struct Unbonding {
        uint256 amount;
        uint64 releaseAt;
    }

    /// @dev Long enough for a Safe to review evidence and execute a slash; short enough that an
    /// owner mistake cannot hold agents' funds for an unreasonable time.
    uint64 public constant MAX_UNBONDING_PERIOD = 30 days;

    address public immutable usdc;
    address public slasher;
    address public pendingSlasher;
    bool public paused;
    uint64 public unbondingPeriod;
    uint256 public totalStaked;
    mapping(address => uint256) private _active;
    mapping(address => Unbonding) private _unbonding;

    event Deposited(address indexed payer, address indexed agent, uint256 amount);
    event Withdrawn(address indexed agent, uint256 amount);
    event Slashed(address indexed agent, address indexed recipient, uint256 requestedAmount, uint256 actualAmount);
    event Paused(address account);
    event Unpaused(address account);
    event SlasherProposed(address indexed currentSlasher, address indexed proposedSlasher);
    event SlasherAccepted(address indexed previousSlasher, address indexed newSlasher);
    event WithdrawalRequested(address indexed agent, uint256 amount, uint64 releaseAt);
    event UnbondingPeriodSet(uint64 period);

    /// @dev The period starts at 0 so the constructor signature stays fixed and a fresh vault
    /// behaves like the one integrations were written against; deploy tooling sets the period.
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

    /// Total slashable stake: active plus unbonding. Kept as the total (not the active part) because
    /// indexers reconcile it against Deposited - Withdrawn - Slashed, which moves both buckets.
    function stakeOf(address agent) external view returns (uint256) {
        return _active[agent] + _unbonding[agent].amount;
    }

    /// The stake that counts for eligibility: what has not been asked back.
    function activeStakeOf(address agent) external view returns (uint256) {
        return _active[agent];
    }

    /// The agent's one unbonding bucket; releaseAt is 0 when the bucket is empty.
    function unbondingOf(address agent) external view returns (uint256 amount, uint64 releaseAt) {
        Unbonding storage bucket = _unbonding[agent];
        return (bucket.amount, bucket.releaseAt);
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
        _active[agent] += amount;
        totalStaked += amount;
        emit Deposited(msg.sender, agent, amount);
        usdc.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Owner-set delay between requestWithdrawal and withdraw.
    /// @dev Changing it does not move existing buckets' releaseAt: agents planned on the time they
    /// were given. The one exception is 0 (see withdraw).
    function setUnbondingPeriod(uint64 period) external onlyOwner {
        if (period > MAX_UNBONDING_PERIOD) revert UnbondingPeriodTooLong();
        unbondingPeriod = period;
        emit UnbondingPeriodSet(period);
    }

    /// @notice Moves `amount` from active stake into the agent's unbonding bucket.
    /// @dev One bucket per agent, and each request restarts its clock for the whole bucket: a queue
    /// of buckets would cost storage and loops for no gain, and restarting means topping up a request
    /// can never shorten the time misconduct can still be slashed. Paused like the other agent-side
    /// moves, so an incident is handled against a frozen picture (slashing still works).
    function requestWithdrawal(uint256 amount) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        uint256 active = _active[msg.sender];
        if (amount > active) revert InsufficientStake();
        _active[msg.sender] = active - amount;
        Unbonding storage bucket = _unbonding[msg.sender];
        uint64 releaseAt = uint64(block.timestamp) + unbondingPeriod;
        bucket.amount += amount;
        bucket.releaseAt = releaseAt;
        emit WithdrawalRequested(msg.sender, amount, releaseAt);
    }

    /// @notice Pays `amount` back to the caller.
    /// @dev With the period at 0 there is no unbonding, so withdrawing stays immediate as it always was,
    /// and a bucket left from a non-zero period is paid at once too: holding it would be a lock with no
    /// purpose. The bucket is paid first because that stake has already stopped counting for eligibility;
    /// taking active stake first would cost the agent eligibility while leaving idle funds behind.
    /// With a period, only a released bucket pays: active stake must go through requestWithdrawal so it
    /// stays slashable for the whole period.
    function withdraw(uint256 amount) external whenNotPaused {
        if (amount == 0) revert ZeroAmount();
        Unbonding storage bucket = _unbonding[msg.sender];
        uint256 unbonding = bucket.amount;
        if (unbondingPeriod == 0) {
            uint256 active = _active[msg.sender];
            if (amount > unbonding + active) revert InsufficientStake();
            uint256 fromBucket = amount < unbonding ? amount : unbonding;
            _takeFromBucket(msg.sender, fromBucket);
            _active[msg.sender] = active - (amount - fromBucket);
        } else {
            if (unbonding == 0) revert WithdrawalNotRequested();
            // A validator's few seconds of timestamp leeway do not matter against a period of days.
            // forge-lint: disable-next-line(block-timestamp)
            if (block.timestamp < bucket.releaseAt) revert UnbondingNotReleased(bucket.releaseAt);
            if (amount > unbonding) revert InsufficientStake();
            _takeFromBucket(msg.sender, amount);
        }
        totalStaked -= amount;
        emit Withdrawn(msg.sender, amount);
        usdc.safeTransfer(msg.sender, amount);
    }

    /// Takes up to `amount` from `agent`'s stake (never more than it holds) and sends it to
    /// `recipient`. Works while paused: enforcement must not depend on the pause switch.
    /// @dev Active stake goes first: the agent loses eligibility before anything else, and the funds it
    /// has already asked back are the last touched, so a small slash does not upset a planned exit.
    /// The unbonding bucket keeps its releaseAt: a slash is not a new request.
    function slash(address agent, uint256 amount, address recipient) external returns (uint256 actualAmount) {
        if (msg.sender != slasher) revert NotSlasher();
        if (agent == address(0) || recipient == address(0)) revert ZeroAddress();
        if (amount == 0) revert ZeroAmount();
        uint256 active = _active[agent];
        uint256 unbonding = _unbonding[agent].amount;
        uint256 held = active + unbonding;
        actualAmount = amount < held ? amount : held;
        uint256 fromActive = actualAmount < active ? actualAmount : active;
        _active[agent] = active - fromActive;
        _takeFromBucket(agent, actualAmount - fromActive);
        totalStaked -= actualAmount;
        emit Slashed(agent, recipient, amount, actualAmount);
        if (actualAmount != 0) usdc.safeTransfer(recipient, actualAmount);
    }

    /// @dev An emptied bucket is deleted so unbondingOf reads (0, 0) rather than a stale releaseAt.
    function _takeFromBucket(address agent, uint256 amount) private {
        if (amount == 0) return;
        Unbonding storage bucket = _unbonding[agent];
        uint256 left = bucket.amount - amount;
        if (left == 0) delete _unbonding[agent];
        else bucket.amount = left;
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
