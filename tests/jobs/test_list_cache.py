"""The topic-list page cache (apps/jobs/list_cache.py) on real Redis and PostgreSQL."""
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from apps.jobs import services
from tests.conftest import create_job, submit

SPONSOR = "0x" + "5" * 40


def _list(client, query="status=all"):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/api/v1/jobs?{query}")
    assert response.status_code == 200
    return response.json(), len(ctx.captured_queries)


@pytest.mark.django_db
def test_a_repeated_page_is_served_without_queries(api, sponsor):
    create_job(sponsor, title="one")
    first, first_queries = _list(api)
    again, again_queries = _list(api)
    assert again == first and first_queries > 0 and again_queries == 0
    # other parameters are other pages
    closed, _ = _list(api, "status=closed")
    limited, _ = _list(api, "status=all&limit=1")
    assert closed["jobs"] == [] and [j["title"] for j in limited["jobs"]] == ["one"]


@pytest.mark.django_db
def test_inside_the_writers_transaction_a_list_sees_the_write(api, sponsor):
    # pytest-django wraps this test in one transaction that never commits, like a service that
    # reads back its own write before returning: the change alone must invalidate the page.
    assert _list(api)[0]["jobs"] == []
    job = create_job(sponsor)
    assert [j["id"] for j in _list(api)[0]["jobs"]] == [job["id"]]


@pytest.mark.django_db
def test_turning_the_cache_off_queries_every_time(api, sponsor, settings):
    settings.AGORA_LIST_CACHE_SECONDS = 0
    create_job(sponsor)
    assert _list(api)[1] > 0 and _list(api)[1] > 0


@pytest.mark.django_db(transaction=True)
def test_committed_creates_and_closes_show_at_once(api, sponsor, worker):
    assert _list(api)[0]["jobs"] == []
    job = create_job(sponsor, title="fresh")
    assert [j["id"] for j in _list(api)[0]["jobs"]] == [job["id"]]
    sub = submit(worker, job["id"])
    closed = sponsor.client.post(f"/api/v1/jobs/{job['id']}/close", {"winner_submission_id": sub["id"]}, format="json")
    assert closed.status_code == 200
    listed = _list(api)[0]["jobs"][0]
    assert listed["status"] == "closed" and listed["receipt"]["winner_submission_id"] == sub["id"]
    assert listed == api.get(f"/api/v1/jobs/{job['id']}").json()


@pytest.mark.django_db(transaction=True)
def test_a_page_built_before_a_commit_is_not_served_after_it(api):
    """Another connection caches a page while a topic is being created but not yet committed; once
    the transaction commits, that page must not be served."""
    seen_during = []

    def list_from_another_connection():
        try:
            seen_during.append(_list(api)[0]["jobs"])
        finally:
            connection.close()

    with transaction.atomic():
        job = services.job_create(sponsor=SPONSOR, title="pending", prompt="p", bounty_units=1, tags=[])
        reader = threading.Thread(target=list_from_another_connection)
        reader.start()
        reader.join()
    assert seen_during == [[]]  # the uncommitted topic was invisible, and that page was cached
    assert [j["id"] for j in _list(api)[0]["jobs"]] == [str(job.id)]


@pytest.mark.django_db
def test_without_a_shared_cache_nothing_is_cached(api, sponsor, settings):
    # A local cache is per process: another worker could never invalidate its pages.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "list-cache-test"}}
    create_job(sponsor)
    assert _list(api)[1] > 0 and _list(api)[1] > 0


@pytest.mark.django_db
def test_a_page_built_across_a_write_is_not_filed_under_the_writers_token():
    """The version key was evicted; a writer replaces it while a page is being built. That page
    shows the data from before the write, so it must never be served afterwards."""
    from apps.common.shared_cache import shared_cache
    from apps.jobs import list_cache

    shared_cache().delete(list_cache.VERSION_KEY)

    def build_while_a_write_lands():
        list_cache.invalidate()  # what saving a topic does, mid-build
        return b"built before the write"

    assert list_cache.page(("evicted",), build_while_a_write_lands) == b"built before the write"
    assert list_cache.page(("evicted",), lambda: b"after the write") == b"after the write"
