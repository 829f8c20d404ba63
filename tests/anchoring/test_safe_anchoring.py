"""The whole loop on a real anvil with a real Safe 1.4.1 owning the AnchorRegistry: close, snapshot,
export, the Safe executes the exported batch through MultiSendCallOnly, the indexer confirms, a reorg
undoes it, and roots we never built are flagged."""
import pytest
from django.core.management import call_command
from web3 import Web3

from apps.common.chain_client import send
from apps.jobs.models import AnchorBatch, JobEvent
from apps.onchain.anchor_services import anchor_export, anchor_post_dev
from apps.onchain.devharness import Harness
from apps.onchain.models import AnchorMismatch
from apps.onchain.safe_batch import DELEGATECALL, safe_batch_checksum_valid, safe_batch_to_multisend
from tests.conftest import create_job, submit, vote
from tests.onchain.safe import deploy_safe, deploy_safe_infra, safe_exec

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(settings):
    settings.AGORA_ONCHAIN_CONFIRMATIONS = 0
    settings.AGORA_ONCHAIN_MAX_REORG_DEPTH = 16
    harness = Harness(settings)
    settings.AGORA_ANCHOR_REGISTRY_ADDRESS = harness.anchors.address.lower()
    yield harness
    harness.stop()


@pytest.fixture
def safe(chain):
    """A 1-of-1 Safe that became the registry's owner the two-step way: the old owner proposes, the Safe accepts."""
    w3, keyholder = chain.w3, chain.accounts[5]
    infra = deploy_safe_infra(w3, chain.deployer)
    proxy = deploy_safe(w3, chain.deployer, infra, [keyholder.address], 1)
    send(w3, chain.owner, chain.anchors.functions.transferOwnership(proxy.address))
    safe_exec(w3, proxy, [keyholder], chain.anchors.address, chain.anchors.encode_abi("acceptOwnership", []), 0)
    assert chain.anchors.functions.owner().call() == proxy.address
    return {"proxy": proxy, "owners": [keyholder], "multisend": infra.multisend.address}


def _close_topic(sponsor, worker, juror, capture):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    vote(juror, job["id"], sub["id"])
    with capture(execute=True):
        assert sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": sub["id"]},
                                   format="json").status_code == 200
    return AnchorBatch.objects.get(job_id=job["id"])


def _execute(chain, safe, batch):
    to, data = safe_batch_to_multisend(batch, multisend_address=safe["multisend"])
    return safe_exec(chain.w3, safe["proxy"], safe["owners"], to, data, DELEGATECALL)


def test_the_safe_posts_the_exported_batch_and_the_indexer_confirms_it(
        chain, safe, sponsor, worker, juror, api, django_capture_on_commit_callbacks):
    anchors = [_close_topic(sponsor, worker, juror, django_capture_on_commit_callbacks) for _ in range(2)]
    batch = anchor_export(anchor_ids=[a.id for a in anchors], safe_address=safe["proxy"].address, actor="ops")
    assert safe_batch_checksum_valid(batch) and len(batch["transactions"]) == 2
    assert batch["transactions"][0]["contractInputsValues"]["root"] == anchors[0].anchor_root
    assert {a.status for a in AnchorBatch.objects.all()} == {"exported"}

    receipt = _execute(chain, safe, batch)
    chain.index()
    for anchor in anchors:
        anchor.refresh_from_db()
        assert anchor.status == "confirmed"
        assert anchor.anchor_tx_hash == "0x" + receipt["transactionHash"].hex().removeprefix("0x")
        assert anchor.anchor_block_number == receipt["blockNumber"] and anchor.anchor_chain_id == 31337
        assert anchor.anchor_contract_address == chain.anchors.address.lower()
        job = api.get(f"/api/v1/jobs/{anchor.job_id}").json()
        assert job["anchor_status"] == "confirmed" and job["anchor_tx_hash"] == anchor.anchor_tx_hash
        assert job["anchor_log_index"] == anchor.anchor_log_index
        kinds = list(JobEvent.objects.filter(job_id=anchor.job_id).order_by("id").values_list("kind", flat=True))
        assert kinds == ["created", "closed", "anchor_built", "anchor_exported", "anchor_confirmed"]
    assert AnchorMismatch.objects.count() == 0
    # a second export of a confirmed anchor is refused; a stranger can't post to the Safe's registry
    with pytest.raises(Exception, match="already on chain"):
        anchor_export(anchor_ids=[anchors[0].id], safe_address=safe["proxy"].address, actor="ops", reason="again")
    with pytest.raises(Exception, match=Web3.keccak(text="NotOwner()")[:4].hex()):
        chain.anchor()  # the old owner's key


def test_a_reorg_that_removes_the_anchor_event_returns_it_to_exported(
        chain, safe, sponsor, worker, juror, django_capture_on_commit_callbacks):
    anchor = _close_topic(sponsor, worker, juror, django_capture_on_commit_callbacks)
    batch = anchor_export(anchor_ids=[anchor.id], safe_address=safe["proxy"].address, actor="ops")
    before = chain.snapshot()
    _execute(chain, safe, batch)
    chain.index()
    anchor.refresh_from_db()
    assert anchor.status == "confirmed"
    chain.revert(before)
    chain.mine(3)  # a longer chain without the Safe's transaction
    results = chain.index()
    assert "reorg" in {r.status for r in results}
    anchor.refresh_from_db()
    assert anchor.status == "exported" and anchor.anchor_tx_hash is None and anchor.anchor_event_id is None
    assert JobEvent.objects.filter(job_id=anchor.job_id, kind="anchor_reorged").count() == 1
    # executing the same batch again (the Safe nonce was reverted too) confirms it once more
    _execute(chain, safe, batch)
    chain.index()
    anchor.refresh_from_db()
    assert anchor.status == "confirmed"


