"""/api/v1/notifications/: your notifications, unread count, mark as read."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from annotator.api.views import ApiViewMixin
from annotator.validators import MAX_ID

from .models import Notification

LIMIT = 50


def present(row: Notification) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "title": row.title,
        "url": row.url,
        "created_at": row.created_at,
        "read": row.read_at is not None,
    }


class NotificationsView(ApiViewMixin, APIView):
    @extend_schema(
        summary="Your latest notifications and unread count", responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request):
        mine = Notification.objects.filter(recipient=request.user)
        return Response(
            {
                "unread": mine.filter(read_at__isnull=True).count(),
                "results": [present(row) for row in mine[:LIMIT]],
            }
        )


class NotificationsReadView(ApiViewMixin, APIView):
    @extend_schema(
        summary="Mark notifications read: {'ids': [...]} or all when ids is absent",
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": ['Send a JSON object, e.g. {"ids": [1]}.']})
        data = request.data
        rows = Notification.objects.filter(recipient=request.user, read_at__isnull=True)
        if "ids" in data:
            ids = data["ids"]
            if not isinstance(ids, list) or not all(
                isinstance(i, int) and not isinstance(i, bool) and 0 < i <= MAX_ID for i in ids
            ):
                raise ValidationError({"ids": ["A list of notification ids."]})
            rows = rows.filter(pk__in=ids)
        return Response({"marked": rows.update(read_at=timezone.now())})
