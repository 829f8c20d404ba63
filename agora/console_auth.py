"""The console's wallet sign-in: the login page's "Sign in with wallet" button (wallet.js) posts the
signed EIP-4361 challenge here; an operator address gets a Django admin session."""
from django.contrib.auth import login, logout
from django.http import JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from apps.common import jsonsafe
from apps.common.api.errors import RateLimited, application_error_response, error_response
from apps.common.api.ratelimit import enforce_auth_ip
from apps.common.errors import ApplicationError
from apps.slashing.operator_signin import is_operator_address, is_wallet_operator, operator_wallet_sign_in

# Marks a session opened by wallet sign-in, so the check below costs no query on other requests.
SESSION_KEY = "agora_operator_wallet"


@require_POST
def wallet_login(request):
    try:
        enforce_auth_ip(request)
        body = jsonsafe.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError
        user = operator_wallet_sign_in(address=body.get("address"), signature=body.get("signature"),
                                       nonce=body.get("nonce") or None)
    except ApplicationError as exc:
        return application_error_response(exc)
    except RateLimited as exc:
        return error_response(exc.detail, "rate_limited", 429, headers={"Retry-After": str(exc.retry_after)})
    except ValueError:
        return error_response("the body must be a JSON object", "invalid_body", 400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = user.get_username()
    target = body.get("next")
    if not (isinstance(target, str) and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure())):
        target = reverse("admin:index")
    return JsonResponse({"address": user.get_username(), "redirect": target})


def still_operator(user) -> bool:
    """False for a wallet-made account whose address left AGORA_OPERATOR_ADDRESSES."""
    return not is_wallet_operator(user) or is_operator_address(user.get_username())


class OperatorWalletAccessMiddleware:
    """Removing an address from AGORA_OPERATOR_ADDRESSES ends its console session at the next request
    (the admin site refuses such an account too: AgoraAdminSite.has_permission)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        address = request.session.get(SESSION_KEY)
        if address and not is_operator_address(address):
            logout(request)
        return self.get_response(request)
