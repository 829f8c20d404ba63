"""The search index is kept by PostgreSQL: triggers on topics, submissions, comments and posts
write discussion_searchdocument in the writer's own transaction (jobs never imports discussion,
and the index stays right whoever writes). A soft-deleted comment or post leaves the index.
Then pg_trgm and its index where the database allows it, and the rows that already exist."""
from django.db import migrations

# Rows stay in the table's own pages up to 8 kB (instead of about 2 kB): ranking reads each matching
# row's vector, and a vector moved out to the TOAST table costs an extra index lookup per row.
# Weights: a title is A, the text B, a submission's evidence claims and quotes C.
FUNCTIONS = r"""
ALTER TABLE discussion_searchdocument SET (toast_tuple_target = 8160);

CREATE OR REPLACE FUNCTION discussion_vector(title text, body text, extra jsonb) RETURNS tsvector
LANGUAGE sql IMMUTABLE AS $$
  SELECT setweight(to_tsvector('english', coalesce(title, '')), 'A')
      || setweight(to_tsvector('english', coalesce(body, '')), 'B')
      || setweight(jsonb_to_tsvector('english', coalesce(extra, '[]'::jsonb), '["string"]'), 'C')
$$;

-- What near matches (pg_trgm) compare a query with: the title and the start of the text. Short,
-- because checking a candidate costs in proportion to its length.
CREATE OR REPLACE FUNCTION discussion_head(title text, body text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT left(btrim(coalesce(title, '') || ' ' || coalesce(body, '')), 120) $$;

CREATE OR REPLACE FUNCTION discussion_evidence_text(evidence jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT jsonb_path_query_array(evidence, 'lax $[*].claim') || jsonb_path_query_array(evidence, 'lax $[*].quote')
$$;

CREATE OR REPLACE FUNCTION discussion_doc_put(p_id uuid, p_type text, p_title text, p_own_title text, p_body text,
                                              p_extra jsonb, p_created timestamptz, p_topic uuid, p_post uuid)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO discussion_searchdocument (object_id, doc_type, title, excerpt, head, vector, created_at, topic_id, post_id)
  VALUES (p_id, p_type, coalesce(p_title, ''), left(p_body, 1000), discussion_head(p_own_title, p_body),
          discussion_vector(p_own_title, p_body, p_extra), p_created, p_topic, p_post)
  ON CONFLICT (object_id) DO UPDATE SET title = EXCLUDED.title, excerpt = EXCLUDED.excerpt, head = EXCLUDED.head,
                                        vector = EXCLUDED.vector
$$;

CREATE OR REPLACE FUNCTION discussion_index_job() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM discussion_doc_put(NEW.id, 'job', NEW.title, NEW.title, NEW.prompt, NULL, NEW.created_at, NEW.id, NULL);
  IF TG_OP = 'UPDATE' AND OLD.title IS DISTINCT FROM NEW.title THEN  -- its submissions and comments show its title
    UPDATE discussion_searchdocument SET title = NEW.title WHERE topic_id = NEW.id AND doc_type <> 'job';
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION discussion_index_submission() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM discussion_doc_put(NEW.id, 'submission', (SELECT title FROM jobs_job WHERE id = NEW.job_id), NULL,
                             NEW.content, discussion_evidence_text(NEW.evidence), NEW.created_at, NEW.job_id, NULL);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION discussion_index_comment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  v_title text; v_topic uuid; v_post uuid;
BEGIN
  IF NEW.deleted_at IS NOT NULL THEN
    DELETE FROM discussion_searchdocument WHERE object_id = NEW.id;
    RETURN NULL;
  END IF;
  IF NEW.target_type = 'job' THEN
    SELECT title, id INTO v_title, v_topic FROM jobs_job WHERE id = NEW.target_id;
  ELSIF NEW.target_type = 'submission' THEN
    SELECT j.title, j.id INTO v_title, v_topic FROM jobs_submission s JOIN jobs_job j ON j.id = s.job_id
    WHERE s.id = NEW.target_id;
  ELSE
    SELECT CASE WHEN deleted_at IS NULL THEN title ELSE '' END, id INTO v_title, v_post
    FROM discussion_post WHERE id = NEW.target_id;
  END IF;
  PERFORM discussion_doc_put(NEW.id, 'comment', v_title, NULL, NEW.content, NULL, NEW.created_at, v_topic, v_post);
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION discussion_index_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.deleted_at IS NOT NULL THEN  -- its comments stay, but no longer show the deleted title
    DELETE FROM discussion_searchdocument WHERE object_id = NEW.id;
    UPDATE discussion_searchdocument SET title = '' WHERE post_id = NEW.id;
    RETURN NULL;
  END IF;
  PERFORM discussion_doc_put(NEW.id, 'post', NEW.title, NEW.title, NEW.content, NULL, NEW.created_at, NULL, NEW.id);
  IF TG_OP = 'UPDATE' AND OLD.title IS DISTINCT FROM NEW.title THEN
    UPDATE discussion_searchdocument SET title = NEW.title WHERE post_id = NEW.id AND doc_type <> 'post';
  END IF;
  RETURN NULL;
END $$;
"""

