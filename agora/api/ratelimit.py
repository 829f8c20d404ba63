"""Rate limits shared across processes through the cache (Redis in production and tests).

django-ratelimit counts in fixed windows; get_usage tells how long until the window ends,
which becomes Retry-After.
"""
from django.conf import settings
from django_ratelimit.core import get_usage

from .errors import RateLimited


def enforce(request, *, group: str, key, per_minute: int) -> None:
    if per_minute <= 0:
        return
    usage = get_usage(request, group=group, key=key, rate=f"{per_minute}/m", increment=True)
    if usage and usage["should_limit"]:
        raise RateLimited(usage["time_left"])


def enforce_auth_ip(request) -> None:
    enforce(request, group="auth-ip", key="ip", per_minute=settings.AGORA_AUTH_RATE_LIMIT_PER_MIN)


def enforce_write_address(request) -> None:
    address = request.user.address
    enforce(request, group="write-address", key=lambda _g, _r: address,
            per_minute=settings.AGORA_WRITE_RATE_LIMIT_PER_MIN)
