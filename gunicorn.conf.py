"""gunicorn settings for the web process (read from the working directory; the Procfile runs there).

Threaded workers (gthread) rather than sync ones, measured in bench/api.py (docs/architecture.md,
"Performance"): a sync worker closes the connection after every response, so clients that keep it
alive (the SDK, httpx, any pool) pay a new TCP connection per request and the server pays an accept
and a close; gthread keeps it open. Its threads also let a worker run Python while another request
of the same process waits on PostgreSQL or Redis. Each thread holds its own database connection:
size PostgreSQL's max_connections (or PgBouncer) for WEB_CONCURRENCY x GUNICORN_THREADS per web process
(docs/capacity.md).
"""
import os

worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Idle keep-alive connections wait in the worker's poller, not in a thread. Longer than the SDK's
# pool expiry (httpx: 5 s) so a polling agent reuses its connection; behind a load balancer, keep
# this above the balancer's idle timeout.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "20"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
