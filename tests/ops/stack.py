"""A whole deployment on one machine, for the distributed tests and the failure drills (docs/deploy.md).

Everything is the stack's own, so drills can crash and restart it without touching the machine's services:
a PostgreSQL cluster made by initdb on a spare port (with its WAL streamed synchronously by pg_receivewal, as
docs/backup.md sets up production), a redis-server on a spare port, anvil behind an RPC proxy the drills can
take down, and the Procfile's processes run the way a Procfile runner or the systemd units run them: two web
processes (gunicorn) on two ports, two Celery workers and one beat, all with production settings.
"""
import glob
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import requests

from apps.common.devchain import free_port, start_anvil
from tests.ops.rpc_proxy import RpcProxy

ROOT = Path(__file__).resolve().parent.parent.parent
VENV_BIN = Path(sys.executable).parent
PG_BIN = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))[-1])
WAL_SLOT = "agora_wal_archive"


def as_postgres(argv: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: as root, run them as the machine's postgres user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.getuid() == 0 else argv


def own_by_postgres(path: Path) -> None:
    if os.getuid() == 0:
        subprocess.run(["chown", "-R", "postgres:", str(path)], check=True)


def procfile() -> dict[str, str]:
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


def wait_for(check, *, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except Exception:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(every)


class Service:
    """One long-running process with its output in a log file; stopped by its own process group."""

    def __init__(self, name: str, argv: list[str], *, env: dict, logs: Path, cwd: Path = ROOT):
        self.name, self.argv, self.env, self.cwd = name, argv, env, cwd
        self.log_path = logs / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Service":
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def send(self, sig: int) -> None:
        if self.running:
            os.killpg(self.proc.pid, sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        if not self.running:
            return
        self.send(sig)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.send(signal.SIGKILL)
            self.proc.wait(timeout=10)
        try:  # the group's children too (gunicorn and Celery workers fork)
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, pattern: str, *, timeout: float, after: int = 0) -> re.Match:
        def found():
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            return re.search(pattern, self.log()[after:])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = found()
            if match:
                return match
            time.sleep(0.1)
        raise TimeoutError(f"{self.name}: no /{pattern}/ in its log within {timeout} s:\n{self.log()[-3000:]}")


class PgCluster:
    """A throwaway cluster: initdb into `base`, started and stopped with pg_ctl on `port`."""

    def __init__(self, base: Path, port: int):
        self.base, self.port = base, port
        self.data = base / "data"
        self.logfile = base / "server.log"

    def init(self) -> None:
        self.base.mkdir(parents=True, exist_ok=True)
        os.chmod(self.base, 0o755)
        own_by_postgres(self.base)
        subprocess.run(as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                                    "-E", "UTF8", "--locale=C.UTF-8"]), check=True, capture_output=True)

    def configure(self, **settings) -> None:
        """Append settings to postgresql.conf (read at the next start)."""
        lines = "".join(f"{key} = '{value}'\n" for key, value in settings.items())
        subprocess.run(as_postgres(["sh", "-c", f"cat >> {shlex.quote(str(self.data / 'postgresql.conf'))}"]),
                       input=lines.encode(), check=True)

    def start(self) -> None:
        subprocess.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.logfile), "-w",
                                    "-t", "60", "-o", f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1",
                                    "start"]), check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        """mode `immediate` is a crash: no checkpoint, the next start replays the WAL."""
        subprocess.run(as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60",
                                    "stop"]), capture_output=True)

    def url(self, db: str = "agora") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def sql(self, query: str, params=None, *, db: str = "agora") -> list[tuple]:
        with psycopg.connect(self.url(db), autocommit=True, connect_timeout=5) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    def ready(self) -> bool:
        return subprocess.run([str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)]).returncode \
            == 0


