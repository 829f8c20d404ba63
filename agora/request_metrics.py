"""Request metrics for /metrics: one histogram of durations by method, route and status.

Why not django-prometheus's middleware pair: it updates about a dozen labelled metrics per
request, 12% of a topic-detail request's CPU instructions under callgrind; this records one.
django-prometheus still serves /metrics, with the process and indexer metrics.

The console's dashboard also wants "how many 5xx and 429 lately" without a Prometheus server: those
responses (and only those, so the usual request costs nothing more) bump a per-minute counter in the
shared cache (Redis), summed over the last hour across every worker by recent_status_counts().
"""
import time

from django.core.cache import cache
from prometheus_client import Histogram

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

REQUEST_SECONDS = Histogram(
    "agora_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by method, URL route and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


STATUS_WINDOW_MINUTES = 60
_COUNTER_TTL = (STATUS_WINDOW_MINUTES + 5) * 60


def _status_key(kind: str, minute: int) -> str:
    return f"agora:http-status:{kind}:{minute}"


def status_count(status: int) -> None:
    kind = "5xx" if status >= 500 else "429" if status == 429 else None
    if kind is None:
        return
    key = _status_key(kind, int(time.time() // 60))
    try:
        cache.add(key, 0, timeout=_COUNTER_TTL)
        cache.incr(key)
    except Exception:  # noqa: BLE001 - a failing Redis must not turn a 429 into a 500; the count is a hint
        pass


def recent_status_counts() -> dict:
    """{"5xx": n, "429": n} over the last STATUS_WINDOW_MINUTES; None values when the cache is down."""
    now = int(time.time() // 60)
    counts = {}
    for kind in ("5xx", "429"):
        keys = [_status_key(kind, now - i) for i in range(STATUS_WINDOW_MINUTES)]
        try:
            counts[kind] = sum(cache.get_many(keys).values())
        except Exception:  # noqa: BLE001 - the dashboard shows "?" rather than failing
            counts[kind] = None
    return counts


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # The route pattern, not the path, so topic ids don't multiply the series.
        route = match.route if match is not None else "unmatched"
        method = request.method if request.method in _METHODS else "other"
        REQUEST_SECONDS.labels(method, route, str(response.status_code)).observe(time.perf_counter() - started)
        if response.status_code >= 500 or response.status_code == 429:
            status_count(response.status_code)
        return response
