import pytest

pytestmark = pytest.mark.django_db


def test_malformed_json_is_a_400_in_the_error_shape(make_wallet):
    wallet = make_wallet()
    response = wallet.client.post("/api/v1/jobs", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "parse_error"


@pytest.mark.parametrize("body", ["[]", "3", '"x"', "null"])
def test_non_object_bodies_are_400(make_wallet, body):
    wallet = make_wallet()
    response = wallet.client.post("/api/v1/jobs", data=body, content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"detail", "code"}


def test_nan_and_infinity_are_rejected(make_wallet):
    wallet = make_wallet()
    body = '{"title": "t", "prompt": "p", "bounty_usdc": NaN}'
    response = wallet.client.post("/api/v1/jobs", data=body, content_type="application/json")
    assert response.status_code == 400


def test_oversized_body_is_413(make_wallet, settings):
    wallet = make_wallet()
    big = '{"title": "t", "prompt": "' + "x" * (settings.AGORA_MAX_BODY_BYTES + 10) + '", "bounty_usdc": 1}'
    response = wallet.client.post("/api/v1/jobs", data=big, content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "payload_too_large"


def test_unsupported_media_type_is_415(make_wallet):
    wallet = make_wallet()
    response = wallet.client.post("/api/v1/jobs", data="title=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and set(response.json()) == {"detail", "code"}


def test_wrong_method_is_405_in_the_error_shape(api):
    response = api.delete("/api/v1/jobs")
    assert response.status_code == 405 and set(response.json()) == {"detail", "code"}


def test_request_id_is_echoed_or_made(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    made = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")["X-Request-ID"]
    assert made != "bad id with spaces" and len(made) == 36


def test_auth_endpoints_are_limited_per_ip_with_retry_after(api, settings):
    settings.AGORA_AUTH_RATE_LIMIT_PER_MIN = 3
    body = {"address": "0x" + "1" * 40}
    codes = [api.post("/api/v1/agents/auth/challenge", body, format="json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = api.post("/api/v1/agents/auth/challenge", body, format="json")
    assert limited.json()["code"] == "rate_limited" and 1 <= int(limited["Retry-After"]) <= 60


def test_writes_are_limited_per_address(make_wallet, settings):
    settings.AGORA_WRITE_RATE_LIMIT_PER_MIN = 2
    first, second = make_wallet(), make_wallet()
    body = {"title": "t", "prompt": "p", "bounty_usdc": 1}
    codes = [first.client.post("/api/v1/jobs", body, format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert second.client.post("/api/v1/jobs", body, format="json").status_code == 201


def test_global_ceiling_per_ip(api, settings):
    settings.AGORA_RATE_LIMIT_PER_MIN = 5
    codes = [api.get("/api/v1/jobs").status_code for _ in range(6)]
    assert codes[:5] == [200] * 5 and codes[5] == 429
    assert api.get("/healthz").status_code == 200  # liveness is never limited


def test_rate_limits_fail_open_when_redis_is_down(api, settings, make_wallet, caplog):
    from django.core.cache import caches

    from apps.common.api.ratelimit import FAIL_OPEN

    before = {group: FAIL_OPEN.labels(group)._value.get() for group in ("global-ip", "write-address")}

    wallet = make_wallet()
    settings.AGORA_RATE_LIMIT_PER_MIN = 5
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                                   "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2}}}
    try:
        del caches["default"]
    except AttributeError:
        pass
    assert api.get("/api/v1/jobs").status_code == 200  # served, not a 500
    created = wallet.client.post("/api/v1/jobs", {"title": "t", "prompt": "p", "bounty_usdc": 1}, format="json")
    assert created.status_code == 201
    # counted per limit that was skipped, and logged
    assert FAIL_OPEN.labels("global-ip")._value.get() == before["global-ip"] + 2
    assert FAIL_OPEN.labels("write-address")._value.get() == before["write-address"] + 1
    assert any(isinstance(r.msg, dict) and r.msg.get("event") == "ratelimit_cache_unavailable" for r in caplog.records)
    ready = api.get("/readyz")  # degraded, not unready: see agora/health.py
    assert ready.status_code == 200 and ready.json()["status"] == "degraded"


def test_json_logs_carry_request_id_address_and_job_id(make_wallet, caplog):
    import json
    import logging

    from agora.logging import logging_config

    wallet = make_wallet(agent=True, stake_usdc=50)
    job = wallet.client.post("/api/v1/jobs", {"title": "t", "prompt": "p", "bounty_usdc": 1}, format="json").json()
    caplog.set_level(logging.INFO)
    wallet.client.get(f"/api/v1/jobs/{job['id']}", HTTP_X_REQUEST_ID="trace-42")
    finished = [r for r in caplog.records if isinstance(r.msg, dict) and r.msg.get("event") == "request_finished"]
    assert finished, [r.msg for r in caplog.records]
    event = finished[-1].msg
    assert event["request_id"] == "trace-42"
    assert event["address"] == wallet.address and event["job_id"] == job["id"]
    # and the configured formatter renders it as one JSON object per line
    formatter = logging.config.dictConfigClass(logging_config("INFO")).configure_formatter(
        logging_config("INFO")["formatters"]["json"])
    line = json.loads(formatter.format(finished[-1]))
    assert line["request_id"] == "trace-42" and line["event"] == "request_finished"


@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/jobs/00000000-0000-0000-0000-000000000000/nope"])
def test_unknown_api_paths_are_json_404s(api, path):
    response = api.get(path)
    assert response.status_code == 404 and response.json() == {"detail": "Not found.", "code": "not_found"}


def test_global_ceiling_counts_in_a_local_cache_too(api, settings):
    # make run has no Redis: the ceiling counts through the Django cache API instead.
    settings.AGORA_RATE_LIMIT_PER_MIN = 3
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "global-ceiling-test"}}  # the setting change resets caches
    codes = [api.get("/api/v1/jobs").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


@pytest.mark.parametrize("proxies, forwarded, expected", [
    (0, "203.0.113.9", "10.0.0.1"),                    # no trusted proxy: the header is ignored
    (1, "203.0.113.9", "203.0.113.9"),                 # one proxy appended the client
    (1, "198.51.100.7, 203.0.113.9", "203.0.113.9"),   # a forged left entry is not trusted
    (2, "198.51.100.7, 203.0.113.9", "198.51.100.7"),  # two proxies: second from the right
    (2, "203.0.113.9", "10.0.0.1"),                    # fewer entries than proxies: the peer
    (1, "not-an-ip", "10.0.0.1"),                      # garbage: the peer
])
def test_client_ip_trusts_only_the_configured_proxies(rf, settings, proxies, forwarded, expected):
    from apps.common.api.clientip import client_ip

    settings.AGORA_TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/api/v1/jobs", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_global_ceiling_counts_each_forwarded_client_separately(api, settings):
    settings.AGORA_TRUSTED_PROXY_COUNT = 1
    settings.AGORA_RATE_LIMIT_PER_MIN = 2
    first = [api.get("/api/v1/jobs", HTTP_X_FORWARDED_FOR="203.0.113.1").status_code for _ in range(3)]
    other = api.get("/api/v1/jobs", HTTP_X_FORWARDED_FOR="203.0.113.2").status_code
    assert first == [200, 200, 429] and other == 200


@pytest.mark.parametrize("accept, status", [
    ("", 200), ("*/*", 200), ("application/json", 200), ("application/json; q=1.0, */*; q=0.1", 200),
    ("text/html", 406), ("image/png", 406),
])
def test_the_api_answers_json_or_406(api, accept, status):
    response = api.get("/api/v1/economy/policy", HTTP_ACCEPT=accept)
    assert response.status_code == status and response["Content-Type"].startswith("application/json")
    if status == 406:
        assert set(response.json()) == {"detail", "code"}


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete", "options", "head"])
@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/jobs/00000000-0000-0000-0000-000000000000/nope",
                                  "/api/v2/jobs", "/api/"])
def test_unknown_api_paths_are_json_404s_for_every_method(settings, method, path):
    """Browsers' CSRF checks apply (a signed-in sponsor has a session cookie): an unknown API path is
    still the API's 404, never Django's HTML "CSRF verification failed" page."""
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.create_user("someone"))
    response = client.generic(method.upper(), path, data="{}", content_type="application/json")
    assert response.status_code == 404, (method, path, response.content[:200])
    assert response["Content-Type"].startswith("application/json")
    if method != "head":
        assert response.json() == {"detail": "Not found.", "code": "not_found"}


@pytest.mark.parametrize("path", ["/api/v1/boom", "/api/v1/boom-drf"])
def test_a_500_under_api_is_the_json_error_shape(settings, path):
    from django.test import Client

    settings.ROOT_URLCONF = "tests.pages.urls_500"
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == 500 and response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"detail", "code"} and body["code"] == "server_error"
    assert "hunter2" not in response.content.decode() and response["X-Request-ID"]


def test_a_bad_host_under_api_is_a_json_400(api):
    response = api.get("/api/v1/jobs", HTTP_HOST="evil.example")
    assert response.status_code == 400 and response.json()["code"] == "bad_request"


def test_per_ip_limits_count_an_ipv6_client_by_its_64(api, settings):
    """One IPv6 client holds a whole /64: hopping addresses inside it must not buy a fresh budget."""
    settings.AGORA_RATE_LIMIT_PER_MIN = 2
    same_64 = [api.get("/api/v1/jobs", REMOTE_ADDR=f"2001:db8:1:2::{i}").status_code for i in (1, 2, 3)]
    other_64 = api.get("/api/v1/jobs", REMOTE_ADDR="2001:db8:1:3::1").status_code
    assert same_64 == [200, 200, 429] and other_64 == 200
    settings.AGORA_RATE_LIMIT_PER_MIN = 100000
    settings.AGORA_AUTH_RATE_LIMIT_PER_MIN = 2
    body = {"address": "0x" + "1" * 40}
    auth = [api.post("/api/v1/agents/auth/challenge", body, format="json", REMOTE_ADDR=f"2001:db8:9:9::{i}")
            .status_code for i in (1, 2, 3)]
    assert auth == [200, 200, 429]
