"""Search over topics, submissions, comments and posts with PostgreSQL alone (no embeddings
service): full-text search on the search documents' tsvector (GIN), ranked by ts_rank; for
short queries, near matches on top (pg_trgm word similarity over a trigram GIN index, or
prefix matching where pg_trgm is not installed).

`similarity` is in (0, 1] and orders the results: full-text matches score above 0.5
(0.5 + ts_rank normalised to [0, 1) / 2), near matches below (their trigram similarity / 2, or
their prefix rank / 2), so an exact word always outranks a near one.

Cost: ranking reads every matching row, so it grows with the number of matches, not the size
of the table. Up to RANK_ALL matches (PostgreSQL's own estimate, from its statistics) are all
ranked: one GIN bitmap scan. A query more common than that (a word in several percent of all
documents says little on its own) ranks only its RECENT newest matches, found by reading the
newest documents first, at most WINDOW of them. bench/search.py measures both paths.
"""
import re
import uuid
from dataclasses import dataclass

from django.db import connection

from .rules import SHORT_QUERY_WORDS
from .trigram import trigram_available

RANK_ALL = 4000
RECENT = 250
WINDOW = 10_000

_SELECT = "SELECT d.doc_type, d.object_id, d.title, d.excerpt, d.topic_id, d.post_id, {score} AS similarity"
_ORDER = "ORDER BY similarity DESC, d.created_at DESC, d.object_id LIMIT %s"
# ts_rank normalisation 1|32: divide by 1 + log(document length), then map rank r to r / (r + 1).
_RANK = "0.5 + ts_rank(d.vector, q.query, 33) / 2"
_ESTIMATE = "EXPLAIN (FORMAT JSON) SELECT 1 FROM discussion_searchdocument d WHERE d.vector @@ {tsquery}"
_FULL_TEXT = f"""
{_SELECT.format(score=_RANK)}
FROM discussion_searchdocument d, {{tsquery}} AS q(query)
WHERE d.vector @@ q.query {{type_filter}}
{_ORDER}
"""
# The newest documents (of the type) first: an index range scan that stops after RECENT matches,
# or after WINDOW documents when the estimate was too hopeful (e.g. a phrase of common words).
_RECENT = f"""
{_SELECT.format(score=_RANK)}
FROM (SELECT m.* FROM (SELECT * FROM discussion_searchdocument d WHERE true {{type_filter}}
                       ORDER BY d.created_at DESC LIMIT %s) m, {{tsquery}} AS q(query)
      WHERE m.vector @@ q.query LIMIT %s) d, {{tsquery}} AS q(query)
{_ORDER}
"""
# `<%` is pg_trgm's word-similarity operator (threshold pg_trgm.word_similarity_threshold, 0.6),
# answered from the trigram index on head.
_TRIGRAM = f"""
{_SELECT.format(score="word_similarity(%s, d.head) / 2")}
FROM discussion_searchdocument d
WHERE %s <%% d.head {{type_filter}} AND NOT d.object_id = ANY(%s)
{_ORDER}
"""
_PREFIX = f"""
{_SELECT.format(score="ts_rank(d.vector, q.query, 33) / 2")}
FROM discussion_searchdocument d, to_tsquery('english', %s) AS q(query)
WHERE d.vector @@ q.query {{type_filter}} AND NOT d.object_id = ANY(%s)
{_ORDER}
"""
_WEBSEARCH = "websearch_to_tsquery('english', %s)"
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


def _rows(sql: str, params: list) -> list[SearchHit]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return [SearchHit(type=t, id=pk, title=title, content=excerpt, similarity=round(float(sim), 4),
                      topic_id=topic, post_id=post)
            for t, pk, title, excerpt, topic, post, sim in rows]


def _type_filter(doc_type: str | None) -> tuple[str, list]:
    return ("AND d.doc_type = %s", [doc_type]) if doc_type else ("", [])


def estimated_matches(query: str) -> float:
    """PostgreSQL's estimate of how many documents (of any type) match: what the full ranking
    would read. Planning only; nothing is executed."""
    with connection.cursor() as cur:
        cur.execute(_ESTIMATE.format(tsquery=_WEBSEARCH), [query])
        plan = cur.fetchone()[0]
    return float(plan[0]["Plan"]["Plan Rows"])


def full_text(query: str, doc_type: str | None, limit: int) -> list[SearchHit]:
    type_filter, type_params = _type_filter(doc_type)
    if estimated_matches(query) <= RANK_ALL:
        sql = _FULL_TEXT.format(tsquery=_WEBSEARCH, type_filter=type_filter)
        return _rows(sql, [query, *type_params, limit])
    sql = _RECENT.format(tsquery=_WEBSEARCH, type_filter=type_filter)
    return _rows(sql, [*type_params, WINDOW, query, RECENT, query, limit])


def is_short(query: str) -> bool:
    return len(_WORD.findall(query)) <= SHORT_QUERY_WORDS


def search(*, query: str, doc_type: str | None, limit: int) -> list[SearchHit]:
    """Best first. `query` is cleaned already (rules.search_query_clean)."""
    hits = full_text(query, doc_type, limit)
    if len(hits) >= limit or not is_short(query):
        return hits
    seen, wanted = [h.id for h in hits], limit - len(hits)
    type_filter, type_params = _type_filter(doc_type)
    if trigram_available():
        near = _rows(_TRIGRAM.format(type_filter=type_filter), [query, query, *type_params, seen, wanted])
    else:
        words = _WORD.findall(query)
        if not words:
            return hits
        tsquery = " & ".join(f"{w}:*" for w in words)
        near = _rows(_PREFIX.format(type_filter=type_filter), [tsquery, *type_params, seen, wanted])
    return hits + near
