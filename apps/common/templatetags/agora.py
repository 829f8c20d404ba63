from decimal import ROUND_DOWN, Decimal

from django import template

from apps.common.chain import units_to_usdc

register = template.Library()


@register.filter
def short_address(value: str) -> str:
    """0x1234…abcd, for display; the full address stays in links and titles."""
    if not value or len(value) < 12:
        return value or ""
    return f"{value[:6]}…{value[-4:]}"


@register.filter
def usdc(units) -> str:
    """Integer base units as a USDC amount: exact, no trailing zeros, thousands separated."""
    if units in (None, ""):
        return ""
    amount = units_to_usdc(int(units))
    whole, _, frac = f"{amount:f}".partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


@register.filter
def seed_hue(seed: str) -> int:
    """A stable hue (0-359) from an avatar seed, for the placeholder avatar's colour."""
    try:
        return int((seed or "0")[:4], 16) % 360
    except ValueError:
        return 210


@register.filter
def token_amount(raw, decimals) -> str:
    """Raw integer token units shown with the token's decimals, exactly."""
    if raw in (None, ""):
        return ""
    value = Decimal(raw) / (Decimal(10) ** int(decimals or 0))
    whole, _, frac = f"{value.normalize():f}".partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


@register.filter
def usd_micro(value) -> str:
    """Millionths of a dollar as $x.xx (rounded down to the cent for display)."""
    if value in (None, ""):
        return ""
    return f"${(Decimal(value) / 10**6).quantize(Decimal('0.01'), rounding=ROUND_DOWN):,}"
