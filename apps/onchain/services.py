"""Writes to the chain streams: creating them, rolling them back, operator cursor resets.
The step engine that advances a stream lives in indexer.py."""
import structlog
from django.conf import settings
from django.db import transaction

from apps.common.chain import normalize_address
from apps.common.errors import InvalidInput
from apps.common.rpc import JsonRpc, rpc_from_settings
from apps.common.services import audit_record
from apps.treasury.models import TreasuryEntry
from apps.treasury.services import donor_totals_recompute

from .anchor_projection import anchor_unlink
from .deployment import DEV_CHAIN_IDS, read_deployment
from .events import STREAM_CONTRACTS
from .models import ChainEvent, ChainStream, ReorgLog, SlashingEvent, StakeLedger, StreamBlock
from .projections import stake_recompute
from .signals import slashes_rolling_back

log = structlog.get_logger(__name__)
_DEPLOYED_NAMES = {"StakeVault": "stake_vault", "TreasuryVault": "treasury_vault", "AnchorRegistry": "anchor_registry"}


@transaction.atomic
def stream_ensure(*, name: str, chain_id: int, contract_address: str, start_block: int) -> ChainStream:
    if name not in STREAM_CONTRACTS:
        raise InvalidInput(f"unknown stream {name!r}; one of {', '.join(STREAM_CONTRACTS)}", code="unknown_stream")
    address = normalize_address(contract_address, field="contract_address")
    known = ChainStream.objects.filter(chain_id=chain_id, contract_address=address).first()
    if known is not None:  # under its plain name, or an older vault still followed during a migration
        return known
    _retire_superseded(name=name, chain_id=chain_id, address=address)
    stream, _ = ChainStream.objects.get_or_create(
        chain_id=chain_id, contract_address=address,
        defaults={"name": name, "start_block": start_block, "next_block": start_block,
                  "range_size": settings.AGORA_ONCHAIN_START_RANGE})
    return stream


def _retire_superseded(*, name: str, chain_id: int, address: str) -> None:
    """A dev chain redeployed (make run after its chain was reset): the old stream keeps its events but
    stops, under another name. On a real chain a second contract for one stream is an operator's call."""
    old = ChainStream.objects.select_for_update().filter(chain_id=chain_id, name=name).exclude(
        contract_address=address).first()
    if old is None:
        return
    if chain_id not in DEV_CHAIN_IDS:
        raise InvalidInput(f"stream {name!r} on chain {chain_id} already follows {old.contract_address}, not "
                           f"{address}; see the runbook's vault migration before indexing a new contract "
                           "(manage.py stake_vault_migrate for a StakeVault)",
                           code="stream_exists")
    old.name = _old_name(name, old.contract_address)
    old.halted, old.halted_reason = True, f"superseded by a redeploy at {address}"
    old.save(update_fields=["name", "halted", "halted_reason", "updated_at"])
    # The stake projection sums every stake stream on the chain (a vault migration follows two); a
    # redeployed dev chain's old vault is gone, so its stake must stop counting.
    doomed = StakeLedger.objects.filter(stream=old)
    agents = set(doomed.values_list("agent", flat=True))
    doomed.delete()
    stake_recompute(old, agents)
    log.warning("stream_superseded", stream=name, old=old.contract_address, new=address)


def _old_name(name: str, address: str) -> str:
    return f"{name}@{address[:10]}"[:40]


@transaction.atomic
def stake_vault_follow_new(*, chain_id: int, contract_address: str, start_block: int, actor: str) -> ChainStream:
    """A vault migration (docs/contracts.md): the new StakeVault takes the `stake_vault` name and the current
    one is renamed `stake_vault@0x...` but keeps being indexed, so stake in either vault counts (the
    projection sums them) until agents have moved theirs."""
    address = normalize_address(contract_address, field="contract_address")
    current = ChainStream.objects.select_for_update().filter(chain_id=chain_id, name="stake_vault").first()
    if current is None:
        raise InvalidInput(f"no stake_vault stream on chain {chain_id} to migrate from", code="unknown_stream")
    if current.contract_address == address:
        return current
    if ChainStream.objects.filter(chain_id=chain_id, contract_address=address).exists():
        raise InvalidInput(f"{address} is already followed on chain {chain_id}", code="stream_exists")
    if start_block < 0:
        raise InvalidInput("the start block must be >= 0", code="invalid_block")
    current.name = _old_name("stake_vault", current.contract_address)
    current.save(update_fields=["name", "updated_at"])
    stream = ChainStream.objects.create(name="stake_vault", chain_id=chain_id, contract_address=address,
                                        start_block=start_block, next_block=start_block,
                                        range_size=settings.AGORA_ONCHAIN_START_RANGE)
    audit_record(actor=actor, action="stake_vault_follow_new", subject=address,
                 data={"chain_id": chain_id, "start_block": start_block, "old": current.contract_address,
                       "old_stream": current.name})
    log.warning("stake_vault_migration", chain_id=chain_id, old=current.contract_address, new=address)
    return stream


