"""Writes of the treasury app: the TreasuryVault projection the indexer runs (donations and spends in one
ledger, donor totals, donor avatars), in the indexer's transaction."""
import hashlib
from decimal import ROUND_DOWN, Decimal

from django.conf import settings

from apps.agents.services import profile_set_donor

from .models import ETH, DonorTotal, TreasuryEntry

DONOR_THRESHOLD_MICRO = 10 * 10**6  # $10, in millionths of a dollar


def usd_micro(asset: str, amount: Decimal) -> tuple[Decimal, Decimal | None]:
    """USD value in millionths: USDC exactly (6 decimals); ETH at AGORA_ETH_USD_RATE, which is
    recorded with the entry; other tokens have no price here and count as 0."""
    if asset == settings.AGORA_USDC_ADDRESS:
        return amount, None
    if asset == ETH:
        rate = Decimal(str(settings.AGORA_ETH_USD_RATE))
        return (amount * rate / Decimal(10**12)).quantize(Decimal(1), rounding=ROUND_DOWN), rate
    return Decimal(0), None


def treasury_entries_apply(stream, events) -> set[str]:
    entries = []
    for event in events:
        if event.name not in ("DonationReceived", "TreasurySpent"):
            continue
        args = event.args
        amount = Decimal(args["amount"])
        value, rate = usd_micro(args["asset"], amount)
        donation = event.name == "DonationReceived"
        entries.append(TreasuryEntry(
            event_id=event.id, direction=TreasuryEntry.IN if donation else TreasuryEntry.OUT,
            address=args["donor"] if donation else args["to"], executor="" if donation else args["executor"],
            asset=args["asset"], amount_raw=amount, usd_micro=value, eth_usd_rate=rate,
            purpose_id=int(args["purposeId"]), memo_hash=args["memoHash"], block_number=event.block_number,
            log_index=event.log_index, tx_hash=event.tx_hash))
    TreasuryEntry.objects.bulk_create(entries, batch_size=5000)
    return {e.address for e in entries if e.direction == TreasuryEntry.IN}


def avatar_seed_for(address: str, first_event_id: str) -> str:
    return hashlib.sha256(f"{address}:{first_event_id}".encode()).hexdigest()[:32]


def donor_totals_recompute(addresses: set[str]) -> None:
    """Totals, first donation and donor mode for these donors, from the ledger as it is now."""
    if not addresses:
        return
    entries = (TreasuryEntry.objects.filter(direction=TreasuryEntry.IN, address__in=sorted(addresses))
               .order_by("address", "block_number", "log_index").values_list("address", "event_id", "usd_micro"))
    state = {a: {"total": Decimal(0), "first": "", "crossed": ""} for a in addresses}
    for address, event_id, value in entries:
        row = state[address]
        row["first"] = row["first"] or event_id
        row["total"] += value
        if not row["crossed"] and row["total"] >= DONOR_THRESHOLD_MICRO:
            row["crossed"] = event_id
    DonorTotal.objects.bulk_create(
        [DonorTotal(address=a, total_usd_micro=s["total"], first_donation_event_id=s["first"],
                    donor_since_event_id=s["crossed"]) for a, s in state.items()],
        update_conflicts=True, unique_fields=["address"],
        update_fields=["total_usd_micro", "first_donation_event_id", "donor_since_event_id", "updated_at"])
    for address in sorted(state):
        row = state[address]
        profile_set_donor(address=address, seed=avatar_seed_for(address, row["first"]) if row["crossed"] else None)

