"""Django's error handlers: the API's JSON shape {detail, code} under /api/, the HTML pages elsewhere.

DRF's exception handler covers errors raised inside API views. These cover what escapes it (an
unexpected exception is a 500 here) and what happens before any view runs (a bad Host header, an
unknown path outside /api/v1/, which has its own catch-all).
"""
from django.views import defaults

from apps.common.api.errors import error_response


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception):
    if _api(request):
        return error_response("Bad request.", "bad_request", 400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if _api(request):
        return error_response("You do not have permission to perform this action.", "forbidden", 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if _api(request):
        return error_response("Not found.", "not_found", 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Says nothing about the failure (it is logged with the request id); the client can quote X-Request-ID.
    if _api(request):
        return error_response("Internal server error; quote the X-Request-ID header when reporting it.",
                              "server_error", 500)
    return defaults.server_error(request)
