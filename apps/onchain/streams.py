"""Creating streams: one per (chain, contract), starting at the contract's deployment block."""
from django.conf import settings
from django.db import transaction

from apps.common.chain import normalize_address
from apps.common.errors import InvalidInput

from .deployment import read_deployment
from .events import STREAM_CONTRACTS
from .models import ChainStream

_DEPLOYED_NAMES = {"StakeVault": "stake_vault", "TreasuryVault": "treasury_vault", "AnchorRegistry": "anchor_registry"}


@transaction.atomic
def stream_ensure(*, name: str, chain_id: int, contract_address: str, start_block: int) -> ChainStream:
    if name not in STREAM_CONTRACTS:
        raise InvalidInput(f"unknown stream {name!r}; one of {', '.join(STREAM_CONTRACTS)}", code="unknown_stream")
    address = normalize_address(contract_address, field="contract_address")
    stream, _ = ChainStream.objects.get_or_create(
        chain_id=chain_id, contract_address=address,
        defaults={"name": name, "start_block": start_block, "next_block": start_block,
                  "range_size": settings.AGORA_ONCHAIN_START_RANGE})
    return stream


def streams_from_deployment() -> list[ChainStream]:
    """The streams for the deployment file's contracts (created on first use)."""
    data = read_deployment(settings.AGORA_DEPLOYMENT_FILE) or {}
    streams = []
    for contract, info in data.get("contracts", {}).items():
        if contract in _DEPLOYED_NAMES:
            streams.append(stream_ensure(name=_DEPLOYED_NAMES[contract], chain_id=data["chain_id"],
                                         contract_address=info["address"], start_block=info["block_number"]))
    return streams


def stream_by_name(name: str) -> ChainStream:
    streams_from_deployment()
    stream = ChainStream.objects.filter(name=name).order_by("-chain_id").first()
    if stream is None:
        known = ", ".join(ChainStream.objects.values_list("name", flat=True)) or "none"
        raise InvalidInput(f"no stream named {name!r} (streams: {known})", code="unknown_stream")
    return stream
