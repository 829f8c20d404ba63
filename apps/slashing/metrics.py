"""Slashing figures for /metrics, read at scrape time. agora_unexplained_slashes_total is an alarm: any
increase means stake left an agent without an exported proposal (docs/slashing.md)."""
import structlog
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .selectors import proposal_counts, unexplained_counts

log = structlog.get_logger(__name__)


class SlashingCollector:
    def describe(self):
        return []  # without it prometheus_client calls collect() at registration: a query at import time

    def collect(self):
        try:
            unexplained, proposals = unexplained_counts(), proposal_counts()
        except Exception as exc:  # no database yet (migrations, startup): report nothing
            log.debug("slashing_metrics_unavailable", error=type(exc).__name__)
            return
        total = CounterMetricFamily("agora_unexplained_slashes", "Slashed events no exported proposal explains")
        total.add_metric([], float(unexplained["total"]))
        yield total
        open_ = GaugeMetricFamily("agora_unexplained_slashes_open", "Unexplained slashes no operator has resolved")
        open_.add_metric([], float(unexplained["open"]))
        yield open_
        by_status = GaugeMetricFamily("agora_slash_proposals", "Slash proposals by status", labels=["status"])
        for status, count in proposals.items():
            by_status.add_metric([status], float(count))
        yield by_status
