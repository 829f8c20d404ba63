"""Getting anchors on chain: the Safe Transaction Builder export operators load into Safe{Wallet},
direct posting on dev chains, and the manual receipt checked over RPC."""
import structlog
from django.conf import settings
from django.db import transaction
from eth_account import Account

from apps.common.chain_client import contract, load_artifact, send, web3_for
from apps.common.errors import Conflict, InvalidInput, NotFound, ServiceUnavailable
from apps.jobs.models import AnchorBatch, AnchorStatus, JobEvent, JobEventKind

from .deployment import ANVIL_DEFAULT_KEY, DEV_CHAIN_IDS
from .events import decode_log
from .safe_batch import SafeCall, safe_batch_build

log = structlog.get_logger(__name__)


def _post_anchor_fragment() -> dict:
    return next(item for item in load_artifact("AnchorRegistry")["abi"]
                if item.get("type") == "function" and item["name"] == "postAnchor")


def _registry() -> str:
    if not settings.AGORA_ANCHOR_REGISTRY_ADDRESS:
        raise InvalidInput("AGORA_ANCHOR_REGISTRY_ADDRESS is not set", code="registry_not_configured")
    return settings.AGORA_ANCHOR_REGISTRY_ADDRESS


@transaction.atomic
def anchor_export(*, anchor_ids: list, safe_address: str, actor: str, reason: str = "") -> dict:
    """A Transaction Builder batch with one postAnchor per anchor; marks them exported. Exporting an
    anchor again needs a reason: posting the same root twice is harmless on chain but confuses people."""
    registry = _registry()
    anchors = list(AnchorBatch.objects.select_for_update().filter(pk__in=anchor_ids).order_by("created_at", "id"))
    if not anchors:
        raise InvalidInput("no anchors selected", code="nothing_to_export")
    confirmed = [str(a.job_id) for a in anchors if a.status in (AnchorStatus.POSTED, AnchorStatus.CONFIRMED)]
    if confirmed:
        raise Conflict(f"already on chain: topics {', '.join(confirmed)}", code="anchor_already_posted")
    again = [str(a.job_id) for a in anchors if a.exports]
    if again and not reason.strip():
        raise InvalidInput(f"topics {', '.join(again)} were exported before; give a reason to export them again",
                           code="reason_required")
    fragment = _post_anchor_fragment()
    calls = [SafeCall(to=registry, function=fragment, values={
        "root": a.anchor_root, "uri": a.anchor_uri, "schemaVersion": a.schema_version, "salt": a.salt})
        for a in anchors]
    batch = safe_batch_build(chain_id=settings.AGORA_CHAIN_ID, safe_address=safe_address,
                             name=f"Agora anchors ({len(anchors)})",
                             description="postAnchor for closed topics: " + ", ".join(str(a.job_id) for a in anchors),
                             calls=calls)
    for anchor in anchors:
        anchor.status, anchor.exports = AnchorStatus.EXPORTED, anchor.exports + 1
        anchor.save(update_fields=["status", "exports", "updated_at"])
        JobEvent.objects.create(job_id=anchor.job_id, kind=JobEventKind.ANCHOR_EXPORTED, actor=actor,
                                data={"safe": safe_address.lower(), "export": anchor.exports, "reason": reason})
    return batch


def anchor_post_dev(*, anchor: AnchorBatch, actor: str, key: str = ANVIL_DEFAULT_KEY) -> AnchorBatch:
    """Post an anchor from a key the server holds. Dev chains only: in production the Safe posts."""
    w3 = web3_for(settings.AGORA_RPC_URL)
    chain_id = w3.eth.chain_id
    if chain_id not in DEV_CHAIN_IDS:
        raise Conflict(f"anchor_post only posts on dev chains {sorted(DEV_CHAIN_IDS)}, not {chain_id}; "
                       "export the anchors for the Safe instead", code="not_a_dev_chain")
    registry = contract(w3, "AnchorRegistry", _registry())
    account = Account.from_key(key)
    if registry.functions.owner().call().lower() != account.address.lower():
        raise Conflict("the registry's owner is not a key this server holds", code="not_registry_owner")
    root, salt = bytes.fromhex(anchor.anchor_root[2:]), bytes.fromhex(anchor.salt[2:])
    receipt = send(w3, account, registry.functions.postAnchor(root, anchor.anchor_uri, anchor.schema_version, salt))
    tx_hash = "0x" + receipt["transactionHash"].hex().removeprefix("0x")
    log_index = next(int(item["logIndex"]) for item in receipt["logs"]
                     if item["address"].lower() == _registry())
    return anchor_mark_posted(anchor_id=anchor.id, tx_hash=tx_hash, chain_id=chain_id, contract_address=_registry(),
                              block_number=receipt["blockNumber"], log_index=log_index, actor=actor)


