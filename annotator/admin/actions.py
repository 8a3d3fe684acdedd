"""The shared "ask for a reason, then apply" step behind every moderation action."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from .. import moderation
from ..models import (
    Claim,
    FlagType,
    Reliability,
)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text=_("Recorded in the audit log with your name."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason.")
        return reason


class MergeClaimsForm(ReasonForm):
    into = forms.ModelChoiceField(
        queryset=Claim.objects.filter(merged_into__isnull=True),
        label=_("Surviving claim"),
        help_text=_("The selected duplicates' annotations move to this claim."),
    )
    field_order = ["into", "reason"]


def _flag_choices():
    return [(flag.slug, f"{flag.slug} — {flag.label}") for flag in FlagType.objects.all()]


NO_RATING = "none"


def _final_rating(value: str) -> int | None:
    return None if value == NO_RATING else int(value)


class AdjudicationForm(ReasonForm):
    """The moderator's decision. The rating has no default: a moderator who only types a reason
    must not confirm a value they never chose, so "no rating" is an explicit choice too."""

    reliability = forms.TypedChoiceField(
        choices=[
            ("", "— choose —"),
            (NO_RATING, "No rating (flags only)"),
            *((str(value), f"{value} · {label}") for value, label in Reliability.choices),
        ],
        coerce=_final_rating,
        required=True,
        label=_("Final rating"),
        error_messages={"required": "Choose a final rating, or choose “No rating”."},
    )
    flags = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple, label=_("Final flags")
    )
    field_order = ["reliability", "flags", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flags"].choices = _flag_choices()


def ask_reason_then(
    modeladmin,
    request,
    queryset,
    *,
    action: str,
    title: str,
    apply,
    form_class=ReasonForm,
):
    """Admin action step: show a reason form for the selected objects, then ``apply`` it.

    ``apply(objects, cleaned_data)`` returns a success message. Moderation errors and
    permission refusals become error messages; nothing is changed in that case.
    """
    objects = list(queryset)
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    message = apply(objects, form.cleaned_data)
            except (moderation.ModerationError, PermissionDenied, ValueError) as error:
                modeladmin.message_user(request, str(error), messages.ERROR)
            else:
                modeladmin.message_user(request, message, messages.SUCCESS)
            return None
    else:
        form = form_class()
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "form": form,
        "objects": objects,
        "action": action,
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/annotator/reason_form.html", context)


def reason_action(name, *, function, description: str, permission: str, title: str, done: str):
    """An admin action that asks for a reason, then calls ``function`` on each selected object.

    ``function(obj, moderator=..., reason=...)`` is a moderation function; ``done`` is the
    success message, formatted with ``count``.
    """

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin, request, queryset):
        def apply(objects, data):
            for obj in objects:
                function(obj, moderator=request.user, reason=data["reason"])
            return done.format(count=len(objects))

        return ask_reason_then(modeladmin, request, queryset, action=name, title=title, apply=apply)

    action.__name__ = name
    return action


def bulk_reason_action(
    name, *, function, description: str, permission: str, title: str, done: str, skipped: str
):
    """Like ``reason_action``, for a moderation function that takes every selected object at
    once and returns those it changed (``hide_annotations``).

    ``done`` is formatted with ``count`` (changed) and ``note``, which names how many were left
    alone and why (``skipped``, e.g. "were not active").
    """

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin, request, queryset):
        def apply(objects, data):
            changed = function(objects, moderator=request.user, reason=data["reason"])
            left = len(objects) - len(changed)
            note = f" ({left} {skipped} and were left alone)" if left else ""
            return done.format(count=len(changed), note=note)

        return ask_reason_then(modeladmin, request, queryset, action=name, title=title, apply=apply)

    action.__name__ = name
    return action
