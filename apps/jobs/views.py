"""Sponsor pages (server-rendered). Thin: parse, call one service or selector, render."""
from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.agents.selectors import profile_counts
from apps.auth.browser import signed_in_address
from apps.common.api.errors import RateLimited
from apps.common.api.ratelimit import enforce, enforce_write_for
from apps.common.errors import ApplicationError
from apps.common.timefmt import iso_z

from . import selectors, services
from .forms import BoostForm, CloseForm, TopicForm
from .governance_views import final_vote_context
from .models import JobStatus
from .policy import policy_current
from .rules import MAX_TAG_LENGTH
from .serializers import job_representation

PAGE_SIZE = 20
# The live fragment is fetched every 5 s by every open topic page: it shows one page of submissions
# and the top of the ranking, never all of them.
SUBMISSIONS_PER_PAGE = 20
RANKING_SHOWN = 50


def home(request):
    jobs = selectors.job_explore_list(status="open", tag=None)[:6]  # featured topics lead
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
        row["sponsors_own"] = row["agent_address"] == job.sponsor_address  # from before sponsors were refused
    me = signed_in_address(request)
    submissions = Paginator(selectors.submissions_of_job_query(job_id=job.id), SUBMISSIONS_PER_PAGE) \
        .get_page(request.GET.get("page"))
    return {
        "job": job, "api": job_representation(job), "ranking": ranking, "ranking_shown": ranking[:RANKING_SHOWN],
        "ranking_hidden": max(0, len(ranking) - RANKING_SHOWN), "submissions": submissions,
        "is_sponsor": me == job.sponsor_address,
        "can_close": me == job.sponsor_address and job.status == JobStatus.OPEN,
        "receipt": job.receipt_row, "closed_at_iso": iso_z(job.closed_at),
        **final_vote_context(job, me),
    }


def topic_detail(request, job_id, *, template_name="jobs/topic_detail.html", extra_context=None):
    """`template_name` and `extra_context(request, job, context) -> dict` let a page composed above
    this app (agora.pages: the topic with its discussion) reuse this one without jobs importing it."""
    job = _job_or_404(job_id)
    context = {**_topic_context(request, job), "close_form": CloseForm(), "boost_form": BoostForm()}
    if extra_context is not None:
        context.update(extra_context(request, job, context))
    return render(request, template_name, context)


def topic_live(request, job_id):
    """The ranking and submissions fragment the page's script refreshes while a topic is open."""
    try:
        enforce(request, group="page-live", key="ip", per_minute=settings.AGORA_LIVE_RATE_LIMIT_PER_MIN)
    except RateLimited as exc:  # the page's script backs off and keeps showing the last fragment
        return _too_many(request, "jobs/_live_limited.html", {}, exc)
    job = _job_or_404(job_id)
    return render(request, "jobs/_live.html", _topic_context(request, job))


def _too_many(request, template, context, exc: RateLimited):
    response = render(request, template, {**context, "retry_after": exc.retry_after}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@require_http_methods(["GET", "POST"])
def topic_new(request):
    sponsor = signed_in_address(request)
    if sponsor is None:
        return render(request, "jobs/sign_in_required.html", {"next": request.path}, status=401)
    form = TopicForm(request.POST or None)
    if request.method == "POST":
        try:
            enforce_write_for(request, sponsor)  # the same per-address budget as the API's writes
        except RateLimited as exc:
            form.add_error(None, f"Too many changes from this wallet; try again in {exc.retry_after} s.")
            return _too_many(request, "jobs/topic_new.html", {"form": form}, exc)
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
    return render(request, "jobs/topic_new.html", {"form": form, "policy": policy_current()},
                  status=400 if form.errors else 200)


@require_POST
def topic_close(request, job_id):
    job = _job_or_404(job_id)
    sponsor = signed_in_address(request)
    if sponsor != job.sponsor_address:
        return render(request, "403.html", {"reason": "Only the sponsor of this topic can close it."}, status=403)
    try:
        enforce_write_for(request, sponsor)
    except RateLimited as exc:
        messages.error(request, f"Too many changes from this wallet; try again in {exc.retry_after} s.")
        response = redirect("topic_detail", job_id=job.id)
        response["Retry-After"] = str(exc.retry_after)
        return response
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
