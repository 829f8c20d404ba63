"""A closed topic whose anchor is posted on a real anvil and confirmed by the indexer, served by a real HTTP
server (live_server), so verifiers fetch exactly what a third party would."""
from types import SimpleNamespace

import pytest

from apps.jobs.models import AnchorBatch
from apps.onchain.anchor_services import anchor_post_dev
from apps.onchain.devharness import Harness
from tests.conftest import create_job, submit, vote


@pytest.fixture
def harness(settings, transactional_db):
    chain = Harness(settings)  # sets AGORA_RPC_URL
    settings.AGORA_ANCHOR_REGISTRY_ADDRESS = chain.anchors.address.lower()  # the settings keep it lowercase
    settings.AGORA_ONCHAIN_CONFIRMATIONS = 0
    yield chain
    chain.stop()


@pytest.fixture
def anchored(harness, live_server, settings, sponsor, worker, juror, make_wallet, django_capture_on_commit_callbacks):
    # anchor_uri is built from AGORA_BASE_URL at close, so it must point at the live server first.
    settings.AGORA_BASE_URL = live_server.url
    other = make_wallet(agent=True, stake_usdc=50, score=4)
    job = create_job(sponsor, bounty_usdc="3.5", tags=["verify"])
    first = submit(worker, job["id"], content="first", evidence=[{"type": "web", "source_url": "https://e.org/a",
                                                                 "confidence": 0.75}])
    second = submit(other, job["id"], content="second ✓")
    votes = [vote(juror, job["id"], first["id"], review="good"), vote(other, job["id"], first["id"])]
    with django_capture_on_commit_callbacks(execute=True):
        closed = sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": first["id"]},
                                     format="json")
    assert closed.status_code == 200, closed.content
    anchor = AnchorBatch.objects.get(job_id=job["id"])
    anchor_post_dev(anchor=anchor, actor="test", key=harness.owner.key)
    harness.index()
    anchor.refresh_from_db()
    assert anchor.status == "confirmed"
    return SimpleNamespace(job_id=job["id"], base_url=live_server.url, rpc_url=harness.rpc_url, anchor=anchor,
                           submissions=[first, second], votes=votes, harness=harness)
