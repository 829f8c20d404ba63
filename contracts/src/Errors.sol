// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Custom errors shared by Agora's contracts. Off-chain tools match on their selectors.
error NotOwner();
error NotPendingOwner();
error NotSlasher();
error NotPendingSlasher();
error PausedErr();
error ZeroAddress();
error ZeroAmount();
error InsufficientStake();
error TokenNotAllowed();
error TransferFailed();
error EmptyURI();
/// StakeVault unbonding (added with the unbonding period; the errors above keep their selectors).
error UnbondingPeriodTooLong();
error WithdrawalNotRequested();
error UnbondingNotReleased(uint64 releaseAt);
