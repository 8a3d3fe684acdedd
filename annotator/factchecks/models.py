"""The FactCheck row: what a moderator published about one claim, frozen at publication.

The public page reads only this row: the verdict, evidence links and appearances were read
through the visibility policy by the publishing moderator and copied here, so an anonymous
reader never reaches annotations (blind review and hiding keep applying to them).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from annotator.models import Claim


class FactCheck(models.Model):
    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="fact_check")
    slug = models.SlugField(max_length=80, unique=True)
    headline = models.CharField(max_length=200, help_text="claimReviewed (≤ 75 advised)")
    summary = models.TextField()
    rating_text = models.CharField(max_length=100)
    rating_value = models.FloatField(null=True, blank=True)
    consensus_status = models.CharField(max_length=16)
    reasoning = models.TextField(blank=True, help_text="The adjudication's reason, if any")
    evidence = models.JSONField(default=list, blank=True)
    appearances = models.JSONField(default=list, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)
    retracted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("fact check")
        verbose_name_plural = _("fact checks")
        app_label = "annotator"
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.headline

    @property
    def is_live(self) -> bool:
        return self.retracted_at is None
