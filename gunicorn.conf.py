"""Settings every web process gets: gunicorn reads ./gunicorn.conf.py by itself (the Procfile, the systemd
units and compose.yaml all start gunicorn from the project root). Command-line flags still win.

Metrics: each worker counts its own requests, so the workers share a prometheus_client multiprocess
directory that agora/metrics.py sums at scrape time. One directory per web process (two gunicorn masters on
one host must not share one: each clears it at start), made here unless PROMETHEUS_MULTIPROC_DIR is set.
"""
import os
import shutil
import tempfile
from pathlib import Path

# Before anything imports prometheus_client: it picks its value store from this variable when first imported.
_made_here = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _made_here:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="agora-metrics-")
_metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def on_starting(server):
    # counts left by a previous run of this process would be added to the new ones
    _metrics_dir.mkdir(parents=True, exist_ok=True)
    for stale in _metrics_dir.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _made_here:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
