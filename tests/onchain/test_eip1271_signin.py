"""Contract-wallet sign-in (EIP-1271) against a real Safe 1.4.1 and a mock wallet on anvil."""
import pytest
from eth_abi import encode
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct
from rest_framework.test import APIClient
from web3 import Web3

from apps.common.chain_client import deploy
from tests.onchain.safe import deploy_safe, deploy_safe_infra

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def safe(anvil):
    """A 1-of-1 Safe 1.4.1 (singleton, proxy factory, compatibility fallback handler) owned by accounts[4]."""
    w3, deployer, owner = anvil.w3, anvil.accounts[0], anvil.accounts[4]
    infra = deploy_safe_infra(w3, deployer)
    proxy = deploy_safe(w3, deployer, infra, [owner.address], 1, salt_nonce=7)
    return {"address": proxy.address, "owner": owner, "handler": infra.handler, "safe": proxy}


@pytest.fixture
def eip1271_on(settings, anvil):
    settings.AGORA_AUTH_EIP1271_ENABLED = True
    settings.AGORA_RPC_URL = anvil.url
    return settings


def _challenge(client, address):
    response = client.post("/api/v1/agents/auth/challenge", {"address": address}, format="json")
    assert response.status_code == 200
    return response.json()["message_to_sign"]


def _safe_signature(safe, signer, message: str) -> str:
    """What a Safe owner signs for EIP-1271: the SafeMessage hash of the EIP-191 digest."""
    digest = _hash_eip191_message(encode_defunct(text=message))
    safe_hash = safe["handler"].functions.getMessageHashForSafe(safe["address"], encode(["bytes32"], [digest])).call()
    return "0x" + signer.unsafe_sign_hash(safe_hash).signature.hex().removeprefix("0x")


def test_safe_owner_signs_in_for_the_safe(eip1271_on, safe):
    client = APIClient()
    assert safe["safe"].functions.getOwners().call() == [safe["owner"].address]
    message = _challenge(client, safe["address"])
    response = client.post("/api/v1/agents/auth/verify",
                           {"address": safe["address"], "signature": _safe_signature(safe, safe["owner"], message)},
                           format="json")
    assert response.status_code == 200, response.content
    me = client.get("/api/v1/profile", HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    assert me.json()["address"] == safe["address"].lower()


def test_a_strangers_signature_for_the_safe_gets_401(eip1271_on, safe):
    client = APIClient()
    message = _challenge(client, safe["address"])
    stranger = Account.create()
    response = client.post("/api/v1/agents/auth/verify",
                           {"address": safe["address"], "signature": _safe_signature(safe, stranger, message)},
                           format="json")
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"


def test_safe_signin_is_off_unless_enabled(settings, anvil, safe):
    settings.AGORA_RPC_URL = anvil.url  # RPC known, feature off: the Safe's signature is not accepted
    client = APIClient()
    message = _challenge(client, safe["address"])
    response = client.post("/api/v1/agents/auth/verify",
                           {"address": safe["address"], "signature": _safe_signature(safe, safe["owner"], message)},
                           format="json")
    assert response.status_code == 401


def test_rpc_failure_is_a_clear_503(eip1271_on, safe):
    client = APIClient()
    message = _challenge(client, safe["address"])
    signature = _safe_signature(safe, safe["owner"], message)
    eip1271_on.AGORA_RPC_URL = "http://127.0.0.1:1"  # refused: a real connection failure
    response = client.post("/api/v1/agents/auth/verify", {"address": safe["address"], "signature": signature},
                           format="json")
    assert response.status_code == 503 and response.json()["code"] == "rpc_unavailable"
    eip1271_on.AGORA_RPC_URL = safe["safe"].w3.provider.endpoint_uri
    # the challenge was not consumed by the failed attempt
    ok = client.post("/api/v1/agents/auth/verify", {"address": safe["address"], "signature": signature},
                     format="json")
    assert ok.status_code == 200


def test_mock_1271_wallet_signs_in(eip1271_on, anvil):
    signer = anvil.accounts[8]
    address, _ = deploy(anvil.w3, anvil.accounts[0], "MockERC1271Wallet", signer.address)
    client = APIClient()
    message = _challenge(client, address)
    digest = _hash_eip191_message(encode_defunct(text=message))
    signature = signer.unsafe_sign_hash(digest).signature.hex()
    response = client.post("/api/v1/agents/auth/verify", {"address": address, "signature": signature}, format="json")
    assert response.status_code == 200, response.content
    assert Web3.to_checksum_address(address)
