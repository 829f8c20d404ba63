from .models import SlashingEvent


def slashing_event_list(*, address: str | None = None, job_id=None, limit: int = 50):
    qs = SlashingEvent.objects.all()
    if address:
        qs = qs.filter(agent_address=address)
    if job_id:
        qs = qs.filter(job_id=job_id)
    return qs.order_by("-block_number", "-log_index")[:limit]
