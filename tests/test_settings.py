import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from agora.settings.base import _economy_check

ROOT = Path(__file__).resolve().parent.parent
PROD = {"DJANGO_SETTINGS_MODULE": "agora.settings.production", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def _manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_refuses_to_start_without_secret_key_and_hosts():
    result = _manage("check", env={**PROD, "DATABASE_URL": "postgres://postgres@127.0.0.1/agora"})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


COMPLETE = {**PROD, "SECRET_KEY": "x7!kP2#vQ9$mL4&nR8*tW1^yZ6@bC3%dF5(gH0)jK_-=+aSdFgHjKl",
            "ALLOWED_HOSTS": "agora.example", "DATABASE_URL": "postgres://postgres@127.0.0.1/agora",
            "AGORA_ANCHOR_SALT_KEY": "a-long-random-anchor-salt-key", "AGORA_BASE_URL": "https://agora.example",
            "REDIS_URL": "redis://127.0.0.1:6379/15"}


def test_production_check_deploy_is_clean():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=COMPLETE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_payout_split_past_100_percent_refuses_to_start():
    env = {"DJANGO_SETTINGS_MODULE": "agora.settings.test", "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "AGORA_AGENT_PAYOUT_PCT": "80"}  # 80 + 25 + 5: the receipts would pay out more than the bounty
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "= 110" in result.stderr
    assert _manage("check", env={**env, "AGORA_AGENT_PAYOUT_PCT": "70"}).returncode == 0


@pytest.mark.parametrize("split, min_bounty, per_win, problem", [
    ((70, 20, 5), "10", 3, "exactly 100"),       # the platform would silently get the missing 5 %
    ((110, -15, 5), "10", 3, "non-negative"),
    ((70, 25, 5), "-1", 3, "AGORA_AGR_MIN_BOUNTY_USDC"),
    ((70, 25, 5), "ten", 3, "AGORA_AGR_MIN_BOUNTY_USDC"),
    ((70, 25, 5), "10", -1, "AGORA_REP_PER_WIN"),
])
def test_economy_settings_are_checked_at_startup(split, min_bounty, per_win, problem):
    with pytest.raises(ImproperlyConfigured, match=problem):
        _economy_check(*split, min_bounty, per_win)
    _economy_check(70, 25, 5, "0", 0)  # the defaults' shape, a free minimum and no win points are fine
@pytest.mark.parametrize("name, value", [
    ("AGORA_BASE_URL", None),                      # sign-in messages would name 127.0.0.1:8000
    ("AGORA_BASE_URL", "http://agora.example"),    # and must be https
    ("REDIS_URL", None),                           # rate limits and Celery would go per process
    ("REDIS_URL", ""),
])
def test_production_refuses_to_start_without_base_url_and_redis(name, value):
    env = {k: v for k, v in COMPLETE.items() if k != name}
    if value is not None:
        env[name] = value
    result = _manage("check", env=env)
    assert result.returncode != 0 and name in result.stderr, result.stderr[-500:]


def test_behind_the_proxy_only_health_and_metrics_answer_plain_http():
    """The proxy says HTTPS with X-Forwarded-Proto; health checks and scrapes come straight over HTTP."""
    env = {**COMPLETE, "DATABASE_URL": "postgres://postgres@127.0.0.1/postgres"}
    code = ("from django.test import Client; c = Client(HTTP_HOST='agora.example'); "
            "print(c.get('/healthz').status_code, c.get('/metrics').status_code, c.get('/api/v1/jobs').status_code, "
            "c.get('/healthz', HTTP_X_FORWARDED_PROTO='https')['Strict-Transport-Security'])")
    result = _manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    printed = result.stdout.strip().splitlines()[-1]  # the JSON request logs go to stdout before it
    assert printed.split()[:3] == ["200", "200", "301"] and "max-age=31536000" in printed


def test_a_rotated_secret_key_still_reads_what_the_old_one_signed_while_it_is_a_fallback():
    from django.core import signing

    old, new = "old-" + "k" * 60, "new-" + "n" * 60
    token = signing.dumps("signed before the rotation", key=old)
    env = {**COMPLETE, "SECRET_KEY": new, "DATABASE_URL": "postgres://postgres@127.0.0.1/postgres"}
    code = f"from django.core import signing; print(signing.loads({token!r}))"
    assert _manage("shell", "-c", code, env={**env, "SECRET_KEY_FALLBACKS": old}).stdout.strip().endswith(
        "signed before the rotation")
    rejected = _manage("shell", "-c", code, env=env)
    assert rejected.returncode != 0 and "BadSignature" in rejected.stderr


def test_collectstatic_with_production_settings(tmp_path):
    """The deploy step `manage.py collectstatic --noinput`: whitenoise then serves the files, compressed."""
    env = {**COMPLETE, "DATABASE_URL": "postgres://postgres@127.0.0.1/postgres",
           "STATIC_ROOT": str(tmp_path / "static")}
    result = _manage("collectstatic", "--noinput", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "agora" / "site.css").exists()
    assert (tmp_path / "static" / "agora" / "site.css.gz").exists()
