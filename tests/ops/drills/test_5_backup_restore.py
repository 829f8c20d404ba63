"""Drill: backups and restores (docs/backup.md), with the database disk lost.

A base backup (scripts/pg-basebackup.sh) is taken; topics, votes, a close with its receipt and ledgers, and an
indexed deposit are written after it; a dump is taken (scripts/pg-dump.sh). Then PostgreSQL crashes and its
data directory is deleted. scripts/pg-restore.sh rebuilds it from the base backup and the WAL that
pg_receivewal streamed synchronously (every acknowledged commit is in it), and every table is compared row for
row with the source. The dump is restored into a second, fresh cluster and compared the same way. The stack
then carries on over the restored database."""
import shutil
import signal
import subprocess

import pytest
import requests

from apps.common.devchain import free_port as spare_port
from tests.ops.chain import StackChain
from tests.ops.drills.drill import Report
from tests.ops.people import grant, person
from tests.ops.stack import PG_BIN, ROOT, PgCluster, as_postgres, own_by_postgres, wait_for

pytestmark = pytest.mark.slow
KEY_TABLES = ("jobs_job", "jobs_submission", "jobs_vote", "jobs_jobreceipt", "jobs_anchorbatch",
              "agents_reputationledger", "agents_agrledger", "onchain_chainevent", "onchain_stakeledger")


def fingerprint(cluster: PgCluster) -> dict[str, tuple[int, str]]:
    """Every table of the app: its row count and an md5 over all its rows in a fixed order."""
    tables = [name for (name,) in cluster.sql(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")]
    return {table: cluster.sql(f'SELECT count(*), md5(coalesce(string_agg(t::text, E\'\\n\' ORDER BY t::text), \'\')) '
                               f'FROM "{table}" t')[0] for table in sorted(tables)}


def run_script(stack, script: str, *args: str, **env) -> str:
    variables = [f"PATH={PG_BIN}:/usr/bin:/bin", "PGHOST=127.0.0.1", f"PGPORT={stack.pg.port}", "PGUSER=postgres",
                 *(f"{k}={v}" for k, v in env.items())]
    result = subprocess.run(as_postgres(["env", *variables, "bash", str(ROOT / "scripts" / script), *args]),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


def _write_after_the_backup(stack) -> None:
    sponsor = person(stack, 0)
    agents = [person(stack, i % 2) for i in range(2)]
    jurors = [person(stack, i % 2) for i in range(3)]
    grant(stack, {**{a.address: 0 for a in agents}, **{j.address: 9 for j in jurors}})
    job = sponsor.create_job(title="written after the base backup", prompt="p", bounty_usdc="33.3", tags=["backup"])
    subs = [agent.submit(job["id"], "after the backup")["id"] for agent in agents]
    for juror in jurors:
        juror.vote(job["id"], subs[1])
    sponsor.close_job(job["id"], subs[1])
    wait_for(lambda: stack.pg.sql("SELECT 1 FROM jobs_anchorbatch WHERE job_id = %s", [job["id"]]), timeout=60,
             what="the closed topic's anchor")
    chain = StackChain(stack)
    chain.fund(chain.accounts[8], 10**9)
    chain.deposit(chain.accounts[8], 5 * 10**6)
    head = chain.head()
    wait_for(lambda: stack.pg.sql("SELECT min(last_block_number) FROM onchain_chainstream") == [(head,)],
             timeout=60, what="the deposit indexed")


def test_backup_and_restore_after_losing_the_database_disk(stack):
    report = Report("base backup + synchronous WAL archive, and a dump; the database disk lost; both restored")
    backups = stack.base / "backups"
    backups.mkdir()
    own_by_postgres(backups)
    base_backup = run_script(stack, "pg-basebackup.sh", str(backups / "base"))
    report.did(f"scripts/pg-basebackup.sh took a base backup: {base_backup}")
    _write_after_the_backup(stack)
    report.did("after it: a topic, submissions, votes, the close (receipt, reputation and AGR ledgers, anchor) "
               "and an indexed on-chain deposit")
    for name in ("beat", "worker1", "worker2"):
        stack.services[name].stop(signal.SIGKILL)  # idle; a warm shutdown only costs time here
    report.did("stopped beat and the workers, so nothing writes while the copies are compared")
    dump = run_script(stack, "pg-dump.sh", str(backups / "dumps"), DATABASE_URL=stack.pg.url())
    report.did(f"scripts/pg-dump.sh wrote {dump}")
    source = fingerprint(stack.pg)
    summary = ", ".join(f"{table} {source[table][0]}" for table in KEY_TABLES)
    report.did(f"fingerprinted all {len(source)} tables of the source ({summary} rows)")

    stack.pg.stop("immediate")
    stack.services["pg_receivewal"].stop()
    shutil.rmtree(stack.pg.data)
    report.did("crashed PostgreSQL and deleted its data directory (the disk is lost); the WAL archive is "
               "elsewhere (on the backup host, in production)")
    partial = sorted(path.name for path in stack.wal_dir.glob("*.partial"))
    assert partial, "pg_receivewal's current segment should be unfinished: it holds the latest commits"
    report.did(f"the archive's newest segment is still being written ({partial[0]}): the restore must use it")
    restored = run_script(stack, "pg-restore.sh", base_backup, str(stack.wal_dir), str(stack.pg.data))
    report.did(f"scripts/pg-restore.sh: {restored}")
    stack.pg.start()
    wait_for(lambda: stack.pg.sql("SELECT NOT pg_is_in_recovery()", db="postgres") == [(True,)], timeout=120,
             what="recovery finished and promoted")
    after = fingerprint(stack.pg)
    assert after == source, {t: (source.get(t), after.get(t)) for t in set(source) | set(after)
                             if source.get(t) != after.get(t)}
    report.checked(f"point-in-time restore: all {len(after)} tables equal the source row for row, the writes "
                   "after the base backup included")

    fresh = PgCluster(stack.base / "pg-from-dump", spare_port())
    fresh.init()
    fresh.start()
    try:
        fresh.sql("CREATE DATABASE agora", db="postgres")
        loaded = subprocess.run([str(PG_BIN / "pg_restore"), "--no-owner", "-d", fresh.url(), dump],
                                capture_output=True, text=True)
        assert loaded.returncode == 0, loaded.stderr
        assert fingerprint(fresh) == source
        report.checked("pg_restore of the dump into a fresh cluster: all tables equal the source row for row")
    finally:
        fresh.stop("immediate")

    # carry on: a fresh WAL archive for the new timeline, then the processes
    stack.wal_dir = stack.base / "wal-archive-after-restore"
    stack.wal_dir.mkdir()
    own_by_postgres(stack.wal_dir)
    stack.pg.sql("SELECT pg_create_physical_replication_slot('agora_wal_archive')", db="postgres")
    stack.start_wal_archive()
    stack.start_processes("worker1", "worker2", "beat")
    for web in (0, 1):
        wait_for(lambda w=web: requests.get(stack.web_url(w) + "/readyz", timeout=5).json()["status"] == "ok",
                 timeout=30, what=f"web{web} ready")
    person(stack, 1).create_job(title="after the restore", prompt="p", bounty_usdc="1")
    report.checked("the web processes reconnected by themselves; new writes are acknowledged (a fresh WAL "
                   "archive is streaming) and the workers and beat run again")
