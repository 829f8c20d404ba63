"""The one place the Celery beat schedule lives. Every entry sets `expires` so late runs don't pile up."""
from datetime import timedelta

BEAT_SCHEDULE = {
    "onchain-index-streams": {
        "task": "apps.onchain.tasks.index_streams",
        "schedule": timedelta(seconds=10),
        "options": {"expires": 10},
    },
    "auth-purge-expired": {
        "task": "apps.auth.tasks.purge_expired",
        "schedule": timedelta(hours=1),
        "options": {"expires": 30 * 60},
    },
}
