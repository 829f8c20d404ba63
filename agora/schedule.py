"""The one place the Celery beat schedule lives. Every entry sets `expires` so late runs don't pile up."""
from datetime import timedelta

BEAT_SCHEDULE = {
    "onchain-index-streams": {
        "task": "apps.onchain.tasks.index_streams",
        "schedule": timedelta(seconds=10),
        "options": {"expires": 10},
    },
    "onchain-anchor-sweep": {
        "task": "apps.onchain.tasks.anchor_sweep",
        "schedule": timedelta(seconds=60),
        "options": {"expires": 60},
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
