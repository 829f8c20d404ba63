"""Every write to a slash proposal. Each transition takes the acting operator and a reason, locks the
proposal row, and writes a history row (SlashProposalEvent). docs/slashing.md has the rules."""
from datetime import timedelta

import structlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from apps.common.chain import MAX_USDC_UNITS, normalize_address
from apps.common.chain_client import load_artifact
from apps.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.jobs.models import Job, Submission, Vote
from apps.onchain.safe_batch import SafeCall, safe_batch_build

from .models import (
    COMMITTED_STATUSES,
    PENDING_STATUSES,
    ActorRole,
    ProposalEventKind,
    ProposalStatus,
    SlashApproval,
    SlashProposal,
    SlashProposalEvent,
    UnexplainedSlash,
    ViolationType,
)
from .operators import Operator
from .selectors import indexed_stake_units, usdc_text

log = structlog.get_logger(__name__)
MAX_EVIDENCE = 20
MAX_TEXT = 5000
MAX_RESPONSES = 20
_url = URLValidator(schemes=["http", "https"])


# --- helpers ----------------------------------------------------------------------------------------

def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"{field} is required: say why", code="reason_required")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{field} is longer than {MAX_TEXT} characters", code="too_long")
    return value


def _evidence(links) -> list[str]:
    links = list(links or [])
    if len(links) > MAX_EVIDENCE:
        raise InvalidInput(f"at most {MAX_EVIDENCE} evidence links", code="invalid_evidence")
    for link in links:
        try:
            if not isinstance(link, str) or len(link) > 500:
                raise ValidationError("bad")
            _url(link)
        except ValidationError:
            raise InvalidInput(f"evidence links must be http(s) URLs: {str(link)[:80]!r}", code="invalid_evidence")
    return links


def _record(proposal: SlashProposal, kind: str, *, actor: str, label: str = "", role: str, reason: str = "",
            data: dict | None = None) -> SlashProposalEvent:
    return SlashProposalEvent.objects.create(proposal=proposal, kind=kind, actor=actor[:100], actor_label=label[:150],
                                             actor_role=role, reason=reason, data=data or {})


def _record_by(proposal: SlashProposal, kind: str, operator: Operator, reason: str, data: dict | None = None):
    return _record(proposal, kind, actor=operator.identity, label=operator.label, role=operator.role, reason=reason,
                   data=data)


def _lock(proposal_id) -> SlashProposal:
    proposal = SlashProposal.objects.select_for_update().filter(pk=proposal_id).first()
    if proposal is None:
        raise NotFound("no such slash proposal", code="proposal_not_found")
    return proposal


def _lock_with_agents_others(proposal_id) -> SlashProposal:
    """The proposal and every other open proposal of its agent, locked in id order: two approvals of
    different proposals of one agent serialize, so together they never commit more than its stake."""
    agent = SlashProposal.objects.filter(pk=proposal_id).values_list("agent_address", flat=True).first()
    if agent is None:
        raise NotFound("no such slash proposal", code="proposal_not_found")
    rows = list(SlashProposal.objects.select_for_update()
                .filter(Q(pk=proposal_id) | Q(agent_address=agent, status__in=PENDING_STATUSES)).order_by("id"))
    return next(p for p in rows if str(p.pk) == str(proposal_id))


def _require_operator(operator: Operator) -> None:
    if operator.role != ActorRole.OPERATOR:
        raise Forbidden("only an operator may do this", code="not_operator")


def _links(*, agent: str, job_id, submission_id, vote_id):
    """The topic, submission and vote the case is about: each must exist and be the agent's own."""
    submission = vote = None
    if submission_id:
        submission = Submission.objects.filter(pk=submission_id).first()
        if submission is None:
            raise InvalidInput("no such submission", code="submission_not_found")
        if submission.agent_address != agent:
            raise InvalidInput("that submission is not the agent's", code="not_the_agents")
    if vote_id:
        vote = Vote.objects.filter(pk=vote_id).first()
        if vote is None:
            raise InvalidInput("no such vote", code="vote_not_found")
        if vote.voter_address != agent:
            raise InvalidInput("that vote is not the agent's", code="not_the_agents")
    topics = {str(x.job_id) for x in (submission, vote) if x is not None}
    if job_id:
        if not Job.objects.filter(pk=job_id).exists():
            raise InvalidInput("no such topic", code="job_not_found")
        topics.add(str(job_id))
    if len(topics) > 1:
        raise InvalidInput("the topic, submission and vote must belong to one topic", code="links_disagree")
    return (topics.pop() if topics else None), submission, vote


