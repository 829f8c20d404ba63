import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROD = {"DJANGO_SETTINGS_MODULE": "agora.settings.production", "PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def _manage(*args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_refuses_to_start_without_secret_key_and_hosts():
    result = _manage("check", env={**PROD, "DATABASE_URL": "postgres://postgres@127.0.0.1/agora"})
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_production_check_deploy_is_clean():
    env = {**PROD, "SECRET_KEY": "x7!kP2#vQ9$mL4&nR8*tW1^yZ6@bC3%dF5(gH0)jK_-=+aSdFgHjKl",
           "ALLOWED_HOSTS": "agora.example", "DATABASE_URL": "postgres://postgres@127.0.0.1/agora",
           "AGORA_ANCHOR_SALT_KEY": "a-long-random-anchor-salt-key"}
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_behind_the_proxy_only_health_and_metrics_answer_plain_http():
    """The proxy says HTTPS with X-Forwarded-Proto; health checks and scrapes come straight over HTTP."""
    env = {**PROD, "SECRET_KEY": "x7!kP2#vQ9$mL4&nR8*tW1^yZ6@bC3%dF5(gH0)jK_-=+aSdFgHjKl",
           "ALLOWED_HOSTS": "agora.example", "DATABASE_URL": "postgres://postgres@127.0.0.1/postgres",
           "AGORA_ANCHOR_SALT_KEY": "a-long-random-anchor-salt-key"}
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
    env = {**PROD, "SECRET_KEY": new, "ALLOWED_HOSTS": "agora.example",
           "DATABASE_URL": "postgres://postgres@127.0.0.1/postgres", "AGORA_ANCHOR_SALT_KEY": "salt"}
    code = f"from django.core import signing; print(signing.loads({token!r}))"
    assert _manage("shell", "-c", code, env={**env, "SECRET_KEY_FALLBACKS": old}).stdout.strip().endswith(
        "signed before the rotation")
    rejected = _manage("shell", "-c", code, env=env)
    assert rejected.returncode != 0 and "BadSignature" in rejected.stderr


def test_collectstatic_with_production_settings(tmp_path):
    """The deploy step `manage.py collectstatic --noinput`: whitenoise then serves the files, compressed."""
    env = {**PROD, "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "agora.example", "AGORA_ANCHOR_SALT_KEY": "salt",
           "DATABASE_URL": "postgres://postgres@127.0.0.1/postgres", "STATIC_ROOT": str(tmp_path / "static")}
    result = _manage("collectstatic", "--noinput", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "static" / "agora" / "site.css").exists()
    assert (tmp_path / "static" / "agora" / "site.css.gz").exists()
