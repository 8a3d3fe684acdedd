"""The campaign form of the web UI; the rules are checked by ``lifecycle.create_campaign``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from annotator.models import Document, User

from .rules import REVIEWER_GROUP


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    documents = forms.ModelMultipleChoiceField(
        label=_("Documents"),
        queryset=Document.objects.current().defer("body").order_by("title"),
        widget=forms.CheckboxSelectMultiple,
    )
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        queryset=User.objects.filter(is_active=True, groups__name=REVIEWER_GROUP)
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

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "documents": [document.pk for document in data["documents"]],
            "reviewers": [user.username for user in data["reviewers"]],
            "overlap": data["overlap"],
            "quorum": data["quorum"],
            "due": data["due"],
            "blind_review": data["blind_review"],
        }
