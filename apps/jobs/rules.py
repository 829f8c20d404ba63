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


# The final vote (docs/protocol.md, "Final vote"): a window that opens when the topic is created.
MIN_FINAL_VOTE_WINDOW = 60
MAX_FINAL_VOTE_WINDOW = 30 * 24 * 3600

# Boosts: AGR spent to feature a topic for a while.
MAX_BOOST_AGR = 1_000_000
MAX_BOOST_HOURS = 720


def final_vote_window_clean(requested: int | None, default: int) -> int:
    seconds = default if requested is None else requested
    if isinstance(seconds, bool) or not isinstance(seconds, int) \
            or not MIN_FINAL_VOTE_WINDOW <= seconds <= MAX_FINAL_VOTE_WINDOW:
        raise InvalidInput(f"final_vote_window_seconds must be an integer from {MIN_FINAL_VOTE_WINDOW} to "
                           f"{MAX_FINAL_VOTE_WINDOW} (30 days)", code="invalid_final_vote_window")
    return seconds
