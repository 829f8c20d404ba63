"""Address, hash and money helpers. Addresses are stored lowercase; money in integer base units."""
import re
from decimal import Decimal, InvalidOperation

from .errors import InvalidInput

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
USDC_DECIMALS = 6
USDC_UNIT = 10**USDC_DECIMALS
# Far above any real bounty; keeps values inside BIGINT and JSON-safe integers.
MAX_USDC_UNITS = 10**15


def is_address(value) -> bool:
    return isinstance(value, str) and bool(_ADDRESS.match(value))


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
    units = amount * USDC_UNIT
    if units != units.to_integral_value():
        raise InvalidInput(f"{field} has more than {USDC_DECIMALS} decimal places", code="invalid_amount")
    if units > MAX_USDC_UNITS:
        raise InvalidInput(f"{field} is too large", code="invalid_amount")
    return int(units)


def units_to_usdc(units: int) -> Decimal:
    return (Decimal(units) / USDC_UNIT).normalize() if units else Decimal(0)
