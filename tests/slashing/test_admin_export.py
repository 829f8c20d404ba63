"""The operators' side: admin actions limited by permission, the proposal page, and the Safe export from the
admin and from `manage.py slash_export`."""
import json

import pytest
from django.core.management import call_command
from django.test import Client
from web3 import Web3

from apps.common.errors import ApplicationError
from apps.onchain.safe_batch import safe_batch_call_data, safe_batch_checksum_valid
from apps.slashing.models import SlashApproval, SlashProposal
from apps.slashing.operators import operator_from_user
from apps.slashing.services import slash_export, slash_proposal_approve
from tests.conftest import create_job, submit

from .conftest import TREASURY, make_operator, open_window, propose, set_stake

pytestmark = pytest.mark.django_db
VAULT = "0x" + "5a" * 20
SAFE = "0x" + "5f" * 20
CHANGELIST = "/admin/slashing/slashproposal/"


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _approved(ops, agent, **extra):
    proposal = propose(ops["alice"], agent, **extra)
    open_window(proposal)
    return slash_proposal_approve(proposal_id=proposal.pk, operator=operator_from_user(ops["bob"]), reason="ok")


def test_view_access_alone_cannot_propose_or_decide(ops):
    agent = "0x" + "c1" * 20
    set_stake(agent, 10**8)
    proposal = propose(ops["alice"], agent)
    open_window(proposal)
    viewer = _login(make_operator("viewer", "view_slashproposal"))
    page = viewer.get(CHANGELIST).content.decode()
    assert str(proposal.pk) in page and 'value="approve"' not in page
    viewer.post(CHANGELIST, {"action": "approve", "_selected_action": [proposal.pk], "apply": "1", "reason": "x"})
    assert SlashApproval.objects.count() == 0
    assert viewer.get(f"{CHANGELIST}add/").status_code == 403
    assert "Approve…" not in viewer.get(f"{CHANGELIST}{proposal.pk}/change/").content.decode()


def test_create_and_approve_in_the_admin_call_the_services(ops, sponsor, worker):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    set_stake(worker.address, 10**8)
    alice, bob = _login(ops["alice"]), _login(ops["bob"])
    form = alice.get(f"{CHANGELIST}add/?agent_address={worker.address}&submission_id={sub['id']}").content.decode()
    assert worker.address in form and sub["id"] in form  # prefilled from the query string
    bad = alice.post(f"{CHANGELIST}add/", {"agent_address": worker.address, "amount_usdc": "2.5",
                                           "recipient_address": worker.address, "violation_type": "other",
                                           "reason": "r"})
    assert bad.status_code == 200 and "recipient can&#x27;t be the agent" in bad.content.decode()
    done = alice.post(f"{CHANGELIST}add/", {
        "agent_address": worker.address, "amount_usdc": "2.5", "recipient_address": TREASURY,
        "violation_type": "fabricated_evidence", "submission_id": sub["id"], "reason": "the quote is invented",
        "evidence": "https://e.example/a\n\nhttps://e.example/b\n"})
    proposal = SlashProposal.objects.get()
    assert done.status_code == 302 and done["Location"].endswith(f"/{proposal.pk}/change/")
    assert (proposal.amount_units, proposal.evidence, str(proposal.job_id)) == (
        2_500_000, ["https://e.example/a", "https://e.example/b"], job["id"])
    assert proposal.proposed_by_label == "admin:alice"
    open_window(proposal)
    ask = bob.post(CHANGELIST, {"action": "approve", "_selected_action": [proposal.pk]})
    assert ask.status_code == 200 and 'name="reason"' in ask.content.decode()
    bob.post(CHANGELIST, {"action": "approve", "_selected_action": [proposal.pk], "apply": "1",
                          "reason": "the source page never said that"})
    proposal.refresh_from_db()
    assert proposal.status == "approved"
    assert proposal.approvals.get().reason == "the source page never said that"
    # alice may not approve her own (the service refuses; the admin says why)
    other = propose(ops["alice"], worker.address)
    open_window(other)
    refused = alice.post(CHANGELIST, {"action": "approve", "_selected_action": [other.pk], "apply": "1",
                                      "reason": "mine"}, follow=True)
    assert "another operator must" in refused.content.decode()
    # the proposal page: history, the agent's submissions and stake, and a warning once the stake dropped
    set_stake(worker.address, 10**6)
    page = bob.get(f"{CHANGELIST}{proposal.pk}/change/").content.decode()
    assert 'id="stake-warning"' in page and "dropped from 100 to 1 USDC" in page
    assert "the source page never said that" in page and sub["id"] in page and 'id="agent-history"' in page
    assert "⚠" in bob.get(CHANGELIST).content.decode()
    dashboard = bob.get("/admin/").content.decode()
    assert 'data-figure="approved-slashes-to-export-for-the-safe">1<' in dashboard
    assert 'data-figure="slash-proposals-awaiting-approval">1<' in dashboard


