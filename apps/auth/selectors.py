from django.utils import timezone

from .models import AgentSession, KnownWallet


def session_get_active(*, token_hash: str) -> AgentSession | None:
    return AgentSession.objects.filter(
        token_hash=token_hash, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).only("id", "address").first()


def session_counts() -> dict:
    active = AgentSession.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    return {"active_sessions": active.count()}


def known_wallet_count() -> int:
    """Distinct wallets that ever signed in (GET /api/v1/stats users_total)."""
    return KnownWallet.objects.count()


def session_list(*, address: str, limit: int = 50):
    """A wallet's bearer sessions, newest first, for its account page (active and ended)."""
    return AgentSession.objects.filter(address=address).order_by("-created_at", "-id")[:limit]
