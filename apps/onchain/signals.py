"""Hooks for the apps above onchain. The indexer can't import them (layers), so it announces what it
derived and they connect in their AppConfig.ready (apps.slashing links `Slashed` events to proposals).
Both are sent inside the indexer step's transaction with `send` (not `send_robust`): a receiver that
fails fails the step, which is retried, so derived state never half-applies."""
from django.dispatch import Signal

# New SlashingEvent rows, just written by the StakeVault projection. kwargs: stream, slashes (list).
slashes_indexed = Signal()
# A rollback (reorg or cursor reset) is about to delete these SlashingEvent rows. kwargs: stream,
# event_ids (list; possibly empty).
slashes_rolling_back = Signal()