def streams_ensure_from_deployment() -> list[ChainStream]:
    """The streams for the deployment file's contracts (created on first use)."""
    data = read_deployment(settings.AGORA_DEPLOYMENT_FILE) or {}
    streams = []
    for contract, info in data.get("contracts", {}).items():
        if contract in _DEPLOYED_NAMES:
            streams.append(stream_ensure(name=_DEPLOYED_NAMES[contract], chain_id=data["chain_id"],
                                         contract_address=info["address"], start_block=info["block_number"]))
    return streams


def stream_ensure_by_name(*, name: str) -> ChainStream:
    """A stream by name, creating the deployment file's streams first if they are missing."""
    streams_ensure_from_deployment()
    stream = ChainStream.objects.filter(name=name).order_by("-chain_id").first()
    if stream is None:
        known = ", ".join(ChainStream.objects.values_list("name", flat=True)) or "none"
        raise InvalidInput(f"no stream named {name!r} (streams: {known})", code="unknown_stream")
    return stream


def stream_rollback(*, stream: ChainStream, number: int, block_hash: str, kind: str, old_hash: str = "",
                    new_hash: str = "", actor: str = "indexer") -> int:
    """Delete everything the stream derived from blocks above `number`, recompute what they touched,
    and point the cursor at number + 1. Runs inside the caller's transaction."""
    if number >= stream.start_block and not block_hash:
        # the next step compares this hash with the chain's: an empty one would look like a reorg
        raise ValueError(f"block {number} has no hash: a cursor is never stored without one")
    doomed = ChainEvent.objects.filter(stream=stream, block_number__gt=number)
    agents = set(StakeLedger.objects.filter(event__in=doomed).values_list("agent", flat=True))
    donors = set(TreasuryEntry.objects.filter(event__in=doomed, direction=TreasuryEntry.IN)
                 .values_list("address", flat=True))
    anchor_unlink(doomed.values_list("id", flat=True))
    slashes = SlashingEvent.objects.filter(event__in=doomed)
    slashes_rolling_back.send(sender=SlashingEvent, stream=stream, event_ids=list(slashes.values_list("id", flat=True)))
    slashes.delete()
    StakeLedger.objects.filter(event__in=doomed).delete()
    TreasuryEntry.objects.filter(event__in=doomed).delete()
    removed, _ = doomed.delete()
    StreamBlock.objects.filter(stream=stream, number__gt=number).delete()
    stake_recompute(stream, agents)
    donor_totals_recompute(donors)
    depth = (stream.last_block_number or number) - number
    ReorgLog.objects.create(stream=stream, kind=kind, from_block=number, old_hash=old_hash, new_hash=new_hash,
                            depth=depth, events_removed=removed, actor=actor)
    stream.next_block = number + 1
    stream.last_block_number = number if number >= stream.start_block else None
    stream.last_block_hash = block_hash if number >= stream.start_block else ""
    if kind == "reorg":
        stream.reorgs += 1
    stream.rolled_back_events += removed
    return removed


def stream_cursor_reset(*, stream_id: int, to_block: int, actor: str, rpc: JsonRpc | None = None) -> int:
    """Operator rewind: reprocess from `to_block`, rolling back everything at or above it."""
    with transaction.atomic():
        stream = ChainStream.objects.select_for_update().get(pk=stream_id)
        if to_block < stream.start_block:
            to_block = stream.start_block
        number = to_block - 1
        block_hash = ""
        if number >= stream.start_block:  # the hash from our records, else the chain's (never empty: RpcError)
            known = StreamBlock.objects.filter(stream=stream, number=number).first()
            block_hash = known.hash if known else (rpc or rpc_from_settings()).block_hash(number)
        removed = stream_rollback(stream=stream, number=number, block_hash=block_hash, kind="reset", actor=actor)
        # The head seen before is forgotten too: after a reset the stream follows whatever the node now says
        # (a dev chain that really restarted would otherwise look like a lagging node forever).
        stream.last_head = stream.last_safe_head = None
        stream.halted, stream.halted_reason = False, ""
        stream.retry_at, stream.consecutive_failures = None, 0
        stream.save()
        return removed
