#!/usr/bin/env python
"""Load a real gunicorn server on PostgreSQL and print requests/s, p50, p99 and CPU per request.

    .venv/bin/python bench/api.py [--concurrency 16] [--seconds 10] [--rounds 3] [--workers 2]
                                  [--compare ../old-checkout] [--conn close,keepalive] [--only vote,submit]

Seeds a dedicated database (BENCH_DB_URL, default agora_bench) with 10,000 topics and one topic
holding 100,000 votes, starts gunicorn (production settings, Redis rate-limit counters and
list-page cache; the checkout's own gunicorn.conf.py decides the worker class), then drives each
operation from --concurrency client threads for --seconds.

--compare PATH benchmarks another checkout of this project (e.g. `git worktree add ../old <commit>`)
in the same run: each checkout gets its own database (seeded the same way by its own code, the old
one's name ending in _old), its own Redis database (BENCH_REDIS_DBS, default 13,12) and its own server
(BENCH_GUNICORN_ARGS_OLD adds gunicorn options to the old one only, e.g. to compare worker classes),
and every phase runs old then new, round after round, so both see the same host. The summary gives
each figure's median over rounds and the new/old ratio.

--conn close: every request on its own connection (what the bench always measured); keepalive: each
client keeps its connection open as the SDK and httpx do (a server that closes it anyway costs the
client a reconnect, which is counted in the latency). Both are run by default.

CPU per request is measured on the server side, so it means the same on a fast or a slow host:
`web` is the CPU time of gunicorn's processes (master and workers, all threads) and `db` that of the
PostgreSQL backends connected to the bench database, each divided by the requests served.
Server, database and load generator share this machine. Targets (issue 2): tally p50 < 50 ms; list
and detail p50 < 20 ms; submit and vote >= 150 req/s with no errors. --list-cache-seconds 0
measures the list with every request on the database.
"""
import argparse
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DB_URL", "postgres://postgres@127.0.0.1:5432/agora_bench")
REDIS_BASE = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379")
TOPICS, BIG_VOTES, BIG_SUBMISSIONS, AGENTS = 10_000, 100_000, 50, 64
CLK_TCK = os.sysconf("SC_CLK_TCK")


def db_url_for(suffix: str) -> str:
    parts = urlsplit(DB_URL)
    return urlunsplit(parts._replace(path=parts.path + suffix))


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


# --- Seeding: runs in a child process with the target checkout's code on sys.path -----------------

def setup_django(root: Path, db_url: str):
    sys.path.insert(0, str(root))
    os.environ["DJANGO_SETTINGS_MODULE"] = "agora.settings.test"
    os.environ["DATABASE_URL"] = db_url
    import django

    django.setup()


def recreate_database(root: Path, db_url: str):
    name = db_name(db_url)
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=root, check=True,
                   env={**os.environ, "DJANGO_SETTINGS_MODULE": "agora.settings.test", "DATABASE_URL": db_url})


def seed(topics: int = TOPICS, big_votes: int = BIG_VOTES) -> dict:
    from django.db import connection

    from apps.agents.models import AgentProfile, Reputation, Stake
    from apps.auth.services import session_create
    from apps.jobs.models import Job, JobTag, Submission, Vote

    started = time.perf_counter()
    sponsor = "0x" + "5" * 40
    jobs = [Job(title=f"Topic {i}", prompt="Benchmark topic. " * 20, bounty_units=(i % 500) * 1_000_000,
                tags=["bench", f"t{i % 10}"], sponsor_address=sponsor) for i in range(topics)]
    Job.objects.bulk_create(jobs, batch_size=2000)
    JobTag.objects.bulk_create([JobTag(job=j, tag=t, created_at=j.created_at) for j in jobs for t in j.tags],
                              batch_size=5000)
    big = jobs[0]
    subs = [Submission(job=big, agent_address=f"0x{i:040x}", content="answer " * 30,
                       evidence=[{"source_url": "https://example.org", "claim": "c"}]) for i in range(BIG_SUBMISSIONS)]
    Submission.objects.bulk_create(subs)
    rng = random.Random(7)
    for start in range(0, big_votes, 10_000):
        Vote.objects.bulk_create([Vote(job=big, submission=subs[rng.randrange(BIG_SUBMISSIONS)],
                                       voter_address=f"0x{(10**9 + i):040x}", weight=rng.randint(1, 5))
                                  for i in range(start, min(start + 10_000, big_votes))])
    # The seed writes votes directly (not through vote_cast), so set the running tally the same
    # way the migration backfills it.
    with connection.cursor() as cur:
        cur.execute("UPDATE jobs_submission s SET weighted_votes = t.w, voters = t.n FROM "
                    "(SELECT submission_id, SUM(weight) w, COUNT(*) n FROM jobs_vote GROUP BY submission_id) t "
                    "WHERE t.submission_id = s.id")
    tokens = []
    for i in range(AGENTS):
        address = f"0x{(2 * 10**9 + i):040x}"
        AgentProfile.objects.create(address=address, participant_type="agent")
        Stake.objects.create(address=address, staked_units=100_000_000)
        Reputation.objects.create(address=address, score=25)
        tokens.append(session_create(address=address)[1])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"  seeded {topics} topics, {big_votes} votes on one topic, {AGENTS} agents "
          f"in {time.perf_counter() - started:.1f}s")
    return {"job_ids": [str(j.id) for j in jobs], "big_job": str(big.id), "big_subs": [str(s.id) for s in subs],
            "tokens": tokens}


