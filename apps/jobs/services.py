import uuid
from datetime import timedelta

import structlog
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.agents.eligibility import require_can_submit, require_can_vote
from apps.agents.models import ReputationKind
from apps.agents.rules import REP_PER_SUBMISSION, jury_weight
from apps.agents.services import agr_credit, reputation_adjust
from apps.common.db import prepared_cursor
from apps.common.errors import ApplicationError, Conflict, Forbidden, InvalidInput, NotFound
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


# The locked part of submission_create and vote_cast runs as one PL/pgSQL function each (jobs migration
# 0009): one round trip, and outside an atomic block its own transaction (no BEGIN, no COMMIT). Each
# returns an outcome code, and refuses before it writes anything.
_SUBMISSION_CREATE_SQL = ("SELECT outcome, rewarded FROM jobs_submission_create(%s::uuid, %s::uuid, %s, %s, %s, "
                          "%s, %s, %s::integer, %s, %s)")
_VOTE_CAST_SQL = ("SELECT outcome, vote_id, vote_created_at FROM jobs_vote_cast(%s::uuid, %s::uuid, %s, %s::integer, "
                  "%s, %s, %s::uuid, %s)")
_EVIDENCE = Submission._meta.get_field("evidence")


def _refusal(outcome: str, gate: ApplicationError | None) -> ApplicationError:
    return {
        "job_not_found": lambda: NotFound("topic not found", code="job_not_found"),
        "job_closed": lambda: Conflict("topic is closed", code="job_closed"),
        "own_topic": lambda: Forbidden("a sponsor can't submit to its own topic", code="own_topic"),
        "ineligible": lambda: gate,
        "submission_not_in_job": lambda: InvalidInput("submission_id is not a submission of this topic",
                                                      code="submission_not_in_job"),
        "self_vote": lambda: Forbidden("you can't vote for your own submission", code="self_vote"),
    }[outcome]()


def _gate(check, address: str, eligibility) -> tuple[int, ApplicationError | None]:
    """The gates' verdict, raised only once the topic is known to exist and be open (the errors'
    order is part of the protocol): (reputation score, None) or (0, the error)."""
    try:
        return check(address, facts=eligibility), None
    except ApplicationError as exc:
        return 0, exc


def submission_create(*, job_id, agent: str, content: str, evidence: list[dict], eligibility=None) -> Submission:
    """`eligibility`: the agent's EligibilityFacts when the caller already has them (the bearer
    authentication reads them with the session); read here otherwise."""
    job_id = as_uuid(job_id, field="job_id")
    _, gate = _gate(require_can_submit, agent, eligibility)
    submission = Submission(id=uuid.uuid4(), job_id=job_id, agent_address=agent, content=content, evidence=evidence,
                            created_at=timezone.now())
    with prepared_cursor() as cur:
        cur.execute(_SUBMISSION_CREATE_SQL, [
            submission.id, job_id, agent, content, _EVIDENCE.get_db_prep_value(evidence, connection), gate is None,
            submission.created_at, REP_PER_SUBMISSION, ReputationKind.SUBMISSION,
            "first valid submission to the topic"])
        outcome, rewarded = cur.fetchone()
    if outcome != "ok":
        raise _refusal(outcome, gate)
    log.info("submission_created", job_id=str(job_id), submission_id=str(submission.id), rewarded=rewarded)
    return submission


def vote_cast(*, job_id, submission_id, voter: str, review: str = "", eligibility=None) -> Vote:
    """One vote per voter per topic; a second call moves it (the running tally follows in the same
    transaction). `eligibility` as for submission_create."""
    submission_id = as_uuid(submission_id, field="submission_id")
    job_id = as_uuid(job_id, field="job_id")
    score, gate = _gate(require_can_vote, voter, eligibility)
    weight = jury_weight(score) if gate is None else 0
    now = timezone.now()
    with prepared_cursor() as cur:
        cur.execute(_VOTE_CAST_SQL, [job_id, submission_id, voter, weight, review, gate is None, uuid.uuid4(), now])
        outcome, vote_id, created_at = cur.fetchone()
    if outcome != "ok":
        raise _refusal(outcome, gate)
    return Vote(id=vote_id, job_id=job_id, submission_id=submission_id, voter_address=voter, weight=weight,
                review=review, created_at=created_at, updated_at=now)


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
