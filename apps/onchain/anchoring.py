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
from json.encoder import encode_basestring

import structlog
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import storages
from django.db import connection, transaction

from agora_sdk.anchoring import LEAF_ENCODING, SCHEMA_VERSION, canonical_json, plain, snapshot_salt, uuid_bytes32
from agora_sdk.merkle import StandardMerkleTree, keccak256
from apps.common.chain import units_to_usdc
from apps.common.errors import Conflict, NotFound
from apps.common.timefmt import iso_z
from apps.jobs.models import AnchorBatch, Job, JobEvent, JobEventKind, JobStatus, Submission, Vote

log = structlog.get_logger(__name__)
_CHUNK = 5000  # submissions per fetch of the ORM's server-side cursor
_FETCH = 10_000  # votes per round trip (a vote row is ~300 bytes: a few MB a fetch)
_JSON_SLICE = 10_000  # list items per json.dumps call when writing the tree dump
_SPOOL = 8 * 1024 * 1024  # past this a file being built goes to disk instead of memory
_PAD16 = bytes(16)  # a UUID's 16 bytes are left-padded to 32
_PAD16_HEX = "0x" + _PAD16.hex()


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
    return _Salter()(kind, bytes.fromhex(uuid_bytes32(record_id)[2:]))


class _Salter:
    """leaf_salt for many records: the keyed HMAC state is set up once and copied per leaf (hmac.new
    per record re-derives the padded key every time, about half the cost of a salt)."""

    def __init__(self):
        self._base = hmac.new(settings.AGORA_ANCHOR_SALT_KEY.encode(), digestmod=hashlib.sha256)

    def __call__(self, kind: str, record_id32: bytes) -> str:
        mac = self._base.copy()
        mac.update(kind.encode() + record_id32)
        return "0x" + mac.hexdigest()


def topic_record(job: Job) -> dict:
    details = "none" if job.close_tx_hash is None else "verified" if job.close_details_verified else "reported"
    return plain({
        "id": str(job.id), "title": job.title, "prompt": job.prompt, "tags": list(job.tags),
        "bounty_units": str(job.bounty_units), "bounty_usdc": str(units_to_usdc(job.bounty_units)),
        "sponsor_address": job.sponsor_address, "created_at": iso_z(job.created_at), "status": job.status,
        "closed_at": iso_z(job.closed_at),
        # "verified" when the close tx was checked on the configured chain at close (jobs/close_check.py),
        # "reported" when it is only the sponsor's word.
        "close": {"tx_hash": job.close_tx_hash, "chain_id": job.close_chain_id,
                  "contract_address": job.close_contract_address, "block_number": job.close_block_number,
                  "log_index": job.close_log_index, "details": details},
    })


def result_record(job: Job) -> dict:
    receipt = job.receipt
    return plain({
        "topic_id": str(job.id), "winner_submission_id": str(receipt.winner_submission_id),
        "closed_at": iso_z(receipt.closed_at), "close_method": receipt.close_method,
        "ranking": [{"rank": row["rank"], "submission_id": row["submission_id"], "agent_address": row["agent_address"],
                     "weighted_votes": str(row["weighted_votes"]), "voters": str(row["voters"])}
                    for row in receipt.ranking],
        "policy": receipt.policy,
        "payout": {name: str(value) for name, value in receipt.payout.items()},
    })


def _submissions(job_id):
    # Evidence is free-form JSON (floats, any keys): it goes through plain() and canonical_json like
    # the topic. Ten times fewer rows than votes, so the generic path costs little here.
    rows = (Submission.objects.filter(job_id=job_id).order_by("created_at", "id")
            .values_list("id", "agent_address", "content", "evidence", "created_at"))
    for sid, agent, content, evidence, created_at in rows.iterator(chunk_size=_CHUNK):
        yield sid.hex, canonical_json(plain({
            "id": str(sid), "topic_id": str(job_id), "agent_address": agent, "content": content,
            "evidence": evidence, "created_at": iso_z(created_at)}))


def _iso_z_sql(column: str) -> str:
    # iso_z() in SQL (PostgreSQL formats in C; loading 200k timestamps into datetimes and formatting them
    # back was a sixth of the build): UTC, a T, six fraction digits only when there is a fraction, a Z.
    utc = f"({column} AT TIME ZONE 'UTC')"
    return (f"to_char({utc}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
            f"CASE WHEN to_char({utc}, 'US') = '000000' THEN '' ELSE to_char({utc}, '.US') END || 'Z'")


_VOTES_SQL = (f"SELECT v.id::text, v.submission_id::text, v.voter_address, v.weight, v.review, "
              f"{_iso_z_sql('v.created_at')}, {_iso_z_sql('v.updated_at')} "
              f"FROM {Vote._meta.db_table} v WHERE v.job_id = %s ORDER BY v.created_at, v.id")


def _votes(job_id):
    """Votes as (id hex, canonical bytes). Their shape is fixed and every value is a string, so the JCS
    text is written directly (keys in sorted order, strings escaped by json's own encoder, as
    json.dumps(ensure_ascii=False) does) instead of a dict per vote through canonical_json: that
    halved the cost of a vote. tests/anchoring checks the bytes against canonical_json."""
    topic = str(job_id)
    text = encode_basestring
    with connection.chunked_cursor() as cursor:  # server-side: the rows stream, _FETCH per round trip
        cursor.execute(_VOTES_SQL, [job_id])
        while rows := cursor.fetchmany(_FETCH):
            for vid, sid, voter, weight, review, created_at, updated_at in rows:
                yield vid.replace("-", ""), (
                    f'{{"created_at":"{created_at}","id":"{vid}","review":{text(review)},"submission_id":"{sid}",'
                    f'"topic_id":"{topic}","updated_at":"{updated_at}","voter_address":{text(voter)},'
                    f'"weight":"{weight}"}}').encode()


