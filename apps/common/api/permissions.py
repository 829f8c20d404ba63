"""Who may call an operation. Failures raise ApplicationErrors so they share the one error shape."""
from django.conf import settings
from rest_framework.permissions import BasePermission

from apps.common.errors import Forbidden, NotAuthenticated


class IsAgent(BasePermission):
    """Requires a bearer session; the 401 carries WWW-Authenticate through the handler."""

    def has_permission(self, request, view):
        if request.user is None or not getattr(request.user, "is_authenticated", False):
            raise NotAuthenticated("sign in first: POST /api/v1/agents/auth/challenge, then /verify",
                                   code="not_authenticated")
        return True


class IsOperator(IsAgent):
    """A bearer session whose address is in AGORA_OPERATOR_ADDRESSES (read at every request, so
    removing an address removes the access at once)."""

    def has_permission(self, request, view):
        super().has_permission(request, view)
        if request.user.address not in settings.AGORA_OPERATOR_ADDRESSES:
            raise Forbidden("only operators (AGORA_OPERATOR_ADDRESSES) may do this", code="not_operator")
        return True
