"""The chain indexer's step engine: one step advances one stream by one eth_getLogs range, in ONE database
transaction (events, projections, block hashes and cursor), under a row lock that makes a
second worker skip the stream instead of double-applying it."""
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import NamedTuple

import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.common.rpc import JsonRpc, RpcError, rpc_from_settings
from apps.treasury.services import donor_totals_recompute, treasury_entries_apply

from .anchor_projection import anchor_apply
from .bulk import copy_rows, jsonb
from .events import STREAM_CONTRACTS, decode_log, stream_kind
from .models import ChainEvent, ChainStream, StreamBlock
from .projections import stake_apply, stake_recompute
from .services import stream_rollback

log = structlog.get_logger(__name__)
RANGE_ERRORS = ("range_too_large", "too_many_results", "timeout")


class ReorgTooDeep(Exception):
    pass


class Decoded(NamedTuple):
    """A decoded log before it is stored (cheaper than a model instance per event)."""

    id: str
    block_number: int
    block_hash: str
    tx_hash: str
    log_index: int
    name: str
    args: dict
    addresses: str


_EVENT_COLUMNS = ["id", "stream_id", "block_number", "block_hash", "tx_hash", "log_index", "name", "args",
                  "addresses", "created_at"]


@dataclass
class StepResult:
    stream: str
    status: str  # advanced, idle, reorg, rpc_error, backoff, halted, locked
    from_block: int | None = None
    to_block: int | None = None
    events: int = 0
    detail: str = ""


def index_step(stream_id: int, *, rpc: JsonRpc | None = None) -> StepResult:
    started = time.monotonic()
    with transaction.atomic():
        stream = ChainStream.objects.select_for_update(skip_locked=True).filter(pk=stream_id).first()
        if stream is None:
            return StepResult(str(stream_id), "locked")
        if stream.halted:
            return StepResult(stream.name, "halted", detail=stream.halted_reason)
        if stream.retry_at and stream.retry_at > timezone.now():
            return StepResult(stream.name, "backoff", detail=f"retry at {stream.retry_at.isoformat()}")
        rpc = rpc or rpc_from_settings()
        try:
            with transaction.atomic():  # a fault mid-step undoes the step, not the fault's record
                result = _advance(stream, rpc)
        except RpcError as exc:
            _record_failure(stream, exc)
            result = StepResult(stream.name, "rpc_error", detail=str(exc))
        except ReorgTooDeep as exc:
            stream.halted = True
            stream.halted_reason = str(exc)
            log.error("indexer_halted_deep_reorg", stream=stream.name, detail=str(exc))
            result = StepResult(stream.name, "halted", detail=str(exc))
        except Exception as exc:  # a bug or bad data must not kill the other streams or spin
            log.exception("indexer_step_failed", stream=stream.name)
            _record_failure(stream, RpcError("internal", f"{type(exc).__name__}: {exc}"[:300]))
            result = StepResult(stream.name, "rpc_error", detail=f"internal: {type(exc).__name__}")
        stream.last_step_seconds = time.monotonic() - started
        stream.save()
    return result


