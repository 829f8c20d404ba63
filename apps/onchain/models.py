from django.db import models


class ChainStream(models.Model):
    """One indexed contract on one chain, with its cursor. Only one worker advances it at a time."""

    name = models.CharField(max_length=40, help_text="stake_vault, treasury_vault or anchor_registry")
    chain_id = models.BigIntegerField()
    contract_address = models.CharField(max_length=42)
    start_block = models.BigIntegerField(default=0)
    next_block = models.BigIntegerField(help_text="the first block not yet indexed")
    last_block_number = models.BigIntegerField(null=True, blank=True)
    last_block_hash = models.CharField(max_length=66, blank=True, default="")
    range_size = models.IntegerField(default=2000, help_text="current eth_getLogs range (adaptive)")
    clean_calls = models.IntegerField(default=0)
    consecutive_failures = models.IntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    halted = models.BooleanField(default=False)
    halted_reason = models.TextField(blank=True, default="")
    last_head = models.BigIntegerField(null=True, blank=True)
    last_safe_head = models.BigIntegerField(null=True, blank=True)
    last_step_seconds = models.FloatField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    events_ingested = models.BigIntegerField(default=0)
    reorgs = models.IntegerField(default=0)
    rolled_back_events = models.BigIntegerField(default=0)
    rpc_errors = models.JSONField(default=dict, blank=True, help_text="count by kind")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["chain_id", "contract_address"], name="one_stream_per_contract"),
                       models.UniqueConstraint(fields=["chain_id", "name"], name="one_stream_name_per_chain")]

    def __str__(self):
        return f"{self.name}@{self.chain_id}"


class StreamBlock(models.Model):
    """Hashes of processed blocks near the head, to find the exact fork point after a reorg."""

    stream = models.ForeignKey(ChainStream, on_delete=models.CASCADE, related_name="blocks")
    number = models.BigIntegerField()
    hash = models.CharField(max_length=66)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stream", "number"], name="one_hash_per_block")]


class ChainEvent(models.Model):
    """A raw decoded log. id = chain_id:tx_hash:log_index, so a replay inserts nothing new."""

    id = models.CharField(max_length=100, primary_key=True)
    stream = models.ForeignKey(ChainStream, on_delete=models.PROTECT, related_name="events")
    block_number = models.BigIntegerField()
    block_hash = models.CharField(max_length=66)
    tx_hash = models.CharField(max_length=66, db_index=True)
    log_index = models.IntegerField()
    name = models.CharField(max_length=40)
    args = models.JSONField()
    addresses = models.CharField(max_length=200, blank=True, default="", db_index=True,
                                 help_text="address arguments, space-separated, for search")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["stream", "block_number", "log_index"], name="event_stream_order")]

    def __str__(self):
        return f"{self.name} {self.id}"


class ReorgLog(models.Model):
    """Audit of every rollback: reorgs found by hash, and operator cursor resets."""

    stream = models.ForeignKey(ChainStream, on_delete=models.CASCADE, related_name="reorg_log")
    kind = models.CharField(max_length=20, default="reorg", help_text="reorg or reset")
    detected_at = models.DateTimeField(auto_now_add=True)
    from_block = models.BigIntegerField(help_text="blocks above this were rolled back")
    old_hash = models.CharField(max_length=66, blank=True, default="")
    new_hash = models.CharField(max_length=66, blank=True, default="")
    depth = models.IntegerField()
    events_removed = models.IntegerField()
    actor = models.CharField(max_length=100, blank=True, default="indexer")


class StakeLedger(models.Model):
    """One row per StakeVault event that moves an agent's stake. The total stake is the sum of `delta`;
    the active / unbonding split comes from replaying the rows in order (apps/onchain/stake_split.py)."""

    event = models.OneToOneField(ChainEvent, on_delete=models.CASCADE, primary_key=True, related_name="stake_entry")
    stream = models.ForeignKey(ChainStream, on_delete=models.CASCADE)
    agent = models.CharField(max_length=42)
    kind = models.CharField(max_length=40, help_text="the event: Deposited, Withdrawn, Slashed or WithdrawalRequested")
    delta = models.DecimalField(max_digits=78, decimal_places=0, help_text="change of the total (0 for a request)")
    requested = models.DecimalField(max_digits=78, decimal_places=0, default=0,
                                    help_text="WithdrawalRequested: moved from active into unbonding")
    release_at = models.BigIntegerField(null=True, blank=True, help_text="WithdrawalRequested: unix seconds")
    block_number = models.BigIntegerField()
    log_index = models.IntegerField()
    tx_hash = models.CharField(max_length=66)

    class Meta:
        verbose_name = "stake ledger entry"
        verbose_name_plural = "stake ledger"
        indexes = [models.Index(fields=["agent", "block_number", "log_index"], name="stake_ledger_agent")]


class SlashingEvent(models.Model):
    """A `Slashed` event from the StakeVault, written by the chain indexer."""

    id = models.CharField(max_length=100, primary_key=True, help_text="chain_id:tx_hash:log_index")
    event = models.OneToOneField(ChainEvent, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="slashing")
    agent_address = models.CharField(max_length=42, db_index=True)
    amount_units = models.DecimalField(max_digits=78, decimal_places=0, help_text="USDC base units actually slashed")
    requested_units = models.DecimalField(max_digits=78, decimal_places=0, null=True, blank=True)
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


class AnchorMismatch(models.Model):
    """An AnchorPosted event that matches no anchor we built, or matches one with another uri, schema
    or salt. Kept and shown on the dashboard: someone with the registry's key posted something we
    did not prepare, and an operator must look."""

    event = models.OneToOneField(ChainEvent, on_delete=models.CASCADE, primary_key=True, related_name="anchor_mismatch")
    root = models.CharField(max_length=66, db_index=True)
    reason = models.CharField(max_length=300)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "anchor mismatch"
        verbose_name_plural = "anchor mismatches"

    def __str__(self):
        return f"{self.root}: {self.reason}"
