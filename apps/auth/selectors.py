from django.utils import timezone

from .models import AgentSession


def session_get_active(*, token_hash: str) -> AgentSession | None:
    return AgentSession.objects.filter(
        token_hash=token_hash, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).only("id", "address").first()


def session_counts() -> dict:
    active = AgentSession.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    return {"active_sessions": active.count()}
