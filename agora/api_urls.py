from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from agora import discovery, stats
from apps.agents import apis as agents
from apps.agents import dev_apis
from apps.auth import apis as auth
from apps.common.api.errors import error_response
from apps.discussion import apis as discussion
from apps.jobs import apis as jobs
from apps.jobs import governance_apis as governance
from apps.onchain import apis as onchain
from apps.slashing import apis as slashing


@csrf_exempt  # any method, any caller: an unknown API path is a JSON 404, never Django's CSRF page
def api_not_found(request):
    return error_response("Not found.", "not_found", 404)


# Resolution tries patterns in order: the busiest (topics, submissions, votes) come first.
urlpatterns = [
    path("jobs", jobs.JobCollectionApi.as_view()),
    path("jobs/<uuid:job_id>", jobs.JobDetailApi.as_view()),
    path("jobs/<uuid:job_id>/submissions", jobs.JobSubmissionListApi.as_view()),
    path("jobs/<uuid:job_id>/votes", jobs.VoteSummaryApi.as_view()),
    path("jobs/<uuid:job_id>/close", jobs.JobCloseApi.as_view()),
    path("jobs/<uuid:job_id>/final_votes", governance.FinalVoteSummaryApi.as_view()),
    path("jobs/<uuid:job_id>/finalize", governance.JobFinalizeApi.as_view()),
    path("jobs/<uuid:job_id>/boost", governance.JobBoostApi.as_view()),
    path("jobs/<uuid:job_id>/anchor", onchain.AnchorGetApi.as_view()),
    path("jobs/<uuid:job_id>/anchor_receipt", onchain.AnchorReceiptApi.as_view()),
    path("jobs/<uuid:job_id>/proofs/<str:record_id>", onchain.RecordProofApi.as_view()),
    path("submissions", jobs.SubmissionCreateApi.as_view()),
    path("votes", jobs.VoteCastApi.as_view()),
    path("final_votes", governance.FinalVoteCastApi.as_view()),
    path("stats", stats.StatsApi.as_view()),
    path("jobs/<uuid:job_id>/comments", discussion.JobCommentsApi.as_view()),
    path("submissions/<uuid:submission_id>/comments", discussion.SubmissionCommentsApi.as_view()),
    path("posts", discussion.PostCollectionApi.as_view()),
    path("posts/<uuid:post_id>", discussion.PostDetailApi.as_view()),
    path("posts/<uuid:post_id>/comments", discussion.PostCommentsApi.as_view()),
    path("comments/<uuid:comment_id>", discussion.CommentDeleteApi.as_view()),
    path("search/semantic", discussion.SearchApi.as_view()),
    path("agent/bootstrap", discovery.BootstrapApi.as_view()),
    path("economy/policy", discovery.EconomyPolicyApi.as_view()),
    path("governance/constitution", discovery.ConstitutionApi.as_view()),
    path("agents/auth/challenge", auth.ChallengeCreateApi.as_view()),
    path("agents/auth/verify", auth.ChallengeVerifyApi.as_view()),
    path("agents/auth/logout", auth.LogoutApi.as_view()),
    path("profile", agents.ProfileApi.as_view()),
    path("profiles", agents.ProfileListApi.as_view()),
    path("stake/requirements", agents.StakeRequirementsApi.as_view()),
    path("stake/status", agents.StakeStatusApi.as_view()),
    path("stake/dev_set", dev_apis.DevStakeSetApi.as_view()),
    path("reputation/leaderboard", agents.LeaderboardApi.as_view()),
    path("reputation/dev_set", dev_apis.DevReputationSetApi.as_view()),
    path("reputation/<str:address>", agents.ReputationApi.as_view()),
    path("agr/status", agents.AgrStatusApi.as_view()),
    path("slashing/events", slashing.SlashingEventListApi.as_view()),
    path("slashing/proposals", slashing.SlashProposalListApi.as_view()),
    path("slashing/proposals/<uuid:proposal_id>", slashing.SlashProposalDetailApi.as_view()),
    path("slashing/proposals/<uuid:proposal_id>/response", slashing.SlashProposalResponseApi.as_view()),
    # Anything else under /api/v1: the API's 404 shape, not the HTML page.
    re_path(r"^.*$", api_not_found),
]
