"""What the house issue added besides moving code: topic event rows, audit rows, one 404 shape."""
import pytest
from rest_framework.test import APIClient

from apps.agents.services import stake_set
from apps.common.models import AuditEntry
from apps.jobs.models import JobEvent
from tests.conftest import create_job, submit

pytestmark = pytest.mark.django_db


def test_topic_state_changes_leave_event_rows_the_admin_shows(sponsor, worker, client, admin_user):
    job = create_job(sponsor, bounty_usdc=5)
    sub = submit(worker, job["id"])
    assert sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": sub["id"]},
                               format="json").status_code == 200
    events = list(JobEvent.objects.filter(job_id=job["id"]).order_by("id"))
    assert [(e.kind, e.actor) for e in events] == [("created", sponsor.address), ("closed", sponsor.address)]
    assert events[0].data == {"bounty_units": 5_000_000, "tags": ["python"]}
    assert events[1].data["winner_submission_id"] == sub["id"]
    client.force_login(admin_user)
    page = client.get(f"/admin/jobs/job/{job['id']}/change/").content.decode()
    assert "Topic events" in page and "closed" in page and sponsor.address in page


def test_stake_set_records_who_changed_it():
    address = "0x" + "ab" * 20
    stake_set(address=address, units=7, actor="ops@agora")
    stake_set(address=address, units=9, actor="dev-endpoint")
    rows = list(AuditEntry.objects.filter(subject=address).order_by("id").values_list("actor", "action", "data"))
    assert rows == [("ops@agora", "stake_set", {"from_units": 0, "to_units": 7}),
                    ("dev-endpoint", "stake_set", {"from_units": 7, "to_units": 9})]


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_unknown_api_paths_answer_the_json_404_for_every_method(method):
    client = APIClient(enforce_csrf_checks=True)  # as a browser would: without the exemption this is a CSRF 403
    response = getattr(client, method)("/api/v1/no/such/thing", {"a": 1}, format="json")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_redeploy_on_a_dev_chain_retires_the_old_stream_and_a_real_chain_refuses():
    from apps.common.errors import InvalidInput
    from apps.onchain.models import ChainStream
    from apps.onchain.services import stream_ensure

    old = stream_ensure(name="stake_vault", chain_id=31337, contract_address="0x" + "11" * 20, start_block=1)
    new = stream_ensure(name="stake_vault", chain_id=31337, contract_address="0x" + "22" * 20, start_block=9)
    old.refresh_from_db()
    assert new.pk != old.pk and new.name == "stake_vault" and new.start_block == 9
    assert old.halted and old.name == "stake_vault@0x11111111" and "redeploy" in old.halted_reason
    stream_ensure(name="stake_vault", chain_id=8453, contract_address="0x" + "33" * 20, start_block=1)
    with pytest.raises(InvalidInput, match="already follows"):
        stream_ensure(name="stake_vault", chain_id=8453, contract_address="0x" + "44" * 20, start_block=1)
    assert ChainStream.objects.filter(chain_id=8453).count() == 1
