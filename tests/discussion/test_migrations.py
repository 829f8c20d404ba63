"""The search migration indexes rows that exist before it, and reverses cleanly."""
import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from apps.discussion.models import SearchDocument
from apps.discussion.trigram import trigram_available
from apps.jobs.models import Job, Submission


@pytest.mark.django_db(transaction=True)
def test_existing_topics_and_submissions_are_indexed_by_the_migration():
    executor = MigrationExecutor(connection)
    executor.migrate([("discussion", "0001_initial")])  # back: triggers, functions and trigram index gone
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'discussion_index_%%'")
        assert cur.fetchone()[0] == 0
    job = Job.objects.create(title="Legacy walrus topic", prompt="Older than search", sponsor_address="0x" + "1" * 40)
    sub = Submission.objects.create(job=job, agent_address="0x" + "2" * 40, content="An old walrus answer",
                                    evidence=[{"claim": "tusks"}])
    assert not SearchDocument.objects.exists()

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    docs = {d.object_id: d for d in SearchDocument.objects.all()}
    assert (docs[job.id].doc_type, docs[job.id].title) == ("job", "Legacy walrus topic")
    assert (docs[sub.id].doc_type, docs[sub.id].title, docs[sub.id].topic_id) == \
        ("submission", "Legacy walrus topic", job.id)
    with connection.cursor() as cur:
        cur.execute("SELECT object_id FROM discussion_searchdocument WHERE vector @@ to_tsquery('english', 'tusks')")
        assert [row[0] for row in cur.fetchall()] == [sub.id]
    trigram_available.cache_clear()
    assert trigram_available()
