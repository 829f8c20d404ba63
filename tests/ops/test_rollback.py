"""`manage.py migrate_to_release PREV`: the runbook's schema rollback, on a database of its own. The "previous
release" is this checkout without the newest migration of apps.jobs; the command unapplies exactly that one (a
dry run first), and `migrate` brings it back, as the next deploy would."""
import shutil
import subprocess
import sys

import psycopg
import pytest

from tests.ops.stack import ROOT

pytestmark = pytest.mark.slow
ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
DB = "agora_ops_rollback_test"


@pytest.fixture
def database():
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB}")
        conn.execute(f"CREATE DATABASE {DB}")
    yield f"postgres://postgres@127.0.0.1:5432/{DB}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


def _manage(url: str, *args: str) -> str:
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "agora.settings.test", "DATABASE_URL": url}
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _applied(url: str, name: str) -> bool:
    with psycopg.connect(url) as conn:
        return bool(conn.execute("SELECT 1 FROM django_migrations WHERE app = 'jobs' AND name = %s", [name]).fetchall())


def test_migrate_to_release_unapplies_what_the_previous_release_lacks(database, tmp_path):
    previous = tmp_path / "previous-release"
    shutil.copytree(ROOT / "apps", previous / "apps", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", previous / "manage.py")
    newest = sorted((previous / "apps" / "jobs" / "migrations").glob("[0-9]*.py"))[-1]
    newest.unlink()
    _manage(database, "migrate", "--noinput", "-v", "0")

    planned = _manage(database, "migrate_to_release", str(previous))
    assert "jobs: back to" in planned and newest.stem in planned and "dry run" in planned
    assert _applied(database, newest.stem)  # a dry run changes nothing

    done = _manage(database, "migrate_to_release", str(previous), "--commit")
    assert "the schema now matches" in done
    assert not _applied(database, newest.stem)
    _manage(database, "migrate", "--noinput", "-v", "0")  # deploying the new release again
    assert _applied(database, newest.stem)
