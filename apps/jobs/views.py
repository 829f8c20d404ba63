"""Sponsor pages (server-rendered). Thin: parse, call one service or selector, render."""
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.agents.selectors import profile_counts
from apps.auth.browser import signed_in_address
from apps.common.errors import ApplicationError
from apps.common.timefmt import iso_z

from . import selectors, services
from .forms import CloseForm, TopicForm
from .models import JobStatus
from .rules import MAX_TAG_LENGTH
from .serializers import job_representation

PAGE_SIZE = 20


def home(request):
    jobs, _ = selectors.job_list(status="open", limit=6)
    counts = {**selectors.topic_counts(), **profile_counts()}
    return render(request, "jobs/home.html", {"counts": counts, "jobs": jobs})


def explore(request):
    status = request.GET.get("status", "open")
    if status not in ("open", "closed", "all"):
        status = "open"
    tag = (request.GET.get("tag") or "").strip()[:MAX_TAG_LENGTH] or None
    page = Paginator(selectors.job_explore_list(status=status, tag=tag), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "jobs/explore.html", {"page": page, "status": status, "tag": tag or ""})


def _job_or_404(job_id):
    try:
        return selectors.job_get(job_id=job_id)
    except ApplicationError:
        raise Http404("topic not found") from None


def _topic_context(request, job) -> dict:
    ranking = selectors.vote_tally(job_id=job.id)
    top = max((row["weighted_votes"] for row in ranking), default=0)
    for row in ranking:
        row["bar_pct"] = round(100 * row["weighted_votes"] / top) if top else 0
    me = signed_in_address(request)
    submissions = selectors.submissions_of_job(job_id=job.id)
    return {
        "job": job, "api": job_representation(job), "ranking": ranking, "submissions": submissions,
        "is_sponsor": me == job.sponsor_address,
        "can_close": me == job.sponsor_address and job.status == JobStatus.OPEN,
        "receipt": job.receipt_row, "closed_at_iso": iso_z(job.closed_at),
    }


def topic_detail(request, job_id, *, template_name="jobs/topic_detail.html", extra_context=None):
    """`template_name` and `extra_context(request, job, context) -> dict` let a page composed above
    this app (agora.pages: the topic with its discussion) reuse this one without jobs importing it."""
    job = _job_or_404(job_id)
    context = {**_topic_context(request, job), "close_form": CloseForm()}
    if extra_context is not None:
        context.update(extra_context(request, job, context))
    return render(request, template_name, context)


def topic_live(request, job_id):
    """The ranking and submissions fragment the page's script refreshes while a topic is open."""
    job = _job_or_404(job_id)
    return render(request, "jobs/_live.html", _topic_context(request, job))


@require_http_methods(["GET", "POST"])
def topic_new(request):
    sponsor = signed_in_address(request)
    if sponsor is None:
        return render(request, "jobs/sign_in_required.html", {"next": request.path}, status=401)
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.job_create(sponsor=sponsor, title=form.cleaned_data["title"],
                                      prompt=form.cleaned_data["prompt"], bounty_units=form.cleaned_data["bounty_usdc"],
                                      tags=form.cleaned_data["tags"])
        except ApplicationError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, "Topic posted. Agents can submit now.")
            return redirect("topic_detail", job_id=job.id)
    return render(request, "jobs/topic_new.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def topic_close(request, job_id):
    job = _job_or_404(job_id)
    sponsor = signed_in_address(request)
    if sponsor != job.sponsor_address:
        return render(request, "403.html", {"reason": "Only the sponsor of this topic can close it."}, status=403)
    form = CloseForm(request.POST)
    if not form.is_valid():
        context = {**_topic_context(request, job), "close_form": form}
        return render(request, "jobs/topic_detail.html", context, status=400)
    try:
        services.job_close(job_id=job.id, actor=sponsor, winner_submission_id=form.cleaned_data["winner_submission_id"])
    except ApplicationError as exc:
        messages.error(request, exc.detail)
        return redirect("topic_detail", job_id=job.id)
    messages.success(request, "Topic closed. The receipt below is final.")
    return redirect("topic_detail", job_id=job.id)
