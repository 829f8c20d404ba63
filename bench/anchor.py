#!/usr/bin/env python
"""Time the snapshot builder (apps.onchain.anchoring.anchor_build) and its peak memory at 1k, 10k and 100k votes.

    .venv/bin/python bench/anchor.py [--runs 3] [--sizes 1000,10000,100000] [--reuse] [--profile]

Seeds a dedicated database (agora_bench_anchor, dropped and recreated) with one closed topic per size, ten votes per
submission (the 100k topic has 10,000 submissions), closed through apps.jobs.services.job_close. Each build runs in a
fresh child process, so its peak RSS (ru_maxrss) is that build's own; an idle child (Django set up, the builder
imported, the database connected) gives the floor it starts from. Seconds are the median of --runs builds; the
anchor row and its files are deleted between runs, and every run must give the same root and snapshot hash.
Target (the anchoring issue): 10,000 submissions + 100,000 votes in under 5 s and under 300 MB peak.
--profile builds the largest topic once under cProfile and prints where the time goes.
"""
import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "agora_bench_anchor"
DB_URL = os.environ.get("BENCH_DB_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
VOTES_PER_SUBMISSION = 10
SPONSOR = "0x" + "5" * 40
TARGET_SECONDS, TARGET_MB = 5.0, 300.0
TITLE = "anchor bench {votes} votes"


def setup_django():
    os.environ["DJANGO_SETTINGS_MODULE"] = "agora.settings.test"
    os.environ["DATABASE_URL"] = DB_URL
    import django

    django.setup()


def recreate_database():
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME}", f"CREATE DATABASE {DB_NAME}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True,
                   env={**os.environ, "DJANGO_SETTINGS_MODULE": "agora.settings.test", "DATABASE_URL": DB_URL})


def _copy(cur, table: str, columns: tuple[str, ...], rows) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed_topic(votes: int, rng: random.Random) -> str:
    """One closed topic with `votes` votes over votes/10 submissions. Rows go in by COPY (services would take
    minutes at 100k), but they are what the services would write: one vote per (topic, voter), weights 1..5,
    the submissions' running counters equal to their votes; the close itself is job_close's."""
    from unittest import mock

    from django.db import connection, transaction

    from apps.jobs.services import job_close, job_create

    submissions = max(1, votes // VOTES_PER_SUBMISSION)
    job = job_create(sponsor=SPONSOR, title=TITLE.format(votes=votes), prompt="Which benchmark answer is best? " * 10,
                     bounty_units=12_345_678, tags=["bench", "anchors"])
    start = datetime(2026, 1, 1, tzinfo=UTC)
    sub_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(submissions)]
    tally = {sid: [0, 0] for sid in sub_ids}
    with transaction.atomic(), connection.cursor() as django_cursor:
        cur = django_cursor.cursor  # psycopg's own cursor, for COPY
        _copy(cur, "jobs_submission",
              ("id", "job_id", "agent_address", "content", "evidence", "created_at", "weighted_votes", "voters"),
              ((sid, job.id, f"0x{(3 * 10**9 + i):040x}", f"answer {i}: " + "a grounded claim with sources. " * 12,
                json.dumps([{"type": "web", "source_url": f"https://example.org/{i}", "claim": "c ✓",
                             "confidence": round(rng.random(), 3)}]),
                start + timedelta(seconds=i), 0, 0) for i, sid in enumerate(sub_ids)))

        def vote_rows():
            for i in range(votes):
                sid, weight = rng.choice(sub_ids), rng.randint(1, 5)
                tally[sid][0] += weight
                tally[sid][1] += 1
                created = start + timedelta(days=1, milliseconds=10 * i)
                updated = created + timedelta(minutes=5) if i % 7 == 0 else created  # some voters moved their vote
                yield (uuid.UUID(int=rng.getrandbits(128), version=4), job.id, sid, f"0x{(10**9 + i):040x}", weight,
                       f"review {i} ✓ — solid" if i % 5 == 0 else "", created, updated)

        _copy(cur, "jobs_vote",
              ("id", "job_id", "submission_id", "voter_address", "weight", "review", "created_at", "updated_at"),
              vote_rows())
        # The counters vote_cast keeps, set from the very votes just written.
        cur.executemany("UPDATE jobs_submission SET weighted_votes = %s, voters = %s WHERE id = %s",
                        [(w, n, sid) for sid, (w, n) in tally.items()])
    winner = max(sub_ids, key=lambda sid: tally[sid][0])
    # job_close enqueues the build on commit; here the bench runs the builds itself, in children.
    with mock.patch("apps.jobs.services.task_enqueue"):
        job_close(job_id=job.id, actor=SPONSOR, winner_submission_id=winner)
    return str(job.id)


def seed(sizes: list[int]) -> dict[int, str]:
    from django.db import connection

    started = time.perf_counter()
    rng = random.Random(7)
    jobs = {size: seed_topic(size, rng) for size in sizes}
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"seeded {len(sizes)} closed topics ({', '.join(f'{s:,}' for s in sizes)} votes) "
          f"in {time.perf_counter() - started:.1f}s")
    return jobs


