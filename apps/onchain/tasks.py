from datetime import timedelta

import structlog
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from apps.jobs.selectors import job_ids_closed_without_anchor

from .anchor_services import anchor_post_dev
from .anchoring import anchor_build as anchor_build_service
from .indexer import run_until_idle
from .models import ChainStream
from .services import streams_ensure_from_deployment

log = structlog.get_logger(__name__)


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


@shared_task(time_limit=300, soft_time_limit=280, ignore_result=True, acks_late=True)
def anchor_build(job_id: str) -> str:
    """Enqueued on commit of every close; acks_late, so a worker killed mid-build leaves the message
    for another worker, and the sweep below catches anything the broker lost."""
    anchor = anchor_build_service(job_id=job_id)
    if settings.AGORA_ANCHOR_AUTO_POST and anchor.status == "pending":
        # make run only: the local chain's registry is owned by a key the server holds, so the whole
        # loop (close, anchored, confirmed) shows without an operator. Never on a real chain.
        try:
            anchor_post_dev(anchor=anchor, actor="auto_post")
        except Exception as exc:
            log.warning("anchor_auto_post_failed", job_id=job_id, error=f"{type(exc).__name__}: {exc}")
    return anchor.anchor_root


@shared_task(time_limit=600, soft_time_limit=580, ignore_result=True)
def anchor_sweep() -> list[str]:
    """Builds the anchor of every topic closed a while ago that still has none."""
    before = timezone.now() - timedelta(seconds=settings.AGORA_ANCHOR_SWEEP_AFTER_SECONDS)
    built = []
    for job_id in job_ids_closed_without_anchor(closed_before=before, limit=100):
        built.append(anchor_build_service(job_id=job_id, actor="anchor_sweep").anchor_root)
    return built
