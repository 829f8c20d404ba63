"""jobs_vote_cast() and jobs_submission_create(): the locked part of vote_cast and submission_create,
each one statement (one round trip, and in autocommit its own transaction: no BEGIN or COMMIT).

They do what the Python services did, in the same order and under the same locks (see
docs/architecture.md, "Topics and the jury"); PL/pgSQL runs each statement in READ COMMITTED with a
fresh snapshot, so what is read after a lock is granted is current, as it was from Python. Refusals
are returned as an outcome code before anything is written; apps/jobs/services.py turns them into
the API's errors. The gates (participant type, stake, reputation) are decided in Python and passed
in as p_eligible, so the errors keep their order: missing or closed topic first, then the gates."""
from django.db import migrations

VOTE_CAST = """
CREATE OR REPLACE FUNCTION jobs_vote_cast(
    p_job uuid, p_submission uuid, p_voter varchar, p_weight integer, p_review text, p_eligible boolean,
    p_id uuid, p_now timestamptz)
RETURNS TABLE (outcome text, vote_id uuid, vote_created_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    v_status varchar;
    v_author varchar;
    prev_sub uuid;
    prev_weight integer;
BEGIN
    -- Share lock: votes run side by side, but never interleave with a close (FOR UPDATE).
    SELECT j.status INTO v_status FROM jobs_job j WHERE j.id = p_job FOR SHARE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'job_not_found', NULL::uuid, NULL::timestamptz; RETURN;
    ELSIF v_status <> 'open' THEN
        RETURN QUERY SELECT 'job_closed', NULL::uuid, NULL::timestamptz; RETURN;
    ELSIF NOT p_eligible THEN
        RETURN QUERY SELECT 'ineligible', NULL::uuid, NULL::timestamptz; RETURN;
    END IF;
    -- One voter's votes on one topic apply one at a time, so the previous vote read next is current.
    PERFORM pg_advisory_xact_lock(hashtextextended('vote:' || p_job::text || ':' || p_voter, 0));
    SELECT s.agent_address INTO v_author FROM jobs_submission s WHERE s.id = p_submission AND s.job_id = p_job;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'submission_not_in_job', NULL::uuid, NULL::timestamptz; RETURN;
    ELSIF v_author = p_voter THEN
        RETURN QUERY SELECT 'self_vote', NULL::uuid, NULL::timestamptz; RETURN;
    END IF;
    SELECT v.submission_id, v.weight INTO prev_sub, prev_weight
    FROM jobs_vote v WHERE v.job_id = p_job AND v.voter_address = p_voter;
    -- The running tally. A moved vote updates both counter rows in id order, so two voters moving in
    -- opposite directions lock them in one order.
    IF prev_sub IS NULL THEN
        UPDATE jobs_submission SET weighted_votes = weighted_votes + p_weight, voters = voters + 1
        WHERE id = p_submission;
    ELSIF prev_sub = p_submission THEN
        IF prev_weight <> p_weight THEN
            UPDATE jobs_submission SET weighted_votes = weighted_votes + p_weight - prev_weight
            WHERE id = p_submission;
        END IF;
    ELSE
        IF prev_sub < p_submission THEN
            UPDATE jobs_submission SET weighted_votes = weighted_votes - prev_weight, voters = voters - 1
            WHERE id = prev_sub;
        END IF;
        UPDATE jobs_submission SET weighted_votes = weighted_votes + p_weight, voters = voters + 1
        WHERE id = p_submission;
        IF prev_sub > p_submission THEN
            UPDATE jobs_submission SET weighted_votes = weighted_votes - prev_weight, voters = voters - 1
            WHERE id = prev_sub;
        END IF;
    END IF;
    -- One vote per voter per topic: voting again moves it and keeps its id and created_at.
    RETURN QUERY
    INSERT INTO jobs_vote AS v (id, job_id, submission_id, voter_address, weight, review, created_at, updated_at)
    VALUES (p_id, p_job, p_submission, p_voter, p_weight, p_review, p_now, p_now)
    ON CONFLICT (job_id, voter_address) DO UPDATE SET submission_id = excluded.submission_id,
        weight = excluded.weight, review = excluded.review, updated_at = excluded.updated_at
    RETURNING 'ok'::text, v.id, v.created_at;
END;
$$
"""

SUBMISSION_CREATE = """
CREATE OR REPLACE FUNCTION jobs_submission_create(
    p_id uuid, p_job uuid, p_agent varchar, p_content text, p_evidence jsonb, p_eligible boolean,
    p_now timestamptz, p_reward integer, p_kind varchar, p_reason varchar)
RETURNS TABLE (outcome text, rewarded boolean)
LANGUAGE plpgsql AS $$
DECLARE
    v_status varchar;
    v_sponsor varchar;
    v_first boolean;
BEGIN
    SELECT j.status, j.sponsor_address INTO v_status, v_sponsor FROM jobs_job j WHERE j.id = p_job FOR SHARE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'job_not_found', false; RETURN;
    ELSIF v_status <> 'open' THEN
        RETURN QUERY SELECT 'job_closed', false; RETURN;
    ELSIF v_sponsor = p_agent THEN
        RETURN QUERY SELECT 'own_topic', false; RETURN;
    ELSIF NOT p_eligible THEN
        RETURN QUERY SELECT 'ineligible', false; RETURN;
    END IF;
    -- One agent's submissions to one topic go one at a time, so of two racing first submissions the
    -- second sees the first (the check below runs after the lock is granted, with a fresh snapshot).
    PERFORM pg_advisory_xact_lock(hashtextextended('submit:' || p_job::text || ':' || p_agent, 0));
    v_first := NOT EXISTS (SELECT 1 FROM jobs_submission s WHERE s.job_id = p_job AND s.agent_address = p_agent);
    INSERT INTO jobs_submission (id, job_id, agent_address, content, evidence, created_at, weighted_votes, voters)
    VALUES (p_id, p_job, p_agent, p_content, p_evidence, p_now, 0, 0);
    -- Only the first submission to a topic earns reputation: spam can't buy jury weight.
    IF v_first THEN
        PERFORM agents_reputation_adjust(p_agent, p_reward, p_kind, p_reason, 'system', p_job, p_id, 0, 0, p_now);
    END IF;
    RETURN QUERY SELECT 'ok', v_first;
END;
$$
"""

DROP_VOTE = "DROP FUNCTION IF EXISTS jobs_vote_cast(uuid, uuid, varchar, integer, text, boolean, uuid, timestamptz)"
DROP_SUBMISSION = ("DROP FUNCTION IF EXISTS jobs_submission_create(uuid, uuid, varchar, text, jsonb, boolean, "
                   "timestamptz, integer, varchar, varchar)")


class Migration(migrations.Migration):
    dependencies = [("jobs", "0010_console_names"), ("agents", "0007_reputation_adjust_function")]
    operations = [migrations.RunSQL([VOTE_CAST, SUBMISSION_CREATE], [DROP_VOTE, DROP_SUBMISSION])]
