"""Closing a topic builds its snapshot and Merkle tree; the API serves the anchor, the files and proofs."""
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection

from agora_sdk.anchoring import canonical_json, content_hash, snapshot_records, snapshot_salt, uuid_bytes32
from agora_sdk.merkle import AGORA_LEAF_ENCODING, leaf_hash, verify_proof
from apps.common.timefmt import iso_z
from apps.jobs.models import AnchorBatch, JobEvent, Vote
from apps.onchain.anchoring import _iso_z_sql, _votes, anchor_build, anchor_file_names, anchor_storage, leaf_salt
from tests.conftest import create_job, submit, vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(sponsor, worker, juror, make_wallet, django_capture_on_commit_callbacks):
    """A topic with two submissions (one with float evidence), two votes, closed through the API; the
    on-commit task builds the anchor (eager Celery in tests)."""
    other = make_wallet(agent=True, stake_usdc=50, score=4)
    job = create_job(sponsor, bounty_usdc="12.345678", tags=["anchors", "é"])
    first = submit(worker, job["id"], content="first ✓", evidence=[
        {"type": "web", "source_url": "https://example.org/a", "confidence": 0.9, "metadata": {"score": 0.25, "n": 3}}])
    second = submit(other, job["id"], content="second")
    vote(juror, job["id"], first["id"], review="solid")
    vote(other, job["id"], first["id"])
    with django_capture_on_commit_callbacks(execute=True):
        closed = sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": first["id"]},
                                     format="json")
    assert closed.status_code == 200, closed.content
    return {"job": job, "submissions": [first, second], "sponsor": sponsor}


def _files(job_id):
    storage = anchor_storage()
    snapshot_name, tree_name = anchor_file_names(job_id)
    with storage.open(snapshot_name, "rb") as s, storage.open(tree_name, "rb") as t:
        return s.read(), t.read()


def test_close_builds_an_anchor_that_the_api_and_the_files_agree_on(closed, api):
    job_id = closed["job"]["id"]
    anchor = AnchorBatch.objects.get(job_id=job_id)
    assert anchor.status == "pending" and anchor.leaves == 1 + 2 + 2 + 1
    detail = api.get(f"/api/v1/jobs/{job_id}").json()
    assert detail["anchor_root"] == anchor.anchor_root and detail["anchor_status"] == "pending"
    assert detail["anchor_salt"] == anchor.salt and detail["anchor_schema_version"] == 1
    assert detail["anchor_tx_hash"] is None
    body = api.get(f"/api/v1/jobs/{job_id}/anchor").json()
    assert body["anchor_root"] == anchor.anchor_root and body["job_id"] == job_id and body["status"] == "pending"
    assert body["anchor_uri"] == f"http://testserver/anchors/{job_id}/v1.json"
    assert body["tree_uri"] == f"http://testserver/anchors/{job_id}/v1.tree.json"

    served = api.get(f"/anchors/{job_id}/v1.json")
    tree = api.get(f"/anchors/{job_id}/v1.tree.json")
    assert served.status_code == 200 and tree.status_code == 200
    snapshot_bytes, tree_bytes = _files(job_id)
    assert served.content == snapshot_bytes and api.get(f"/anchors/{job_id}/v1.json").content == snapshot_bytes
    assert tree.content == tree_bytes
    # the chain event's salt commits to the exact file
    assert snapshot_salt(snapshot_bytes) == anchor.salt
    snapshot = json.loads(snapshot_bytes)
    assert canonical_json(snapshot) == snapshot_bytes  # the file is RFC 8785 canonical JSON
    assert b"0.9" in snapshot_bytes and "0.9" == snapshot["submissions"][0]["evidence"][0]["confidence"]
    assert api.get(f"/anchors/{job_id}/v2.json").status_code == 404


def test_the_snapshot_agrees_field_by_field_with_the_receipt(closed, api):
    job = api.get(f"/api/v1/jobs/{closed['job']['id']}").json()
    snapshot = json.loads(_files(job["id"])[0])
    result, receipt = snapshot["result"], job["receipt"]
    assert result["winner_submission_id"] == receipt["winner_submission_id"] == job["winner_submission_id"]
    assert result["closed_at"] == receipt["closed_at"] == job["closed_at"]
    assert result["close_method"] == "sponsor" and snapshot["final_votes"] == []
    ours = [(r["rank"], r["submission_id"], r["agent_address"], int(r["weighted_votes"]), int(r["voters"]))
            for r in result["ranking"]]
    theirs = [(r["rank"], r["submission_id"], r["agent_address"], r["weighted_votes"], r["voters"])
              for r in receipt["ranking"]]
    assert ours == theirs
    assert result["policy"] == receipt["policy"]
    assert {k: int(v) for k, v in result["payout"].items()} == {
        k: v for k, v in receipt["payout"].items() if k.endswith("_units")}
    topic = snapshot["topic"]
    assert topic["bounty_units"] == "12345678" and topic["bounty_usdc"] == "12.345678"
    assert topic["title"] == job["title"] and topic["tags"] == job["tags"] and topic["close"]["details"] == "none"
    assert [s["id"] for s in snapshot["submissions"]] == [s["id"] for s in closed["submissions"]]
    assert all(isinstance(v["weight"], str) for v in snapshot["votes"]) and len(snapshot["votes"]) == 2


