"""Tell administrators when an endpoint was disabled (a job: never in the delivery loop)."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_noop
from django_tasks import task

from annotator.notifications import services
from annotator.notifications.models import Kind

from .models import WebhookEndpoint


def administrators():
    users = get_user_model().objects.filter(is_active=True)
    return users.filter(
        Q(is_superuser=True)
        | Q(user_permissions__codename="change_webhookendpoint")
        | Q(groups__permissions__codename="change_webhookendpoint")
    ).distinct()


@task()
def endpoint_disabled(endpoint_id: int) -> int:
    """An in-app notification for each administrator, and an email per their preference."""
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    url = reverse("admin:annotator_webhookendpoint_change", args=[endpoint.pk])
    title = gettext_noop("Webhook endpoint disabled: %(url)s — %(reason)s")
    params = {"url": endpoint.url, "reason": endpoint.disabled_reason}
    admins = administrators().values_list("pk", flat=True)
    return len(services.create(Kind.WEBHOOK_DISABLED, admins, title, url, params))
