"""Reads for the proposal flow, the public slashing list and the operators' views."""
from django.db.models import Count, OuterRef, Q, Subquery

from apps.agents.models import OnchainStake
from apps.common.chain import units_to_usdc
from apps.jobs.models import Submission, Vote
from apps.onchain.models import SlashingEvent, StakeLedger

from .models import (
    COMMITTED_STATUSES,
    PENDING_STATUSES,
    ProposalStatus,
    SlashProposal,
    SlashProposalEvent,
    UnexplainedSlash,
)


def usdc_text(units) -> str:
    """Base units as a plain USDC figure for messages ("12.5", never "1.25E+1")."""
    return f"{units_to_usdc(int(units)):f}"


def indexed_stake_units(*, address: str) -> int:
    """The agent's slashable stake as indexed from the StakeVault (stakeOf: active plus unbonding)."""
    value = OnchainStake.objects.filter(address=address).values_list("staked_units", flat=True).first()
    return int(value or 0)


def with_figures(qs):
    """Each proposal with its approval count and the agent's indexed stake now, in the same query."""
    stake = OnchainStake.objects.filter(address=OuterRef("agent_address")).values("staked_units")[:1]
    return qs.annotate(approval_count=Count("approvals", distinct=True), stake_now=Subquery(stake))


def proposal_list(*, address: str | None = None, status: str | None = "pending", limit: int = 50):
    qs = with_figures(SlashProposal.objects.all())
    if address:
        qs = qs.filter(agent_address=address)
    if status == "pending":
        qs = qs.filter(status__in=PENDING_STATUSES)
    elif status and status != "all":
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")[:limit]


def proposal_get(*, proposal_id) -> SlashProposal | None:
    return with_figures(SlashProposal.objects.filter(pk=proposal_id)).first()


def proposal_history(*, proposal_id) -> list[SlashProposalEvent]:
    return list(SlashProposalEvent.objects.filter(proposal_id=proposal_id).order_by("created_at", "id"))


def stake_warning(proposal: SlashProposal, stake_now) -> str:
    """What an operator must know before approving or exporting: the stake no longer covers the amount."""
    stake_now = int(stake_now or 0)
    approved = proposal.approved_stake_units
    if proposal.status in COMMITTED_STATUSES and approved is not None and stake_now < approved:
        return (f"the agent's stake dropped from {usdc_text(approved)} to {usdc_text(stake_now)} USDC since "
                f"approval; the slash takes at most {usdc_text(stake_now)} USDC")
    if proposal.status in PENDING_STATUSES and stake_now < proposal.amount_units:
        return (f"the agent's indexed stake ({usdc_text(stake_now)} USDC) is below the amount "
                f"({usdc_text(proposal.amount_units)} USDC)")
    return ""


def slashing_event_list(*, address: str | None = None, job_id=None, limit: int = 50):
    qs = SlashingEvent.objects.select_related("proposal", "unexplained")
    if address:
        qs = qs.filter(agent_address=address)
    if job_id:
        qs = qs.filter(job_id=job_id)
    return qs.order_by("-block_number", "-log_index")[:limit]


def agent_history(*, address: str, limit: int = 50) -> dict:
    """What an approver reads on the proposal page: the agent's work, votes, slashes and stake over time."""
    ledger = list(StakeLedger.objects.filter(agent=address).order_by("block_number", "log_index")
                  .values("event_id", "event__name", "delta", "block_number", "tx_hash"))
    running = 0
    for row in ledger:
        running += int(row["delta"])
        row["total"] = running
    return {
        "submissions": list(Submission.objects.filter(agent_address=address).select_related("job")
                            .order_by("-created_at")[:limit]),
        "votes": list(Vote.objects.filter(voter_address=address).select_related("job", "submission")
                      .order_by("-updated_at")[:limit]),
        "slashes": list(slashing_event_list(address=address, limit=limit)),
        "proposals": list(proposal_list(address=address, status="all", limit=limit)),
        "stake": ledger[-limit:][::-1],
        "stake_now": indexed_stake_units(address=address),
    }


def agent_slashing(*, address: str) -> dict:
    """The public panel on the agent's page: open proposals (due process) and executed slashes."""
    return {"proposals": list(proposal_list(address=address, status="pending", limit=20)),
            "events": list(slashing_event_list(address=address, limit=20))}


def proposal_counts() -> dict:
    counts = dict(SlashProposal.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in ProposalStatus.values}


def unexplained_counts() -> dict:
    return UnexplainedSlash.objects.aggregate(total=Count("pk"), open=Count("pk", filter=Q(resolved_at__isnull=True)))
