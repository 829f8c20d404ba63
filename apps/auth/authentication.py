import structlog
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .selectors import session_get_active_with_facts
from .services import hash_token


class AgentPrincipal:
    """The caller behind a bearer token. Agents are wallets, not Django users."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, *, address: str, session_id, eligibility=None):
        self.address = address
        self.session_id = session_id
        # The address's EligibilityFacts, read with the session: the submit and vote gates use them.
        self.eligibility = eligibility

    def __str__(self):
        return self.address


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("Authorization must be 'Bearer <access_token>'", code="invalid_token")
        found = session_get_active_with_facts(token_hash=hash_token(token.strip()))
        if found is None:
            raise AuthenticationFailed("access token is invalid, expired or revoked; sign in again",
                                       code="invalid_token")
        session, facts = found
        structlog.contextvars.bind_contextvars(address=session.address)
        return AgentPrincipal(address=session.address, session_id=session.id, eligibility=facts), session

    def authenticate_header(self, request):
        return 'Bearer realm="agora"'
