"""/metrics counts requests by method, URL route (not path) and status."""
import re
import uuid

import pytest

pytestmark = pytest.mark.django_db


def _count(client, method: str, route: str, status: int) -> float:
    text = client.get("/metrics").content.decode()
    pattern = (rf'agora_http_request_duration_seconds_count\{{method="{method}",route="{re.escape(route)}",'
               rf'status="{status}"\}} (\S+)')
    found = re.search(pattern, text)
    return float(found.group(1)) if found else 0.0


def test_requests_are_counted_per_route_and_status(client):
    detail_route = "api/v1/jobs/<uuid:job_id>"
    before_404 = _count(client, "GET", detail_route, 404)
    before_list = _count(client, "GET", "api/v1/jobs", 200)
    for _ in range(3):
        assert client.get(f"/api/v1/jobs/{uuid.uuid4()}").status_code == 404
    assert client.get("/api/v1/jobs").status_code == 200
    assert _count(client, "GET", detail_route, 404) == before_404 + 3  # three ids, one series
    assert _count(client, "GET", "api/v1/jobs", 200) == before_list + 1


def test_unmatched_paths_and_odd_methods_share_bounded_series(client):
    before = _count(client, "GET", "unmatched", 404)
    client.get(f"/no-such-page-{uuid.uuid4()}")
    assert _count(client, "GET", "unmatched", 404) == before + 1
    before_other = _count(client, "other", "api/v1/jobs", 405)
    assert client.generic("BREW", "/api/v1/jobs").status_code == 405
    assert _count(client, "other", "api/v1/jobs", 405) == before_other + 1
