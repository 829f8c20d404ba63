"""Liveness and readiness for the reverse proxy and the orchestrator.

Readiness answers "should the proxy send this node traffic?". PostgreSQL is the source of truth:
without it no request can be served, so a failed database check answers 503. Redis is not: rate
limits fail open and topic lists fall back to the database when it is unreachable, so a Redis blip
must not pull every web node out of the proxy at once. Redis down is reported in the body
(`status: degraded`) with 200; alerting on it is the metrics' and logs' job (docs/monitoring.md).
"""
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse, JsonResponse

# The checks whose failure makes the node unready; any other failed check only degrades it.
REQUIRED = ("database",)


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def readyz(request):
    checks = {}
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"failed: {type(exc).__name__}"
    if settings.REDIS_URL:
        try:
            cache.set("readyz", "1", 5)
            checks["redis"] = "ok" if cache.get("readyz") == "1" else "failed: no echo"
        except Exception as exc:
            checks["redis"] = f"failed: {type(exc).__name__}"
    failed = [name for name, state in checks.items() if state != "ok"]
    unready = [name for name in failed if name in REQUIRED]
    body = {"status": "unavailable" if unready else "degraded" if failed else "ok", "checks": checks}
    if unready:
        body["detail"] = f"{', '.join(unready)} check failed"
        body["code"] = "not_ready"
    elif failed:
        body["detail"] = f"{', '.join(failed)} check failed; serving without it"
    return JsonResponse(body, status=503 if unready else 200)
