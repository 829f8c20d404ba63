from django.utils import timezone

from apps.agents.selectors import EligibilityFacts, eligibility_facts_from_row, eligibility_joins
from apps.common.db import prepared_cursor

from .models import AgentSession, KnownWallet


def session_get_active_with_facts(*, token_hash: str) -> tuple[AgentSession, EligibilityFacts] | None:
    """The active session for a token, and its address's eligibility facts, in one query: every
    authenticated request reads the session, and the busiest ones (votes, submissions) then need the
    facts for their gates. Hand-written: compiling the ORM's version cost more than the query."""
    columns, joins = eligibility_joins("s")
    with prepared_cursor() as cur:
        cur.execute(f"SELECT s.id, s.address, {columns} FROM {AgentSession._meta.db_table} s {joins} "
                    "WHERE s.token_hash = %s AND s.revoked_at IS NULL AND s.expires_at > %s",
                    [token_hash, timezone.now()])
        row = cur.fetchone()
    if row is None:
        return None
    session_id, address, *facts = row
    return AgentSession(id=session_id, address=address), eligibility_facts_from_row(*facts)


def session_counts() -> dict:
    active = AgentSession.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    return {"active_sessions": active.count()}


def known_wallet_count() -> int:
    """Distinct wallets that ever signed in (GET /api/v1/stats users_total)."""
    return KnownWallet.objects.count()


def session_list(*, address: str, limit: int = 50):
    """A wallet's bearer sessions, newest first, for its account page (active and ended)."""
    return AgentSession.objects.filter(address=address).order_by("-created_at", "-id")[:limit]