def _advance(stream: ChainStream, rpc: JsonRpc) -> StepResult:
    chain_id, head = rpc.chain_and_head()
    _check_node(stream, chain_id, head)
    safe_head = head - settings.AGORA_ONCHAIN_CONFIRMATIONS
    stream.last_head, stream.last_safe_head = head, safe_head
    if stream.last_block_number is not None:
        # Only a different, non-empty hash is a reorg: a node without the block raises lagging_node.
        canonical = rpc.block_hash(stream.last_block_number)
        if canonical != stream.last_block_hash.lower():
            number, block_hash = _find_ancestor(stream, rpc)
            removed = stream_rollback(stream=stream, number=number, block_hash=block_hash, kind="reorg",
                                      old_hash=stream.last_block_hash, new_hash=canonical)
            log.warning("indexer_reorg", stream=stream.name, ancestor=number, events_removed=removed)
            return StepResult(stream.name, "reorg", to_block=number, events=removed)
    if stream.next_block > safe_head:
        _record_success(stream)
        return StepResult(stream.name, "idle")
    from_block = stream.next_block
    to_block = min(safe_head, from_block + stream.range_size - 1)
    logs = rpc.get_logs(stream.contract_address, from_block, to_block)
    # Hashes of every block near the head (so a later reorg finds its exact fork point), and
    # always the range's last block (the hash the next step checks).
    window = range(max(from_block, safe_head - settings.AGORA_ONCHAIN_MAX_REORG_DEPTH), to_block + 1)
    hashes = rpc.block_hashes(sorted(set(window) | {to_block}))
    events = _decode(stream, logs, hashes)
    existing = set(ChainEvent.objects.filter(stream=stream, block_number__gte=from_block, block_number__lte=to_block)
                   .values_list("id", flat=True))  # normally none: a rollback deletes what it rewinds
    new = [e for e in events if e.id not in existing]
    now = timezone.now()
    copy_rows(ChainEvent, _EVENT_COLUMNS, ((e.id, stream.id, e.block_number, e.block_hash, e.tx_hash, e.log_index,
                                            e.name, jsonb(e.args), e.addresses, now) for e in new))
    stake_recompute(stream, stake_apply(stream, new))
    donor_totals_recompute(treasury_entries_apply(stream, new))
    anchor_apply(stream, new)
    StreamBlock.objects.bulk_create([StreamBlock(stream=stream, number=n, hash=h) for n, h in hashes.items()],
                                    ignore_conflicts=True)
    StreamBlock.objects.filter(stream=stream,
                               number__lt=safe_head - 2 * settings.AGORA_ONCHAIN_MAX_REORG_DEPTH).delete()
    stream.next_block = to_block + 1
    stream.last_block_number = to_block
    stream.last_block_hash = hashes[to_block]
    stream.events_ingested += len(new)
    stream.clean_calls += 1
    if stream.clean_calls >= 3:  # grow back after clean calls
        stream.range_size = min(settings.AGORA_ONCHAIN_MAX_RANGE, stream.range_size * 2)
        stream.clean_calls = 0
    _record_success(stream)
    return StepResult(stream.name, "advanced", from_block, to_block, len(new))


def _check_node(stream: ChainStream, chain_id: int, head: int) -> None:
    """Before anything is read: the node must be on the stream's chain (a wrong RPC URL must not ingest
    another chain's events) and must not be behind what this stream already saw (a lagging node, or one
    behind a load balancer, is not a reorg). Both are RPC faults: the step stops and backs off."""
    if chain_id != stream.chain_id:
        log.error("indexer_wrong_chain", stream=stream.name, expected_chain_id=stream.chain_id, rpc_chain_id=chain_id)
        raise RpcError("wrong_chain", f"the RPC is on chain {chain_id}, this stream follows chain {stream.chain_id}: "
                                      f"check AGORA_RPC_URL")
    seen = max(stream.last_head or 0, stream.last_block_number or 0)
    if head < seen:
        raise RpcError("lagging_node", f"the node's head {head} is below block {seen}, seen before")


def _decode(stream: ChainStream, logs: list[dict], hashes: dict[int, str]) -> list[Decoded]:
    contract = STREAM_CONTRACTS[stream_kind(stream.name)]
    last = max(hashes)
    events = {}
    for raw in logs:
        if raw.get("removed"):
            continue
        number = int(raw["blockNumber"], 16)
        block_hash = raw["blockHash"].lower()
        # A provider that answers with another range or contract (a stale cache, a bad load
        # balancer) must not get its logs stored: fail the step, retry later.
        if not stream.next_block <= number <= last or raw.get("address", "").lower() != stream.contract_address:
            raise RpcError("inconsistent", f"log at block {number} from {raw.get('address')} is outside the "
                                           f"requested range {stream.next_block}-{last} or contract")
        if number in hashes and hashes[number].lower() != block_hash:
            raise RpcError("inconsistent", f"block {number} changed while reading it (a reorg in progress)")
        decoded = decode_log(contract, raw)
        if decoded is None:
            continue
        name, args = decoded
        log_index = int(raw["logIndex"], 16)
        tx_hash = raw["transactionHash"].lower()
        event_id = f"{stream.chain_id}:{tx_hash}:{log_index}"
        addresses = " ".join(v for v in args.values() if isinstance(v, str) and len(v) == 42 and v.startswith("0x"))
        events[event_id] = Decoded(event_id, number, block_hash, tx_hash, log_index, name, args, addresses[:200])
    return sorted(events.values(), key=lambda e: (e.block_number, e.log_index))


