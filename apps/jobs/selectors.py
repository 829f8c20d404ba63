from datetime import timedelta

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from apps.common.cursors import decode_cursor, encode_cursor
from apps.common.errors import InvalidInput, NotFound
from apps.common.ids import as_uuid
from apps.common.rows import RowLoader

from .boost_selectors import featured_attach, featured_score_expression
from .models import AnchorBatch, Job, JobReceipt, JobStatus, Submission, Vote

# The ground truth: votes summed per submission (index-only on vote_tally), joined to every
# submission of the topic, in jury-rank order. Used to verify the running counters.
_RECOUNT_SQL = """
SELECT s.id, s.agent_address, COALESCE(t.weighted, 0) AS weighted, COALESCE(t.voters, 0) AS voters
FROM jobs_submission s
LEFT JOIN (
    SELECT submission_id, SUM(weight) AS weighted, COUNT(*) AS voters
    FROM jobs_vote WHERE job_id = %s GROUP BY submission_id
) t ON t.submission_id = s.id
WHERE s.job_id = %s
ORDER BY weighted DESC, s.created_at ASC, s.id ASC
"""


def _attach_receipts(jobs: list[Job]) -> list[Job]:
    """One query each for the receipts and anchors of the closed topics among `jobs` (none when all
    are open). Cheaper than select_related on the reverse one-to-ones, which dominated compile time."""
    closed = [job.id for job in jobs if job.status == JobStatus.CLOSED]
    receipts = JobReceipt.objects.in_bulk(closed) if closed else {}
    anchors = {a.job_id: a for a in AnchorBatch.objects.filter(job_id__in=closed)} if closed else {}
    for job in jobs:
        job.receipt_row = receipts.get(job.id)
        job.anchor_row = anchors.get(job.id)
    return featured_attach(jobs)


_JOBS = RowLoader(Job, "j")


def job_list(*, status: str = "open", tag: str | None = None, limit: int = 20, cursor: str | None = None):
    """Newest first, keyset-paginated. Returns (jobs, next_cursor or None). Hand-written SQL (see
    apps/common/rows.py for why) walking an index in page order: job_newest / job_status_newest,
    or job_tag_newest for a tag, whose rows carry the topic's created_at for that reason."""
    if status not in ("open", "all", "closed"):
        raise InvalidInput("status must be open, closed or all", code="invalid_status")
    sql, where, params = [f"SELECT {_JOBS.columns()} FROM jobs_job j"], [], []
    order_at, order_id = "j.created_at", "j.id"
    if tag:  # the tag rows' index gives the order
        sql.append("JOIN jobs_jobtag o ON o.job_id = j.id")
        where.append("o.tag = %s")
        params.append(tag)
        order_at, order_id = "o.created_at", "o.job_id"
    if status != "all":
        where.append("j.status = %s")
        params.append(status)
    if cursor:
        created_at, pk = decode_cursor(cursor)
        where.append(f"({order_at} < %s OR ({order_at} = %s AND {order_id} < %s))")
        at = _JOBS.param("created_at", created_at)
        params += [at, at, _JOBS.param("id", pk)]
    if where:
        sql.append("WHERE " + " AND ".join(where))
    sql.append(f"ORDER BY {order_at} DESC, {order_id} DESC LIMIT %s")
    params.append(limit + 1)
    jobs = _JOBS.fetch(" ".join(sql), params)
    next_cursor = encode_cursor(jobs[limit - 1].created_at, jobs[limit - 1].id) if len(jobs) > limit else None
    return _attach_receipts(jobs[:limit]), next_cursor


def job_get(*, job_id) -> Job:
    found = _JOBS.fetch(f"SELECT {_JOBS.columns()} FROM jobs_job j WHERE j.id = %s", [_JOBS.param("id", job_id)])
    if not found:
        raise NotFound("topic not found", code="job_not_found")
    return _attach_receipts(found)[0]


def job_exists(*, job_id) -> bool:
    return Job.objects.filter(pk=job_id).exists()


_SUBMISSIONS, _SUBMISSIONS_INNER = RowLoader(Submission, "s"), RowLoader(Submission, "x")


