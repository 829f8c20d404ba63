"""The proposal flow's rules, through the services and the public API (no chain here: the indexed stake is
written directly; tests/slashing/test_safe_slashing.py runs the chain)."""
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.utils import timezone

from agora.schedule import beat_schedule
from apps.common.errors import ApplicationError
from apps.slashing.models import OperatorWallet, SlashApproval, SlashProposal
from apps.slashing.operators import EXPIRY, operator_from_user
from apps.slashing.services import (
    slash_proposal_approve,
    slash_proposal_cancel,
    slash_proposal_reject,
    slash_proposals_expire_due,
)
from apps.slashing.tasks import expire_proposals
from tests.conftest import create_job, submit, vote

from .conftest import make_operator, open_window, propose, set_stake

pytestmark = pytest.mark.django_db


def _approve(user, proposal, reason="evidence checked"):
    return slash_proposal_approve(proposal_id=proposal.pk, operator=operator_from_user(user), reason=reason)


def _code(fn) -> str:
    with pytest.raises(ApplicationError) as caught:
        fn()
    return caught.value.code


def _kinds(proposal) -> list[str]:
    return list(proposal.events.order_by("created_at", "id").values_list("kind", flat=True))


def test_a_proposal_records_its_case_and_checks_its_links(ops, sponsor, worker, juror, make_wallet):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    ballot = vote(juror, job["id"], sub["id"])
    proposal = propose(ops["alice"], worker.address, submission_id=sub["id"], violation_type="fabricated_evidence")
    assert (proposal.status, str(proposal.job_id), proposal.proposed_by) == ("proposed", job["id"],
                                                                            f"user:{ops['alice'].pk}")
    assert proposal.approvals_required == 1 and proposal.response_due_at > timezone.now() + timedelta(hours=47)
    assert _kinds(proposal) == ["proposed"]
    # the submission, vote and topic must be the agent's and agree with each other
    assert _code(lambda: propose(ops["alice"], juror.address, submission_id=sub["id"])) == "not_the_agents"
    assert _code(lambda: propose(ops["alice"], worker.address, vote_id=ballot["id"])) == "not_the_agents"
    other = create_job(sponsor)
    assert _code(lambda: propose(ops["alice"], juror.address, vote_id=ballot["id"], job_id=other["id"])) == \
        "links_disagree"
    assert str(propose(ops["alice"], juror.address, vote_id=ballot["id"]).job_id) == job["id"]
    assert _code(lambda: propose(ops["alice"], worker.address, reason="  ")) == "reason_required"
    assert _code(lambda: propose(ops["alice"], worker.address, evidence=["javascript:alert(1)"])) == "invalid_evidence"
    assert _code(lambda: propose(ops["alice"], worker.address, units=0)) == "invalid_amount"
    assert _code(lambda: propose(ops["alice"], worker.address, recipient_address=worker.address)) == \
        "invalid_recipient"


def test_self_approval_is_refused_however_the_proposer_signs_in(ops, settings):
    agent = "0x" + "a1" * 20
    wallet = "0x" + "B0" * 20
    alice_pw = make_operator("alice-pw", wallet=wallet)  # alice's password account, linked to her wallet
    alice_wallet = make_operator(wallet)                 # alice signed in with that wallet (username = address)
    set_stake(agent, 10**8)
    proposal = propose(alice_pw, agent)
    open_window(proposal)
    assert operator_from_user(alice_wallet).identity == operator_from_user(alice_pw).identity == wallet.lower()
    assert _code(lambda: _approve(alice_pw, proposal)) == "self_approval"
    assert _code(lambda: _approve(alice_wallet, proposal)) == "self_approval"
    assert SlashApproval.objects.count() == 0
    assert _approve(ops["bob"], proposal).status == "approved"  # the two-person rule: anyone else


def test_approvals_count_per_person_and_wait_for_the_response_window(ops, settings):
    settings.AGORA_SLASH_APPROVALS = 2
    agent = "0x" + "a2" * 20
    set_stake(agent, 10**8)
    bob_wallet = make_operator("0x" + "0b" * 20)
    OperatorWallet.objects.create(user=ops["bob"], address="0x" + "0b" * 20)
    proposal = propose(ops["alice"], agent)
    assert _code(lambda: _approve(ops["bob"], proposal)) == "response_window_open"
    open_window(proposal)
    assert _approve(ops["bob"], proposal).status == "proposed"
    assert _code(lambda: _approve(bob_wallet, proposal)) == "already_approved"  # bob again, by wallet
    approved = _approve(ops["carol"], proposal)
    assert approved.status == "approved" and approved.approved_stake_units == 10**8
    assert _kinds(proposal) == ["proposed", "approval", "approval", "approved"]
    assert _code(lambda: _approve(make_operator("dave"), proposal)) == "proposal_not_open"


def test_the_amount_cannot_exceed_the_indexed_stake_at_approval(ops):
    agent = "0x" + "a3" * 20
    set_stake(agent, 8_000_000)
    first = propose(ops["alice"], agent, units=5_000_000)
    second = propose(ops["alice"], agent, units=5_000_000)
    too_much = propose(ops["alice"], agent, units=9_000_000)
    for p in (first, second, too_much):
        open_window(p)
    assert _code(lambda: _approve(ops["bob"], too_much)) == "amount_exceeds_stake"
    assert _approve(ops["bob"], first).status == "approved"
    # 5 of the 8 are already approved for the first proposal: 5 more don't fit
    assert _code(lambda: _approve(ops["bob"], second)) == "amount_exceeds_stake"
    set_stake(agent, 10_000_000)
    assert _approve(ops["bob"], second).status == "approved"