# --- proposals ----------------------------------------------------------------------------------------

@transaction.atomic
def slash_proposal_create(*, operator: Operator, agent_address: str, amount_units: int, recipient_address: str,
                          violation_type: str, reason: str, evidence=(), job_id=None, submission_id=None,
                          vote_id=None) -> SlashProposal:
    _require_operator(operator)
    agent = normalize_address(agent_address, field="agent_address")
    recipient = normalize_address(recipient_address, field="recipient_address")
    if recipient == agent:
        raise InvalidInput("the recipient can't be the agent itself", code="invalid_recipient")
    if isinstance(amount_units, bool) or not isinstance(amount_units, int) or not 0 < amount_units <= MAX_USDC_UNITS:
        raise InvalidInput("amount must be more than 0 USDC", code="invalid_amount")
    if violation_type not in ViolationType.values:
        raise InvalidInput(f"violation_type must be one of {', '.join(ViolationType.values)}",
                           code="invalid_violation_type")
    job, submission, vote = _links(agent=agent, job_id=job_id, submission_id=submission_id, vote_id=vote_id)
    now = timezone.now()
    proposal = SlashProposal.objects.create(
        agent_address=agent, amount_units=amount_units, recipient_address=recipient, violation_type=violation_type,
        job_id=job, submission=submission, vote=vote, evidence=_evidence(evidence), reason=_text(reason, "reason"),
        proposed_by=operator.identity, proposed_by_label=operator.label,
        approvals_required=settings.AGORA_SLASH_APPROVALS,
        response_due_at=now + timedelta(hours=settings.AGORA_SLASH_RESPONSE_HOURS),
        expires_at=now + timedelta(hours=settings.AGORA_SLASH_DEADLINE_HOURS))
    _record_by(proposal, ProposalEventKind.PROPOSED, operator, proposal.reason,
               {"amount_units": amount_units, "recipient": recipient, "violation_type": violation_type})
    log.warning("slash_proposed", proposal=str(proposal.id), agent=agent, amount_units=amount_units,
                operator=operator.label)
    return proposal


@transaction.atomic
def slash_proposal_approve(*, proposal_id, operator: Operator, reason: str) -> SlashProposal:
    _require_operator(operator)
    reason = _text(reason, "reason")
    proposal = _lock_with_agents_others(proposal_id)
    now = timezone.now()
    if proposal.status != ProposalStatus.PROPOSED:
        raise Conflict(f"the proposal is {proposal.status}; only proposed ones take approvals",
                       code="proposal_not_open")
    if now >= proposal.expires_at:
        raise Conflict("the proposal is past its deadline", code="proposal_expired")
    if operator.identity == proposal.proposed_by:
        raise Forbidden("the proposer can't approve their own proposal: another operator must",
                        code="self_approval")
    if proposal.approvals.filter(operator=operator.identity).exists():
        raise Conflict("you have already approved this proposal (approvals count once per person)",
                       code="already_approved")
    if now < proposal.response_due_at:
        raise Conflict(f"the agent may respond until {proposal.response_due_at.isoformat()}; approve after that",
                       code="response_window_open")
    stake = indexed_stake_units(address=proposal.agent_address)
    committed = (SlashProposal.objects.filter(agent_address=proposal.agent_address, status__in=COMMITTED_STATUSES)
                 .exclude(pk=proposal.pk).aggregate(total=Sum("amount_units"))["total"] or 0)
    if proposal.amount_units > stake - committed:
        held = f", {usdc_text(committed)} USDC of it already approved for other slashes" if committed else ""
        raise Conflict(f"the amount ({usdc_text(proposal.amount_units)} USDC) is more than the agent's indexed "
                       f"slashable stake ({usdc_text(stake)} USDC{held})", code="amount_exceeds_stake")
    try:
        with transaction.atomic():
            SlashApproval.objects.create(proposal=proposal, operator=operator.identity, operator_label=operator.label,
                                         reason=reason, stake_units=stake)
    except IntegrityError:  # the row lock makes this unreachable; the constraint is the backstop
        raise Conflict("you have already approved this proposal", code="already_approved")
    count = proposal.approvals.count()
    _record_by(proposal, ProposalEventKind.APPROVAL, operator, reason,
               {"approvals": count, "required": proposal.approvals_required, "stake_units": str(stake)})
    if count >= proposal.approvals_required:
        proposal.status, proposal.approved_at, proposal.approved_stake_units = ProposalStatus.APPROVED, now, stake
        proposal.save(update_fields=["status", "approved_at", "approved_stake_units", "updated_at"])
        _record_by(proposal, ProposalEventKind.APPROVED, operator, reason, {"approvals": count})
    return proposal


