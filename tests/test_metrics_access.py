"""/metrics is for the Prometheus scraper: allowed client IPs, or the bearer token."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("remote, allowed, status", [
    ("127.0.0.1", None, 200),                    # the default: the machine itself
    ("::1", None, 200),
    ("203.0.113.5", None, 403),                  # anyone else
    ("10.1.2.3", ["10.0.0.0/8"], 200),           # a network
    ("10.1.2.3", ["10.0.0.1"], 403),
    ("2001:db8::7", ["2001:db8::/64"], 200),
])
def test_metrics_by_client_ip(client, settings, remote, allowed, status):
    if allowed is not None:
        settings.AGORA_METRICS_ALLOWED_IPS = allowed
    response = client.get("/metrics", REMOTE_ADDR=remote)
    assert response.status_code == status
    if status == 403:
        assert response.json()["code"] == "forbidden"
    else:
        assert b"agora_http_request_duration_seconds" in response.content


def test_metrics_with_the_bearer_token_from_anywhere(client, settings):
    settings.AGORA_METRICS_TOKEN = "s3cret-scrape-token"
    outside = {"REMOTE_ADDR": "203.0.113.5"}
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token", **outside).status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **outside).status_code == 403
    assert client.get("/metrics", **outside).status_code == 403


def test_an_empty_token_setting_opens_nothing(client, settings):
    settings.AGORA_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR="203.0.113.5").status_code == 403


def test_metrics_behind_a_trusted_proxy_use_the_forwarded_client(client, settings):
    settings.AGORA_TRUSTED_PROXY_COUNT = 1
    forged = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert forged.status_code == 403  # the proxy runs on this machine; the client behind it does not
