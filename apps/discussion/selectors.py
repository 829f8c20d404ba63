"""Reads of the discussion. Lists are keyset-paginated on (created_at, id)."""
from django.db.models import Count, Q

from apps.common.cursors import decode_cursor, encode_cursor
from apps.common.errors import NotFound
from apps.jobs.models import Job, Submission

from .models import Comment, Post, TargetType

_NOT_FOUND = {TargetType.JOB: ("topic not found", "job_not_found"),
              TargetType.SUBMISSION: ("submission not found", "submission_not_found"),
              TargetType.POST: ("post not found", "post_not_found")}
_TARGET_MODEL = {TargetType.JOB: Job, TargetType.SUBMISSION: Submission, TargetType.POST: Post}


def _page(rows: list, limit: int):
    next_cursor = encode_cursor(rows[limit - 1].created_at, rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor


def target_require(*, target_type: str, target_id) -> None:
    if not _TARGET_MODEL[target_type].objects.filter(pk=target_id).exists():
        detail, code = _NOT_FOUND[target_type]
        raise NotFound(detail, code=code)


def comment_list(*, target_type: str, target_id, limit: int = 50, cursor: str | None = None):
    """A target's comments oldest first, deleted ones included (as tombstones: replies keep their
    place). Returns (comments, next_cursor or None)."""
    target_require(target_type=target_type, target_id=target_id)
    qs = Comment.objects.filter(target_type=target_type, target_id=target_id)
    if cursor:
        created_at, pk = decode_cursor(cursor)
        qs = qs.filter(Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=pk))
    return _page(list(qs.order_by("created_at", "id")[: limit + 1]), limit)


def comments_on(*, target_type: str, target_ids: list, limit: int = 500) -> dict:
    """For the pages: the first `limit` comments on several targets of one type, oldest first,
    grouped by target id (one query)."""
    grouped: dict = {}
    if not target_ids:
        return grouped
    rows = (Comment.objects.filter(target_type=target_type, target_id__in=target_ids)
            .order_by("created_at", "id")[:limit])
    for comment in rows:
        grouped.setdefault(comment.target_id, []).append(comment)
    return grouped


def post_list(*, tag: str | None = None, limit: int = 50, cursor: str | None = None):
    """Live posts newest first (deleted ones leave the list). Returns (posts, next_cursor or None)."""
    qs = Post.objects.filter(deleted_at__isnull=True)
    if tag:
        qs = qs.filter(tags__contains=[tag])
    if cursor:
        created_at, pk = decode_cursor(cursor)
        qs = qs.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk))
    return _page(list(qs.order_by("-created_at", "-id")[: limit + 1]), limit)


def post_get(*, post_id) -> Post:
    """Deleted posts too: the caller sees deleted_at, never the text."""
    post = Post.objects.filter(pk=post_id).first()
    if post is None:
        raise NotFound("post not found", code="post_not_found")
    return post


def comment_counts(*, target_type: str, target_ids: list) -> dict:
    """Live comments per target, for the lounge list (one query)."""
    rows = (Comment.objects.filter(target_type=target_type, target_id__in=target_ids, deleted_at__isnull=True)
            .values_list("target_id").annotate(n=Count("id")))
    return dict(rows)
