"""/metrics for the Prometheus scraper only: from an allowed address, or with the bearer token.

The page names every route, the indexer's state and the process's resources: nothing for the
public. AGORA_METRICS_ALLOWED_IPS (addresses or networks; the client IP is the one the rate
limits use, apps/common/api/clientip.py) or `Authorization: Bearer <AGORA_METRICS_TOKEN>`.
"""
import hmac
import ipaddress

from django.conf import settings

from agora.metrics import metrics as metrics_export
from apps.common.api.clientip import client_ip
from apps.common.api.errors import error_response


def metrics(request):
    if not (_token_ok(request) or _ip_allowed(client_ip(request))):
        return error_response("metrics are served to the configured scraper only", "forbidden", 403)
    return metrics_export(request)


def _token_ok(request) -> bool:
    token = settings.AGORA_METRICS_TOKEN
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _ip_allowed(ip: str) -> bool:
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.AGORA_METRICS_ALLOWED_IPS)))


def _networks(entries: tuple) -> list:
    return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip()]
