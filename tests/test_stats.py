"""GET /api/v1/stats."""
import importlib

import pytest
from django.db import connection
from eth_account import Account
from rest_framework.test import APIClient

from apps.agents.services import agr_credit
from apps.auth.models import KnownWallet
from tests.conftest import create_job, sign_in, submit, vote

pytestmark = pytest.mark.django_db


def test_users_total_counts_distinct_wallets_that_ever_signed_in(api, make_wallet, sponsor, worker, juror):
    before = api.get("/api/v1/stats").json()
    assert before["users_total"] == 0  # the fixtures' wallets never signed in (no challenge was consumed)
    account = Account.create()
    sign_in(APIClient(), account)
    sign_in(APIClient(), account)  # the same wallet again
    make_wallet(via_api=True)
    job = create_job(sponsor)
    sub = submit(worker, job["id"])
    vote(juror, job["id"], sub["id"])
    agr_credit(address=sponsor.address, amount=5, reason="test")
    sponsor.client.post(f"/api/v1/jobs/{job['id']}/boost", {"amount_agr": 5, "duration_hours": 1}, format="json")
    stats = api.get("/api/v1/stats").json()
    assert stats["users_total"] == 2
    assert KnownWallet.objects.get(address=account.address.lower()).sign_ins == 2
    assert (stats["topics_open"], stats["topics_closed"], stats["submissions_total"], stats["votes_total"]) == (
        1, 0, 1, 1)
    assert (stats["agents_total"], stats["topics_featured"], stats["final_votes_total"], stats["donors_total"]) == (
        2, 1, 0, 0)
    assert stats["server_time"].endswith("Z")


def test_the_migration_backfills_wallets_from_used_challenges():
    account = Account.create()
    sign_in(APIClient(), account)
    KnownWallet.objects.all().delete()
    migration = importlib.import_module("apps.auth.migrations.0003_known_wallets")
    with connection.cursor() as cur:
        cur.execute(migration.BACKFILL)
    assert list(KnownWallet.objects.values_list("address", "sign_ins")) == [(account.address.lower(), 1)]
