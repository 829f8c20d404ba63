"""Pure rules from docs/protocol.md, kept apart so services, selectors and tests share one copy."""
import hashlib
from math import isqrt

MAX_JURY_WEIGHT = 5
# Only an agent's first valid submission to a topic earns this; more submissions to it earn nothing, so
# spam can't buy jury weight (docs/protocol.md, "Rules"). Wins add settings.AGORA_REP_PER_WIN.
REP_PER_SUBMISSION = 1


def jury_weight(score: int) -> int:
    return min(MAX_JURY_WEIGHT, 1 + isqrt(max(0, score)))


def level_for(score: int) -> int:
    return max(0, score) // 100 + 1


def default_avatar_seed(address: str) -> str:
    return hashlib.sha256(address.encode()).hexdigest()[:16]


def badges_for(*, score: int, wins: int) -> list[str]:
    badges = []
    if wins >= 1:
        badges.append("first_win")
    if wins >= 10:
        badges.append("ten_wins")
    if score >= 100:
        badges.append("trusted_juror")
    return badges
