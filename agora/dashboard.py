"""The operator dashboard on the admin index: composed from each app's count selectors.

Two parts: what needs a human (each row links to the list to act from; a non-zero row is
highlighted), then figures at a glance."""
from dataclasses import dataclass
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from agora.request_metrics import STATUS_WINDOW_MINUTES, recent_status_counts
from apps.auth.selectors import session_counts
from apps.jobs.selectors import anchor_counts, topic_counts
from apps.onchain.selectors import anchor_mismatch_open_count, stream_lag, stream_list, stream_state
from apps.slashing.selectors import proposal_counts, unexplained_counts

# A stream is "lagging" past either bound: the indexer runs every few seconds, so minutes without a
# successful step or hundreds of blocks behind the safe head means it is stuck or failing.
LAGGING_BLOCKS = 100
LAGGING_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Attention:
    label: str
    value: object  # a count; None when it could not be read
    link: str = ""  # where to act
    act: str = ""   # the link's text

    @property
    def urgent(self) -> bool:
        return bool(self.value)


def _changelist(model: str, query: str = "") -> str:
    return reverse(f"admin:{model}_changelist") + (f"?{query}" if query else "")


def needs_a_human() -> list[Attention]:
    anchors, proposals, statuses = anchor_counts(), proposal_counts(), recent_status_counts()
    stuck = _stuck_streams()
    return [
        # First: stake that left an agent outside the proposal flow, then slashes and anchors waiting.
        Attention("Unexplained slashes (investigate now)", unexplained_counts()["open"],
                  _changelist("slashing_unexplainedslash", "resolved_at__isnull=True"), "Investigate"),
        Attention("Slash proposals awaiting approval", proposals["proposed"],
                  _changelist("slashing_slashproposal", "status__exact=proposed"), "Review and approve"),
        Attention("Approved slashes to export for the Safe", proposals["approved"],
                  _changelist("slashing_slashproposal", "status__exact=approved"), "Export"),
        Attention("Anchors to export for the Safe", anchors["pending"],
                  _changelist("jobs_anchorbatch", "status__exact=pending"), "Export"),
        Attention("Halted or lagging indexer streams", len(stuck),
                  _changelist("onchain_chainstream"), ", ".join(stuck) or "Streams"),
        Attention("Anchor events that match nothing we built", anchor_mismatch_open_count(),
                  _changelist("onchain_anchormismatch", "resolved_at__isnull=True"), "Investigate"),
        Attention(f"Server errors (5xx), last {STATUS_WINDOW_MINUTES} min", statuses["5xx"], "",
                  "see the JSON logs by request id"),
        Attention(f"Rate-limited requests (429), last {STATUS_WINDOW_MINUTES} min", statuses["429"], "",
                  "see the JSON logs by client"),
    ]


def _stuck_streams() -> list[str]:
    now = timezone.now()
    stuck = []
    for s in stream_list():
        lag = stream_lag(s)
        stale = s.last_success_at is None or now - s.last_success_at > LAGGING_AFTER
        if stream_state(s) == "HALTED" or (lag or 0) > LAGGING_BLOCKS or stale:
            stuck.append(s.name)
    return stuck


def dashboard_counts() -> list[tuple[str, object]]:
    topics, anchors = topic_counts(), anchor_counts()
    proposals = proposal_counts()
    return [
        ("Slashes exported, not yet executed", proposals["exported"]),
        ("Anchors exported, not yet on chain", anchors["exported"]),
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
