from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.common.models import UUIDModel


def final_vote_default_end():
    """For topics built outside job_create (bulk seeds): the default window from now."""
    return timezone.now() + timedelta(seconds=settings.AGORA_FINAL_VOTE_WINDOW_SECONDS)


class JobStatus(models.TextChoices):
    OPEN = "open"
    CLOSED = "closed"


class Job(UUIDModel):
    """A topic (called a job on the wire). Close fields are written once, by job_close."""

    title = models.CharField(max_length=140)
    prompt = models.TextField()
    bounty_units = models.BigIntegerField(default=0, help_text="USDC base units (6 decimals)")
    tags = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.OPEN)
    sponsor_address = models.CharField(max_length=42, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    winner_submission = models.ForeignKey("Submission", null=True, blank=True, on_delete=models.PROTECT,
                                          related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    close_tx_hash = models.CharField(max_length=66, null=True, blank=True)
    close_chain_id = models.BigIntegerField(null=True, blank=True)
    close_contract_address = models.CharField(max_length=42, null=True, blank=True)
    close_block_number = models.BigIntegerField(null=True, blank=True)
    close_log_index = models.IntegerField(null=True, blank=True)
    # True: the close tx was found on the configured chain and matched (close_check.py); False: the close_*
    # details are only reported by the sponsor; null: none were given.
    close_details_verified = models.BooleanField(null=True, blank=True)
    # The final vote runs alongside submissions: it opens at creation and, once it has ended, a wallet
    # that cast a final vote may finalize (final_vote_services.job_finalize).
    final_vote_starts_at = models.DateTimeField(default=timezone.now)
    final_vote_ends_at = models.DateTimeField(default=final_vote_default_end)
    # The latest end of the topic's boosts (they only ever add time); the score is summed from the
    # boosts still running when it is read (boost_selectors).
    featured_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "topic"
        verbose_name_plural = "topics"
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="job_newest"),
            models.Index(fields=["status", "-created_at", "-id"], name="job_status_newest"),
            models.Index(fields=["-featured_until"], name="job_featured",
                         condition=models.Q(featured_until__isnull=False)),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(bounty_units__gte=0), name="job_bounty_nonnegative"),
            models.CheckConstraint(
                condition=models.Q(status="open", closed_at__isnull=True, winner_submission__isnull=True)
                | models.Q(status="closed", closed_at__isnull=False, winner_submission__isnull=False),
                name="job_closed_has_winner",
            ),
        ]

    def __str__(self):
        return self.title


class JobTag(models.Model):
    """One row per (topic, tag). It repeats the topic's created_at (which never changes) so a
    tag's newest-first page is one index range scan, however rare the tag is."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="tag_rows")
    tag = models.CharField(max_length=40)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "tag"], name="job_tag_unique")]
        indexes = [models.Index(fields=["tag", "-created_at", "-job"], name="job_tag_newest")]


class Submission(UUIDModel):
    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="submissions")
    agent_address = models.CharField(max_length=42, db_index=True)
    content = models.TextField()
    evidence = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Running jury tally, kept exact by vote_cast in the vote's own transaction, so reading a
    # ranking costs one row per submission however many votes there are. The votes table stays
    # the ground truth (selectors.vote_tally_recount).
    weighted_votes = models.IntegerField(default=0)
    voters = models.IntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["job", "created_at", "id"], name="submission_job_order"),
            models.Index(fields=["job", "-weighted_votes", "created_at", "id"], name="submission_jury_rank"),
        ]

    def __str__(self):
        return f"{self.agent_address} on {self.job_id}"


class Vote(UUIDModel):
    """One vote per voter per topic; voting again moves it (vote_cast upserts)."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="votes")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="votes")
    voter_address = models.CharField(max_length=42)
    weight = models.PositiveSmallIntegerField()
    review = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "voter_address"], name="one_vote_per_voter")]
        # Covering index: the recount is an index-only scan grouped by submission.
        indexes = [models.Index(fields=["job", "submission"], include=["weight"], name="vote_tally")]


