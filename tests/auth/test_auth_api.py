from datetime import timedelta

import pytest
from django.utils import timezone
from eth_account import Account
from rest_framework.test import APIClient

from apps.auth.models import AgentSession, AuthChallenge
from apps.auth.services import hash_token
from tests.conftest import sign, sign_in

pytestmark = pytest.mark.django_db
CHALLENGE = "/api/v1/agents/auth/challenge"
VERIFY = "/api/v1/agents/auth/verify"


def _challenge(client, account):
    response = client.post(CHALLENGE, {"address": account.address}, format="json")
    assert response.status_code == 200
    return response.json()


def _verify(client, address, signature):
    return client.post(VERIFY, {"address": address, "signature": signature}, format="json")


def test_challenge_is_an_eip4361_message_bound_to_this_deployment(api):
    account = Account.create()
    body = _challenge(api, account)
    message = body["message_to_sign"]
    assert body["address"] == account.address.lower()
    assert body["expires_in_seconds"] == 300
    assert len(body["nonce"]) >= 16 and body["nonce"].isalnum()
    lines = message.split("\n")
    assert lines[0] == "testserver wants you to sign in with your Ethereum account:"
    assert lines[1] == account.address  # EIP-55 checksum form, as EIP-4361 requires
    assert "URI: http://testserver" in lines
    assert "Chain ID: 31337" in lines
    assert f"Nonce: {body['nonce']}" in lines
    assert any(line.startswith("Issued At: ") and line.endswith("Z") for line in lines)
    assert any(line.startswith("Expiration Time: ") for line in lines)


@pytest.mark.parametrize("prefix", ["0x", ""])
@pytest.mark.parametrize("v_style", ["27/28", "0/1"])
def test_verify_accepts_signature_forms_and_stores_only_a_token_hash(api, prefix, v_style):
    account = Account.create()
    signature = sign(account, _challenge(api, account)["message_to_sign"]).removeprefix("0x")
    if v_style == "0/1":
        signature = signature[:128] + f"{int(signature[128:], 16) - 27:02x}"
    response = _verify(api, account.address.lower(), prefix + signature)
    assert response.status_code == 200, response.content
    token = response.json()["access_token"]
    assert response.json()["token_type"] == "bearer"
    session = AgentSession.objects.get(address=account.address.lower())
    assert session.token_hash == hash_token(token) and token not in session.token_hash
    me = api.get("/api/v1/profile", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert me.status_code == 200 and me.json()["address"] == account.address.lower()


def test_replayed_signature_is_rejected(api):
    account = Account.create()
    signature = sign(account, _challenge(api, account)["message_to_sign"])
    assert _verify(api, account.address, signature).status_code == 200
    replay = _verify(api, account.address, signature)
    assert replay.status_code == 401
    assert replay.json()["code"] == "challenge_not_found"
    assert replay["WWW-Authenticate"].startswith("Bearer")


def test_expired_nonce_is_rejected(api):
    account = Account.create()
    body = _challenge(api, account)
    AuthChallenge.objects.filter(nonce=body["nonce"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _verify(api, account.address, sign(account, body["message_to_sign"]))
    assert response.status_code == 401 and response.json()["code"] == "challenge_expired"


def test_another_addresses_signature_is_rejected(api):
    account, stranger = Account.create(), Account.create()
    body = _challenge(api, account)
    response = _verify(api, account.address, sign(stranger, body["message_to_sign"]))
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"
    # the challenge survives a bad attempt: the owner can still use it
    assert _verify(api, account.address, sign(account, body["message_to_sign"])).status_code == 200


def test_signature_over_a_different_message_is_rejected(api):
    account = Account.create()
    body = _challenge(api, account)
    forged = body["message_to_sign"].replace("Chain ID: 31337", "Chain ID: 1")
    response = _verify(api, account.address, sign(account, forged))
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"


@pytest.mark.parametrize("signature", ["0xzz" + "00" * 64, "00" * 64, "00" * 66, "0x", "not hex at all",
                                       "0x" + "11" * 64 + "05"])
def test_malformed_signatures_get_401(api, signature):
    account = Account.create()
    _challenge(api, account)
    response = _verify(api, account.address, signature)
    assert response.status_code == 401
    assert response.json()["code"] in ("signature_malformed", "signature_invalid")
    assert "WWW-Authenticate" in response


def test_challenge_for_one_address_verified_with_another(api):
    account, other = Account.create(), Account.create()
    body = _challenge(api, account)
    response = _verify(api, other.address, sign(account, body["message_to_sign"]))
    assert response.status_code == 401 and response.json()["code"] == "challenge_not_found"
    response = _verify(api, other.address, sign(other, body["message_to_sign"]))
    assert response.status_code == 401


@pytest.mark.parametrize("address", ["0x123", "hello", "0x" + "g" * 40, "", 42, None])
def test_malformed_address_gets_400(api, address):
    response = api.post(CHALLENGE, {"address": address}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code"}


def test_mixed_case_address_is_accepted_and_stored_lowercase(api):
    account = Account.create()
    response = api.post(CHALLENGE, {"address": account.address.upper().replace("0X", "0x")}, format="json")
    assert response.status_code == 200 and response.json()["address"] == account.address.lower()


@pytest.mark.parametrize("header", ["Bearer nope", "Bearer ", "Token abc", "Basic dXNlcjpwYXNz"])
def test_bad_tokens_get_401_with_www_authenticate(api, header):
    response = api.get("/api/v1/profile", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="agora"'


def test_missing_token_gets_401(api):
    response = api.post("/api/v1/jobs", {"title": "t", "prompt": "p", "bounty_usdc": 1}, format="json")
    assert response.status_code == 401 and "WWW-Authenticate" in response


def test_logout_revokes_the_session(api):
    token = sign_in(api, Account.create())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.post("/api/v1/agents/auth/logout").json() == {"revoked": True}
    assert client.get("/api/v1/profile").status_code == 401


def test_expired_session_gets_401(api):
    account = Account.create()
    token = sign_in(api, account)
    AgentSession.objects.filter(address=account.address.lower()).update(expires_at=timezone.now())
    assert api.get("/api/v1/profile", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_either_of_two_open_challenges_can_be_signed(api):
    account = Account.create()
    first = _challenge(api, account)
    _challenge(api, account)
    assert _verify(api, account.address, sign(account, first["message_to_sign"])).status_code == 200
