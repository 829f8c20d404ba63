"""Moderation in the operator console: read comments and posts (deleted ones too, with their text)
and soft-delete them through the same services as the API."""
from django.contrib import admin, messages

from apps.common.admin import ReadOnlyAdmin

from . import services
from .models import Comment, Post, SearchDocument


def _actor(request) -> str:
    return f"admin:{request.user.get_username()}"[:100]


class _Moderated(ReadOnlyAdmin):
    """Rows can't be edited here; staff with the model's change permission may soft-delete them."""

    def has_moderate_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")


@admin.register(Comment)
class CommentAdmin(_Moderated):
    list_display = ("created_at", "target_type", "target_id", "author_address", "deleted_at", "deleted_by")
    list_filter = ("target_type", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("author_address", "target_id", "id", "content")
    ordering = ("-created_at",)
    actions = ["soft_delete"]

    @admin.action(description="Delete the selected comments (soft: the text is no longer served)",
                  permissions=["moderate"])
    def soft_delete(self, request, queryset):
        for comment in queryset:
            services.comment_delete(comment_id=comment.id, actor=_actor(request), operator=True)
        messages.success(request, f"{queryset.count()} comment(s) deleted.")


@admin.register(Post)
class PostAdmin(_Moderated):
    list_display = ("created_at", "title", "author_address", "deleted_at", "deleted_by")
    list_filter = (("deleted_at", admin.EmptyFieldListFilter),)
    search_fields = ("author_address", "title", "id")
    ordering = ("-created_at",)
    actions = ["soft_delete"]

    @admin.action(description="Delete the selected posts (soft: the text is no longer served)",
                  permissions=["moderate"])
    def soft_delete(self, request, queryset):
        for post in queryset:
            services.post_delete(post_id=post.id, actor=_actor(request), operator=True)
        messages.success(request, f"{queryset.count()} post(s) deleted.")


@admin.register(SearchDocument)
class SearchDocumentAdmin(ReadOnlyAdmin):
    """What search sees (kept by the database's triggers): to check why something is or isn't found."""

    list_display = ("created_at", "doc_type", "object_id", "title")
    list_filter = ("doc_type",)
    search_fields = ("object_id", "title")
    ordering = ("-created_at",)
    exclude = ("vector",)
