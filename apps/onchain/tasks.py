from celery import shared_task
from django.conf import settings

from .indexer import run_until_idle
from .models import ChainStream
from .services import streams_ensure_from_deployment


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)
def index_streams() -> list[dict]:
    """Beat runs this every few seconds; each run catches every stream up for at most 60 s.
    A second run while one is busy skips the locked streams (row lock), so runs never overlap work."""
    if not settings.AGORA_RPC_URL:
        return []  # nothing to index against
    streams_ensure_from_deployment()
    ids = list(ChainStream.objects.filter(halted=False).values_list("id", flat=True))
    results = run_until_idle(stream_ids=ids, max_seconds=60)
    return [{"stream": r.stream, "status": r.status, "events": r.events} for r in results if r.status != "idle"]
