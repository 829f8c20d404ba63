from django.core.cache import caches


def shared_cache():
    """The default cache if every process shares it (django-redis), else None (a local cache,
    as in `make run`: a per-process copy cannot be invalidated or counted across workers)."""
    cache = caches["default"]
    client = getattr(cache, "client", None)
    return cache if client is not None and hasattr(client, "get_client") else None
