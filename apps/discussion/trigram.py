"""pg_trgm, where the database lets us have it.

The near-match fallback for short queries (search.py) uses a trigram GIN index on the search
documents' `head`. Installing pg_trgm needs CREATE on the database (it is a trusted extension
since PostgreSQL 13) and the extension files on the server; when either is missing, the
migration carries on without the index and search falls back to prefix matching instead.
`manage.py search_trigram` retries later (e.g. after a DBA installed the extension).
"""
from functools import cache

import structlog
from django.db import DatabaseError, connection, transaction

log = structlog.get_logger(__name__)
INDEX = "search_doc_head_trgm"


def trigram_install(conn=connection) -> bool:
    """Create pg_trgm (if allowed) and the index; False, with the database untouched, when refused."""
    try:
        # A savepoint: when refused, the caller's transaction (the migration's) stays usable.
        with transaction.atomic(using=conn.alias), conn.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cur.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON discussion_searchdocument "
                        "USING gin (head gin_trgm_ops)")
    except DatabaseError as exc:
        log.warning("pg_trgm_unavailable", error=str(exc).strip().splitlines()[0])
        return False
    trigram_available.cache_clear()
    return True


@cache
def trigram_available() -> bool:
    """Whether the trigram index exists (which implies the extension). Read once per process."""
    with connection.cursor() as cur:
        cur.execute("SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = %s)", [INDEX])
        return cur.fetchone()[0]