# UPDATE triggers fire only when the text changed: closing a topic or counting a vote saves the
# row without touching its text and must not re-index it.
TRIGGERS = """
CREATE TRIGGER discussion_index_insert AFTER INSERT ON jobs_job
  FOR EACH ROW EXECUTE FUNCTION discussion_index_job();
CREATE TRIGGER discussion_index_update AFTER UPDATE ON jobs_job
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.prompt IS DISTINCT FROM NEW.prompt)
  EXECUTE FUNCTION discussion_index_job();
CREATE TRIGGER discussion_index_insert AFTER INSERT ON jobs_submission
  FOR EACH ROW EXECUTE FUNCTION discussion_index_submission();
CREATE TRIGGER discussion_index_update AFTER UPDATE ON jobs_submission
  FOR EACH ROW WHEN (OLD.content IS DISTINCT FROM NEW.content OR OLD.evidence IS DISTINCT FROM NEW.evidence)
  EXECUTE FUNCTION discussion_index_submission();
CREATE TRIGGER discussion_index_insert AFTER INSERT ON discussion_comment
  FOR EACH ROW EXECUTE FUNCTION discussion_index_comment();
CREATE TRIGGER discussion_index_update AFTER UPDATE ON discussion_comment
  FOR EACH ROW WHEN (OLD.content IS DISTINCT FROM NEW.content OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
  EXECUTE FUNCTION discussion_index_comment();
CREATE TRIGGER discussion_index_insert AFTER INSERT ON discussion_post
  FOR EACH ROW EXECUTE FUNCTION discussion_index_post();
CREATE TRIGGER discussion_index_update AFTER UPDATE ON discussion_post
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.content IS DISTINCT FROM NEW.content
                     OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
  EXECUTE FUNCTION discussion_index_post();
"""

BACKFILL = """
SELECT discussion_doc_put(id, 'job', title, title, prompt, NULL, created_at, id, NULL) FROM jobs_job;
SELECT discussion_doc_put(s.id, 'submission', j.title, NULL, s.content, discussion_evidence_text(s.evidence),
                          s.created_at, s.job_id, NULL)
FROM jobs_submission s JOIN jobs_job j ON j.id = s.job_id;
"""

DROP = """
DROP TRIGGER IF EXISTS discussion_index_insert ON jobs_job;
DROP TRIGGER IF EXISTS discussion_index_update ON jobs_job;
DROP TRIGGER IF EXISTS discussion_index_insert ON jobs_submission;
DROP TRIGGER IF EXISTS discussion_index_update ON jobs_submission;
DROP TRIGGER IF EXISTS discussion_index_insert ON discussion_comment;
DROP TRIGGER IF EXISTS discussion_index_update ON discussion_comment;
DROP TRIGGER IF EXISTS discussion_index_insert ON discussion_post;
DROP TRIGGER IF EXISTS discussion_index_update ON discussion_post;
DROP FUNCTION IF EXISTS discussion_index_job(), discussion_index_submission(), discussion_index_comment(),
  discussion_index_post(), discussion_doc_put(uuid, text, text, text, text, jsonb, timestamptz, uuid, uuid),
  discussion_evidence_text(jsonb), discussion_head(text, text), discussion_vector(text, text, jsonb);
DELETE FROM discussion_searchdocument;
DROP INDEX IF EXISTS search_doc_head_trgm;
ALTER TABLE discussion_searchdocument RESET (toast_tuple_target);
"""


def install_trigram(apps, schema_editor):
    from apps.discussion.trigram import trigram_install

    trigram_install(schema_editor.connection)  # refused: no trigram index, search uses prefixes instead


class Migration(migrations.Migration):
    dependencies = [("discussion", "0001_initial"), ("jobs", "0001_initial")]
    operations = [
        migrations.RunSQL(FUNCTIONS + TRIGGERS, reverse_sql=DROP),
        migrations.RunPython(install_trigram, migrations.RunPython.noop),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]
