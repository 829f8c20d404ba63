"""Data migrations run against rows that exist before them."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@pytest.mark.django_db(transaction=True)
def test_tag_rows_get_their_topics_created_at():
    executor = MigrationExecutor(connection)
    before, after = [("jobs", "0003_submission_tally_counters")], [("jobs", "0004_jobtag_created_at")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    job = old.get_model("jobs", "Job").objects.create(title="t", prompt="p", sponsor_address="0x" + "1" * 40)
    old.get_model("jobs", "JobTag").objects.create(job_id=job.id, tag="legacy")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    row = new.get_model("jobs", "JobTag").objects.get(job_id=job.id)
    assert row.created_at == job.created_at
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