@transaction.atomic
def anchor_mark_posted(*, anchor_id, tx_hash: str, chain_id: int, contract_address: str, block_number: int,
                       log_index: int, actor: str) -> AnchorBatch:
    anchor = AnchorBatch.objects.select_for_update().get(pk=anchor_id)
    if anchor.status == AnchorStatus.CONFIRMED:
        return anchor  # the indexer got there first: its record wins
    anchor.status = AnchorStatus.POSTED
    anchor.anchor_tx_hash, anchor.anchor_chain_id, anchor.anchor_contract_address = tx_hash, chain_id, contract_address
    anchor.anchor_block_number, anchor.anchor_log_index = block_number, log_index
    anchor.save()
    JobEvent.objects.create(job_id=anchor.job_id, kind=JobEventKind.ANCHOR_POSTED, actor=actor,
                            data={"tx_hash": tx_hash, "block_number": block_number, "log_index": log_index})
    return anchor


def anchor_receipt_record(*, job_id, actor: str, tx_hash: str, chain_id: int, contract_address: str,
                          block_number: int, log_index: int) -> AnchorBatch:
    """The manual fallback: an operator reports where the Safe posted the root. Checked over RPC: the
    log must be there, from the registry, and carry exactly this anchor's root, uri, schema and salt."""
    anchor = AnchorBatch.objects.filter(job_id=job_id).first()
    if anchor is None:
        raise NotFound("this topic has no anchor yet", code="anchor_not_found")
    if chain_id != settings.AGORA_CHAIN_ID:
        raise Conflict(f"anchors are posted on chain {settings.AGORA_CHAIN_ID}, not {chain_id}", code="wrong_chain")
    if contract_address != _registry():
        raise Conflict("that is not the configured AnchorRegistry", code="wrong_contract")
    found = _receipt_log(tx_hash, log_index)
    if found is None:
        raise Conflict("no such log: the transaction or the log index is not on chain", code="anchor_log_not_found")
    raw, decoded = found
    if raw["address"].lower() != contract_address or int(raw["blockNumber"], 16) != block_number:
        raise Conflict("the log is not from the registry at that block", code="anchor_log_mismatch")
    if decoded is None or decoded[0] != "AnchorPosted":
        raise Conflict("the log is not an AnchorPosted event", code="anchor_log_mismatch")
    args = decoded[1]
    expected = {"root": anchor.anchor_root, "uri": anchor.anchor_uri, "schemaVersion": str(anchor.schema_version),
                "salt": anchor.salt}
    wrong = [name for name, value in expected.items() if str(args.get(name)) != value]
    if wrong:
        raise Conflict(f"the posted {', '.join(wrong)} differ from this topic's anchor", code="anchor_log_mismatch")
    return anchor_mark_posted(anchor_id=anchor.id, tx_hash=tx_hash, chain_id=chain_id,
                              contract_address=contract_address, block_number=block_number, log_index=log_index,
                              actor=actor)


def _receipt_log(tx_hash: str, log_index: int):
    try:
        receipt = web3_for(settings.AGORA_RPC_URL, timeout=10).provider.make_request(
            "eth_getTransactionReceipt", [tx_hash])
    except ValueError as exc:  # no RPC URL configured
        raise ServiceUnavailable(str(exc), code="rpc_unavailable") from None
    except Exception as exc:
        raise ServiceUnavailable(f"could not reach the chain: {type(exc).__name__}", code="rpc_unavailable") from None
    result = (receipt or {}).get("result")
    if not result or result.get("status") not in ("0x1", 1):
        return None
    for raw in result.get("logs", []):
        if int(raw["logIndex"], 16) == log_index:
            return raw, decode_log("AnchorRegistry", raw)
    return None

