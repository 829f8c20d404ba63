from django.db.models import Q, Sum
from django.utils import timezone

from .models import AnchorMismatch, ChainEvent, ChainStream, StakeLedger


def stream_list():
    return ChainStream.objects.order_by("chain_id", "name")


def stream_lag(stream: ChainStream) -> int | None:
    """Blocks between the safe head and the last block indexed; None before the first step."""
    if stream.last_safe_head is None:
        return None
    indexed = stream.last_block_number if stream.last_block_number is not None else stream.start_block - 1
    return max(0, stream.last_safe_head - indexed)


def stream_state(stream: ChainStream) -> str:
    if stream.halted:
        return "HALTED"
    return "backoff" if stream.retry_at and stream.retry_at > timezone.now() else "ok"


def stream_event_count_from(*, stream: ChainStream, block: int) -> int:
    """Events a rewind to `block` would roll back (those at or above it)."""
    return ChainEvent.objects.filter(stream=stream, block_number__gte=block).count()


def anchor_mismatch_open_count() -> int:
    return AnchorMismatch.objects.filter(resolved_at__isnull=True).count()


def stake_streams(*, chain_id: int):
    """Every StakeVault followed on the chain: one, or the old and the new during a vault migration
    (docs/contracts.md, "Moving to a new StakeVault"). An agent's stake is the sum over them."""
    return ChainStream.objects.filter(Q(name="stake_vault") | Q(name__startswith="stake_vault@"), chain_id=chain_id)


def stake_vault_totals(*, chain_id: int) -> list[dict]:
    """Each followed StakeVault with its indexed total stake (its totalStaked) and how many agents hold
    some: what tells an operator that a migration's old vault is empty."""
    streams = list(stake_streams(chain_id=chain_id).order_by("-start_block"))
    out = {s.id: {"stream": s, "total_units": 0, "agents": 0} for s in streams}
    held = (StakeLedger.objects.filter(stream__in=[s.id for s in streams]).values("stream_id", "agent")
            .annotate(total=Sum("delta")).filter(total__gt=0).values_list("stream_id", "total"))
    for stream_id, total in held:
        out[stream_id]["total_units"] += int(total)
        out[stream_id]["agents"] += 1
    return list(out.values())
