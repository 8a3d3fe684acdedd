"""Error responses of the API: always JSON, domain errors mapped to their HTTP status."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import JsonResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from annotator.annotations import AnnotationInputError, NotAllowedError, StaleVersionError
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
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, PreconditionFailed):
        response.data["current_version"] = exc.current_version
        response["ETag"] = f'"{exc.current_version}"'
    return response


def json_not_found(request, *args, **kwargs):
    """Unknown URLs under /api/ answer in JSON like the rest of the API."""
    return JsonResponse({"detail": "No such API endpoint."}, status=404)
