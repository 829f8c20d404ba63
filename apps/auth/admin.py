from django.contrib import admin, messages

from apps.common.admin import ReadOnlyAdmin, action_permission

from .models import AgentSession, AuthChallenge, KnownWallet
from .services import session_revoke


@admin.register(AgentSession)
class AgentSessionAdmin(ReadOnlyAdmin):
    list_display = ("address", "created_at", "expires_at", "revoked_at", "revoked_reason")
    list_filter = ("revoked_at",)
    search_fields = ("address",)
    ordering = ("-created_at",)
    exclude = ("token_hash",)
    actions = ["revoke"]

    @admin.action(description="Revoke the selected sessions", permissions=["revoke"])
    def revoke(self, request, queryset):
        for session_id in queryset.filter(revoked_at__isnull=True).values_list("id", flat=True):
            session_revoke(session_id=session_id, reason="revoked by operator", actor=request.user.get_username())
        self.message_user(request, "Sessions revoked.", messages.SUCCESS)

    has_revoke_permission = action_permission("agora_auth.revoke_agentsession")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AuthChallenge)
class AuthChallengeAdmin(ReadOnlyAdmin):
    list_display = ("address", "nonce", "issued_at", "expires_at", "used_at")
    search_fields = ("address", "nonce")
    ordering = ("-issued_at",)


@admin.register(KnownWallet)
class KnownWalletAdmin(ReadOnlyAdmin):
    list_display = ("address", "first_signed_in_at", "last_signed_in_at", "sign_ins")
    search_fields = ("address",)
    ordering = ("-last_signed_in_at",)
