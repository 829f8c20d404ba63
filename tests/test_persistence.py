"""Start the real server (gunicorn) on PostgreSQL, run the whole flow, SIGKILL it, start it
again, and check that everything written reads back identically."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection
from eth_account import Account

from agora_sdk import AgoraClient
from apps.common.devchain import free_port

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _start(port: int, db_name: str, marker_dir: Path) -> subprocess.Popen:
    settings = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "agora.settings.production",
        "SECRET_KEY": "persistence-test-secret-key-0123456789abcdef-not-for-production",
        "AGORA_ANCHOR_SALT_KEY": "persistence-test-anchor-salt-key",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
                        f"{settings['PORT'] or 5432}/{db_name}",
        "REDIS_URL": "redis://127.0.0.1:6379/14",
        "AGORA_BASE_URL": "https://agora.example",
        "SECURE_SSL_REDIRECT": "false",
        "AGORA_SERVICE_STAGE": "demo",
        "AGORA_MIN_REP_SCORE_TO_VOTE": "0",
        "LOG_LEVEL": "WARNING",
        "PROMETHEUS_MULTIPROC_DIR": str(marker_dir / "metrics"),  # SIGKILL skips gunicorn's cleanup of its own
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "agora.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--timeout", "30"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode()[-2000:])
        time.sleep(0.2)
    _kill(proc)  # never leave an orphan holding the test database
    raise RuntimeError("gunicorn did not become ready in 30 s")


def _kill(proc):
    os.killpg(proc.pid, signal.SIGKILL)  # the master and its workers, no clean shutdown
    proc.wait(timeout=10)
    # Their PostgreSQL backends notice the dead sockets lazily; end them so the test database can be dropped.
    with connection.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()")


def _snapshot(base: str, job_ids, agents) -> dict:
    get = lambda path: requests.get(base + path, timeout=5).json()  # noqa: E731
    return {
        "jobs": [get(f"/api/v1/jobs/{j}") for j in job_ids],
        "submissions": [get(f"/api/v1/jobs/{j}/submissions") for j in job_ids],
        "votes": [get(f"/api/v1/jobs/{j}/votes") for j in job_ids],
        "reputation": [get(f"/api/v1/reputation/{a}") for a in agents],
        "agr": [get(f"/api/v1/agr/status?address={a}") for a in agents],
        "list": get("/api/v1/jobs?status=all&limit=200"),
    }


def test_nothing_is_lost_across_a_sigkill(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    db_name = connection.settings_dict["NAME"]
    proc = _start(port, db_name, tmp_path)
    try:
        sponsor = AgoraClient(base, Account.create().key.hex())
        agents = [AgoraClient(base, Account.create().key.hex()) for _ in range(3)]
        jobs = [sponsor.create_job(title=f"topic {i}", prompt="p", bounty_usdc=f"{i}.25", tags=["persist"])
                for i in range(2)]
        for agent in agents:
            agent.ensure_agent_badge()
        subs = [[agent.submit(job["id"], f"work by {agent.address}") for agent in agents] for job in jobs]
        for i, agent in enumerate(agents):  # nobody votes for their own submission
            agent.vote(jobs[0]["id"], subs[0][1 if i == 0 else 0]["id"])
            agent.vote(jobs[1]["id"], subs[1][1 if i == 2 else 2]["id"])
        sponsor.close_job(jobs[0]["id"], subs[0][0]["id"], close_tx_hash="0x" + "ab" * 32, close_chain_id=31337)
        addresses = [a.address for a in agents]
        before = _snapshot(base, [j["id"] for j in jobs], addresses)
        assert before["jobs"][0]["status"] == "closed" and before["jobs"][0]["receipt"]["ranking"]
    finally:
        _kill(proc)
    proc = _start(port, db_name, tmp_path)
    try:
        after = _snapshot(base, [j["id"] for j in jobs], addresses)
        assert after == before
        # the open topic still works after the restart
        agents[0].vote(jobs[1]["id"], subs[1][1]["id"])
        sponsor.close_job(jobs[1]["id"], subs[1][2]["id"])
    finally:
        _kill(proc)
