"""Boosts: a wallet spends AGR (through the AGR ledger) to feature an open topic for a while."""
from datetime import timedelta

import structlog
from django.db import transaction
from django.utils import timezone

from apps.agents.services import agr_spend
from apps.common.errors import Conflict, InvalidInput, NotFound
from apps.common.timefmt import iso_z

from .models import Job, JobBoost, JobEvent, JobEventKind, JobStatus
from .rules import MAX_BOOST_AGR, MAX_BOOST_HOURS

log = structlog.get_logger(__name__)


def _whole(value, name: str, top: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
        raise InvalidInput(f"{name} must be an integer from 1 to {top:,}", code="invalid_boost")
    return value


@transaction.atomic
def job_boost(*, job_id, booster: str, amount_agr: int, duration_hours: int) -> JobBoost:
    """Boosts stack: each one counts its AGR until it ends, and the topic stays featured until the
    latest end. The topic's row lock orders boosts against each other and against a close."""
    amount_agr = _whole(amount_agr, "amount_agr", MAX_BOOST_AGR)
    duration_hours = _whole(duration_hours, "duration_hours", MAX_BOOST_HOURS)
    job = Job.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise NotFound("topic not found", code="job_not_found")
    if job.status != JobStatus.OPEN:
        raise Conflict("only open topics can be boosted", code="job_closed")
    entry = agr_spend(address=booster, amount=amount_agr, job_id=job.id,
                      reason=f"boost of topic {job.id} for {duration_hours} h")
    now = timezone.now()
    boost = JobBoost.objects.create(job=job, booster_address=booster, amount_agr=amount_agr,
                                    duration_hours=duration_hours, starts_at=now,
                                    ends_at=now + timedelta(hours=duration_hours), agr_entry=entry)
    job.featured_until = max(boost.ends_at, job.featured_until or boost.ends_at)
    job.save(update_fields=["featured_until"])  # also a new list-cache token: the score changed either way
    JobEvent.objects.create(job=job, kind=JobEventKind.BOOSTED, actor=booster,
                            data={"boost_id": str(boost.id), "amount_agr": amount_agr,
                                  "duration_hours": duration_hours, "ends_at": iso_z(boost.ends_at)})
    log.info("job_boosted", job_id=str(job.id), amount_agr=amount_agr, duration_hours=duration_hours)
    return boost
