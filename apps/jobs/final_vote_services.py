"""The final vote: the jury recommends, a time-locked vote of staked wallets decides.

A topic's final vote opens when it is created and ends at final_vote_ends_at. Until a finalize the
sponsor may still close the topic; both take the topic's row lock (FOR UPDATE) and go through the same
close, so whichever commits first wins and the other sees a closed topic (409).
"""
import uuid

import structlog
from django.db import connection, transaction
from django.utils import timezone

from apps.agents.eligibility import require_can_vote
from apps.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.common.ids import as_uuid
from apps.common.timefmt import iso_z

from .final_vote_selectors import final_vote_of, final_vote_tally
from .models import CloseMethod, FinalVote, Job, JobStatus, Submission
from .services import _job_close_locked

log = structlog.get_logger(__name__)

# One final vote per wallet per topic: a second call moves it, keeping the vote's id and created_at.
_UPSERT = f"""
INSERT INTO {FinalVote._meta.db_table} (id, job_id, submission_id, voter_address, created_at, updated_at)
VALUES (%s, %s, %s, %s, %s, %s)
ON CONFLICT (job_id, voter_address) DO UPDATE
SET submission_id = EXCLUDED.submission_id, updated_at = EXCLUDED.updated_at
RETURNING id, created_at, updated_at
"""


def _lock_job_shared(job_id) -> Job:
    """As submissions and jury votes do: final votes run side by side, but a close or finalize
    (FOR UPDATE) waits for them, so none lands after the topic closed or is missed by a finalize."""
    job = next(iter(Job.objects.raw(
        f"SELECT id, status, final_vote_starts_at, final_vote_ends_at FROM {Job._meta.db_table} "
        "WHERE id = %s FOR SHARE", [job_id])), None)
    if job is None:
        raise NotFound("topic not found", code="job_not_found")
    if job.status != JobStatus.OPEN:
        raise Conflict("topic is closed", code="job_closed")
    return job


@transaction.atomic
def final_vote_cast(*, job_id, submission_id, voter: str) -> FinalVote:
    job_id, submission_id = as_uuid(job_id, field="job_id"), as_uuid(submission_id, field="submission_id")
    job = _lock_job_shared(job_id)
    now = timezone.now()
    if now < job.final_vote_starts_at:
        raise Conflict(f"the final vote opens at {iso_z(job.final_vote_starts_at)}", code="final_vote_not_started")
    if now >= job.final_vote_ends_at:
        raise Conflict(f"the final vote ended at {iso_z(job.final_vote_ends_at)}; a wallet that voted can "
                       f"finalize: POST /api/v1/jobs/{job.id}/finalize", code="final_vote_ended")
    require_can_vote(voter)
    author = (Submission.objects.filter(pk=submission_id, job_id=job.id)
              .values_list("agent_address", flat=True).first())
    if author is None:
        raise InvalidInput("submission_id is not a submission of this topic", code="submission_not_in_job")
    if author == voter:
        raise Forbidden("you can't vote for your own submission", code="self_vote")
    with connection.cursor() as cur:
        cur.execute(_UPSERT, [uuid.uuid4(), job.id, submission_id, voter, now, now])
        vote_id, created_at, updated_at = cur.fetchone()
    log.info("final_vote_cast", job_id=str(job.id), submission_id=str(submission_id))
    return FinalVote(id=vote_id, job_id=job.id, submission_id=submission_id, voter_address=voter,
                     created_at=created_at, updated_at=updated_at)


@transaction.atomic
def job_finalize(*, job_id, actor: str) -> Job:
    """Close the topic with the final vote's top submission, through the sponsor's close."""
    job = Job.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise NotFound("topic not found", code="job_not_found")
    if job.status != JobStatus.OPEN:
        raise Conflict("topic is already closed", code="job_closed")
    if timezone.now() < job.final_vote_ends_at:
        raise Conflict(f"the final vote runs until {iso_z(job.final_vote_ends_at)}; finalize after that",
                       code="final_vote_not_ended")
    tally = final_vote_tally(job_id=job.id)
    if not tally or tally[0]["votes"] == 0:
        raise Conflict("nobody cast a final vote on this topic, so it can't be finalized; "
                       "the sponsor can still close it", code="no_final_votes")
    if final_vote_of(job_id=job.id, voter=actor) is None:
        raise Forbidden("only a wallet that cast a final vote on this topic can finalize it", code="not_final_voter")
    winner = Submission.objects.get(pk=tally[0]["submission_id"])
    return _job_close_locked(job=job, winner=winner, actor=actor, close_method=CloseMethod.FINAL_VOTE)
