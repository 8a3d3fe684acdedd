"""The append-only audit log and the moderation queue."""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from .. import moderation
from ..models import Consensus, ModerationAction
from .base import ReadOnlyAdmin, short_text


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

    @admin.display(description=_("target"))
    def target(self, obj):
        return f"#{obj.target_id} {short_text(obj.target_repr, 50)}"

    @admin.display(description=_("reason"))
    def short_reason(self, obj):
        return short_text(obj.reason, 80)

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
            "queue": moderation.moderation_queue(
                order=request.GET.get("order", "newest"),
                kind=request.GET.get("kind", ""),
                language=request.GET.get("language", ""),
            ),
            "orders": [(value, label) for value, (label, _) in moderation.QUEUE_ORDERS.items()],
            "kinds": Consensus.Kind.values,
            "selected": {key: request.GET.get(key, "") for key in ("order", "kind", "language")},
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/annotator/moderation_queue.html", context)
