"""Snapshots: the original bytes a document was extracted from, kept immutable."""

from django.db import models


def snapshot_path(instance, filename: str) -> str:
    """Content-addressed: the same bytes always land at the same name."""
    return f"snapshots/{instance.sha256[:2]}/{instance.sha256}"


class Snapshot(models.Model):
    """The bytes as received (upload, paste or fetch), with their hash, type, size and capture time.

    Stored through Django's storage API (``STORAGES["default"]``): the local file system by
    default, any django-storages backend in production. Never changed after creation.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    captured_at = models.DateTimeField()
    file = models.FileField(upload_to=snapshot_path, max_length=200)
    filename = models.CharField(max_length=255, blank=True, help_text="Name it was uploaded as")
    url = models.URLField(max_length=2000, blank=True, help_text="Where it was fetched from")

    class Meta:
        app_label = "annotator"
        ordering = ["id"]

    def __str__(self):
        return f"{self.media_type} {self.sha256[:12]} ({self.size} bytes)"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A snapshot is immutable: store new bytes as a new snapshot.")
        super().save(*args, **kwargs)
