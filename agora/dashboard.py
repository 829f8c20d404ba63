"""The operator dashboard on the admin index: composed from each app's count selectors."""
from django.utils import timezone

from apps.auth.selectors import session_counts
from apps.jobs.selectors import anchor_counts, topic_counts
from apps.onchain.selectors import anchor_mismatch_open_count, stream_lag, stream_list, stream_state
from apps.slashing.selectors import proposal_counts, unexplained_counts


def dashboard_counts() -> list[tuple[str, object]]:
    topics, anchors = topic_counts(), anchor_counts()
    proposals = proposal_counts()
    return [
        # What needs a human first: stake that left an agent outside the proposal flow, then slashes waiting.
        ("Unexplained slashes (investigate now)", unexplained_counts()["open"]),
        ("Slash proposals awaiting approval", proposals["proposed"]),
        ("Approved slashes to export for the Safe", proposals["approved"]),
        ("Slashes exported, not yet executed", proposals["exported"]),
        ("Anchors to export for the Safe", anchors["pending"]),
        ("Anchors exported, not yet on chain", anchors["exported"]),
        ("Anchor events that match nothing we built (investigate)", anchor_mismatch_open_count()),
        ("Open topics", topics["open_topics"]),
        ("Closed topics", topics["closed_topics"]),
        ("Closed in the last 24 h", topics["closed_24h"]),
        ("Submissions", topics["submissions"]),
        ("Votes", topics["votes"]),
        ("Active sessions", session_counts()["active_sessions"]),
        ("Anchors confirmed on chain", anchors["confirmed"]),
        *_indexer_figures(),
    ]


def _indexer_figures() -> list:
    now = timezone.now()
    figures = []
    for s in stream_list():
        lag = stream_lag(s)
        since = f"{(now - s.last_success_at).total_seconds():.0f}s ago" if s.last_success_at else "never"
        figures.append((f"Indexer {s.name}", f"{stream_state(s)}; lag {'?' if lag is None else lag} blocks; "
                                             f"{s.events_ingested} events; {s.reorgs} reorgs; last success {since}"))
    return figures
