"""Shared pieces: the site's titles, no bulk deletion, read-only and no-delete bases, filters."""

from django.contrib import admin
from django.db import models
from django.db.models import Count, Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Source reliability moderation")
admin.site.site_title = _("Source reliability admin")
admin.site.index_title = _("Moderation")
admin.site.index_template = "admin/annotator_index.html"
# Bulk deletion is off everywhere: things are hidden, suspended, merged or retired instead.
admin.site.disable_action("delete_selected")


def short_text(text: str, length: int = 60) -> str:
    return Truncator(text or "").chars(length)


class ChoiceFilter(admin.SimpleListFilter):
    """A list filter whose choices each narrow the list by one condition."""

    # URL value -> (label, condition). Not "choices": SimpleListFilter has a method of that name.
    options: dict[str, tuple[str, Q]] = {}

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _) in self.options.items()]

    def queryset(self, request, queryset):
        choice = self.options.get(self.value())
        return queryset.filter(choice[1]) if choice else queryset


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

    @admin.display(description=_("annotations"), ordering="annotation_count")
    def annotation_count(self, obj):
        return obj.annotation_count
