from celery import shared_task

from .services import challenge_purge_expired, session_purge_expired


@shared_task(time_limit=300, soft_time_limit=240)
def purge_expired() -> dict:
    return {"challenges": challenge_purge_expired(), "sessions": session_purge_expired()}
