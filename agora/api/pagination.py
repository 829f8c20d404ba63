"""Limit parsing and opaque keyset cursors (created_at, id) for stable, newest-first lists."""
import base64
import json
import uuid
from datetime import datetime

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


def encode_cursor(created_at: datetime, pk) -> str:
    payload = json.dumps([created_at.isoformat(), str(pk)]).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(raw: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        created, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        return datetime.fromisoformat(created), uuid.UUID(pk)
    except Exception:
        raise InvalidInput("cursor is not valid; use next_cursor from a previous page", code="invalid_cursor") from None
