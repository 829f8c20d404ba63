import uuid

from django.db import connection
from django.db.models import Q

from agora.api.pagination import decode_cursor, encode_cursor
from apps.common.errors import InvalidInput, NotFound

from .models import Job, JobStatus, Submission

# One statement: votes are summed per submission (index-only on vote_tally), then joined
# to every submission of the topic. Jury rank = weighted votes desc, then earlier
# submission first, then id, so equal weights always rank the same way.
_TALLY_SQL = """
SELECT s.id, s.agent_address, COALESCE(t.weighted, 0) AS weighted, COALESCE(t.voters, 0) AS voters
FROM jobs_submission s
LEFT JOIN (
    SELECT submission_id, SUM(weight) AS weighted, COUNT(*) AS voters
    FROM jobs_vote WHERE job_id = %s GROUP BY submission_id
) t ON t.submission_id = s.id
WHERE s.job_id = %s
ORDER BY weighted DESC, s.created_at ASC, s.id ASC
"""


def _job_base():
    return Job.objects.select_related("receipt")


def job_list(*, status: str = "open", tag: str | None = None, limit: int = 20, cursor: str | None = None):
    """Newest first, keyset-paginated. Returns (jobs, next_cursor or None)."""
    if status not in ("open", "all", "closed"):
        raise InvalidInput("status must be open, closed or all", code="invalid_status")
    qs = _job_base()
    if status != "all":
        qs = qs.filter(status=status)
    if tag:
        qs = qs.filter(tag_rows__tag=tag)
    if cursor:
        created_at, pk = decode_cursor(cursor)
        qs = qs.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk))
    jobs = list(qs.order_by("-created_at", "-id")[: limit + 1])
    next_cursor = encode_cursor(jobs[limit - 1].created_at, jobs[limit - 1].id) if len(jobs) > limit else None
    return jobs[:limit], next_cursor


def job_get(*, job_id) -> Job:
    job = _job_base().filter(pk=job_id).first()
    if job is None:
        raise NotFound("topic not found", code="job_not_found")
    return job


def job_exists(*, job_id) -> bool:
    return Job.objects.filter(pk=job_id).exists()


def submission_list(*, job_id, limit: int = 50, after: str | None = None):
    if not job_exists(job_id=job_id):
        raise NotFound("topic not found", code="job_not_found")
    qs = Submission.objects.filter(job_id=job_id)
    if after:
        created_at, pk = decode_cursor(after)
        qs = qs.filter(Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=pk))
    rows = list(qs.order_by("created_at", "id")[: limit + 1])
    next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


def vote_tally(*, job_id) -> list[dict]:
    job_uuid = job_id if isinstance(job_id, uuid.UUID) else uuid.UUID(str(job_id))
    if not job_exists(job_id=job_uuid):
        raise NotFound("topic not found", code="job_not_found")
    # SQLite (make run) stores UUIDs as 32 hex characters; PostgreSQL has a native type.
    param = job_uuid.hex if connection.vendor == "sqlite" else job_uuid
    with connection.cursor() as cur:
        cur.execute(_TALLY_SQL, [param, param])
        rows = cur.fetchall()
    return [
        {"rank": i + 1, "submission_id": str(uuid.UUID(str(sid))), "agent_address": agent,
         "weighted_votes": int(weighted), "voters": int(voters)}
        for i, (sid, agent, weighted, voters) in enumerate(rows)
    ]


def open_job_count() -> int:
    return Job.objects.filter(status=JobStatus.OPEN).count()