def _close(*, proposal_id, operator: Operator, reason: str, kind: str, status: str, allowed) -> SlashProposal:
    reason = _text(reason, "reason")
    proposal = _lock(proposal_id)
    if proposal.status not in allowed:
        raise Conflict(f"the proposal is {proposal.status}; it can't be {status} now", code="proposal_not_open")
    previous = proposal.status
    proposal.status = status
    proposal.save(update_fields=["status", "updated_at"])
    _record_by(proposal, kind, operator, reason, {"from": previous})
    return proposal


@transaction.atomic
def slash_proposal_reject(*, proposal_id, operator: Operator, reason: str) -> SlashProposal:
    _require_operator(operator)
    return _close(proposal_id=proposal_id, operator=operator, reason=reason, kind=ProposalEventKind.REJECTED,
                  status=ProposalStatus.REJECTED, allowed=(ProposalStatus.PROPOSED,))


@transaction.atomic
def slash_proposal_cancel(*, proposal_id, operator: Operator, reason: str) -> SlashProposal:
    """Also from exported: the batch file may still exist, so the Safe's owners must reject it there too
    (a Slashed event for a cancelled proposal is flagged as unexplained)."""
    _require_operator(operator)
    return _close(proposal_id=proposal_id, operator=operator, reason=reason, kind=ProposalEventKind.CANCELLED,
                  status=ProposalStatus.CANCELLED, allowed=PENDING_STATUSES)


@transaction.atomic
def slash_proposal_expire(*, proposal_id, operator: Operator, reason: str = "the deadline passed") -> SlashProposal:
    proposal = _lock(proposal_id)
    if proposal.status not in (ProposalStatus.PROPOSED, ProposalStatus.APPROVED):
        return proposal  # exported or closed meanwhile: nothing to expire
    if proposal.expires_at > timezone.now():
        raise Conflict("the proposal's deadline has not passed", code="not_expired")
    return _close(proposal_id=proposal_id, operator=operator, reason=reason, kind=ProposalEventKind.EXPIRED,
                  status=ProposalStatus.EXPIRED, allowed=(ProposalStatus.PROPOSED, ProposalStatus.APPROVED))


def slash_proposals_expire_due(*, operator: Operator, limit: int = 500) -> list:
    """What the beat task runs: each due proposal in its own transaction."""
    due = list(SlashProposal.objects.filter(status__in=(ProposalStatus.PROPOSED, ProposalStatus.APPROVED),
                                            expires_at__lte=timezone.now())
               .order_by("expires_at").values_list("id", flat=True)[:limit])
    for proposal_id in due:
        slash_proposal_expire(proposal_id=proposal_id, operator=operator)
    return due


@transaction.atomic
def slash_proposal_respond(*, proposal_id, agent_address: str, response: str, evidence=()) -> SlashProposal:
    """The agent's answer joins the proposal's history, which approvers read before deciding."""
    response = _text(response, "response")
    links = _evidence(evidence)
    proposal = _lock(proposal_id)
    if proposal.agent_address != agent_address:
        raise Forbidden("only the agent this proposal is about may respond", code="not_your_proposal")
    if proposal.status not in PENDING_STATUSES:
        raise Conflict(f"the proposal is {proposal.status}; responses are closed", code="proposal_not_open")
    if proposal.events.filter(kind=ProposalEventKind.RESPONSE).count() >= MAX_RESPONSES:
        raise Conflict(f"at most {MAX_RESPONSES} responses per proposal", code="too_many_responses")
    _record(proposal, ProposalEventKind.RESPONSE, actor=agent_address, label=agent_address, role=ActorRole.AGENT,
            reason=response, data={"evidence": links} if links else {})
    return proposal


