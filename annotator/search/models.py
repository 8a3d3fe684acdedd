"""The search index: one row per document title and per passage, with its search terms."""

from django.db import models


class SearchEntry(models.Model):
    """Folded search terms of one title or passage.

    ``terms`` holds the tokens of the folded text (lower case, Traditional Chinese folded to
    Simplified) separated by spaces: words for alphabetic scripts, overlapping character
    bigrams for CJK. PostgreSQL stores ``to_tsvector('simple', terms)`` in a generated column
    ``terms_vector`` (not a model field) indexed with GIN; SQLite keeps an FTS5 table in step
    through triggers (migrations 0007 and 0011).
    """

    class Kind(models.TextChoices):
        TITLE = "title", "Title"
        PASSAGE = "passage", "Passage"

    document = models.ForeignKey(
        "annotator.Document", on_delete=models.CASCADE, related_name="search_entries"
    )
    passage = models.ForeignKey(
        "annotator.Passage", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    terms = models.TextField()

    class Meta:
        app_label = "annotator"
        ordering = ["id"]
        # The order results are shown in: newest document first, then title and passages.
        indexes = [models.Index(fields=["-document", "id"], name="searchentry_newest_first")]

    def __str__(self):
        return f"{self.kind} of document {self.document_id}"
