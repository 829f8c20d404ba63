"""The snapshot builder: freezes a closed topic as canonical JSON, one Merkle leaf per record, and
stores the snapshot and its tree dump where `anchor_uri` serves them. The format is
agora_sdk.anchoring (shared with verifiers); docs/anchoring.md explains it.

Records are streamed from the database and written as they come, so a topic with 100k votes never
becomes one big dict. Building is deterministic (same rows, same key: same bytes), so a rebuild after
a crash writes the same files and finds the same anchor row.
"""
import hashlib
import hmac
import json
import tempfile

import structlog
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import storages
from django.db import transaction

from agora_sdk.anchoring import LEAF_ENCODING, SCHEMA_VERSION, canonical_json, plain, snapshot_salt, uuid_bytes32
from agora_sdk.merkle import StandardMerkleTree, keccak256
from apps.common.chain import units_to_usdc
from apps.common.errors import Conflict, NotFound
from apps.common.timefmt import iso_z
from apps.jobs.models import AnchorBatch, Job, JobEvent, JobEventKind, JobStatus, Submission, Vote

log = structlog.get_logger(__name__)
_CHUNK = 5000


def anchor_storage():
    return storages["anchors"]


def anchor_file_names(job_id) -> tuple[str, str]:
    base = f"{job_id}/v{SCHEMA_VERSION}"
    return f"{base}.json", f"{base}.tree.json"


def anchor_uri_for(job_id) -> str:
    return f"{settings.AGORA_BASE_URL.rstrip('/')}/anchors/{job_id}/v{SCHEMA_VERSION}.json"


def leaf_salt(kind: str, record_id: str) -> str:
    """HMAC-SHA256(AGORA_ANCHOR_SALT_KEY, kind || recordId as 32 bytes): deterministic, so a rebuild
    gives the same bytes; it keeps the door open to withholding a record without changing the format."""
    message = kind.encode() + bytes.fromhex(uuid_bytes32(record_id)[2:])
    return "0x" + hmac.new(settings.AGORA_ANCHOR_SALT_KEY.encode(), message, hashlib.sha256).hexdigest()


def topic_record(job: Job) -> dict:
    reported = job.close_tx_hash is not None
    return plain({
        "id": str(job.id), "title": job.title, "prompt": job.prompt, "tags": list(job.tags),
        "bounty_units": str(job.bounty_units), "bounty_usdc": str(units_to_usdc(job.bounty_units)),
        "sponsor_address": job.sponsor_address, "created_at": iso_z(job.created_at), "status": job.status,
        "closed_at": iso_z(job.closed_at),
        # Close details are what the sponsor reported; nothing checks them against the chain yet.
        "close": {"tx_hash": job.close_tx_hash, "chain_id": job.close_chain_id,
                  "contract_address": job.close_contract_address, "block_number": job.close_block_number,
                  "log_index": job.close_log_index, "details": "reported" if reported else "none"},
    })


def result_record(job: Job) -> dict:
    receipt = job.receipt
    return plain({
        "topic_id": str(job.id), "winner_submission_id": str(receipt.winner_submission_id),
        "closed_at": iso_z(receipt.closed_at), "close_method": "sponsor",
        "ranking": [{"rank": row["rank"], "submission_id": row["submission_id"], "agent_address": row["agent_address"],
                     "weighted_votes": str(row["weighted_votes"]), "voters": str(row["voters"])}
                    for row in receipt.ranking],
        "policy": receipt.policy,
        "payout": {name: str(value) for name, value in receipt.payout.items()},
    })


def _submissions(job_id):
    rows = (Submission.objects.filter(job_id=job_id).order_by("created_at", "id")
            .values_list("id", "agent_address", "content", "evidence", "created_at"))
    for sid, agent, content, evidence, created_at in rows.iterator(chunk_size=_CHUNK):
        yield str(sid), plain({"id": str(sid), "topic_id": str(job_id), "agent_address": agent, "content": content,
                               "evidence": evidence, "created_at": iso_z(created_at)})


def _votes(job_id):
    rows = (Vote.objects.filter(job_id=job_id).order_by("created_at", "id")
            .values_list("id", "submission_id", "voter_address", "weight", "review", "created_at", "updated_at"))
    for vid, sid, voter, weight, review, created_at, updated_at in rows.iterator(chunk_size=_CHUNK):
        yield str(vid), {"id": str(vid), "topic_id": str(job_id), "submission_id": str(sid), "voter_address": voter,
                         "weight": str(weight), "review": review, "created_at": iso_z(created_at),
                         "updated_at": iso_z(updated_at)}


