"""The operator console: Django admin with a dashboard on its index page and wallet sign-in
(agora/console_auth.py) next to the password form."""
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpResponse

from apps.common.api.errors import RateLimited
from apps.common.api.ratelimit import enforce


class AgoraAdminSite(AdminSite):
    site_header = "Agora operator console"
    site_title = "Agora operators"
    index_title = "Dashboard"

    def has_permission(self, request):
        from agora.console_auth import still_operator

        return super().has_permission(request) and still_operator(request.user)

    def get_urls(self):
        from django.urls import path

        from agora.console_auth import wallet_login

        return [path("wallet-login", wallet_login, name="wallet_login"), *super().get_urls()]

    def index(self, request, extra_context=None):
        # Imported here: Django loads this class while the app registry fills, before models import.
        from agora.dashboard import dashboard_counts, needs_a_human

        return super().index(request, {**(extra_context or {}), "attention": needs_a_human(),
                                       "dashboard": dashboard_counts()})

    def login(self, request, extra_context=None):
        # Password guessing: sign-in attempts are limited per client IP (an IPv6 client by its /64).
        if request.method == "POST":
            try:
                enforce(request, group="admin-login", key="ip",
                        per_minute=settings.AGORA_ADMIN_LOGIN_RATE_LIMIT_PER_MIN)
            except RateLimited as exc:
                response = HttpResponse(f"Too many sign-in attempts; retry after {exc.retry_after} s.\n",
                                        status=429, content_type="text/plain")
                response["Retry-After"] = str(exc.retry_after)
                return response
        return super().login(request, extra_context)


class AgoraAdminConfig(AdminConfig):
    default_site = "agora.admin_site.AgoraAdminSite"

    def ready(self):
        super().ready()  # autodiscovers every app's admin.py
        from django.contrib import admin

        from agora.beat_admin import guard_periodic_task_admin

        guard_periodic_task_admin(admin.site)
