from datetime import timedelta

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.agents.eligibility import require_can_submit, require_can_vote
from apps.agents.models import ReputationKind
from apps.agents.rules import jury_weight
from apps.agents.services import agr_credit, reputation_adjust
from apps.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.common.ids import as_uuid
from apps.common.tasks import task_enqueue

from .models import CloseMethod, Job, JobEvent, JobEventKind, JobReceipt, JobStatus, JobTag, Submission, Vote
from .policy import payout_split, policy_current
from .rules import final_vote_window_clean, tags_clean
from .selectors import vote_tally

log = structlog.get_logger(__name__)
ANCHOR_BUILD_TASK = "apps.onchain.tasks.anchor_build"


@transaction.atomic
def job_create(*, sponsor: str, title: str, prompt: str, bounty_units: int, tags: list[str],
               final_vote_window_seconds: int | None = None) -> Job:
    tags = tags_clean(tags)
    window = final_vote_window_clean(final_vote_window_seconds, settings.AGORA_FINAL_VOTE_WINDOW_SECONDS)
    opens = timezone.now()  # the final vote opens with the topic, alongside submissions
    job = Job.objects.create(title=title, prompt=prompt, bounty_units=bounty_units, tags=tags,
                             sponsor_address=sponsor, final_vote_starts_at=opens,
                             final_vote_ends_at=opens + timedelta(seconds=window))
    JobTag.objects.bulk_create([JobTag(job=job, tag=t, created_at=job.created_at) for t in tags])
    JobEvent.objects.create(job=job, kind=JobEventKind.CREATED, actor=sponsor,
                            data={"bounty_units": bounty_units, "tags": tags})
    log.info("job_created", job_id=str(job.id), sponsor=sponsor)
    return job


def _lock_open_job_shared(job_id) -> Job:
    """Share-lock the topic: submissions and votes run side by side, but a close (FOR UPDATE)
    waits for them and they wait for it, so nothing lands on a topic after it closed."""
    job = next(iter(Job.objects.raw("SELECT id, status FROM jobs_job WHERE id = %s FOR SHARE", [job_id])), None)
    if job is None:
        raise NotFound("topic not found", code="job_not_found")
    if job.status != JobStatus.OPEN:
        raise Conflict("topic is closed", code="job_closed")
    return job


@transaction.atomic
def submission_create(*, job_id, agent: str, content: str, evidence: list[dict]) -> Submission:
    job = _lock_open_job_shared(job_id)
    require_can_submit(agent)
    submission = Submission.objects.create(job_id=job.id, agent_address=agent, content=content, evidence=evidence)
    reputation_adjust(address=agent, delta=1, kind=ReputationKind.SUBMISSION, reason="valid submission",
                      job_id=job.id, submission_id=submission.id)
    log.info("submission_created", job_id=str(job.id), submission_id=str(submission.id))
    return submission


@transaction.atomic
def vote_cast(*, job_id, submission_id, voter: str, review: str = "") -> Vote:
    submission_id = as_uuid(submission_id, field="submission_id")
    job = _lock_open_job_shared(job_id)
    weight = jury_weight(require_can_vote(voter))
    _lock_voter(job.id, voter)
    previous = (Vote.objects.filter(job_id=job.id, voter_address=voter)
                .only("id", "submission_id", "weight", "created_at").first())
    deltas = {submission_id: [weight, 1]}
    if previous is not None:
        old = deltas.setdefault(previous.submission_id, [0, 0])
        old[0] -= previous.weight
        old[1] -= 1
    # Sorted, so two voters moving in opposite directions lock the counter rows in one order. The
    # job filter doubles as the membership check: no row updated means not a submission of this topic.
    for sid, (weighted, voters) in sorted(deltas.items()):
        if weighted or voters:
            updated = Submission.objects.filter(pk=sid, job_id=job.id).update(
                weighted_votes=F("weighted_votes") + weighted, voters=F("voters") + voters)
            if not updated:
                raise InvalidInput("submission_id is not a submission of this topic", code="submission_not_in_job")
    # INSERT .. ON CONFLICT (job, voter) DO UPDATE: a second vote moves the first. RETURNING gives
    # the row's id (the existing one on a move), so no read-back is needed.
    (vote,) = Vote.objects.bulk_create(
        [Vote(job_id=job.id, submission_id=submission_id, voter_address=voter, weight=weight, review=review)],
        update_conflicts=True, unique_fields=["job", "voter_address"],
        update_fields=["submission", "weight", "review", "updated_at"],
    )
    if previous is not None:
        vote.id, vote.created_at = previous.id, previous.created_at
    return vote


