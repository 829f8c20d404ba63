"""Session, user and messages middleware run for the pages and the admin, not for /api/."""
import pytest
from django.core import checks

pytestmark = pytest.mark.django_db


def test_api_requests_skip_the_session_user_and_messages(client):
    response = client.get("/api/v1/jobs")
    assert response.status_code == 200
    request = response.wsgi_request
    assert not hasattr(request, "session") and not hasattr(request, "_messages")
    assert "sessionid" not in response.cookies


def test_pages_still_have_them(client):
    request = client.get("/").wsgi_request
    assert hasattr(request, "session") and hasattr(request, "user") and hasattr(request, "_messages")


def test_the_admin_checks_still_find_them():
    assert not [e for e in checks.run_checks() if e.id.startswith("admin.")]
