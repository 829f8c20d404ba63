"""Enqueue a Celery task by name, so an app can start work that lives in an app above it (jobs
asking onchain to build an anchor) without importing it."""
import structlog
from celery import current_app

log = structlog.get_logger(__name__)


def task_enqueue(name: str, *args) -> None:
    """Look the task up in the app's registry (so CELERY_TASK_ALWAYS_EAGER still runs it inline) and
    send it. A failure to enqueue is logged, never raised: the periodic sweep picks the work up."""
    try:
        if name not in current_app.tasks:
            # Outside a worker nothing has imported the apps' tasks modules yet: autodiscover them now.
            current_app.loader.import_default_modules()
        current_app.tasks[name].delay(*args)
    except Exception as exc:  # broker down, task missing: the sweeper is the safety net
        log.error("task_enqueue_failed", task=name, error=f"{type(exc).__name__}: {exc}")
