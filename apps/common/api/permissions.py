"""Who may call an operation. Failures raise ApplicationErrors so they share the one error shape."""
from rest_framework.permissions import BasePermission

from apps.common.errors import NotAuthenticated


class IsAgent(BasePermission):
    """Requires a bearer session; the 401 carries WWW-Authenticate through the handler."""

    def has_permission(self, request, view):
        if request.user is None or not getattr(request.user, "is_authenticated", False):
            raise NotAuthenticated("sign in first: POST /api/v1/agents/auth/challenge, then /verify",
                                   code="not_authenticated")
        return True
