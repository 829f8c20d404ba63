"""The chain link: each indexed `Slashed` event is matched to the exported proposal it executes, and a
reorg that removes the event puts the proposal back to exported. Called from the onchain signals
(receivers.py) inside the indexer step's transaction, so the link commits with the event or not at all."""
import structlog
from django.utils import timezone

from apps.onchain.models import SlashingEvent

from .models import ActorRole, ProposalEventKind, ProposalStatus, SlashProposal, SlashProposalEvent, UnexplainedSlash

log = structlog.get_logger(__name__)


def _record(proposal, kind, reason, data):
    SlashProposalEvent.objects.create(proposal=proposal, kind=kind, actor="indexer", actor_label="indexer",
                                      actor_role=ActorRole.INDEXER, reason=reason, data=data)


def slashes_link(*, slashes: list[SlashingEvent]) -> int:
    """Link each event to the oldest exported proposal with its agent, recipient, requested amount and vault;
    flag the ones that match none. Returns how many were linked."""
    linked = 0
    for slash in sorted(slashes, key=lambda s: (s.block_number, s.log_index)):
        match = dict(agent_address=slash.agent_address, recipient_address=slash.recipient_address,
                     amount_units=slash.requested_units, vault_address=slash.contract_address)
        proposal = (SlashProposal.objects.select_for_update().filter(status=ProposalStatus.EXPORTED, **match)
                    .order_by("created_at", "id").first())
        if proposal is None:
            _flag(slash, match)
            continue
        proposal.status, proposal.slashing_event = ProposalStatus.EXECUTED, slash
        proposal.executed_units, proposal.executed_at = slash.amount_units, timezone.now()
        proposal.save(update_fields=["status", "slashing_event", "executed_units", "executed_at", "updated_at"])
        SlashingEvent.objects.filter(pk=slash.pk).update(job_id=proposal.job_id)
        short = slash.amount_units < slash.requested_units
        _record(proposal, ProposalEventKind.EXECUTED,
                "the stake was short: slashed less than asked" if short else "slashed on chain",
                {"event_id": slash.id, "tx_hash": slash.tx_hash, "block_number": slash.block_number,
                 "requested_units": str(slash.requested_units), "actual_units": str(slash.amount_units)})
        linked += 1
    return linked


def _flag(slash: SlashingEvent, match: dict) -> None:
    executed = (SlashProposal.objects.filter(status=ProposalStatus.EXECUTED, **match)
                .order_by("-executed_at", "-id").first())
    if executed is not None:
        reason = (f"a second Slashed for proposal {executed.id}, already executed by {executed.slashing_event_id}: "
                  "was a batch executed twice?")
    else:
        reason = "no exported proposal has this agent, recipient and amount"
    UnexplainedSlash.objects.create(slashing_event=slash, reason=reason[:300], duplicate_of=executed)
    # An alarm, not a detail: stake left an agent outside the proposal flow.
    log.error("unexplained_slash", event_id=slash.id, agent=slash.agent_address, amount_units=str(slash.amount_units),
              reason=reason)


def slashes_unlink(*, event_ids: list[str]) -> int:
    """These events are leaving the chain (reorg) or the index (cursor reset): their proposals wait again."""
    unlinked = 0
    for proposal in SlashProposal.objects.select_for_update().filter(slashing_event_id__in=event_ids).order_by("id"):
        _record(proposal, ProposalEventKind.REORGED, "the Slashed event left the chain; waiting for it again",
                {"event_id": proposal.slashing_event_id})
        proposal.status, proposal.slashing_event = ProposalStatus.EXPORTED, None
        proposal.executed_units = proposal.executed_at = None
        proposal.save(update_fields=["status", "slashing_event", "executed_units", "executed_at", "updated_at"])
        unlinked += 1
    return unlinked
