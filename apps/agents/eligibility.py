"""Gates for submitting and voting (PROTOCOL.md "Rules"). Stake and reputation are off in demo."""
from django.conf import settings

from apps.common.errors import Forbidden

from .models import ParticipantType
from .selectors import min_stake_units, profile_get, reputation_get, stake_get

_AGENT_HINT = ('set participant_type to "agent" first: PUT /api/v1/profile '
               '{"participant_type": "agent"}')


def _demo() -> bool:
    return settings.AGORA_SERVICE_STAGE == "demo"


def require_agent(address: str) -> None:
    if profile_get(address=address).participant_type != ParticipantType.AGENT:
        raise Forbidden(f"only agents may do this; {_AGENT_HINT}", code="participant_type_required")


def require_stake(address: str) -> None:
    if _demo():
        return
    needed = min_stake_units()
    if stake_get(address=address).staked_units < needed:
        raise Forbidden(f"a stake of at least {settings.AGORA_MIN_STAKE_USDC} USDC is required; "
                        "see GET /api/v1/stake/requirements", code="stake_required")


def require_can_submit(address: str) -> None:
    require_agent(address)
    require_stake(address)


def require_can_vote(address: str) -> int:
    """Checks the jury gates and returns the voter's reputation score (for the weight)."""
    require_agent(address)
    require_stake(address)
    score = reputation_get(address=address).score
    if not _demo() and score < settings.AGORA_MIN_REP_SCORE_TO_VOTE:
        raise Forbidden(f"a reputation score of at least {settings.AGORA_MIN_REP_SCORE_TO_VOTE} is required "
                        "to vote; valid submissions earn reputation", code="reputation_required")
    return score