def _lock_voter(job_id, voter: str) -> None:
    """One voter's votes on one topic apply one at a time, so `previous` is always current."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"vote:{job_id}:{voter}"])


@transaction.atomic
def job_close(*, job_id, actor: str, winner_submission_id, close_fields: dict | None = None) -> Job:
    job = Job.objects.select_for_update().filter(pk=job_id).first()
    if job is None:
        raise NotFound("topic not found", code="job_not_found")
    if job.sponsor_address != actor:
        raise Forbidden("only the sponsor of this topic can close it", code="not_sponsor")
    if job.status != JobStatus.OPEN:
        raise Conflict("topic is already closed", code="job_closed")
    winner = Submission.objects.filter(pk=winner_submission_id, job_id=job.id).first()
    if winner is None:
        raise InvalidInput("winner_submission_id is not a submission of this topic", code="submission_not_in_job")
    return _job_close_locked(job=job, winner=winner, actor=actor, close_method=CloseMethod.SPONSOR,
                             close_fields=close_fields)


def _job_close_locked(*, job: Job, winner: Submission, actor: str, close_method: str,
                      close_fields: dict | None = None) -> Job:
    """The close itself, shared by the sponsor's close and the final vote's finalize so both write the
    same receipt, payout, wins/losses, AGR and anchoring. The caller is inside a transaction, holds the
    topic's row lock (FOR UPDATE) and has checked that the topic is open and the winner is its own."""
    now = timezone.now()
    policy = policy_current()
    ranking = vote_tally(job_id=job.id)
    job.status = JobStatus.CLOSED
    job.winner_submission = winner
    job.closed_at = now
    for name, value in (close_fields or {}).items():
        setattr(job, name, value)
    job.save()
    JobReceipt.objects.create(job=job, winner_submission_id=winner.id, closed_at=now, ranking=ranking,
                              policy=policy, payout=payout_split(job.bounty_units, policy), close_method=close_method)
    _record_outcomes(job=job, winner=winner, policy=policy)
    JobEvent.objects.create(job=job, kind=JobEventKind.CLOSED, actor=actor,
                            data={"winner_submission_id": str(winner.id), "close_method": close_method,
                                  **(close_fields or {})})
    # By task name: the snapshot builder lives in onchain, which jobs must not import.
    transaction.on_commit(lambda: task_enqueue(ANCHOR_BUILD_TASK, str(job.id)))
    log.info("job_closed", job_id=str(job.id), winner_submission_id=str(winner.id), close_method=close_method)
    return job


def _record_outcomes(*, job: Job, winner: Submission, policy: dict) -> None:
    submitters = set(Submission.objects.filter(job_id=job.id).values_list("agent_address", flat=True))
    # Sorted so concurrent closes of different topics lock reputation rows in one order.
    for address in sorted(submitters):
        won = address == winner.agent_address
        reputation_adjust(address=address, delta=0, kind=ReputationKind.WIN if won else ReputationKind.LOSS,
                          reason=f"topic {job.id} closed", job_id=job.id, submission_id=winner.id if won else None,
                          wins=int(won), losses=int(not won))
    if policy["agr_mint_per_win"] > 0:
        agr_credit(address=winner.agent_address, amount=policy["agr_mint_per_win"],
                   reason=f"won topic {job.id}", job_id=job.id)
