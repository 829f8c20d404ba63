"""AnchorRegistry projection: link each AnchorPosted event to the anchor we built with that root, and
undo the link when a reorg removes the event. The indexer only reads blocks at or below the safe
head (head minus the confirmations), so a linked anchor is confirmed."""
from apps.jobs.models import AnchorBatch, AnchorStatus, JobEvent, JobEventKind

from .models import AnchorMismatch


def anchor_apply(stream, events) -> int:
    linked = 0
    for event in events:
        if event.name != "AnchorPosted":
            continue
        args = event.args
        anchor = AnchorBatch.objects.select_for_update().filter(anchor_root=args["root"]).first()
        reason = _mismatch(anchor, args, event.id)
        if reason:
            AnchorMismatch.objects.create(event_id=event.id, root=args["root"], reason=reason)
            continue
        anchor.status = AnchorStatus.CONFIRMED
        anchor.anchor_tx_hash, anchor.anchor_chain_id = event.tx_hash, stream.chain_id
        anchor.anchor_contract_address = stream.contract_address
        anchor.anchor_block_number, anchor.anchor_block_hash = event.block_number, event.block_hash
        anchor.anchor_log_index, anchor.anchor_event_id = event.log_index, event.id
        anchor.save()
        JobEvent.objects.create(job_id=anchor.job_id, kind=JobEventKind.ANCHOR_CONFIRMED, actor="indexer",
                                data={"event_id": event.id, "block_number": event.block_number})
        linked += 1
    return linked


def _mismatch(anchor, args, event_id) -> str:
    if anchor is None:
        return "no anchor was built with this root"
    if anchor.anchor_event_id and anchor.anchor_event_id != event_id:
        return f"this root was already confirmed by {anchor.anchor_event_id}"
    wrong = [name for name, ours, theirs in (("uri", anchor.anchor_uri, args["uri"]),
                                             ("schemaVersion", str(anchor.schema_version), str(args["schemaVersion"])),
                                             ("salt", anchor.salt, args["salt"])) if ours != theirs]
    if wrong:
        return f"{', '.join(wrong)} differ from the anchor of topic {anchor.job_id}"
    return ""


def anchor_unlink(event_ids) -> int:
    """A reorg removed these events: their anchors go back to exported (the Safe batch still exists)."""
    unlinked = 0
    for anchor in AnchorBatch.objects.select_for_update().filter(anchor_event_id__in=list(event_ids)):
        JobEvent.objects.create(job_id=anchor.job_id, kind=JobEventKind.ANCHOR_REORGED, actor="indexer",
                                data={"event_id": anchor.anchor_event_id, "block_number": anchor.anchor_block_number})
        anchor.status = AnchorStatus.EXPORTED
        for name in ("anchor_tx_hash", "anchor_chain_id", "anchor_contract_address", "anchor_block_number",
                     "anchor_block_hash", "anchor_log_index", "anchor_event_id"):
            setattr(anchor, name, None)
        anchor.save()
        unlinked += 1
    return unlinked