def _find_ancestor(stream: ChainStream, rpc: JsonRpc) -> tuple[int, str]:
    """The newest processed block whose hash is still canonical, within the maximum depth."""
    max_depth = settings.AGORA_ONCHAIN_MAX_REORG_DEPTH
    known = list(StreamBlock.objects.filter(stream=stream, number__lte=stream.last_block_number,
                                            number__gte=stream.last_block_number - max_depth).order_by("-number"))
    canonical = rpc.block_hashes([b.number for b in known]) if known else {}  # all present, or lagging_node
    for block in known:
        if canonical[block.number] == block.hash.lower():
            return block.number, block.hash
    if stream.last_block_number - (stream.start_block - 1) <= max_depth:
        return stream.start_block - 1, ""
    raise ReorgTooDeep(f"reorg deeper than AGORA_ONCHAIN_MAX_REORG_DEPTH={max_depth} below block "
                       f"{stream.last_block_number}: no stored block hash in range is canonical. Investigate, then "
                       f"`manage.py indexer_reset_cursor --stream {stream.name} --to-block N --commit`")


def _record_success(stream: ChainStream) -> None:
    stream.consecutive_failures = 0
    stream.retry_at = None
    stream.last_success_at = timezone.now()


def _record_failure(stream: ChainStream, exc: RpcError) -> None:
    errors = dict(stream.rpc_errors or {})
    errors[exc.kind] = errors.get(exc.kind, 0) + 1
    stream.rpc_errors = errors
    stream.clean_calls = 0
    narrowed = False
    if exc.kind in RANGE_ERRORS and stream.range_size > 1:
        suggested = exc.suggested_size if exc.suggested_size and exc.suggested_size < stream.range_size else None
        stream.range_size = max(1, suggested or stream.range_size // 2)
        narrowed = True
    if narrowed and exc.kind != "timeout":
        return  # retry at once with the smaller range: the provider told us what it wants
    stream.consecutive_failures += 1
    delay = min(settings.AGORA_ONCHAIN_BACKOFF_CAP_SECONDS,
                settings.AGORA_ONCHAIN_BACKOFF_BASE_SECONDS * 2 ** (stream.consecutive_failures - 1))
    stream.retry_at = timezone.now() + timedelta(seconds=delay)
    log.warning("indexer_rpc_error", stream=stream.name, kind=exc.kind, retry_in=delay, range_size=stream.range_size)


def run_until_idle(*, stream_ids: list[int], rpc: JsonRpc | None = None, max_seconds: float | None = None,
                   on_step=None) -> list[StepResult]:
    """Step each stream until it is idle (or halted, backing off, locked) or time runs out."""
    deadline = time.monotonic() + max_seconds if max_seconds else None
    rpc = rpc or rpc_from_settings()  # one HTTP session for the whole run
    results = []
    pending = list(stream_ids)
    while pending and (deadline is None or time.monotonic() < deadline):
        still = []
        for stream_id in pending:
            result = index_step(stream_id, rpc=rpc)
            results.append(result)
            if on_step:
                on_step(result)
            if result.status in ("advanced", "reorg") or (result.status == "rpc_error" and _retry_now(stream_id)):
                still.append(stream_id)
        pending = still
    return results


def _retry_now(stream_id: int) -> bool:
    stream = ChainStream.objects.filter(pk=stream_id).only("retry_at").first()
    return stream is not None and stream.retry_at is None
