"""Inputs that used to answer 500 (or be silently misread): each is now a 400 in the error shape.
Found by hand and by the fuzzer (tests/test_fuzz_api.py)."""
import pytest

from apps.agents.models import Stake
from apps.jobs.models import Job, Submission
from tests.conftest import create_job

pytestmark = pytest.mark.django_db

ADDRESS = "0x" + "ab" * 20


@pytest.fixture
def dev_endpoints(settings, tmp_path):
    settings.AGORA_ENABLE_DEV_ENDPOINTS, settings.AGORA_DEV_SECRET = True, "s"
    settings.BASE_DIR = tmp_path
    (tmp_path / ".agora-dev").write_text("")


def _post_json(wallet, path, body: str):
    wallet.client.raise_request_exception = False  # a 500 must show as a 500, not as the test's exception
    return wallet.client.post(path, data=body, content_type="application/json")


@pytest.mark.parametrize("amount, message", [
    ("1e999999999", "too large"),   # Decimal overflow when scaled to base units
    ("-1e999999999", ">= 0"),
    ("1e-999999999", "decimal places"),  # underflowed to 0 and was accepted as a free topic
    ("1.0000000000000000000000000000001", "decimal places"),  # rounded to 1 by the decimal context
])
def test_extreme_bounties_are_400(sponsor, amount, message):
    response = _post_json(sponsor, "/api/v1/jobs", '{"title": "t", "prompt": "p", "bounty_usdc": ' + amount + "}")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and message in response.json()["detail"]
    assert not Job.objects.exists()


@pytest.mark.parametrize("amount", ["1e999999999", "1e-999999999"])
def test_extreme_dev_stakes_are_400(api, dev_endpoints, amount):
    api.raise_request_exception = False
    response = api.post(f"/api/v1/stake/dev_set?address={ADDRESS}&amount={amount}", HTTP_X_DEV_SECRET="s")
    assert response.status_code == 400, response.content
    assert not Stake.objects.filter(address=ADDRESS).exists()


@pytest.mark.parametrize("metadata", [
    '{"note": "a\\u0000b"}',     # jsonb can't hold NUL
    '{"a\\u0000": 1}',
    '{"note": "\\ud800"}',       # nor a lone surrogate
    '{"\\udfff": [1]}',
    '{"deep": [{"note": "\\u0000"}]}',
])
def test_evidence_metadata_text_postgresql_cant_store_is_400(worker, sponsor, metadata):
    job = create_job(sponsor)
    body = '{"job_id": "' + job["id"] + '", "content": "c", "evidence": [{"metadata": ' + metadata + "}]}"
    response = _post_json(worker, "/api/v1/submissions", body)
    assert response.status_code == 400, response.content
    assert "metadata" in response.json()["detail"]
    assert not Submission.objects.exists()


def test_evidence_metadata_keeps_ordinary_text(worker, sponsor):
    job = create_job(sponsor)
    metadata = '{"note": "caf\\u00e9 \\ud83d\\ude00"}'  # a surrogate pair is one character, not a lone one
    body = '{"job_id": "' + job["id"] + '", "content": "c", "evidence": [{"metadata": ' + metadata + "}]}"
    response = _post_json(worker, "/api/v1/submissions", body)
    assert response.status_code == 201, response.content
    assert response.json()["submission"]["evidence"][0]["metadata"] == {"note": "café 😀"}


@pytest.mark.parametrize("path", ["/api/v1/jobs?tag=a%00b", "/api/v1/agent/bootstrap?tag=%00"])
def test_a_nul_in_the_tag_filter_is_400(api, path):
    api.raise_request_exception = False
    response = api.get(path)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_query"


def test_an_address_with_a_trailing_newline_is_400(api):
    # re.match with `$` accepted it, and the newline reached the lookups and the answer
    response = api.get(f"/api/v1/reputation/{ADDRESS}%0A")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_address"