def load_seeded() -> dict:
    """Reuse a database seeded by an earlier run (--reuse): fresh sessions, same data."""
    from django.db.models import Count

    from apps.auth.services import session_create
    from apps.jobs.models import Job, Submission

    big = Job.objects.annotate(n=Count("votes")).order_by("-n").first()
    agents = [f"0x{(2 * 10**9 + i):040x}" for i in range(AGENTS)]
    return {"job_ids": [str(pk) for pk in Job.objects.order_by("created_at").values_list("id", flat=True)],
            "big_job": str(big.id),
            "big_subs": [str(pk) for pk in Submission.objects.filter(job=big).values_list("id", flat=True)],
            "tokens": [session_create(address=a)[1] for a in agents]}


def prepare_main(args):
    """Child-process entry: (re)create and seed one target's database with that checkout's code."""
    root = Path(args.prepare_root)
    if not args.reuse:
        recreate_database(root, args.prepare_db)
    setup_django(root, args.prepare_db)
    data = load_seeded() if args.reuse else seed(args.topics, args.votes)
    Path(args.prepare_out).write_text(json.dumps(data))


def prepare(target: "Target", args) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--prepare-root", str(target.root),
               "--prepare-db", target.db_url, "--prepare-out", out.name,
               "--topics", str(args.topics), "--votes", str(args.votes), *(["--reuse"] if args.reuse else [])]
        subprocess.run(cmd, check=True, cwd=target.root,
                       env={**os.environ, "REDIS_URL": target.redis_url, "PYTHONPATH": str(target.root)})
        return json.loads(Path(out.name).read_text())


# --- Servers --------------------------------------------------------------------------------------

class Target:
    def __init__(self, name: str, root: Path, db_url: str, redis_url: str, extra_args: str = "",
                 server: str = "gunicorn"):
        self.name, self.root, self.db_url, self.redis_url = name, root, db_url, redis_url
        self.extra_args, self.server = extra_args.split(), server
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.data: dict = {}

    def start(self, workers: int, log_level: str, list_cache_seconds: int):
        self.port = free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_SETTINGS", "agora.settings.production"),
               "DATABASE_URL": self.db_url, "PYTHONPATH": str(self.root),
               "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdef", "ALLOWED_HOSTS": "127.0.0.1",
               "AGORA_ANCHOR_SALT_KEY": "bench-anchor-salt-key", "AGORA_BASE_URL": "https://agora.example",
               "AGORA_UNBONDING_PERIOD_SECONDS": "604800",  # production refuses 0 (slashing.E004)
               "REDIS_URL": self.redis_url, "SECURE_SSL_REDIRECT": "false", "AGORA_SERVICE_STAGE": "dev",
               "AGORA_RATE_LIMIT_PER_MIN": "10000000", "AGORA_WRITE_RATE_LIMIT_PER_MIN": "10000000",
               "AGORA_AUTH_RATE_LIMIT_PER_MIN": "10000000", "LOG_LEVEL": log_level, "DB_CONN_MAX_AGE": "600",
               "AGORA_LIST_CACHE_SECONDS": str(list_cache_seconds)}
        # cwd is the checkout, so gunicorn reads that checkout's gunicorn.conf.py (if any); the
        # command line still wins for the bind address, the worker count and the timeout.
        if self.server == "granian":  # a Rust HTTP server running the same WSGI app in worker threads
            command = [str(Path(sys.executable).parent / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
                       "--port", str(self.port), "--workers", str(workers), "--no-ws", *self.extra_args,
                       "agora.wsgi:application"]
        else:
            command = [sys.executable, "-m", "gunicorn", "agora.wsgi:application", "-b", f"127.0.0.1:{self.port}",
                       "-w", str(workers), "--timeout", "60", *os.environ.get("BENCH_GUNICORN_ARGS", "").split(),
                       *self.extra_args]
        self.proc = subprocess.Popen(command, cwd=self.root, env=env, start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(150):
            try:
                if _exchange(self.port, _encode_request(self.port, "GET", "/readyz", {}, b"", True))[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"{self.name} server did not start")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)

    def server_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout.split()
        return [self.proc.pid, *map(int, out)]

    def db_pids(self) -> list[int]:
        out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-At", "-c",
                              f"SELECT pid FROM pg_stat_activity WHERE datname = '{db_name(self.db_url)}' "
                              "AND pid <> pg_backend_pid()"], capture_output=True, text=True).stdout.split()
        return [int(p) for p in out]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pids) -> dict[int, float]:
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime
    return found


