"""Discussion pages: threads on the topic page (composed by agora.pages), the lounge, search.
Thin: parse, call one service or selector, render or redirect."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.auth.browser import signed_in_address
from apps.common.errors import ApplicationError
from apps.jobs.models import Submission
from apps.jobs.rules import MAX_TAG_LENGTH

from . import search, selectors, services
from .forms import CommentForm, PostForm
from .models import TargetType
from .rules import SEARCH_TYPES, search_query_clean, search_type_clean, thread_order
from .serializers import comment_representation

MAX_INDENT = 6
LOUNGE_PAGE = 20


def _thread(comments) -> list[dict]:
    return [{"comment": c, "api": comment_representation(c), "indent": min(depth, MAX_INDENT)}
            for c, depth in thread_order(comments)]


def _viewer(request) -> dict:
    me = signed_in_address(request)
    return {"viewer": me, "viewer_is_operator": services.is_operator(me)}


def topic_threads(request, job, context: dict) -> dict:
    """The topic page's discussion: the topic's thread, its submissions' threads, and whether the
    viewer may write (agora.pages.topic_detail adds this to the jobs app's context)."""
    submissions = context["submissions"]
    on_topic = selectors.comments_on(target_type=TargetType.JOB, target_ids=[job.id]).get(job.id, [])
    on_subs = selectors.comments_on(target_type=TargetType.SUBMISSION, target_ids=[s.id for s in submissions])
    viewer = _viewer(request)
    return {
        **viewer,
        "topic_thread": _thread(on_topic),
        "submission_threads": [{"submission": s, "thread": _thread(on_subs[s.id])} for s in submissions
                               if s.id in on_subs],
        "comment_refusal": services.write_refusal(address=viewer["viewer"], owners={job.sponsor_address}),
        "comment_count": sum(c.deleted_at is None for thread in (on_topic, *on_subs.values()) for c in thread),
    }


def _target_url(target_type: str, target_id) -> str:
    if target_type == TargetType.POST:
        return reverse("post_detail", kwargs={"post_id": target_id})
    if target_type == TargetType.SUBMISSION:
        target_id = Submission.objects.filter(pk=target_id).values_list("job_id", flat=True).first()
        if target_id is None:
            raise Http404("submission not found")
    return reverse("topic_detail", kwargs={"job_id": target_id})


@require_POST
def comment_new(request):
    address = signed_in_address(request)
    if address is None:
        return render(request, "jobs/sign_in_required.html", status=401)
    form = CommentForm(request.POST)
    valid = form.is_valid()
    if "target" in form.errors:
        raise Http404("no such thread")
    data = form.cleaned_data
    target_type, target_id = data["target"]
    back = _target_url(target_type, target_id)
    if not valid:
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        messages.error(request, f"The comment was not posted: {problems}")
        return redirect(back + "#discussion")
    try:
        comment = services.comment_create(target_type=target_type, target_id=target_id, author=address,
                                          content=data["content"], parent_id=data["parent_id"])
    except ApplicationError as exc:
        messages.error(request, f"The comment was not posted: {exc.detail}.")
        return redirect(back + "#discussion")
    return redirect(f"{back}#comment-{comment.id}")


@require_POST
def comment_delete(request, comment_id):
    address = signed_in_address(request)
    if address is None:
        return render(request, "jobs/sign_in_required.html", status=401)
    try:
        comment = services.comment_delete(comment_id=comment_id, actor=address)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404(exc.detail) from None
        return render(request, "403.html", {"reason": exc.detail[0].upper() + exc.detail[1:] + "."}, status=403)
    messages.success(request, "Comment deleted.")
    return redirect(f"{_target_url(comment.target_type, comment.target_id)}#comment-{comment.id}")


def lounge(request, form=None, status=200):
    tag = (request.GET.get("tag") or "").strip()[:MAX_TAG_LENGTH] or None
    try:
        posts, next_cursor = selectors.post_list(tag=tag, limit=LOUNGE_PAGE, cursor=request.GET.get("cursor") or None)
    except ApplicationError:  # a mangled cursor: start from the newest
        posts, next_cursor = selectors.post_list(tag=tag, limit=LOUNGE_PAGE)
    counts = selectors.comment_counts(target_type=TargetType.POST, target_ids=[p.id for p in posts])
    for post in posts:
        post.comment_count = counts.get(post.id, 0)
    viewer = _viewer(request)
    return render(request, "discussion/lounge.html", {
        **viewer, "posts": posts, "next_cursor": next_cursor, "tag": tag or "",
        "first_page": not request.GET.get("cursor"), "form": form or PostForm(),
        "post_refusal": services.write_refusal(address=viewer["viewer"], owners=set()),
    }, status=status)


@require_POST
def post_new(request):
    address = signed_in_address(request)
    if address is None:
        return render(request, "jobs/sign_in_required.html", status=401)
    form = PostForm(request.POST)
    if form.is_valid():
        try:
            post = services.post_create(author=address, title=form.cleaned_data["title"],
                                        content=form.cleaned_data["content"], tags=form.cleaned_data["tags"])
        except ApplicationError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, "Posted to the lounge.")
            return redirect("post_detail", post_id=post.id)
    return lounge(request, form=form, status=400)


def post_detail(request, post_id):
    try:
        post = selectors.post_get(post_id=post_id)
    except ApplicationError:
        raise Http404("post not found") from None
    viewer = _viewer(request)
    thread = selectors.comments_on(target_type=TargetType.POST, target_ids=[post.id]).get(post.id, [])
    refusal = ("This post was deleted; its thread is closed." if post.deleted_at else
               services.write_refusal(address=viewer["viewer"], owners={post.author_address}))
    return render(request, "discussion/post_detail.html", {
        **viewer, "post": post, "thread": _thread(thread), "comment_refusal": refusal,
        "can_delete": post.deleted_at is None and (viewer["viewer"] == post.author_address
                                                   or viewer["viewer_is_operator"]),
    })


@require_POST
def post_delete(request, post_id):
    address = signed_in_address(request)
    if address is None:
        return render(request, "jobs/sign_in_required.html", status=401)
    try:
        services.post_delete(post_id=post_id, actor=address)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404(exc.detail) from None
        return render(request, "403.html", {"reason": exc.detail[0].upper() + exc.detail[1:] + "."}, status=403)
    messages.success(request, "Post deleted.")
    return redirect("post_detail", post_id=post_id)


def _hit_url(hit) -> str:
    if hit.type == "post":
        return reverse("post_detail", kwargs={"post_id": hit.id})
    if hit.type == "job":
        return reverse("topic_detail", kwargs={"job_id": hit.id})
    page = (reverse("topic_detail", kwargs={"job_id": hit.topic_id}) if hit.topic_id
            else reverse("post_detail", kwargs={"post_id": hit.post_id}))
    return f"{page}#{hit.type}-{hit.id}"


def search_page(request):
    raw_q, raw_type = request.GET.get("q", ""), request.GET.get("type", "all")
    context = {"q": raw_q, "type": raw_type if raw_type in SEARCH_TYPES else "all", "types": SEARCH_TYPES,
               "hits": None, "error": None}
    if raw_q.strip():
        try:
            hits = search.search(query=search_query_clean(raw_q), doc_type=search_type_clean(raw_type), limit=50)
        except ApplicationError as exc:
            context["error"] = exc.detail[0].upper() + exc.detail[1:] + "."
        else:
            context["hits"] = [{"hit": hit, "url": _hit_url(hit)} for hit in hits]
    return render(request, "discussion/search.html", context, status=400 if context["error"] else 200)
