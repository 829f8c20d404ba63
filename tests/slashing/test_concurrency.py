"""Approvals racing each other on real threads, each with its own PostgreSQL connection."""
import pytest

from apps.common.errors import ApplicationError
from apps.slashing.models import OperatorWallet, SlashApproval
from apps.slashing.operators import operator_from_user
from apps.slashing.services import slash_proposal_approve
from tests.jobs.test_concurrency import _run_together

from .conftest import make_operator, open_window, propose, set_stake

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_approvals_count_each_person_once(ops, settings):
    agent = "0x" + "d1" * 20
    set_stake(agent, 10**9)
    settings.AGORA_SLASH_APPROVALS = 2
    two = propose(ops["alice"], agent)
    settings.AGORA_SLASH_APPROVALS = 3
    three = propose(ops["alice"], agent)
    for proposal in (two, three):
        open_window(proposal)
    # bob and carol each also have a wallet login linked to their password account: same people
    logins = [ops["bob"], ops["carol"], ops["alice"]]
    for name, wallet in (("bob", "0x" + "b1" * 20), ("carol", "0x" + "c1" * 20)):
        OperatorWallet.objects.create(user=ops[name], address=wallet)
        logins.append(make_operator(wallet))
    operators = [operator_from_user(user) for user in logins]
    calls = [(lambda p=p, o=o: slash_proposal_approve(proposal_id=p.pk, operator=o, reason="checked"))
             for p in (two, three) for o in operators for _ in range(2)]
    results = _run_together(calls)
    assert all(isinstance(r, ApplicationError) or r.pk in (two.pk, three.pk) for r in results)
    codes = sorted({r.code for r in results if isinstance(r, ApplicationError)})
    assert set(codes) <= {"already_approved", "self_approval", "proposal_not_open"} and "self_approval" in codes
    for proposal, status in ((two, "approved"), (three, "proposed")):
        proposal.refresh_from_db()
        assert proposal.status == status
        approvers = sorted(SlashApproval.objects.filter(proposal=proposal).values_list("operator", flat=True))
        assert approvers == ["0x" + "b1" * 20, "0x" + "c1" * 20]
        assert proposal.events.filter(kind="approval").count() == 2
        assert proposal.events.filter(kind="approved").count() == (1 if status == "approved" else 0)
