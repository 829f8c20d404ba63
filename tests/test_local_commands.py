"""The two commands `make run` adds to the product: beat's schedule in-process, and a demo operator login."""
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from apps.common.models import AuditEntry
from apps.jobs.models import AnchorBatch
from tests.conftest import create_job, submit


def test_run_periodic_once_runs_the_schedule_so_the_sweep_builds_a_missed_anchor(sponsor, worker, settings):
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    # no on-commit callbacks run in this test: the close's own build never happened
    assert sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": sub["id"]},
                               format="json").status_code == 200
    assert not AnchorBatch.objects.filter(job_id=job["id"]).exists()
    settings.AGORA_ANCHOR_SWEEP_AFTER_SECONDS = 0
    out = StringIO()
    call_command("run_periodic", "--once", "--skip", "onchain-index-streams", stdout=out, stderr=out)
    assert AnchorBatch.objects.filter(job_id=job["id"]).exists()
    ran = {line.split(":")[0] for line in out.getvalue().splitlines() if line.endswith(" s")}
    assert ran == set(settings.CELERY_BEAT_SCHEDULE) - {"onchain-index-streams"}


def test_run_periodic_refuses_an_unknown_entry():
    with pytest.raises(CommandError, match="not in the schedule: nope"):
        call_command("run_periodic", "--once", "--skip", "nope")


@pytest.mark.django_db
def test_demo_operator_prints_its_password_once_and_only_at_the_demo_stage(settings, client):
    settings.AGORA_SERVICE_STAGE = "dev"
    with pytest.raises(CommandError, match="demo stage"):
        call_command("demo_operator")
    settings.AGORA_SERVICE_STAGE = "demo"
    first, second = StringIO(), StringIO()
    call_command("demo_operator", stdout=first)
    call_command("demo_operator", stdout=second)
    username, _, rest = first.getvalue().strip().partition(" / ")
    password = rest.split()[0]
    assert password not in second.getvalue() and "changepassword" in second.getvalue()
    user = get_user_model().objects.get(username=username)
    assert user.is_superuser and user.check_password(password)
    assert AuditEntry.objects.filter(action="demo_operator_created", subject=username).count() == 1
    assert client.login(username=username, password=password)
    assert client.get("/admin/").status_code == 200
