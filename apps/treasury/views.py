from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render

from apps.agents.selectors import profile_get
from apps.common.chain import is_address

from . import selectors
from .avatars import avatar_svg


def treasury(request):
    usdc = settings.AGORA_USDC_ADDRESS
    totals = selectors.totals_by_purpose()
    for row in totals:
        row["asset_label"] = selectors.asset_label(row["asset"], usdc)
        row["decimals"] = 18 if row["asset_label"] == "ETH" else 6 if row["asset_label"] == "USDC" else 0
    donations = list(selectors.latest_donations())
    for entry in donations:
        entry.asset_label = selectors.asset_label(entry.asset, usdc)
    return render(request, "treasury/treasury.html", {
        "totals": totals, "donations": donations, "treasury_address": settings.AGORA_TREASURY_ADDRESS})


def avatar(request, address):
    """The avatar at a stable URL. Donors get theirs from address + first donation event id."""
    if not is_address(address):
        raise Http404("not an address")
    profile = profile_get(address=address.lower())
    response = HttpResponse(avatar_svg(profile.avatar_seed), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=300"
    response["ETag"] = f'"{profile.avatar_seed}"'
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
