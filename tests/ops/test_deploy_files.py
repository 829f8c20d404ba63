"""The deployment files say what the tests run: the systemd units pass `systemd-analyze verify` and start the
Procfile's processes through scripts/process.sh (the entry point tests/ops/stack.py uses), compose.yaml runs the
same processes with exactly one beat, and the nginx example passes `nginx -t` (test_proxy.py runs it)."""
import configparser
import re
import shutil
import subprocess

import yaml

from tests.ops.stack import ROOT, procfile

SYSTEMD = ROOT / "deploy" / "systemd"


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read_string((SYSTEMD / name).read_text())
    return parser


def test_every_unit_passes_systemd_analyze_verify(tmp_path):
    assert shutil.which("systemd-analyze"), "systemd-analyze is missing (Debian's systemd package)"
    names = []
    for path in sorted(SYSTEMD.glob("agora*")):
        if path.suffix not in (".service", ".timer", ".target"):
            continue
        # as installed, but pointing at this checkout (users that exist here; no /srv/agora)
        text = path.read_text().replace("/srv/agora/current", str(ROOT))
        text = re.sub(r"^(User|Group)=agora$", r"\1=root", text, flags=re.M)
        (tmp_path / path.name).write_text(text)
        names.append(path.name.replace("@.", "@8000.") if "@." in path.name else path.name)
    result = subprocess.run(["systemd-analyze", "verify", *names], cwd=tmp_path, capture_output=True, text=True,
                            timeout=60)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "Unknown" not in output and "not executable" not in output, output


def test_units_run_the_procfile_processes_and_one_beat():
    processes = procfile()
    for unit, process in (("agora-web@.service", "web"), ("agora-worker@.service", "worker"),
                          ("agora-beat.service", "beat"), ("agora-release.service", "release")):
        starts = [line.split("=", 1)[1] for line in (SYSTEMD / unit).read_text().splitlines()
                  if line.startswith("ExecStart=")]
        assert starts[0] == f"/srv/agora/current/scripts/process.sh {process}" and process in processes
        service = _unit(unit)["Service"]
        assert service["EnvironmentFile"] == "/etc/agora/agora.env" and service["User"] == "agora"
    assert not (SYSTEMD / "agora-beat@.service").exists()  # beat is not a template: one per deployment
    web = (SYSTEMD / "agora-web@.service").read_text()
    assert "Environment=HOST=0.0.0.0 PORT=%i" in web and "RuntimeDirectory=agora-web-%i" in web
    assert "check --deploy --fail-level WARNING" in (SYSTEMD / "agora-release.service").read_text()


def test_process_sh_runs_each_procfile_line(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    for tool in ("gunicorn", "celery", "python"):  # stand-ins that print how they were called
        (fake / tool).write_text(f'#!/bin/sh\necho {tool} "$@"\n')
        (fake / tool).chmod(0o755)
    env = {"PATH": f"{fake}:/usr/bin:/bin", "PORT": "8123", "WORKER_NAME": "w7"}
    # the project's .venv would come first on PATH: hide it by running a copy of the script elsewhere
    copy = tmp_path / "project"
    (copy / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "process.sh", copy / "scripts" / "process.sh")
    shutil.copy(ROOT / "Procfile", copy / "Procfile")
    run = lambda name: subprocess.run(["bash", str(copy / "scripts" / "process.sh"), name], env=env,  # noqa: E731
                                      capture_output=True, text=True)
    # workers, threads, keep-alive and timeout come from gunicorn.conf.py, which gunicorn reads by itself
    assert run("web").stdout.strip() == "gunicorn agora.wsgi:application --bind 0.0.0.0:8123"
    assert run("worker").stdout.strip().endswith("--concurrency 2 --hostname w7@%h")
    assert "--scheduler django_celery_beat.schedulers:DatabaseScheduler" in run("beat").stdout
    assert run("release").stdout.strip() == "python manage.py migrate --noinput"
    missing = run("nope")
    assert missing.returncode == 2 and "no process 'nope'" in missing.stderr


def test_compose_runs_the_same_processes_with_one_beat():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    for name in ("release", "web", "worker", "beat"):
        assert services[name]["command"] == ["scripts/process.sh", name] and name in procfile()
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["web"]["deploy"]["replicas"] >= 2 and "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["web"]["environment"]["AGORA_TRUSTED_PROXY_COUNT"] == "1"
    assert "./deploy/nginx/agora.conf:/etc/nginx/conf.d/default.conf:ro" in services["nginx"]["volumes"]
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["scripts/process.sh", "web"]' in dockerfile