def load_seeded(sizes: list[int]) -> dict[int, str]:
    from apps.jobs.models import Job

    jobs = {}
    for size in sizes:
        job = Job.objects.filter(title=TITLE.format(votes=size)).first()
        if job is None:
            raise SystemExit(f"--reuse: no seeded topic with {size} votes; run without --reuse")
        jobs[size] = str(job.id)
    return jobs


def clear_anchor(job_id: str, storage_dir: str) -> None:
    from apps.jobs.models import AnchorBatch, JobEvent

    JobEvent.objects.filter(job_id=job_id, kind="anchor_built").delete()
    AnchorBatch.objects.filter(job_id=job_id).delete()
    shutil.rmtree(Path(storage_dir) / job_id, ignore_errors=True)


# --- the child: one build in its own process ---------------------------------------------------------------------

def child(job_id: str, storage_dir: str, profile: bool) -> None:
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    # settings.test made an empty temp folder for anchors at import; this child writes to the bench's folder.
    default_dir = settings.STORAGES["anchors"]["OPTIONS"]["location"]
    anchors = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": storage_dir}}
    with override_settings(STORAGES={**settings.STORAGES, "anchors": anchors}):
        os.rmdir(default_dir)
        from apps.onchain.anchoring import anchor_build, anchor_storage

        connection.ensure_connection()
        if job_id == "idle":
            print(json.dumps({"rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
            return
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            started = time.perf_counter()
            anchor = profiler.runcall(anchor_build, job_id=job_id)
            seconds = time.perf_counter() - started
            stats = pstats.Stats(profiler, stream=sys.stderr).strip_dirs()
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(30)
        else:
            started = time.perf_counter()
            anchor = anchor_build(job_id=job_id)
            seconds = time.perf_counter() - started
        rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        storage = anchor_storage()
        print(json.dumps({"seconds": seconds, "rss_kb": rss_kb, "leaves": anchor.leaves, "root": anchor.anchor_root,
                          "salt": anchor.salt, "snapshot_bytes": storage.size(anchor.snapshot_name),
                          "tree_bytes": storage.size(anchor.tree_name)}))


def run_child(job_id: str, storage_dir: str, profile: bool = False) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", job_id, "--storage", storage_dir,
                          *(["--profile"] if profile else [])],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    if profile:
        print(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the parent ----------------------------------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1000,10000,100000", help="votes per topic, comma-separated")
    parser.add_argument("--reuse", action="store_true", help="reuse the topics seeded by an earlier run")
    parser.add_argument("--profile", action="store_true", help="cProfile one build of the largest topic")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--storage", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child, args.storage, args.profile)

    sizes = sorted(int(s) for s in args.sizes.split(","))
    if not args.reuse:
        recreate_database()
    setup_django()
    jobs = load_seeded(sizes) if args.reuse else seed(sizes)
    storage_dir = tempfile.mkdtemp(prefix="agora-bench-anchors-")
    try:
        if args.profile:
            clear_anchor(jobs[sizes[-1]], storage_dir)
            row = run_child(jobs[sizes[-1]], storage_dir, profile=True)
            clear_anchor(jobs[sizes[-1]], storage_dir)
            print(f"profiled build of {sizes[-1]:,} votes: {row['seconds']:.2f}s under cProfile")
            return
        idle_mb = statistics.median(run_child("idle", storage_dir)["rss_kb"] for _ in range(3)) / 1024
        print(f"idle Django child (settings, builder imported, database connected): {idle_mb:.0f} MB RSS")
        print(f"{'votes':>8} {'subs':>7} {'leaves':>8} {'seconds':>8} {'peak MB':>8} {'over idle':>9} "
              f"{'snapshot MB':>11} {'tree MB':>8}   (median of {args.runs} builds, each in a fresh process)")
        from apps.jobs.models import Submission

        verdict = None
        for size in sizes:
            job_id, rows = jobs[size], []
            for _ in range(args.runs):
                clear_anchor(job_id, storage_dir)
                rows.append(run_child(job_id, storage_dir))
            clear_anchor(job_id, storage_dir)
            if len({(r["root"], r["salt"]) for r in rows}) != 1:
                raise SystemExit(f"builds of {size} votes differ: {rows}")
            seconds = statistics.median(r["seconds"] for r in rows)
            peak_mb = statistics.median(r["rss_kb"] for r in rows) / 1024
            first = rows[0]
            print(f"{size:>8,} {Submission.objects.filter(job_id=job_id).count():>7,} {first['leaves']:>8,} "
                  f"{seconds:>8.2f} {peak_mb:>8.0f} {peak_mb - idle_mb:>+9.0f} "
                  f"{first['snapshot_bytes'] / 1e6:>11.1f} {first['tree_bytes'] / 1e6:>8.1f}"
                  f"   root {first['root'][:18]}… snapshot {first['salt'][:18]}…")
            if size == 100_000:
                verdict = seconds < TARGET_SECONDS and peak_mb < TARGET_MB, seconds, peak_mb
        if verdict is not None:
            ok, seconds, peak_mb = verdict
            print(f"{'PASS' if ok else 'MISS'}  10,000 submissions + 100,000 votes: {seconds:.2f}s "
                  f"(< {TARGET_SECONDS:.0f}s), peak {peak_mb:.0f} MB (< {TARGET_MB:.0f} MB)")
    finally:
        shutil.rmtree(storage_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
