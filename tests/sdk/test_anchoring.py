"""canonical_json is json.dumps with a guard; these prove it writes RFC 8785 for any plain() value."""
from decimal import Decimal

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from agora_sdk.anchoring import canonical_json, plain, uuid_bytes32

# Every code point but lone surrogates (not encodable as UTF-8, so never in a snapshot): control
# characters, U+2028, astral-plane emoji and CJK extension B all included, in keys as in values.
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
scalars = (st.none() | st.booleans() | text
           | st.integers()  # beyond +-2**53 plain() makes them strings
           | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
           | st.floats(allow_nan=True, allow_infinity=True) | st.decimals(allow_nan=False, allow_infinity=False))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(text, inner, max_size=5),
                      max_leaves=30)


@settings(max_examples=1000, deadline=None)
@given(values)
def test_canonical_json_is_rfc8785_for_plain_values(value):
    value = plain(value)
    assert canonical_json(value) == rfc8785.dumps(value)


def test_keys_outside_the_bmp_sort_by_utf16_code_units():
    # U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FF61, though its code point is larger.
    value = {"\uff61": 1, "\U0001f600": 2, "a": {"\U00020000": [None, True], "\ue000": "x"}}
    body = canonical_json(value)
    assert body == rfc8785.dumps(value)
    assert body.index("\U0001f600".encode()) < body.index("\uff61".encode())  # Python's own order is the reverse
    # an astral character in a value only: still the fast path's output, still JCS
    assert canonical_json({"b": "\U0001f600", "a": "\x00\x1f\u2028"}) == rfc8785.dumps(
        {"b": "\U0001f600", "a": "\x00\x1f\u2028"})


def test_plain_numbers():
    assert plain([2**53 - 1, 2**53, -(2**53), 0.1, Decimal("1.50")]) == [2**53 - 1, "9007199254740992",
                                                                          "-9007199254740992", "0.1", "1.5"]


def test_uuid_bytes32_takes_a_uuid_or_its_text():
    import uuid

    value = uuid.UUID("12345678-9abc-4def-8123-456789abcdef")
    assert uuid_bytes32(value) == uuid_bytes32(str(value)) == uuid_bytes32(str(value).upper()) == (
        "0x" + "00" * 16 + "123456789abc4def8123456789abcdef")
