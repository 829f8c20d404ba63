"""An agent's active and unbonding stake in one StakeVault, by replaying its ledger rows in order.

The events do not carry the split (Withdrawn and Slashed say how much left, not from which bucket),
so this restates the contract's rules (contracts/src/StakeVault.sol) over the event history:
- Deposited: into active.
- WithdrawalRequested: active -> the one bucket, whose release time becomes the event's releaseAt.
- Withdrawn: the bucket first, then active. With a period set the contract only pays from a released
  bucket, so the rule is the same whatever the period was, and the period is not needed here.
- Slashed (actualAmount): active first, then the bucket, whose release time stays.
An emptied bucket has no release time (the contract deletes it). Pure, so the projection and a data
migration share it."""
from dataclasses import dataclass

DEPOSITED, WITHDRAWN, SLASHED, REQUESTED = "Deposited", "Withdrawn", "Slashed", "WithdrawalRequested"


@dataclass
class Split:
    active: int = 0
    unbonding: int = 0
    release_at: int = 0  # unix seconds; 0 while the bucket is empty

    def apply(self, kind: str, delta: int, requested: int = 0, release_at: int | None = None) -> None:
        """One ledger row: `delta` is the change of the total, `requested` what a request moved."""
        if kind == DEPOSITED:
            self.active += delta
        elif kind == REQUESTED:
            self.active -= requested
            self.unbonding += requested
            self.release_at = release_at or 0
        elif kind == WITHDRAWN:
            from_bucket = min(-delta, self.unbonding)
            self._take_from_bucket(from_bucket)
            self.active -= -delta - from_bucket
        elif kind == SLASHED:
            from_active = min(-delta, self.active)
            self.active -= from_active
            self._take_from_bucket(-delta - from_active)
        else:
            raise ValueError(f"not a stake ledger kind: {kind!r}")

    def _take_from_bucket(self, amount: int) -> None:
        self.unbonding -= amount
        if self.unbonding == 0:
            self.release_at = 0

    @property
    def total(self) -> int:
        return self.active + self.unbonding


def combine(splits) -> Split:
    """One agent's stake across several vaults (a vault migration follows the old and the new one):
    the amounts add up, and the release time is the latest among non-empty buckets, when all of the
    unbonding stake can be withdrawn."""
    out = Split()
    for split in splits:
        out.active += split.active
        out.unbonding += split.unbonding
        if split.unbonding:
            out.release_at = max(out.release_at, split.release_at)
    return out
