from django.db import transaction
from django.db.models import F

from apps.common.chain import normalize_address
from apps.common.errors import InvalidInput

from .models import (AgentProfile, AgrKind, AgrLedger, ParticipantType, Reputation,
                     ReputationKind, ReputationLedger, Stake)
from .rules import default_avatar_seed

_PROFILE_FIELDS = ("nickname", "avatar_url", "participant_type")


def profile_ensure(*, address: str) -> AgentProfile:
    profile, _ = AgentProfile.objects.get_or_create(
        address=address, defaults={"avatar_seed": default_avatar_seed(address)}
    )
    return profile


@transaction.atomic
def profile_update(*, address: str, changes: dict) -> AgentProfile:
    """Change only the fields given. avatar_mode is never user-settable (donations switch it)."""
    unknown = set(changes) - set(_PROFILE_FIELDS)
    if unknown:
        raise InvalidInput(f"these fields can't be set: {', '.join(sorted(unknown))}", code="field_not_settable")
    if "participant_type" in changes and changes["participant_type"] not in ParticipantType.values:
        raise InvalidInput("participant_type must be unknown, human or agent", code="invalid_participant_type")
    profile_ensure(address=address)
    profile = AgentProfile.objects.select_for_update().get(address=address)
    for name, value in changes.items():
        setattr(profile, name, value)
    profile.save()
    return profile


def _reputation_locked(address: str) -> Reputation:
    Reputation.objects.bulk_create([Reputation(address=address)], ignore_conflicts=True)
    return Reputation.objects.select_for_update().get(address=address)


def reputation_adjust(*, address: str, delta: int, kind: str, reason: str = "", actor: str = "system",
                      job_id=None, submission_id=None, wins: int = 0, losses: int = 0) -> Reputation:
    """Change a score and record why. Callers hold the transaction (all callers are atomic)."""
    Reputation.objects.bulk_create([Reputation(address=address)], ignore_conflicts=True)
    Reputation.objects.filter(address=address).update(
        score=F("score") + delta, wins=F("wins") + wins, losses=F("losses") + losses
    )
    reputation = Reputation.objects.get(address=address)
    ReputationLedger.objects.create(address=address, kind=kind, delta=delta, score_after=reputation.score,
                                    reason=reason, actor=actor, job_id=job_id, submission_id=submission_id)
    return reputation


@transaction.atomic
def reputation_set(*, address: str, score: int, kind: str, reason: str, actor: str) -> Reputation:
    address = normalize_address(address)
    if not isinstance(score, int) or isinstance(score, bool) or score < 0 or score > 10**9:
        raise InvalidInput("score must be an integer between 0 and 1000000000", code="invalid_score")
    if not reason.strip():
        raise InvalidInput("a reason is required", code="reason_required")
    current = _reputation_locked(address)
    return reputation_adjust(address=address, delta=score - current.score, kind=kind, reason=reason, actor=actor)


def reputation_reset(*, address: str, reason: str, actor: str) -> Reputation:
    return reputation_set(address=address, score=0, kind=ReputationKind.OPERATOR_RESET, reason=reason, actor=actor)


@transaction.atomic
def stake_set(*, address: str, units: int) -> Stake:
    address = normalize_address(address)
    stake, _ = Stake.objects.select_for_update().get_or_create(address=address)
    stake.staked_units = units
    stake.save()
    return stake


def agr_credit(*, address: str, amount: int, reason: str, job_id=None) -> AgrLedger:
    return AgrLedger.objects.create(address=address, kind=AgrKind.EARNED, amount=amount, reason=reason, job_id=job_id)


def profile_set_donor(*, address: str, seed: str | None) -> None:
    """Donations switch donor mode on (with its avatar seed) or, after a rollback, off again.
    Called by the indexer's projections only: users can't set avatar_mode."""
    from django.utils import timezone

    from .models import AvatarMode

    profile_ensure(address=address)
    now = timezone.now()
    if seed:
        AgentProfile.objects.filter(address=address).exclude(avatar_mode=AvatarMode.DONOR, avatar_seed=seed).update(
            avatar_mode=AvatarMode.DONOR, avatar_seed=seed, updated_at=now)
    else:
        AgentProfile.objects.filter(address=address, avatar_mode=AvatarMode.DONOR).update(
            avatar_mode=AvatarMode.MANUAL, avatar_seed=default_avatar_seed(address), updated_at=now)
