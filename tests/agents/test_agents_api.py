import pytest
from eth_account import Account

from apps.agents.models import AgentProfile, ReputationLedger
from apps.agents.services import reputation_reset
from apps.common.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_profile_put_changes_only_given_fields(make_wallet):
    wallet = make_wallet()
    first = wallet.client.put("/api/v1/profile", {"nickname": "ada", "avatar_url": "https://x.org/a.png"},
                              format="json").json()
    assert (first["nickname"], first["avatar_url"], first["participant_type"]) == ("ada", "https://x.org/a.png",
                                                                                     "unknown")
    second = wallet.client.put("/api/v1/profile", {"participant_type": "agent"}, format="json").json()
    assert (second["nickname"], second["participant_type"], second["avatar_mode"]) == ("ada", "agent", "manual")
    assert set(second) == {"address", "nickname", "avatar_url", "avatar_mode", "participant_type", "avatar_seed",
                           "updated_at"}
    assert second["updated_at"].endswith("Z") and second["avatar_seed"]


@pytest.mark.parametrize("body, code", [
    ({"avatar_mode": "donor"}, "field_not_settable"),
    ({"participant_type": "robot"}, "invalid"),
    ({"nickname": "x" * 65}, "invalid"),
    ({"avatar_url": "javascript:alert(1)"}, "invalid"),
])
def test_profile_put_rejects(make_wallet, body, code):
    wallet = make_wallet()
    response = wallet.client.put("/api/v1/profile", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == code
    assert AgentProfile.objects.get(address=wallet.address).avatar_mode == "manual"


def test_profiles_list(api, make_wallet):
    known = make_wallet()
    known.client.put("/api/v1/profile", {"nickname": "known"}, format="json")
    unknown = Account.create().address
    body = api.get(f"/api/v1/profiles?addresses={known.address.upper().replace('0X', '0x')},{unknown}").json()
    assert [p["address"] for p in body["profiles"]] == [known.address, unknown.lower()]
    assert body["profiles"][0]["nickname"] == "known" and body["profiles"][1]["participant_type"] == "unknown"
    assert api.get("/api/v1/profiles?addresses=0xnope").status_code == 400
    assert api.get("/api/v1/profiles").status_code == 400
    many = ",".join(Account.create().address for _ in range(201))
    assert api.get(f"/api/v1/profiles?addresses={many}").json()["code"] == "too_many_addresses"


def test_stake_requirements_and_status(api, make_wallet):
    req = api.get("/api/v1/stake/requirements").json()
    assert set(req) == {"network", "chain_id", "settlement_asset", "usdc_address", "min_stake", "slashing_policy",
                        "onchain_stake_enabled", "stake_contract_address"}
    assert req["min_stake"] == 10 and req["settlement_asset"] == "USDC"
    staked = make_wallet(stake_usdc=10)
    status = api.get(f"/api/v1/stake/status?address={staked.address}").json()
    assert status["is_eligible"] is True and status["staked_amount"] == 10 and status["stake_tx_hash"] is None
    assert (status["unbonding_amount"], status["unbonding_release_at"]) == (0, None)  # off chain: all active
    assert api.get(f"/api/v1/stake/status?address={Account.create().address}").json()["is_eligible"] is False
    assert api.get("/api/v1/stake/status?address=0x1").status_code == 400


def test_reputation_leaderboard_and_level(api, make_wallet):
    low, high = make_wallet(score=5), make_wallet(score=250)
    rep = api.get(f"/api/v1/reputation/{high.address}").json()
    assert (rep["score"], rep["level"]) == (250, 3) and "trusted_juror" in rep["badges"]
    entries = api.get("/api/v1/reputation/leaderboard?limit=2").json()["entries"]
    assert entries == [{"address": high.address, "score": 250, "level": 3}, {"address": low.address, "score": 5,
                                                                             "level": 1}]
    assert api.get("/api/v1/reputation/0xzz").status_code == 400
    assert api.get("/api/v1/reputation/leaderboard?limit=500").status_code == 400


def test_operator_reputation_reset_needs_a_reason_and_is_recorded(make_wallet):
    wallet = make_wallet(score=40)
    with pytest.raises(InvalidInput, match="reason is required"):
        reputation_reset(address=wallet.address, reason=" ", actor="ops")
    reputation_reset(address=wallet.address, reason="sybil ring", actor="ops@agora")
    entry = ReputationLedger.objects.filter(address=wallet.address).latest("id")
    assert (entry.kind, entry.delta, entry.score_after, entry.actor) == ("operator_reset", -40, 0, "ops@agora")


def test_agr_and_slashing_lists_start_empty(api):
    address = Account.create().address
    assert api.get(f"/api/v1/agr/status?address={address}").json()["balance"] == 0
    assert api.get(f"/api/v1/slashing/events?address={address}").json() == {"events": []}
    assert api.get("/api/v1/slashing/events?job_id=nope").status_code == 400


@pytest.fixture
def dev_on(settings, tmp_path):
    settings.AGORA_ENABLE_DEV_ENDPOINTS = True
    settings.AGORA_DEV_SECRET = "s3cret"
    settings.BASE_DIR = tmp_path
    (tmp_path / ".agora-dev").write_text("")
    return settings


def test_dev_helpers_write_through_services(api, dev_on):
    address = Account.create().address
    stake = api.post(f"/api/v1/stake/dev_set?address={address}&amount=25.5", HTTP_X_DEV_SECRET="s3cret")
    assert stake.status_code == 200 and stake.json()["staked_amount"] == 25.5 and stake.json()["is_eligible"]
    rep = api.post(f"/api/v1/reputation/dev_set?address={address}&score=42", HTTP_X_DEV_SECRET="s3cret")
    assert rep.json()["score"] == 42
    assert ReputationLedger.objects.get(address=address.lower()).kind == "dev_set"


def test_dev_helpers_are_404_without_the_marker_or_setting_and_401_with_a_wrong_secret(api, dev_on):
    url = f"/api/v1/stake/dev_set?address={Account.create().address}&amount=1"
    assert api.post(url, HTTP_X_DEV_SECRET="wrong").status_code == 401
    assert api.post(url).status_code == 401
    (dev_on.BASE_DIR / ".agora-dev").unlink()
    assert api.post(url, HTTP_X_DEV_SECRET="s3cret").status_code == 404
    (dev_on.BASE_DIR / ".agora-dev").write_text("")
    dev_on.AGORA_ENABLE_DEV_ENDPOINTS = False
    assert api.post(url, HTTP_X_DEV_SECRET="s3cret").status_code == 404


def test_dev_helpers_validate(api, dev_on):
    assert api.post("/api/v1/stake/dev_set?address=0x1&amount=1", HTTP_X_DEV_SECRET="s3cret").status_code == 400
    bad = f"/api/v1/reputation/dev_set?address={Account.create().address}&score=-3"
    assert api.post(bad, HTTP_X_DEV_SECRET="s3cret").status_code == 400


def test_profile_read_back_and_put_whole_is_accepted(make_wallet):
    wallet = make_wallet()
    profile = wallet.client.get("/api/v1/profile").json()
    profile["nickname"] = "roundtrip"
    response = wallet.client.put("/api/v1/profile", profile, format="json")
    assert response.status_code == 200 and response.json()["nickname"] == "roundtrip"
    assert response.json()["avatar_mode"] == "manual"
