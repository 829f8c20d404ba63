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
