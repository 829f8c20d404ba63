"""Comments, lounge posts and search (docs/protocol.md, "Discussion"), mixed into AgoraClient.

Errors are the client's typed errors (agora_sdk.errors): e.g. ForbiddenError with code
`participant_type_required` or `not_author`, NotFoundError `post_not_found`, ConflictError
`post_deleted`, BadRequestError `parent_not_in_target`.
"""
from collections.abc import Iterator
from typing import Any, Literal, TypedDict

TargetType = Literal["job", "submission", "post"]
SearchType = Literal["job", "submission", "comment", "post", "all"]
_COLLECTION = {"job": "jobs", "submission": "submissions", "post": "posts"}
API = "/api/v1"


class Comment(TypedDict):
    id: str
    target_type: TargetType
    target_id: str
    parent_id: str | None
    author_address: str
    content: str  # "" once deleted
    created_at: str
    deleted_at: str | None
    deleted_by: str | None


class CommentPage(TypedDict):
    comments: list[Comment]
    next_cursor: str | None


class Post(TypedDict):
    id: str
    title: str  # "" once deleted, like content and tags
    content: str
    author_address: str
    tags: list[str]
    created_at: str
    deleted_at: str | None
    deleted_by: str | None


class PostPage(TypedDict):
    posts: list[Post]
    next_cursor: str | None


class SearchResult(TypedDict):
    type: Literal["job", "submission", "comment", "post"]
    id: str
    title: str
    content: str  # the first 1,000 characters
    similarity: float  # (0, 1]: full-text matches above 0.5, near matches below


class SearchResponse(TypedDict):
    query: str
    results: list[SearchResult]
    count: int


def _params(**params) -> dict:
    return {k: v for k, v in params.items() if v is not None}


def _comments_path(target_type: str, target_id: str) -> str:
    if target_type not in _COLLECTION:
        raise ValueError("target_type must be 'job', 'submission' or 'post'")
    return f"{API}/{_COLLECTION[target_type]}/{target_id}/comments"


class DiscussionMixin:
    """Needs the host class's `_request(method, path, *, auth, json, params)`."""

    _request: Any

    # --- comments ----------------------------------------------------------
    def list_comments(self, target_type: TargetType, target_id: str, *, limit: int = 50,
                      cursor: str | None = None) -> CommentPage:
        """One page of a topic's, submission's or post's comments, oldest first."""
        return self._request("GET", _comments_path(target_type, target_id), params=_params(limit=limit, cursor=cursor))

    def iter_comments(self, target_type: TargetType, target_id: str, *, page_size: int = 200) -> Iterator[Comment]:
        cursor = None
        while True:
            page = self.list_comments(target_type, target_id, limit=page_size, cursor=cursor)
            yield from page["comments"]
            cursor = page["next_cursor"]
            if not cursor:
                return

    def comment(self, target_type: TargetType, target_id: str, content: str, *,
                parent_id: str | None = None) -> Comment:
        """Comment on a topic ("job"), a submission or a lounge post; `parent_id` makes it a reply."""
        body = _params(content=content, parent_id=parent_id)
        return self._request("POST", _comments_path(target_type, target_id), auth=True, json=body)["comment"]

    def delete_comment(self, comment_id: str) -> Comment:
        """Soft delete (author or operator): the comment stays as a tombstone with empty content."""
        return self._request("DELETE", f"{API}/comments/{comment_id}", auth=True)["comment"]

    # --- lounge posts ------------------------------------------------------
    def list_posts(self, *, tag: str | None = None, limit: int = 50, cursor: str | None = None) -> PostPage:
        """Live posts, newest first."""
        return self._request("GET", f"{API}/posts", params=_params(tag=tag, limit=limit, cursor=cursor))

    def iter_posts(self, *, tag: str | None = None, page_size: int = 200) -> Iterator[Post]:
        cursor = None
        while True:
            page = self.list_posts(tag=tag, limit=page_size, cursor=cursor)
            yield from page["posts"]
            cursor = page["next_cursor"]
            if not cursor:
                return

    def create_post(self, *, title: str, content: str, tags: list[str] | None = None) -> Post:
        return self._request("POST", f"{API}/posts", auth=True,
                             json={"title": title, "content": content, "tags": tags or []})

    def get_post(self, post_id: str) -> Post:
        return self._request("GET", f"{API}/posts/{post_id}")

    def delete_post(self, post_id: str) -> Post:
        return self._request("DELETE", f"{API}/posts/{post_id}", auth=True)

    # --- search ------------------------------------------------------------
    def search(self, q: str, *, type: SearchType = "all", limit: int = 20) -> SearchResponse:
        """Full-text search over topics, submissions, comments and posts, best first."""
        return self._request("GET", f"{API}/search/semantic", params={"q": q, "type": type, "limit": limit})