def test_every_record_has_a_proof_that_verifies_against_the_root(closed, api):
    job_id = closed["job"]["id"]
    anchor = AnchorBatch.objects.get(job_id=job_id)
    snapshot = json.loads(_files(job_id)[0])
    seen = 0
    for kind, record_id, record in snapshot_records(snapshot):
        # the result shares the topic's id: without ?kind= the topic's leaf is answered
        query = "?kind=result" if kind == "result" else ""
        body = api.get(f"/api/v1/jobs/{job_id}/proofs/{record_id}{query}").json()
        assert body["kind"] == kind and body["record"] == record and body["root"] == anchor.anchor_root
        assert body["leaf"][:4] == [kind, uuid_bytes32(job_id), uuid_bytes32(record_id), content_hash(record)]
        assert verify_proof(anchor.anchor_root, leaf_hash(AGORA_LEAF_ENCODING, body["leaf"]), body["proof"])
        assert body["receipt"]["status"] == "pending" and body["anchor_uri"] == anchor.anchor_uri
        seen += 1
    assert seen == 6
    wrong_kind = api.get(f"/api/v1/jobs/{job_id}/proofs/{job_id}?kind=ballot")
    assert wrong_kind.status_code == 400 and wrong_kind.json()["code"] == "invalid_kind"
    missing = api.get(f"/api/v1/jobs/{job_id}/proofs/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["code"] == "record_not_found"
    bad = api.get(f"/api/v1/jobs/{job_id}/proofs/not-a-uuid")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_uuid"


def test_building_again_gives_the_same_bytes_and_one_row(closed):
    job_id = closed["job"]["id"]
    before = _files(job_id)
    anchor_storage().delete(anchor_file_names(job_id)[0])  # as if a crash lost the file
    AnchorBatch.objects.filter(job_id=job_id).delete()
    rebuilt = anchor_build(job_id=job_id)
    again = anchor_build(job_id=job_id)
    assert rebuilt.pk == again.pk and AnchorBatch.objects.filter(job_id=job_id).count() == 1
    assert _files(job_id) == before
    assert JobEvent.objects.filter(job_id=job_id, kind="anchor_built").count() == 2  # once per row created


def test_open_topics_have_no_anchor(sponsor, api):
    job = create_job(sponsor)
    response = api.get(f"/api/v1/jobs/{job['id']}/anchor")
    assert response.status_code == 404 and response.json()["code"] == "anchor_not_found"
    assert api.get(f"/api/v1/jobs/{job['id']}").json()["anchor_root"] is None
    assert api.get("/api/v1/jobs/00000000-0000-0000-0000-000000000000/anchor").json()["code"] == "job_not_found"
    assert api.get(f"/anchors/{job['id']}/v1.json").status_code == 404


def test_the_topic_page_shows_the_anchor(closed, client):
    job_id = closed["job"]["id"]
    anchor = AnchorBatch.objects.get(job_id=job_id)
    page = client.get(f"/topics/{job_id}").content.decode()
    assert 'data-status="pending"' in page and anchor.anchor_root in page
    assert f'href="{anchor.anchor_uri}" id="receipt-snapshot"' in page


def test_the_sweep_builds_what_the_on_commit_task_missed(sponsor, worker, settings, tmp_path):
    from apps.onchain.tasks import anchor_sweep

    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    # no on-commit callbacks run here: as if the broker lost the message or the worker died
    assert sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": sub["id"]},
                               format="json").status_code == 200
    assert not AnchorBatch.objects.filter(job_id=job["id"]).exists()
    settings.AGORA_ANCHOR_SWEEP_AFTER_SECONDS = 3600
    assert anchor_sweep() == []  # too recent: the on-commit task may still be running
    settings.AGORA_ANCHOR_SWEEP_AFTER_SECONDS = 0
    (root,) = anchor_sweep()
    assert AnchorBatch.objects.get(job_id=job["id"]).anchor_root == root
    assert anchor_sweep() == []  # built once


