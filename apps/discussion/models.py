"""Comments on topics, submissions and lounge posts; lounge posts; the search index.

Deleting is soft: deleted_at/deleted_by are set, the row stays (the admin shows it for
moderation) and its text is never served again by the API, the pages or search.
"""
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models

from apps.common.models import UUIDModel

from .rules import MAX_POST_TITLE


class TargetType(models.TextChoices):
    JOB = "job"
    SUBMISSION = "submission"
    POST = "post"


class Post(UUIDModel):
    title = models.CharField(max_length=MAX_POST_TITLE)
    content = models.TextField()
    author_address = models.CharField(max_length=42, db_index=True)
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        indexes = [
            # The lounge lists live posts newest first; tag filters use the containment index.
            models.Index(fields=["-created_at", "-id"], condition=models.Q(deleted_at__isnull=True),
                         name="post_live_newest"),
            GinIndex(fields=["tags"], opclasses=["jsonb_path_ops"], condition=models.Q(deleted_at__isnull=True),
                     name="post_live_tags"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(deleted_at__isnull=True, deleted_by__isnull=True)
                                              | models.Q(deleted_at__isnull=False, deleted_by__isnull=False),
                                              name="post_deleted_by_whom")]

    def __str__(self):
        return self.title


class Comment(UUIDModel):
    """On one target (a topic, a submission or a post), by id: the three live in different tables,
    so the service checks the target exists (none of them is ever hard-deleted)."""

    target_type = models.CharField(max_length=12, choices=TargetType.choices)
    target_id = models.UUIDField()
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies")
    author_address = models.CharField(max_length=42, db_index=True)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.CharField(max_length=100, null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id", "created_at", "id"], name="comment_thread_order")]
        constraints = [models.CheckConstraint(condition=models.Q(deleted_at__isnull=True, deleted_by__isnull=True)
                                              | models.Q(deleted_at__isnull=False, deleted_by__isnull=False),
                                              name="comment_deleted_by_whom")]

    def __str__(self):
        return f"comment {self.id} on {self.target_type} {self.target_id}"


class SearchDocument(models.Model):
    """One row per searchable topic, submission, live comment and live post. PostgreSQL triggers
    (migration 0002) write it whenever the source row is inserted or its text changes, and delete
    it when a comment or post is soft-deleted, so the index is current in the writer's transaction
    whoever writes (services, admin, bulk loads). Never written from Python."""

    object_id = models.UUIDField(primary_key=True)
    doc_type = models.CharField(max_length=12)
    title = models.TextField(help_text="shown with the result: the topic's or post's title (for a submission "
                                       "or comment, the title of what it belongs to)")
    excerpt = models.TextField(help_text="the first characters of the text")
    head = models.TextField(help_text="own title + the start of the text: what trigram matching reads")
    vector = SearchVectorField()
    created_at = models.DateTimeField()
    topic_id = models.UUIDField(null=True, blank=True, help_text="the topic it belongs to, if any")
    post_id = models.UUIDField(null=True, blank=True, help_text="the post it belongs to, if any")

    class Meta:
        indexes = [
            GinIndex(fields=["vector"], name="search_doc_vector"),
            # Very common queries read the newest documents first (search.py).
            models.Index(fields=["-created_at"], name="search_doc_newest"),
            models.Index(fields=["doc_type", "-created_at"], name="search_doc_type_newest"),
            models.Index(fields=["topic_id"], name="search_doc_topic"),
            models.Index(fields=["post_id"], name="search_doc_post"),
        ]
        # The trigram index on `head` exists only where pg_trgm could be installed (see trigram.py).
