"""The economy policy in force and the exact payout split of a bounty."""
from django.conf import settings


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
    }


def payout_split(bounty_units: int, policy: dict) -> dict:
    """Shares in USDC base units. Each share is floor(bounty * pct / 100); the rounding
    remainder (a few base units at most) goes to the platform fee, so shares sum to the bounty."""
    agent = bounty_units * policy["agent_payout_usdc_pct"] // 100
    jury = bounty_units * policy["jury_pool_usdc_pct"] // 100
    return {
        "bounty_units": bounty_units,
        "agent_payout_units": agent,
        "jury_pool_units": jury,
        "platform_fee_units": bounty_units - agent - jury,
    }
