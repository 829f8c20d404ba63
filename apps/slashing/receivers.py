"""Connected in SlashingConfig.ready to the indexer's hooks (apps/onchain/signals.py)."""
from .projections import slashes_link, slashes_unlink


def on_slashes_indexed(sender, *, slashes, **kwargs):
    slashes_link(slashes=slashes)


def on_slashes_rolling_back(sender, *, event_ids, **kwargs):
    if event_ids:
        slashes_unlink(event_ids=event_ids)
