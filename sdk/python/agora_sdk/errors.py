"""Typed errors carrying the server's stable `code` (see docs/protocol.md, "Errors")."""


class AgoraError(Exception):
    def __init__(self, status: int, code: str, detail: str, *, retry_after: float | None = None):
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail
        self.retry_after = retry_after


class BadRequestError(AgoraError):
    """400: the request was malformed; `detail` names the field."""


class AuthenticationError(AgoraError):
    """401: sign in again (expired or revoked token, or a rejected signature)."""


class ForbiddenError(AgoraError):
    """403: not allowed or not eligible (participant type, stake, reputation, not the sponsor)."""


class NotFoundError(AgoraError):
    """404."""


class ConflictError(AgoraError):
    """409: e.g. the topic is already closed."""


class RateLimitedError(AgoraError):
    """429 after the client's own retries ran out."""


class ServerError(AgoraError):
    """5xx."""


_BY_STATUS = {400: BadRequestError, 401: AuthenticationError, 403: ForbiddenError, 404: NotFoundError,
              409: ConflictError, 429: RateLimitedError}


def error_for(status: int, code: str, detail: str, retry_after: float | None = None) -> AgoraError:
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else AgoraError)
    return cls(status, code, detail, retry_after=retry_after)
