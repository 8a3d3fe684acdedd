"""Request body parsing with a size limit (413) and strict JSON (400 naming the problem)."""

from io import BytesIO

from django.conf import settings
from rest_framework.parsers import JSONParser

from .errors import PayloadTooLarge


class LimitedJSONParser(JSONParser):
    """JSON bodies up to ``API_MAX_BODY_BYTES``; larger ones are refused before parsing."""

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
        return super().parse(BytesIO(raw), media_type, parser_context)
