from django.shortcuts import render

from . import selectors


def slashing(request):
    """Public: every indexed slash with the proposal that explains it, and the proposals still open."""
    return render(request, "slashing/slashing.html", {
        "events": list(selectors.slashing_event_list(limit=100)),
        "proposals": list(selectors.proposal_list(status="pending", limit=100)),
    })