def test_a_root_we_never_built_is_kept_and_flagged(chain, safe, sponsor, worker, juror, client,
                                                   django_capture_on_commit_callbacks, admin_user):
    anchor = _close_topic(sponsor, worker, juror, django_capture_on_commit_callbacks)
    registry = chain.anchors
    stray = registry.encode_abi("postAnchor", [b"\x42" * 32, "https://elsewhere.example/x.json", 1, b"\x01" * 32])
    wrong_uri = registry.encode_abi("postAnchor", [bytes.fromhex(anchor.anchor_root[2:]), "https://evil.example/",
                                                   1, bytes.fromhex(anchor.salt[2:])])
    safe_exec(chain.w3, safe["proxy"], safe["owners"], registry.address, stray, 0)
    safe_exec(chain.w3, safe["proxy"], safe["owners"], registry.address, wrong_uri, 0)
    chain.index()
    reasons = sorted(AnchorMismatch.objects.values_list("reason", flat=True))
    assert reasons[0] == "no anchor was built with this root" and reasons[1].startswith("uri differ")
    anchor.refresh_from_db()
    assert anchor.status == "pending"  # a wrong uri never confirms the anchor
    client.force_login(admin_user)
    page = client.get("/admin/").content.decode()
    assert "Anchor events that match nothing we built" in page


def test_anchor_post_on_a_dev_chain_and_the_command(chain, sponsor, worker, juror, settings,
                                                    django_capture_on_commit_callbacks):
    first = _close_topic(sponsor, worker, juror, django_capture_on_commit_callbacks)
    posted = anchor_post_dev(anchor=first, actor="test", key=chain.owner.key)
    assert posted.status == "posted" and posted.anchor_tx_hash.startswith("0x")
    chain.index()
    first.refresh_from_db()
    assert first.status == "confirmed" and first.anchor_tx_hash == posted.anchor_tx_hash
    # the command uses anvil's default key, which does not own this registry: a clear refusal
    _close_topic(sponsor, worker, juror, django_capture_on_commit_callbacks)
    with pytest.raises(Exception, match="not a key this server holds"):
        call_command("anchor_post")


def test_anchor_receipt_is_checked_against_the_chain(chain, sponsor, worker, juror, make_wallet, settings,
                                                     django_capture_on_commit_callbacks):
    anchor = _close_topic(sponsor, worker, juror, django_capture_on_commit_callbacks)
    operator, stranger = make_wallet(), make_wallet()
    settings.AGORA_OPERATOR_ADDRESSES = [operator.address]
    receipt = send(chain.w3, chain.owner, chain.anchors.functions.postAnchor(
        bytes.fromhex(anchor.anchor_root[2:]), anchor.anchor_uri, 1, bytes.fromhex(anchor.salt[2:])))
    log = receipt["logs"][0]
    body = {"anchor_tx_hash": "0x" + receipt["transactionHash"].hex().removeprefix("0x"), "anchor_chain_id": 31337,
            "anchor_contract_address": Web3.to_checksum_address(chain.anchors.address),
            "anchor_block_number": receipt["blockNumber"], "anchor_log_index": log["logIndex"]}
    url = f"/api/v1/jobs/{anchor.job_id}/anchor_receipt"
    assert stranger.client.post(url, body, format="json").json()["code"] == "not_operator"
    wrong = operator.client.post(url, {**body, "anchor_log_index": log["logIndex"] + 5}, format="json")
    assert wrong.status_code == 409 and wrong.json()["code"] == "anchor_log_not_found"
    other_block = operator.client.post(url, {**body, "anchor_block_number": 1}, format="json")
    assert other_block.status_code == 409 and other_block.json()["code"] == "anchor_log_mismatch"
    bad = operator.client.post(url, {**body, "anchor_tx_hash": "0x123"}, format="json")
    assert bad.status_code == 400
    ok = operator.client.post(url, body, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "posted"
    assert ok.json()["anchor_tx_hash"] == body["anchor_tx_hash"]


def test_make_run_auto_posts_new_anchors_on_the_dev_chain(chain, sponsor, worker, juror, settings,
                                                          django_capture_on_commit_callbacks):
    """make run's loop: the registry owned by anvil's default key, AGORA_ANCHOR_AUTO_POST on."""
    send(chain.w3, chain.owner, chain.anchors.functions.transferOwnership(chain.deployer.address))
    send(chain.w3, chain.deployer, chain.anchors.functions.acceptOwnership())
    settings.AGORA_ANCHOR_AUTO_POST = True
    anchor = _close_topic(sponsor, worker, juror, django_capture_on_commit_callbacks)
    assert anchor.status == "posted" and anchor.anchor_tx_hash
    chain.index()
    anchor.refresh_from_db()
    assert anchor.status == "confirmed"
