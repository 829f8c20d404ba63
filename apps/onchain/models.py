from django.db import models


class SlashingEvent(models.Model):
    """A `Slashed` event from the StakeVault, written by the chain indexer."""

    id = models.CharField(max_length=100, primary_key=True, help_text="chain_id:tx_hash:log_index")
    agent_address = models.CharField(max_length=42, db_index=True)
    amount_units = models.BigIntegerField(help_text="USDC base units actually slashed")
    recipient_address = models.CharField(max_length=42)
    job_id = models.UUIDField(null=True, blank=True, db_index=True)
    tx_hash = models.CharField(max_length=66)
    chain_id = models.BigIntegerField()
    contract_address = models.CharField(max_length=42)
    block_number = models.BigIntegerField()
    log_index = models.IntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["-block_number", "-log_index"], name="slash_newest")]

    def __str__(self):
        return self.id