class FinalVote(UUIDModel):
    """One final vote per wallet per topic (a second one moves it). Unweighted: one wallet, one vote."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="final_votes")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="final_votes")
    voter_address = models.CharField(max_length=42)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "voter_address"], name="one_final_vote_per_voter")]
        indexes = [models.Index(fields=["job", "submission"], name="final_vote_tally")]


class CloseMethod(models.TextChoices):
    SPONSOR = "sponsor"          # POST /jobs/{id}/close by the sponsor
    FINAL_VOTE = "final_vote"    # POST /jobs/{id}/finalize after the final vote ended


class JobReceipt(models.Model):
    """What close froze: ranking, policy and payout. Written once; never updated."""

    job = models.OneToOneField(Job, on_delete=models.PROTECT, primary_key=True, related_name="receipt")
    winner_submission_id = models.UUIDField()
    closed_at = models.DateTimeField()
    close_method = models.CharField(max_length=10, choices=CloseMethod.choices, default=CloseMethod.SPONSOR)
    ranking = models.JSONField()
    policy = models.JSONField()
    payout = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "receipt"
        verbose_name_plural = "receipts"

    def __str__(self):
        return f"receipt {self.job_id}"


class JobEventKind(models.TextChoices):
    CREATED = "created"
    CLOSED = "closed"
    BOOSTED = "boosted"
    ANCHOR_BUILT = "anchor_built"
    ANCHOR_EXPORTED = "anchor_exported"
    ANCHOR_POSTED = "anchor_posted"
    ANCHOR_CONFIRMED = "anchor_confirmed"
    ANCHOR_REORGED = "anchor_reorged"


class JobEvent(models.Model):
    """One row per state change of a topic: what happened, who did it, when (shown in the admin)."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=JobEventKind.choices)
    actor = models.CharField(max_length=100, help_text="wallet address, operator or task")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "topic event"
        verbose_name_plural = "topic events"
        indexes = [models.Index(fields=["job", "created_at"], name="job_event_order")]

    def __str__(self):
        return f"{self.kind} {self.job_id}"


class JobBoost(UUIDModel):
    """AGR spent to feature an open topic for a while; its AGR counts while it runs. The spend is
    the linked AGR ledger row (one per boost)."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, related_name="boosts")
    booster_address = models.CharField(max_length=42, db_index=True)
    amount_agr = models.BigIntegerField()
    duration_hours = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    agr_entry = models.OneToOneField("agents.AgrLedger", on_delete=models.PROTECT, related_name="boost")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "topic boost"
        verbose_name_plural = "topic boosts"
        constraints = [models.CheckConstraint(condition=models.Q(amount_agr__gt=0), name="boost_amount_positive")]
        indexes = [models.Index(fields=["job", "ends_at"], include=["amount_agr"], name="boost_running")]

    def __str__(self):
        return f"boost {self.job_id} {self.amount_agr} AGR"


class AnchorStatus(models.TextChoices):
    PENDING = "pending"        # built, waiting for an operator to export it for the Safe
    EXPORTED = "exported"      # in a Safe Transaction Builder batch
    POSTED = "posted"          # the postAnchor tx was seen at the head (anchor_post, manual receipt)
    CONFIRMED = "confirmed"    # the indexer saw AnchorPosted past the confirmations


class AnchorBatch(UUIDModel):
    """A closed topic's snapshot root and where the chain confirms it. Its own table, so the receipt
    (JobReceipt) stays unchangeable while the anchor moves through its statuses."""

    job = models.OneToOneField(Job, on_delete=models.PROTECT, related_name="anchor")
    schema_version = models.PositiveIntegerField()
    anchor_root = models.CharField(max_length=66, unique=True)
    salt = models.CharField(max_length=66, help_text="keccak256 of the snapshot file (postAnchor's salt)")
    anchor_uri = models.CharField(max_length=500)
    snapshot_name = models.CharField(max_length=300, help_text="the snapshot's name in the anchor storage")
    tree_name = models.CharField(max_length=300, help_text="the tree dump's name in the anchor storage")
    leaves = models.IntegerField()
    status = models.CharField(max_length=10, choices=AnchorStatus.choices, default=AnchorStatus.PENDING)
    anchor_tx_hash = models.CharField(max_length=66, null=True, blank=True)
    anchor_chain_id = models.BigIntegerField(null=True, blank=True)
    anchor_contract_address = models.CharField(max_length=42, null=True, blank=True)
    anchor_block_number = models.BigIntegerField(null=True, blank=True)
    anchor_block_hash = models.CharField(max_length=66, null=True, blank=True)
    anchor_log_index = models.IntegerField(null=True, blank=True)
    anchor_event_id = models.CharField(max_length=100, null=True, blank=True, db_index=True,
                                       help_text="the indexed AnchorPosted event (chain_id:tx_hash:log_index)")
    exports = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "anchor"
        verbose_name_plural = "anchors"
        indexes = [models.Index(fields=["status", "created_at"], name="anchor_status_order")]
        permissions = [("export_anchorbatch", "Can export anchors for the Safe")]

    def __str__(self):
        return f"anchor {self.job_id} {self.status}"
