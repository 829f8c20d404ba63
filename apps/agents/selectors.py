from typing import NamedTuple

from django.conf import settings
from django.db import connection
from django.db.models import Q, Sum

from apps.common.chain import usdc_to_units

from .models import AgentProfile, AgrKind, AgrLedger, OnchainStake, Reputation, Stake
from .rules import default_avatar_seed


def profile_get(*, address: str) -> AgentProfile:
    """The stored profile, or the defaults every address has before it signs in (unsaved)."""
    profile = AgentProfile.objects.filter(address=address).first()
    return profile or AgentProfile(address=address, avatar_seed=default_avatar_seed(address))


def profile_list(*, addresses: list[str]) -> list[AgentProfile]:
    found = AgentProfile.objects.in_bulk(addresses)
    return [found.get(a) or AgentProfile(address=a, avatar_seed=default_avatar_seed(a)) for a in addresses]


def reputation_get(*, address: str) -> Reputation:
    return Reputation.objects.filter(address=address).first() or Reputation(address=address)


def reputation_leaderboard(*, limit: int):
    return Reputation.objects.order_by("-score", "address").only("address", "score")[:limit]


def min_stake_units() -> int:
    return usdc_to_units(settings.AGORA_MIN_STAKE_USDC, field="AGORA_MIN_STAKE_USDC")


def stake_model():
    """The one place that decides which stake the gates read: the indexed StakeVault balance when
    AGORA_ONCHAIN_STAKE_ENABLED, otherwise the off-chain record (dev_set / operators). Both name the
    column holding the active stake in ACTIVE_FIELD."""
    return OnchainStake if settings.AGORA_ONCHAIN_STAKE_ENABLED else Stake


def stake_get(*, address: str):
    model = stake_model()
    return model.objects.filter(address=address).first() or model(address=address)


def stake_requirements() -> dict:
    return {
        "network": settings.AGORA_SETTLEMENT_NETWORK,
        "chain_id": settings.AGORA_CHAIN_ID,
        "settlement_asset": "USDC",
        "usdc_address": settings.AGORA_USDC_ADDRESS,
        "min_stake": float(settings.AGORA_MIN_STAKE_USDC),
        "slashing_policy": "Proven misconduct can be slashed from stake after operator review "
                           "(proposal with evidence, approval, Safe execution).",
        "onchain_stake_enabled": settings.AGORA_ONCHAIN_STAKE_ENABLED,
        "stake_contract_address": settings.AGORA_STAKE_CONTRACT_ADDRESS,
    }


def agr_status(*, address: str) -> dict:
    totals = AgrLedger.objects.filter(address=address).aggregate(
        earned=Sum("amount", filter=Q(kind=AgrKind.EARNED), default=0),
        spent=Sum("amount", filter=Q(kind=AgrKind.SPENT), default=0),
    )
    return {"address": address, "balance": totals["earned"] - totals["spent"], **totals}


def agr_ledger(*, address: str, limit: int = 50):
    """The newest AGR rows of an address (earned and spent), for its account page."""
    return AgrLedger.objects.filter(address=address).order_by("-created_at", "-id")[:limit]


def stake_status(*, address: str) -> dict:
    """staked_units is the active stake (what the gates count); the total slashable stake, the vault's
    stakeOf, is staked_units + unbonding_units."""
    stake = stake_get(address=address)
    return {
        "address": address,
        "is_eligible": stake.active_units >= min_stake_units(),
        "staked_units": stake.active_units,
        "unbonding_units": stake.unbonding_units,
        "unbonding_release_at": stake.unbonding_release_at,
        "stake_tx_hash": stake.stake_tx_hash or None,
        "stake_chain_id": stake.stake_chain_id,
        "stake_contract_address": stake.stake_contract_address or None,
        "stake_block_number": stake.stake_block_number,
        "stake_log_index": stake.stake_log_index,
    }


class EligibilityFacts(NamedTuple):
    """What the submit and vote gates read about an address (apps/agents/eligibility.py)."""

    participant_type: str
    staked_units: int
    score: int


def eligibility_facts(*, address: str) -> EligibilityFacts:
    """(participant_type, staked units, reputation score) in one query. The bearer authentication
    reads the same facts with the session instead (eligibility_joins), so an API write needs none."""
    profile = AgentProfile._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"SELECT p.participant_type, st.{_stake_column()}, r.score FROM (SELECT %s::varchar AS address) a "
                    f"LEFT JOIN {profile} p ON p.address = a.address {_stake_and_score_joins('a')}", [address])
        participant_type, stake, score = cur.fetchone()
    return eligibility_facts_from_row(participant_type, stake, score)


def _stake_and_score_joins(alias: str) -> str:
    return (f"LEFT JOIN {stake_model()._meta.db_table} st ON st.address = {alias}.address "
            f"LEFT JOIN {Reputation._meta.db_table} r ON r.address = {alias}.address")


def _stake_column() -> str:
    """The stake column the gates compare: the model's ACTIVE_FIELD where it names one (stake that is
    unbonding no longer counts), else staked_units."""
    model = stake_model()
    return model._meta.get_field(getattr(model, "ACTIVE_FIELD", "staked_units")).column


def eligibility_joins(alias: str) -> tuple[str, str]:
    """(columns, joins) that add an address's eligibility facts to a query over a table aliased
    `alias` with an `address` column; eligibility_facts_from_row() reads the three columns back."""
    return (f"p.participant_type, st.{_stake_column()}, r.score",
            f"LEFT JOIN {AgentProfile._meta.db_table} p ON p.address = {alias}.address "
            + _stake_and_score_joins(alias))


def eligibility_facts_from_row(participant_type, stake, score) -> EligibilityFacts:
    # No profile row reads as "unknown", as profile_get's defaults say.
    return EligibilityFacts(participant_type or "unknown", int(stake or 0), int(score or 0))


def profile_counts() -> dict:
    """For the home page and the operator dashboard."""
    return {"agents": AgentProfile.objects.filter(participant_type="agent").count()}
