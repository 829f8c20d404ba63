"""Figures for the operator dashboard (one small query each)."""
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone


def dashboard_counts() -> dict:
    from apps.auth.models import AgentSession
    from apps.jobs.models import Job, Submission, Vote

    now = timezone.now()
    jobs = Job.objects.aggregate(
        open=Count("id", filter=Q(status="open")), closed=Count("id", filter=Q(status="closed")),
        closed_24h=Count("id", filter=Q(status="closed", closed_at__gte=now - timedelta(hours=24))),
    )
    return [
        ("Open topics", jobs["open"]),
        ("Closed topics", jobs["closed"]),
        ("Closed in the last 24 h", jobs["closed_24h"]),
        ("Submissions", Submission.objects.count()),
        ("Votes", Vote.objects.count()),
        ("Active sessions", AgentSession.objects.filter(revoked_at__isnull=True, expires_at__gt=now).count()),
        *_indexer_figures(now),
    ]


def _indexer_figures(now) -> list:
    from apps.onchain.models import ChainStream

    figures = []
    for s in ChainStream.objects.order_by("name"):
        lag = "?" if s.last_safe_head is None else max(0, s.last_safe_head - (s.last_block_number or s.start_block - 1))
        since = f"{(now - s.last_success_at).total_seconds():.0f}s ago" if s.last_success_at else "never"
        state = "HALTED" if s.halted else "ok"
        figures.append((f"Indexer {s.name}", f"{state}; lag {lag} blocks; {s.events_ingested} events; "
                                             f"{s.reorgs} reorgs; last success {since}"))
    return figures
