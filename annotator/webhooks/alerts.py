"""Tell administrators when an endpoint was disabled (a job: never in the delivery loop)."""

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q
from django_tasks import task

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
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    recipients = [user.email for user in administrators() if user.email]
    if recipients:
        send_mail(
            f"Webhook endpoint disabled: {endpoint.url}",
            f"{endpoint.disabled_reason}\n\nRe-enable it in the admin once the receiver works "
            "again; pending deliveries resume then.",
            None,
            recipients,
        )
    return len(recipients)
