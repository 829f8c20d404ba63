"""Slash proposals: an operator's case against an agent, its approvals, its history, and the chain's
`Slashed` events that no proposal explains. docs/slashing.md has the flow and the rules."""
from django.conf import settings
from django.db import models

from apps.common.models import UUIDModel
from apps.jobs.models import Job, Submission, Vote
from apps.onchain.models import SlashingEvent


class ViolationType(models.TextChoices):
    SPAM_SYBIL = "spam_sybil", "Spam or sybil"
    FABRICATED_EVIDENCE = "fabricated_evidence", "Fabricated evidence"
    MALICIOUS_VOTES = "malicious_votes", "Repeated malicious votes"
    OTHER = "other", "Other"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed"      # waiting for the agent's response window and the approvals
    APPROVED = "approved"      # enough approvals; waiting to be exported for the Safe
    REJECTED = "rejected"
    EXPORTED = "exported"      # in a Safe Transaction Builder batch; waiting for the chain
    EXECUTED = "executed"      # linked to an indexed Slashed event
    CANCELLED = "cancelled"
    EXPIRED = "expired"        # its deadline passed before it was exported


# Still open: public on the agent's page, and the agent may respond.
PENDING_STATUSES = (ProposalStatus.PROPOSED, ProposalStatus.APPROVED, ProposalStatus.EXPORTED)
# Counted against the agent's stake when another proposal of the same agent is approved.
COMMITTED_STATUSES = (ProposalStatus.APPROVED, ProposalStatus.EXPORTED)


class SlashProposal(UUIDModel):
    agent_address = models.CharField(max_length=42)
    amount_units = models.BigIntegerField(help_text="USDC base units the Safe is asked to slash")
    recipient_address = models.CharField(max_length=42)
    violation_type = models.CharField(max_length=24, choices=ViolationType.choices)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    vote = models.ForeignKey(Vote, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    evidence = models.JSONField(default=list, blank=True, help_text="evidence links (http/https URLs)")
    reason = models.TextField()
    proposed_by = models.CharField(max_length=100, help_text="the proposer's operator identity")
    proposed_by_label = models.CharField(max_length=150, help_text="how the proposer signed in")
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED)
    approvals_required = models.PositiveSmallIntegerField(help_text="AGORA_SLASH_APPROVALS when proposed")
    response_due_at = models.DateTimeField(help_text="no approval before this: the agent's time to respond")
    expires_at = models.DateTimeField(help_text="expires unless exported by then")
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_stake_units = models.DecimalField(max_digits=78, decimal_places=0, null=True, blank=True,
                                               help_text="the agent's indexed stake at approval")
    vault_address = models.CharField(max_length=42, blank=True, default="",
                                     help_text="the StakeVault the last export called")
    exports = models.IntegerField(default=0)
    exported_at = models.DateTimeField(null=True, blank=True)
    executed_units = models.DecimalField(max_digits=78, decimal_places=0, null=True, blank=True,
                                         help_text="what the chain actually slashed (less if the stake was short)")
    executed_at = models.DateTimeField(null=True, blank=True)
    slashing_event = models.OneToOneField(SlashingEvent, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="proposal")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="slash_proposal_status"),
                   models.Index(fields=["agent_address", "status", "created_at"], name="slash_proposal_agent")]
        constraints = [models.CheckConstraint(condition=models.Q(amount_units__gt=0), name="slash_amount_positive")]
        permissions = [("approve_slashproposal", "Can approve or reject slash proposals"),
                       ("cancel_slashproposal", "Can cancel slash proposals"),
                       ("export_slashproposal", "Can export approved slashes for the Safe")]

    def __str__(self):
        return f"slash {self.agent_address} {self.amount_units} ({self.status})"


class SlashApproval(models.Model):
    """One per operator identity per proposal: the unique constraint is the last word on double counting."""

    proposal = models.ForeignKey(SlashProposal, on_delete=models.PROTECT, related_name="approvals")
    operator = models.CharField(max_length=100, help_text="operator identity (see apps/slashing/operators.py)")
    operator_label = models.CharField(max_length=150)
    reason = models.TextField()
    stake_units = models.DecimalField(max_digits=78, decimal_places=0, help_text="the indexed stake it saw")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "operator"], name="one_approval_per_operator")]


class ProposalEventKind(models.TextChoices):
    PROPOSED = "proposed"
    APPROVAL = "approval"      # one operator approved; the status moves once enough have
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    EXPORTED = "exported"
    EXECUTED = "executed"
    REORGED = "reorged"        # the Slashed event left the chain: back to exported
    RESPONSE = "response"      # the agent's answer


class ActorRole(models.TextChoices):
    OPERATOR = "operator"
    AGENT = "agent"
    INDEXER = "indexer"
    SYSTEM = "system"


class SlashProposalEvent(models.Model):
    """The proposal's history: one row per state change and per response, never edited."""

    proposal = models.ForeignKey(SlashProposal, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=10, choices=ProposalEventKind.choices)
    actor = models.CharField(max_length=100, help_text="operator identity, agent address, indexer or task")
    actor_label = models.CharField(max_length=150, blank=True, default="")
    actor_role = models.CharField(max_length=8, choices=ActorRole.choices)
    reason = models.TextField(blank=True, default="", help_text="why (operators), or the agent's response")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["proposal", "created_at"], name="slash_event_order")]

    def __str__(self):
        return f"{self.kind} {self.proposal_id}"


class UnexplainedSlash(models.Model):
    """A `Slashed` event no exported proposal explains (or a second one for an executed proposal). Kept
    and flagged: stake left an agent without the proposal flow, so someone must find out why."""

    slashing_event = models.OneToOneField(SlashingEvent, on_delete=models.CASCADE, primary_key=True,
                                          related_name="unexplained")
    reason = models.CharField(max_length=300)
    duplicate_of = models.ForeignKey(SlashProposal, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", help_text="the executed proposal this slash repeats")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True, default="")
    resolution = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "unexplained slashes"
        permissions = [("resolve_unexplainedslash", "Can mark an unexplained slash as investigated")]

    def __str__(self):
        return f"{self.slashing_event_id}: {self.reason}"


class OperatorWallet(models.Model):
    """Links a staff account to the operator's wallet, so one person is one operator identity however
    they sign in (password or wallet): approvals are counted per identity."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_wallet")
    address = models.CharField(max_length=42, unique=True)

    def __str__(self):
        return f"{self.user} = {self.address}"
