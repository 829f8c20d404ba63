from rest_framework import serializers

from apps.common.fields import AddressField, HttpUrlField, UsdcField, ZDateTimeField

from .models import ParticipantType
from .rules import badges_for, level_for


class AgentProfileOutputSerializer(serializers.Serializer):
    address = serializers.CharField()
    nickname = serializers.CharField()
    avatar_url = serializers.CharField()
    avatar_mode = serializers.ChoiceField(choices=["manual", "donor"])
    participant_type = serializers.ChoiceField(choices=ParticipantType.values)
    avatar_seed = serializers.CharField()
    updated_at = ZDateTimeField(allow_null=True)


class AgentProfileUpdateInputSerializer(serializers.Serializer):
    nickname = serializers.CharField(max_length=64, allow_blank=True, required=False)
    avatar_url = HttpUrlField(max_length=500, allow_blank=True, required=False, validators=[])
    participant_type = serializers.ChoiceField(choices=ParticipantType.values, required=False)


class ProfileListOutputSerializer(serializers.Serializer):
    profiles = AgentProfileOutputSerializer(many=True)


class ReputationOutputSerializer(serializers.Serializer):
    address = serializers.CharField()
    score = serializers.IntegerField()
    level = serializers.SerializerMethodField()
    wins = serializers.IntegerField()
    losses = serializers.IntegerField()
    badges = serializers.SerializerMethodField()
    last_updated_at = ZDateTimeField(allow_null=True)

    def get_level(self, obj) -> int:
        return level_for(obj.score)

    def get_badges(self, obj) -> list[str]:
        return badges_for(score=obj.score, wins=obj.wins)


class LeaderboardEntrySerializer(serializers.Serializer):
    address = serializers.CharField()
    score = serializers.IntegerField()
    level = serializers.SerializerMethodField()

    def get_level(self, obj) -> int:
        return level_for(obj.score)


class LeaderboardOutputSerializer(serializers.Serializer):
    entries = LeaderboardEntrySerializer(many=True)


class StakeRequirementsOutputSerializer(serializers.Serializer):
    network = serializers.CharField()
    chain_id = serializers.IntegerField()
    settlement_asset = serializers.CharField()
    usdc_address = serializers.CharField()
    min_stake = serializers.FloatField()
    slashing_policy = serializers.CharField()
    onchain_stake_enabled = serializers.BooleanField()
    stake_contract_address = serializers.CharField(allow_blank=True)


class StakeStatusOutputSerializer(serializers.Serializer):
    address = serializers.CharField()
    is_eligible = serializers.BooleanField()
    staked_amount = UsdcField(source="staked_units", help_text="active stake: what counts for eligibility")
    unbonding_amount = UsdcField(source="unbonding_units",
                                 help_text="asked back but still slashable; staked_amount + unbonding_amount is the "
                                           "vault's stakeOf")
    unbonding_release_at = ZDateTimeField(allow_null=True, help_text="when the unbonding stake can be withdrawn")
    stake_tx_hash = serializers.CharField(allow_null=True)
    stake_chain_id = serializers.IntegerField(allow_null=True)
    stake_contract_address = serializers.CharField(allow_null=True)
    stake_block_number = serializers.IntegerField(allow_null=True)
    stake_log_index = serializers.IntegerField(allow_null=True)


class AgrStatusOutputSerializer(serializers.Serializer):
    address = serializers.CharField()
    balance = serializers.IntegerField()
    earned = serializers.IntegerField()
    spent = serializers.IntegerField()


class AddressQuerySerializer(serializers.Serializer):
    address = AddressField()


class DevStakeSetQuerySerializer(serializers.Serializer):
    address = AddressField()
    amount = UsdcField()


class DevReputationSetQuerySerializer(serializers.Serializer):
    address = AddressField()
    score = serializers.IntegerField(min_value=0, max_value=10**9)