def test_anchor_export_command_is_a_dry_run_until_commit(closed, settings, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    settings.AGORA_ANCHOR_REGISTRY_ADDRESS = "0x" + "5a" * 20
    out, safe = tmp_path / "batch.json", "0x" + "be" * 20
    call_command("anchor_export", "--safe", safe, "--out", str(out))
    assert not out.exists() and AnchorBatch.objects.get().status == "pending"
    call_command("anchor_export", "--safe", safe, "--out", str(out), "--commit")
    batch = json.loads(out.read_text())
    anchor = AnchorBatch.objects.get()
    assert anchor.status == "exported" and anchor.exports == 1
    assert batch["transactions"][0]["contractInputsValues"]["root"] == anchor.anchor_root
    assert batch["meta"]["createdFromSafeAddress"].lower() == safe
    with pytest.raises(CommandError, match="give a reason"):
        call_command("anchor_export", "--safe", safe, "--out", str(out), "--status", "exported", "--commit")
    with pytest.raises(CommandError, match="--safe must be"):
        call_command("anchor_export", "--safe", "nope")
_STAMPS = [datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), datetime(2026, 1, 2, 3, 4, 5, 1, tzinfo=UTC),
           datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC), datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
           datetime(2026, 6, 1, 0, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
           datetime(1, 1, 1, tzinfo=UTC), datetime(999, 3, 4, 5, 6, 7, 8, tzinfo=UTC),
           datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), datetime(1890, 7, 1, 12, 0, 0, 500, tzinfo=UTC)]


def test_the_builders_sql_timestamps_are_iso_z():
    with connection.cursor() as cur:
        cur.execute("SET LOCAL TIME ZONE 'Europe/Amsterdam'")  # the session's zone must not matter
        for stamp in _STAMPS:
            cur.execute(f"SELECT {_iso_z_sql('t')} FROM (SELECT %s::timestamptz AS t) s", [stamp])
            assert cur.fetchone()[0] == iso_z(stamp)


def test_votes_are_written_as_the_canonical_json_of_their_record(closed):
    job_id = closed["job"]["id"]
    reviews = ['quote " backslash \\ tab\t newline\n controls \x01\x1f\x7f', "é ✓ \u2028 \U0001f600 </script>"]
    for index, vote_id in enumerate(Vote.objects.filter(job_id=job_id).order_by("id").values_list("id", flat=True)):
        Vote.objects.filter(pk=vote_id).update(review=reviews[index], created_at=_STAMPS[index],
                                               updated_at=_STAMPS[index + 2], voter_address=f"0xAb\"\U0001f600{index}")
    expected = [(str(v.id).replace("-", ""), canonical_json({
        "id": str(v.id), "topic_id": job_id, "submission_id": str(v.submission_id), "voter_address": v.voter_address,
        "weight": str(v.weight), "review": v.review, "created_at": iso_z(v.created_at),
        "updated_at": iso_z(v.updated_at)})) for v in Vote.objects.filter(job_id=job_id).order_by("created_at", "id")]
    assert list(_votes(uuid.UUID(job_id))) == expected
    assert len(expected) == 2


def test_leaf_salt_is_the_hmac_of_kind_and_the_padded_id(settings):
    record_id = "12345678-9abc-4def-8123-456789abcdef"
    message = b"vote" + bytes(16) + uuid.UUID(record_id).bytes
    assert leaf_salt("vote", record_id) == "0x" + hmac.new(settings.AGORA_ANCHOR_SALT_KEY.encode(), message,
                                                           hashlib.sha256).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_two_builders_at_once_write_the_files_once_and_make_one_row(sponsor, worker):
    import threading

    from django.db import connections

    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    assert sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": sub["id"]},
                               format="json").status_code == 200
    AnchorBatch.objects.filter(job_id=job["id"]).delete()  # whatever the on-commit task built
    JobEvent.objects.filter(job_id=job["id"], kind="anchor_built").delete()
    results, errors, start = [], [], threading.Barrier(2)

    def build():
        try:
            start.wait()
            results.append(anchor_build(job_id=job["id"]).pk)
        except Exception as exc:  # reported below: a builder must never fail because another is running
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=build) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(set(results)) == 1
    assert AnchorBatch.objects.filter(job_id=job["id"]).count() == 1
    assert JobEvent.objects.filter(job_id=job["id"], kind="anchor_built").count() == 1