def cpu_used(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU spent between two samples; a process that appeared in between counts from zero."""
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


def worker_rss_mb(target: Target) -> list[float]:
    sizes = []
    for pid in target.server_pids()[1:]:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except FileNotFoundError:
            pass
    return sorted(sizes)


# --- Load -----------------------------------------------------------------------------------------

def _encode_request(port: int, method: str, path: str, headers: dict, body: bytes, close: bool) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}",
             "Connection: close" if close else "Connection: keep-alive",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    if body:
        lines.append("Content-Type: application/json")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _exchange(port: int, request: bytes) -> tuple[int, bytes]:
    """One request on its own connection, read until the server closes it. A raw socket rather
    than http.client or requests: the load generator shares the 2 cores with the server, and
    header parsing in a Python HTTP client costs several times what this does."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    head, _, payload = response.partition(b"\r\n\r\n")
    return int(head[9:12]), payload


class KeepAliveConnection:
    """A persistent HTTP/1.1 connection, as an SDK's connection pool keeps one. Reads each response
    by its Content-Length; reconnects (inside the timed request) whenever the server closed it."""

    def __init__(self, port: int):
        self.port, self.sock, self.buffer = port, None, b""

    def exchange(self, request: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.sock is None:
                self.sock, self.buffer = socket.create_connection(("127.0.0.1", self.port), timeout=30), b""
            try:
                self.sock.sendall(request)
                return self._read()
            except (ConnectionError, _ServerClosed):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _read(self) -> tuple[int, bytes]:
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get(b"content-length", b"-1"))
        if length < 0:  # no length: the body runs to the end of the connection
            while self._fill(eof_ok=True):
                pass
            payload, self.buffer = self.buffer.partition(b"\r\n\r\n")[2], b""
            self.close()
            return int(head[9:12]), payload
        while len(rest) < length:
            self._fill()
            rest = self.buffer.partition(b"\r\n\r\n")[2]
        payload, self.buffer = rest[:length], rest[length:]
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return int(head[9:12]), payload

    def _fill(self, eof_ok: bool = False) -> bool:
        chunk = self.sock.recv(65536)
        if not chunk:
            if eof_ok:
                return False
            raise _ServerClosed
        self.buffer += chunk
        return True

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""


class _ServerClosed(Exception):
    pass


def drive(target: Target, name: str, make_request, concurrency: int, seconds: float, keepalive: bool) -> dict:
    latencies, errors, lock = [], [], threading.Lock()
    barrier = threading.Barrier(concurrency + 1)
    deadline = [0.0]
    port = target.port

    def client(index: int):
        rng = random.Random(index)
        conn = KeepAliveConnection(port) if keepalive else None
        barrier.wait()
        local, bad = [], []
        while time.perf_counter() < deadline[0]:
            method, path, kwargs, expect = make_request(rng, index)
            body = json.dumps(kwargs["json"]).encode() if "json" in kwargs else b""
            request = _encode_request(port, method, path, kwargs.get("headers", {}), body, close=not keepalive)
            t0 = time.perf_counter()
            status, payload = conn.exchange(request) if conn else _exchange(port, request)
            local.append(time.perf_counter() - t0)
            if status != expect:
                bad.append(f"{status} {payload[:120]!r}")
        if conn:
            conn.close()
        with lock:
            latencies.extend(local)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    server_pids, db_pids = target.server_pids(), target.db_pids()
    web_before, db_before = cpu_seconds(server_pids), cpu_seconds(db_pids)
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter()
    deadline[0] = wall + seconds
    barrier.wait()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_SELF)
    web_cpu = cpu_used(web_before, cpu_seconds(target.server_pids()))
    db_cpu = cpu_used(db_before, cpu_seconds(target.db_pids()))
    client_cpu = (after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime) / wall
    latencies.sort()
    n = max(1, len(latencies))
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    row = {"name": name, "target": target.name, "requests": len(latencies), "rps": len(latencies) / wall,
           "p50": statistics.median(latencies) * 1000, "p99": p(0.99), "errors": len(errors),
           "web_ms": web_cpu * 1000 / n, "db_ms": db_cpu * 1000 / n}
    print(f"{target.name:<4} {name:<22} {row['requests']:>6} req {row['rps']:>7.1f} req/s  p50 {row['p50']:>6.2f}  "
          f"p99 {row['p99']:>7.2f} ms  CPU/req web {row['web_ms']:.2f} db {row['db_ms']:.2f} ms  "
          f"err {row['errors']}  client CPU {client_cpu:.0%}" + (f"  e.g. {errors[0]}" if errors else ""),
          flush=True)
    return row


