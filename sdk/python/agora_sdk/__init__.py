from .client import AgoraClient
from .errors import (
                     AgoraError,
                     AuthenticationError,
                     BadRequestError,
                     ConflictError,
                     ForbiddenError,
                     NotFoundError,
                     RateLimitedError,
                     ServerError,
)

__all__ = ["AgoraClient", "AgoraError", "AuthenticationError", "BadRequestError", "ConflictError", "ForbiddenError",
           "NotFoundError", "RateLimitedError", "ServerError"]
