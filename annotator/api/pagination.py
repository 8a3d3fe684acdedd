"""Cursor pagination: stable while rows are inserted concurrently (no skipped or repeated rows).

DRF trusts the position inside a cursor and hands it to the database; a tampered cursor
(``p=x``) then crashed the query. Here the cursor is checked first and every malformed
``cursor`` or ``page_size`` is a 400 naming it.
"""

import base64
import re
from urllib import parse

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination

from .params import MAX_ID, bounded_int, query_int

INVALID_CURSOR = "Not a cursor returned by this list; use the `next` or `previous` link."
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


def _is_cursor_text(encoded: str) -> bool:
    """Strict base64 of a query string with only DRF's keys (o, r, p): DRF's own decoding
    skips stray characters and unknown keys, so that ``%%%`` would read as "no cursor"."""
    if not _BASE64.match(encoded):
        return False
    try:
        text = base64.b64decode(encoded, validate=True).decode("ascii")
    except (ValueError, UnicodeError):
        return False
    return set(parse.parse_qs(text, keep_blank_values=True)) <= {"o", "r", "p"}


class IdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    cursor_query_description = "The opaque cursor from a previous page's `next`/`previous` link"

    def get_page_size(self, request):
        name, limit = self.page_size_query_param, self.max_page_size
        return query_int(request, name, self.page_size, minimum=1, maximum=limit)

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is not None and not _is_cursor_text(encoded):
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]})
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        if cursor is not None and cursor.position is not None:
            # The position is the id of the row the page starts from (ordering is by id).
            try:
                bounded_int(cursor.position, minimum=0, maximum=MAX_ID)
            except ValueError:
                raise ValidationError({self.cursor_query_param: [INVALID_CURSOR]}) from None
        return cursor

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
                parameter["description"] = (
                    f"Rows per page, 1 to {self.max_page_size} (default {self.page_size})"
                )
            elif parameter["name"] == self.cursor_query_param:
                parameter["schema"]["pattern"] = r"^[A-Za-z0-9+/=]*$"
        return parameters


class NewestFirstCursorPagination(IdCursorPagination):
    ordering = "-id"