def test_export_builds_slash_calls_and_a_second_export_needs_a_reason(ops, settings):
    settings.AGORA_STAKE_CONTRACT_ADDRESS = VAULT
    agent = "0x" + "c2" * 20
    set_stake(agent, 10**8)
    first, second = _approved(ops, agent, units=1_000_000), _approved(ops, agent, units=2_000_000)
    pending = propose(ops["alice"], agent)
    carol = operator_from_user(ops["carol"])
    with pytest.raises(ApplicationError, match="only approved"):
        slash_export(proposal_ids=[first.pk, pending.pk], safe_address=SAFE, operator=carol)
    batch = slash_export(proposal_ids=[second.pk, first.pk], safe_address=SAFE, operator=carol)
    assert safe_batch_checksum_valid(batch) and batch["chainId"] == "31337"
    calls = batch["transactions"]
    who = {"agent": Web3.to_checksum_address(agent), "recipient": Web3.to_checksum_address(TREASURY)}
    assert [c["contractInputsValues"] for c in calls] == [{**who, "amount": "1000000"}, {**who, "amount": "2000000"}]
    assert {c["to"] for c in calls} == {Web3.to_checksum_address(VAULT)}
    assert safe_batch_call_data(calls[0])[:4] == Web3.keccak(text="slash(address,uint256,address)")[:4]
    first.refresh_from_db()
    assert (first.status, first.exports, first.vault_address) == ("exported", 1, VAULT)
    with pytest.raises(ApplicationError, match="slash twice"):
        slash_export(proposal_ids=[first.pk], safe_address=SAFE, operator=carol)
    slash_export(proposal_ids=[first.pk], safe_address=SAFE, operator=carol, reason="the first file was lost")
    first.refresh_from_db()
    last = first.events.latest("id")
    assert (first.exports, last.kind, last.reason, last.data["export"]) == (2, "exported", "the first file was lost", 2)


def test_export_from_the_admin_and_the_command(ops, settings, tmp_path):
    settings.AGORA_STAKE_CONTRACT_ADDRESS = VAULT
    agent = "0x" + "c3" * 20
    set_stake(agent, 10**8)
    by_admin, by_command = _approved(ops, agent, units=10**6), _approved(ops, agent, units=3 * 10**6)
    carol = _login(ops["carol"])
    download = carol.post(CHANGELIST, {"action": "export_to_safe", "_selected_action": [by_admin.pk], "apply": "1",
                                       "safe_address": SAFE})
    assert download["Content-Disposition"].startswith('attachment; filename="agora-slashes-')
    assert json.loads(download.content)["transactions"][0]["contractInputsValues"]["amount"] == "1000000"
    out = tmp_path / "batch.json"
    call_command("slash_export", "--safe", SAFE, "--operator", "0x" + "0c" * 20, "--out", str(out))
    by_command.refresh_from_db()
    assert by_command.status == "approved" and not out.exists()  # a dry run
    call_command("slash_export", "--safe", SAFE, "--operator", "0x" + "0c" * 20, "--out", str(out), "--commit")
    by_command.refresh_from_db()
    assert by_command.status == "exported" and by_command.events.latest("id").actor == "0x" + "0c" * 20
    batch = json.loads(out.read_text())
    assert safe_batch_checksum_valid(batch) and batch["transactions"][0]["contractInputsValues"]["amount"] == "3000000"
