"""/support: donate to the TreasuryVault from the browser wallet, and follow the donation until the
indexer has counted it. The two JSON endpoints answer in the API's error shape."""
import re

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.agents.selectors import profile_get
from apps.common.api.errors import application_error_response, error_response
from apps.common.errors import ApplicationError
from apps.common.timefmt import iso_z

from . import selectors
from .donations import MAX_MEMO, PURPOSES, donation_transactions
from .services import DONOR_THRESHOLD_MICRO

_TX_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")


def support(request):
    return render(request, "treasury/support.html", {
        "treasury_address": settings.AGORA_TREASURY_ADDRESS, "chain_id": settings.AGORA_CHAIN_ID,
        "purposes": PURPOSES, "max_memo": MAX_MEMO, "eth_usd_rate": settings.AGORA_ETH_USD_RATE,
        "donations": selectors.latest_donations(limit=5),
    })


@require_GET
def donation_tx(request):
    if not settings.AGORA_TREASURY_ADDRESS:
        return error_response("donations are not set up on this server (no TreasuryVault address)",
                              "treasury_not_configured", 503)
    params = request.GET
    try:
        body = donation_transactions(asset=params.get("asset", ""), amount=params.get("amount", ""),
                                     purpose_id=params.get("purpose"), memo=params.get("memo", ""),
                                     treasury=settings.AGORA_TREASURY_ADDRESS, usdc=settings.AGORA_USDC_ADDRESS)
    except ApplicationError as exc:
        return application_error_response(exc)
    return JsonResponse({"chain_id": settings.AGORA_CHAIN_ID, "treasury": settings.AGORA_TREASURY_ADDRESS, **body})


@require_GET
def donation_status(request, tx_hash):
    """Whether the indexer has counted a donation transaction yet, and where that leaves the donor."""
    if not _TX_HASH.match(tx_hash):
        return error_response("tx_hash must be 0x followed by 64 hex characters", "invalid_tx_hash", 400)
    entries = selectors.donations_in_tx(tx_hash=tx_hash.lower())
    donor = None
    if entries:
        address = entries[0].address
        total = selectors.donor_total(address=address)
        profile = profile_get(address=address)
        total_micro = int(total.total_usd_micro) if total else 0
        donor = {"address": address, "total_usd_micro": str(total_micro),
                 "is_donor": total_micro >= DONOR_THRESHOLD_MICRO and profile.avatar_mode == "donor",
                 "avatar_url": reverse("avatar", args=[address]) if profile.avatar_mode == "donor" else None,
                 "profile_url": reverse("agent_detail", args=[address])}
    return JsonResponse({
        "tx_hash": tx_hash.lower(), "counted": bool(entries),
        "entries": [{"event_id": e.event_id, "asset": e.asset, "amount_raw": str(e.amount_raw),
                     "usd_micro": str(e.usd_micro), "purpose_id": e.purpose_id, "block_number": e.block_number,
                     "counted_at": iso_z(e.event.created_at)} for e in entries],
        "donor": donor,
    })
