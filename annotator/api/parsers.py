"""Request body parsing with a size limit (413), a nesting limit and strict JSON (400).

Python's JSON decoder recurses once per nesting level: a body of 1,000 ``[`` raised a
``RecursionError`` (an HTML 500). The depth is measured on the raw text before decoding,
with two regular expressions (C speed), so no body reaches the decoder deeper than
``API_MAX_JSON_DEPTH``.
"""

import re
from io import BytesIO

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser, get_encoding

from .errors import PayloadTooLarge

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_nesting_depth(text: str) -> int:
    """How deeply arrays and objects nest in ``text`` (brackets inside strings do not count)."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub("", text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class LimitedJSONParser(JSONParser):
    """JSON bodies up to ``API_MAX_BODY_BYTES`` and ``API_MAX_JSON_DEPTH`` levels deep."""

    limit_setting = "API_MAX_BODY_BYTES"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = getattr(settings, self.limit_setting)
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        try:
            declared = int(declared) if declared else None
        except ValueError:
            declared = None
        if declared is not None and declared > limit:
            raise PayloadTooLarge(f"The request body is {declared} bytes; the limit is {limit}.")
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.")
        try:
            text = raw.decode(get_encoding(parser_context or {}))
        except UnicodeDecodeError as error:
            raise ParseError(f"JSON parse error - the request body is not text: {error}") from None
        max_depth = settings.API_MAX_JSON_DEPTH
        if json_nesting_depth(text) > max_depth:
            raise ParseError(
                f"The request body nests arrays and objects more than {max_depth} levels deep."
            )
        return super().parse(BytesIO(raw), media_type, parser_context)
