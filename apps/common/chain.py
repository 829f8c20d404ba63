"""Address, hash and money helpers. Addresses are stored lowercase; money in integer base units."""
import re
from decimal import Decimal, InvalidOperation

from .errors import InvalidInput

ADDRESS_PATTERN = r"^0x[0-9a-fA-F]{40}$"  # as stated in openapi.yaml
_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
USDC_DECIMALS = 6
USDC_UNIT = 10**USDC_DECIMALS
# Far above any real bounty; keeps values inside BIGINT and JSON-safe integers.
MAX_USDC_UNITS = 10**15
MAX_USDC = MAX_USDC_UNITS // USDC_UNIT


def is_address(value) -> bool:
    # fullmatch: `$` in re.match would also accept a trailing newline
    return isinstance(value, str) and bool(_ADDRESS.fullmatch(value))


def normalize_address(value, *, field: str = "address") -> str:
    """Accept any case or EIP-55 checksum; return lowercase. Anything else is a 400."""
    if not is_address(value):
        raise InvalidInput(f"{field} must be 0x followed by 40 hex characters", code="invalid_address")
    return value.lower()



def usdc_to_units(value, *, field: str = "amount") -> int:
    """Exact conversion of a USDC amount (number or numeric string) to 6-decimal base units."""
    if isinstance(value, bool):
        raise InvalidInput(f"{field} must be a number", code="invalid_amount")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{field} must be a number", code="invalid_amount") from None
    if not amount.is_finite():
        raise InvalidInput(f"{field} must be a finite number", code="invalid_amount")
    if amount < 0:
        raise InvalidInput(f"{field} must be >= 0", code="invalid_amount")
    # Checked before any arithmetic: 1e999999999 * 10**6 overflows the decimal context (a 500), and
    # 1e-999999999 * 10**6 underflows to 0 (a silent zero). Comparisons are exact at any exponent.
    if amount > MAX_USDC:
        raise InvalidInput(f"{field} is too large", code="invalid_amount")
    if _decimal_places(amount) > USDC_DECIMALS:
        raise InvalidInput(f"{field} has more than {USDC_DECIMALS} decimal places", code="invalid_amount")
    return int(amount * USDC_UNIT)  # at most 16 significant digits now: exact


def _decimal_places(amount: Decimal) -> int:
    """Places after the point, trailing zeros ignored, read from the digits (no context, no rounding)."""
    _, digits, exponent = amount.as_tuple()
    significant = "".join(map(str, digits)).rstrip("0")
    if not significant:
        return 0
    return max(0, -(exponent + len(digits) - len(significant)))


def units_to_usdc(units: int) -> Decimal:
    return (Decimal(units) / USDC_UNIT).normalize() if units else Decimal(0)
