"""Error responses of the API: always JSON, domain errors mapped to their HTTP status.

DRF renders the errors of its own views. What happens outside them (a CSRF failure decided
by Django's middleware, an unknown URL, an error Django turns into a 400 or 500) goes through
the handlers at the end of this module, which answer in JSON for paths under ``/api/`` and
leave the web pages to Django's usual HTML.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status

from annotator.errors import (
    AnnotationInputError,
    ConflictError,
    NotAllowedError,
    StaleVersionError,
)
from annotator.ingest.errors import IngestError


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since you loaded it."
    default_code = "stale_version"

    def __init__(self, current_version: int, detail=None):
        super().__init__(detail)
        self.current_version = current_version


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = (
        'Send If-Match: "<version>" (the ETag you read) or a "version" field in the body, '
        "so that a concurrent change is not overwritten."
    )
    default_code = "precondition_required"


class Conflict(exceptions.ValidationError):
    """409: the request is well-formed but conflicts with stored state; body as for a 400."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class IngestRefused(exceptions.APIException):
    """A document that cannot be taken in: the status of its ``IngestError`` (400/403/413/415)."""

    def __init__(self, error: IngestError):
        detail = {error.field: [error.message]}
        if error.status != 400:  # 403/413/415 carry `detail` like every other such answer
            detail = {"detail": error.message, **detail}
        super().__init__(detail)
        self.status_code = error.status


def api_exception_handler(exc, context):
    """DRF's handler, plus the domain exceptions of ``annotator.annotations``."""
    if isinstance(exc, ConflictError):
        exc = Conflict(exc.errors)
    if isinstance(exc, IngestError):
        exc = IngestRefused(exc)
    elif isinstance(exc, AnnotationInputError):
        exc = exceptions.ValidationError(exc.errors)
    elif isinstance(exc, StaleVersionError):
        exc = PreconditionFailed(
            exc.current_version,
            f"The annotation changed since you loaded it: it is now version "
            f"{exc.current_version}. Reload it and apply your change again.",
        )
    elif isinstance(exc, NotAllowedError):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    # Imported here: rest_framework.views reads the parser setting on import, and the parser
    # module imports this one (a cycle that broke the CSRF-view system check in some orders).
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, PreconditionFailed):
        response.data["current_version"] = exc.current_version
        response["ETag"] = f'"{exc.current_version}"'
    return response


API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _json_error(request, status_code: int, detail: str) -> JsonResponse:
    body = {"detail": detail}
    request_id = getattr(request, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JsonResponse(body, status=status_code)


@csrf_exempt  # answers 404 whatever the method; nothing to protect
def json_not_found(request, *args, **kwargs):
    """Unknown URLs under /api/ answer in JSON like the rest of the API."""
    return JsonResponse({"detail": "No such API endpoint."}, status=404)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: JSON 403 under /api/, Django's page elsewhere."""
    if not is_api_request(request):
        return django_csrf_failure(request, reason=reason)
    return _json_error(
        request,
        403,
        f"CSRF check failed ({reason}). A browser session must send the X-CSRFToken header "
        "with the value of the csrftoken cookie; clients should use an API token instead.",
    )


def bad_request(request, exception=None):
    """handler400: Django refused the request (e.g. a suspicious or oversized one)."""
    if is_api_request(request):
        return _json_error(request, 400, "The request could not be read.")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if is_api_request(request):
        return _json_error(request, 403, "You do not have permission to perform this action.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if is_api_request(request):
        return _json_error(request, 404, "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: the request id lets an operator find the traceback in the logs."""
    if is_api_request(request):
        return _json_error(request, 500, "Internal server error; it has been logged.")
    return defaults.server_error(request)
