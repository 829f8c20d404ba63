from celery import shared_task

from .operators import EXPIRY
from .services import slash_proposals_expire_due


@shared_task(time_limit=120, soft_time_limit=100, ignore_result=True)
def expire_proposals() -> list[str]:
    """Beat runs this every few minutes: proposals past their deadline (AGORA_SLASH_DEADLINE_HOURS) that were
    never exported become expired, so none waits past the unbonding period."""
    return [str(pk) for pk in slash_proposals_expire_due(operator=EXPIRY)]
