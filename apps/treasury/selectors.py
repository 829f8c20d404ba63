from .models import TreasuryEntry
from .projections import ETH, treasury_totals


def latest_donations(*, limit: int = 20):
    return TreasuryEntry.objects.filter(direction=TreasuryEntry.IN).order_by("-block_number", "-log_index")[:limit]


def totals_by_purpose():
    return treasury_totals()


def asset_label(asset: str, usdc: str) -> str:
    if asset == ETH:
        return "ETH"
    if asset == usdc:
        return "USDC"
    return asset
