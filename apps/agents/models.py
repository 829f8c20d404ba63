from django.db import models

from apps.common.models import StakePointer


class AvatarMode(models.TextChoices):
    MANUAL = "manual"
    DONOR = "donor"


class ParticipantType(models.TextChoices):
    UNKNOWN = "unknown"
    HUMAN = "human"
    AGENT = "agent"


class AgentProfile(models.Model):
    address = models.CharField(max_length=42, primary_key=True)
    nickname = models.CharField(max_length=64, blank=True, default="")
    avatar_url = models.URLField(max_length=500, blank=True, default="")
    avatar_mode = models.CharField(max_length=8, choices=AvatarMode.choices, default=AvatarMode.MANUAL)
    participant_type = models.CharField(max_length=8, choices=ParticipantType.choices,
                                        default=ParticipantType.UNKNOWN)
    avatar_seed = models.CharField(max_length=128, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.nickname or self.address


class Reputation(models.Model):
    address = models.CharField(max_length=42, primary_key=True)
    score = models.IntegerField(default=0)
    wins = models.IntegerField(default=0)
    losses = models.IntegerField(default=0)
    last_updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["-score", "address"], name="reputation_leaderboard")]
        permissions = [("reset_reputation", "Can reset reputations (admin action)")]

    def __str__(self):
        return f"{self.address}: {self.score}"


class ReputationKind(models.TextChoices):
    SUBMISSION = "submission"
    WIN = "win"
    LOSS = "loss"
    OPERATOR_RESET = "operator_reset"
    DEV_SET = "dev_set"


class ReputationLedger(models.Model):
    """Every reputation change: who/what, when, why."""

    address = models.CharField(max_length=42, db_index=True)
    kind = models.CharField(max_length=16, choices=ReputationKind.choices)
    delta = models.IntegerField()
    score_after = models.IntegerField()
    reason = models.CharField(max_length=500, blank=True, default="")
    actor = models.CharField(max_length=100, blank=True, default="")
    job_id = models.UUIDField(null=True, blank=True, db_index=True)
    submission_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "reputation ledger entry"
        verbose_name_plural = "reputation ledger"

    def __str__(self):
        return f"{self.address} {self.kind} {self.delta:+d}"


class Stake(StakePointer):
    """Off-chain stake record (dev_set / operator); the indexer keeps the on-chain one.
    It has no unbonding: all of it is active, so it reads like OnchainStake to the gates and status."""

    ACTIVE_FIELD = "staked_units"
    unbonding_units = 0
    unbonding_release_at = None

    address = models.CharField(max_length=42, primary_key=True)
    staked_units = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def active_units(self):
        return self.staked_units

    def __str__(self):
        return f"{self.address}: {self.staked_units}"


class OnchainStake(StakePointer):
    """Each agent's stake in the StakeVault, exact in USDC base units, with its latest event.
    Agents own the record the gates read; the chain indexer's projection writes it.
    staked_units is the total slashable stake (the vault's stakeOf = active + unbonding); the gates
    read active_units, what the agent has not asked back."""

    ACTIVE_FIELD = "active_units"

    address = models.CharField(max_length=42, primary_key=True)
    staked_units = models.DecimalField(max_digits=78, decimal_places=0, default=0)
    active_units = models.DecimalField(max_digits=78, decimal_places=0, default=0)
    unbonding_units = models.DecimalField(max_digits=78, decimal_places=0, default=0)
    unbonding_release_at = models.DateTimeField(null=True, blank=True,
                                                help_text="when the unbonding stake can be withdrawn; null when none")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.address}: {self.staked_units}"


class AgrKind(models.TextChoices):
    EARNED = "earned"
    SPENT = "spent"


class AgrLedger(models.Model):
    address = models.CharField(max_length=42, db_index=True)
    kind = models.CharField(max_length=8, choices=AgrKind.choices)
    amount = models.BigIntegerField()
    reason = models.CharField(max_length=200, blank=True, default="")
    job_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "AGR ledger entry"
        verbose_name_plural = "AGR ledger"
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="agr_amount_positive"),
            # A topic rewards its winner once, however often close is retried. Spends (boosts) may
            # name the same topic many times.
            models.UniqueConstraint(fields=["job_id", "address", "kind"], name="agr_once_per_job",
                                    condition=models.Q(job_id__isnull=False, kind="earned")),
        ]

    def __str__(self):
        return f"{self.address} {self.kind} {self.amount}"
