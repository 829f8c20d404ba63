"""Operators sign in to /admin/ with their wallet (the HTTP contract; the browser test drives the button)."""
import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from eth_account import Account

from apps.common.models import AuditEntry
from apps.slashing.models import OperatorWallet
from apps.slashing.operator_signin import OPERATORS_GROUP
from apps.slashing.operators import operator_from_user
from tests.conftest import sign

pytestmark = pytest.mark.django_db


def _wallet_login(client, account, *, next_url=None):
    challenge = client.post("/api/v1/agents/auth/challenge", {"address": account.address},
                            content_type="application/json").json()
    body = {"address": account.address, "signature": sign(account, challenge["message_to_sign"]),
            "nonce": challenge["nonce"]}
    if next_url is not None:
        body["next"] = next_url
    return client.post("/admin/wallet-login", json.dumps(body), content_type="application/json")


@pytest.fixture
def operator_account(settings):
    account = Account.create()
    settings.AGORA_OPERATOR_ADDRESSES = [account.address.lower()]
    return account


def test_operator_address_lands_as_staff_in_the_operators_group(client, operator_account):
    response = _wallet_login(client, operator_account, next_url="/admin/jobs/job/")
    assert response.status_code == 200, response.content
    assert response.json()["redirect"] == "/admin/jobs/job/"
    address = operator_account.address.lower()
    user = User.objects.get(username=address)
    assert user.is_staff and not user.is_superuser and not user.has_usable_password()
    assert list(user.groups.values_list("name", flat=True)) == [OPERATORS_GROUP]
    assert OperatorWallet.objects.get(user=user).address == address
    assert operator_from_user(user).identity == address
    assert AuditEntry.objects.filter(action="operator_sign_in", actor=address, subject=f"user:{user.pk}").exists()
    assert client.get("/admin/").status_code == 200
    # A second sign-in reuses the account.
    client.logout()
    assert _wallet_login(client, operator_account).json()["redirect"] == "/admin/"
    assert User.objects.filter(username=address).count() == 1


def test_an_offsite_next_is_ignored(client, operator_account):
    assert _wallet_login(client, operator_account, next_url="https://evil.example/").json()["redirect"] == "/admin/"


def test_non_operator_address_is_refused(client, operator_account):
    stranger = Account.create()
    response = _wallet_login(client, stranger)
    assert response.status_code == 403 and response.json()["code"] == "not_operator"
    assert not User.objects.filter(username=stranger.address.lower()).exists()
    assert AuditEntry.objects.filter(action="operator_sign_in_refused", actor=stranger.address.lower()).exists()
    assert client.get("/admin/").status_code == 302  # to the login page


def test_a_bad_signature_is_refused_before_the_operator_check(client, operator_account):
    client.post("/api/v1/agents/auth/challenge", {"address": operator_account.address}, content_type="application/json")
    body = {"address": operator_account.address, "signature": sign(Account.create(), "something else")}
    response = client.post("/admin/wallet-login", json.dumps(body), content_type="application/json")
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"
    assert not User.objects.filter(username=operator_account.address.lower()).exists()


def test_removing_the_address_removes_access_at_the_next_request(client, operator_account, settings):
    assert _wallet_login(client, operator_account).status_code == 200
    assert client.get("/admin/").status_code == 200
    settings.AGORA_OPERATOR_ADDRESSES = []
    assert client.get("/admin/").status_code == 302
    settings.AGORA_OPERATOR_ADDRESSES = [operator_account.address.lower()]
    assert client.get("/admin/").status_code == 302  # the session was ended, not just refused


def test_admin_site_refuses_a_wallet_account_whose_address_left_the_setting(client, operator_account, settings):
    """Even without the session marker (e.g. a session from before the middleware), has_permission refuses."""
    _wallet_login(client, operator_account)
    user = User.objects.get(username=operator_account.address.lower())
    other = type(client)()
    other.force_login(user)
    settings.AGORA_OPERATOR_ADDRESSES = []
    assert other.get("/admin/").status_code == 302


def test_a_deactivated_operator_account_stays_out(client, operator_account):
    _wallet_login(client, operator_account)
    User.objects.filter(username=operator_account.address.lower()).update(is_active=False)
    client.logout()
    response = _wallet_login(client, operator_account)
    assert response.status_code == 403 and response.json()["code"] == "operator_inactive"


def test_operators_get_every_action_except_the_superuser_ones(rf, client, operator_account):
    _wallet_login(client, operator_account)
    request = rf.get("/admin/")
    request.user = User.objects.get(username=operator_account.address.lower())
    missing = []
    for model, model_admin in admin.site._registry.items():
        if not model._meta.app_label.startswith(("agents", "agora_auth", "jobs", "onchain", "slashing", "treasury")):
            continue
        assert model_admin.has_view_permission(request), model.__name__
        wanted = {name for _f, name, _d in model_admin._get_base_actions()} - {"delete_selected"}
        missing += [f"{model.__name__}.{a}" for a in wanted - set(model_admin.get_actions(request))]
    # Rewinding an indexer cursor rolls back projections: superusers only, on purpose.
    assert missing == ["ChainStream.reset_cursor_action"]
