"""The Django admin, customised for moderators.

Moderators read everything and change things only through moderation actions, each of which
asks for a reason (an intermediate form) and writes an audit record (see ``moderation.py``).
Document bodies, offsets, history and audit records are read-only for everyone, and nothing
that must be kept can be deleted from here.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.text import Truncator

from . import consensus as consensus_engine
from . import moderation
from .annotations import AnnotationInputError, NotAllowedError
from .audit import record_action
from .models import (
    Annotation,
    AnnotationRevision,
    ApiToken,
    Claim,
    Consensus,
    Document,
    FlagType,
    ModerationAction,
    Passage,
    Reliability,
    Source,
    Suggestion,
    SuggestionDecision,
    User,
)
from .tokens import create_token, revoke_token

admin.site.site_header = "Source reliability moderation"
admin.site.site_title = "Source reliability admin"
admin.site.index_title = "Moderation"
admin.site.index_template = "admin/annotator_index.html"
# Bulk deletion is off everywhere: things are hidden, suspended, merged or retired instead.
admin.site.disable_action("delete_selected")


def _short(text: str, length: int = 60) -> str:
    return Truncator(text or "").chars(length)


# --- Reason forms and the shared "ask for a reason, then apply" step -------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Recorded in the audit log with your name.",
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Give a reason.")
        return reason


class MergeClaimsForm(ReasonForm):
    into = forms.ModelChoiceField(
        queryset=Claim.objects.filter(merged_into__isnull=True),
        label="Surviving claim",
        help_text="The selected duplicates' annotations move to this claim.",
    )
    field_order = ["into", "reason"]


def _flag_choices():
    return [(flag.slug, f"{flag.slug} — {flag.label}") for flag in FlagType.objects.all()]


class AdjudicationForm(ReasonForm):
    reliability = forms.TypedChoiceField(
        choices=[("", "— no rating —"), *Reliability.choices],
        coerce=int,
        empty_value=None,
        required=False,
        label="Final rating",
    )
    flags = forms.MultipleChoiceField(
        choices=(), required=False, widget=forms.CheckboxSelectMultiple, label="Final flags"
    )
    field_order = ["reliability", "flags", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["flags"].choices = _flag_choices()


def ask_reason_then(
    modeladmin,
    request,
    queryset,
    *,
    action: str,
    title: str,
    apply,
    form_class=ReasonForm,
):
    """Admin action step: show a reason form for the selected objects, then ``apply`` it.

    ``apply(objects, cleaned_data)`` returns a success message. Moderation errors and
    permission refusals become error messages; nothing is changed in that case.
    """
    objects = list(queryset)
    if "apply" in request.POST:
        form = form_class(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    message = apply(objects, form.cleaned_data)
            except (moderation.ModerationError, PermissionDenied, ValueError) as error:
                modeladmin.message_user(request, str(error), messages.ERROR)
            else:
                modeladmin.message_user(request, message, messages.SUCCESS)
            return None
    else:
        form = form_class()
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "form": form,
        "objects": objects,
        "action": action,
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media + form.media,
    }
    return TemplateResponse(request, "admin/annotator/reason_form.html", context)


def reason_action(name, *, function, description: str, permission: str, title: str, done: str):
    """An admin action that asks for a reason, then calls ``function`` on each selected object.

    ``function(obj, moderator=..., reason=...)`` is a moderation function; ``done`` is the
    success message, formatted with ``count``.
    """

    @admin.action(description=description, permissions=[permission])
    def action(modeladmin, request, queryset):
        def apply(objects, data):
            for obj in objects:
                function(obj, moderator=request.user, reason=data["reason"])
            return done.format(count=len(objects))

        return ask_reason_then(modeladmin, request, queryset, action=name, title=title, apply=apply)

    action.__name__ = name
    return action


# --- Base admin classes --------------------------------------------------------------------


class NoDeleteAdmin(admin.ModelAdmin):
    """Nothing is deleted from the admin."""

    # A URL typed without a scheme means https (Django 6's default; explicit until then).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoDeleteAdmin):
    """Records nobody edits by hand: history, audit, machine output, derived data."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CountsMixin:
    """Adds ``annotation_count`` to the changelist queryset in the same query."""

    annotation_count_lookup = "annotations"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(annotation_count=Count(self.annotation_count_lookup, distinct=True))
        )

    @admin.display(description="annotations", ordering="annotation_count")
    def annotation_count(self, obj):
        return obj.annotation_count


