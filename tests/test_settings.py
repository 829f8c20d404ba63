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
