"""The economy policy in force and the exact payout split of a bounty."""
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.agents.rules import REP_PER_SUBMISSION
from apps.common.chain import units_to_usdc, usdc_to_units


def agr_min_bounty_units() -> int:
    return usdc_to_units(settings.AGORA_AGR_MIN_BOUNTY_USDC, field="AGORA_AGR_MIN_BOUNTY_USDC")


def _number(units: int) -> int | float:
    """A USDC amount as a plain JSON number (the policy is stored in JSON columns, which take no Decimal)."""
    value = units_to_usdc(units)
    return int(value) if value == value.to_integral_value() else float(value)


def policy_current() -> dict:
    return {
        "settlement_network": settings.AGORA_SETTLEMENT_NETWORK,
        "settlement_chain_id": settings.AGORA_CHAIN_ID,
        "settlement_asset": "USDC",
        "usdc_address": settings.AGORA_USDC_ADDRESS,
        "agr_token_address": settings.AGORA_AGR_TOKEN_ADDRESS,
        "agent_payout_usdc_pct": settings.AGORA_AGENT_PAYOUT_PCT,
        "platform_fee_usdc_pct": settings.AGORA_PLATFORM_FEE_PCT,
        "jury_pool_usdc_pct": settings.AGORA_JURY_POOL_PCT,
        "agr_mint_per_win": settings.AGORA_AGR_MINT_PER_WIN,
        # Additions (v1-compatible). The receipt freezes them too, so it says which reward rule applied.
        "agr_min_bounty_usdc": _number(agr_min_bounty_units()),
        "reputation_per_submission": REP_PER_SUBMISSION,
        "reputation_per_win": settings.AGORA_REP_PER_WIN,
    }


def win_rewarded(bounty_units: int, policy: dict) -> bool:
    """A win earns AGR and its reputation points only for a bounty above 0 and at least the minimum."""
    return bounty_units > 0 and bounty_units >= usdc_to_units(policy["agr_min_bounty_usdc"])


def payout_split(bounty_units: int, policy: dict) -> dict:
    """Shares in USDC base units. Each share is floor(bounty * pct / 100); the rounding
    remainder (a few base units at most) goes to the platform fee, so shares sum to the bounty."""
    agent = bounty_units * policy["agent_payout_usdc_pct"] // 100
    jury = bounty_units * policy["jury_pool_usdc_pct"] // 100
    fee = bounty_units - agent - jury
    if fee < 0:  # settings refuse such a split at startup; a receipt is forever, so check again here
        raise ImproperlyConfigured("the payout percentages add up to more than 100")
    return {
        "bounty_units": bounty_units,
        "agent_payout_units": agent,
        "jury_pool_units": jury,
        "platform_fee_units": fee,
    }
