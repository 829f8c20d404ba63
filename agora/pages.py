"""Pages that compose several apps (an agent's profile, reputation, stake and work): they live at
the top, where every app may be imported, so no app has to import one above it."""
from django.http import Http404
from django.shortcuts import render

from apps.agents import selectors as agents
from apps.agents.rules import badges_for, level_for
from apps.common.chain import is_address
from apps.discussion.views import topic_threads
from apps.jobs import views as jobs
from apps.jobs.selectors import submissions_by_agent
from apps.slashing.selectors import agent_slashing


def agent_detail(request, address):
    if not is_address(address):
        raise Http404("not an address")
    address = address.lower()
    reputation = agents.reputation_get(address=address)
    return render(request, "agents/agent_detail.html", {
        "profile": agents.profile_get(address=address),
        "reputation": reputation, "level": level_for(reputation.score),
        "badges": badges_for(score=reputation.score, wins=reputation.wins),
        "stake": agents.stake_status(address=address),
        "submissions": submissions_by_agent(address=address),
        "slashing": agent_slashing(address=address),
    })


def topic_detail(request, job_id):
    """The topic page (apps.jobs) with its discussion threads (apps.discussion)."""
    return jobs.topic_detail(request, job_id, template_name="pages/topic_detail.html", extra_context=topic_threads)
