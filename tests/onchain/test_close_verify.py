"""A close's tx hash is checked on a real anvil when an RPC is configured (apps/jobs/close_check.py).
Here, beside the other chain tests, for the session's anvil and deployed suite."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.db import OperationalError, connections, transaction
from eth_account import Account

from apps.common.chain_client import contract, send
from apps.jobs.models import Job, JobStatus
from apps.onchain.anchoring import topic_record
from tests.conftest import create_job, submit


@pytest.fixture
def chain(settings, anvil, suite, snapshot):
    settings.AGORA_RPC_URL = anvil.url
    usdc = contract(anvil.w3, "MockUSDC", suite["data"]["contracts"]["MockUSDC"]["address"])
    receipt = send(anvil.w3, suite["deployer"], usdc.functions.mint(anvil.accounts[5].address, 10**6))
    return {"usdc": usdc.address.lower(), "tx": "0x" + receipt["transactionHash"].hex().removeprefix("0x"),
            "block": receipt["blockNumber"], "log_index": receipt["logs"][0]["logIndex"], "anvil": anvil,
            "suite": suite}


@pytest.fixture
def topic(sponsor, worker):
    job = create_job(sponsor)
    return job["id"], submit(worker, job["id"])["id"]


def _close(wallet, job_id, winner_id, **extra):
    return wallet.client.post(f"/api/v1/jobs/{job_id}/close", {"winner_submission_id": winner_id, **extra},
                              format="json")


@pytest.mark.django_db
def test_a_close_tx_found_on_chain_is_stored_as_verified(chain, sponsor, topic):
    job_id, sub_id = topic
    response = _close(sponsor, job_id, sub_id, close_tx_hash=chain["tx"], close_contract_address=chain["usdc"],
                      close_log_index=chain["log_index"])
    assert response.status_code == 200, response.content
    job = response.json()["job"]
    assert job["close_details_verified"] is True
    # chain id and block come from the receipt when the sponsor left them out
    assert (job["close_chain_id"], job["close_block_number"]) == (31337, chain["block"])
    html = sponsor.client.get(f"/topics/{job_id}").content.decode()
    assert "verified on chain" in html and "reported by the sponsor" not in html
    assert topic_record(Job.objects.get(pk=job_id))["close"]["details"] == "verified"


@pytest.mark.django_db
@pytest.mark.parametrize("fields, code", [
    ({"close_block_number": 1}, "close_tx_mismatch"),
    ({"close_chain_id": 8453}, "close_tx_mismatch"),
    ({"close_log_index": 9}, "close_tx_mismatch"),
    ({"close_contract_address": "0x" + "1" * 40}, "close_tx_mismatch"),
    ({"close_tx_hash": "0x" + "ab" * 32}, "close_tx_not_found"),
])
def test_close_details_the_chain_contradicts_are_a_400_and_the_topic_stays_open(chain, sponsor, topic, fields, code):
    job_id, sub_id = topic
    response = _close(sponsor, job_id, sub_id, **{"close_tx_hash": chain["tx"], **fields})
    assert response.status_code == 400 and response.json()["code"] == code, response.content
    assert Job.objects.get(pk=job_id).status == JobStatus.OPEN
    matching = _close(sponsor, job_id, sub_id, close_tx_hash=chain["tx"], close_block_number=chain["block"],
                      close_chain_id=31337)
    assert matching.status_code == 200 and matching.json()["job"]["close_details_verified"] is True


@pytest.mark.django_db
def test_a_reverted_close_tx_is_refused(chain, sponsor, topic):
    w3, stranger = chain["anvil"].w3, chain["anvil"].accounts[8]
    stake = contract(w3, "StakeVault", chain["suite"]["data"]["contracts"]["StakeVault"]["address"])
    # withdrawing a stake it never made reverts; a fixed gas limit skips the estimate that would refuse it
    tx = stake.functions.withdraw(1).build_transaction({
        "from": stranger.address, "gas": 200_000, "chainId": 31337,
        "nonce": w3.eth.get_transaction_count(stranger.address, "pending")})
    tx_hash = w3.eth.send_raw_transaction(Account.sign_transaction(tx, stranger.key).raw_transaction)
    assert w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 0
    response = _close(sponsor, *topic, close_tx_hash="0x" + tx_hash.hex().removeprefix("0x"))
    assert response.status_code == 400 and response.json()["code"] == "close_tx_failed"


@pytest.mark.django_db
def test_an_unreachable_rpc_is_a_503_and_a_stranger_never_reaches_it(settings, sponsor, topic, make_wallet):
    settings.AGORA_RPC_URL = "http://127.0.0.1:1"  # refused
    job_id, sub_id = topic
    response = _close(sponsor, job_id, sub_id, close_tx_hash="0x" + "ab" * 32)
    assert response.status_code == 503 and response.json()["code"] == "rpc_unavailable"
    assert Job.objects.get(pk=job_id).status == JobStatus.OPEN
    stranger = _close(make_wallet(), job_id, sub_id, close_tx_hash="0x" + "ab" * 32)
    assert stranger.status_code == 403 and stranger.json()["code"] == "not_sponsor"
    # without a tx hash there is nothing to look up: the details are stored as reported
    reported = _close(sponsor, job_id, sub_id, close_block_number=5)
    assert reported.status_code == 200 and reported.json()["job"]["close_details_verified"] is False


class _LockProbe:
    """An RPC proxy that, on each call, checks from its own connection whether the topic row is locked."""

    def __init__(self, upstream: str, job_id: str):
        self.seen_locked = []
        probe = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                probe.seen_locked.append(probe.locked(job_id))
                data = requests.post(upstream, data=body, headers={"Content-Type": "application/json"},
                                     timeout=10).content
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @staticmethod
    def locked(job_id: str) -> bool:
        try:
            with transaction.atomic(), connections["default"].cursor() as cur:
                cur.execute("SELECT id FROM jobs_job WHERE id = %s FOR UPDATE NOWAIT", [job_id])
            return False
        except OperationalError:
            return True
        finally:
            connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_the_chain_is_asked_before_the_topic_row_is_locked(chain, settings, sponsor, topic):
    job_id, sub_id = topic
    probe = _LockProbe(chain["anvil"].url, job_id)
    settings.AGORA_RPC_URL = probe.url
    try:
        response = _close(sponsor, job_id, sub_id, close_tx_hash=chain["tx"])
    finally:
        probe.server.shutdown()
    assert response.status_code == 200, response.content
    assert probe.seen_locked == [False]  # one batched call, made while nothing held the row
    assert json.loads(response.content)["job"]["close_details_verified"] is True
