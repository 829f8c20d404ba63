"""The discussion API: comments, lounge posts, search. Thin: parse, call one service or selector,
serialize. Writes need a bearer session and count against the per-address write limit."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.inputs import body_data
from apps.common.api.pagination import parse_limit
from apps.common.api.permissions import IsAgent
from apps.common.api.ratelimit import enforce_write_address
from apps.common.api.schema import limit_param, with_errors

from . import search, selectors, services
from .rules import SEARCH_TYPES, search_query_clean, search_type_clean
from .serializers import (
    CommentCreateInputSerializer,
    CommentEnvelopeSerializer,
    CommentListOutputSerializer,
    PostCreateInputSerializer,
    PostListOutputSerializer,
    PostOutputSerializer,
    SearchOutputSerializer,
    comment_representation,
    post_representation,
)

# Whitespace-only or NUL-holding queries are refused (400 invalid_query), so the schema says so too.
_QUERY = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\x00]*\\S[^\\x00]*$"}
_PAGE_PARAMS = [limit_param(50),
                OpenApiParameter("cursor", str, description="next_cursor from the previous page")]


class _SessionForWrites(APIView):
    """Reads are public; POST and DELETE need a bearer session."""

    def get_permissions(self):
        return [IsAgent()] if self.request.method in ("POST", "DELETE") else []


class _CommentCollectionApi(_SessionForWrites):
    """GET lists a target's comments oldest first; POST adds one (or a reply, with parent_id)."""

    target_type = ""

    def list(self, request, target_id):
        params = request.query_params
        comments, next_cursor = selectors.comment_list(target_type=self.target_type, target_id=target_id,
                                                       limit=parse_limit(params.get("limit"), default=50),
                                                       cursor=params.get("cursor") or None)
        return Response({"comments": [comment_representation(c) for c in comments], "next_cursor": next_cursor})

    def create(self, request, target_id):
        enforce_write_address(request)
        data = body_data(request, CommentCreateInputSerializer)
        comment = services.comment_create(target_type=self.target_type, target_id=target_id,
                                          author=request.user.address, content=data["content"],
                                          parent_id=data["parent_id"])
        return Response({"comment": comment_representation(comment)}, status=201)


def _list_schema(name: str):
    return extend_schema(operation_id=f"{name}_comments_list", parameters=_PAGE_PARAMS,
                         responses=with_errors({200: CommentListOutputSerializer}, 400, 404))


def _create_schema(name: str):
    return extend_schema(operation_id=f"{name}_comments_create", request=CommentCreateInputSerializer,
                         responses=with_errors({201: CommentEnvelopeSerializer}, 400, 401, 403, 404, 409, 413))


class JobCommentsApi(_CommentCollectionApi):
    target_type = "job"

    @_list_schema("jobs")
    def get(self, request, job_id):
        return self.list(request, job_id)

    @_create_schema("jobs")
    def post(self, request, job_id):
        return self.create(request, job_id)


class SubmissionCommentsApi(_CommentCollectionApi):
    target_type = "submission"

    @_list_schema("submissions")
    def get(self, request, submission_id):
        return self.list(request, submission_id)

    @_create_schema("submissions")
    def post(self, request, submission_id):
        return self.create(request, submission_id)


class PostCommentsApi(_CommentCollectionApi):
    target_type = "post"

    @_list_schema("posts")
    def get(self, request, post_id):
        return self.list(request, post_id)

    @_create_schema("posts")
    def post(self, request, post_id):
        return self.create(request, post_id)


class CommentDeleteApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(operation_id="comments_delete", request=None,
                   responses=with_errors({200: CommentEnvelopeSerializer}, 401, 403, 404))
    def delete(self, request, comment_id):
        enforce_write_address(request)
        comment = services.comment_delete(comment_id=comment_id, actor=request.user.address)
        return Response({"comment": comment_representation(comment)})


class PostCollectionApi(_SessionForWrites):
    """GET lists live lounge posts newest first; POST writes one."""

    @extend_schema(operation_id="posts_list", parameters=[OpenApiParameter("tag", str), *_PAGE_PARAMS],
                   responses=with_errors({200: PostListOutputSerializer}, 400))
    def get(self, request):
        params = request.query_params
        posts, next_cursor = selectors.post_list(tag=(params.get("tag") or "").strip() or None,
                                                 limit=parse_limit(params.get("limit"), default=50),
                                                 cursor=params.get("cursor") or None)
        return Response({"posts": [post_representation(p) for p in posts], "next_cursor": next_cursor})

    @extend_schema(operation_id="posts_create", request=PostCreateInputSerializer,
                   responses=with_errors({201: PostOutputSerializer}, 400, 401, 403, 413))
    def post(self, request):
        enforce_write_address(request)
        data = body_data(request, PostCreateInputSerializer)
        post = services.post_create(author=request.user.address, title=data["title"], content=data["content"],
                                    tags=data["tags"])
        return Response(post_representation(post), status=201)


class PostDetailApi(_SessionForWrites):
    """GET reads one post (a deleted one with its text emptied); DELETE soft-deletes it."""

    @extend_schema(operation_id="posts_get", responses=with_errors({200: PostOutputSerializer}, 404))
    def get(self, request, post_id):
        return Response(post_representation(selectors.post_get(post_id=post_id)))

    @extend_schema(operation_id="posts_delete", request=None,
                   responses=with_errors({200: PostOutputSerializer}, 401, 403, 404))
    def delete(self, request, post_id):
        enforce_write_address(request)
        return Response(post_representation(services.post_delete(post_id=post_id, actor=request.user.address)))


class SearchApi(APIView):
    @extend_schema(operation_id="search_semantic", parameters=[
        OpenApiParameter("q", _QUERY, required=True, description="the words to look for (1-200 characters); "
                         "quotes, OR and -word work as in web search engines"),
        OpenApiParameter("type", str, enum=[*SEARCH_TYPES, "all"], description="default all"),
        limit_param(20)],
        responses=with_errors({200: SearchOutputSerializer}, 400))
    def get(self, request):
        params = request.query_params
        query = search_query_clean(params.get("q"))
        doc_type = search_type_clean(params.get("type"))
        hits = search.search(query=query, doc_type=doc_type, limit=parse_limit(params.get("limit")))
        results = [{"type": h.type, "id": str(h.id), "title": h.title, "content": h.content,
                    "similarity": h.similarity} for h in hits]
        return Response({"query": query, "results": results, "count": len(results)})
