"""OpenAPI generation: every operation documents the error responses it can give, and every
input declares the constraints the service enforces (schemathesis holds the two to each other).
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(help_text="What went wrong, in words."),
    },
)

StaleVersionErrorSerializer = inline_serializer(
    name="StaleVersionError",
    fields={
        "detail": serializers.CharField(),
        "current_version": serializers.IntegerField(),
    },
)


# Text inputs refuse NUL: PostgreSQL cannot store it (query values: ApiViewMixin; bodies: DRF's
# CharField). Lone surrogates cannot arrive in UTF-8 at all.
NO_NUL_PATTERN = r"^[^\x00]*$"


def _refuses_nul(schema: dict) -> None:
    if schema.get("type") == "string" and not {"enum", "format", "pattern"} & set(schema):
        schema["pattern"] = NO_NUL_PATTERN


class ApiAutoSchema(AutoSchema):
    """Adds 400/401/403/404/413/415/429 (and 412/428 where concurrency applies) everywhere,
    and the limits of text inputs (no NUL; filters' maximum lengths)."""

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        filterset = getattr(self.view, "filterset_class", None)
        for parameter in parameters:
            schema = parameter.get("schema", {})
            declared = filterset.base_filters.get(parameter["name"]) if filterset else None
            max_length = declared.extra.get("max_length") if declared is not None else None
            if max_length and schema.get("type") == "string":
                schema["maxLength"] = max_length
        return parameters

    def _get_parameters(self):
        parameters = super()._get_parameters()
        for parameter in parameters:
            if parameter.get("in") == "query":
                _refuses_nul(parameter.get("schema", {}))
        return parameters

    def _map_serializer_field(self, field, direction, bypass_extension=False):
        schema = super()._map_serializer_field(field, direction, bypass_extension)
        if direction == "request" and isinstance(field, serializers.CharField):
            _refuses_nul(schema)
        return schema

    def _error_codes(self) -> dict[str, object]:
        codes: dict[str, object] = {
            "401": ErrorSerializer,
            "403": ErrorSerializer,
            "404": ErrorSerializer,
            "406": ErrorSerializer,
            "429": ErrorSerializer,
        }
        if self.method in ("POST", "PUT", "PATCH"):
            codes.update({"413": ErrorSerializer, "415": ErrorSerializer})
        extra = getattr(self.view, "error_codes", {})
        codes.update({str(code): ser for code, ser in extra.get(self.method.lower(), {}).items()})
        codes["400"] = None  # filled in below: a free-form object
        if self.method in ("POST", "PATCH"):
            codes["409"] = None  # state conflicts (a suggestion already decided): as a 400
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, serializer in self._error_codes().items():
            if code in responses:
                continue
            if serializer is None:
                responses[code] = {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "description": "Field name → list of messages naming the "
                                "problem; `detail` when the body as a whole is refused.",
                                "additionalProperties": {},
                            }
                        }
                    },
                    "description": "Invalid input" if code == "400" else "Conflict",
                }
            else:
                responses[code] = self._get_response_for_code(serializer, code)
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "annotator.tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer <key>` (or `Token <key>`). Keys come from "
            "the admin, `manage.py create_api_token` or POST /api/v1/tokens/.",
        }
