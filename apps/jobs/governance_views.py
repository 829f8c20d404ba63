"""The final vote and boosts on the sponsor pages: what the topic page shows, and the two forms."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.auth.browser import signed_in_address
from apps.common.errors import ApplicationError

from . import boost_services, final_vote_services
from .final_vote_selectors import final_vote_of, final_vote_tally
from .forms import BoostForm
from .models import JobStatus
from .selectors import job_get


def final_vote_context(job, me: str | None) -> dict:
    """The final-vote panel: phase (open / ended / closed), tallies, the viewer's vote, and whether the
    viewer may finalize now (the service checks all of it again)."""
    tally = final_vote_tally(job_id=job.id)
    is_open = job.status == JobStatus.OPEN
    ended = timezone.now() >= job.final_vote_ends_at
    mine = final_vote_of(job_id=job.id, voter=me) if me else None
    top = tally[0]["votes"] if tally else 0
    for row in tally:
        row["bar_pct"] = round(100 * row["votes"] / top) if top else 0
    return {
        "final_tally": tally, "final_votes_cast": sum(row["votes"] for row in tally),
        "final_phase": "closed" if not is_open else "ended" if ended else "open",
        "my_final_vote": mine,
        "can_finalize": is_open and ended and mine is not None and top > 0,
        "can_boost": is_open and me is not None,
    }


def _job_or_404(job_id):
    try:
        return job_get(job_id=job_id)
    except ApplicationError:
        raise Http404("topic not found") from None


def _signed_in_or_403(request, reason: str):
    me = signed_in_address(request)
    if me is None:
        return None, render(request, "403.html", {"reason": reason}, status=403)
    return me, None


@require_POST
def topic_finalize(request, job_id):
    job = _job_or_404(job_id)
    me, refused = _signed_in_or_403(request, "Sign in with the wallet that cast a final vote to finalize.")
    if refused:
        return refused
    try:
        final_vote_services.job_finalize(job_id=job.id, actor=me)
    except ApplicationError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, "Finalized: the final vote's top submission won. The receipt below is final.")
    return redirect("topic_detail", job_id=job.id)


@require_POST
def topic_boost(request, job_id):
    job = _job_or_404(job_id)
    me, refused = _signed_in_or_403(request, "Sign in to boost a topic with your AGR.")
    if refused:
        return refused
    form = BoostForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("topic_detail", job_id=job.id)
    try:
        boost = boost_services.job_boost(job_id=job.id, booster=me, amount_agr=form.cleaned_data["amount_agr"],
                                         duration_hours=form.cleaned_data["duration_hours"])
    except ApplicationError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"Boosted with {boost.amount_agr} AGR for {boost.duration_hours} h.")
    return redirect("topic_detail", job_id=job.id)
