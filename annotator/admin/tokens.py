"""API tokens: created with the key shown once, revoked with an audit record."""

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from ..audit import record_action
from ..errors import AnnotationInputError
from ..models import (
    ApiToken,
)
from ..tokens import check_token_cap, create_token, revoke_token
from .actions import ask_reason_then
from .base import NoDeleteAdmin


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "scope"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        try:
            check_token_cap(user)
        except AnnotationInputError as error:
            raise forms.ValidationError(error.errors["user"]) from None
        return user


@admin.register(ApiToken)
class ApiTokenAdmin(NoDeleteAdmin):
    list_display = [
        "name",
        "user",
        "scope",
        "key_prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username", "key_prefix"]
    list_select_related = ["user"]
    actions = ["revoke_selected"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiTokenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "scope"]
        return ["user", "name", "scope", "key_prefix", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return  # tokens are never edited, only revoked
        token, key = create_token(obj.user, obj.name, obj.scope)
        obj.pk = token.pk
        obj.__dict__.update(
            {f.attname: getattr(token, f.attname) for f in ApiToken._meta.concrete_fields}
        )
        obj._state.adding = False
        request._new_api_key = key

    def response_add(self, request, obj, post_url_continue=None):
        key = getattr(request, "_new_api_key", None)
        if key is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": "API token created",
            "opts": self.model._meta,
            "token": obj,
            "key": key,
        }
        response = TemplateResponse(request, "admin/annotator/apitoken/key_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    def has_revoke_permission(self, request):
        return request.user.has_perm("annotator.change_apitoken")

    @admin.action(description=_("Revoke selected tokens"), permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        def apply(tokens, data):
            live = [token for token in tokens if token.revoked_at is None]
            for token in live:
                revoke_token(token)
                record_action(
                    actor=request.user, action="token.revoke", target=token, reason=data["reason"]
                )
            return f"Revoked {len(live)} token(s)."

        return ask_reason_then(
            self,
            request,
            queryset,
            action="revoke_selected",
            title=_("Revoke API tokens"),
            apply=apply,
        )
