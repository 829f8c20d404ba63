import re
import uuid

import structlog
from django.conf import settings

from apps.common.api.clientip import client_ip
from apps.common.api.errors import error_response
from apps.common.api.ratelimit import (
    defer_global,
    global_deferrable,
    global_deferred,
    global_usage_or_none,
    take_global_deferred,
)

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Honour a sane incoming X-Request-ID (or make one) and echo it on the response. Also binds
    the client IP for the logs: the same one the rate limits count (apps/common/api/clientip.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else str(uuid.uuid4())
        request.META["HTTP_X_REQUEST_ID"] = request_id
        structlog.contextvars.bind_contextvars(ip=client_ip(request))
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class GlobalRateLimitMiddleware:
    """A per-IP ceiling on the API (AGORA_RATE_LIMIT_PER_MIN), before any view runs; for a bearer
    write to a view marked @write_limited, counted with the view's write limit in one round trip
    (apps/common/api/ratelimit.py explains when)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        per_minute = settings.AGORA_RATE_LIMIT_PER_MIN
        if per_minute <= 0 or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not global_deferrable(request):
            refused = self._limited(request, per_minute)
            return refused if refused is not None else self.get_response(request)
        defer_global(request)
        response = self.get_response(request)
        # Still pending: refused before its write limit ran (or no view matched). Nothing was done.
        if take_global_deferred(request):
            refused = self._limited(request, per_minute)
            return refused if refused is not None else response
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        view_class = getattr(view_func, "view_class", None)
        if global_deferred(request) and not getattr(view_class, "agora_write_limited", False):
            take_global_deferred(request)  # this view counts nothing itself: count before it runs
            return self._limited(request, settings.AGORA_RATE_LIMIT_PER_MIN)
        return None

    @staticmethod
    def _limited(request, per_minute: int):
        usage = global_usage_or_none(request, per_minute)
        if usage and usage.limited:
            retry = str(usage.retry_after)
            return error_response(f"Too many requests; retry after {retry} s.", "rate_limited", 429,
                                  headers={"Retry-After": retry})
        return None


class BodySizeLimitMiddleware:
    """Answer 413 in the API's error shape before anything (metrics included) reads the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH", "")
        limit = settings.AGORA_MAX_BODY_BYTES
        if length.isdigit() and int(length) > limit:
            return error_response(f"Request body is larger than {limit} bytes.", "payload_too_large", 413)
        return self.get_response(request)
