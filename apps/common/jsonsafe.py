"""JSON from clients, with a bound on nesting depth, checked before parsing.

The json decoder recurses once per `[` or `{`; a body of 100,000 brackets is only 200 KB. With the
interpreter's recursion limit at its default (apps/common/recursion.py) that is a RecursionError,
which most callers would turn into a 500; this scan turns it into a clean "too deep" ValueError
first, in one linear pass, and documents nesting far deeper than any real request stays accepted.
"""
import json
import re
from itertools import accumulate

MAX_DEPTH = 64

# A JSON string, or an unterminated one running to the end of the text. The tail never fails, so
# the scan stays linear even on adversarial quotes and backslashes; the parser stops at an
# unterminated string anyway, so brackets after it can't nest.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.S)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class TooDeep(ValueError):
    pass


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects outside strings (what the parser would recurse to)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def check_depth(text: str, max_depth: int = MAX_DEPTH) -> None:
    # Fewer openers than the limit can't nest deeper than it: the usual body costs two str.count calls.
    if text.count("[") + text.count("{") > max_depth and nesting_depth(text) > max_depth:
        raise TooDeep(f"JSON nested deeper than {max_depth} levels")


def loads(data: str | bytes, *, max_depth: int = MAX_DEPTH, **kwargs):
    """json.loads for untrusted input. Raises ValueError (TooDeep, JSONDecodeError, UnicodeDecodeError)."""
    text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
    check_depth(text, max_depth)
    try:
        return json.loads(text, **kwargs)
    except RecursionError:  # belt and braces: the scan should have refused it already
        raise TooDeep(f"JSON nested deeper than {max_depth} levels") from None
