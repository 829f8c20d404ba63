"""The database backend (apps/common/db): the per-request health check and prepared hot statements."""
import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as StockWrapper

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_idle_connection_passes_without_a_round_trip(monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(StockWrapper, "is_usable", lambda self: pytest.fail("sent SELECT 1"))
    assert connection.is_usable()


def test_a_terminated_backend_fails_it():
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cur:
            cur.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()
    for _ in range(50):  # the server's notice reaches the socket a moment later
        if not connection.is_usable():
            break
        time.sleep(0.05)
    assert not connection.is_usable()
    connection.close()
    with connection.cursor() as cur:  # Django reconnects on the next use
        cur.execute("SELECT 1")


def test_hot_statements_are_prepared_after_a_few_runs(sponsor):
    from apps.jobs.selectors import job_get
    from tests.conftest import create_job

    job = create_job(sponsor)
    for _ in range(6):
        assert str(job_get(job_id=job["id"]).id) == job["id"]
    with connection.cursor() as cur:
        cur.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s", ["%FROM jobs_job j WHERE%"])
        assert cur.fetchall()
