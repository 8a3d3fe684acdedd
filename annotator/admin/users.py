"""Users: roles, suspension and reinstatement."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .. import moderation
from ..models import (
    User,
)
from .actions import reason_action
from .base import ChoiceFilter, CountsMixin


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

    @admin.display(description=_("roles"))
    def roles(self, obj):
        names = [group.name for group in obj.groups.all()]
        if obj.is_superuser:
            names.insert(0, "Admin")
        return ", ".join(names) or "—"

    suspend_selected = reason_action(
        "suspend_selected",
        function=moderation.suspend_reviewer,
        description=_("Suspend selected reviewers"),
        permission="suspend",
        title=_("Suspend reviewers"),
        done=_("Suspended {count} account(s)."),
    )

    reinstate_selected = reason_action(
        "reinstate_selected",
        function=moderation.reinstate_reviewer,
        description=_("Reinstate selected reviewers"),
        permission="suspend",
        title=_("Reinstate reviewers"),
        done=_("Reinstated {count} account(s)."),
    )
