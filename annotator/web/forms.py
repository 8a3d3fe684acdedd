"""Forms of the reviewer web UI."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from ..models import Document, Source, User
from .progress import DOCUMENT_STATUSES


class DocumentFilterForm(forms.Form):
    """Search and filters of the dashboard (all optional, sent with GET)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    source = forms.ModelChoiceField(
        label=_("Source"),
        queryset=Source.objects.all(),
        required=False,
        empty_label=_("All sources"),
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    status = forms.ChoiceField(
        label=_("Consensus"),
        required=False,
        choices=[("", _("Any status")), *DOCUMENT_STATUSES.items()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        languages = (
            Document.objects.current()
            .order_by("language")
            .values_list("language", flat=True)
            .distinct()
        )
        self.fields["language"].choices = [("", _("All languages"))] + [
            (code, code) for code in languages
        ]


class LoginForm(AuthenticationForm):
    """Django's login form, plus a truthful message for a suspended account.

    Django's backend treats an inactive user like an unknown one, so a suspended reviewer was
    told their password was wrong. Only someone who knows the password learns of the
    suspension; everyone else still gets the generic message.
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "suspended": _(
            "This account is suspended. Contact a moderator if you think this is wrong."
        ),
    }

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            user = self._suspended_user_with_this_password()
            if user is not None:
                raise forms.ValidationError(
                    self.error_messages["suspended"], code="suspended"
                ) from None
            raise

    def _suspended_user_with_this_password(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if not username or not password:
            return None
        user = User._default_manager.filter(
            **{User.USERNAME_FIELD: username}, is_active=False
        ).first()
        if user is not None and user.check_password(password):
            return user
        return None
