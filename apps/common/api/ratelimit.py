"""Rate limits shared across processes through the cache (Redis in production and tests).

All limits count requests in fixed one-minute windows; the seconds left in the window become
Retry-After. The per-IP auth limit and the per-address write limit use django-ratelimit. The
global per-IP ceiling runs on every API request, so it counts with one pipelined
INCR + EXPIRE round trip instead of django-ratelimit's add-then-incr (two).
When the cache is unreachable, every limit fails open: the request is served, the failure logged
(`ratelimit_cache_unavailable`) and counted (`agora_ratelimit_fail_open_total{group}`), and /readyz
reports Redis as degraded without failing, rather than turning every request into a 500.
"""
import time
from dataclasses import dataclass

import structlog
from django.conf import settings
from django.core.cache import caches
from django_ratelimit.core import get_usage
from prometheus_client import Counter

from apps.common.api.clientip import client_network
from apps.common.shared_cache import shared_cache

from .errors import RateLimited

log = structlog.get_logger(__name__)
WINDOW_SECONDS = 60
FAIL_OPEN = Counter("agora_ratelimit_fail_open_total",
                    "Requests served without a rate-limit check because the shared cache was unreachable",
                    ["group"])


def _failed_open(group: str, exc: Exception) -> None:
    log.warning("ratelimit_cache_unavailable", group=group, error=type(exc).__name__)
    FAIL_OPEN.labels(group).inc()


@dataclass(frozen=True)
class Usage:
    limited: bool
    retry_after: int


def usage_or_none(request, *, group: str, key, per_minute: int) -> Usage | None:
    try:
        usage = get_usage(request, group=group, key=key, rate=f"{per_minute}/m", increment=True)
    except Exception as exc:  # redis-py and django-redis raise several connection error types
        _failed_open(group, exc)
        return None
    return Usage(usage["should_limit"], max(1, usage["time_left"]))


def global_usage_or_none(request, per_minute: int) -> Usage | None:
    now = int(time.time())
    window_start = now - now % WINDOW_SECONDS
    key = f"rl:global-ip:{client_network(request)}:{window_start}"
    try:
        count = _count_hit(key)
    except Exception as exc:
        _failed_open("global-ip", exc)
        return None
    return Usage(count > per_minute, max(1, window_start + WINDOW_SECONDS - now))


def _count_hit(key: str) -> int:
    cache = shared_cache()
    if cache is None:  # make run's local cache: one process, so the cache API is enough
        local = caches["default"]
        local.add(key, 0, WINDOW_SECONDS + 5)
        return local.incr(key)
    pipe = cache.client.get_client(write=True).pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, WINDOW_SECONDS + 5, nx=True)  # only the window's first hit sets the expiry
    return pipe.execute()[0]


def enforce(request, *, group: str, key, per_minute: int) -> None:
    if per_minute <= 0:
        return
    usage = usage_or_none(request, group=group, key=key, per_minute=per_minute)
    if usage and usage.limited:
        raise RateLimited(usage.retry_after)


def enforce_auth_ip(request) -> None:
    enforce(request, group="auth-ip", key="ip", per_minute=settings.AGORA_AUTH_RATE_LIMIT_PER_MIN)


def enforce_write_address(request) -> None:
    enforce_write_for(request, request.user.address)


def enforce_write_for(request, address: str) -> None:
    """Per-address writes, shared by the API (bearer) and the sponsor pages (session cookie)."""
    enforce(request, group="write-address", key=lambda _g, _r: address,
            per_minute=settings.AGORA_WRITE_RATE_LIMIT_PER_MIN)
