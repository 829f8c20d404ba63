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


# Threaded workers (gthread), measured in bench/api.py (docs/architecture.md, "Performance"): a sync worker
# closes the connection after every response, so clients that keep it alive (the SDK, httpx, any pool)
# would pay a new TCP connection per request; gthread keeps it open, and its threads run Python while
# another request waits on PostgreSQL or Redis. Each thread holds its own database connection: size
# max_connections (or PgBouncer) for WEB_CONCURRENCY x GUNICORN_THREADS per web process (docs/capacity.md).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Idle keep-alive connections wait in the worker's poller, not in a thread. Longer than the SDK's
# pool expiry (httpx: 5 s) so a polling agent reuses its connection; behind a load balancer, keep
# this above the balancer's idle timeout.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "20"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