def test_reject_cancel_and_expiry_each_leave_a_history_row(ops):
    agent = "0x" + "a4" * 20
    set_stake(agent, 10**8)
    rejected, cancelled, expiring, kept = (propose(ops["alice"], agent) for _ in range(4))
    bob = operator_from_user(ops["bob"])
    assert _code(lambda: slash_proposal_reject(proposal_id=rejected.pk, operator=bob, reason="")) == "reason_required"
    slash_proposal_reject(proposal_id=rejected.pk, operator=bob, reason="the copies were a client retry bug")
    slash_proposal_cancel(proposal_id=cancelled.pk, operator=operator_from_user(ops["alice"]), reason="wrong agent")
    assert _code(lambda: slash_proposal_cancel(proposal_id=rejected.pk, operator=bob, reason="x")) == \
        "proposal_not_open"
    SlashProposal.objects.filter(pk=expiring.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert slash_proposals_expire_due(operator=EXPIRY) == [expiring.pk]
    assert expire_proposals() == []  # the beat task: nothing left to expire
    statuses = dict(SlashProposal.objects.values_list("id", "status"))
    assert [statuses[p.pk] for p in (rejected, cancelled, expiring, kept)] == ["rejected", "cancelled", "expired",
                                                                               "proposed"]
    last = expiring.events.latest("id")
    assert (last.kind, last.actor_role, last.reason) == ("expired", "system", "the deadline passed")
    assert rejected.events.latest("id").actor_label == "admin:bob"
    entry = django_settings.CELERY_BEAT_SCHEDULE["slashing-expire-proposals"]  # what beat actually runs
    assert entry == beat_schedule()["slashing-expire-proposals"] and entry["options"]["expires"] > 0
    assert entry["task"] == expire_proposals.name


def test_the_agent_responds_in_public_and_operators_stay_unnamed(ops, make_wallet, api):
    agent, stranger = make_wallet(), make_wallet()
    set_stake(agent.address, 10**8)
    proposal = propose(ops["alice"], agent.address)
    url = f"/api/v1/slashing/proposals/{proposal.pk}/response"
    body = {"response": "Those were retries after timeouts; see the logs.", "evidence": ["https://me.example/logs"]}
    assert api.post(url, body, format="json").status_code == 401
    assert stranger.client.post(url, body, format="json").json()["code"] == "not_your_proposal"
    answered = agent.client.post(url, body, format="json")
    assert answered.status_code == 200, answered.content
    history = answered.json()["history"]
    assert [(h["kind"], h["actor_role"], h["actor"]) for h in history] == [
        ("proposed", "operator", None), ("response", "agent", agent.address)]
    assert history[1]["text"] == body["response"] and history[1]["data"] == {"evidence": body["evidence"]}
    listed = api.get(f"/api/v1/slashing/proposals?address={agent.address}").json()["proposals"]
    assert [(p["id"], p["status"], p["amount_usdc"], p["approvals"]) for p in listed] == [
        (str(proposal.pk), "proposed", 5, 0)]
    assert "alice" not in api.get(f"/api/v1/slashing/proposals/{proposal.pk}").content.decode()
    # the agent's page shows the open proposal
    page = api.get(f"/agents/{agent.address}").content.decode()
    assert f'data-proposal="{proposal.pk}"' in page and "forty copies of one submission" in page
    slash_proposal_reject(proposal_id=proposal.pk, operator=operator_from_user(ops["bob"]), reason="retries")
    assert agent.client.post(url, body, format="json").json()["code"] == "proposal_not_open"
    assert api.get(f"/api/v1/slashing/proposals?address={agent.address}").json()["proposals"] == []
    assert api.get("/api/v1/slashing/proposals?status=rejected").json()["proposals"][0]["id"] == str(proposal.pk)
    assert api.get("/api/v1/slashing/proposals?status=bogus").status_code == 400
    assert api.get("/api/v1/slashing/proposals/00000000-0000-0000-0000-000000000000").status_code == 404


def test_startup_check_wants_the_deadline_inside_the_unbonding_period(settings):
    def ids():
        return sorted(m.id for m in run_checks() if m.id.startswith("slashing."))

    assert ids() == []
    settings.AGORA_UNBONDING_PERIOD_SECONDS = 5 * 24 * 3600  # exactly the 120 h default deadline
    assert ids() == ["slashing.E003"]
    settings.AGORA_SLASH_DEADLINE_HOURS = 96
    assert ids() == []
    settings.AGORA_SLASH_RESPONSE_HOURS, settings.AGORA_SLASH_APPROVALS = 96, 0
    assert ids() == ["slashing.E001", "slashing.E002"]
    settings.AGORA_SLASH_RESPONSE_HOURS, settings.AGORA_SLASH_APPROVALS = 48, 1
    settings.AGORA_UNBONDING_PERIOD_SECONDS, settings.AGORA_SERVICE_STAGE = 0, "prod"
    assert ids() == ["slashing.E004"]
