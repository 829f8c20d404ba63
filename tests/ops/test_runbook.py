"""Every command in the runbook's code blocks is run by a test or a drill.

Each rule below names the test that runs a command and a string from that test proving it runs it (the
command's own name and flags). A new command in docs/runbook.md with no rule fails here, and so does a rule
whose test stopped running its command. Host plumbing that cannot run here (systemctl, journalctl, symlinks)
is listed separately, each with what stands in for it."""
import re

import pytest
from django.core.management import call_command

from tests.ops.stack import ROOT

RUNBOOK = (ROOT / "docs" / "runbook.md").read_text()

# (pattern in the command line, the test that runs it, strings that test must contain)
TESTED = [
    (r"^python3 -m venv \.venv$", "Makefile", ["python3 -m venv .venv"]),  # make test builds its venv so
    (r"^\.venv/bin/pip install -r requirements\.txt$", "Makefile", ["$(PIP) install -q -r requirements.txt"]),
    (r"manage\.py collectstatic --noinput", "tests/test_settings.py", ['"collectstatic", "--noinput"']),
    (r"manage\.py migrate --noinput", "tests/ops/stack.py", ['"process.sh"), "release"']),
    (r"manage\.py check --deploy --fail-level WARNING", "tests/test_settings.py",
     ['"check", "--deploy", "--fail-level", "WARNING"']),
    (r"manage\.py migrate_to_release \S+( --commit)?$", "tests/ops/test_rollback.py",
     ['"migrate_to_release", str(previous)', '"migrate_to_release", str(previous), "--commit"']),
    (r"manage\.py sessions_revoke --(all|address)", "tests/auth/test_sessions_revoke.py",
     ['"sessions_revoke", "--all"', '"sessions_revoke", "--address"', '"--commit"']),
    (r"manage\.py createsuperuser", "tests/ops/test_runbook.py", ['call_command("createsuperuser"']),
    (r"manage\.py check_deployment --safe-threshold 2 --safe 0x", "tests/onchain/test_custody.py",
     ['"check_deployment", "--safe-threshold", "2", "--safe"']),
    (r"manage\.py indexer_reset_cursor --stream \S+ --to-block \d+( --commit)?$", "tests/onchain/test_indexer_ops.py",
     ['"indexer_reset_cursor", "--stream", "stake_vault", "--to-block"', '"--commit"']),
    (r"manage\.py indexer_backfill --stream \S+ --from-block \d+ --to-block \d+ --commit",
     "tests/onchain/test_indexer_ops.py", ['"indexer_backfill", "--stream", "stake_vault", "--from-block"']),
    (r"systemctl reload agora-web@\d+", "tests/ops/distributed/test_proxy.py", ["signal.SIGHUP"]),
    (r"systemctl restart agora-web@\d+", "tests/ops/distributed/test_proxy.py", ["stack.start_web(0)"]),
    (r"systemctl restart agora-worker@", "tests/ops/stack.py", ["def start_processes"]),
    (r"curl -fsS http://127\.0\.0\.1:\d+/readyz", "tests/ops/stack.py", ['"/readyz"']),
]
# Host plumbing with no test of its own, and what stands in for it.
PLUMBING = {
    r"^cd ": "changes directory",
    r"^ln -sfn ": "switches the release symlink the units read (test_deploy_files checks they read it)",
    r"systemctl (status|restart agora\.target)": "systemd itself; the units pass systemd-analyze verify",
    r"^sudo journalctl ": "reads logs",
}


def _commands() -> list[str]:
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", RUNBOOK, flags=re.S):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line and not line.startswith("#"):
                commands.extend(part.strip() for part in line.split(" && "))
    return commands


@pytest.mark.parametrize("command", _commands())
def test_every_runbook_command_is_run_by_a_test(command):
    rules = [rule for rule in TESTED if re.search(rule[0], command)]
    if not rules:
        assert any(re.search(pattern, command) for pattern in PLUMBING), \
            f"no test runs `{command}` (docs/runbook.md): add one and a rule in tests/ops/test_runbook.py"
        return
    for _pattern, path, evidence in rules:
        source = (ROOT / path).read_text()
        for text in evidence:
            assert text in source, f"`{command}`: {path} no longer contains {text!r}"


def test_every_test_the_runbook_names_exists():
    for path in set(re.findall(r"\b(tests/[\w/]+\.py)", RUNBOOK)):
        assert (ROOT / path).exists(), f"docs/runbook.md names {path}, which does not exist"


@pytest.mark.django_db
def test_createsuperuser_gives_an_operator_the_admin(client, monkeypatch):
    """The runbook's `manage.py createsuperuser`, non-interactively (as in a provisioning script)."""
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-operator-password")
    call_command("createsuperuser", "--noinput", "--username", "ops", "--email", "ops@agora.example")
    assert client.login(username="ops", password="a-long-operator-password")
    assert client.get("/admin/").status_code == 200
