"""The sponsor pages' sign-in (/auth/verify): a Django session cookie instead of a bearer token."""
import pytest
from django.test import Client
from eth_account import Account

from apps.auth.browser import SESSION_KEY
from tests.conftest import sign

pytestmark = pytest.mark.django_db


def test_signing_in_rotates_the_session_and_the_csrf_token(api):
    account = Account.create()
    browser = Client(enforce_csrf_checks=True)
    browser.get("/")
    old_csrf, old_session = browser.cookies["csrftoken"].value, browser.session.session_key
    challenge = api.post("/api/v1/agents/auth/challenge", {"address": account.address}, format="json").json()
    response = browser.post("/auth/verify", {"address": account.address, "nonce": challenge["nonce"],
                                             "signature": sign(account, challenge["message_to_sign"])},
                            content_type="application/json", HTTP_X_CSRFTOKEN=old_csrf)
    assert response.status_code == 200, response.content
    assert browser.session[SESSION_KEY] == account.address.lower()
    assert browser.session.session_key != old_session
    new_csrf = browser.cookies["csrftoken"].value
    assert new_csrf != old_csrf
    # A token learnt before sign-in (e.g. planted by someone else) no longer passes.
    assert browser.post("/auth/logout", HTTP_X_CSRFTOKEN=old_csrf).status_code == 403
    assert browser.post("/auth/logout", HTTP_X_CSRFTOKEN=new_csrf).status_code == 302
