"""The one place the Celery beat schedule lives. Every entry sets `expires` so late runs don't pile up.

Settings pass the intervals in (`AGORA_INDEX_EVERY_SECONDS`, `AGORA_ANCHOR_SWEEP_EVERY_SECONDS`) and set
the result as CELERY_BEAT_SCHEDULE; django-celery-beat's database scheduler copies it into its tables
when beat starts, so this file, not the admin, is where the schedule is changed.
"""
from datetime import timedelta


def beat_schedule(*, index_every: float = 5, sweep_every: float = 60) -> dict:
    return {
        "onchain-index-streams": {
            "task": "apps.onchain.tasks.index_streams",
            # Every few seconds: with the RPC backoff capped below this interval, every tick probes a
            # failing provider, so the indexer catches up within one interval of the provider's recovery.
            "schedule": timedelta(seconds=index_every),
            "options": {"expires": index_every},
        },
        "onchain-anchor-sweep": {
            "task": "apps.onchain.tasks.anchor_sweep",
            "schedule": timedelta(seconds=sweep_every),
            "options": {"expires": sweep_every},
        },
        "slashing-expire-proposals": {
            "task": "apps.slashing.tasks.expire_proposals",
            "schedule": timedelta(minutes=5),
            "options": {"expires": 5 * 60},
        },
        "auth-purge-expired": {
            "task": "apps.auth.tasks.purge_expired",
            "schedule": timedelta(hours=1),
            "options": {"expires": 30 * 60},
        },
    }
