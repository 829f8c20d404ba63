from django.db import models

ETH = "0x" + "0" * 40  # the asset address TreasuryVault events use for ether


class TreasuryEntry(models.Model):
    """Donations (in) and spends (out) of the TreasuryVault, from its indexed events."""

    IN, OUT = "in", "out"
    event = models.OneToOneField("onchain.ChainEvent", on_delete=models.CASCADE, primary_key=True,
                                 related_name="treasury_entry")
    direction = models.CharField(max_length=3, choices=[(IN, "donation"), (OUT, "spend")])
    address = models.CharField(max_length=42, db_index=True, help_text="donor, or the spend's recipient")
    executor = models.CharField(max_length=42, blank=True, default="")
    asset = models.CharField(max_length=42, help_text="0x0 for ETH")
    amount_raw = models.DecimalField(max_digits=78, decimal_places=0)
    usd_micro = models.DecimalField(max_digits=78, decimal_places=0, help_text="USD value in millionths")
    eth_usd_rate = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    purpose_id = models.BigIntegerField()
    memo_hash = models.CharField(max_length=66)
    block_number = models.BigIntegerField()
    log_index = models.IntegerField()
    tx_hash = models.CharField(max_length=66)

    class Meta:
        verbose_name = "treasury entry"
        verbose_name_plural = "treasury entries"
        indexes = [models.Index(fields=["direction", "-block_number", "-log_index"], name="treasury_newest"),
                   models.Index(fields=["address", "block_number", "log_index"], name="treasury_address")]


class DonorTotal(models.Model):
    """A donor's cumulative USD donations and the event that first made them a donor."""

    address = models.CharField(max_length=42, primary_key=True)
    total_usd_micro = models.DecimalField(max_digits=78, decimal_places=0, default=0)
    first_donation_event_id = models.CharField(max_length=100, blank=True, default="")
    donor_since_event_id = models.CharField(max_length=100, blank=True, default="",
                                            help_text="the donation that took the total to $10 or more")
    updated_at = models.DateTimeField(auto_now=True)
