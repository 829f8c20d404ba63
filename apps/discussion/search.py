"""Search over topics, submissions, comments and posts with PostgreSQL alone (no embeddings
service): full-text search on the search documents' tsvector (GIN), ranked by ts_rank; for
short queries, near matches on top (pg_trgm word similarity over a trigram GIN index, or
prefix matching where pg_trgm is not installed).

`similarity` is in (0, 1] and orders the results: full-text matches score above 0.5
(0.5 + ts_rank normalised to [0, 1) / 2), near matches below (their trigram similarity / 2, or
their prefix rank / 2), so an exact word always outranks a near one.
"""
import re
import uuid
from dataclasses import dataclass

from django.db import connection

from .rules import SHORT_QUERY_WORDS
from .trigram import trigram_available

# ts_rank normalisation 1|32: divide by 1 + log(document length), then map rank r to r / (r + 1).
_FULL_TEXT = """
SELECT d.doc_type, d.object_id, d.title, d.excerpt, d.topic_id, d.post_id,
       0.5 + ts_rank(d.vector, q.query, 33) / 2 AS similarity
FROM discussion_searchdocument d, websearch_to_tsquery('english', %s) AS q(query)
WHERE d.vector @@ q.query {type_filter}
ORDER BY similarity DESC, d.created_at DESC, d.object_id
LIMIT %s
"""
# `<%` is pg_trgm's word-similarity operator (threshold pg_trgm.word_similarity_threshold, 0.6),
# answered from the trigram index on head.
_TRIGRAM = """
SELECT d.doc_type, d.object_id, d.title, d.excerpt, d.topic_id, d.post_id,
       word_similarity(%s, d.head) / 2 AS similarity
FROM discussion_searchdocument d
WHERE %s <%% d.head {type_filter} AND NOT d.object_id = ANY(%s)
ORDER BY similarity DESC, d.created_at DESC, d.object_id
LIMIT %s
"""
_PREFIX = """
SELECT d.doc_type, d.object_id, d.title, d.excerpt, d.topic_id, d.post_id,
       ts_rank(d.vector, q.query, 33) / 2 AS similarity
FROM discussion_searchdocument d, to_tsquery('english', %s) AS q(query)
WHERE d.vector @@ q.query {type_filter} AND NOT d.object_id = ANY(%s)
ORDER BY similarity DESC, d.created_at DESC, d.object_id
LIMIT %s
"""
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchHit:
    type: str
    id: uuid.UUID
    title: str
    content: str
    similarity: float
    topic_id: uuid.UUID | None  # what the pages link to
    post_id: uuid.UUID | None


def _fetch(sql: str, before: list, after: list, doc_type: str | None) -> list[SearchHit]:
    """Runs one of the queries above; the type filter's parameter sits between `before` and `after`."""
    type_filter, params = ("AND d.doc_type = %s", [*before, doc_type, *after]) if doc_type else ("", before + after)
    with connection.cursor() as cur:
        cur.execute(sql.format(type_filter=type_filter), params)
        rows = cur.fetchall()
    return [SearchHit(type=t, id=pk, title=title, content=excerpt, similarity=round(float(sim), 4),
                      topic_id=topic, post_id=post)
            for t, pk, title, excerpt, topic, post, sim in rows]


def is_short(query: str) -> bool:
    return len(_WORD.findall(query)) <= SHORT_QUERY_WORDS


def search(*, query: str, doc_type: str | None, limit: int) -> list[SearchHit]:
    """Best first. `query` is cleaned already (rules.search_query_clean)."""
    hits = _fetch(_FULL_TEXT, [query], [limit], doc_type)
    if len(hits) >= limit or not is_short(query):
        return hits
    seen = [h.id for h in hits]
    if trigram_available():
        near = _fetch(_TRIGRAM, [query, query], [seen, limit - len(hits)], doc_type)
    else:
        words = _WORD.findall(query)
        if not words:
            return hits
        near = _fetch(_PREFIX, [" & ".join(f"{w}:*" for w in words)], [seen, limit - len(hits)], doc_type)
    return hits + near
