"""Query filters of the list and export endpoints (django-filter)."""

from datetime import UTC

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from annotator.campaigns.queue import in_campaign
from annotator.models import (
    Annotation,
    AnnotationStatus,
    Claim,
    Consensus,
    ConsensusStatus,
    Document,
    ModerationAction,
    Suggestion,
)
from annotator.visibility import consensus_involving

from .params import EMPTY_MESSAGE, MAX_ID, boolean_or_none


class FilterSet(filters.FilterSet):
    """A FilterSet whose form class is built once per class instead of on every request.

    django-filter assembles a new form class for each FilterSet instance, about a quarter of
    a millisecond per list request. Our filters' form fields depend on nothing request-specific
    (no querysets, no user), and Django copies a form class's fields for each form instance.
    """

    def is_valid(self):
        """Also refuse a filter sent empty (``?document=``), except text ones: the schema says
        an integer, a date-time or a boolean, and django-filter would read "" as "no filter"."""
        valid = super().is_valid()
        for name, value in self.data.items():
            declared = self.filters.get(name)
            if value == "" and declared and not isinstance(declared, filters.CharFilter):
                self.form.add_error(name, EMPTY_MESSAGE)
                valid = False
        return valid

    def get_form_class(self):
        form_class = type(self).__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            type(self)._form_class = form_class
        return form_class


class IdField(forms.IntegerField):
    """A row id: a positive bigint (larger numbers cannot name a row)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(filters.NumberFilter):
    """An integer id (NumberFilter accepts decimals, which make no sense for ids)."""

    field_class = IdField


class StrictBooleanField(forms.Field):
    """true/false (1/0, yes/no, on/off); anything else is an error, not "no filter"."""

    def to_python(self, value):
        try:
            return boolean_or_none(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None


@extend_schema_field({"type": "number", "minimum": 1, "maximum": 5})
class RatingFilter(filters.NumberFilter):
    """A bound on the 1-5 reliability scale (a median may be fractional, e.g. 2.5)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 5)
        super().__init__(*args, **kwargs)


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


class UtcIsoDateTimeField(IsoDateTimeField):
    """ISO 8601 date-time, converted to UTC (PostgreSQL refuses odd offsets like +20:41)."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed, UTC)
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Date-time out of range.", code="invalid") from None


class SinceFilter(filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class AnnotationFilter(FilterSet):
    document = IdFilter(field_name="document_id")
    passage = IdFilter(field_name="passage_id")
    source = IdFilter(field_name="document__source_id")
    language = filters.CharFilter(field_name="document__language", max_length=35)
    reviewer = IdFilter(field_name="reviewer_id")
    claim = IdFilter(field_name="claim_id")
    flag = filters.CharFilter(method="filter_flag", max_length=64, help_text="A flag slug")
    status = filters.ChoiceFilter(choices=AnnotationStatus.choices)
    rating_min = RatingFilter(field_name="reliability", lookup_expr="gte")
    rating_max = RatingFilter(field_name="reliability", lookup_expr="lte")
    updated_since = SinceFilter(field_name="updated_at", lookup_expr="gte")
    campaign = IdFilter(method="filter_campaign", help_text="Documents of this campaign")

    class Meta:
        model = Annotation
        fields = []

    def filter_campaign(self, queryset, name, value):
        return in_campaign(queryset, value)

    def filter_flag(self, queryset, name, value):
        through = Annotation.flags.through
        return queryset.filter(
            Exists(through.objects.filter(annotation_id=OuterRef("pk"), flagtype__slug=value))
        )


class ConsensusFilter(FilterSet):
    kind = filters.ChoiceFilter(choices=Consensus.Kind.choices)
    document = IdFilter(field_name="document_id")
    passage = IdFilter(field_name="passage_id")
    claim = IdFilter(field_name="claim_id")
    source = IdFilter(field_name="document__source_id")
    language = filters.CharFilter(field_name="document__language", max_length=35)
    reviewer = IdFilter(method="filter_reviewer", help_text="Groups this reviewer annotated")
    flag = filters.CharFilter(method="filter_flag", max_length=64, help_text="Raised by anyone")
    status = filters.ChoiceFilter(choices=ConsensusStatus.choices)
    rating_min = RatingFilter(field_name="median_reliability", lookup_expr="gte")
    rating_max = RatingFilter(field_name="median_reliability", lookup_expr="lte")
    updated_since = SinceFilter(field_name="updated_at", lookup_expr="gte")
    campaign = IdFilter(method="filter_campaign", help_text="Documents of this campaign")

    class Meta:
        model = Consensus
        fields = []

    def filter_reviewer(self, queryset, name, value):
        return consensus_involving(queryset, value)

    def filter_campaign(self, queryset, name, value):
        return in_campaign(queryset, value)

    def filter_flag(self, queryset, name, value):
        return queryset.filter(flag_support__has_key=value)


class ClaimFilter(FilterSet):
    search = filters.CharFilter(field_name="text", lookup_expr="icontains", max_length=500)
    language = filters.CharFilter(max_length=35)
    updated_since = SinceFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Claim
        fields = []


class DocumentFilter(FilterSet):
    source = IdFilter(field_name="source_id")
    language = filters.CharFilter(max_length=35)
    current = StrictBooleanFilter(field_name="is_current")
    search = filters.CharFilter(field_name="title", lookup_expr="icontains", max_length=500)
    updated_since = SinceFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Document
        fields = []


class SuggestionFilter(FilterSet):
    document = IdFilter(field_name="document_id")
    flag = filters.CharFilter(field_name="flag__slug", max_length=64)
    detector = filters.CharFilter(max_length=64)

    class Meta:
        model = Suggestion
        fields = []


class ModerationActionFilter(FilterSet):
    action = filters.CharFilter(max_length=64)
    actor = IdFilter(field_name="actor_id")
    target_type = filters.CharFilter(max_length=64)
    target_id = filters.CharFilter(max_length=64)
    since = SinceFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = ModerationAction
        fields = []
