"""Rate limits shared across processes through the cache (Redis in production and tests).

All limits count requests in fixed one-minute windows; the seconds left in the window become
Retry-After. The per-IP auth limit uses django-ratelimit. The global per-IP ceiling runs on every
API request and the per-address write limit on every write, so they count with pipelined
INCR + EXPIRE instead of django-ratelimit's add-then-incr (two round trips each): one round trip
for any number of keys (`_keys_*` compute the keys, `_count_hits` counts them).

A write with a bearer token pays one round trip for both limits: the middleware leaves its global
hit to the view (`defer_global`) when the view is marked `@write_limited` (its unsafe methods call
enforce_write_address before anything else), and enforce_write_address counts both keys together.
If such a request is refused before it gets there (a bad token, a bad body), the middleware counts
the hit afterwards and answers 429 if it was over the ceiling; every other request is counted before
its view runs, as before.
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


def _window(now: int) -> tuple[int, int]:
    """(start of the current one-minute window, seconds left in it: the Retry-After)."""
    start = now - now % WINDOW_SECONDS
    return start, max(1, start + WINDOW_SECONDS - now)


def _key_global(request, window_start: int) -> str:
    return f"rl:global-ip:{client_network(request)}:{window_start}"  # an IPv6 client by its /64


def _key_write(address: str, window_start: int) -> str:
    return f"rl:write-address:{address}:{window_start}"


def _count_hits(keys: list[str]) -> list[int]:
    """Count one hit on each key, in one round trip; returns the counts in the window so far."""
    cache = shared_cache()
    if cache is None:  # make run's local cache: one process, so the cache API is enough
        local = caches["default"]
        counts = []
        for key in keys:
            local.add(key, 0, WINDOW_SECONDS + 5)
            counts.append(local.incr(key))
        return counts
    pipe = cache.client.get_client(write=True).pipeline(transaction=False)
    for key in keys:
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS + 5, nx=True)  # only the window's first hit sets the expiry
    return pipe.execute()[::2]


def _counted(keys: list[str], groups: list[str]) -> list[int] | None:
    """The counts, or None when the cache is down: then each limit in `groups` is skipped and counted."""
    try:
        return _count_hits(keys)
    except Exception as exc:  # redis-py and django-redis raise several connection error types
        for group in groups:
            _failed_open(group, exc)
        return None


def global_usage_or_none(request, per_minute: int) -> Usage | None:
    window_start, retry_after = _window(int(time.time()))
    counts = _counted([_key_global(request, window_start)], ["global-ip"])
    return None if counts is None else Usage(counts[0] > per_minute, retry_after)


# --- the global hit of a bearer write, counted with its write limit --------------------------------

_DEFERRED = "_agora_global_rate_deferred"


def write_limited(view_class):
    """Marks an API view whose unsafe methods all start with enforce_write_address(request): for
    those, the global per-IP hit is counted in the same round trip as the per-address one."""
    view_class.agora_write_limited = True
    return view_class


def global_deferrable(request) -> bool:
    """A write with a bearer token: its global hit may wait for the view's write limit."""
    return (request.method not in ("GET", "HEAD", "OPTIONS")
            and request.META.get("HTTP_AUTHORIZATION", "")[:7].lower() == "bearer ")


def defer_global(request) -> None:
    setattr(request, _DEFERRED, True)


def global_deferred(request) -> bool:
    return getattr(request, _DEFERRED, False)


def take_global_deferred(request) -> bool:
    """True (once) if this request's global hit is still to be counted."""
    http_request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    if getattr(http_request, _DEFERRED, False):
        setattr(http_request, _DEFERRED, False)
        return True
    return False


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
    """The per-address write limit, and the global per-IP hit if the middleware left it to us."""
    per_minute, global_per_minute = settings.AGORA_WRITE_RATE_LIMIT_PER_MIN, settings.AGORA_RATE_LIMIT_PER_MIN
    window_start, retry_after = _window(int(time.time()))
    keys, limits, groups = [], [], []
    if take_global_deferred(request) and global_per_minute > 0:
        keys.append(_key_global(request, window_start))
        limits.append(global_per_minute)
        groups.append("global-ip")
    if per_minute > 0:
        keys.append(_key_write(address, window_start))
        limits.append(per_minute)
        groups.append("write-address")
    if not keys:
        return
    counts = _counted(keys, groups)
    if counts and any(count > limit for count, limit in zip(counts, limits, strict=True)):
        raise RateLimited(retry_after)
