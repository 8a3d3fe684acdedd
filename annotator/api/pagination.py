"""Cursor pagination: stable while rows are inserted concurrently (no skipped or repeated rows)."""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class NewestFirstCursorPagination(IdCursorPagination):
    ordering = "-id"
