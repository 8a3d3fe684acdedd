"""POST/GET /api/v1/webhooks/: administrators register endpoints; the secret is shown once."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.api.views import ApiViewMixin

from .models import WebhookEndpoint
from .services import may_manage, register_endpoint

_ENDPOINT = inline_serializer(
    "WebhookEndpoint",
    {
        "id": serializers.IntegerField(),
        "url": serializers.URLField(),
        "events": serializers.ListField(child=serializers.CharField()),
        "description": serializers.CharField(),
        "is_active": serializers.BooleanField(),
        "consecutive_failures": serializers.IntegerField(),
        "created_at": serializers.DateTimeField(),
    },
)


def present(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": endpoint.pk,
        "url": endpoint.url,
        "events": endpoint.events,
        "description": endpoint.description,
        "is_active": endpoint.is_active,
        "consecutive_failures": endpoint.consecutive_failures,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": endpoint.created_at,
    }


class WebhookEndpointsView(ApiViewMixin, APIView):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not may_manage(request.user):
            raise PermissionDenied("Only administrators may manage webhook endpoints.")

    @extend_schema(summary="Webhook endpoints", responses={200: _ENDPOINT})
    def get(self, request):
        return Response([present(endpoint) for endpoint in WebhookEndpoint.objects.all()])

    @extend_schema(
        summary="Register a webhook endpoint; the signing secret is in this response only",
        request=inline_serializer(
            "WebhookEndpointCreate",
            {
                "url": serializers.URLField(),
                "events": serializers.ListField(child=serializers.CharField()),
                "description": serializers.CharField(required=False),
            },
        ),
        responses={201: _ENDPOINT},
    )
    def post(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        endpoint = register_endpoint(
            owner=request.user,
            url=data.get("url"),
            events=data.get("events"),
            description=data.get("description", ""),
        )
        return Response(
            {**present(endpoint), "secret": endpoint.secret}, status=status.HTTP_201_CREATED
        )
