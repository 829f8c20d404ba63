"""Indexer metrics for /metrics, read from the stream rows at scrape time: the indexer runs in
Celery or `run_indexer`, not in the web process, and the database is what they share."""
import time

import structlog
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .selectors import stream_lag, stream_list

log = structlog.get_logger(__name__)


class IndexerCollector:
    def describe(self):
        return []  # without it prometheus_client calls collect() at registration: a query at import time

    def collect(self):
        try:
            streams = list(stream_list())
        except Exception as exc:  # no database yet (migrations, startup): report nothing
            log.debug("indexer_metrics_unavailable", error=type(exc).__name__)
            return
        now = time.time()
        gauges = {
            "head_block": ("Latest block the RPC reported", lambda s: s.last_head),
            "safe_head_block": ("Head minus confirmations", lambda s: s.last_safe_head),
            "cursor_block": ("Last block indexed", lambda s: s.last_block_number),
            "lag_blocks": ("Safe head minus the last block indexed", stream_lag),
            "range_size_blocks": ("Current eth_getLogs range", lambda s: s.range_size),
            "last_step_seconds": ("Duration of the last step", lambda s: s.last_step_seconds),
            "last_success_timestamp_seconds": ("Unix time of the last good step",
                                               lambda s: s.last_success_at.timestamp() if s.last_success_at else None),
            "halted": ("1 when a deep reorg halted the stream", lambda s: 1 if s.halted else 0),
            # During a provider outage the head is unknown, so lag_blocks stays at its last value; these two show
            # the outage at once: failed steps in a row, and seconds since the stream last completed a step.
            "consecutive_failures": ("Failed steps since the last good one (0 when healthy)",
                                     lambda s: s.consecutive_failures),
            "lag_seconds": ("Seconds since the last good step (a healthy stream steps every few seconds)",
                            lambda s: now - s.last_success_at.timestamp() if s.last_success_at else None),
        }
        for name, (doc, read) in gauges.items():
            family = GaugeMetricFamily(f"agora_indexer_{name}", doc, labels=["stream"])
            for stream in streams:
                value = read(stream)
                if value is not None:
                    family.add_metric([stream.name], float(value))
            yield family
        counters = {
            "events": ("Events ingested", lambda s: s.events_ingested),
            "reorgs": ("Reorgs detected", lambda s: s.reorgs),
            "rolled_back_events": ("Events removed by reorgs and resets", lambda s: s.rolled_back_events),
        }
        for name, (doc, read) in counters.items():
            family = CounterMetricFamily(f"agora_indexer_{name}", doc, labels=["stream"])
            for stream in streams:
                family.add_metric([stream.name], float(read(stream)))
            yield family
        errors = CounterMetricFamily("agora_indexer_rpc_errors", "RPC errors by kind", labels=["stream", "kind"])
        for stream in streams:
            for kind, count in sorted((stream.rpc_errors or {}).items()):
                errors.add_metric([stream.name, kind], float(count))
        yield errors