class Stack:
    def __init__(self, base: Path):
        self.base = base
        self.logs = base / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.pg = PgCluster(base / "pg", free_port())
        self.wal_dir = base / "wal-archive"
        self.redis_port = free_port()
        self.anvil = start_anvil()
        self.rpc = RpcProxy(self.anvil.url, free_port())
        self.web_ports = [free_port(), free_port()]
        self.deployment = base / "deployment.json"
        self.env = {
            "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
            "HOME": os.environ.get("HOME", "/tmp"),
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "agora.settings.production",
            "SECRET_KEY": "ops-stack-secret-key-0123456789abcdef-not-for-production",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.pg.url(),
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "AGORA_BASE_URL": f"https://127.0.0.1:{self.web_ports[0]}",  # production refuses http; nothing fetches it
            "AGORA_ANCHOR_SALT_KEY": "ops-stack-anchor-salt-key",
            "AGORA_ANCHOR_STORAGE_OPTIONS": f'{{"location": "{base / "anchors"}"}}',
            "AGORA_ANCHOR_SWEEP_AFTER_SECONDS": "2",
            "AGORA_ANCHOR_SWEEP_EVERY_SECONDS": "3",
            "AGORA_CHAIN_ID": "31337",
            "AGORA_DEPLOYMENT_FILE": str(self.deployment),
            "AGORA_RPC_URL": self.rpc.url,
            "AGORA_ONCHAIN_CONFIRMATIONS": "0",
            # small eth_getLogs ranges: many steps, so every step is a race between the indexers
            "AGORA_ONCHAIN_START_RANGE": "4",
            "AGORA_ONCHAIN_MAX_RANGE": "32",
            # Tests play the reverse proxy (deploy/nginx): each client says who it is in X-Forwarded-For, so the
            # per-IP limits below are per test client, not shared by every request from 127.0.0.1, and says
            # X-Forwarded-Proto: https, as production settings redirect anything else (but health and metrics).
            "AGORA_TRUSTED_PROXY_COUNT": "1",
            "AGORA_RATE_LIMIT_PER_MIN": "120",
            "AGORA_WRITE_RATE_LIMIT_PER_MIN": "600",
            "AGORA_AUTH_RATE_LIMIT_PER_MIN": "30",
            "LOG_LEVEL": "INFO",
            "HOST": "127.0.0.1",
            "WEB_CONCURRENCY": "2",  # two gunicorn workers per web process: metrics must add them up
            "CELERY_CONCURRENCY": "1",
        }
        self.services: dict[str, Service] = {}

    # --- the Procfile's processes ------------------------------------------------------------------------
    def service(self, name: str, kind: str, **extra_env) -> Service:
        """A process of the Procfile, started through scripts/process.sh as the systemd units and compose do."""
        assert kind in procfile()
        env = {**self.env, **extra_env}
        self.services[name] = Service(name, ["bash", str(ROOT / "scripts" / "process.sh"), kind], env=env,
                                      logs=self.logs)
        return self.services[name]

    def web_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.web_ports[index]}"

    def wait_web(self, index: int, timeout: float = 90) -> None:
        wait_for(lambda: requests.get(self.web_url(index) + "/readyz", timeout=2).status_code == 200,
                 timeout=timeout, what=f"web{index} ready")

    def start_web(self, index: int) -> Service:
        web = self.services[f"web{index}"].start()
        self.wait_web(index)
        return web

    def start_worker(self, index: int) -> Service:
        worker = self.services[f"worker{index}"]
        offset = len(worker.log())
        worker.start()
        worker.wait_for_log(r"worker\d@\S+ ready\.", timeout=60, after=offset)
        return worker

    def start_beat(self) -> Service:
        beat = self.services["beat"]
        offset = len(beat.log())
        beat.start()
        beat.wait_for_log(r"beat: Starting", timeout=60, after=offset)
        return beat

    def start_processes(self, *names: str) -> None:
        """Start several of the stack's stopped processes side by side and wait until each is up."""
        ready = {"worker": r"worker\d@\S+ ready\.", "beat": r"beat: Starting"}
        offsets = {name: len(self.services[name].log()) for name in names}
        for name in names:
            self.services[name].start()
        for name in names:
            pattern = ready[name.rstrip("0123456789")]
            self.services[name].wait_for_log(pattern, timeout=90, after=offsets[name])

    def manage(self, *args: str, check: bool = True, timeout: float = 120, **extra_env) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**self.env, **extra_env},
                                capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def shell(self, code: str) -> str:
        """Run Python in a Django shell on the stack (operators' own route for one-off changes)."""
        return self.manage("shell", "-c", code).stdout

    # --- PostgreSQL with its WAL archive ------------------------------------------------------------------
    def start_wal_archive(self) -> Service:
        """pg_receivewal streams the WAL as it is written; with it named in synchronous_standby_names a commit is
        acknowledged only once the archive has it, so losing the database disk loses no acknowledged write
        (deploy/systemd/agora-wal-archive.service is the production unit: same slot and application name)."""
        receiver = Service("pg_receivewal", as_postgres([
            "env", f"PGAPPNAME={WAL_SLOT}", str(PG_BIN / "pg_receivewal"), "-h", "127.0.0.1", "-p", str(self.pg.port),
            "-U", "postgres", "-D", str(self.wal_dir), "--slot", WAL_SLOT, "--synchronous", "-v"]),
            env=dict(os.environ), logs=self.logs)
        self.services["pg_receivewal"] = receiver
        receiver.start()
        streaming = f"SELECT 1 FROM pg_stat_replication WHERE application_name = '{WAL_SLOT}' AND state = 'streaming'"
        wait_for(lambda: self.pg.sql(streaming, db="postgres"), timeout=30, what="WAL archive streaming")
        return receiver

    def redis(self) -> Service:
        return self.services.get("redis") or self.services.setdefault("redis", Service(
            "redis", ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
                      "--appendonly", "no"], env=dict(os.environ), logs=self.logs))

    def start_redis(self) -> None:
        self.redis().start()
        wait_for(lambda: subprocess.run(["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True,
                                        text=True).stdout.strip() == "PONG", timeout=20, what="redis up")

    # --- the whole thing --------------------------------------------------------------------------------------
    def start(self) -> "Stack":
        started = time.monotonic()
        self.pg.init()
        self.wal_dir.mkdir(parents=True, exist_ok=True)
        own_by_postgres(self.wal_dir)
        self.pg.configure(synchronous_standby_names=WAL_SLOT, wal_level="replica")
        self.pg.start()
        self.pg.sql(f"SELECT pg_create_physical_replication_slot('{WAL_SLOT}')", db="postgres")
        self.start_wal_archive()
        self.pg.sql("CREATE DATABASE agora", db="postgres")
        self.start_redis()
        # The slow parts side by side: each process spends most of its start importing Django.
        deploy = subprocess.Popen([sys.executable, "manage.py", "deploy_contracts", "--rpc-url", self.anvil.url,
                                   # production refuses an unbonding period of 0 (slashing.E004)
                                   "--with-mock-usdc", "--unbonding-period", "604800",
                                   "--out", str(self.deployment)], cwd=ROOT, env=self.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        release = subprocess.run(["bash", str(ROOT / "scripts" / "process.sh"), "release"], cwd=ROOT, env=self.env,
                                 capture_output=True, text=True)
        assert release.returncode == 0, release.stderr
        assert deploy.wait(timeout=120) == 0, deploy.stdout.read()
        for index in (0, 1):
            self.service(f"web{index}", "web", PORT=str(self.web_ports[index]),
                         PROMETHEUS_MULTIPROC_DIR=str(self.base / f"metrics-web{index}")).start()
        for index in (1, 2):
            self.service(f"worker{index}", "worker", WORKER_NAME=f"worker{index}").start()
        self.service("beat", "beat").start()
        for index in (0, 1):
            self.wait_web(index)
        for index in (1, 2):
            self.services[f"worker{index}"].wait_for_log(r"worker\d@\S+ ready\.", timeout=90)
        self.services["beat"].wait_for_log(r"beat: Starting", timeout=90)
        print(f"stack up in {time.monotonic() - started:.1f}s: PostgreSQL :{self.pg.port}, Redis :{self.redis_port}, "
              f"web {self.web_ports}, 2 workers, beat, anvil {self.anvil.url} behind {self.rpc.url}")
        return self

    def stop(self) -> None:
        for service in reversed(list(self.services.values())):
            if service.name != "pg_receivewal":
                service.stop(signal.SIGKILL)  # throwaway: nothing to finish
        self.pg.stop("immediate")
        if "pg_receivewal" in self.services:
            self.services["pg_receivewal"].stop()
        self.rpc.close()
        self.anvil.stop()
