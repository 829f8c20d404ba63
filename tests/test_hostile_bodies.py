"""Bodies built to crash the JSON decoder, sent to a real gunicorn worker with production settings.

A body of 100,000 nested brackets (200 KB, under the body limit) used to kill the worker with
SIGSEGV: py_ecc had raised the recursion limit to 100,000, so the decoder overflowed the C stack.
"""
import os
import signal
import subprocess
import sys
import time
from base64 import urlsafe_b64encode
from pathlib import Path

import pytest
import requests
from django.db import connection

from apps.common.devchain import free_port

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "agora.settings.production",
    "SECRET_KEY": "hostile-bodies-test-secret-key-0123456789abcdef-not-for-production",
    "AGORA_ANCHOR_SALT_KEY": "hostile-bodies-test-anchor-salt-key",
    "AGORA_BASE_URL": "https://agora.example",
    "ALLOWED_HOSTS": "127.0.0.1",
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "CRITICAL",
}


def deep(levels: int) -> str:
    return '{"address": ' + "[" * levels + "]" * levels + "}"


def test_the_production_app_keeps_the_default_recursion_limit():
    """Loading the WSGI app imports eth-account (and so py_ecc); the limit must still be Python's
    default, so a deep json.loads raises RecursionError instead of crashing the process."""
    db = connection.settings_dict
    code = ("import json, sys\n"
            "from agora.wsgi import application\n"
            "import eth_account, web3\n"
            "print(sys.getrecursionlimit())\n"
            "try:\n"
            "    json.loads('[' * 100000 + ']' * 100000)\n"
            "except RecursionError:\n"
            "    print('RecursionError')\n")
    env = {**os.environ, **PRODUCTION, "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@127.0.0.1/x"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert result.stdout.split() == ["1000", "RecursionError"]


@pytest.fixture
def gunicorn():
    """One sync worker, so "the worker" is one pid we can watch."""
    db = connection.settings_dict
    port = free_port()
    env = {**os.environ, **PRODUCTION,
           "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
                           f"{db['NAME']}"}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "agora.wsgi:application", "-b", f"127.0.0.1:{port}",
                             "-w", "1", "--timeout", "60"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "gunicorn did not answer in 60 s"
            time.sleep(0.2)
        yield base, proc
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        with connection.cursor() as cur:  # its backends, so the test database can be dropped
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND pid <> pg_backend_pid()")


def workers(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    return sorted(int(pid) for pid in children)


def csrf_headers(base: str) -> dict:
    # The production cookie is Secure, so a plain-http client won't send it back by itself.
    token = requests.get(f"{base}/", timeout=10).cookies["csrftoken"]
    return {"Cookie": f"csrftoken={token}", "X-CSRFToken": token}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_deeply_nested_bodies_are_400s_and_the_worker_survives(gunicorn):
    base, master = gunicorn
    before = workers(master)
    assert len(before) == 1
    json_headers = {"Content-Type": "application/json"}
    for levels in (100_000, 20_000, 65):
        body = deep(levels)
        assert len(body) < 256 * 1024
        response = requests.post(f"{base}/api/v1/agents/auth/challenge", data=body, headers=json_headers, timeout=30)
        assert response.status_code == 400, (levels, response.status_code, response.text[:300])
        assert response.json()["code"] == "parse_error" and "nested deeper" in response.json()["detail"]
        # The sponsor pages' sign-in parses JSON itself.
        page = requests.post(f"{base}/auth/verify", data=body, timeout=30,
                             headers={**json_headers, **csrf_headers(base)})
        assert page.status_code == 400 and page.json()["code"] == "invalid_body", page.text[:300]
    # A list cursor is base64 JSON from the query string (gunicorn caps the request line at 4 KB).
    cursor = urlsafe_b64encode(b"[" * 1400 + b"]" * 1400).decode().rstrip("=")
    listed = requests.get(f"{base}/api/v1/jobs", params={"cursor": cursor}, timeout=30)
    assert listed.status_code == 400 and listed.json()["code"] == "invalid_cursor"
    # Nesting within the limit (64 with the outer object) still parses (and then fails validation as an address would).
    shallow = requests.post(f"{base}/api/v1/agents/auth/challenge", data=deep(63), headers=json_headers, timeout=30)
    assert shallow.status_code == 400 and shallow.json()["code"] == "invalid"
    assert workers(master) == before and master.poll() is None
