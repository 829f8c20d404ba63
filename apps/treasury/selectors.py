from decimal import Decimal

from django.db.models import Sum

from .models import ETH, DonorTotal, TreasuryEntry


def latest_donations(*, limit: int = 20):
    return TreasuryEntry.objects.filter(direction=TreasuryEntry.IN).order_by("-block_number", "-log_index")[:limit]


def totals_by_purpose():
    """Per purpose and asset: in, out and net (raw units), for the public page."""
    rows = (TreasuryEntry.objects.values("purpose_id", "asset", "direction").annotate(total=Sum("amount_raw"))
            .order_by("purpose_id", "asset"))
    table = {}
    for row in rows:
        key = (row["purpose_id"], row["asset"])
        entry = table.setdefault(key, {"purpose_id": key[0], "asset": key[1], "in": Decimal(0), "out": Decimal(0)})
        entry[row["direction"]] = row["total"]
    for entry in table.values():
        entry["net"] = entry["in"] - entry["out"]
    return list(table.values())


def asset_label(asset: str, usdc: str) -> str:
    if asset == ETH:
        return "ETH"
    if asset == usdc:
        return "USDC"
    return asset


def donor_count() -> int:
    """Wallets whose donations reached the donor threshold ($10)."""
    return DonorTotal.objects.exclude(donor_since_event_id="").count()


def donations_in_tx(*, tx_hash: str) -> list:
    """The donations an indexed transaction made (through the events' tx_hash index)."""
    return list(TreasuryEntry.objects.filter(event__tx_hash=tx_hash, direction=TreasuryEntry.IN)
                .select_related("event").order_by("log_index"))


def donor_total(*, address: str) -> DonorTotal | None:
    return DonorTotal.objects.filter(address=address).first()
