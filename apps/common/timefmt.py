from datetime import UTC, datetime


def iso_z(value: datetime | None) -> str | None:
    """RFC 3339 UTC with a trailing Z, as docs/protocol.md requires."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
