"""Fact-checks in the admin: publish a claim's verdict, see what is published, retract.

The admin only routes: publishing and retracting go through annotator.factchecks.publishing,
exactly as the API's ``/claims/{id}/publication/`` does (same rules, same audit records).
"""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from annotator.errors import AnnotationInputError, NotAllowedError
from annotator.factchecks.publishing import (
    PublicationConflict,
    publish_fact_check,
    retract_fact_check,
)
from annotator.models import Claim, FactCheck

from .actions import ask_reason_then
from .base import NoDeleteAdmin


class PublishForm(forms.ModelForm):
    claim = forms.ModelChoiceField(queryset=Claim.objects.filter(merged_into__isnull=True))
    headline = forms.CharField(max_length=200, help_text=_("≤ 75 characters advised (Google)"))
    summary = forms.CharField(widget=forms.Textarea)
    rating_text = forms.CharField(max_length=100, required=False)

    class Meta:
        model = FactCheck
        fields = ["claim", "headline", "summary", "rating_text"]

    def __init__(self, *args, moderator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.moderator = moderator
        self.published = None

    def _post_clean(self):
        """No model validation: the row is written by ``publish_fact_check`` in ``clean``."""

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.published = publish_fact_check(
                data["claim"],
                moderator=self.moderator,
                headline=data["headline"],
                summary=data["summary"],
                rating_text=data.get("rating_text") or None,
            )
        except AnnotationInputError as error:
            for field, problems in error.errors.items():
                self.add_error(field if field in self.fields else None, problems)
        except (PublicationConflict, NotAllowedError) as error:
            self.add_error(None, str(error))
        return data


@admin.register(FactCheck)
class FactCheckAdmin(NoDeleteAdmin):
    list_display = ["headline", "claim", "rating_text", "published_at", "retracted_at"]
    list_filter = [("retracted_at", admin.EmptyFieldListFilter)]
    search_fields = ["headline", "claim__text", "slug"]
    actions = ["retract"]
    readonly_fields = [
        "claim", "slug", "headline", "summary", "rating_text", "rating_value",
        "consensus_status", "reasoning", "evidence", "appearances", "published_by",
        "published_at", "retracted_at", "updated_at",
    ]  # fmt: skip

    def _moderator(self, request) -> bool:
        return bool(getattr(request.user, "is_moderator", False))

    def has_module_permission(self, request):
        return self._moderator(request)

    def has_view_permission(self, request, obj=None):
        return self._moderator(request)

    def has_add_permission(self, request):
        return self._moderator(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_retract_permission(self, request):
        return self._moderator(request)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        moderator = request.user

        class BoundPublishForm(PublishForm):
            def __init__(self, *args, **inner):
                super().__init__(*args, moderator=moderator, **inner)

        return BoundPublishForm

    def save_model(self, request, obj, form, change):
        """Publishing already happened (in the form's clean, in the request's transaction)."""
        published = form.published
        obj.pk = published.fact_check.pk
        obj.__dict__.update(
            {k: v for k, v in published.fact_check.__dict__.items() if not k.startswith("_")}
        )
        for warning in published.warnings:
            self.message_user(request, warning, messages.WARNING)

    def save_related(self, request, form, formsets, change):
        pass

    @admin.action(description=_("Retract the selected fact-checks"), permissions=["retract"])
    def retract(self, request, queryset):
        def apply(objects, data):
            for fact_check in objects:
                retract_fact_check(fact_check.claim, moderator=request.user, reason=data["reason"])
            return f"Retracted {len(objects)} fact-check(s); their pages now answer 410."

        return ask_reason_then(
            self,
            request,
            queryset.filter(retracted_at__isnull=True),
            action="retract",
            title=_("Retract fact-checks"),
            apply=apply,
        )
