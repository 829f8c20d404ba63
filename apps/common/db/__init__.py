"""Database helpers for the hot paths.

`prepared_cursor()`: Django binds parameters on the client, so PostgreSQL parses and plans every
statement again. For the session lookup (a four-table join) planning cost five times the execution:
about 390 us of database CPU per request against 70 us once prepared (bench/api.py, docs/architecture.md
"Performance"). The few hand-written statements that run on nearly every request use this cursor; the
ORM keeps Django's default (no prepared statements). Behind PgBouncer in transaction mode this needs
PgBouncer >= 1.21 with max_prepared_statements set; AGORA_DB_PREPARED_STATEMENTS=false turns it off.
"""
from django.conf import settings
from django.db import connection


def prepared_cursor():
    """Like connection.cursor(), with server-side parameters (psycopg prepares repeated statements).
    Falls back to a plain cursor on a backend without it."""
    make = getattr(connection, "prepared_cursor", None)
    if make is None or not settings.AGORA_DB_PREPARED_STATEMENTS:
        return connection.cursor()
    return make()
