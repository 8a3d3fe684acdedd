"""Machine suggestions and reviewers' decisions on them (read-only)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import (
    Suggestion,
    SuggestionDecision,
)
from .base import ReadOnlyAdmin, short_text


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ["id", "detector", "flag", "quote", "document", "confidence", "created_at"]
    list_filter = ["detector", "flag", "document__language"]
    search_fields = ["exact", "reason", "document__title"]
    list_select_related = ["flag", "document"]
    readonly_fields = [
        "document",
        "start",
        "end",
        "exact",
        "flag",
        "detector",
        "reason",
        "confidence",
        "created_at",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__body")

    @admin.display(description=_("quote"))
    def quote(self, obj):
        return short_text(obj.exact, 50)


@admin.register(SuggestionDecision)
class SuggestionDecisionAdmin(ReadOnlyAdmin):
    list_display = ["id", "suggestion", "reviewer", "decision", "annotation_id", "decided_at"]
    list_filter = ["decision", "suggestion__detector"]
    search_fields = ["reviewer__username", "suggestion__exact"]
    list_select_related = ["suggestion", "reviewer"]
