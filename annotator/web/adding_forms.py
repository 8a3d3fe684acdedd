"""Forms of the "Add a document" page: the first step (what to take in) and the preview step."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..ingest.extract import ACCEPTED


class DocumentAddForm(forms.Form):
    """Paste text, upload a file or give a URL to fetch; the other fields are optional."""

    body = forms.CharField(
        label=_("Paste text"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    file = forms.FileField(
        label=_("Or upload a file"),
        required=False,
        help_text=format_lazy(
            _("Accepted: {formats} (.jsonl: one document per line)"), formats=ACCEPTED
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED.replace(" ", "")}),
    )
    fetch_url = forms.CharField(label=_("Or fetch a URL"), required=False, max_length=2000)
    title = forms.CharField(label=_("Title"), required=False, max_length=500)
    source = forms.CharField(label=_("Source"), required=False, max_length=200)
    url = forms.CharField(label=_("URL of the original"), required=False, max_length=2000)
    language = forms.CharField(
        label=_("Language"), required=False, max_length=35, help_text=_("BCP 47, e.g. en, zh-Hant")
    )
    published = forms.CharField(
        label=_("Published"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, fetch_enabled: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not fetch_enabled:
            del self.fields["fetch_url"]

    def clean(self):
        data = super().clean()
        given = [name for name in ("body", "file", "fetch_url") if data.get(name) not in (None, "")]
        if len(given) != 1:
            raise forms.ValidationError(
                _("Paste a text, upload a file or give a URL: one of them.")
            )
        data["way"] = given[0]
        return data


class DocumentSaveForm(forms.Form):
    """The preview's corrections; ``token`` says (signed) which previewed bytes to store."""

    token = forms.CharField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), required=False, max_length=500)
    source = forms.CharField(label=_("Source"), required=False, max_length=200)
    language = forms.CharField(label=_("Language"), required=False, max_length=35)
    url = forms.CharField(label=_("URL of the original"), required=False, max_length=2000)
    published = forms.CharField(
        label=_("Published"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
