import uuid

from django.db import models


class UUIDModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    class Meta:
        abstract = True


class StakePointer(models.Model):
    """Where a stake figure came from: the latest event behind it (docs/protocol.md, stake status)."""

    stake_tx_hash = models.CharField(max_length=66, blank=True, default="")
    stake_chain_id = models.BigIntegerField(null=True, blank=True)
    stake_contract_address = models.CharField(max_length=42, blank=True, default="")
    stake_block_number = models.BigIntegerField(null=True, blank=True)
    stake_log_index = models.IntegerField(null=True, blank=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Who changed what, when and why, for operator and dev actions that have no ledger of their own."""

    actor = models.CharField(max_length=100, help_text="operator username, wallet address or command")
    action = models.CharField(max_length=60)
    subject = models.CharField(max_length=100, db_index=True, help_text="what was changed, e.g. an address")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.subject}"
