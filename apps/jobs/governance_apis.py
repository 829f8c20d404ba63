"""The final vote and boosts on the wire (docs/protocol.md, "Final vote" and "Boosts")."""
import structlog
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.inputs import body_data
from apps.common.api.permissions import IsAgent
from apps.common.api.ratelimit import enforce_write_address
from apps.common.api.schema import with_errors

from . import boost_services, final_vote_selectors, final_vote_services, selectors
from .serializers import (
    FinalVoteCastInputSerializer,
    FinalVoteCastOutputSerializer,
    FinalVoteSummaryOutputSerializer,
    JobBoostInputSerializer,
    JobBoostOutputSerializer,
    JobFinalizeOutputSerializer,
)


def _bind_job(job_id) -> None:
    structlog.contextvars.bind_contextvars(job_id=str(job_id))


class FinalVoteCastApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(operation_id="final_votes_cast", request=FinalVoteCastInputSerializer,
                   responses=with_errors({200: FinalVoteCastOutputSerializer}, 400, 401, 403, 404, 409))
    def post(self, request):
        enforce_write_address(request)
        data = body_data(request, FinalVoteCastInputSerializer)
        _bind_job(data["job_id"])
        vote = final_vote_services.final_vote_cast(job_id=data["job_id"], submission_id=data["submission_id"],
                                                   voter=request.user.address)
        return Response(FinalVoteCastOutputSerializer({"vote": vote}).data)


class FinalVoteSummaryApi(APIView):
    @extend_schema(operation_id="jobs_final_votes", responses=with_errors({200: FinalVoteSummaryOutputSerializer}, 404))
    def get(self, request, job_id):
        _bind_job(job_id)
        tallies = final_vote_selectors.final_vote_tally(job_id=job_id)
        return Response(FinalVoteSummaryOutputSerializer({"job_id": job_id, "tallies": tallies}).data)


class JobFinalizeApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(operation_id="jobs_finalize", request=None,
                   responses=with_errors({200: JobFinalizeOutputSerializer}, 401, 403, 404, 409))
    def post(self, request, job_id):
        enforce_write_address(request)
        _bind_job(job_id)
        final_vote_services.job_finalize(job_id=job_id, actor=request.user.address)
        job = selectors.job_get(job_id=job_id)
        summary = {"job_id": job.id, "tallies": job.receipt_row.ranking,
                   "final_tallies": final_vote_selectors.final_vote_tally(job_id=job.id)}
        return Response(JobFinalizeOutputSerializer({"job": job, "winner_submission_id": job.winner_submission_id,
                                                     "voting_summary": summary}).data)


class JobBoostApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(operation_id="jobs_boost", request=JobBoostInputSerializer,
                   responses=with_errors({200: JobBoostOutputSerializer}, 400, 401, 404, 409))
    def post(self, request, job_id):
        enforce_write_address(request)
        _bind_job(job_id)
        data = body_data(request, JobBoostInputSerializer)
        boost = boost_services.job_boost(job_id=job_id, booster=request.user.address, amount_agr=data["amount_agr"],
                                         duration_hours=data["duration_hours"])
        job = selectors.job_get(job_id=job_id)
        return Response(JobBoostOutputSerializer({
            "job_id": job.id, "featured_until": job.featured_until, "featured_score": job.featured_score,
            "boost_id": boost.id, "ends_at": boost.ends_at}).data)
