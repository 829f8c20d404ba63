"""Limits and pure rules of the discussion: comments, lounge posts and search queries."""
from apps.common.errors import InvalidInput

MAX_CONTENT = 20000
MAX_POST_TITLE = 200
MAX_QUERY = 200
SEARCH_TYPES = ("job", "submission", "comment", "post")
# Queries of at most this many words also get near matches (trigram, or prefix without pg_trgm).
SHORT_QUERY_WORDS = 2


def search_type_clean(raw) -> str | None:
    """None for every type; otherwise one of SEARCH_TYPES."""
    value = (raw or "all").strip().lower()
    if value == "all":
        return None
    if value not in SEARCH_TYPES:
        raise InvalidInput("type must be job, submission, comment, post or all", code="invalid_type")
    return value


def search_query_clean(raw) -> str:
    value = " ".join((raw or "").split())
    if not value:
        raise InvalidInput("q is required: the words to search for", code="invalid_query")
    if len(value) > MAX_QUERY or "\x00" in value:
        raise InvalidInput(f"q must be at most {MAX_QUERY} characters, without NUL", code="invalid_query")
    return value


def thread_order(comments) -> list[tuple]:
    """(comment, depth) in reading order: each comment followed by its replies, oldest first at
    every level. `comments` come oldest first; a reply whose parent is not among them (on another
    page) is shown at the top level rather than dropped."""
    by_parent: dict = {}
    ids = {c.id for c in comments}
    for comment in comments:
        parent = comment.parent_id if comment.parent_id in ids else None
        by_parent.setdefault(parent, []).append(comment)
    ordered, stack = [], [(c, 0) for c in reversed(by_parent.get(None, []))]
    while stack:  # iterative, so a deep reply chain can't hit the recursion limit
        comment, depth = stack.pop()
        ordered.append((comment, depth))
        stack.extend((child, depth + 1) for child in reversed(by_parent.get(comment.id, [])))
    return ordered
