from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For chain-derived, ledger and receipt rows: operators can look, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
