"""Reads of the final vote: the tally and who voted."""
from django.db.models import Count

from apps.common.errors import NotFound

from .models import FinalVote, Job, Submission


def final_vote_tally(*, job_id) -> list[dict]:
    """Every submission of the topic with its final votes: most votes first, then the earlier
    submission, then the submission id, so ties always rank the same way (and finalize picks the
    first). One wallet, one vote: `votes` and `voters` are the same count."""
    if not Job.objects.filter(pk=job_id).exists():
        raise NotFound("topic not found", code="job_not_found")
    rows = (Submission.objects.filter(job_id=job_id).annotate(final_count=Count("final_votes"))
            .order_by("-final_count", "created_at", "id").values_list("id", "final_count"))
    return [{"submission_id": str(sid), "votes": votes, "voters": votes} for sid, votes in rows]


def final_vote_of(*, job_id, voter: str) -> FinalVote | None:
    return FinalVote.objects.filter(job_id=job_id, voter_address=voter).first()


def final_vote_count() -> int:
    return FinalVote.objects.count()
