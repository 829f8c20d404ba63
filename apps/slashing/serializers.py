"""Wire shapes of /api/v1/slashing/*. SlashingEvent keeps its v1 fields and adds the proposal's."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.common.fields import AddressField, UsdcField, ZDateTimeField

from .models import ActorRole, ProposalEventKind, ProposalStatus, ViolationType

EvidenceLinks = serializers.ListField(child=serializers.URLField(), help_text="evidence links")


class SlashingEventOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    agent_address = serializers.CharField()
    amount_usdc = UsdcField(source="amount_units")
    recipient_address = serializers.CharField()
    job_id = serializers.UUIDField(allow_null=True)
    tx_hash = serializers.CharField()
    chain_id = serializers.IntegerField()
    contract_address = serializers.CharField()
    block_number = serializers.IntegerField()
    log_index = serializers.IntegerField()
    created_at = ZDateTimeField()
    # Additions: the proposal this slash executed (null for an unexplained slash).
    proposal_id = serializers.UUIDField(source="proposal.id", allow_null=True)
    violation_type = serializers.ChoiceField(choices=ViolationType.choices, source="proposal.violation_type",
                                             allow_null=True)
    reason = serializers.CharField(source="proposal.reason", allow_null=True)
    evidence = serializers.SerializerMethodField()
    unexplained = serializers.SerializerMethodField(
        help_text="true when no exported proposal explains this slash (operators are investigating)")

    @extend_schema_field(EvidenceLinks)
    def get_evidence(self, event) -> list:
        proposal = getattr(event, "proposal", None)
        return list(proposal.evidence) if proposal else []

    def get_unexplained(self, event) -> bool:
        return getattr(event, "unexplained", None) is not None


class SlashingEventListOutputSerializer(serializers.Serializer):
    events = SlashingEventOutputSerializer(many=True)


class SlashingEventQuerySerializer(serializers.Serializer):
    address = AddressField(required=False)
    job_id = serializers.UUIDField(required=False)


class SlashProposalOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    agent_address = serializers.CharField()
    amount_usdc = UsdcField(source="amount_units", help_text="what the Safe is asked to slash")
    recipient_address = serializers.CharField()
    violation_type = serializers.ChoiceField(choices=ViolationType.choices)
    job_id = serializers.UUIDField(allow_null=True)
    submission_id = serializers.UUIDField(allow_null=True)
    vote_id = serializers.UUIDField(allow_null=True)
    evidence = EvidenceLinks
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=ProposalStatus.choices)
    approvals = serializers.IntegerField(source="approval_count")
    approvals_required = serializers.IntegerField()
    response_due_at = ZDateTimeField(help_text="the agent may respond until then; no approval before")
    expires_at = ZDateTimeField(help_text="expires unless exported by then")
    approved_at = ZDateTimeField(allow_null=True)
    exported_at = ZDateTimeField(allow_null=True)
    executed_amount_usdc = UsdcField(source="executed_units", allow_null=True,
                                     help_text="what the chain actually slashed")
    slashing_event_id = serializers.CharField(allow_null=True)
    created_at = ZDateTimeField()


class SlashProposalEventOutputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ProposalEventKind.choices)
    actor_role = serializers.ChoiceField(choices=ActorRole.choices)
    actor = serializers.SerializerMethodField(help_text="the agent's address for responses; operators are not named")
    text = serializers.CharField(source="reason", help_text="the operator's reason or the agent's response")
    data = serializers.DictField()
    created_at = ZDateTimeField()

    def get_actor(self, event) -> str | None:
        return event.actor if event.actor_role in (ActorRole.AGENT, ActorRole.INDEXER) else None


class SlashProposalDetailOutputSerializer(SlashProposalOutputSerializer):
    history = SlashProposalEventOutputSerializer(many=True)


class SlashProposalListOutputSerializer(serializers.Serializer):
    proposals = SlashProposalOutputSerializer(many=True)


class SlashProposalQuerySerializer(serializers.Serializer):
    address = AddressField(required=False)
    status = serializers.ChoiceField(choices=["pending", "all", *ProposalStatus.values], required=False,
                                     default="pending")


class SlashProposalResponseInputSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=5000, help_text="your answer; it joins the proposal's history")
    evidence = serializers.ListField(child=serializers.URLField(max_length=500), max_length=20, required=False,
                                     default=list)
