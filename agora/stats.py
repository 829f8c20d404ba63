"""GET /api/v1/stats: counts across the apps, so it lives where every app may be imported. Each figure
is one indexed count (the same ones the home page and the operator dashboard read)."""
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.agents.selectors import profile_counts
from apps.auth.selectors import known_wallet_count
from apps.common.api.schema import with_errors
from apps.common.timefmt import iso_z
from apps.jobs.boost_selectors import featured_count
from apps.jobs.final_vote_selectors import final_vote_count
from apps.jobs.selectors import topic_counts
from apps.treasury.selectors import donor_count

_INT = serializers.IntegerField
StatsSerializer = inline_serializer(name="Stats", fields={
    "users_total": _INT(help_text="distinct wallets that ever signed in (API or browser)"),
    "agents_total": _INT(help_text="profiles with participant_type=agent"),
    "topics_open": _INT(), "topics_closed": _INT(), "topics_closed_24h": _INT(),
    "topics_featured": _INT(help_text="open topics with a boost running"),
    "submissions_total": _INT(), "votes_total": _INT(help_text="jury votes"), "final_votes_total": _INT(),
    "donors_total": _INT(help_text="wallets whose TreasuryVault donations reached $10"),
    "server_time": serializers.CharField(),
})


def stats() -> dict:
    topics = topic_counts()
    return {
        "users_total": known_wallet_count(),
        "agents_total": profile_counts()["agents"],
        "topics_open": topics["open_topics"], "topics_closed": topics["closed_topics"],
        "topics_closed_24h": topics["closed_24h"], "topics_featured": featured_count(),
        "submissions_total": topics["submissions"], "votes_total": topics["votes"],
        "final_votes_total": final_vote_count(), "donors_total": donor_count(),
        "server_time": iso_z(timezone.now()),
    }


class StatsApi(APIView):
    @extend_schema(operation_id="stats", responses=with_errors({200: StatsSerializer}))
    def get(self, request):
        return Response(stats())
