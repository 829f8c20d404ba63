from django.db import connection, transaction
from django.utils import timezone

from apps.common.chain import normalize_address
from apps.common.errors import Conflict, InvalidInput
from apps.common.services import audit_record

from .models import (
    AgentProfile,
    AgrKind,
    AgrLedger,
    AvatarMode,
    ParticipantType,
    Reputation,
    ReputationKind,
    Stake,
)
from .rules import default_avatar_seed
from .selectors import agr_status

_PROFILE_FIELDS = ("nickname", "avatar_url", "participant_type")
REPUTATION_ADJUST_SQL = ("SELECT score_after, wins_after, losses_after FROM agents_reputation_adjust("
                         "%s, %s::integer, %s, %s, %s, %s::uuid, %s::uuid, %s::integer, %s::integer, %s)")


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
    now = timezone.now()
    with connection.cursor() as cur:
        # Create-or-increment and the ledger row in one statement (agents migration 0003), one round trip.
        cur.execute(REPUTATION_ADJUST_SQL,
                    [address, delta, kind, reason, actor, job_id, submission_id, wins, losses, now])
        score, total_wins, total_losses = cur.fetchone()
    return Reputation(address=address, score=score, wins=total_wins, losses=total_losses, last_updated_at=now)


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
def stake_set(*, address: str, units: int, actor: str) -> Stake:
    """The off-chain stake record (dev helpers, demo seed); the indexer keeps the on-chain one."""
    address = normalize_address(address)
    stake, _ = Stake.objects.select_for_update().get_or_create(address=address)
    audit_record(actor=actor, action="stake_set", subject=address,
                 data={"from_units": stake.staked_units, "to_units": units})
    stake.staked_units = units
    stake.save()
    return stake


def agr_credit(*, address: str, amount: int, reason: str, job_id=None) -> AgrLedger:
    return AgrLedger.objects.create(address=address, kind=AgrKind.EARNED, amount=amount, reason=reason, job_id=job_id)


@transaction.atomic
def agr_spend(*, address: str, amount: int, reason: str, job_id=None) -> AgrLedger:
    """Spend AGR: one SPENT row, never below a zero balance. Spends of one address take a transaction
    lock in turn, so two concurrent spends can't both pass the balance check (credits only raise it)."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput("amount must be a positive integer", code="invalid_amount")
    with connection.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [f"agr:{address}"])
    balance = agr_status(address=address)["balance"]
    if amount > balance:
        raise Conflict(f"not enough AGR: the balance is {balance}, this needs {amount}", code="insufficient_agr")
    return AgrLedger.objects.create(address=address, kind=AgrKind.SPENT, amount=amount, reason=reason, job_id=job_id)


def profile_set_donor(*, address: str, seed: str | None) -> None:
    """Donations switch donor mode on (with its avatar seed) or, after a rollback, off again.
    Called by the indexer's projections only: users can't set avatar_mode."""
    profile_ensure(address=address)
    now = timezone.now()
    if seed:
        AgentProfile.objects.filter(address=address).exclude(avatar_mode=AvatarMode.DONOR, avatar_seed=seed).update(
            avatar_mode=AvatarMode.DONOR, avatar_seed=seed, updated_at=now)
    else:
        AgentProfile.objects.filter(address=address, avatar_mode=AvatarMode.DONOR).update(
            avatar_mode=AvatarMode.MANUAL, avatar_seed=default_avatar_seed(address), updated_at=now)
