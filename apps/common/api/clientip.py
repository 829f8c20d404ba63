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


def client_network(request) -> str:
    """The client as the per-IP rate limits count it: an IPv4 address, or the /64 of an IPv6 one. An
    IPv6 client is typically given a whole /64, so counting single addresses would give it 2^64
    separate budgets. (django-ratelimit's "ip" key applies the same mask: RATELIMIT_IPV6_MASK.)"""
    ip = client_ip(request)
    if ":" not in ip:
        return ip
    try:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    except ValueError:
        return ip


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
