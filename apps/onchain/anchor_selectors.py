"""Reads of published anchor files: the snapshot and tree dump as stored, and a record's proof."""
import json

from agora_sdk.anchoring import KINDS, snapshot_records, uuid_bytes32
from agora_sdk.merkle import StandardMerkleTree
from apps.common.errors import InvalidInput, NotFound
from apps.common.ids import as_uuid
from apps.jobs.rules import tree_uri_for
from apps.jobs.selectors import anchor_get

from .anchoring import anchor_storage


def anchor_file_read(*, job_id, tree: bool = False) -> bytes:
    """The stored bytes, exactly as built (the snapshot's keccak256 is the anchor's salt)."""
    anchor = anchor_get(job_id=job_id)
    name = anchor.tree_name if tree else anchor.snapshot_name
    storage = anchor_storage()
    if not storage.exists(name):
        raise NotFound("the anchor file is missing from storage", code="anchor_file_missing")
    with storage.open(name, "rb") as handle:
        return handle.read()


def anchor_record_proof(*, job_id, record_id, kind: str | None = None) -> dict:
    """A record of a closed topic with its leaf, proof and the anchor's chain receipt. The topic and the
    result share the topic's id as record id: without `kind` the topic's leaf is answered."""
    record_id = str(as_uuid(record_id, field="record_id"))
    if kind is not None and kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}", code="invalid_kind")
    anchor = anchor_get(job_id=job_id)
    tree = StandardMerkleTree.load(json.loads(anchor_file_read(job_id=job_id, tree=True)))
    snapshot = json.loads(anchor_file_read(job_id=job_id))
    wanted = uuid_bytes32(record_id)
    for found, rid, record in snapshot_records(snapshot):
        if uuid_bytes32(rid) != wanted or (kind is not None and found != kind):
            continue
        index = next(i for i, value in enumerate(tree.values) if value[0] == found and value[2] == wanted)
        return {"job_id": str(anchor.job_id), "record_id": record_id, "kind": found, "leaf": tree.values[index],
                "proof": tree.get_proof(index), "root": tree.root, "record": record,
                "anchor_uri": anchor.anchor_uri, "tree_uri": tree_uri_for(anchor.anchor_uri),
                "receipt": {"chain_id": anchor.anchor_chain_id, "contract_address": anchor.anchor_contract_address,
                            "tx_hash": anchor.anchor_tx_hash, "block_number": anchor.anchor_block_number,
                            "log_index": anchor.anchor_log_index, "status": anchor.status}}
    raise NotFound("no record with that id in this topic's snapshot", code="record_not_found")

