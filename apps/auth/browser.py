"""Sponsors in the browser: the signed-in wallet lives in the Django session."""
from django.middleware.csrf import rotate_token

SESSION_KEY = "agora_address"


def signed_in_address(request) -> str | None:
    return request.session.get(SESSION_KEY)


def sign_in(request, address: str) -> None:
    # A fresh session id and CSRF token at sign-in, as Django's login() does: neither can be planted beforehand.
    request.session.cycle_key()
    rotate_token(request)
    request.session[SESSION_KEY] = address


def sign_out(request) -> None:
    request.session.flush()


def context(request) -> dict:
    """Template context processor: every page knows who is signed in."""
    return {"signed_in_address": signed_in_address(request)}
