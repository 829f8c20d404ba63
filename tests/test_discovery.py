import pytest
import yaml

pytestmark = pytest.mark.django_db


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_readyz_checks_database_and_redis(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_readyz_reports_a_failed_redis_without_failing(client, settings):
    """Redis down degrades the node (limits fail open, lists come from the database) but must not pull it
    out of the proxy: 200, with the failed check named in the body (docs/monitoring.md, Readiness)."""
    from django.core.cache import caches

    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: a real refused connection
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": settings.REDIS_URL,
                                   "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5}}}
    settings.AGORA_RATE_LIMIT_PER_MIN = 0
    try:
        del caches["default"]
    except AttributeError:
        pass
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded" and body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("failed") and "redis" in body["detail"]


def test_llms_txt_and_manifests(client):
    text = client.get("/llms.txt")
    assert text["Content-Type"].startswith("text/plain")
    body = text.content.decode()
    assert "/api/v1/agents/auth/challenge" in body and "{BASE_URL}" not in body
    for path in ("/.well-known/ai-plugin.json", "/.well-known/agent.json", "/agora-agent-manifest.json"):
        manifest = client.get(path).json()
        assert "openapi.yaml" in str(manifest)


def test_bootstrap_shape(client):
    body = client.get("/api/v1/agent/bootstrap?status=all&limit=5").json()
    assert set(body) == {"server_time", "service_stage", "service_notice", "chain_notice", "specs", "constitution",
                         "economy_policy", "stake_requirements", "jobs"}
    assert body["service_stage"] == "dev" and body["server_time"].endswith("Z")
    assert set(body["specs"]) == {"llms_txt", "openapi_yaml", "openapi_json", "agent_manifest", "docs"}
    assert client.get("/api/v1/agent/bootstrap?limit=0").status_code == 400


def test_economy_policy_and_constitution(client):
    policy = client.get("/api/v1/economy/policy").json()
    assert (policy["agent_payout_usdc_pct"], policy["platform_fee_usdc_pct"], policy["jury_pool_usdc_pct"],
            policy["agr_mint_per_win"]) == (70, 25, 5, 50)
    constitution = client.get("/api/v1/governance/constitution").json()
    assert constitution["usdc_split"] == {"agent_payout": 70, "platform_fee": 25, "jury_pool": 5}
    assert set(constitution["voting"]["eligibility"]) >= {"min_stake_usdc", "min_rep_score"}
    assert constitution["voting"]["final_vote"]["default_window_seconds"] == 86_400
    assert set(constitution["treasury"]) == {"network", "chain_id", "contract_address", "usdc_address", "note"}


def test_openapi_is_served_in_both_formats(client):
    as_yaml = yaml.safe_load(client.get("/openapi.yaml").content)
    as_json = client.get("/openapi.json").json()
    assert as_yaml["paths"].keys() == as_json["paths"].keys()
    assert "/api/v1/jobs/{job_id}/close" in as_json["paths"]
    assert "429" in as_json["paths"]["/api/v1/votes"]["post"]["responses"]
