"""TRUNCATE skips row triggers, so 0002's UPDATE/DELETE guard did not cover it (a stray `manage.py flush`
would wipe every receipt): a statement-level BEFORE TRUNCATE trigger refuses it too.

The one way through is a session that sets `agora.allow_receipt_truncate = 'on'` first. Only the test
settings do (pytest's database flush between transactional tests is a TRUNCATE); the app never does."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION jobs_receipt_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('agora.allow_receipt_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'job receipts are immutable: TRUNCATE of %% refused', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER jobs_receipt_no_truncate BEFORE TRUNCATE ON jobs_jobreceipt
FOR EACH STATEMENT EXECUTE FUNCTION jobs_receipt_no_truncate();
"""
DROP = """
DROP TRIGGER IF EXISTS jobs_receipt_no_truncate ON jobs_jobreceipt;
DROP FUNCTION IF EXISTS jobs_receipt_no_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0007_job_close_details_verified")]
    operations = [migrations.RunPython(forwards, backwards)]
