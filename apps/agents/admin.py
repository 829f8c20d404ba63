from django import forms
from django.contrib import admin, messages
from django.shortcuts import render

from apps.common.admin import ReadOnlyAdmin, action_permission

from .models import AgentProfile, AgrLedger, OnchainStake, Reputation, ReputationLedger, Stake
from .services import reputation_reset


@admin.register(AgentProfile)
class AgentProfileAdmin(ReadOnlyAdmin):
    list_display = ("address", "nickname", "participant_type", "avatar_mode", "updated_at")
    list_filter = ("participant_type", "avatar_mode")
    search_fields = ("address", "nickname")
    ordering = ("-updated_at",)


class ResetReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Recorded in the reputation ledger with your username.")


@admin.register(Reputation)
class ReputationAdmin(ReadOnlyAdmin):
    list_display = ("address", "score", "wins", "losses", "last_updated_at")
    search_fields = ("address",)
    ordering = ("-score",)
    actions = ["reset_with_reason"]

    @admin.action(description="Reset reputation to 0 (asks for a reason)", permissions=["reset"])
    def reset_with_reason(self, request, queryset):
        form = ResetReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            for address in queryset.values_list("address", flat=True):
                reputation_reset(address=address, reason=form.cleaned_data["reason"], actor=request.user.get_username())
            self.message_user(request, f"Reset {queryset.count()} reputation(s).", messages.SUCCESS)
            return None
        return render(request, "admin/agents/reset_reputation.html", {
            **self.admin_site.each_context(request), "title": "Reset reputation", "form": form,
            "queryset": queryset, "action": "reset_with_reason", "opts": self.model._meta,
        })

    has_reset_permission = action_permission("agents.reset_reputation")


@admin.register(ReputationLedger)
class ReputationLedgerAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "address", "kind", "delta", "score_after", "actor", "reason", "job_id")
    list_filter = ("kind",)
    search_fields = ("address", "actor", "reason")
    ordering = ("-id",)


@admin.register(Stake)
class StakeAdmin(ReadOnlyAdmin):
    list_display = ("address", "staked_units", "stake_tx_hash", "stake_block_number", "updated_at")
    search_fields = ("address", "stake_tx_hash")
    ordering = ("-updated_at",)


@admin.register(AgrLedger)
class AgrLedgerAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "address", "kind", "amount", "reason", "job_id")
    list_filter = ("kind",)
    search_fields = ("address",)
    ordering = ("-id",)


@admin.register(OnchainStake)
class OnchainStakeAdmin(ReadOnlyAdmin):
    list_display = ("address", "staked_units", "active_units", "unbonding_units", "unbonding_release_at",
                    "stake_block_number", "stake_tx_hash")
    search_fields = ("address",)
    ordering = ("-staked_units",)
