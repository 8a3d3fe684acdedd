"""Request id, access log, and a clean 503 when the database is unreachable."""

import logging
import re
import sys
import time
import uuid

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse

from .logging import current_request, current_request_id, resolved_user_id

access_log = logging.getLogger("annotator.access")
logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is trusted only if it is short and plain, so that it cannot forge log lines.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")

DATABASE_ERRORS = (OperationalError, InterfaceError)
DATABASE_UNAVAILABLE_MESSAGE = "The database is unavailable; try again shortly."
RETRY_AFTER_SECONDS = 5


def request_id_for(request) -> str:
    """The caller's X-Request-ID when it is well-formed (a proxy's trace id), else a new one."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    if _VALID_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Tags the request with an id, echoes it in the response, writes one access-log line.

    Goes first in MIDDLEWARE so that its timing and log line cover everything else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = request_id_for(request)
        id_token = current_request_id.set(request.request_id)
        request_token = current_request.set(request)
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            latency_ms = round((time.perf_counter() - started) * 1000, 2)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "latency_ms": latency_ms,
                    "request_id": request.request_id,
                    "user_id": resolved_user_id(request),
                },
            )
            return response
        finally:
            current_request.reset(request_token)
            current_request_id.reset(id_token)


def database_unavailable_response(request) -> JsonResponse:
    response = JsonResponse(
        {
            "detail": DATABASE_UNAVAILABLE_MESSAGE,
            "request_id": getattr(request, "request_id", None),
        },
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost or refused database connection into a fast 503 JSON answer, never a 500.

    Errors raised by views (and DRF, which re-raises them) arrive in `process_exception`. Errors
    raised inside other middleware (a session saved after the view) never reach it, so a signal
    receiver marks the request and the 500 that Django built is swapped for the 503 on the way out.
    Django drops the broken connection at the end of the request, and the next request
    reconnects: recovery after the database returns needs nothing from us.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "_database_unavailable", False) and response.status_code >= 500:
            return database_unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            log_database_unavailable(exception)
            return database_unavailable_response(request)
        return None


def log_database_unavailable(exception: BaseException) -> None:
    logger.warning(
        "database unavailable: %s: %s",
        type(exception).__name__,
        str(exception).strip().splitlines()[0] if str(exception).strip() else "",
    )


def _mark_database_unavailable(sender, request=None, **kwargs):
    exception = sys.exc_info()[1]
    if request is not None and isinstance(exception, DATABASE_ERRORS):
        request._database_unavailable = True
        log_database_unavailable(exception)


got_request_exception.connect(
    _mark_database_unavailable, dispatch_uid="annotator.middleware.database_unavailable"
)
