"""Campaigns in the admin: read-only lists for moderators, with actions that go through
``campaigns.lifecycle`` (open, close) so that assignment and the audit trail stay in one place.

Campaigns are created on the web page (/campaigns/new/) or through the API.
"""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from ..campaigns import lifecycle
from ..errors import AnnotationInputError, NotAllowedError
from ..models import Assignment, Campaign, CampaignMember
from .base import ReadOnlyAdmin


class ModeratorsMayView:
    """Moderators read campaigns here without a model permission (they are not in 0003_roles)."""

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (
            request.user.is_moderator or super().has_view_permission(request, obj)
        )


class MemberInline(ModeratorsMayView, admin.TabularInline):
    model = CampaignMember
    fields = ["reviewer", "assigned", "calibration", "joined_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ModeratorsMayView, ReadOnlyAdmin):
    list_display = ["name", "status", "overlap", "quorum", "due", "assignment_count", "opened_at"]
    list_filter = ["status"]
    search_fields = ["name"]
    fields = [
        "name",
        "description",
        "status",
        "overlap",
        "quorum",
        "due",
        "blind_review",
        "document_filter",
        "created_by",
        "created_at",
        "opened_at",
        "closed_at",
    ]
    readonly_fields = fields
    inlines = [MemberInline]
    actions = ["open_selected", "close_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(assignment_count=Count("assignments"))

    @admin.display(description=_("assignments"), ordering="assignment_count")
    def assignment_count(self, obj):
        return obj.assignment_count

    def _apply(self, request, queryset, change, label):
        for campaign in queryset:
            try:
                change(campaign, by=request.user)
            except (AnnotationInputError, NotAllowedError) as error:
                self.message_user(request, f"{campaign}: {error}", messages.ERROR)
            else:
                self.message_user(request, f"{campaign}: {label}.", messages.SUCCESS)

    @admin.action(description=_("Open the selected campaigns (assigns every passage)"))
    def open_selected(self, request, queryset):
        self._apply(request, queryset, lifecycle.open_campaign, _("opened"))

    @admin.action(description=_("Close the selected campaigns"))
    def close_selected(self, request, queryset):
        self._apply(request, queryset, lifecycle.close_campaign, _("closed"))


@admin.register(Assignment)
class AssignmentAdmin(ModeratorsMayView, ReadOnlyAdmin):
    list_display = ["campaign", "document", "passage", "reviewer", "kind", "created_at"]
    list_filter = ["kind", "campaign"]
    search_fields = ["reviewer__username", "=passage__id", "=document__id"]
    list_select_related = ["campaign", "reviewer", "passage", "document"]
    raw_id_fields = ["passage", "document", "reviewer"]
    fields = ["campaign", "passage", "document", "reviewer", "kind", "created_at"]
    readonly_fields = fields
    show_full_result_count = False
