"""Writes of the discussion: posts and comments, created and soft-deleted.

Who may write (docs/protocol.md, "Discussion"): a signed-in wallet that passes the submit gate
(participant_type=agent and, outside demo, the minimum stake), because wallets are free and the
stake is what makes spam cost something. The owners of a thread may always write in it: a topic's
sponsor on the topic and its submissions, a submission's author on that submission, a post's
author on the post. Deleting is for the author or an operator.
"""
import structlog
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.agents.eligibility import require_can_submit
from apps.common.errors import Conflict, Forbidden, InvalidInput, NotFound
from apps.common.ids import as_uuid
from apps.common.services import audit_record
from apps.jobs.models import Job, Submission
from apps.jobs.rules import tags_clean

from .models import Comment, Post, TargetType
from .rules import MAX_CONTENT, MAX_POST_TITLE

log = structlog.get_logger(__name__)


def is_operator(address: str | None) -> bool:
    return bool(address) and address in settings.AGORA_OPERATOR_ADDRESSES


def _require_text(value: str, *, field: str, maximum: int) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > maximum:
        raise InvalidInput(f"{field} must be 1-{maximum} characters", code="invalid")
    if "\x00" in value:
        raise InvalidInput(f"{field} must not contain NUL characters", code="invalid")
    return value


def _require_may_write(address: str, *, owners: set[str]) -> None:
    if address not in owners:
        require_can_submit(address)


@transaction.atomic
def post_create(*, author: str, title: str, content: str, tags: list[str]) -> Post:
    title = _require_text(title.strip(), field="title", maximum=MAX_POST_TITLE)
    content = _require_text(content, field="content", maximum=MAX_CONTENT)
    tags = tags_clean(tags)
    require_can_submit(author)
    post = Post.objects.create(title=title, content=content, author_address=author, tags=tags)
    log.info("post_created", post_id=str(post.id), author=author)
    return post


def _may_delete(*, author: str, actor: str, operator: bool) -> bool:
    return actor == author or operator or is_operator(actor)


@transaction.atomic
def post_delete(*, post_id, actor: str, operator: bool = False) -> Post:
    """Soft delete; deleting again changes nothing. `operator` is for the admin console, whose
    staff are operators without a wallet address."""
    post = Post.objects.select_for_update().filter(pk=as_uuid(post_id, field="post_id")).first()
    if post is None:
        raise NotFound("post not found", code="post_not_found")
    if not _may_delete(author=post.author_address, actor=actor, operator=operator):
        raise Forbidden("only the author or an operator may delete this post", code="not_author")
    if post.deleted_at is None:
        post.deleted_at, post.deleted_by = timezone.now(), actor
        post.save(update_fields=["deleted_at", "deleted_by"])
        if actor != post.author_address:  # moderation: say who removed someone else's words
            audit_record(actor=actor, action="post_delete", subject=str(post.id), data={"author": post.author_address})
        log.info("post_deleted", post_id=str(post.id), actor=actor)
    return post


def _target_owners(target_type: str, target_id) -> set[str]:
    """Who owns the thread; NotFound when the target doesn't exist, 409 for a deleted post."""
    if target_type == TargetType.JOB:
        row = Job.objects.filter(pk=target_id).values_list("sponsor_address").first()
        if row is None:
            raise NotFound("topic not found", code="job_not_found")
        return set(row)
    if target_type == TargetType.SUBMISSION:
        row = (Submission.objects.filter(pk=target_id).values_list("agent_address", "job__sponsor_address").first())
        if row is None:
            raise NotFound("submission not found", code="submission_not_found")
        return set(row)
    # A share lock: comments on one post go side by side, and a delete (FOR UPDATE) waits for them.
    post = next(iter(Post.objects.raw(
        "SELECT id, author_address, deleted_at FROM discussion_post WHERE id = %s FOR SHARE", [target_id])), None)
    if post is None:
        raise NotFound("post not found", code="post_not_found")
    if post.deleted_at is not None:
        raise Conflict("this post was deleted", code="post_deleted")
    return {post.author_address}


@transaction.atomic
def comment_create(*, target_type: str, target_id, author: str, content: str, parent_id=None) -> Comment:
    if target_type not in TargetType.values:
        raise InvalidInput("target_type must be job, submission or post", code="invalid_target_type")
    target_id = as_uuid(target_id, field="target_id")
    content = _require_text(content, field="content", maximum=MAX_CONTENT)
    owners = _target_owners(target_type, target_id)
    _require_may_write(author, owners=owners)
    if parent_id is not None:
        parent_id = as_uuid(parent_id, field="parent_id")
        if not Comment.objects.filter(pk=parent_id, target_type=target_type, target_id=target_id).exists():
            raise InvalidInput("parent_id is not a comment on the same target", code="parent_not_in_target")
    comment = Comment.objects.create(target_type=target_type, target_id=target_id, parent_id=parent_id,
                                     author_address=author, content=content)
    log.info("comment_created", comment_id=str(comment.id), target_type=target_type, target_id=str(target_id))
    return comment


@transaction.atomic
def comment_delete(*, comment_id, actor: str, operator: bool = False) -> Comment:
    """Soft delete; deleting again changes nothing. Replies stay, under a tombstone."""
    comment = Comment.objects.select_for_update().filter(pk=as_uuid(comment_id, field="comment_id")).first()
    if comment is None:
        raise NotFound("comment not found", code="comment_not_found")
    if not _may_delete(author=comment.author_address, actor=actor, operator=operator):
        raise Forbidden("only the author or an operator may delete this comment", code="not_author")
    if comment.deleted_at is None:
        comment.deleted_at, comment.deleted_by = timezone.now(), actor
        comment.save(update_fields=["deleted_at", "deleted_by"])
        if actor != comment.author_address:
            audit_record(actor=actor, action="comment_delete", subject=str(comment.id),
                         data={"author": comment.author_address})
        log.info("comment_deleted", comment_id=str(comment.id), actor=actor)
    return comment


def write_refusal(*, address: str | None, owners: set[str]) -> str | None:
    """For the pages: why `address` may not write in a thread owned by `owners`, or None if it may."""
    if address is None:
        return "Sign in with your wallet to join the discussion."
    try:
        _require_may_write(address, owners=owners)
    except Forbidden as exc:
        return exc.detail[0].upper() + exc.detail[1:] + "."
    return None
