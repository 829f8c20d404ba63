"""/metrics for Prometheus.

A web process is a gunicorn master with several workers, and each worker counts its own requests. In
prometheus_client's multiprocess mode (PROMETHEUS_MULTIPROC_DIR, which gunicorn.conf.py sets for every web
process) each worker writes its samples to files there and this view adds every worker's up, so a scrape
sees the whole web process whichever worker answers it. The indexer's collector reads the database at scrape
time (shared state, not per-process) and is added as it is. Outside gunicorn (runserver, tests) the default
registry is served.
"""
import os

from django.http import HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess

from apps.onchain.metrics import IndexerCollector
from apps.slashing.metrics import SlashingCollector

_SCRAPE_TIME_COLLECTORS = (IndexerCollector(), SlashingCollector())


def metrics(request):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        for collector in _SCRAPE_TIME_COLLECTORS:
            registry.register(collector)
    else:
        registry = REGISTRY
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
