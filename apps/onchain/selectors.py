from django.utils import timezone

from .models import AnchorMismatch, ChainEvent, ChainStream


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
