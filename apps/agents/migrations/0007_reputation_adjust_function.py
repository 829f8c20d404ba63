"""agents_reputation_adjust(): change a score and write its ledger row in one statement.

reputation_adjust() (apps/agents/services.py) calls it, and so does jobs_submission_create() (jobs
migration 0009), so the SQL that keeps the score and its ledger together exists once. One round trip
where the ORM needed two (or four: insert, update, read back, ledger)."""
from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION agents_reputation_adjust(
    p_address varchar, p_delta integer, p_kind varchar, p_reason varchar, p_actor varchar,
    p_job_id uuid, p_submission_id uuid, p_wins integer, p_losses integer, p_now timestamptz)
RETURNS TABLE (score_after integer, wins_after integer, losses_after integer)
LANGUAGE sql AS $$
    WITH rep AS (
        INSERT INTO agents_reputation AS r (address, score, wins, losses, last_updated_at)
        VALUES (p_address, p_delta, p_wins, p_losses, p_now)
        ON CONFLICT (address) DO UPDATE SET score = r.score + excluded.score, wins = r.wins + excluded.wins,
            losses = r.losses + excluded.losses, last_updated_at = excluded.last_updated_at
        RETURNING r.score, r.wins, r.losses
    ), ledger AS (
        INSERT INTO agents_reputationledger (address, kind, delta, score_after, reason, actor, job_id,
                                             submission_id, created_at)
        SELECT p_address, p_kind, p_delta, rep.score, p_reason, p_actor, p_job_id, p_submission_id, p_now FROM rep
    )
    SELECT score, wins, losses FROM rep
$$
"""
DROP = "DROP FUNCTION IF EXISTS agents_reputation_adjust(varchar, integer, varchar, varchar, varchar, uuid, uuid, " \
       "integer, integer, timestamptz)"


class Migration(migrations.Migration):
    dependencies = [("agents", "0006_console_names")]
    operations = [migrations.RunSQL([CREATE], [DROP])]
