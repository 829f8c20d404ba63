"""StakeVault projections: a ledger row per event, and each agent's stake recomputed from it.
Recomputing the affected agents (instead of adding deltas) makes a rollback exact by construction."""
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum

from apps.agents.models import OnchainStake

from .bulk import copy_rows
from .models import ChainStream, SlashingEvent, StakeLedger
from .selectors import stake_streams
from .signals import slashes_indexed
from .stake_split import REQUESTED, Split, combine

# event -> (agent argument, amount argument, sign of the change to the total stake)
_SIGN = {"Deposited": ("agent", "amount", 1), "Withdrawn": ("agent", "amount", -1),
         "Slashed": ("agent", "actualAmount", -1), REQUESTED: ("agent", "amount", 0)}
_LEDGER_COLUMNS = ["event_id", "stream_id", "agent", "kind", "delta", "requested", "release_at", "block_number",
                   "log_index", "tx_hash"]


def stake_apply(stream: ChainStream, events) -> set[str]:
    """Ledger rows for the StakeVault events among `events` (decoded, already stored)."""
    ledger, slashes = [], []
    for event in events:
        rule = _SIGN.get(event.name)
        if rule is None:
            continue
        who, field, sign = rule
        amount = Decimal(event.args[field])
        request = event.name == REQUESTED
        ledger.append((event.id, stream.id, event.args[who], event.name, sign * amount, amount if request else 0,
                       int(event.args["releaseAt"]) if request else None, event.block_number, event.log_index,
                       event.tx_hash))
        if event.name == "Slashed":
            slashes.append(SlashingEvent(
                id=event.id, event_id=event.id, agent_address=event.args["agent"],
                amount_units=Decimal(event.args["actualAmount"]),
                requested_units=Decimal(event.args["requestedAmount"]),
                recipient_address=event.args["recipient"], tx_hash=event.tx_hash, chain_id=stream.chain_id,
                contract_address=stream.contract_address, block_number=event.block_number, log_index=event.log_index))
    copy_rows(StakeLedger, _LEDGER_COLUMNS, ledger)
    SlashingEvent.objects.bulk_create(slashes)
    if slashes:  # apps.slashing links them to proposals
        slashes_indexed.send(sender=SlashingEvent, stream=stream, slashes=slashes)
    return {row[2] for row in ledger}


def stake_recompute(stream: ChainStream, agents: set[str]) -> None:
    if not agents:
        return
    agents = sorted(agents)
    rows = StakeLedger.objects.filter(stream__in=stake_streams(chain_id=stream.chain_id), agent__in=agents)
    splits = _splits(rows)
    latest = {row[0]: row for row in rows.order_by("agent", "-block_number", "-log_index").distinct("agent")
              .values_list("agent", "tx_hash", "block_number", "log_index", "stream__contract_address")}
    stakes = []
    for agent in agents:
        split = splits.get(agent, Split())
        last = latest.get(agent)
        stakes.append(OnchainStake(
            address=agent, staked_units=split.total, active_units=split.active, unbonding_units=split.unbonding,
            unbonding_release_at=datetime.fromtimestamp(split.release_at, UTC) if split.unbonding else None,
            stake_tx_hash=last[1] if last else "", stake_chain_id=stream.chain_id if last else None,
            stake_contract_address=last[4] if last else "",
            stake_block_number=last[2] if last else None, stake_log_index=last[3] if last else None))
    OnchainStake.objects.bulk_create(
        stakes, batch_size=5000, update_conflicts=True, unique_fields=["address"],
        update_fields=["staked_units", "active_units", "unbonding_units", "unbonding_release_at", "stake_tx_hash",
                       "stake_chain_id", "stake_contract_address", "stake_block_number", "stake_log_index",
                       "updated_at"])


def _splits(rows) -> dict[str, Split]:
    """Each agent's split, summed over vaults. Only (vault, agent) pairs with a withdrawal request are
    replayed: without one the bucket was always empty, so the SQL sum is all active, and an agent with
    a long history of deposits costs one aggregate instead of a walk through every row."""
    per_agent = defaultdict(list)
    replay = set()
    sums = rows.values("stream_id", "agent").annotate(total=Sum("delta"),
                                                      requests=Count("pk", filter=Q(kind=REQUESTED)))
    for row in sums:
        if row["requests"]:
            replay.add((row["stream_id"], row["agent"]))
        else:
            per_agent[row["agent"]].append(Split(active=int(row["total"])))
    if replay:
        ordered = (rows.filter(agent__in={agent for _, agent in replay})
                   .order_by("stream_id", "agent", "block_number", "log_index")
                   .values_list("stream_id", "agent", "kind", "delta", "requested", "release_at"))
        current_key, split = None, None
        for stream_id, agent, kind, delta, requested, release_at in ordered.iterator(chunk_size=5000):
            if (stream_id, agent) not in replay:
                continue
            if (stream_id, agent) != current_key:
                current_key, split = (stream_id, agent), Split()
                per_agent[agent].append(split)
            split.apply(kind, int(delta), int(requested), release_at)
    return {agent: combine(splits) for agent, splits in per_agent.items()}