# --- Users ---------------------------------------------------------------------------------


class ChoiceFilter(admin.SimpleListFilter):
    """A list filter whose choices each narrow the list by one condition."""

    # URL value -> (label, condition). Not "choices": SimpleListFilter has a method of that name.
    options: dict[str, tuple[str, Q]] = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.options.items()]

    def queryset(self, request, queryset):
        choice = self.options.get(self.value())
        return queryset.filter(choice[1]) if choice else queryset


class SuspendedFilter(ChoiceFilter):
    title = "suspension"
    parameter_name = "suspended"
    options = {
        "yes": ("Suspended", Q(suspended_at__isnull=False)),
        "no": ("Not suspended", Q(suspended_at__isnull=True)),
    }


@admin.register(User)
class UserAdmin(CountsMixin, DjangoUserAdmin):
    list_display = [
        "username",
        "email",
        "roles",
        "is_active",
        "suspended_at",
        "is_staff",
        "annotation_count",
        "last_login",
    ]
    list_filter = [SuspendedFilter, "is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["username", "email", "first_name", "last_name"]
    readonly_fields = [
        "is_active",
        "suspended_at",
        "suspension_reason",
        "last_login",
        "date_joined",
    ]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Suspension", {"fields": ["suspended_at", "suspension_reason"]}),
    ]
    actions = ["suspend_selected", "reinstate_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def has_delete_permission(self, request, obj=None):
        return False

    def has_suspend_permission(self, request):
        return request.user.has_perm(moderation.PERMISSION_SUSPEND)

    @admin.display(description="roles")
    def roles(self, obj):
        names = [group.name for group in obj.groups.all()]
        if obj.is_superuser:
            names.insert(0, "Admin")
        return ", ".join(names) or "—"

    suspend_selected = reason_action(
        "suspend_selected",
        function=moderation.suspend_reviewer,
        description="Suspend selected reviewers",
        permission="suspend",
        title="Suspend reviewers",
        done="Suspended {count} account(s).",
    )

    reinstate_selected = reason_action(
        "reinstate_selected",
        function=moderation.reinstate_reviewer,
        description="Reinstate selected reviewers",
        permission="suspend",
        title="Reinstate reviewers",
        done="Reinstated {count} account(s).",
    )


# --- Corpus ---------------------------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(NoDeleteAdmin):
    list_display = ["name", "url", "document_count", "created_at"]
    search_fields = ["name", "url"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(document_count=Count("documents"))

    @admin.display(description="documents", ordering="document_count")
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
    fields = ["title", "source", "url", "language", "published", *readonly_fields]
    inlines = [PassageInline]

    def has_add_permission(self, request):
        return False  # documents come in through `manage.py import_documents`


@admin.register(Passage)
class PassageAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "document", "index", "start", "end"]
    list_select_related = ["document"]
    search_fields = ["document__title"]
    fields = ["document", "index", "start", "end", "text"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__body")

    @admin.display(description="text")
    def text(self, obj):
        return obj.document.body[obj.start : obj.end]


@admin.register(FlagType)
class FlagTypeAdmin(CountsMixin, NoDeleteAdmin):
    list_display = [
        "slug",
        "label",
        "is_active",
        "requires_evidence",
        "sort_order",
        "annotation_count",
    ]
    list_filter = ["is_active", "requires_evidence"]
    search_fields = ["slug", "label", "description"]
    actions = ["retire_selected", "restore_selected"]

    def get_readonly_fields(self, request, obj=None):
        # The slug is stored in history snapshots and consensus: it never changes once made.
        return ["slug", "is_active"] if obj is not None else ["is_active"]

    def has_retire_permission(self, request):
        return request.user.has_perm(moderation.PERMISSION_RETIRE)

    retire_selected = reason_action(
        "retire_selected",
        function=moderation.retire_flag,
        description="Retire selected flag types",
        permission="retire",
        title="Retire flag types",
        done="Retired {count} flag type(s).",
    )

    restore_selected = reason_action(
        "restore_selected",
        function=moderation.restore_flag,
        description="Restore selected flag types",
        permission="retire",
        title="Restore flag types",
        done="Restored {count} flag type(s).",
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

    @admin.display(description="text")
    def short_text(self, obj):
        return _short(obj.text, 80)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_merge_permission(self, request):
        return request.user.has_perm(moderation.PERMISSION_MERGE)

    @admin.action(description="Merge selected duplicates into another claim", permissions=["merge"])
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
            title="Merge duplicate claims",
            apply=apply,
            form_class=MergeClaimsForm,
        )


# --- Annotations and their history -----------------------------------------------------------


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

    @admin.display(description="changes (before → after)")
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

    @admin.display(description="quote")
    def quote(self, obj):
        return _short(obj.exact, 50)

    @admin.display(description="flags")
    def flag_list(self, obj):
        return ", ".join(flag.slug for flag in obj.flags.all()) or "—"

    @admin.display(description="evidence")
    def evidence_count(self, obj):
        return len(obj.evidence or [])

    def has_hide_permission(self, request):
        return request.user.has_perm(moderation.PERMISSION_HIDE)

    @admin.action(description="Hide selected annotations", permissions=["hide"])
    def hide_selected(self, request, queryset):
        def apply(annotations, data):
            hidden = moderation.hide_annotations(
                annotations, moderator=request.user, reason=data["reason"]
            )
            skipped = len(annotations) - len(hidden)
            note = f" ({skipped} were not active and were left alone)" if skipped else ""
            return f"Hid {len(hidden)} annotation(s){note}."

        return ask_reason_then(
            self,
            request,
            queryset,
            action="hide_selected",
            title="Hide annotations",
            apply=apply,
        )

    @admin.action(description="Unhide selected annotations", permissions=["hide"])
    def unhide_selected(self, request, queryset):
        def apply(annotations, data):
            restored = moderation.unhide_annotations(
                annotations, moderator=request.user, reason=data["reason"]
            )
            skipped = len(annotations) - len(restored)
            note = f" ({skipped} were not hidden and were left alone)" if skipped else ""
            return f"Unhid {len(restored)} annotation(s){note}."

        return ask_reason_then(
            self,
            request,
            queryset,
            action="unhide_selected",
            title="Unhide annotations",
            apply=apply,
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

    @admin.display(description="changes (before → after)")
    def changes(self, obj):
        return describe_changes(obj)


# --- Suggestions ------------------------------------------------------------------------------


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

    @admin.display(description="quote")
    def quote(self, obj):
        return _short(obj.exact, 50)


@admin.register(SuggestionDecision)
class SuggestionDecisionAdmin(ReadOnlyAdmin):
    list_display = ["id", "suggestion", "reviewer", "decision", "annotation_id", "decided_at"]
    list_filter = ["decision", "suggestion__detector"]
    search_fields = ["reviewer__username", "suggestion__exact"]
    list_select_related = ["suggestion", "reviewer"]


# --- Consensus and adjudication ---------------------------------------------------------------


@admin.register(Consensus)
class ConsensusAdmin(ReadOnlyAdmin):
    list_display = [
        "key",
        "kind",
        "document",
        "claim",
        "reviewer_count",
        "median_reliability",
        "spread",
        "status",
        "computed_status",
        "adjudication_stale",
        "updated_at",
    ]
    list_filter = ["status", "computed_status", "kind", "adjudication_stale", "document__language"]
    search_fields = ["key", "document__title", "claim__text"]
    list_select_related = ["document", "claim"]
    date_hierarchy = "updated_at"
    change_form_template = "admin/annotator/consensus/change_form.html"
    actions = ["adjudicate_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__body")

    @admin.display(description="IQR")
    def spread(self, obj):
        if obj.q1_reliability is None or obj.q3_reliability is None:
            return "—"
        return obj.q3_reliability - obj.q1_reliability

    def has_adjudicate_permission(self, request):
        return request.user.has_perm(moderation.PERMISSION_ADJUDICATE)

    def get_urls(self):
        return [
            path(
                "<int:pk>/adjudicate/",
                self.admin_site.admin_view(self.adjudicate_view),
                name="annotator_consensus_adjudicate",
            ),
            *super().get_urls(),
        ]

    @admin.action(description="Adjudicate the selected consensus", permissions=["adjudicate"])
    def adjudicate_selected(self, request, queryset):
        pks = list(queryset.values_list("pk", flat=True)[:2])
        if len(pks) != 1:
            self.message_user(
                request, "Select exactly one consensus to adjudicate.", messages.ERROR
            )
            return None
        return redirect("admin:annotator_consensus_adjudicate", pk=pks[0])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_adjudicate": self.has_adjudicate_permission(request),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def adjudicate_view(self, request, pk):
        if not self.has_adjudicate_permission(request):
            raise PermissionDenied
        item = get_object_or_404(Consensus.objects.select_related("document", "claim"), pk=pk)
        if request.method == "POST":
            form = AdjudicationForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    consensus_engine.adjudicate(
                        item,
                        moderator=request.user,
                        reliability=data["reliability"],
                        flags=data["flags"],
                        reason=data["reason"],
                    )
                except AnnotationInputError as error:
                    for field, problems in error.errors.items():
                        form.add_error(field if field in form.fields else None, problems)
                except NotAllowedError as error:
                    form.add_error(None, str(error))
                else:
                    self.message_user(request, f"Adjudicated {item.key}.", messages.SUCCESS)
                    return redirect("admin:annotator_consensus_change", item.pk)
        else:
            form = AdjudicationForm(initial=_adjudication_initial(item))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Adjudicate {item.key}",
            "opts": self.model._meta,
            "app_label": self.model._meta.app_label,
            "original": item,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/annotator/consensus/adjudicate.html", context)


def _adjudication_initial(item: Consensus) -> dict:
    """Start from the computed result: the rounded median and the flags most reviewers raised."""
    if item.adjudicated_at is not None:
        return {"reliability": item.adjudicated_reliability, "flags": item.adjudicated_flags}
    median = item.median_reliability
    return {
        "reliability": int(median + 0.5) if median is not None else None,
        "flags": [slug for slug, share in (item.flag_support or {}).items() if share >= 0.5],
    }


# --- Audit log --------------------------------------------------------------------------------


@admin.register(ModerationAction)
class ModerationActionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target", "short_reason"]
    list_filter = ["action", "target_type", ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["reason", "target_repr", "=target_id", "actor__username"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "actor",
        "action",
        "target_type",
        "target_id",
        "target_repr",
        "reason",
        "details",
    ]
    readonly_fields = fields

    @admin.display(description="target")
    def target(self, obj):
        return f"#{obj.target_id} {_short(obj.target_repr, 50)}"

    @admin.display(description="reason")
    def short_reason(self, obj):
        return _short(obj.reason, 80)

    def get_urls(self):
        return [
            path(
                "queue/",
                self.admin_site.admin_view(self.queue_view),
                name="annotator_moderation_queue",
            ),
            *super().get_urls(),
        ]

    def queue_view(self, request):
        if not request.user.has_perm("annotator.view_moderation_queue"):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Moderation queue",
            "opts": self.model._meta,
            "queue": moderation.moderation_queue(),
        }
        return TemplateResponse(request, "admin/annotator/moderation_queue.html", context)


# --- API tokens -------------------------------------------------------------------------------


class ApiTokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "scope"]


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

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
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
            title="Revoke API tokens",
            apply=apply,
        )