def submission_list(*, job_id, limit: int = 50, after: str | None = None):
    """A topic's submissions, oldest first, keyset-paginated: (rows, next_cursor or None). One query
    that also says whether the topic exists: no row at all means no topic, one row of NULLs a topic
    without (more) submissions. Hand-written for the reason given in apps/common/rows.py."""
    job_uuid = as_uuid(job_id, field="job_id")
    page, params = "", []
    if after:
        created_at, pk = decode_cursor(after)
        at = _SUBMISSIONS.param("created_at", created_at)
        page = "AND (x.created_at > %s OR (x.created_at = %s AND x.id > %s))"
        params += [at, at, _SUBMISSIONS.param("id", pk)]
    rows = _SUBMISSIONS.fetch(
        f"SELECT {_SUBMISSIONS.columns()} FROM jobs_job j LEFT JOIN LATERAL ("
        f"SELECT {_SUBMISSIONS_INNER.columns()} FROM jobs_submission x WHERE x.job_id = j.id {page} "
        "ORDER BY x.created_at, x.id LIMIT %s) s ON true WHERE j.id = %s",
        [*params, limit + 1, job_uuid])
    if not rows:
        raise NotFound("topic not found", code="job_not_found")
    rows = [row for row in rows if row.id is not None]
    next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


def vote_tally(*, job_id) -> list[dict]:
    """Jury rank: weighted votes desc, then the earlier submission, then id (ties always rank the
    same way). Reads the running counters: one index range scan, one row per submission."""
    if not job_exists(job_id=job_id):
        raise NotFound("topic not found", code="job_not_found")
    rows = (Submission.objects.filter(job_id=job_id).order_by("-weighted_votes", "created_at", "id")
            .values_list("id", "agent_address", "weighted_votes", "voters"))
    return [{"rank": i + 1, "submission_id": str(sid), "agent_address": agent, "weighted_votes": weighted,
             "voters": voters} for i, (sid, agent, weighted, voters) in enumerate(rows)]


def vote_tally_recount(*, job_id) -> list[dict]:
    """The same ranking computed from the votes themselves."""
    job_uuid = as_uuid(job_id, field="job_id")
    with connection.cursor() as cur:
        cur.execute(_RECOUNT_SQL, [job_uuid, job_uuid])
        rows = cur.fetchall()
    return [
        {"rank": i + 1, "submission_id": str(sid), "agent_address": agent,
         "weighted_votes": int(weighted), "voters": int(voters)}
        for i, (sid, agent, weighted, voters) in enumerate(rows)
    ]



def topic_counts() -> dict:
    """Topic, submission and vote counts, for the home page and the operator dashboard."""
    since = timezone.now() - timedelta(hours=24)
    jobs = Job.objects.aggregate(open_topics=Count("id", filter=Q(status=JobStatus.OPEN)),
                                 closed_topics=Count("id", filter=Q(status=JobStatus.CLOSED)),
                                 closed_24h=Count("id", filter=Q(status=JobStatus.CLOSED, closed_at__gte=since)))
    return {**jobs, "submissions": Submission.objects.count(), "votes": Vote.objects.count()}


def job_explore_list(*, status: str, tag: str | None):
    """Topics for the explore and home pages with their submission counts (one query a page): featured
    topics first (highest featured score first) while a boost runs, then the newest."""
    qs = Job.objects.annotate(submission_count=Count("submissions"),
                              featured_score=featured_score_expression(timezone.now()))
    if status != "all":
        qs = qs.filter(status=JobStatus.OPEN if status != "closed" else JobStatus.CLOSED)
    if tag:
        qs = qs.filter(tag_rows__tag=tag)
    return qs.order_by("-featured_score", "-created_at", "-id")


def submissions_of_job(*, job_id) -> list[Submission]:
    return list(submissions_of_job_query(job_id=job_id))


def submissions_of_job_query(*, job_id):
    """Unevaluated, for pages that show a page of them at a time."""
    return Submission.objects.filter(job_id=job_id).order_by("created_at", "id")


def submissions_by_agent(*, address: str, limit: int = 10):
    return Submission.objects.filter(agent_address=address).select_related("job").order_by("-created_at")[:limit]


def job_ids_closed_without_anchor(*, closed_before, limit: int = 100) -> list:
    return list(Job.objects.filter(status=JobStatus.CLOSED, anchor__isnull=True, closed_at__lte=closed_before)
                .order_by("closed_at").values_list("id", flat=True)[:limit])


def anchor_get(*, job_id) -> AnchorBatch:
    anchor = AnchorBatch.objects.filter(job_id=job_id).first()
    if anchor is None:
        if not job_exists(job_id=job_id):
            raise NotFound("topic not found", code="job_not_found")
        raise NotFound("this topic has no anchor yet: it is built after the topic closes", code="anchor_not_found")
    return anchor


def anchor_list(*, status: str | None = None):
    qs = AnchorBatch.objects.select_related("job").order_by("created_at", "id")
    return qs.filter(status=status) if status else qs


def anchor_counts() -> dict:
    rows = AnchorBatch.objects.values_list("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(("pending", "exported", "posted", "confirmed"), 0)
    counts.update(dict(rows))
    return counts
