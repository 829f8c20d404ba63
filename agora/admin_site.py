"""The operator console: Django admin with a dashboard of counts on its index page."""
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class AgoraAdminSite(AdminSite):
    site_header = "Agora operator console"
    site_title = "Agora operators"
    index_title = "Dashboard"

    def index(self, request, extra_context=None):
        # Imported here: Django loads this class while the app registry fills, before models import.
        from agora.dashboard import dashboard_counts

        return super().index(request, {**(extra_context or {}), "dashboard": dashboard_counts()})


class AgoraAdminConfig(AdminConfig):
    default_site = "agora.admin_site.AgoraAdminSite"

    def ready(self):
        super().ready()  # autodiscovers every app's admin.py
        from django.contrib import admin

        from agora.beat_admin import guard_periodic_task_admin

        guard_periodic_task_admin(admin.site)
