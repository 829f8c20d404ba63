from datetime import timedelta

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from apps.agents.eligibility import require_can_submit, require_can_vote
from apps.agents.models import ReputationKind
from apps.agents.rules import REP_PER_SUBMISSION, jury_weight
from apps.agents.services import agr_credit, reputation_adjust
from apps.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.common.ids import as_uuid
from apps.common.tasks import task_enqueue

from .close_check import close_details_check
from .models import CloseMethod, Job, JobEvent, JobEventKind, JobReceipt, JobStatus, JobTag, Submission, Vote
from .policy import payout_split, policy_current, win_rewarded
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
    job = next(iter(Job.objects.raw(
        "SELECT id, status, sponsor_address FROM jobs_job WHERE id = %s FOR SHARE", [job_id])), None)
    if job is None:
        raise NotFound("topic not found", code="job_not_found")
    if job.status != JobStatus.OPEN:
        raise Conflict("topic is closed", code="job_closed")
    return job


def _xact_lock(key: str) -> None:
    """A transaction-scoped advisory lock: callers holding the same key run one at a time."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [key])


@transaction.atomic
def submission_create(*, job_id, agent: str, content: str, evidence: list[dict]) -> Submission:
    job = _lock_open_job_shared(job_id)
    if agent == job.sponsor_address:
        raise Forbidden("a sponsor can't submit to its own topic", code="own_topic")
    require_can_submit(agent)
    # One agent's submissions to one topic go one at a time, so of two racing first submissions the
    # second sees the first (READ COMMITTED: the check below reads after the lock is granted).
    _xact_lock(f"submit:{job.id}:{agent}")
    first = not Submission.objects.filter(job_id=job.id, agent_address=agent).exists()
    submission = Submission.objects.create(job_id=job.id, agent_address=agent, content=content, evidence=evidence)
    if first:  # later submissions to the same topic earn nothing: spam can't buy jury weight
        reputation_adjust(address=agent, delta=REP_PER_SUBMISSION, kind=ReputationKind.SUBMISSION,
                          reason="first valid submission to the topic", job_id=job.id, submission_id=submission.id)
    log.info("submission_created", job_id=str(job.id), submission_id=str(submission.id), rewarded=first)
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
    # job filter doubles as the membership check, and for the submission voted for the author filter
    # as the self-vote check: no row updated means one of the two failed (_vote_refusal says which).
    for sid, (weighted, voters) in sorted(deltas.items()):
        if weighted or voters or sid == submission_id:  # the target is always checked, even on a no-op re-vote
            target = Submission.objects.filter(pk=sid, job_id=job.id)
            if sid == submission_id:
                target = target.exclude(agent_address=voter)
            if not target.update(weighted_votes=F("weighted_votes") + weighted, voters=F("voters") + voters):
                raise _vote_refusal(job.id, sid, voter)
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
    _xact_lock(f"vote:{job_id}:{voter}")


def _vote_refusal(job_id, submission_id, voter: str):
    if Submission.objects.filter(pk=submission_id, job_id=job_id, agent_address=voter).exists():
        return Forbidden("you can't vote for your own submission", code="self_vote")
    return InvalidInput("submission_id is not a submission of this topic", code="submission_not_in_job")


def job_close(*, job_id, actor: str, winner_submission_id, close_fields: dict | None = None) -> Job:
    """Close a topic. Close details naming a transaction are checked over RPC first (outside the row
    lock, so a slow provider never holds it); see close_check.py."""
    job = Job.objects.filter(pk=job_id).only("id", "status", "sponsor_address").first()
    _close_allowed(job, actor)  # cheap refusals first: nobody else gets to make us call the chain
    close_fields, verified = close_details_check(close_fields or {})
    return _job_close_by_sponsor(job_id=job.id, actor=actor, winner_submission_id=winner_submission_id,
                                 close_fields=close_fields, verified=verified)


def _close_allowed(job: Job | None, actor: str) -> None:
    if job is None:
        raise NotFound("topic not found", code="job_not_found")
    if job.sponsor_address != actor:
        raise Forbidden("only the sponsor of this topic can close it", code="not_sponsor")
    if job.status != JobStatus.OPEN:
        raise Conflict("topic is already closed", code="job_closed")


@transaction.atomic
def _job_close_by_sponsor(*, job_id, actor: str, winner_submission_id, close_fields: dict,
                          verified: bool | None) -> Job:
    job = Job.objects.select_for_update().filter(pk=job_id).first()
    _close_allowed(job, actor)
    winner = Submission.objects.filter(pk=winner_submission_id, job_id=job.id).first()
    if winner is None:
        raise InvalidInput("winner_submission_id is not a submission of this topic", code="submission_not_in_job")
    if winner.agent_address == job.sponsor_address:  # a submission from before sponsors were refused
        raise Forbidden("a sponsor can't win its own topic; pick another submission", code="own_topic")
    return _job_close_locked(job=job, winner=winner, actor=actor, close_method=CloseMethod.SPONSOR,
                             close_fields=close_fields, verified=verified)


def _job_close_locked(*, job: Job, winner: Submission, actor: str, close_method: str,
                      close_fields: dict | None = None, verified: bool | None = None) -> Job:
    """The close itself, shared by the sponsor's close and the final vote's finalize so both write the
    same receipt, payout, wins/losses, AGR and anchoring. The caller is inside a transaction, holds the
    topic's row lock (FOR UPDATE) and has checked that the topic is open and the winner is its own."""
    now = timezone.now()
    policy = policy_current()
    ranking = vote_tally(job_id=job.id)
    job.status = JobStatus.CLOSED
    job.winner_submission = winner
    job.closed_at = now
    close_fields = close_fields or {}
    for name, value in close_fields.items():
        setattr(job, name, value)
    job.close_details_verified = verified
    job.save()
    JobReceipt.objects.create(job=job, winner_submission_id=winner.id, closed_at=now, ranking=ranking,
                              policy=policy, payout=payout_split(job.bounty_units, policy), close_method=close_method)
    _record_outcomes(job=job, winner=winner, policy=policy)
    JobEvent.objects.create(job=job, kind=JobEventKind.CLOSED, actor=actor,
                            data={"winner_submission_id": str(winner.id), "close_method": close_method,
                                  **close_fields, "close_details_verified": verified})
    # By task name: the snapshot builder lives in onchain, which jobs must not import.
    transaction.on_commit(lambda: task_enqueue(ANCHOR_BUILD_TASK, str(job.id)))
    log.info("job_closed", job_id=str(job.id), winner_submission_id=str(winner.id), close_method=close_method,
             close_verified=verified)
    return job


def _record_outcomes(*, job: Job, winner: Submission, policy: dict) -> None:
    """Wins and losses are always recorded; the win's reputation points and AGR only for a bounty of at
    least the policy's minimum (win_rewarded), so free topics can't be used to farm them."""
    rewarded = win_rewarded(job.bounty_units, policy)
    submitters = set(Submission.objects.filter(job_id=job.id).values_list("agent_address", flat=True))
    # Sorted so concurrent closes of different topics lock reputation rows in one order.
    for address in sorted(submitters):
        won = address == winner.agent_address
        reputation_adjust(address=address, delta=policy["reputation_per_win"] if won and rewarded else 0,
                          kind=ReputationKind.WIN if won else ReputationKind.LOSS,
                          reason=f"topic {job.id} closed", job_id=job.id, submission_id=winner.id if won else None,
                          wins=int(won), losses=int(not won))
    if rewarded and policy["agr_mint_per_win"] > 0:
        agr_credit(address=winner.agent_address, amount=policy["agr_mint_per_win"],
                   reason=f"won topic {job.id}", job_id=job.id)
