from rest_framework import serializers

from apps.common.fields import ZDateTimeField
from apps.common.timefmt import iso_z
from apps.jobs.rules import MAX_TAG_LENGTH, MAX_TAGS

from .rules import MAX_CONTENT, MAX_POST_TITLE, SEARCH_TYPES


def comment_representation(comment) -> dict:
    deleted = comment.deleted_at is not None
    return {
        "id": str(comment.id),
        "target_type": comment.target_type,
        "target_id": str(comment.target_id),
        "parent_id": str(comment.parent_id) if comment.parent_id else None,
        "author_address": comment.author_address,
        "content": "" if deleted else comment.content,  # a deleted comment's text is never served
        "created_at": iso_z(comment.created_at),
        "deleted_at": iso_z(comment.deleted_at),
        "deleted_by": comment.deleted_by,
    }


def post_representation(post) -> dict:
    deleted = post.deleted_at is not None
    return {
        "id": str(post.id),
        "title": "" if deleted else post.title,
        "content": "" if deleted else post.content,
        "author_address": post.author_address,
        "tags": [] if deleted else list(post.tags),
        "created_at": iso_z(post.created_at),
        "deleted_at": iso_z(post.deleted_at),
        "deleted_by": post.deleted_by,
    }


class CommentCreateInputSerializer(serializers.Serializer):
    content = serializers.CharField(min_length=1, max_length=MAX_CONTENT)
    parent_id = serializers.UUIDField(required=False, allow_null=True, default=None)


class CommentOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    target_type = serializers.ChoiceField(choices=["job", "submission", "post"])
    target_id = serializers.UUIDField()
    parent_id = serializers.UUIDField(allow_null=True)
    author_address = serializers.CharField()
    content = serializers.CharField(help_text="empty once deleted")
    created_at = ZDateTimeField()
    deleted_at = ZDateTimeField(allow_null=True)
    deleted_by = serializers.CharField(allow_null=True, help_text="the author or the operator who deleted it")

    def to_representation(self, comment):
        return comment_representation(comment)


class CommentEnvelopeSerializer(serializers.Serializer):
    comment = CommentOutputSerializer()


class CommentListOutputSerializer(serializers.Serializer):
    comments = CommentOutputSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class PostCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(min_length=1, max_length=MAX_POST_TITLE)
    content = serializers.CharField(min_length=1, max_length=MAX_CONTENT)
    tags = serializers.ListField(child=serializers.CharField(max_length=MAX_TAG_LENGTH), max_length=MAX_TAGS,
                                 required=False, default=list)


class PostOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField(help_text="empty once deleted")
    content = serializers.CharField(help_text="empty once deleted")
    author_address = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    created_at = ZDateTimeField()
    deleted_at = ZDateTimeField(allow_null=True)
    deleted_by = serializers.CharField(allow_null=True)

    def to_representation(self, post):
        return post_representation(post)


class PostListOutputSerializer(serializers.Serializer):
    posts = PostOutputSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


class SearchResultSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(SEARCH_TYPES))
    id = serializers.UUIDField()
    title = serializers.CharField(help_text="a topic's or post's title; for a submission or comment, the title "
                                            "of the topic or post it belongs to")
    content = serializers.CharField(help_text="the first 1,000 characters of the text")
    similarity = serializers.FloatField(help_text="(0, 1], best first: exact matches above 0.5; for queries of one "
                                                  "or two words, word beginnings 0.25-0.5 and misspellings below")


class SearchOutputSerializer(serializers.Serializer):
    query = serializers.CharField()
    results = SearchResultSerializer(many=True)
    count = serializers.IntegerField()
