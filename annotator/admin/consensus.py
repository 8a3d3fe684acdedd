"""Consensus rows and adjudication."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .. import moderation
from ..consensus import decided_flags
from ..errors import AnnotationInputError, NotAllowedError
from ..models import (
    Consensus,
)
from ..workbench import adjudication_case, group_label
from .actions import AdjudicationForm
from .base import ReadOnlyAdmin


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

    @admin.display(description=_("IQR"))
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

    @admin.action(description=_("Adjudicate the selected consensus"), permissions=["adjudicate"])
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
        item = get_object_or_404(
            Consensus.objects.select_related("document", "claim", "passage").defer(
                "document__body"
            ),
            pk=pk,
        )
        if request.method == "POST":
            form = AdjudicationForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    moderation.adjudicate(
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
            # No rating is pre-set; flags are pre-ticked only where the consensus rule decided them.
            form = AdjudicationForm(initial={"flags": decided_flags(item)})
        context = {
            **self.admin_site.each_context(request),
            "title": f"Adjudicate: {group_label(item)}",
            "opts": self.model._meta,
            "app_label": self.model._meta.app_label,
            "original": item,
            "form": form,
            "case": adjudication_case(item),
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/annotator/consensus/adjudicate.html", context)
