#!/usr/bin/env python
"""Search latency at 100,000 documents: p50 and p95 per query shape, and the verdict (p50 < 50 ms).

    .venv/bin/python bench/search.py [--docs 100000] [--iterations 200] [--reuse] [--no-trigram]

Seeds a dedicated database (agora_bench_search) with topics, submissions, comments and lounge
posts (10 / 40 / 40 / 10 %) whose text is drawn from a 20,000-word vocabulary with Zipf
frequencies (so some words are in a third of the documents and most in a handful). Everything
is inserted through the ORM, so the PostgreSQL triggers build the search index exactly as they
do in production; the seeding rate is printed. Then each query shape is sent --iterations times
through the API in-process (Django's test client: URL routing, DRF, the selector, PostgreSQL,
JSON), one at a time. --no-trigram drops pg_trgm first, to measure the prefix fallback instead.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DB_NAME = "agora_bench_search"
DB_URL = os.environ.get("BENCH_DB_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}")
TARGET_P50_MS = 50
VOCABULARY, ZIPF_S = 20_000, 1.07
SYLLABLES = [c + v for c in "bcdfghklmnprstvz" for v in "aeiou"]


def setup_django():
    os.environ["DJANGO_SETTINGS_MODULE"] = "agora.settings.test"
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    import django

    django.setup()


def recreate_database():
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME}", f"CREATE DATABASE {DB_NAME}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", sql], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True,
                   env={**os.environ, "DJANGO_SETTINGS_MODULE": "agora.settings.test", "DATABASE_URL": DB_URL})


class Text:
    """Words with Zipf-distributed frequencies: word 0 is the most common."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        words, seen = [], set()
        while len(words) < VOCABULARY:
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            if word not in seen:
                seen.add(word)
                words.append(word)
        self.words = words
        self.weights = [1 / (rank + 1) ** ZIPF_S for rank in range(VOCABULARY)]
        self.cum = list(_accumulate(self.weights))

    def words_(self, n: int) -> list[str]:
        return self.rng.choices(self.words, cum_weights=self.cum, k=n)

    def sentence(self, low: int, high: int) -> str:
        return " ".join(self.words_(self.rng.randint(low, high)))


def _accumulate(values):
    total = 0.0
    for v in values:
        total += v
        yield total


def seed(docs: int, text: Text) -> None:
    from apps.discussion.models import Comment, Post
    from apps.jobs.models import Job, Submission

    rng, started, made = text.rng, time.perf_counter(), 0
    n_jobs, n_posts = docs // 10, docs // 10
    n_subs = n_comments = (docs - n_jobs - n_posts) // 2

    def progress(kind: str, n: int):
        nonlocal made
        made += n
        rate = made / (time.perf_counter() - started)
        print(f"  {kind:<11} {made:>7} documents, {rate:,.0f}/s", flush=True)

    def batches(total: int, size: int = 5000):
        for start in range(0, total, size):
            yield min(size, total - start)

    jobs = []
    for n in batches(n_jobs):
        chunk = [Job(title=text.sentence(4, 10)[:140], prompt=text.sentence(40, 200), bounty_units=0,
                     sponsor_address="0x" + "5" * 40) for _ in range(n)]
        Job.objects.bulk_create(chunk)
        jobs += chunk
        progress("topics", n)
    subs = []
    for n in batches(n_subs):
        chunk = [Submission(job=rng.choice(jobs), agent_address=f"0x{rng.randrange(10**6):040x}",
                            content=text.sentence(30, 300),
                            evidence=[{"claim": text.sentence(3, 12), "quote": text.sentence(5, 20)}])
                 for _ in range(n)]
        Submission.objects.bulk_create(chunk)
        subs += chunk
        progress("submissions", n)
    posts = []
    for n in batches(n_posts):
        chunk = [Post(title=text.sentence(3, 9)[:200], content=text.sentence(30, 200),
                      author_address=f"0x{rng.randrange(10**6):040x}", tags=["bench"]) for _ in range(n)]
        Post.objects.bulk_create(chunk)
        posts += chunk
        progress("posts", n)
    targets = [("job", j.id) for j in jobs] + [("submission", s.id) for s in subs] + [("post", p.id) for p in posts]
    for n in batches(n_comments):
        chunk = []
        for _ in range(n):
            kind, pk = rng.choice(targets)
            chunk.append(Comment(target_type=kind, target_id=pk, author_address=f"0x{rng.randrange(10**6):040x}",
                                 content=text.sentence(5, 60)))
        Comment.objects.bulk_create(chunk)
        progress("comments", n)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"seeded {made} documents in {time.perf_counter() - started:.0f} s")


