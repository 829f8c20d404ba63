"""The `limit` query parameter every list endpoint accepts."""
from apps.common.errors import InvalidInput

DEFAULT_LIMIT = 20
MAX_LIMIT = 200


def parse_limit(raw, *, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise InvalidInput("limit must be an integer", code="invalid_limit") from None
    if value < 1 or value > maximum:
        raise InvalidInput(f"limit must be between 1 and {maximum}", code="invalid_limit")
    return value
