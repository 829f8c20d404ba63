from django.contrib import admin

from apps.common.admin import ReadOnlyAdmin

from .models import DonorTotal, TreasuryEntry


@admin.register(TreasuryEntry)
class TreasuryEntryAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "direction", "address", "asset", "amount_raw", "usd_micro", "purpose_id",
                    "block_number")
    list_filter = ("direction", "purpose_id")
    search_fields = ("address", "tx_hash")
    ordering = ("-block_number", "-log_index")


@admin.register(DonorTotal)
class DonorTotalAdmin(ReadOnlyAdmin):
    list_display = ("address", "total_usd_micro", "first_donation_event_id", "donor_since_event_id")
    search_fields = ("address",)
    ordering = ("-total_usd_micro",)
