"""The console's topic pages. A topic's page is where an operator reads a topic whole: its fields in
USDC and plain words, the submissions and votes inline, the frozen receipt, the anchor's status, and
links to the sponsor page and the API. Everything is read-only: changes go through services."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from apps.common.admin import ReadOnlyAdmin
from apps.common.templatetags.agora import usdc

from .models import AnchorBatch, FinalVote, Job, JobBoost, JobEvent, JobReceipt, Submission, Vote


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class JobEventInline(_ReadOnlyInline):
    model = JobEvent
    fields = ("created_at", "kind", "actor", "data")
    readonly_fields = fields
    ordering = ("created_at",)
    show_change_link = False
    verbose_name_plural = "history"


class SubmissionInline(_ReadOnlyInline):
    model = Submission
    fields = ("agent_address", "weighted_votes", "voters", "excerpt", "created_at")
    readonly_fields = fields
    ordering = ("-weighted_votes", "created_at", "id")

    @admin.display(description="content")
    def excerpt(self, obj):
        return obj.content if len(obj.content) <= 160 else obj.content[:160] + "…"


class VoteInline(_ReadOnlyInline):
    model = Vote
    fields = ("voter_address", "submission", "weight", "review", "updated_at")
    readonly_fields = fields
    ordering = ("-updated_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("submission")


def _usdc(units) -> str:
    return "" if units is None else f"{usdc(units)} USDC"


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "sponsor_address", "bounty", "anchor_status", "created_at", "closed_at")
    list_filter = ("status",)
    list_select_related = ("anchor",)
    search_fields = ("title", "sponsor_address", "id")
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    inlines = [SubmissionInline, VoteInline, JobEventInline]

    def get_fieldsets(self, request, obj=None):
        sets = [(None, {"fields": ("title", "links", "status", "sponsor_address", "bounty", "tag_list",
                                   "prompt", "created_at", "final_vote_ends_at")})]
        if obj is not None and obj.closed_at:
            # Only the close details that were given: an API close leaves the chain fields empty.
            close = ["closed_at", "winner", "close_method"]
            close += [f for f in ("close_tx_hash", "close_chain_id", "close_contract_address", "close_block_number",
                                  "close_log_index", "close_details_verified") if getattr(obj, f) is not None]
            sets += [("Close", {"fields": close}),
                     ("Receipt (frozen at close)", {"fields": ("payout", "ranking")}),
                     ("Anchor", {"fields": ("anchor_detail",)})]
        return sets

    def get_readonly_fields(self, request, obj=None):
        return [f for _name, opts in self.get_fieldsets(request, obj) for f in opts["fields"]]

    @admin.display(description="bounty", ordering="bounty_units")
    def bounty(self, obj):
        return _usdc(obj.bounty_units)

    @admin.display(description="tags")
    def tag_list(self, obj):
        return ", ".join(obj.tags) or "—"

    @admin.display(description="links")
    def links(self, obj):
        return format_html('<a href="{}">Sponsor page</a> · <a href="{}">API</a> · <a href="{}">Submissions API</a>',
                           reverse("topic_detail", args=[obj.pk]), f"/api/v1/jobs/{obj.pk}",
                           f"/api/v1/jobs/{obj.pk}/submissions")

    @admin.display(description="winner")
    def winner(self, obj):
        sub = obj.winner_submission
        if sub is None:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("admin:jobs_submission_change", args=[sub.pk]),
                           sub.agent_address)

    def _receipt(self, obj):
        try:
            return obj.receipt
        except JobReceipt.DoesNotExist:
            return None

    @admin.display(description="close method")
    def close_method(self, obj):
        receipt = self._receipt(obj)
        return receipt.get_close_method_display() if receipt else "—"

    @admin.display(description="payout")
    def payout(self, obj):
        receipt = self._receipt(obj)
        if receipt is None:
            return "no receipt"
        p = receipt.payout
        return format_html("Bounty {} · winning agent {} · jury pool {} · platform fee {}",
                           _usdc(p.get("bounty_units")), _usdc(p.get("agent_payout_units")),
                           _usdc(p.get("jury_pool_units")), _usdc(p.get("platform_fee_units")))

    @admin.display(description="ranking")
    def ranking(self, obj):
        receipt = self._receipt(obj)
        if receipt is None or not receipt.ranking:
            return "—"
        rows = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                                ((r["rank"], r["agent_address"], r["weighted_votes"], r["voters"])
                                 for r in receipt.ranking))
        return format_html('<table class="ranking"><tr><th>#</th><th>agent</th><th>weighted votes</th>'
                           "<th>voters</th></tr>{}</table>", rows)

    @admin.display(description="anchor", ordering="anchor__status")
    def anchor_status(self, obj):
        anchor = getattr(obj, "anchor", None) if obj.closed_at else None
        return anchor.get_status_display() if anchor else "—"

    @admin.display(description="anchor")
    def anchor_detail(self, obj):
        try:
            anchor = obj.anchor
        except AnchorBatch.DoesNotExist:
            return "not built yet (it is built after close)"
        chain = (format_html(" · tx {} in block {}", anchor.anchor_tx_hash, anchor.anchor_block_number)
                 if anchor.anchor_tx_hash else "")
        return format_html('<a href="{}">{}</a> · root <code>{}</code> · exported {} time(s){} · <a href="{}">API</a>',
                           reverse("admin:jobs_anchorbatch_change", args=[anchor.pk]), anchor.get_status_display(),
                           anchor.anchor_root, anchor.exports, chain, f"/api/v1/jobs/{obj.pk}/anchor")


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ("id", "job", "agent_address", "weighted_votes", "voters", "created_at")
    list_select_related = ("job",)
    search_fields = ("agent_address", "job__title", "id")
    ordering = ("-created_at",)


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("job", "submission_id", "voter_address", "weight", "updated_at")
    list_select_related = ("job",)
    search_fields = ("voter_address", "job__title")
    ordering = ("-updated_at",)


@admin.register(JobReceipt)
class JobReceiptAdmin(ReadOnlyAdmin):
    list_display = ("job", "winner_submission_id", "close_method", "closed_at")
    list_select_related = ("job",)
    search_fields = ("job__title", "job__id")
    ordering = ("-closed_at",)


@admin.register(JobEvent)
class JobEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "job", "kind", "actor")
    list_filter = ("kind",)
    list_select_related = ("job",)
    search_fields = ("job__title", "job__id", "actor")
    ordering = ("-created_at",)


@admin.register(FinalVote)
class FinalVoteAdmin(ReadOnlyAdmin):
    list_display = ("job", "submission_id", "voter_address", "updated_at")
    list_select_related = ("job",)
    search_fields = ("voter_address", "job__title", "job__id")
    ordering = ("-updated_at",)


@admin.register(JobBoost)
class JobBoostAdmin(ReadOnlyAdmin):
    list_display = ("job", "booster_address", "amount_agr", "duration_hours", "starts_at", "ends_at")
    list_select_related = ("job",)
    search_fields = ("booster_address", "job__title", "job__id")
    ordering = ("-created_at",)
