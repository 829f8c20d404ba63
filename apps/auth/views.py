import json

from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from agora.api.errors import RateLimited
from agora.api.ratelimit import enforce_auth_ip
from apps.common.errors import ApplicationError

from . import browser, services


@require_POST
def browser_verify(request):
    """The page's wallet script posts {address, signature, nonce} here (CSRF header required)."""
    try:
        enforce_auth_ip(request)
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError
        address = services.challenge_consume(address=body.get("address"), signature=body.get("signature"),
                                             nonce=body.get("nonce") or None)
    except ApplicationError as exc:
        return JsonResponse({"detail": exc.detail, "code": exc.code}, status=exc.status_code)
    except RateLimited as exc:
        response = JsonResponse({"detail": str(exc.detail), "code": "rate_limited"}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except ValueError:
        return JsonResponse({"detail": "the body must be a JSON object", "code": "invalid_body"}, status=400)
    browser.sign_in(request, address)
    return JsonResponse({"address": address})


@require_POST
def browser_logout(request):
    browser.sign_out(request)
    return redirect("home")
