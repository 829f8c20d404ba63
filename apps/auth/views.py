from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from apps.common import jsonsafe
from apps.common.api.errors import RateLimited, application_error_response, error_response
from apps.common.api.ratelimit import enforce_auth_ip
from apps.common.errors import ApplicationError

from . import browser, services


@require_POST
def browser_verify(request):
    """The page's wallet script posts {address, signature, nonce} here (CSRF header required)."""
    try:
        enforce_auth_ip(request)
        body = jsonsafe.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError
        address = services.challenge_consume(address=body.get("address"), signature=body.get("signature"),
                                             nonce=body.get("nonce") or None)
    except ApplicationError as exc:
        return application_error_response(exc)
    except RateLimited as exc:
        return error_response(exc.detail, "rate_limited", 429, headers={"Retry-After": str(exc.retry_after)})
    except ValueError:
        return error_response("the body must be a JSON object", "invalid_body", 400)
    browser.sign_in(request, address)
    return JsonResponse({"address": address})


@require_POST
def browser_logout(request):
    browser.sign_out(request)
    return redirect("home")
