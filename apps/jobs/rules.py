"""Limits of a topic's fields, shared by the service, the API serializers and the sponsor form."""
from apps.common.errors import InvalidInput

MAX_TITLE = 140
MAX_TEXT = 20000
MAX_TAGS = 16
MAX_TAG_LENGTH = 40


def tags_clean(tags) -> list[str]:
    """Stripped, de-duplicated (first wins), each 1-MAX_TAG_LENGTH characters, at most MAX_TAGS."""
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"at most {MAX_TAGS} tags", code="too_many_tags")
    cleaned = []
    for tag in tags:
        tag = tag.strip()
        if not tag or len(tag) > MAX_TAG_LENGTH:
            raise InvalidInput(f"each tag must be 1-{MAX_TAG_LENGTH} characters", code="invalid_tag")
        if tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def tree_uri_for(anchor_uri: str) -> str:
    """An anchor's tree dump sits beside its snapshot: the same URL with .tree.json."""
    return anchor_uri.removesuffix(".json") + ".tree.json"
