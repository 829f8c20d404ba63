from django.http import Http404, HttpResponse

from apps.common.errors import ApplicationError
from apps.jobs.selectors import anchor_get

from .anchor_selectors import anchor_file_read


def anchor_file(request, job_id, version: int, tree: bool = False):
    """The published snapshot (anchor_uri) or its tree dump, byte for byte as built."""
    try:
        anchor = anchor_get(job_id=job_id)
        if anchor.schema_version != version:
            raise Http404("no snapshot of that schema version")
        body = anchor_file_read(job_id=job_id, tree=tree)
    except ApplicationError:
        raise Http404("no anchor for this topic") from None
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # the bytes never change
    response["ETag"] = f'"{anchor.salt}"'
    response["Access-Control-Allow-Origin"] = "*"  # verifiers in browsers fetch it from anywhere
    return response
