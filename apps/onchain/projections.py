"""StakeVault projections: a signed ledger per event, and each agent's stake recomputed from it.
Recomputing the affected agents (instead of adding deltas) makes a rollback exact by construction."""
from decimal import Decimal

from django.db.models import Sum

from apps.agents.models import OnchainStake

from .bulk import copy_rows
from .models import ChainStream, SlashingEvent, StakeLedger
from .signals import slashes_indexed

_SIGN = {"Deposited": ("agent", "amount", 1), "Withdrawn": ("agent", "amount", -1),
         "Slashed": ("agent", "actualAmount", -1)}


def stake_apply(stream: ChainStream, events) -> set[str]:
    """Ledger rows for the StakeVault events among `events` (decoded, already stored)."""
    ledger, slashes = [], []
    for event in events:
        rule = _SIGN.get(event.name)
        if rule is None:
            continue
        who, field, sign = rule
        ledger.append((event.id, stream.id, event.args[who], sign * Decimal(event.args[field]), event.block_number,
                       event.log_index, event.tx_hash))
        if event.name == "Slashed":
            slashes.append(SlashingEvent(
                id=event.id, event_id=event.id, agent_address=event.args["agent"],
                amount_units=Decimal(event.args["actualAmount"]),
                requested_units=Decimal(event.args["requestedAmount"]),
                recipient_address=event.args["recipient"], tx_hash=event.tx_hash, chain_id=stream.chain_id,
                contract_address=stream.contract_address, block_number=event.block_number, log_index=event.log_index))
    copy_rows(StakeLedger, ["event_id", "stream_id", "agent", "delta", "block_number", "log_index", "tx_hash"], ledger)
    SlashingEvent.objects.bulk_create(slashes)
    if slashes:  # apps.slashing links them to proposals
        slashes_indexed.send(sender=SlashingEvent, stream=stream, slashes=slashes)
    return {row[2] for row in ledger}


def stake_recompute(stream: ChainStream, agents: set[str]) -> None:
    if not agents:
        return
    agents = sorted(agents)
    rows = StakeLedger.objects.filter(stream=stream, agent__in=agents)
    totals = dict(rows.values("agent").annotate(total=Sum("delta")).values_list("agent", "total"))
    latest = {entry.agent: entry for entry in rows.order_by("agent", "-block_number", "-log_index").distinct("agent")}
    stakes = []
    for agent in agents:
        last = latest.get(agent)
        stakes.append(OnchainStake(
            address=agent, staked_units=totals.get(agent) or 0,
            stake_tx_hash=last.tx_hash if last else "", stake_chain_id=stream.chain_id if last else None,
            stake_contract_address=stream.contract_address if last else "",
            stake_block_number=last.block_number if last else None, stake_log_index=last.log_index if last else None))
    OnchainStake.objects.bulk_create(
        stakes, batch_size=5000, update_conflicts=True, unique_fields=["address"],
        update_fields=["staked_units", "stake_tx_hash", "stake_chain_id", "stake_contract_address",
                       "stake_block_number", "stake_log_index", "updated_at"])
