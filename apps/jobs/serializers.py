import json
import math
import re
from decimal import Decimal

from rest_framework import serializers

from apps.common.chain import units_to_usdc
from apps.common.fields import AddressField, HttpUrlField, UsdcField, ZDateTimeField
from apps.common.timefmt import iso_z

from .rules import (
    MAX_BOOST_AGR,
    MAX_BOOST_HOURS,
    MAX_FINAL_VOTE_WINDOW,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    MAX_TEXT,
    MAX_TITLE,
    MIN_FINAL_VOTE_WINDOW,
    tree_uri_for,
)


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer only: DRF's IntegerField also takes "12", 12.0 and true, which a count of
    seconds or AGR should not silently accept."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | Decimal):
            self.fail("invalid")
        if isinstance(data, Decimal) and data != data.to_integral_value():
            self.fail("invalid")
        return super().to_internal_value(data)

_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _json_clean(value):
    """Free-form metadata, made storable as jsonb. The API's parser reads JSON numbers as Decimal (money
    stays exact): here they become ints or floats again, and a number no float can hold is a 400. Text
    PostgreSQL can't store (NUL, a lone UTF-16 surrogate) is a 400 too, in keys as in values."""
    if isinstance(value, Decimal):
        if value == value.to_integral_value() and abs(value) < 2**63:
            return int(value)
        number = float(value)
        if not math.isfinite(number):
            raise serializers.ValidationError("metadata numbers must be finite and at most about 1.8e308")
        return number
    if isinstance(value, str):
        if "\x00" in value or _SURROGATE.search(value):
            raise serializers.ValidationError("metadata text may not contain NUL or unpaired surrogate characters")
        return value
    if isinstance(value, dict):
        return {_json_clean(key): _json_clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_clean(item) for item in value]
    return value


class EvidenceSerializer(serializers.Serializer):
    type = serializers.CharField(max_length=40, required=False, allow_blank=True)
    source_url = HttpUrlField(max_length=2000, required=False, allow_blank=True)
    retrieved_at = serializers.DateTimeField(required=False, allow_null=True)
    snapshot_uri = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    snapshot_hash = serializers.CharField(max_length=200, required=False, allow_blank=True)
    quote = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    claim = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    confidence = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    metadata = serializers.DictField(required=False, allow_null=True)

    def validate_metadata(self, value):
        if value is None:
            return value
        value = _json_clean(value)
        if len(json.dumps(value)) > 4000:
            raise serializers.ValidationError("metadata must serialise to at most 4000 characters")
        return value

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value.get("retrieved_at") is not None:
            value["retrieved_at"] = iso_z(value["retrieved_at"])
        if value.get("confidence") is not None:
            value["confidence"] = float(value["confidence"])
        return value


class JobCreateInputSerializer(serializers.Serializer):
    title = serializers.CharField(min_length=1, max_length=MAX_TITLE)
    prompt = serializers.CharField(min_length=1, max_length=MAX_TEXT)
    bounty_usdc = UsdcField()
    tags = serializers.ListField(child=serializers.CharField(max_length=MAX_TAG_LENGTH), max_length=MAX_TAGS,
                                 required=False, default=list)
    final_vote_window_seconds = StrictIntegerField(
        min_value=MIN_FINAL_VOTE_WINDOW, max_value=MAX_FINAL_VOTE_WINDOW, required=False, allow_null=True,
        help_text="how long the final vote runs from creation (default AGORA_FINAL_VOTE_WINDOW_SECONDS, 86400)")


class RankingEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    submission_id = serializers.UUIDField()
    agent_address = serializers.CharField()
    weighted_votes = serializers.IntegerField()
    voters = serializers.IntegerField()


