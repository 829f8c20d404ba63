"""Rendered topic-list pages in the shared cache, invalidated by a version token.

The list is the busiest read, and agents poll the same first pages over and over. Every saved
or deleted topic or receipt replaces the token: at once, so the writer reads its own write, and
again when the transaction commits, so a page built from a snapshot taken before the commit is
never served afterwards. Pages are stored with the token they were built under and served only
while it is current, so an old page can never come back; they also expire after
AGORA_LIST_CACHE_SECONDS, which bounds staleness if a token change is lost with the cache.
Any cache failure falls back to the database, and without a shared cache (Redis) there is no
page cache at all: a per-process copy could not be invalidated across workers.
"""
import hashlib
import uuid

import structlog
from django.conf import settings
from django.db import transaction

from apps.common.shared_cache import shared_cache

log = structlog.get_logger(__name__)
VERSION_KEY = "jobs:list:version"


def page(params: tuple, build) -> bytes:
    """The page for `params`, from the cache when current, else build() (rendered JSON bytes)."""
    ttl, cache = settings.AGORA_LIST_CACHE_SECONDS, shared_cache()
    if ttl <= 0 or cache is None:
        return build()
    key = "jobs:list:page:" + hashlib.sha256(repr(params).encode()).hexdigest()
    try:
        found = cache.get_many([VERSION_KEY, key])
    except Exception as exc:  # redis-py and django-redis raise several connection error types
        log.warning("list_cache_unavailable", error=type(exc).__name__)
        return build()
    version, entry = found.get(VERSION_KEY), found.get(key)
    if version is not None and entry is not None and entry[0] == version:
        return entry[1]
    try:
        if version is None:  # evicted or never made: make it now, before building, never after
            version = _new_version(cache, only_if_missing=True)
    except Exception as exc:
        log.warning("list_cache_unavailable", error=type(exc).__name__)
        return build()
    # Stored only under the token read before building: a write during the build replaces the token,
    # so this page is never served after it. (Adopting the token found after the build would file a
    # page built before a write under that write's token.)
    body = build()
    try:
        cache.set(key, (version, body), ttl)
    except Exception as exc:
        log.warning("list_cache_unavailable", error=type(exc).__name__)
    return body


def invalidate() -> None:
    if shared_cache() is None:
        return
    _safe_new_version()
    transaction.on_commit(_safe_new_version)


def _safe_new_version() -> None:
    try:
        _new_version(shared_cache(), only_if_missing=False)
    except Exception as exc:
        # Pages built before this change stay servable until they expire (AGORA_LIST_CACHE_SECONDS).
        log.error("list_cache_invalidation_failed", error=type(exc).__name__)


def _new_version(cache, *, only_if_missing: bool) -> str:
    token = uuid.uuid4().hex
    if not only_if_missing:
        cache.set(VERSION_KEY, token, None)
        return token
    # Two readers racing to create the first token: the one that loses adopts the winner's.
    if cache.add(VERSION_KEY, token, None):
        return token
    return cache.get(VERSION_KEY) or token


def on_topic_change(sender, **kwargs) -> None:
    invalidate()
