import pytest
from django.core.cache import cache
from eth_account import Account
from eth_account.messages import encode_defunct
from rest_framework.test import APIClient

from apps.agents.services import profile_ensure, profile_update, reputation_set, stake_set
from apps.auth.services import session_create


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()  # rate-limit windows live in Redis; each test starts fresh
    yield


@pytest.fixture
def api():
    return APIClient()


def sign(account, message: str) -> str:
    return account.sign_message(encode_defunct(text=message)).signature.hex()


def sign_in(client, account) -> str:
    """The real wallet flow: challenge, personal_sign, verify."""
    challenge = client.post("/api/v1/agents/auth/challenge", {"address": account.address}, format="json")
    assert challenge.status_code == 200, challenge.content
    verify = client.post("/api/v1/agents/auth/verify",
                         {"address": account.address, "signature": sign(account, challenge.json()["message_to_sign"])},
                         format="json")
    assert verify.status_code == 200, verify.content
    return verify.json()["access_token"]


class Wallet:
    """A fresh key plus an API client holding its bearer token."""

    def __init__(self, token: str | None, account):
        self.account = account
        self.address = account.address.lower()
        self.client = APIClient()
        if token:
            self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def make_wallet(db):
    def make(*, agent=False, stake_usdc=0, score=0, via_api=False):
        account = Account.create()
        address = account.address.lower()
        if via_api:
            token = sign_in(APIClient(), account)
        else:  # what a successful verify does, without the signing round trip
            profile_ensure(address=address)
            token = session_create(address=address)[1]
        if agent:
            profile_update(address=address, changes={"participant_type": "agent"})
        if stake_usdc:
            stake_set(address=address, units=stake_usdc * 10**6, actor="test")
        if score:
            reputation_set(address=address, score=score, kind="dev_set", reason="test", actor="test")
        return Wallet(token, account)

    return make


@pytest.fixture
def sponsor(make_wallet):
    return make_wallet()


@pytest.fixture
def juror(make_wallet):
    return make_wallet(agent=True, stake_usdc=50, score=16)


@pytest.fixture
def worker(make_wallet):
    return make_wallet(agent=True, stake_usdc=50)


def create_job(wallet, **overrides):
    body = {"title": "Find the bug", "prompt": "Explain it with sources.", "bounty_usdc": 100, "tags": ["python"]}
    body.update(overrides)
    response = wallet.client.post("/api/v1/jobs", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def submit(wallet, job_id, **overrides):
    body = {"job_id": job_id, "content": "Here is my work.", "evidence": []}
    body.update(overrides)
    response = wallet.client.post("/api/v1/submissions", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["submission"]


def vote(wallet, job_id, submission_id, review=""):
    response = wallet.client.post("/api/v1/votes", {"job_id": job_id, "submission_id": submission_id, "review": review},
                                  format="json")
    assert response.status_code == 200, response.content
    return response.json()["vote"]
