#!/usr/bin/env python
"""Load a real gunicorn server on PostgreSQL and print requests/s, p50 and p99 per operation.

    .venv/bin/python bench/api.py [--concurrency 16] [--seconds 10] [--rounds 3] [--workers 4]

Seeds a dedicated database (agora_bench) with 10,000 topics and one topic holding 100,000
votes, starts gunicorn (production settings, Redis rate-limit counters and list-page cache),
then drives each operation from --concurrency client threads for --seconds, each request on
its own connection (sync workers close it anyway). Server, database and load generator share
this machine (BENCH_GUNICORN_ARGS adds gunicorn options). Targets (issue 2): tally
p50 < 50 ms; list and detail p50 < 20 ms; submit and vote >= 150 req/s with no errors.
--list-cache-seconds 0 measures the list with every request on the database.
The phases run --rounds times, interleaved, and the verdicts use the median over rounds.
Worker RSS is printed after every round.
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
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "agora_bench"
DB_URL = os.environ.get("BENCH_DB_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
TOPICS, BIG_VOTES, BIG_SUBMISSIONS, AGENTS = 10_000, 100_000, 50, 64
PORT = 0


def setup_django():
    os.environ["DJANGO_SETTINGS_MODULE"] = "agora.settings.test"
    os.environ["DATABASE_URL"] = DB_URL
    import django

    django.setup()


def recreate_database():
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DB_NAME}"],
                   check=True)
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"CREATE DATABASE {DB_NAME}"], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True,
                   env={**os.environ, "DJANGO_SETTINGS_MODULE": "agora.settings.test", "DATABASE_URL": DB_URL})


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
    print(f"seeded {topics} topics, {big_votes} votes on one topic, {AGENTS} agents "
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


def start_server(port: int, workers: int, log_level: str, list_cache_seconds: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_SETTINGS", "agora.settings.production"),
           "DATABASE_URL": DB_URL,
           "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdef", "ALLOWED_HOSTS": "127.0.0.1",
           "AGORA_ANCHOR_SALT_KEY": "bench-anchor-salt-key", "AGORA_BASE_URL": "https://agora.example",
           "REDIS_URL": "redis://127.0.0.1:6379/13", "SECURE_SSL_REDIRECT": "false", "AGORA_SERVICE_STAGE": "dev",
           "AGORA_RATE_LIMIT_PER_MIN": "10000000", "AGORA_WRITE_RATE_LIMIT_PER_MIN": "10000000",
           "AGORA_AUTH_RATE_LIMIT_PER_MIN": "10000000", "LOG_LEVEL": log_level, "DB_CONN_MAX_AGE": "600",
           "AGORA_LIST_CACHE_SECONDS": str(list_cache_seconds)}
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "agora.wsgi:application", "-b", f"127.0.0.1:{port}",
                             "-w", str(workers), "--timeout", "60", *os.environ.get("BENCH_GUNICORN_ARGS", "").split()],
                            cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(150):
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise SystemExit("server did not start")


def worker_rss_mb(master_pid: int) -> list[float]:
    out = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout.split()
    sizes = []
    for pid in out:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        except FileNotFoundError:
            pass
    return sorted(sizes)


def _encode_request(method: str, path: str, headers: dict, body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{PORT}", "Connection: close",
             f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    if body:
        lines.append("Content-Type: application/json")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _exchange(request: bytes) -> tuple[int, bytes]:
    """One request on its own connection, read until the server closes it. A raw socket rather
    than http.client or requests: the load generator shares the 2 cores with the server, and
    header parsing in a Python HTTP client costs several times what this does."""
    with socket.create_connection(("127.0.0.1", PORT), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    head, _, payload = response.partition(b"\r\n\r\n")
    return int(head[9:12]), payload


def drive(name: str, make_request, concurrency: int, seconds: float) -> dict:
    latencies, errors, lock = [], [], threading.Lock()
    deadline = time.perf_counter() + seconds
    barrier = threading.Barrier(concurrency)

    def client(index: int):
        rng = random.Random(index)
        barrier.wait()
        local, bad = [], []
        while time.perf_counter() < deadline:
            method, path, kwargs, expect = make_request(rng, index)
            body = json.dumps(kwargs["json"]).encode() if "json" in kwargs else b""
            request = _encode_request(method, path, kwargs.get("headers", {}), body)
            t0 = time.perf_counter()
            status, payload = _exchange(request)
            local.append(time.perf_counter() - t0)
            if status != expect:
                bad.append(f"{status} {payload[:120]!r}")
        with lock:
            latencies.extend(local)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(concurrency)]
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (after.ru_utime - cpu.ru_utime + after.ru_stime - cpu.ru_stime) / wall
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    row = {"name": name, "requests": len(latencies), "rps": len(latencies) / wall,
           "p50": statistics.median(latencies) * 1000, "p99": p(0.99), "errors": len(errors)}
    print(f"{name:<14} {row['requests']:>7} req {row['rps']:>8.1f} req/s   p50 {row['p50']:>7.2f} ms   "
          f"p99 {row['p99']:>7.2f} ms   errors {row['errors']}   load-generator CPU {client_cpu:.0%} of a core"
          + (f"  e.g. {errors[0]}" if errors else ""))
    return row


def summarize(runs: dict[str, list[dict]]) -> dict[str, dict]:
    """Per operation, the median over rounds of each figure (this host's speed drifts by tens of
    percent within minutes, so one round can mislead), and the errors summed."""
    print(f"\n{'median over rounds':<18} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  errors")
    summary = {}
    for name, rows in runs.items():
        row = {key: statistics.median(r[key] for r in rows) for key in ("rps", "p50", "p99")}
        row["errors"] = sum(r["errors"] for r in rows)
        summary[name] = row
        print(f"{name:<18} {row['rps']:>8.1f} {row['p50']:>8.2f} {row['p99']:>8.2f}  {row['errors']}")
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="run every phase this many times, interleaved")
    parser.add_argument("--reuse", action="store_true", help="reuse the database of an earlier run")
    parser.add_argument("--log-level", default="INFO", help="the server's LOG_LEVEL (production default: INFO; "
                                                            "logs go to /dev/null but are formatted)")
    parser.add_argument("--list-cache-seconds", type=int, default=30,
                        help="the server's AGORA_LIST_CACHE_SECONDS (production default 30; 0 measures "
                             "every list request on the database)")
    parser.add_argument("--only", default="", help="comma-separated phase names to run (default: all)")
    parser.add_argument("--topics", type=int, default=TOPICS, help="topics to seed (memory check: try 1000)")
    parser.add_argument("--votes", type=int, default=BIG_VOTES, help="votes on the big topic")
    args = parser.parse_args()

    if not args.reuse:
        recreate_database()
    setup_django()
    data = load_seeded() if args.reuse else seed(args.topics, args.votes)
    from apps.common.devchain import free_port

    global PORT
    port = PORT = free_port()
    base = ""
    server = start_server(port, args.workers, args.log_level, args.list_cache_seconds)
    try:
        print(f"gunicorn: {args.workers} sync workers, LOG_LEVEL={args.log_level}, "
              f"AGORA_LIST_CACHE_SECONDS={args.list_cache_seconds}; {args.concurrency} client threads; "
              f"{args.seconds:.0f}s per phase")
        print(f"worker RSS after start (MB): {worker_rss_mb(server.pid)}")
        jobs, big, subs, tokens = data["job_ids"], data["big_job"], data["big_subs"], data["tokens"]
        auth = lambda i: {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}  # noqa: E731
        phases = [
            ("list topics", lambda r, i: ("GET", f"{base}/api/v1/jobs?status=all&limit=20", {}, 200)),
            ("list tag page", lambda r, i: ("GET", f"{base}/api/v1/jobs?tag=t{r.randrange(10)}&limit=50", {}, 200)),
            ("topic detail", lambda r, i: ("GET", f"{base}/api/v1/jobs/{r.choice(jobs)}", {}, 200)),
            ("tally 100k", lambda r, i: ("GET", f"{base}/api/v1/jobs/{big}/votes", {}, 200)),
            ("submit", lambda r, i: ("POST", f"{base}/api/v1/submissions", {"headers": auth(i), "json": {
                "job_id": r.choice(jobs[1:]), "content": f"bench answer {uuid.uuid4()}",
                "evidence": [{"source_url": "https://example.org/x", "confidence": 0.5}]}}, 201)),
            ("vote", lambda r, i: ("POST", f"{base}/api/v1/votes", {"headers": auth(i), "json": {
                "job_id": big, "submission_id": r.choice(subs)}}, 200)),
        ]
        drive("warm-up", phases[0][1], args.concurrency, 2)
        wanted = {n.strip() for n in args.only.split(",") if n.strip()}
        runs: dict[str, list[dict]] = {}
        for round_no in range(1, args.rounds + 1):
            print(f"-- round {round_no} of {args.rounds}")
            for name, make in phases:
                if not wanted or name in wanted:
                    runs.setdefault(name, []).append(drive(name, make, args.concurrency, args.seconds))
            print(f"  worker RSS (MB): {[round(x) for x in worker_rss_mb(server.pid)]}")
        by = summarize(runs)
        if wanted:
            return
        checks = [
            ("tally 100k p50 < 50 ms", by["tally 100k"]["p50"] < 50),
            ("list topics p50 < 20 ms", by["list topics"]["p50"] < 20),
            ("topic detail p50 < 20 ms", by["topic detail"]["p50"] < 20),
            ("submit >= 150 req/s, no errors", by["submit"]["rps"] >= 150 and by["submit"]["errors"] == 0),
            ("vote >= 150 req/s, no errors", by["vote"]["rps"] >= 150 and by["vote"]["errors"] == 0),
        ]
        for label, ok in checks:
            print(f"{'PASS' if ok else 'MISS'}  {label}  (median of {args.rounds} rounds)")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