class ReceiptSerializer(serializers.Serializer):
    winner_submission_id = serializers.UUIDField()
    closed_at = ZDateTimeField()
    close_method = serializers.ChoiceField(choices=["sponsor", "final_vote"],
                                           help_text="how the topic was closed: by its sponsor or by a finalize")
    ranking = RankingEntrySerializer(many=True)
    policy = serializers.DictField()
    payout = serializers.SerializerMethodField()

    def get_payout(self, obj) -> dict:
        """Exact base units plus the same values as USDC numbers."""
        units = obj.payout
        return {
            "bounty_usdc": units_to_usdc(units["bounty_units"]),
            "agent_payout_usdc": units_to_usdc(units["agent_payout_units"]),
            "platform_fee_usdc": units_to_usdc(units["platform_fee_units"]),
            "jury_pool_usdc": units_to_usdc(units["jury_pool_units"]),
            **units,
        }


class JobOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    prompt = serializers.CharField()
    bounty_usdc = UsdcField(source="bounty_units")
    tags = serializers.ListField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=["open", "closed"])
    sponsor_address = serializers.CharField()
    created_at = ZDateTimeField()
    winner_submission_id = serializers.UUIDField(allow_null=True)
    closed_at = ZDateTimeField(allow_null=True)
    close_tx_hash = serializers.CharField(allow_null=True)
    close_chain_id = serializers.IntegerField(allow_null=True)
    close_contract_address = serializers.CharField(allow_null=True)
    close_block_number = serializers.IntegerField(allow_null=True)
    close_log_index = serializers.IntegerField(allow_null=True)
    close_details_verified = serializers.BooleanField(
        allow_null=True, help_text="true: the close tx was found on the configured chain and matches the close_* "
                                   "fields; false: they are only reported by the sponsor; null: none were given")
    anchor_root = serializers.CharField(allow_null=True)
    anchor_uri = serializers.CharField(allow_null=True)
    anchor_schema_version = serializers.IntegerField(allow_null=True)
    anchor_salt = serializers.CharField(allow_null=True)
    anchor_tx_hash = serializers.CharField(allow_null=True)
    anchor_chain_id = serializers.IntegerField(allow_null=True)
    anchor_contract_address = serializers.CharField(allow_null=True)
    anchor_block_number = serializers.IntegerField(allow_null=True)
    anchor_log_index = serializers.IntegerField(allow_null=True)
    anchor_status = serializers.ChoiceField(choices=["pending", "exported", "posted", "confirmed"], allow_null=True)
    receipt = ReceiptSerializer(allow_null=True)
    final_vote_starts_at = ZDateTimeField(help_text="the final vote opens with the topic")
    final_vote_ends_at = ZDateTimeField(help_text="after this a wallet that cast a final vote may finalize")
    featured_until = ZDateTimeField(allow_null=True, help_text="the latest end of the topic's boosts")
    featured_score = serializers.IntegerField(help_text="AGR of the boosts still running (0 when not featured)")

    def to_representation(self, job):
        # The declared fields document the shape (OpenAPI); building the dict directly skips DRF's
        # per-field copies, which were most of a list page's cost. A test keeps the two identical.
        return job_representation(job)


_ANCHOR_FIELDS = ("anchor_root", "anchor_uri", "anchor_schema_version", "anchor_salt", "anchor_tx_hash",
                  "anchor_chain_id", "anchor_contract_address", "anchor_block_number", "anchor_log_index",
                  "anchor_status")


def anchor_fields(anchor) -> dict:
    """The Job's anchor_* fields: null until the snapshot is built, then filled as the chain confirms it."""
    if anchor is None:
        return dict.fromkeys(_ANCHOR_FIELDS)
    return {"anchor_root": anchor.anchor_root, "anchor_uri": anchor.anchor_uri,
            "anchor_schema_version": anchor.schema_version, "anchor_salt": anchor.salt,
            "anchor_tx_hash": anchor.anchor_tx_hash, "anchor_chain_id": anchor.anchor_chain_id,
            "anchor_contract_address": anchor.anchor_contract_address,
            "anchor_block_number": anchor.anchor_block_number, "anchor_log_index": anchor.anchor_log_index,
            "anchor_status": anchor.status}


