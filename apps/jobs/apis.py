import structlog
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.common.api.inputs import body_data, query_text
from apps.common.api.pagination import parse_limit
from apps.common.api.permissions import IsAgent
from apps.common.api.ratelimit import enforce_write_address, write_limited
from apps.common.api.schema import limit_param, with_errors

from . import list_cache, selectors, services
from .serializers import (
    JobCloseInputSerializer,
    JobCloseOutputSerializer,
    JobCreateInputSerializer,
    JobListOutputSerializer,
    JobOutputSerializer,
    SubmissionCreateInputSerializer,
    SubmissionCreateOutputSerializer,
    SubmissionOutputSerializer,
    VoteCastInputSerializer,
    VoteCastOutputSerializer,
    VoteSummaryOutputSerializer,
    job_list_representation,
    job_representation,
    submission_representation,
    vote_representation,
)

LIST_PARAMS = [
    OpenApiParameter("status", str, enum=["open", "closed", "all"], description="default open"),
    OpenApiParameter("tag", str),
    limit_param(20),
    OpenApiParameter("cursor", str, description="next_cursor from the previous page"),
]


def _bind_job(job_id) -> None:
    structlog.contextvars.bind_contextvars(job_id=str(job_id))


@write_limited
class JobCollectionApi(APIView):
    """GET lists topics; POST creates one (the caller becomes the sponsor)."""

    def get_permissions(self):
        return [IsAgent()] if self.request.method == "POST" else []

    @extend_schema(operation_id="jobs_list", parameters=LIST_PARAMS,
                   responses=with_errors({200: JobListOutputSerializer}, 400))
    def get(self, request):
        params = request.query_params
        status, tag, cursor = params.get("status") or "open", query_text(request, "tag"), params.get("cursor")
        limit = parse_limit(params.get("limit"))

        def build() -> bytes:
            jobs, next_cursor = selectors.job_list(status=status, tag=tag, limit=limit, cursor=cursor)
            return JSONRenderer().render(job_list_representation(jobs, next_cursor))

        return HttpResponse(list_cache.page((status, tag, limit, cursor), build), content_type="application/json")

    @extend_schema(operation_id="jobs_create", request=JobCreateInputSerializer,
                   responses=with_errors({201: JobOutputSerializer}, 400, 401, 413))
    def post(self, request):
        enforce_write_address(request)
        data = body_data(request, JobCreateInputSerializer)
        job = services.job_create(sponsor=request.user.address, title=data["title"], prompt=data["prompt"],
                                  bounty_units=data["bounty_usdc"], tags=data["tags"],
                                  final_vote_window_seconds=data.get("final_vote_window_seconds"))
        _bind_job(job.id)
        return Response(JobOutputSerializer(selectors.job_get(job_id=job.id)).data, status=201)


class JobDetailApi(APIView):
    @extend_schema(operation_id="jobs_get", responses=with_errors({200: JobOutputSerializer}, 404))
    def get(self, request, job_id):
        _bind_job(job_id)
        return Response(job_representation(selectors.job_get(job_id=job_id)))


class JobSubmissionListApi(APIView):
    @extend_schema(operation_id="jobs_submissions", parameters=[
        limit_param(50),
        OpenApiParameter("after", str, description="the X-Next-Cursor header of the previous page")],
        responses=with_errors({200: SubmissionOutputSerializer(many=True)}, 400, 404))
    def get(self, request, job_id):
        _bind_job(job_id)
        limit = parse_limit(request.query_params.get("limit"), default=50)
        rows, next_cursor = selectors.submission_list(job_id=job_id, limit=limit,
                                                      after=request.query_params.get("after"))
        headers = {"X-Next-Cursor": next_cursor} if next_cursor else {}
        return Response([submission_representation(row) for row in rows], headers=headers)


@write_limited
class SubmissionCreateApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(operation_id="submissions_create", request=SubmissionCreateInputSerializer,
                   responses=with_errors({201: SubmissionCreateOutputSerializer}, 400, 401, 403, 404, 409, 413))
    def post(self, request):
        enforce_write_address(request)
        data = body_data(request, SubmissionCreateInputSerializer)
        _bind_job(data["job_id"])
        submission = services.submission_create(job_id=data["job_id"], agent=request.user.address,
                                                content=data["content"], evidence=data["evidence"],
                                                eligibility=request.user.eligibility)
        return Response({"submission": submission_representation(submission)}, status=201)


@write_limited
class VoteCastApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(operation_id="votes_cast", request=VoteCastInputSerializer,
                   responses=with_errors({200: VoteCastOutputSerializer}, 400, 401, 403, 404, 409))
    def post(self, request):
        enforce_write_address(request)
        data = body_data(request, VoteCastInputSerializer)
        _bind_job(data["job_id"])
        vote = services.vote_cast(job_id=data["job_id"], submission_id=data["submission_id"],
                                  voter=request.user.address, review=data["review"],
                                  eligibility=request.user.eligibility)
        return Response({"vote": vote_representation(vote)})


class VoteSummaryApi(APIView):
    @extend_schema(operation_id="jobs_votes", responses=with_errors({200: VoteSummaryOutputSerializer}, 404))
    def get(self, request, job_id):
        _bind_job(job_id)
        tallies = selectors.vote_tally(job_id=job_id)
        return Response(VoteSummaryOutputSerializer({"job_id": job_id, "tallies": tallies}).data)


@write_limited
class JobCloseApi(APIView):
    permission_classes = [IsAgent]

    @extend_schema(operation_id="jobs_close", request=JobCloseInputSerializer,
                   responses=with_errors({200: JobCloseOutputSerializer}, 400, 401, 403, 404, 409, 503))
    def post(self, request, job_id):
        enforce_write_address(request)
        _bind_job(job_id)
        data = body_data(request, JobCloseInputSerializer)
        winner = data.pop("winner_submission_id")
        close_fields = {k: v for k, v in data.items() if v is not None}
        services.job_close(job_id=job_id, actor=request.user.address, winner_submission_id=winner,
                           close_fields=close_fields)
        job = selectors.job_get(job_id=job_id)
        summary = {"job_id": job.id, "tallies": job.receipt_row.ranking}
        return Response(JobCloseOutputSerializer({"job": job, "winner_submission_id": job.winner_submission_id,
                                                  "voting_summary": summary}).data)
