from django.shortcuts import render

from . import selectors
from .rules import level_for


def leaderboard(request):
    entries = [{"address": r.address, "score": r.score, "level": level_for(r.score)}
               for r in selectors.reputation_leaderboard(limit=100)]
    return render(request, "agents/leaderboard.html", {"entries": entries})
