"""Annotations and their history: read-only, hidden and unhidden with a reason."""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import moderation
from ..models import (
    Annotation,
    AnnotationRevision,
)
from .actions import bulk_reason_action
from .base import ChoiceFilter, ReadOnlyAdmin, short_text


def describe_changes(revision: AnnotationRevision) -> str:
    """``field: before → after`` for each field a revision changed."""
    before, after = revision.before or {}, revision.after or {}
    if not before:
        return "created"
    changed = [key for key in after if key != "version" and before.get(key) != after.get(key)]
    return "; ".join(f"{key}: {before.get(key)!r} → {after.get(key)!r}" for key in changed) or "—"


class AnnotationRevisionInline(admin.TabularInline):
    model = AnnotationRevision
    fields = ["version", "action", "changed_by", "changed_at", "changes"]
    readonly_fields = fields
    ordering = ["version", "id"]
    extra = 0
    can_delete = False
    verbose_name_plural = "history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("changes (before → after)"))
    def changes(self, obj):
        return describe_changes(obj)


class EvidenceFilter(ChoiceFilter):
    title = "evidence"
    parameter_name = "evidence"
    options = {
        "none": ("No evidence", Q(evidence=[])),
        "some": ("Has evidence", ~Q(evidence=[])),
    }


@admin.register(Annotation)
class AnnotationAdmin(ReadOnlyAdmin):
    """Annotations change only through their authors (the write path) and moderation actions."""

    list_display = [
        "id",
        "quote",
        "document",
        "reviewer",
        "reliability",
        "flag_list",
        "status",
        "evidence_count",
        "claim_id",
        "version",
        "updated_at",
    ]
    list_display_links = ["id", "quote"]
    list_filter = [
        "status",
        "flags",
        "reliability",
        EvidenceFilter,
        "document__language",
        "document__source",
        ("reviewer", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["exact", "note", "reviewer__username", "document__title", "claim__text"]
    list_select_related = ["document", "reviewer"]
    date_hierarchy = "updated_at"
    fields = [
        "document",
        "passage",
        "reviewer",
        "start",
        "end",
        "prefix",
        "exact",
        "suffix",
        "reliability",
        "flag_list",
        "note",
        "evidence",
        "claim",
        "suggestion",
        "status",
        "version",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [AnnotationRevisionInline]
    actions = ["hide_selected", "unhide_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__body").prefetch_related("flags")

    @admin.display(description=_("quote"))
    def quote(self, obj):
        return short_text(obj.exact, 50)

    @admin.display(description=_("flags"))
    def flag_list(self, obj):
        return ", ".join(flag.slug for flag in obj.flags.all()) or "—"

    @admin.display(description=_("evidence"))
    def evidence_count(self, obj):
        return len(obj.evidence or [])

    def has_hide_permission(self, request):
        return request.user.has_perm(moderation.PERMISSION_HIDE)

    hide_selected = bulk_reason_action(
        "hide_selected",
        function=moderation.hide_annotations,
        description=_("Hide selected annotations"),
        permission="hide",
        title=_("Hide annotations"),
        done="Hid {count} annotation(s){note}.",
        skipped="were not active",
    )

    unhide_selected = bulk_reason_action(
        "unhide_selected",
        function=moderation.unhide_annotations,
        description=_("Unhide selected annotations"),
        permission="hide",
        title=_("Unhide annotations"),
        done="Unhid {count} annotation(s){note}.",
        skipped="were not hidden",
    )


@admin.register(AnnotationRevision)
class AnnotationRevisionAdmin(ReadOnlyAdmin):
    list_display = ["annotation_id", "version", "action", "changed_by", "changed_at", "changes"]
    list_filter = ["action", ("changed_by", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["annotation__exact", "changed_by__username", "=annotation__id"]
    list_select_related = ["changed_by"]
    date_hierarchy = "changed_at"
    fields = ["annotation", "version", "action", "changed_by", "changed_at", "before", "after"]
    readonly_fields = fields

    @admin.display(description=_("changes (before → after)"))
    def changes(self, obj):
        return describe_changes(obj)
