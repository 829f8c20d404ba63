"""The operators' console for slashing. Every button calls a service with the signed-in operator and a
reason; which buttons a user gets depends on the permission, not on being able to view."""
import json

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from apps.common.admin import ReadOnlyAdmin
from apps.common.chain import is_address, usdc_to_units
from apps.common.errors import ApplicationError
from apps.common.ids import as_uuid

from . import selectors, services
from .models import (
    OperatorWallet,
    SlashApproval,
    SlashProposal,
    SlashProposalEvent,
    UnexplainedSlash,
    ViolationType,
)
from .operators import operator_from_user

ADDRESS = r"^0x[0-9a-fA-F]{40}$"


class ProposalCreateForm(forms.Form):
    agent_address = forms.RegexField(ADDRESS, help_text="The agent to slash.")
    amount_usdc = forms.DecimalField(max_digits=22, decimal_places=6, min_value=0,
                                     help_text="USDC; at most the agent's indexed stake when it is approved.")
    recipient_address = forms.RegexField(ADDRESS, help_text="Who receives the slashed USDC (e.g. the treasury).")
    violation_type = forms.ChoiceField(choices=ViolationType.choices)
    job_id = forms.UUIDField(required=False, label="Topic id")
    submission_id = forms.UUIDField(required=False, label="Submission id")
    vote_id = forms.UUIDField(required=False, label="Vote id")
    evidence = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text="Evidence links, one per line (http or https).")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="Public: the agent and everyone else read it.")

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {"agent_address": data["agent_address"], "amount_units": usdc_to_units(data["amount_usdc"]),
                "recipient_address": data["recipient_address"], "violation_type": data["violation_type"],
                "job_id": data["job_id"], "submission_id": data["submission_id"], "vote_id": data["vote_id"],
                "evidence": [line.strip() for line in data["evidence"].splitlines() if line.strip()],
                "reason": data["reason"]}


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Recorded in the proposal's history with your name.")


class ExportForm(forms.Form):
    safe_address = forms.RegexField(ADDRESS, help_text="The operators' Safe, the StakeVault's slasher.",
                                    error_messages={"invalid": "0x followed by 40 hex characters"})
    reason = forms.CharField(required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Required to export a proposal again: two executed batches slash twice.")


def _stake_column(proposal) -> str:
    warning = selectors.stake_warning(proposal, proposal.stake_now)
    return f"{int(proposal.stake_now or 0)}{' ⚠' if warning else ''}"


@admin.register(SlashProposal)
class SlashProposalAdmin(admin.ModelAdmin):
    list_display = ("id", "agent_address", "amount_units", "violation_type", "status", "approvals",
                    "stake_now", "created_at", "expires_at")
    list_filter = ("status", "violation_type")
    search_fields = ("agent_address", "=id", "reason")
    ordering = ("-created_at",)
    actions = ["approve", "reject", "cancel", "export_to_safe"]
    change_form_template = "admin/slashing/slashproposal/change_form.html"
    fields = ("agent_address", "amount_units", "recipient_address", "violation_type", "job", "submission", "vote",
              "evidence", "reason", "status", "proposed_by_label", "approvals_required", "response_due_at",
              "expires_at", "approved_at", "approved_stake_units", "exports", "exported_at", "vault_address",
              "executed_units", "executed_at", "slashing_event", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.with_figures(super().get_queryset(request))

    @admin.display(description="approvals")
    def approvals(self, obj):
        return f"{obj.approval_count}/{obj.approvals_required}"

    @admin.display(description="stake now (units)")
    def stake_now(self, obj):
        return _stake_column(obj)

    # --- who may do what: separate permissions, never just view access --------------------------
    def has_add_permission(self, request):
        return request.user.has_perm("slashing.add_slashproposal")

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_approve_permission(self, request):
        return request.user.has_perm("slashing.approve_slashproposal")

    def has_cancel_permission(self, request):
        return request.user.has_perm("slashing.cancel_slashproposal")

    def has_export_permission(self, request):
        return request.user.has_perm("slashing.export_slashproposal")

    # --- create ----------------------------------------------------------------------------------
    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"recipient_address": settings.AGORA_TREASURY_ADDRESS, **request.GET.dict()}
        form = ProposalCreateForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                proposal = services.slash_proposal_create(operator=operator_from_user(request.user),
                                                          **form.service_arguments())
            except ApplicationError as exc:
                form.add_error(None, exc.detail)
            else:
                self.message_user(request, "Proposed. It is public now; the agent may respond before anyone "
                                           "approves.", messages.SUCCESS)
                return redirect(reverse("admin:slashing_slashproposal_change", args=[proposal.pk]))
        return render(request, "admin/slashing/slashproposal/create.html", {
            **self.admin_site.each_context(request), "title": "Propose a slash", "form": form,
            "opts": self.model._meta})

    # --- the proposal page -----------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        try:
            proposal = selectors.proposal_get(proposal_id=as_uuid(object_id))
        except ApplicationError:
            proposal = None
        if proposal is None:
            raise Http404("no such proposal")
        context = {
            "proposal": proposal, "warning": selectors.stake_warning(proposal, proposal.stake_now),
            "history": selectors.proposal_history(proposal_id=proposal.id),
            "approval_rows": list(proposal.approvals.order_by("created_at")),
            "agent": selectors.agent_history(address=proposal.agent_address),
            "can": {"approve": self.has_approve_permission(request), "cancel": self.has_cancel_permission(request),
                    "export": self.has_export_permission(request)},
        }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **context})

    # --- actions ---------------------------------------------------------------------------------
    def _with_reason(self, request, queryset, *, action: str, service, title: str, done: str):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            operator = operator_from_user(request.user)
            for proposal in queryset.order_by("created_at"):
                try:
                    service(proposal_id=proposal.pk, operator=operator, reason=form.cleaned_data["reason"])
                except ApplicationError as exc:
                    self.message_user(request, f"{proposal.id}: {exc.detail}", messages.ERROR)
                else:
                    self.message_user(request, f"{proposal.id}: {done}", messages.SUCCESS)
            return None
        return self._confirm(request, queryset, form, action=action, title=title)

    def _confirm(self, request, queryset, form, *, action: str, title: str, template="confirm.html", **extra):
        proposals = list(queryset.order_by("created_at"))
        for proposal in proposals:
            proposal.warning = selectors.stake_warning(proposal, proposal.stake_now)
        return render(request, f"admin/slashing/slashproposal/{template}", {
            **self.admin_site.each_context(request), "title": title, "form": form, "proposals": proposals,
            "action": action, "opts": self.model._meta, **extra})

    @admin.action(description="Approve (asks for a reason)", permissions=["approve"])
    def approve(self, request, queryset):
        return self._with_reason(request, queryset, action="approve", service=services.slash_proposal_approve,
                                 title="Approve slash proposals", done="approval recorded")

    @admin.action(description="Reject (asks for a reason)", permissions=["approve"])
    def reject(self, request, queryset):
        return self._with_reason(request, queryset, action="reject", service=services.slash_proposal_reject,
                                 title="Reject slash proposals", done="rejected")

    @admin.action(description="Cancel (asks for a reason)", permissions=["cancel"])
    def cancel(self, request, queryset):
        return self._with_reason(request, queryset, action="cancel", service=services.slash_proposal_cancel,
                                 title="Cancel slash proposals", done="cancelled")

    @admin.action(description="Export to Safe (Transaction Builder batch)", permissions=["export"])
    def export_to_safe(self, request, queryset):
        form = ExportForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            try:
                batch = services.slash_export(proposal_ids=list(queryset.values_list("pk", flat=True)),
                                              safe_address=form.cleaned_data["safe_address"],
                                              operator=operator_from_user(request.user),
                                              reason=form.cleaned_data["reason"])
            except ApplicationError as exc:
                self.message_user(request, exc.detail, messages.ERROR)
                return None
            response = HttpResponse(json.dumps(batch, indent=2), content_type="application/json")
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            response["Content-Disposition"] = f'attachment; filename="agora-slashes-{stamp}.json"'
            return response
        return self._confirm(request, queryset, form, action="export_to_safe", title="Export slashes to the Safe",
                             template="export.html", vault=settings.AGORA_STAKE_CONTRACT_ADDRESS,
                             chain_id=settings.AGORA_CHAIN_ID)


