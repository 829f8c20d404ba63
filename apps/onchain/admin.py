import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from apps.common.admin import ReadOnlyAdmin, action_permission, superuser_action_permission
from apps.common.errors import ApplicationError
from apps.common.rpc import RpcError
from apps.jobs.models import AnchorBatch

from .anchor_services import anchor_export
from .models import AnchorMismatch, ChainEvent, ChainStream, ReorgLog, SlashingEvent, StakeLedger, StreamBlock
from .selectors import stream_event_count_from, stream_lag
from .services import stream_cursor_reset


class ResetCursorForm(forms.Form):
    to_block = forms.IntegerField(min_value=0, help_text="Reprocess from this block; events at or above it are "
                                                         "rolled back with their projections.")
    confirm_name = forms.CharField(help_text="Type the stream's name to confirm.")


@admin.register(ChainStream)
class ChainStreamAdmin(ReadOnlyAdmin):
    list_display = ("name", "chain_id", "contract_address", "last_block_number", "last_safe_head", "lag",
                    "events_ingested", "reorgs", "range_size", "halted", "last_success_at")
    list_filter = ("halted", "chain_id")
    search_fields = ("name", "contract_address")
    actions = ["reset_cursor_action"]

    @admin.display(description="lag (blocks)")
    def lag(self, obj):
        return stream_lag(obj)

    # Rewinding the indexer rolls back projections: rare and dangerous, so superusers only.
    has_reset_permission = superuser_action_permission()

    @admin.action(description="Reset the cursor (asks for a block and a confirmation)", permissions=["reset"])
    def reset_cursor_action(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Reset one stream at a time.", messages.ERROR)
            return None
        stream = queryset.get()
        form = ResetCursorForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            if form.cleaned_data["confirm_name"] != stream.name:
                form.add_error("confirm_name", f"Type {stream.name} exactly.")
            else:
                try:
                    removed = stream_cursor_reset(stream_id=stream.id, to_block=form.cleaned_data["to_block"],
                                           actor=f"admin:{request.user.get_username()}")
                except RpcError as exc:
                    self.message_user(request, f"Could not reach the chain: {exc}", messages.ERROR)
                    return None
                self.message_user(request, f"{stream.name}: rolled back {removed} event(s); it reprocesses from "
                                           f"block {form.cleaned_data['to_block']}.", messages.SUCCESS)
                return None
        events_above = None
        if form.is_bound and form.is_valid():
            events_above = stream_event_count_from(stream=stream, block=form.cleaned_data["to_block"])
        return render(request, "admin/onchain/reset_cursor.html", {
            **self.admin_site.each_context(request), "title": f"Reset {stream.name}", "form": form,
            "stream": stream, "events_above": events_above, "opts": self.model._meta,
        })


@admin.register(ChainEvent)
class ChainEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "stream", "name", "block_number", "log_index", "addresses")
    list_filter = ("name", "stream")
    list_select_related = ("stream",)
    search_fields = ("tx_hash", "addresses", "id")
    ordering = ("-block_number", "-log_index")


@admin.register(ReorgLog)
class ReorgLogAdmin(ReadOnlyAdmin):
    list_display = ("detected_at", "stream", "kind", "from_block", "depth", "events_removed", "actor")
    list_filter = ("kind",)
    list_select_related = ("stream",)
    ordering = ("-detected_at",)


@admin.register(StakeLedger)
class StakeLedgerAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "agent", "kind", "delta", "requested", "release_at", "block_number", "log_index")
    search_fields = ("agent", "tx_hash")
    list_filter = ("kind",)
    ordering = ("-block_number", "-log_index")


@admin.register(SlashingEvent)
class SlashingEventAdmin(ReadOnlyAdmin):
    list_display = ("id", "agent_address", "amount_units", "recipient_address", "block_number", "created_at")
    search_fields = ("agent_address", "tx_hash")
    ordering = ("-block_number", "-log_index")


@admin.register(StreamBlock)
class StreamBlockAdmin(ReadOnlyAdmin):
    list_display = ("stream", "number", "hash")
    list_filter = ("stream",)
    list_select_related = ("stream",)
    ordering = ("-number",)


class ExportAnchorsForm(forms.Form):
    safe_address = forms.RegexField(r"^0x[0-9a-fA-F]{40}$", help_text="The operators' Safe that owns the registry.",
                                    error_messages={"invalid": "0x followed by 40 hex characters"})
    reason = forms.CharField(required=False, max_length=300,
                             help_text="Required when an anchor was exported before (recorded on the topic).")


@admin.register(AnchorBatch)
class AnchorBatchAdmin(ReadOnlyAdmin):
    list_display = ("job", "status", "anchor_root", "leaves", "exports", "anchor_block_number", "created_at")
    list_filter = ("status",)
    list_select_related = ("job",)
    search_fields = ("job__title", "job__id", "anchor_root", "anchor_tx_hash")
    ordering = ("created_at",)
    actions = ["export_to_safe"]

    @admin.action(description="Export to Safe (Transaction Builder batch)", permissions=["export"])
    def export_to_safe(self, request, queryset):
        form = ExportAnchorsForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            try:
                batch = anchor_export(anchor_ids=list(queryset.values_list("pk", flat=True)),
                                      safe_address=form.cleaned_data["safe_address"],
                                      actor=f"admin:{request.user.get_username()}", reason=form.cleaned_data["reason"])
            except ApplicationError as exc:
                self.message_user(request, exc.detail, messages.ERROR)
                return None
            response = HttpResponse(json.dumps(batch, indent=2), content_type="application/json")
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            response["Content-Disposition"] = f'attachment; filename="agora-anchors-{stamp}.json"'
            return response
        return render(request, "admin/onchain/export_anchors.html", {
            **self.admin_site.each_context(request), "title": "Export anchors to the Safe", "form": form,
            "anchors": list(queryset.order_by("created_at")), "registry": settings.AGORA_ANCHOR_REGISTRY_ADDRESS,
            "chain_id": settings.AGORA_CHAIN_ID, "opts": self.model._meta})

    has_export_permission = action_permission("jobs.export_anchorbatch")


@admin.register(AnchorMismatch)
class AnchorMismatchAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "root", "reason", "event_id", "resolved_at")
    list_filter = ("resolved_at",)
    search_fields = ("root", "event__tx_hash")
    ordering = ("-created_at",)
