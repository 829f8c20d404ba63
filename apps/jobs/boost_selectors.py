"""Reads of boosts: a topic is featured while a boost runs; its score is the AGR of those boosts."""
from django.db.models import Case, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import Job, JobBoost, JobStatus


def featured_scores(*, job_ids: list, now=None) -> dict:
    """{job id: AGR of its running boosts}, for the given topics (those with none are left out)."""
    if not job_ids:
        return {}
    now = now or timezone.now()
    rows = (JobBoost.objects.filter(job_id__in=job_ids, ends_at__gt=now).values("job_id")
            .annotate(total=Sum("amount_agr")).values_list("job_id", "total"))
    return dict(rows)


def featured_attach(jobs: list) -> list:
    """Sets job.featured_score on each topic: one query, and none when no topic is featured now."""
    now = timezone.now()
    live = [job.id for job in jobs if job.featured_until is not None and job.featured_until > now]
    scores = featured_scores(job_ids=live, now=now)
    for job in jobs:
        job.featured_score = scores.get(job.id, 0)
    return jobs


def featured_score_expression(now):
    """The featured score as a query expression: the running boosts' AGR, summed only for topics whose
    featured_until is still ahead (the others are 0 without a subquery)."""
    running = (JobBoost.objects.filter(job_id=OuterRef("pk"), ends_at__gt=now).values("job_id")
               .annotate(total=Sum("amount_agr")).values("total"))
    return Case(When(featured_until__gt=now, then=Coalesce(Subquery(running), Value(0))),
                default=Value(0), output_field=IntegerField())


def featured_count() -> int:
    """Open topics featured right now (partial index job_featured)."""
    return Job.objects.filter(featured_until__gt=timezone.now(), status=JobStatus.OPEN).count()
