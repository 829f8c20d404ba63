"""Contract-wallet sign-in (EIP-1271) against a real Safe 1.4.1 and mock wallets on anvil."""
import threading
import time

import pytest
from django.db import connection, transaction
from eth_abi import encode
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_defunct
from rest_framework.test import APIClient
from web3 import Web3

from apps.auth.eip1271 import _approves
from apps.auth.models import AgentSession
from apps.common.chain_client import deploy
from tests.chain import start_anvil
from tests.onchain.rpc_proxy import RpcProxy
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


def test_rpc_down_a_contract_wallet_cannot_sign_in_and_keeps_its_challenge(eip1271_on, safe):
    """Without the chain the server can't tell a contract from a plain account: a 401 like any
    signature it can't verify, and the challenge stays usable."""
    client = APIClient()
    message = _challenge(client, safe["address"])
    signature = _safe_signature(safe, safe["owner"], message)
    eip1271_on.AGORA_RPC_URL = "http://127.0.0.1:1"  # refused: a real connection failure
    response = client.post("/api/v1/agents/auth/verify", {"address": safe["address"], "signature": signature},
                           format="json")
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"
    assert "could not be checked" in response.json()["detail"]
    eip1271_on.AGORA_RPC_URL = safe["safe"].w3.provider.endpoint_uri
    ok = client.post("/api/v1/agents/auth/verify", {"address": safe["address"], "signature": signature},
                     format="json")
    assert ok.status_code == 200


def test_rpc_down_a_wrong_account_signature_is_401(eip1271_on):
    eip1271_on.AGORA_RPC_URL = "http://127.0.0.1:1"
    client, account = APIClient(), Account.create()
    message = _challenge(client, account.address)
    wrong = Account.create().sign_message(encode_defunct(text=message)).signature.hex()
    response = client.post("/api/v1/agents/auth/verify", {"address": account.address, "signature": wrong},
                           format="json")
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"


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


# --- a contract wallet's check can't tie up the server ------------------------------------------

@pytest.fixture
def wallet(anvil):
    signer = anvil.accounts[8]
    address, _ = deploy(anvil.w3, anvil.accounts[0], "MockERC1271Wallet", signer.address)
    return address, signer


@pytest.fixture
def proxy(anvil, eip1271_on):
    made = []

    def make(**kwargs):
        made.append(RpcProxy(anvil.url, **kwargs))
        eip1271_on.AGORA_RPC_URL = made[-1].url
        return made[-1]

    yield make
    for p in made:
        p.close()


def _wallet_signature(signer, message: str) -> str:
    return signer.unsafe_sign_hash(_hash_eip191_message(encode_defunct(text=message))).signature.hex()


def _verify(client, address, signature, **extra):
    return client.post("/api/v1/agents/auth/verify", {"address": address, "signature": signature, **extra},
                       format="json")


def test_one_code_lookup_and_one_wallet_call_per_request(proxy, wallet):
    address, _ = wallet
    client = APIClient()
    messages = [_challenge(client, address) for _ in range(3)]
    rpc = proxy()
    stranger = _wallet_signature(Account.create(), messages[-1])
    assert _verify(client, address, stranger).status_code == 401
    assert sorted(rpc.methods) == ["eth_call", "eth_chainId", "eth_getCode"]


def test_without_a_nonce_a_wallet_is_checked_against_its_newest_challenge_only(proxy, wallet):
    address, signer = wallet
    client = APIClient()
    older = client.post("/api/v1/agents/auth/challenge", {"address": address}, format="json").json()
    _challenge(client, address)
    signature = _wallet_signature(signer, older["message_to_sign"])
    proxy()
    assert _verify(client, address, signature).status_code == 401
    assert _verify(client, address, signature, nonce=older["nonce"]).status_code == 200


def test_an_rpc_on_another_chain_is_not_trusted(proxy, wallet, eip1271_on):
    address, signer = wallet
    eip1271_on.AGORA_CHAIN_ID = 1  # anvil is 31337
    client = APIClient()
    signature = _wallet_signature(signer, _challenge(client, address))
    rpc = proxy()
    response = _verify(client, address, signature)
    assert response.status_code == 401 and "eth_call" not in rpc.methods
    assert "another chain" in response.json()["detail"]