FIGURES = ("rps", "p50", "p99", "web_ms", "db_ms")


def summarize(runs: dict[tuple[str, str], list[dict]], targets: list[Target]) -> dict:
    """Per operation, the median over rounds of each figure (this host's speed drifts by tens of
    percent within minutes, so one round can mislead), the errors summed, and new/old ratios."""
    print(f"\n{'median over rounds':<24} {'':<4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'p99/p50':>7} "
          f"{'web CPU':>8} {'db CPU':>7}  errors")
    summary: dict[tuple[str, str], dict] = {}
    names = list(dict.fromkeys(name for name, _ in runs))
    for name in names:
        for target in targets:
            rows = runs.get((name, target.name))
            if not rows:
                continue
            row = {key: statistics.median(r[key] for r in rows) for key in FIGURES}
            row["errors"] = sum(r["errors"] for r in rows)
            summary[(name, target.name)] = row
            print(f"{name:<24} {target.name:<4} {row['rps']:>8.1f} {row['p50']:>8.2f} {row['p99']:>8.2f} "
                  f"{row['p99'] / row['p50']:>7.1f} {row['web_ms']:>6.2f}ms {row['db_ms']:>5.2f}ms  {row['errors']}")
        if len(targets) == 2 and all((name, t.name) in summary for t in targets):
            old, new = (summary[(name, t.name)] for t in targets)
            print(f"{'':<24} {'new/old':<7} {new['rps'] / old['rps']:>5.2f}x {new['p50'] / old['p50']:>7.2f}x "
                  f"{new['p99'] / old['p99']:>7.2f}x {'':>7} {new['web_ms'] / old['web_ms']:>7.2f}x "
                  f"{new['db_ms'] / max(old['db_ms'], 1e-9):>6.2f}x")
    return summary


