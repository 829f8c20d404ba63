"""The client's IP, as the rate limits and the logs see it.

Behind N trusted reverse proxies (AGORA_TRUSTED_PROXY_COUNT), the client is the N-th address
from the right of X-Forwarded-For: each proxy appends the peer it saw, so entries further left
were written by the client and can be forged. With no proxy configured, REMOTE_ADDR is used
and X-Forwarded-For is ignored.
"""
import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    cached = getattr(request, "_agora_client_ip", None)
    if cached is None:
        cached = request._agora_client_ip = _resolve(request.META)
    return cached


def _resolve(meta) -> str:
    hops = settings.AGORA_TRUSTED_PROXY_COUNT
    if hops > 0:
        chain = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(chain) >= hops and _is_ip(chain[-hops]):
            return chain[-hops]
    return meta.get("REMOTE_ADDR") or "unknown"


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
