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
    ]
