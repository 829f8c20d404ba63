"""Opaque keyset cursors (created_at, id) for stable, newest-first (or oldest-first) lists."""
import base64
import json
import uuid
from datetime import datetime

from . import jsonsafe
from .errors import InvalidInput


def encode_cursor(created_at: datetime, pk) -> str:
    payload = json.dumps([created_at.isoformat(), str(pk)]).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def decode_cursor(raw: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        created, pk = jsonsafe.loads(base64.urlsafe_b64decode(padded.encode()), max_depth=1)
        return datetime.fromisoformat(created), uuid.UUID(pk)
    except Exception:
        raise InvalidInput("cursor is not valid; use next_cursor from a previous page", code="invalid_cursor") from None
