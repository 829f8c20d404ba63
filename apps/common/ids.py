import uuid

from .errors import InvalidInput


def as_uuid(value, *, field: str = "id") -> uuid.UUID:
    """A UUID from a UUID or its string form; anything else is a 400 naming the field."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput(f"{field} must be a UUID", code="invalid_uuid") from None
