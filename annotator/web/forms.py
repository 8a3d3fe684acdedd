"""Forms of the reviewer web UI."""

from django import forms

from ..models import Document, Source
from .progress import DOCUMENT_STATUSES


class DocumentFilterForm(forms.Form):
    """Search and filters of the dashboard (all optional, sent with GET)."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    source = forms.ModelChoiceField(
        label="Source", queryset=Source.objects.all(), required=False, empty_label="All sources"
    )
    language = forms.ChoiceField(label="Language", required=False)
    status = forms.ChoiceField(
        label="Consensus",
        required=False,
        choices=[("", "Any status"), *DOCUMENT_STATUSES.items()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        languages = (
            Document.objects.current()
            .order_by("language")
            .values_list("language", flat=True)
            .distinct()
        )
        self.fields["language"].choices = [("", "All languages")] + [
            (code, code) for code in languages
        ]