def phases_for(data: dict):
    jobs, big, subs, tokens = data["job_ids"], data["big_job"], data["big_subs"], data["tokens"]
    auth = lambda i: {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}  # noqa: E731
    return [
        ("list topics", lambda r, i: ("GET", "/api/v1/jobs?status=all&limit=20", {}, 200)),
        ("list tag page", lambda r, i: ("GET", f"/api/v1/jobs?tag=t{r.randrange(10)}&limit=50", {}, 200)),
        ("topic detail", lambda r, i: ("GET", f"/api/v1/jobs/{r.choice(jobs)}", {}, 200)),
        ("submission list", lambda r, i: ("GET", f"/api/v1/jobs/{big}/submissions", {}, 200)),
        ("tally 100k", lambda r, i: ("GET", f"/api/v1/jobs/{big}/votes", {}, 200)),
        ("submit", lambda r, i: ("POST", "/api/v1/submissions", {"headers": auth(i), "json": {
            "job_id": r.choice(jobs[1:]), "content": f"bench answer {uuid.uuid4()}",
            "evidence": [{"source_url": "https://example.org/x", "confidence": 0.5}]}}, 201)),
        ("vote", lambda r, i: ("POST", "/api/v1/votes", {"headers": auth(i), "json": {
            "job_id": big, "submission_id": r.choice(subs)}}, 200)),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3, help="run every phase this many times, interleaved")
    parser.add_argument("--reuse", action="store_true", help="reuse the database(s) of an earlier run")
    parser.add_argument("--compare", default="", help="another checkout to benchmark in the same run (as 'old')")
    parser.add_argument("--conn", default="close,keepalive",
                        help="client connection modes to run: close, keepalive or both (comma-separated)")
    parser.add_argument("--log-level", default="INFO", help="the server's LOG_LEVEL (production default: INFO; "
                                                            "logs go to /dev/null but are formatted)")
    parser.add_argument("--list-cache-seconds", type=int, default=30,
                        help="the server's AGORA_LIST_CACHE_SECONDS (production default 30; 0 measures "
                             "every list request on the database)")
    parser.add_argument("--new-server", default="gunicorn", choices=["gunicorn", "granian"],
                        help="the new target's server (BENCH_SERVER_ARGS_NEW adds options)")
    parser.add_argument("--only", default="", help="comma-separated phase names to run (default: all)")
    parser.add_argument("--topics", type=int, default=TOPICS, help="topics to seed (memory check: try 1000)")
    parser.add_argument("--votes", type=int, default=BIG_VOTES, help="votes on the big topic")
    parser.add_argument("--prepare-root", help=argparse.SUPPRESS)
    parser.add_argument("--prepare-db", help=argparse.SUPPRESS)
    parser.add_argument("--prepare-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare_root:
        return prepare_main(args)

    redis_dbs = os.environ.get("BENCH_REDIS_DBS", "13,12").split(",")
    targets = [Target("new", ROOT, DB_URL, f"{REDIS_BASE}/{redis_dbs[0]}", os.environ.get("BENCH_SERVER_ARGS_NEW", ""),
                      args.new_server)]
    if args.compare:
        targets.insert(0, Target("old", Path(args.compare).resolve(), db_url_for("_old"),
                                 f"{REDIS_BASE}/{redis_dbs[1]}", os.environ.get("BENCH_GUNICORN_ARGS_OLD", "")))
    modes = [m.strip() for m in args.conn.split(",") if m.strip()]
    for target in targets:
        print(f"preparing {target.name}: {target.root} -> {db_name(target.db_url)}", flush=True)
        target.data = prepare(target, args)
    try:
        for target in targets:
            target.start(args.workers, args.log_level, args.list_cache_seconds)
            commit = subprocess.run(["git", "-C", str(target.root), "rev-parse", "--short", "HEAD"],
                                    capture_output=True, text=True).stdout.strip()
            print(f"{target.name}: {target.root} at {commit} (+ uncommitted changes, if any), {target.server} -w "
                  f"{args.workers} {' '.join(target.extra_args)}; worker RSS after start (MB): "
                  f"{[round(x) for x in worker_rss_mb(target)]}")
        print(f"LOG_LEVEL={args.log_level}, AGORA_LIST_CACHE_SECONDS={args.list_cache_seconds}; "
              f"{args.concurrency} client threads; {args.seconds:.0f}s per phase; connections: {', '.join(modes)}")
        wanted = {n.strip() for n in args.only.split(",") if n.strip()}
        for target in targets:
            drive(target, "warm-up", phases_for(target.data)[0][1], args.concurrency, 2, keepalive=False)
        runs: dict[tuple[str, str], list[dict]] = {}
        for round_no in range(1, args.rounds + 1):
            print(f"-- round {round_no} of {args.rounds}")
            for index, (name, _) in enumerate(phases_for(targets[0].data)):
                if wanted and name not in wanted:
                    continue
                for mode in modes:
                    label = name if mode == "close" else f"{name} (keep-alive)"
                    for target in targets:
                        make = phases_for(target.data)[index][1]
                        runs.setdefault((label, target.name), []).append(
                            drive(target, label, make, args.concurrency, args.seconds, keepalive=mode != "close"))
            for target in targets:
                print(f"  {target.name} worker RSS (MB): {[round(x) for x in worker_rss_mb(target)]}")
        by = summarize(runs, targets)
        if wanted or "close" not in modes:
            return
        new = {name: row for (name, t), row in by.items() if t == "new"}
        checks = [
            ("tally 100k p50 < 50 ms", new["tally 100k"]["p50"] < 50),
            ("list topics p50 < 20 ms", new["list topics"]["p50"] < 20),
            ("topic detail p50 < 20 ms", new["topic detail"]["p50"] < 20),
            ("submit >= 150 req/s, no errors", new["submit"]["rps"] >= 150 and new["submit"]["errors"] == 0),
            ("vote >= 150 req/s, no errors", new["vote"]["rps"] >= 150 and new["vote"]["errors"] == 0),
        ]
        for label, ok in checks:
            print(f"{'PASS' if ok else 'MISS'}  {label}  (median of {args.rounds} rounds)")
    finally:
        for target in targets:
            target.stop()


if __name__ == "__main__":
    main()
