from django.contrib import admin

from apps.common.admin import ReadOnlyAdmin

from .models import SlashingEvent


@admin.register(SlashingEvent)
class SlashingEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "agent_address", "amount_units", "recipient_address", "block_number", "created_at")
    search_fields = ("agent_address", "tx_hash")
    ordering = ("-block_number", "-log_index")