@admin.register(SlashApproval)
class SlashApprovalAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "proposal", "operator", "operator_label", "stake_units")
    list_select_related = ("proposal",)
    search_fields = ("operator", "operator_label", "=proposal__id")
    ordering = ("-created_at",)


@admin.register(SlashProposalEvent)
class SlashProposalEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "proposal", "kind", "actor_role", "actor_label")
    list_filter = ("kind", "actor_role")
    list_select_related = ("proposal",)
    search_fields = ("actor", "actor_label", "=proposal__id")
    ordering = ("-created_at",)


@admin.register(UnexplainedSlash)
class UnexplainedSlashAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "slashing_event", "reason", "resolved_at", "resolved_by")
    list_filter = ("resolved_at",)
    list_select_related = ("slashing_event",)
    search_fields = ("slashing_event__agent_address", "slashing_event__tx_hash")
    ordering = ("-created_at",)
    actions = ["resolve"]

    def has_resolve_permission(self, request):
        return request.user.has_perm("slashing.resolve_unexplainedslash")

    @admin.action(description="Mark investigated (asks what you found)", permissions=["resolve"])
    def resolve(self, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            operator = operator_from_user(request.user)
            for row in queryset:
                try:
                    services.unexplained_slash_resolve(event_id=row.pk, operator=operator,
                                                       reason=form.cleaned_data["reason"])
                except ApplicationError as exc:
                    self.message_user(request, f"{row.pk}: {exc.detail}", messages.ERROR)
            return None
        return render(request, "admin/slashing/unexplainedslash/resolve.html", {
            **self.admin_site.each_context(request), "title": "Resolve unexplained slashes", "form": form,
            "rows": list(queryset), "opts": self.model._meta})


class OperatorWalletForm(forms.ModelForm):
    class Meta:
        model = OperatorWallet
        fields = ("user", "address")

    def clean_address(self):
        address = self.cleaned_data["address"]
        if not is_address(address):
            raise forms.ValidationError("0x followed by 40 hex characters")
        return address.lower()


@admin.register(OperatorWallet)
class OperatorWalletAdmin(admin.ModelAdmin):
    """Link each operator's password account to their wallet: approvals are counted per person."""

    form = OperatorWalletForm
    list_display = ("user", "address")
    list_select_related = ("user",)
    search_fields = ("user__username", "address")
    ordering = ("user__username",)