def test_an_rpc_failure_while_asking_the_wallet_is_503_and_keeps_the_challenge(proxy, wallet):
    address, signer = wallet
    client = APIClient()
    signature = _wallet_signature(signer, _challenge(client, address))
    proxy(fail=("eth_call",))
    response = _verify(client, address, signature)
    assert response.status_code == 503 and response.json()["code"] == "rpc_unavailable"
    proxy()
    assert _verify(client, address, signature).status_code == 200


@pytest.mark.parametrize("slow, expected", [("eth_call", 503), ("eth_getCode", 401)])
def test_a_slow_rpc_is_cut_off_at_the_deadline(proxy, wallet, eip1271_on, slow, expected):
    """A contract known to be one, its check cut short: 503. Not even known to be a contract: 401."""
    address, signer = wallet
    eip1271_on.AGORA_AUTH_EIP1271_DEADLINE_SECONDS = 1.0
    client = APIClient()
    signature = _wallet_signature(signer, _challenge(client, address))
    proxy(delays={slow: 4})
    started = time.monotonic()
    response = _verify(client, address, signature)
    assert time.monotonic() - started < 2.0
    assert response.status_code == expected


@pytest.fixture(scope="module")
def roomy_anvil():
    """Blocks of 10^10 gas, where an uncapped eth_call of a gas-burning wallet runs for seconds."""
    node = start_anvil(accounts=2, extra_args=("--gas-limit", "10000000000"))
    yield node
    node.stop()


def test_a_gas_burning_wallet_is_refused_within_the_deadline(eip1271_on, roomy_anvil):
    address, _ = deploy(roomy_anvil.w3, roomy_anvil.accounts[0], "GasBurning1271Wallet")
    eip1271_on.AGORA_RPC_URL = roomy_anvil.url
    eip1271_on.AGORA_AUTH_EIP1271_DEADLINE_SECONDS = 2.0
    client = APIClient()
    signature = _wallet_signature(Account.create(), _challenge(client, address))
    started = time.monotonic()
    response = _verify(client, address, signature)
    assert time.monotonic() - started < 2.0
    assert response.status_code == 401 and response.json()["code"] == "signature_invalid"


@pytest.mark.django_db(transaction=True)
def test_no_row_lock_is_held_while_the_wallet_is_asked(proxy, wallet):
    address, signer = wallet
    client = APIClient()
    signature = _wallet_signature(signer, _challenge(client, address))
    proxy(delays={"eth_call": 1.5})
    answers = []

    def verify():
        try:
            answers.append(_verify(APIClient(), address, signature).status_code)
        finally:
            connection.close()

    worker = threading.Thread(target=verify)
    worker.start()
    time.sleep(0.7)  # the worker is waiting on eth_call now
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT id FROM agora_auth_authchallenge WHERE address = %s FOR UPDATE NOWAIT",
                    [address.lower()])
    worker.join()
    assert answers == [200]


@pytest.mark.django_db(transaction=True)
def test_two_racing_verifies_of_one_signature_open_one_session(proxy, wallet):
    address, signer = wallet
    signature = _wallet_signature(signer, _challenge(APIClient(), address))
    proxy(delays={"eth_call": 0.5})  # both pass the check before either consumes
    answers = []

    def verify():
        try:
            answers.append(_verify(APIClient(), address, signature).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=verify) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers) == [200, 401]
    assert AgentSession.objects.filter(address=address.lower()).count() == 1


def test_a_wallet_that_echoes_its_calldata_does_not_approve():
    # isValidSignature's selector equals the magic value: only a one-word answer counts.
    calldata = "0x1626ba7e" + "00" * 32 + "00" * 31 + "40" + "00" * 32
    assert not _approves(calldata)
    assert _approves("0x1626ba7e" + "00" * 28)
    assert not _approves("0x1626ba7e" + "00" * 27 + "01")
