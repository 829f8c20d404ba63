from rest_framework.negotiation import DefaultContentNegotiation

# What agents and browsers' fetch() send; anything else gets DRF's full Accept parsing (and 406).
_ANY_OR_JSON = frozenset({"", "*/*", "application/json"})


class JsonFirstNegotiation(DefaultContentNegotiation):
    """The API renders only JSON, so the usual Accept values need no parsing: DRF's media-type
    matching was the largest part of its per-request overhead (callgrind, topic detail)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if format_suffix is None and request.META.get("HTTP_ACCEPT", "").strip() in _ANY_OR_JSON \
                and not request.query_params.get(self.settings.URL_FORMAT_OVERRIDE):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
