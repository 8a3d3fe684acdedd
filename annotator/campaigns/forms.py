"""The campaign form of the web UI; the rules are checked by ``lifecycle.create_campaign``."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from annotator import roles
from annotator.models import Document, Source, User


class DocumentsForm(forms.Form):
    """Documents chosen by hand, by a filter (source, language, published between), or both:
    the web side of the API's ``documents`` and ``document_filter``. What a filter matches,
    and what is refused, is ``lifecycle``'s alone."""

    documents = forms.ModelMultipleChoiceField(
        label=_("Documents"),
        queryset=Document.objects.current().defer("body").order_by("title"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    source = forms.ModelChoiceField(
        label=_("Source"),
        queryset=Source.objects.order_by("name"),
        required=False,
        empty_label=_("any"),
    )
    language = forms.CharField(
        label=_("Language"), max_length=35, required=False, widget=forms.Select
    )
    published_from = forms.DateField(
        label=_("Published from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    published_to = forms.DateField(
        label=_("Published to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    FILTER_FIELDS = ("source", "language", "published_from", "published_to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        languages = (
            Document.objects.current()
            .exclude(language="")
            .order_by("language")
            .values_list("language", flat=True)
            .distinct()
        )
        self.fields["language"].widget.choices = [("", gettext("any"))] + [
            (tag, tag) for tag in languages
        ]

    def document_arguments(self) -> dict:
        data = self.cleaned_data
        chosen = {name: data[name] for name in self.FILTER_FIELDS if data.get(name)}
        if "source" in chosen:
            chosen["source"] = chosen["source"].pk
        return {
            "documents": [document.pk for document in data["documents"]],
            "document_filter": chosen or None,
        }


class CampaignForm(DocumentsForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=User.objects.filter(is_active=True, groups__name=roles.REVIEWER)
        .distinct()
        .order_by("username"),
        to_field_name="username",
        widget=forms.CheckboxSelectMultiple,
    )
    overlap = forms.IntegerField(label=_("Overlap"), min_value=1, max_value=100, initial=2)
    quorum = forms.IntegerField(label=_("Quorum"), min_value=1, max_value=100, required=False)
    due = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    blind_review = forms.BooleanField(label=_("Blind review"), required=False, initial=True)

    field_order = ["name", "description", "documents", *DocumentsForm.FILTER_FIELDS]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            **self.document_arguments(),
            "reviewers": [user.username for user in data["reviewers"]],
            "overlap": data["overlap"],
            "quorum": data["quorum"],
            "due": data["due"],
            "blind_review": data["blind_review"],
        }


class ReassignForm(forms.Form):
    """Move one open assignment by hand. The lists to pick from come from the campaign (its
    pool, the ``from`` reviewer's open assignments); every rule — pool membership, an open
    and undone assignment, a reason — is checked by ``lifecycle.reassign`` alone."""

    # The domain's error keys → this form's fields.
    FIELDS = {"from": "from_reviewer", "to": "to_reviewer", "passage": "passage"}

    from_reviewer = forms.CharField(max_length=150, widget=forms.HiddenInput)
    passage = forms.IntegerField(label=_("Passage"), min_value=1, widget=forms.Select)
    to_reviewer = forms.CharField(max_length=150, label=_("To"), widget=forms.Select)
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, members, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_reviewer"].widget.choices = [("", "—")] + [(n, n) for n in members]
        regular = gettext("%(title)s — passage %(number)s")
        tie_breaker = gettext("%(title)s — passage %(number)s (tie-breaker)")
        self.fields["passage"].widget.choices = [
            (
                row.passage_id,
                (tie_breaker if row.kind == "tie-breaker" else regular)
                % {"title": row.document.title, "number": row.position + 1},
            )
            for row in assignments
        ]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "passage_id": data["passage"],
            "from_username": data["from_reviewer"],
            "to_username": data["to_reviewer"],
            "reason": data["reason"],
        }
