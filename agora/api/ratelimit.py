"""Rate limits shared across processes through the cache (Redis in production and tests).

django-ratelimit counts in fixed windows; get_usage tells how long until the window ends,
which becomes Retry-After.
"""
import structlog
from django.conf import settings
from django_ratelimit.core import get_usage

from .errors import RateLimited

log = structlog.get_logger(__name__)


def usage_or_none(request, *, group: str, key, per_minute: int) -> dict | None:
    """The window's usage, or None when the shared cache is unreachable: limits fail open (the
    request is served and the failure logged; /readyz reports Redis down) rather than turning
    every request into a 500."""
    try:
        return get_usage(request, group=group, key=key, rate=f"{per_minute}/m", increment=True)
    except Exception as exc:  # redis-py and django-redis raise several connection error types
        log.warning("ratelimit_cache_unavailable", group=group, error=type(exc).__name__)
        return None


def enforce(request, *, group: str, key, per_minute: int) -> None:
    if per_minute <= 0:
        return
    usage = usage_or_none(request, group=group, key=key, per_minute=per_minute)
    if usage and usage["should_limit"]:
        raise RateLimited(usage["time_left"])


def enforce_auth_ip(request) -> None:
    enforce(request, group="auth-ip", key="ip", per_minute=settings.AGORA_AUTH_RATE_LIMIT_PER_MIN)


def enforce_write_address(request) -> None:
    address = request.user.address
    enforce(request, group="write-address", key=lambda _g, _r: address,
            per_minute=settings.AGORA_WRITE_RATE_LIMIT_PER_MIN)