# --- export -------------------------------------------------------------------------------------------

def _slash_fragment() -> dict:
    return next(item for item in load_artifact("StakeVault")["abi"]
                if item.get("type") == "function" and item["name"] == "slash")


def _vault() -> str:
    if not settings.AGORA_STAKE_CONTRACT_ADDRESS:
        raise InvalidInput("AGORA_STAKE_CONTRACT_ADDRESS is not set", code="vault_not_configured")
    return settings.AGORA_STAKE_CONTRACT_ADDRESS.lower()


@transaction.atomic
def slash_export(*, proposal_ids: list, safe_address: str, operator: Operator, reason: str = "") -> dict:
    """A Transaction Builder batch with one StakeVault.slash(agent, amount, recipient) per approved proposal;
    marks them exported. `slash` has no idempotency key, so executing two batches of one proposal slashes
    twice: exporting a proposal again needs a reason, recorded in its history."""
    _require_operator(operator)
    vault = _vault()
    proposals = list(SlashProposal.objects.select_for_update().filter(pk__in=proposal_ids).order_by("created_at", "id"))
    if not proposals:
        raise InvalidInput("no proposals selected", code="nothing_to_export")
    wrong = [f"{p.id} ({p.status})" for p in proposals if p.status not in COMMITTED_STATUSES]
    if wrong:
        raise Conflict(f"only approved proposals can be exported: {', '.join(wrong)}", code="proposal_not_approved")
    now = timezone.now()
    late = [str(p.id) for p in proposals if p.status == ProposalStatus.APPROVED and p.expires_at <= now]
    if late:
        raise Conflict(f"past their deadline: {', '.join(late)}", code="proposal_expired")
    again = [str(p.id) for p in proposals if p.exports]
    reason = (reason or "").strip()
    if again and not reason:
        raise InvalidInput(f"proposals {', '.join(again)} were exported before; executing both batches would slash "
                           "twice. Give a reason to export them again", code="reason_required")
    fragment = _slash_fragment()
    calls = [SafeCall(to=vault, function=fragment, values={
        "agent": p.agent_address, "amount": p.amount_units, "recipient": p.recipient_address}) for p in proposals]
    batch = safe_batch_build(chain_id=settings.AGORA_CHAIN_ID, safe_address=safe_address,
                             name=f"Agora slashes ({len(proposals)})",
                             description="StakeVault.slash for approved proposals: "
                                         + ", ".join(str(p.id) for p in proposals), calls=calls)
    for proposal in proposals:
        proposal.status, proposal.exports, proposal.exported_at = ProposalStatus.EXPORTED, proposal.exports + 1, now
        proposal.vault_address = vault
        proposal.save(update_fields=["status", "exports", "exported_at", "vault_address", "updated_at"])
        _record_by(proposal, ProposalEventKind.EXPORTED, operator, reason or "exported for the Safe",
                   {"safe": safe_address.lower(), "vault": vault, "export": proposal.exports})
    return batch


# --- unexplained slashes --------------------------------------------------------------------------------

@transaction.atomic
def unexplained_slash_resolve(*, event_id: str, operator: Operator, reason: str) -> UnexplainedSlash:
    """An operator found out why and says so. The row stays (and counts in the metric's total)."""
    _require_operator(operator)
    reason = _text(reason, "reason")
    row = UnexplainedSlash.objects.select_for_update().filter(pk=event_id).first()
    if row is None:
        raise NotFound("no such unexplained slash", code="not_found")
    if row.resolved_at:
        raise Conflict("already resolved", code="already_resolved")
    row.resolved_at, row.resolved_by, row.resolution = timezone.now(), operator.label, reason
    row.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return row
