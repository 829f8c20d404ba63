"""Search over topics, submissions, comments and posts with PostgreSQL alone (no embeddings
service): full-text search on the search documents' tsvector (GIN), ranked by ts_rank.
Queries of one or two words also get near matches when the exact ones don't fill the page:
first word beginnings (`word:*`, the same GIN index), then misspellings (pg_trgm word
similarity on each document's title and opening, through a trigram GIN index; only where
pg_trgm is installed, and only for queries of at least MIN_TRIGRAM characters, below which
trigrams match nearly everything).

`similarity` is in (0, 1] and orders the results: exact matches score above 0.5 (0.5 + ts_rank
normalised to [0, 1) / 2), word beginnings 0.25-0.5, misspellings below 0.25, so an exact word
always outranks a near one.

Cost: ranking reads every matching row, so it grows with the number of matches, not the size
of the table. Up to RANK_ALL matches (PostgreSQL's own estimate, from its statistics) are all
ranked: one GIN bitmap scan. A query more common than that (a word in several percent of all
documents says little on its own) ranks only its RECENT newest matches, found by reading the
newest documents first, at most WINDOW of them. bench/search.py measures each path.
"""
import re
import uuid
from dataclasses import dataclass

from django.db import connection

from .rules import SHORT_QUERY_WORDS
from .trigram import trigram_available

RANK_ALL = 3000
RECENT = 250
WINDOW = 10_000
MIN_TRIGRAM = 5

_WEBSEARCH = "websearch_to_tsquery('english', %s)"
_PREFIXES = "to_tsquery('english', %s)"
# ts_rank normalisation 1|32: divide by 1 + log(document length), then map rank r to r / (r + 1).
_EXACT = "0.5 + ts_rank(d.vector, q.query, 33) / 2"
_BEGINNING = "0.25 + ts_rank(d.vector, q.query, 33) / 4"
_SELECT = "SELECT d.doc_type, d.object_id, d.title, d.excerpt, d.topic_id, d.post_id, {score} AS similarity"
_ORDER = "ORDER BY similarity DESC, d.created_at DESC, d.object_id LIMIT %s"
_ESTIMATE = "EXPLAIN (FORMAT JSON) SELECT 1 FROM discussion_searchdocument d WHERE d.vector @@ {tsquery}"
# Every match ranked (GIN bitmap scan). Placeholders: tsquery, type, limit.
_ALL_MATCHES = f"""
{_SELECT}
FROM discussion_searchdocument d, {{tsquery}} AS q(query)
WHERE d.vector @@ q.query {{type_filter}} AND NOT d.object_id = ANY(%s)
{_ORDER}
"""
# The newest documents (of the type) first: an index range scan that stops after RECENT matches,
# or after WINDOW documents when the estimate was too hopeful (e.g. a phrase of common words).
# Placeholders: type, WINDOW, tsquery, exclusions, RECENT, tsquery, limit.
_RECENT_MATCHES = f"""
{_SELECT}
FROM (SELECT m.* FROM (SELECT * FROM discussion_searchdocument d WHERE true {{type_filter}}
                       ORDER BY d.created_at DESC LIMIT %s) m, {{tsquery}} AS q(query)
      WHERE m.vector @@ q.query AND NOT m.object_id = ANY(%s) LIMIT %s) d, {{tsquery}} AS q(query)
{_ORDER}
"""
# `<%` is pg_trgm's word-similarity operator (threshold pg_trgm.word_similarity_threshold, 0.6),
# answered from the trigram index on head.
_MISSPELLED = f"""
{_SELECT}
FROM discussion_searchdocument d
WHERE %s <%% d.head {{type_filter}} AND NOT d.object_id = ANY(%s)
{_ORDER}
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


def _rows(sql: str, params: list) -> list[SearchHit]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return [SearchHit(type=t, id=pk, title=title, content=excerpt, similarity=round(float(sim), 4),
                      topic_id=topic, post_id=post)
            for t, pk, title, excerpt, topic, post, sim in rows]


def _type_filter(doc_type: str | None) -> tuple[str, list]:
    return ("AND d.doc_type = %s", [doc_type]) if doc_type else ("", [])


def estimated_matches(tsquery: str, text: str) -> float:
    """PostgreSQL's estimate of how many documents (of any type) match: what ranking them all
    would read. Planning only; nothing is executed."""
    with connection.cursor() as cur:
        cur.execute(_ESTIMATE.format(tsquery=tsquery), [text])
        plan = cur.fetchone()[0]
    return float(plan[0]["Plan"]["Plan Rows"])


def ranked(tsquery: str, text: str, *, score: str, doc_type: str | None, limit: int, exclude: list) -> list:
    """Documents matching `tsquery` (SQL taking `text`), best first, without those in `exclude`."""
    type_filter, type_params = _type_filter(doc_type)
    if estimated_matches(tsquery, text) <= RANK_ALL:
        sql = _ALL_MATCHES.format(score=score, tsquery=tsquery, type_filter=type_filter)
        return _rows(sql, [text, *type_params, exclude, limit])
    sql = _RECENT_MATCHES.format(score=score, tsquery=tsquery, type_filter=type_filter)
    return _rows(sql, [*type_params, WINDOW, text, exclude, RECENT, text, limit])


def search(*, query: str, doc_type: str | None, limit: int) -> list[SearchHit]:
    """Best first. `query` is cleaned already (rules.search_query_clean)."""
    hits = ranked(_WEBSEARCH, query, score=_EXACT, doc_type=doc_type, limit=limit, exclude=[])
    words = _WORD.findall(query)
    if len(hits) >= limit or not words or len(words) > SHORT_QUERY_WORDS:
        return hits
    beginnings = " & ".join(f"{word}:*" for word in words)
    hits += ranked(_PREFIXES, beginnings, score=_BEGINNING, doc_type=doc_type, limit=limit - len(hits),
                   exclude=[h.id for h in hits])
    if len(hits) >= limit or len(query) < MIN_TRIGRAM or not trigram_available():
        return hits
    type_filter, type_params = _type_filter(doc_type)
    sql = _MISSPELLED.format(score="word_similarity(%s, d.head) / 4", type_filter=type_filter)
    return hits + _rows(sql, [query, query, *type_params, [h.id for h in hits], limit - len(hits)])
