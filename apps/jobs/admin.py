from django.contrib import admin

from apps.common.admin import ReadOnlyAdmin

from .models import FinalVote, Job, JobBoost, JobEvent, JobReceipt, Submission, Vote


class JobEventInline(admin.TabularInline):
    model = JobEvent
    fields = ("created_at", "kind", "actor", "data")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("created_at",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "sponsor_address", "bounty_units", "created_at", "closed_at")
    list_filter = ("status",)
    search_fields = ("title", "sponsor_address", "id")
    ordering = ("-created_at",)
    date_hierarchy = "created_at"
    inlines = [JobEventInline]


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
