from django.contrib import admin

from apps.common.admin import ReadOnlyAdmin

from .models import Job, JobReceipt, Submission, Vote


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "sponsor_address", "bounty_units", "created_at", "closed_at")
    list_filter = ("status",)
    search_fields = ("title", "sponsor_address", "id")
    ordering = ("-created_at",)
    date_hierarchy = "created_at"


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
    list_display = ("job", "winner_submission_id", "closed_at")
    list_select_related = ("job",)
    search_fields = ("job__title", "job__id")
    ordering = ("-closed_at",)