def document_frequency(word: str) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM discussion_searchdocument WHERE vector @@ plainto_tsquery('english', %s)",
                    [word])
        return cur.fetchone()[0]


def shapes(text: Text) -> list[tuple[str, dict]]:
    """Words by rank in the Zipf vocabulary: w[3] is in about 80 % of documents, w[80] 12 %,
    w[200] 5 %, w[300] 3 %, w[6000] about 0.1 % (the run prints the exact counts)."""
    w = text.words
    vocabulary = set(w)
    long_word = next(word for word in w[300:] if len(word) >= 7 and word[:4] not in vocabulary)
    typo = long_word[:3] + long_word[4:]
    return [
        (f"rare word ({w[6000]})", {"q": w[6000]}),
        (f"3% word ({w[300]})", {"q": w[300]}),
        (f"5% word ({w[200]})", {"q": w[200]}),
        (f"12% word ({w[80]})", {"q": w[80]}),
        (f"80% word ({w[3]})", {"q": w[3]}),
        ("two words", {"q": f"{w[40]} {w[900]}"}),
        ("phrase of two common words", {"q": f'"{w[0]} {w[1]}"'}),
        ("four words", {"q": " ".join(w[i] for i in (5, 50, 500, 5000))}),
        (f"short prefix ({long_word[:4]}, of {long_word})", {"q": long_word[:4]}),
        (f"typo ({typo}, for {long_word})", {"q": typo}),
        ("80% word, posts only", {"q": w[3], "type": "post"}),
        ("5% word, comments only", {"q": w[200], "type": "comment"}),
        ("80% word, limit 200", {"q": w[3], "limit": 200}),
        ("no match", {"q": "zzzqqqxxx"}),
    ]


def measure(iterations: int, text: Text) -> list[tuple[str, float, float, int]]:
    from rest_framework.test import APIClient

    client = APIClient()
    rows = []
    for name, params in shapes(text):
        for _ in range(5):  # warm the caches and the connection
            assert client.get("/api/v1/search/semantic", params).status_code == 200
        times, count = [], 0
        for _ in range(iterations):
            t0 = time.perf_counter()
            response = client.get("/api/v1/search/semantic", params)
            times.append((time.perf_counter() - t0) * 1000)
            count = response.json()["count"]
        times.sort()
        rows.append((name, statistics.median(times), times[int(len(times) * 0.95) - 1], count))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="keep the seeded database of an earlier run")
    parser.add_argument("--no-trigram", action="store_true", help="drop pg_trgm: measure the prefix fallback")
    args = parser.parse_args()
    text = Text(random.Random(7))
    if not args.reuse:
        recreate_database()
    setup_django()
    from django.db import connection

    from apps.discussion.models import SearchDocument
    from apps.discussion.trigram import trigram_available, trigram_install

    if not args.reuse:
        seed(args.docs, text)
    if args.no_trigram:
        with connection.cursor() as cur:
            cur.execute("DROP EXTENSION IF EXISTS pg_trgm CASCADE")
    elif not trigram_available():
        trigram_install()
    trigram_available.cache_clear()
    total = SearchDocument.objects.count()
    counts = ", ".join(f"'{text.words[r]}' {document_frequency(text.words[r])}" for r in (3, 80, 200, 300, 6000))
    print(f"{total} documents; pg_trgm {'on' if trigram_available() else 'off (prefix fallback)'}; "
          f"documents per word: {counts}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rows = measure(args.iterations, text)
    print(f"\n{'query shape':<40} {'p50 ms':>8} {'p95 ms':>8} {'results':>8}")
    for name, p50, p95, count in rows:
        print(f"{name:<40} {p50:>8.1f} {p95:>8.1f} {count:>8}")
    worst = max(rows, key=lambda r: r[1])
    verdict = "PASS" if worst[1] < TARGET_P50_MS else "FAIL"
    print(f"\nverdict: {verdict}: the slowest shape's p50 is {worst[1]:.1f} ms ({worst[0]}); "
          f"target p50 < {TARGET_P50_MS} ms at {total} documents")
    if args.no_trigram:
        trigram_install()  # leave the bench database as the migration made it


if __name__ == "__main__":
    main()
