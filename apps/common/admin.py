from django.contrib import admin

from .models import AuditEntry


def action_permission(perm: str):
    """The `has_<name>_permission` method behind `@admin.action(permissions=["<name>"])`.

    Every admin action that changes state needs its own permission: without one, anyone who can
    open the list page (view-only staff included) can run it. `perm` is "app_label.codename" of a
    custom permission in the model's Meta (grantable per operator; superusers have them all).
    Usage, in a ModelAdmin:

        @admin.action(description="Revoke the selected sessions", permissions=["revoke"])
        def revoke(self, request, queryset): ...

        has_revoke_permission = action_permission("agora_auth.revoke_agentsession")
    """
    def has_permission(self, request) -> bool:
        return request.user.has_perm(perm)

    return has_permission


def superuser_action_permission():
    """Like action_permission, for actions too rare and dangerous to grant: superusers only."""
    def has_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    return has_permission


class ReadOnlyAdmin(admin.ModelAdmin):
    """For chain-derived, ledger and receipt rows: operators can look, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "subject")
    list_filter = ("action",)
    search_fields = ("actor", "subject")
    ordering = ("-created_at",)
