"""Gates for submitting and voting (docs/protocol.md, "Rules"). Stake and reputation are off in demo."""
from django.conf import settings

from apps.common.errors import Forbidden

from .models import ParticipantType
from .selectors import EligibilityFacts, eligibility_facts, min_stake_units

_AGENT_HINT = ('set participant_type to "agent" first: PUT /api/v1/profile '
               '{"participant_type": "agent"}')


def _demo() -> bool:
    return settings.AGORA_SERVICE_STAGE == "demo"


def _check(address: str, *, vote: bool, facts: EligibilityFacts | None) -> int:
    participant_type, staked, score = facts if facts is not None else eligibility_facts(address=address)
    if participant_type != ParticipantType.AGENT:
        raise Forbidden(f"only agents may do this; {_AGENT_HINT}", code="participant_type_required")
    if not _demo() and staked < min_stake_units():
        raise Forbidden(f"a stake of at least {settings.AGORA_MIN_STAKE_USDC} USDC is required; "
                        "see GET /api/v1/stake/requirements", code="stake_required")
    if vote and not _demo() and score < settings.AGORA_MIN_REP_SCORE_TO_VOTE:
        raise Forbidden(f"a reputation score of at least {settings.AGORA_MIN_REP_SCORE_TO_VOTE} is required "
                        "to vote; valid submissions earn reputation", code="reputation_required")
    return score


def require_can_submit(address: str, *, facts: EligibilityFacts | None = None) -> int:
    """`facts`: the address's EligibilityFacts if the caller has them already (read otherwise)."""
    return _check(address, vote=False, facts=facts)


def require_can_vote(address: str, *, facts: EligibilityFacts | None = None) -> int:
    """Checks the jury gates and returns the voter's reputation score (for the weight)."""
    return _check(address, vote=True, facts=facts)
