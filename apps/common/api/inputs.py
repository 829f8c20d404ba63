"""Validated input for the thin API views: query strings and JSON bodies through a serializer."""
from apps.common.errors import InvalidInput


def query_data(request, serializer_class):
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def body_data(request, serializer_class):
    if not isinstance(request.data, dict):
        raise InvalidInput("the body must be a JSON object", code="invalid_body")
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def query_text(request, name: str) -> str | None:
    """A free-text query parameter (None when absent or empty). A NUL is a 400: PostgreSQL text can't
    hold one, so it would otherwise fail in the query as a 500."""
    value = request.query_params.get(name) or None
    if value is not None and "\x00" in value:
        raise InvalidInput(f"{name} may not contain NUL characters", code="invalid_query")
    return value
