"""The corpus: sources, documents, their snapshots, passages, the flag taxonomy and claims."""

from django.contrib import admin
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .. import moderation
from ..models import (
    Claim,
    Document,
    FlagType,
    Passage,
    Snapshot,
    Source,
)
from ..search.index import retitle
from .actions import MergeClaimsForm, ask_reason_then, reason_action
from .base import ChoiceFilter, CountsMixin, NoDeleteAdmin, ReadOnlyAdmin, short_text


@admin.register(Source)
class SourceAdmin(NoDeleteAdmin):
    list_display = ["name", "url", "document_count", "created_at"]
    search_fields = ["name", "url"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(document_count=Count("documents"))

    @admin.display(description=_("documents"), ordering="document_count")
    def document_count(self, obj):
        return obj.document_count


class PassageInline(admin.TabularInline):
    model = Passage
    fields = ["index", "start", "end"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(CountsMixin, NoDeleteAdmin):
    list_display = [
        "id",
        "title",
        "source",
        "language",
        "is_current",
        "published",
        "annotation_count",
        "created_at",
    ]
    list_display_links = ["id", "title"]
    list_filter = ["language", "is_current", "source"]
    search_fields = ["title", "origin", "url", "sha256"]
    list_select_related = ["source"]
    date_hierarchy = "created_at"
    # The body and everything derived from it are immutable: a changed text is a new revision.
    readonly_fields = [
        "body",
        "sha256",
        "origin",
        "previous",
        "is_current",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [*readonly_fields, "original"]
    fields = ["title", "source", "url", "language", "published", *readonly_fields]
    inlines = [PassageInline]

    def has_add_permission(self, request):
        return False  # documents come in through the "Add a document" page, the API or import

    @admin.display(description="snapshot")
    def original(self, obj):
        """The stored original bytes: their admin page, and the sandboxed "view original"."""
        if obj.snapshot_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">view original</a>',
            reverse("admin:annotator_snapshot_change", args=[obj.snapshot_id]),
            str(obj.snapshot),
            reverse("document-original", args=[obj.pk]),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "title" in form.changed_data:
            retitle(obj)  # the search index finds the title as it is now


@admin.register(Snapshot)
class SnapshotAdmin(ReadOnlyAdmin):
    """The original bytes as received: immutable, so read-only and never deleted here."""

    list_display = ["id", "short_sha256", "media_type", "size", "filename", "url", "captured_at"]
    list_filter = ["media_type"]
    search_fields = ["sha256", "filename", "url"]
    date_hierarchy = "captured_at"
    # Not ``file``: the admin would link the raw bytes from this site's origin; "view original"
    # serves them sandboxed instead (Content-Security-Policy: sandbox, nosniff).
    fields = [
        "sha256",
        "media_type",
        "size",
        "captured_at",
        "filename",
        "url",
        "stored_as",
        "documents_from_it",
    ]
    readonly_fields = fields

    @admin.display(description="SHA-256", ordering="sha256")
    def short_sha256(self, obj):
        return obj.sha256[:16] + "…"

    @admin.display(description="stored as")
    def stored_as(self, obj):
        return obj.file.name

    @admin.display(description="documents")
    def documents_from_it(self, obj):
        documents = obj.documents.only("id", "title").order_by("id")
        if not documents:
            return "—"
        return format_html_join(
            mark_safe("<br>"),  # noqa: S308 (a constant)
            '<a href="{}">#{} {}</a> · <a href="{}">view original</a>',
            (
                (
                    reverse("admin:annotator_document_change", args=[d.pk]),
                    d.pk,
                    short_text(d.title),
                    reverse("document-original", args=[d.pk]),
                )
                for d in documents
            ),
        )


@admin.register(Passage)
class PassageAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "document", "index", "start", "end"]
    list_select_related = ["document"]
    search_fields = ["document__title"]
    fields = ["document", "index", "start", "end", "text"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__body")

    @admin.display(description=_("text"))
    def text(self, obj):
        return obj.document.body[obj.start : obj.end]


@admin.register(FlagType)
class FlagTypeAdmin(CountsMixin, NoDeleteAdmin):
    list_display = [
        "slug",
        "label",
        "label_zh_hant",
        "label_zh_hans",
        "is_active",
        "requires_evidence",
        "sort_order",
        "annotation_count",
    ]
    list_filter = ["is_active", "requires_evidence"]
    search_fields = ["slug", "label", "label_zh_hant", "label_zh_hans", "description"]
    actions = ["retire_selected", "restore_selected"]
    # Each interface language's label and description (docs/web-ui.md, "Languages"); an empty
    # translation shows the English.
    fieldsets = [
        (None, {"fields": ["slug", "is_active", "requires_evidence", "sort_order"]}),
        ("English", {"fields": ["label", "description"]}),
        ("繁體中文", {"fields": ["label_zh_hant", "description_zh_hant"]}),
        ("简体中文", {"fields": ["label_zh_hans", "description_zh_hans"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # The slug is stored in history snapshots and consensus: it never changes once made.
        return ["slug", "is_active"] if obj is not None else ["is_active"]

    def has_retire_permission(self, request):
        return request.user.has_perm(moderation.PERMISSION_RETIRE)

    retire_selected = reason_action(
        "retire_selected",
        function=moderation.retire_flag,
        description=_("Retire selected flag types"),
        permission="retire",
        title=_("Retire flag types"),
        done=_("Retired {count} flag type(s)."),
    )

    restore_selected = reason_action(
        "restore_selected",
        function=moderation.restore_flag,
        description=_("Restore selected flag types"),
        permission="retire",
        title=_("Restore flag types"),
        done=_("Restored {count} flag type(s)."),
    )


class MergedFilter(ChoiceFilter):
    title = "merge state"
    parameter_name = "merged"
    options = {
        "no": ("Canonical", Q(merged_into__isnull=True)),
        "yes": ("Merged into another claim", Q(merged_into__isnull=False)),
    }


@admin.register(Claim)
class ClaimAdmin(CountsMixin, NoDeleteAdmin):
    list_display = ["id", "short_text", "language", "merged_into", "annotation_count", "created_by"]
    list_display_links = ["id", "short_text"]
    list_filter = [MergedFilter, "language"]
    search_fields = ["text"]
    list_select_related = ["merged_into", "created_by"]
    readonly_fields = ["merged_into", "created_by", "created_at", "updated_at"]
    actions = ["merge_selected"]

    @admin.display(description=_("text"))
    def short_text(self, obj):
        return short_text(obj.text, 80)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_merge_permission(self, request):
        return request.user.has_perm(moderation.PERMISSION_MERGE)

    @admin.action(
        description=_("Merge selected duplicates into another claim"), permissions=["merge"]
    )
    def merge_selected(self, request, queryset):
        def apply(duplicates, data):
            into = data["into"]
            merged = [claim for claim in duplicates if claim.pk != into.pk]
            if not merged:
                raise moderation.ModerationError(
                    "Select at least one claim other than the survivor."
                )
            for duplicate in merged:
                moderation.merge_claims(
                    duplicate, into=into, moderator=request.user, reason=data["reason"]
                )
            return f"Merged {len(merged)} claim(s) into #{into.pk}."

        return ask_reason_then(
            self,
            request,
            queryset,
            action="merge_selected",
            title=_("Merge duplicate claims"),
            apply=apply,
            form_class=MergeClaimsForm,
        )
