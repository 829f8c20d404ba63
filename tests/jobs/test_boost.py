"""Boosts: AGR spent through the ledger features an open topic; boosts stack and run out."""
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.agents.models import AgrLedger
from apps.agents.services import agr_credit
from apps.jobs.models import JobBoost, JobEvent
from tests.conftest import create_job, submit

pytestmark = pytest.mark.django_db


def _boost(wallet, job_id, amount=10, hours=2):
    return wallet.client.post(f"/api/v1/jobs/{job_id}/boost", {"amount_agr": amount, "duration_hours": hours},
                              format="json")


def _at(value):
    return timezone.datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_boost_spends_agr_and_boosts_stack(sponsor, make_wallet):
    job = create_job(sponsor)
    booster = make_wallet()
    poor = _boost(booster, job["id"])
    assert (poor.status_code, poor.json()["code"]) == (409, "insufficient_agr")
    agr_credit(address=booster.address, amount=100, reason="test")
    first = _boost(booster, job["id"], amount=30, hours=2)
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["job_id"], body["featured_score"]) == (job["id"], 30)
    assert abs(_at(body["featured_until"]) - (timezone.now() + timedelta(hours=2))) < timedelta(seconds=30)
    shorter = _boost(booster, job["id"], amount=20, hours=1).json()
    assert shorter["featured_score"] == 50 and shorter["featured_until"] == body["featured_until"]  # the latest end
    longer = _boost(booster, job["id"], amount=50, hours=720).json()
    assert longer["featured_score"] == 100 and _at(longer["featured_until"]) > _at(body["featured_until"])
    assert (_boost(booster, job["id"], amount=1).json()["code"]) == "insufficient_agr"  # never below zero
    status = booster.client.get(f"/api/v1/agr/status?address={booster.address}").json()
    assert (status["balance"], status["earned"], status["spent"]) == (0, 100, 100)
    spends = AgrLedger.objects.filter(address=booster.address, kind="spent").order_by("id")
    assert [(e.amount, str(e.job_id)) for e in spends] == [(30, job["id"]), (20, job["id"]), (50, job["id"])]
    assert [b.agr_entry_id for b in JobBoost.objects.order_by("created_at")] == [e.id for e in spends]
    assert JobEvent.objects.filter(job_id=job["id"], kind="boosted").count() == 3
    detail = sponsor.client.get(f"/api/v1/jobs/{job['id']}").json()
    assert (detail["featured_score"], detail["featured_until"]) == (100, longer["featured_until"])
    listed = sponsor.client.get("/api/v1/jobs").json()["jobs"]  # the cached list page was invalidated
    assert [(j["id"], j["featured_score"]) for j in listed] == [(job["id"], 100)]
    # a boost that has run out no longer counts; the topic stays featured on the others
    JobBoost.objects.filter(amount_agr=50).update(ends_at=timezone.now() - timedelta(seconds=1))
    assert sponsor.client.get(f"/api/v1/jobs/{job['id']}").json()["featured_score"] == 50
    JobBoost.objects.update(ends_at=timezone.now() - timedelta(seconds=1))
    assert sponsor.client.get(f"/api/v1/jobs/{job['id']}").json()["featured_score"] == 0


@pytest.mark.parametrize("body", [
    {"amount_agr": 0, "duration_hours": 1}, {"amount_agr": 1_000_001, "duration_hours": 1},
    {"amount_agr": "5", "duration_hours": 1}, {"amount_agr": 1.5, "duration_hours": 1},
    {"amount_agr": 1, "duration_hours": 0}, {"amount_agr": 1, "duration_hours": 721}, {"amount_agr": 1},
    {"amount_agr": True, "duration_hours": 1},
])
def test_boost_input_limits(sponsor, body):
    job = create_job(sponsor)
    agr_credit(address=sponsor.address, amount=2_000_000, reason="test")
    response = sponsor.client.post(f"/api/v1/jobs/{job['id']}/boost", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and not JobBoost.objects.exists()


def test_boost_limits_are_inclusive_and_only_open_topics_take_boosts(sponsor, worker):
    job = create_job(sponsor)
    agr_credit(address=sponsor.address, amount=1_000_001, reason="test")
    assert _boost(sponsor, job["id"], amount=1_000_000, hours=720).status_code == 200
    assert _boost(sponsor, job["id"], amount=1, hours=1).status_code == 200
    assert _boost(sponsor, str(uuid.uuid4()), amount=1).status_code == 404
    assert APIClient().post(f"/api/v1/jobs/{job['id']}/boost", {"amount_agr": 1, "duration_hours": 1},
                            format="json").status_code == 401
    closing = create_job(sponsor)
    sub = submit(worker, closing["id"])
    sponsor.client.post(f"/api/v1/jobs/{closing['id']}/close", {"winner_submission_id": sub["id"]}, format="json")
    agr_credit(address=sponsor.address, amount=5, reason="test")
    response = _boost(sponsor, closing["id"], amount=1)
    assert (response.status_code, response.json()["code"]) == (409, "job_closed")


def test_featured_topics_lead_home_and_explore_while_featured(sponsor):
    old = create_job(sponsor, title="Old but boosted")
    small = create_job(sponsor, title="Small boost")
    for i in range(3):
        create_job(sponsor, title=f"Newer {i}")
    agr_credit(address=sponsor.address, amount=100, reason="test")
    _boost(sponsor, old["id"], amount=60)
    _boost(sponsor, small["id"], amount=5)
    client = Client()
    for path in ("/", "/explore"):
        html = client.get(path).content.decode()
        order = [html.index(t) for t in ("Old but boosted", "Small boost", "Newer 2", "Newer 0")]
        assert order == sorted(order), path
        assert html.count('class="badge badge-featured"') == 2, path
    JobBoost.objects.update(ends_at=timezone.now() - timedelta(seconds=1))
    html = client.get("/explore").content.decode()
    assert html.index("Newer 2") < html.index("Small boost") < html.index("Old but boosted")
    assert 'class="badge badge-featured"' not in html