def job_representation(job) -> dict:
    # Selectors attach receipt_row (see selectors._attach_receipts); fall back to the relation.
    receipt = getattr(job, "receipt_row", None) or (job.receipt if job.status == "closed" else None)
    return {
        "id": str(job.id),
        "title": job.title,
        "prompt": job.prompt,
        "bounty_usdc": units_to_usdc(job.bounty_units),
        "tags": list(job.tags),
        "status": job.status,
        "sponsor_address": job.sponsor_address,
        "created_at": iso_z(job.created_at),
        "winner_submission_id": str(job.winner_submission_id) if job.winner_submission_id else None,
        "closed_at": iso_z(job.closed_at),
        "close_tx_hash": job.close_tx_hash,
        "close_chain_id": job.close_chain_id,
        "close_contract_address": job.close_contract_address,
        "close_block_number": job.close_block_number,
        "close_log_index": job.close_log_index,
        "close_details_verified": job.close_details_verified,
        **anchor_fields(getattr(job, "anchor_row", None)),
        "receipt": ReceiptSerializer(receipt).data if receipt else None,
        "final_vote_starts_at": iso_z(job.final_vote_starts_at),
        "final_vote_ends_at": iso_z(job.final_vote_ends_at),
        "featured_until": iso_z(job.featured_until),
        "featured_score": getattr(job, "featured_score", 0),  # set by the selectors (boost_selectors)
    }


# Documents the list page; job_list_representation builds it (instantiating this serializer
# deep-copies the nested job serializer's fields on every request).
class JobListOutputSerializer(serializers.Serializer):
    jobs = JobOutputSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)


def job_list_representation(jobs, next_cursor: str | None) -> dict:
    return {"jobs": [job_representation(job) for job in jobs], "next_cursor": next_cursor}


class SubmissionCreateInputSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    content = serializers.CharField(min_length=1, max_length=MAX_TEXT)
    evidence = EvidenceSerializer(many=True, required=False, default=list, max_length=50)


class SubmissionOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    job_id = serializers.UUIDField()
    agent_address = serializers.CharField()
    content = serializers.CharField()
    evidence = serializers.ListField(child=serializers.DictField())
    created_at = ZDateTimeField()


def submission_representation(submission) -> dict:
    """SubmissionOutputSerializer's output, built directly (a test keeps the two identical): on a
    50-row page DRF's per-field work was most of the request."""
    return {"id": str(submission.id), "job_id": str(submission.job_id), "agent_address": submission.agent_address,
            "content": submission.content, "evidence": submission.evidence,
            "created_at": iso_z(submission.created_at)}


class SubmissionCreateOutputSerializer(serializers.Serializer):
    submission = SubmissionOutputSerializer()


class VoteCastInputSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    submission_id = serializers.UUIDField()
    review = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class VoteOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    job_id = serializers.UUIDField()
    submission_id = serializers.UUIDField()
    voter_address = serializers.CharField()
    weight = serializers.IntegerField()
    review = serializers.CharField()
    created_at = ZDateTimeField()


class VoteCastOutputSerializer(serializers.Serializer):
    vote = VoteOutputSerializer()


def vote_representation(vote) -> dict:
    """VoteOutputSerializer's output, built directly (a test keeps the two identical)."""
    return {"id": str(vote.id), "job_id": str(vote.job_id), "submission_id": str(vote.submission_id),
            "voter_address": vote.voter_address, "weight": vote.weight, "review": vote.review,
            "created_at": iso_z(vote.created_at)}


class TallyEntrySerializer(serializers.Serializer):
    submission_id = serializers.UUIDField()
    weighted_votes = serializers.IntegerField()
    voters = serializers.IntegerField()


class VoteSummaryOutputSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    tallies = TallyEntrySerializer(many=True)


