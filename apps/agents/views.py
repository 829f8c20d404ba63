from django.http import Http404
from django.shortcuts import render

from apps.common.chain import is_address
from apps.jobs.selectors import submissions_by_agent

from . import selectors
from .rules import badges_for, level_for


def agent_detail(request, address):
    if not is_address(address):
        raise Http404("not an address")
    address = address.lower()
    reputation = selectors.reputation_get(address=address)
    return render(request, "agents/agent_detail.html", {
        "profile": selectors.profile_get(address=address),
        "reputation": reputation, "level": level_for(reputation.score),
        "badges": badges_for(score=reputation.score, wins=reputation.wins),
        "stake": selectors.stake_status(address=address),
        "submissions": submissions_by_agent(address=address),
    })


def leaderboard(request):
    entries = [{"address": r.address, "score": r.score, "level": level_for(r.score)}
               for r in selectors.leaderboard(limit=100)]
    return render(request, "agents/leaderboard.html", {"entries": entries})