class _Writer:
    """Writes the snapshot's JCS bytes piece by piece (top-level keys in sorted order) and collects one
    leaf per record from the very bytes it writes."""

    def __init__(self, out, topic_id: str):
        self.out, self.topic_id, self.leaves = out, topic_id, []

    def raw(self, data: bytes) -> None:
        self.out.write(data)

    def record(self, kind: str, record_id: str, record: dict) -> None:
        body = canonical_json(record)
        self.out.write(body)
        self.leaves.append([kind, uuid_bytes32(self.topic_id), uuid_bytes32(record_id),
                            "0x" + keccak256(body).hex(), leaf_salt(kind, record_id)])

    def array(self, kind: str, rows) -> None:
        self.raw(b"[")
        for index, (record_id, record) in enumerate(rows):
            if index:
                self.raw(b",")
            self.record(kind, record_id, record)
        self.raw(b"]")


def snapshot_write(job: Job, out) -> list[list[str]]:
    """Write job's snapshot to the binary file `out`; return the leaf values (topic, submissions, votes,
    result: the order agora_sdk.anchoring.snapshot_records reads them back in)."""
    topic_id = str(job.id)
    w = _Writer(out, topic_id)
    topic, result = topic_record(job), result_record(job)
    w.raw(b'{"chain_id":' + canonical_json(settings.AGORA_CHAIN_ID) + b',"final_votes":[],"registry_address":'
          + canonical_json(settings.AGORA_ANCHOR_REGISTRY_ADDRESS) + b',"result":')
    result_at = len(w.leaves)
    w.record("result", topic_id, result)
    w.raw(b',"schema_version":' + canonical_json(SCHEMA_VERSION) + b',"submissions":')
    submissions_at = len(w.leaves)
    w.array("submission", _submissions(job.id))
    w.raw(b',"topic":')
    w.record("topic", topic_id, topic)
    w.raw(b',"votes":')
    votes_at = len(w.leaves)
    w.array("vote", _votes(job.id))
    w.raw(b"}")
    # The file's key order (JCS) is not the leaf order; leaves go topic, submissions, votes, result.
    topic_at = votes_at - 1
    leaves = w.leaves
    return [leaves[topic_at], *leaves[submissions_at:topic_at], *leaves[votes_at:], leaves[result_at]]


def anchor_build(*, job_id, actor: str = "anchor_build") -> AnchorBatch:
    """Build (or find) the anchor of a closed topic. Safe to run twice or concurrently: the files are
    the same bytes, and the row is created once under the topic's lock."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound("topic not found", code="job_not_found")
    if job.status != JobStatus.CLOSED:
        raise Conflict("only a closed topic is anchored", code="job_not_closed")
    existing = AnchorBatch.objects.filter(job_id=job.id).first()
    if existing is not None:
        return existing
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        leaves = snapshot_write(job, out)
        tree = StandardMerkleTree.of(leaves, LEAF_ENCODING)
        out.seek(0)
        salt = snapshot_salt(out.read())
        out.seek(0)
        snapshot_name, tree_name = anchor_file_names(job.id)
        _store(snapshot_name, File(out))
    _store(tree_name, ContentFile(json.dumps(tree.dump(), separators=(",", ":")).encode()))
    with transaction.atomic():
        Job.objects.select_for_update().filter(pk=job.id).first()
        anchor, created = AnchorBatch.objects.get_or_create(job_id=job.id, defaults={
            "schema_version": SCHEMA_VERSION, "anchor_root": tree.root, "salt": salt,
            "anchor_uri": anchor_uri_for(job.id), "snapshot_name": snapshot_name, "tree_name": tree_name,
            "leaves": len(leaves)})
        if created:
            JobEvent.objects.create(job_id=job.id, kind=JobEventKind.ANCHOR_BUILT, actor=actor,
                                    data={"root": tree.root, "leaves": len(leaves), "salt": salt})
    if anchor.anchor_root != tree.root:  # the rows changed after close, which nothing may do
        log.error("anchor_rebuild_differs", job_id=str(job.id), stored=anchor.anchor_root, rebuilt=tree.root)
    log.info("anchor_built", job_id=str(job.id), root=tree.root, leaves=len(leaves), created=created)
    return anchor


def _store(name: str, content) -> None:
    """Write a file under exactly `name` (Storage.save would pick another name if it exists)."""
    storage = anchor_storage()
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, content)
    if saved != name:
        raise RuntimeError(f"anchor storage saved {name} as {saved}")
