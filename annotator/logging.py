"""Structured logging: one JSON object per line, tagged with the current request's id and user.

The request id and the request live in context variables set by
`annotator.middleware.RequestIdMiddleware`, so every log line written while a request is being
served (by Django, DRF or our own code) carries them without any call site passing them along.
"""

import logging
from contextvars import ContextVar

from django.utils.functional import LazyObject, empty
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
current_request: ContextVar[object | None] = ContextVar("current_request", default=None)

# Attributes Django and DRF put on records that cannot be serialised (the request, the socket).
_UNSERIALISABLE_EXTRAS = ("request", "server_time")


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `user_id` of the request being served (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_request_id.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = resolved_user_id(current_request.get())
        return True


def resolved_user_id(request) -> int | None:
    """The id of the request's user if authentication already ran; never queries the database.

    `request.user` starts as a lazy object that loads the session on first use; evaluating it
    here would add a query to every log line and fail while the database is down.
    """
    if request is None:
        return None
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, LazyObject) and user._wrapped is empty:
        return None
    if not getattr(user, "is_authenticated", False):
        return None
    return user.pk


class JsonFormatter(_BaseJsonFormatter):
    """JSON lines with `time`, `level`, `logger`, `message` and every `extra` field."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("fmt", ["asctime", "levelname", "name", "message"])
        kwargs.setdefault(
            "rename_fields", {"asctime": "time", "levelname": "level", "name": "logger"}
        )
        kwargs.setdefault("reserved_attrs", [*RESERVED_ATTRS, *_UNSERIALISABLE_EXTRAS])
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(*args, **kwargs)