class _Writer:
    """Writes the snapshot's JCS bytes piece by piece (top-level keys in sorted order) and collects one
    leaf per record from the very bytes it writes."""

    def __init__(self, out, topic_id: str):
        self.out, self.leaves = out, []
        self.topic32 = uuid_bytes32(topic_id)  # one string shared by every leaf
        self.salt = _Salter()
        self.keccak = keccak256

    def raw(self, data: bytes) -> None:
        self.out.write(data)

    def record(self, kind: str, record_hex: str, body: bytes) -> None:
        """record_hex: the record's UUID as 32 lowercase hex digits."""
        self.out.write(body)
        self.leaves.append([kind, self.topic32, _PAD16_HEX + record_hex, "0x" + self.keccak(body).hex(),
                            self.salt(kind, _PAD16 + bytes.fromhex(record_hex))])

    def array(self, kind: str, rows) -> None:
        self.raw(b"[")
        for index, (record_hex, body) in enumerate(rows):
            if index:
                self.raw(b",")
            self.record(kind, record_hex, body)
        self.raw(b"]")


def snapshot_write(job: Job, out) -> list[list[str]]:
    """Write job's snapshot to the binary file `out`; return the leaf values (topic, submissions, votes,
    result: the order agora_sdk.anchoring.snapshot_records reads them back in)."""
    topic_id = str(job.id)
    w = _Writer(out, topic_id)
    topic, result = canonical_json(topic_record(job)), canonical_json(result_record(job))
    w.raw(b'{"chain_id":' + canonical_json(settings.AGORA_CHAIN_ID) + b',"final_votes":[],"registry_address":'
          + canonical_json(settings.AGORA_ANCHOR_REGISTRY_ADDRESS) + b',"result":')
    result_at = len(w.leaves)
    w.record("result", job.id.hex, result)
    w.raw(b',"schema_version":' + canonical_json(SCHEMA_VERSION) + b',"submissions":')
    submissions_at = len(w.leaves)
    w.array("submission", _submissions(job.id))
    w.raw(b',"topic":')
    w.record("topic", job.id.hex, topic)
    w.raw(b',"votes":')
    votes_at = len(w.leaves)
    w.array("vote", _votes(job.id))
    w.raw(b"}")
    # The file's key order (JCS) is not the leaf order; leaves go topic, submissions, votes, result.
    topic_at = votes_at - 1
    leaves = w.leaves
    return [leaves[topic_at], *leaves[submissions_at:topic_at], *leaves[votes_at:], leaves[result_at]]


def _write_json(value: dict, out) -> None:
    """json.dumps(value, separators=(",", ":")) written to `out`, its lists encoded a slice at a time.
    A 110k-leaf tree dump is ~50 MB of JSON: one json.dumps held it twice (str, then bytes) on top of
    the tree. Slices still go through json's C encoder, so the bytes are the same."""
    out.write(b"{")
    for index, (key, item) in enumerate(value.items()):
        out.write((("," if index else "") + json.dumps(key) + ":").encode())
        if isinstance(item, list):
            out.write(b"[")
            for start in range(0, len(item), _JSON_SLICE):
                piece = json.dumps(item[start:start + _JSON_SLICE], separators=(",", ":"))
                out.write((("," if start else "") + piece[1:-1]).encode())
            out.write(b"]")
        else:
            out.write(json.dumps(item, separators=(",", ":")).encode())
    out.write(b"}")


def anchor_build(*, job_id, actor: str = "anchor_build") -> AnchorBatch:
    """Build (or find) the anchor of a closed topic. Runs under the topic's row lock, so a second
    builder (the sweep racing the on-commit task) waits, then finds the row: files are written once."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise NotFound("topic not found", code="job_not_found")
        if job.status != JobStatus.CLOSED:
            raise Conflict("only a closed topic is anchored", code="job_not_closed")
        existing = AnchorBatch.objects.filter(job_id=job.id).first()
        if existing is not None:
            return existing
        snapshot_name, tree_name = anchor_file_names(job.id)
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL) as out:
            leaves = snapshot_write(job, out)
            tree = StandardMerkleTree.of(leaves, LEAF_ENCODING)
            out.seek(0)
            salt = snapshot_salt(out.read())
            out.seek(0)
            _store(snapshot_name, File(out))
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL) as out:
            _write_json(tree.dump(), out)
            out.seek(0)
            _store(tree_name, File(out))
        # Files first, row last: a crash in between leaves files a rebuild overwrites with the same bytes.
        anchor = AnchorBatch.objects.create(
            job_id=job.id, schema_version=SCHEMA_VERSION, anchor_root=tree.root, salt=salt,
            anchor_uri=anchor_uri_for(job.id), snapshot_name=snapshot_name, tree_name=tree_name, leaves=len(leaves))
        JobEvent.objects.create(job_id=job.id, kind=JobEventKind.ANCHOR_BUILT, actor=actor,
                                data={"root": tree.root, "leaves": len(leaves), "salt": salt})
    log.info("anchor_built", job_id=str(job.id), root=tree.root, leaves=len(leaves))
    return anchor


def _store(name: str, content) -> None:
    """Write a file under exactly `name` (Storage.save would pick another name if it exists)."""
    storage = anchor_storage()
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, content)
    if saved != name:
        raise RuntimeError(f"anchor storage saved {name} as {saved}")
