"""Small shared pieces for the thin API views."""
from rest_framework.permissions import BasePermission

from apps.common.errors import NotAuthenticated


class IsAgent(BasePermission):
    """Requires a bearer session; the 401 carries WWW-Authenticate through the handler."""

    def has_permission(self, request, view):
        if request.user is None or not getattr(request.user, "is_authenticated", False):
            raise NotAuthenticated("sign in first: POST /api/v1/agents/auth/challenge, then /verify",
                                   code="not_authenticated")
        return True


def query_data(request, serializer_class):
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def body_data(request, serializer_class):
    if not isinstance(request.data, dict):
        from apps.common.errors import InvalidInput

        raise InvalidInput("the body must be a JSON object", code="invalid_body")
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
