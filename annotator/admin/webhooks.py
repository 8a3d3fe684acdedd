"""Webhook endpoints (registered here or through the API) and their delivery log."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..errors import AnnotationInputError
from ..webhooks.models import EVENT_TYPES, WebhookDelivery, WebhookEndpoint
from ..webhooks.services import clean_url, register_endpoint
from .base import NoDeleteAdmin, ReadOnlyAdmin


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=[(name, name) for name in EVENT_TYPES], widget=forms.CheckboxSelectMultiple
    )

    url = forms.URLField(max_length=2000, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "description", "events", "is_active"]

    def clean_url(self):
        try:
            return clean_url(self.cleaned_data["url"])
        except AnnotationInputError as error:
            raise ValidationError(error.errors["url"]) from None


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(NoDeleteAdmin):
    form = WebhookEndpointForm
    list_display = [
        "url",
        "owner",
        "is_active",
        "consecutive_failures",
        "disabled_at",
        "created_at",
    ]
    list_filter = ["is_active"]
    readonly_fields = ["owner", "consecutive_failures", "disabled_at", "disabled_reason"]

    def save_model(self, request, obj, form, change):
        if change:
            if obj.is_active and "is_active" in form.changed_data:
                obj.consecutive_failures = 0  # re-enabled: start counting again
                obj.disabled_at, obj.disabled_reason = None, ""
            super().save_model(request, obj, form, change)
            return
        endpoint = register_endpoint(
            owner=request.user,
            url=obj.url,
            events=list(form.cleaned_data["events"]),
            description=obj.description,
        )
        obj.pk, obj.secret, obj.owner = endpoint.pk, endpoint.secret, endpoint.owner
        obj._state.adding = False
        messages.warning(
            request,
            f"Signing secret (shown once; store it in the receiver): {endpoint.secret}",
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "endpoint",
        "event_type",
        "status",
        "attempts",
        "last_status_code",
        "last_latency_ms",
        "next_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "endpoint"]
    list_select_related = ["endpoint", "event"]
    search_fields = ["event__msg_id"]

    @admin.display(description=_("event"))
    def event_type(self, obj):
        return obj.event.type
