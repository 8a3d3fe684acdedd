"""Template filters for moderators' pages: human labels instead of internal keys."""

from django import template

from annotator.text import words_after, words_before
from annotator.workbench import group_label as label_of_group

register = template.Library()


@register.filter
def group_label(row) -> str:
    """``{{ row|group_label }}``: where a consensus group is and how its text starts."""
    return label_of_group(row)


@register.filter
def context_before(prefix: str, limit: int = 40) -> str:
    """The end of a quote's prefix, cut at a word boundary, with "…" when something was cut."""
    piece = words_before(prefix or "", int(limit))
    return piece if len(piece) == len(prefix or "") else "…" + piece


@register.filter
def context_after(suffix: str, limit: int = 40) -> str:
    """The start of a quote's suffix, cut at a word boundary, with "…" when something was cut."""
    piece = words_after(suffix or "", int(limit))
    return piece if len(piece) == len(suffix or "") else piece + "…"