class JobCloseInputSerializer(serializers.Serializer):
    winner_submission_id = serializers.UUIDField()
    close_tx_hash = serializers.RegexField(r"^0x[0-9a-fA-F]{64}$", required=False, allow_null=True,
                                           error_messages={"invalid": "must be 0x followed by 64 hex characters"})
    close_chain_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True)
    close_contract_address = AddressField(required=False, allow_null=True)
    close_block_number = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False, allow_null=True)
    close_log_index = serializers.IntegerField(min_value=0, max_value=2**31 - 1, required=False, allow_null=True)

    def validate_close_tx_hash(self, value):
        return value.lower() if value else value


class JobCloseOutputSerializer(serializers.Serializer):
    job = JobOutputSerializer()
    winner_submission_id = serializers.UUIDField()
    voting_summary = VoteSummaryOutputSerializer()


class AnchorBatchOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    job_id = serializers.UUIDField()
    schema_version = serializers.IntegerField()
    salt = serializers.CharField()
    anchor_root = serializers.CharField()
    anchor_uri = serializers.CharField()
    anchor_tx_hash = serializers.CharField(allow_null=True)
    anchor_chain_id = serializers.IntegerField(allow_null=True)
    anchor_contract_address = serializers.CharField(allow_null=True)
    anchor_block_number = serializers.IntegerField(allow_null=True)
    anchor_log_index = serializers.IntegerField(allow_null=True)
    created_at = ZDateTimeField()
    status = serializers.ChoiceField(choices=["pending", "exported", "posted", "confirmed"])
    tree_uri = serializers.SerializerMethodField()
    leaves = serializers.IntegerField()

    def get_tree_uri(self, obj) -> str:
        return tree_uri_for(obj.anchor_uri)


class AnchorReceiptInputSerializer(serializers.Serializer):
    anchor_tx_hash = serializers.RegexField(r"^0x[0-9a-fA-F]{64}$",
                                            error_messages={"invalid": "must be 0x followed by 64 hex characters"})
    anchor_chain_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    anchor_contract_address = AddressField()
    anchor_block_number = serializers.IntegerField(min_value=0, max_value=2**63 - 1)
    anchor_log_index = serializers.IntegerField(min_value=0, max_value=2**31 - 1)

    def validate_anchor_tx_hash(self, value):
        return value.lower()


class FinalVoteCastInputSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    submission_id = serializers.UUIDField()


class FinalVoteOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    job_id = serializers.UUIDField()
    submission_id = serializers.UUIDField()
    voter_address = serializers.CharField()
    created_at = ZDateTimeField()


class FinalVoteCastOutputSerializer(serializers.Serializer):
    vote = FinalVoteOutputSerializer()


class FinalTallyEntrySerializer(serializers.Serializer):
    submission_id = serializers.UUIDField()
    votes = serializers.IntegerField()
    voters = serializers.IntegerField()


class FinalVoteSummaryOutputSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    tallies = FinalTallyEntrySerializer(many=True)


class FinalizeVotingSummarySerializer(VoteSummaryOutputSerializer):
    final_tallies = FinalTallyEntrySerializer(many=True, help_text="the final vote that decided the winner")


class JobFinalizeOutputSerializer(serializers.Serializer):
    job = JobOutputSerializer()
    winner_submission_id = serializers.UUIDField()
    voting_summary = FinalizeVotingSummarySerializer()


class JobBoostInputSerializer(serializers.Serializer):
    amount_agr = StrictIntegerField(min_value=1, max_value=MAX_BOOST_AGR)
    duration_hours = StrictIntegerField(min_value=1, max_value=MAX_BOOST_HOURS)


class JobBoostOutputSerializer(serializers.Serializer):
    job_id = serializers.UUIDField()
    featured_until = ZDateTimeField()
    featured_score = serializers.IntegerField()
    boost_id = serializers.UUIDField(help_text="this boost (an addition)")
    ends_at = ZDateTimeField(help_text="when this boost stops counting (an addition)")
