from celery import shared_task

from .services import purge_expired as purge_expired_service


@shared_task(time_limit=300, soft_time_limit=240)
def purge_expired() -> dict:
    return purge_expired_service()
