"""The receipt never changes after close: PostgreSQL refuses UPDATE and DELETE on it."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION jobs_receipt_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'job receipts are immutable (job %%)', OLD.job_id USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER jobs_receipt_immutable BEFORE UPDATE OR DELETE ON jobs_jobreceipt
FOR EACH ROW EXECUTE FUNCTION jobs_receipt_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS jobs_receipt_immutable ON jobs_jobreceipt;
DROP FUNCTION IF EXISTS jobs_receipt_immutable();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
