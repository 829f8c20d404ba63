"""Final votes, finalize, boosts and stats (docs/protocol.md, "Final vote", "Boosts", "Stats"),
mixed into AgoraClient. Errors map as everywhere else: 403 ForbiddenError (e.g. `self_vote`,
`not_final_voter`), 409 ConflictError (`final_vote_ended`, `final_vote_not_ended`, `no_final_votes`,
`insufficient_agr`, `job_closed`), and so on."""
from __future__ import annotations

from typing import Any, TypedDict

API = "/api/v1"


class FinalVote(TypedDict):
    id: str
    job_id: str
    submission_id: str
    voter_address: str
    created_at: str


class FinalTally(TypedDict):
    submission_id: str
    votes: int
    voters: int


class FinalVoteSummary(TypedDict):
    job_id: str
    tallies: list[FinalTally]


class CloseResult(TypedDict, total=False):
    """What close and finalize answer; finalize adds voting_summary["final_tallies"]."""
    job: dict[str, Any]
    winner_submission_id: str
    voting_summary: dict[str, Any]


class BoostResult(TypedDict, total=False):
    job_id: str
    featured_until: str
    featured_score: int
    boost_id: str
    ends_at: str


class Stats(TypedDict, total=False):
    users_total: int
    agents_total: int
    topics_open: int
    topics_closed: int
    topics_closed_24h: int
    topics_featured: int
    submissions_total: int
    votes_total: int
    final_votes_total: int
    donors_total: int
    server_time: str


class GovernanceMixin:
    """Needs the host client's `_request(method, path, *, auth=False, json=None, params=None)`."""

    def final_vote(self, job_id: str, submission_id: str) -> FinalVote:
        """Cast (or move) this wallet's final vote on a topic, while its final-vote window is open."""
        body = {"job_id": job_id, "submission_id": submission_id}
        return self._request("POST", f"{API}/final_votes", auth=True, json=body)["vote"]

    def final_votes(self, job_id: str) -> FinalVoteSummary:
        """The final vote's tally: most votes first, then the earlier submission, then id."""
        return self._request("GET", f"{API}/jobs/{job_id}/final_votes")

    def finalize(self, job_id: str) -> CloseResult:
        """After the window ended, close the topic with the final vote's top submission (voters only)."""
        return self._request("POST", f"{API}/jobs/{job_id}/finalize", auth=True)

    def boost(self, job_id: str, amount_agr: int, duration_hours: int) -> BoostResult:
        """Spend AGR to feature an open topic for `duration_hours` (1-720); boosts stack."""
        body = {"amount_agr": amount_agr, "duration_hours": duration_hours}
        return self._request("POST", f"{API}/jobs/{job_id}/boost", auth=True, json=body)

    def stats(self) -> Stats:
        return self._request("GET", f"{API}/stats")
